"""Citizen ID numbers (căn cước, số định danh cá nhân) and phone numbers: structure and consistency.

A 12-digit citizen ID is: 3 digits for the province (or country) of birth registration, 1 digit for
century and gender, 2 digits for the last two digits of the birth year, 6 random digits. There is no
checksum, so we validate the structure and its consistency with birth date and gender (DOMAIN.md §10).
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.core.inputs import is_ascii_digits, normalize_phone, strip_separators

# Province codes of birth registration used in ID numbers (the 63 provinces before the 2025 merger;
# IDs issued earlier keep them for life).
BIRTH_PROVINCE_CODES = frozenset(
    (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 "
        "026 027 030 031 033 034 035 036 037 038 040 042 044 045 046 048 "
        "049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 "
        "077 079 080 082 083 084 086 087 089 091 092 093 094 095 096 "
    ).split()
)

MALE = "male"
FEMALE = "female"
# Digit 4: even for men, odd for women; the pair says the century of birth.
_CENTURY_BY_PAIR = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}


def normalize_digits(value: str) -> str:
    """Remove spaces, dots and dashes people type inside numbers (motcua.core.inputs decides which)."""
    return strip_separators(value)


def citizen_id_birth_info(value: str) -> tuple[int, str]:
    """Birth year and gender encoded in a structurally valid citizen ID."""
    digit = int(value[3])
    century = _CENTURY_BY_PAIR[digit // 2]
    gender = MALE if digit % 2 == 0 else FEMALE
    return century + int(value[4:6]), gender


def validate_citizen_id(value: str, *, birth_date: dt.date | None = None, gender: str | None = None) -> str:
    """Return the normalised ID or raise ValidationError with a message that says how to fix it."""
    cleaned = normalize_digits(value)
    if not cleaned:
        raise ValidationError(_("Nhập số định danh cá nhân (số căn cước) gồm 12 chữ số"), code="required")
    if not is_ascii_digits(cleaned):
        raise ValidationError(_("Số định danh cá nhân chỉ gồm chữ số, không có chữ cái"), code="not_digits")
    if len(cleaned) != 12:
        raise ValidationError(
            _("Số định danh cá nhân phải có đúng 12 chữ số, bạn đã nhập %(n)s chữ số") % {"n": len(cleaned)},
            code="length",
        )
    if cleaned[:3] not in BIRTH_PROVINCE_CODES:
        raise ValidationError(
            _(
                "3 chữ số đầu của số định danh phải là mã tỉnh nơi đăng ký khai sinh "
                "(ví dụ 001 Hà Nội); hãy kiểm tra lại"
            ),
            code="province",
        )
    year, encoded_gender = citizen_id_birth_info(cleaned)
    if birth_date is not None and birth_date.year != year:
        raise ValidationError(
            _(
                "Số định danh cho biết năm sinh %(year)s, không khớp với ngày sinh đã nhập; "
                "hãy kiểm tra chữ số thứ 4 đến thứ 6 hoặc ngày sinh"
            )
            % {"year": year},
            code="birth_year",
        )
    if gender is not None and gender in (MALE, FEMALE) and gender != encoded_gender:
        raise ValidationError(
            _("Chữ số thứ 4 của số định danh không khớp với giới tính đã chọn; hãy kiểm tra lại"),
            code="gender",
        )
    return cleaned


def validate_phone(value: str) -> str:
    cleaned = normalize_phone(value)
    if not cleaned:
        raise ValidationError(_("Nhập số điện thoại di động"), code="required")
    if not re.fullmatch(r"0[35789][0-9]{8}", cleaned):
        raise ValidationError(
            _("Số điện thoại phải có 10 chữ số và bắt đầu bằng 03, 05, 07, 08 hoặc 09, ví dụ 0912 345 678"),
            code="phone",
        )
    return cleaned
