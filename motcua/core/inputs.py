"""The one door for what people type, paste and sync (STYLE.md §11).

Every free text and identifier entering the system passes through here, whatever the entry (page forms,
API schemas, e-form JSON, CSV/XLSX imports, offline sync, query parameters):

* free text: NFC, trimmed, no NUL / control characters / lone surrogates / bidi overrides, a length
  checked in characters against the column it goes to (the same rule on SQLite and PostgreSQL);
* identifiers (citizen ID, phone, codes): spaces, dots and dashes removed (and +84 for phones),
  then ASCII digits only — ``str.isdigit()`` accepts "²" and "٣", so it is never used for validation;
* numbers (counts, amounts) and dates: ``clean_int`` / ``clean_date``, inside a documented range, checked
  before any work or write; a count never loses its dot or minus sign ("1.5" is refused, not read as 15);
* search: ``fold`` compares text regardless of case, accents and normalisation (NFC/NFD).

Each check raises Django's ``ValidationError`` with a Vietnamese message that says how to fix the value,
so forms show it next to the field; services turn it into ``ValidationFailed`` (422) with the field
(``as_validation_failed``), and API schemas use the pydantic types at the bottom.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .money import group_digits

# --- folding (search) -----------------------------------------------------------------------------------


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str | None) -> str:
    """Lower case, diacritics removed (đ → d), NFC: "LÒ THỊ MAI", its NFD form and "lo thi mai" fold alike.
    The one folding function: the catalogue search, officers' search columns and imports all use it."""
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", text).replace("đ", "d").split())


# --- characters -------------------------------------------------------------------------------------------
# Bidirectional overrides and isolates: invisible, and they make a name display as another one.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_LINE_BREAKS = frozenset("\n\r\t")


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character that must not be stored: NUL and other control characters (line breaks and
    tabs are whitespace: single-line text turns them into spaces), lone surrogates (they cannot be encoded
    in UTF-8) and bidi controls."""
    for ch in text:
        if ch in _LINE_BREAKS:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch in _BIDI_CONTROLS or ch in ("\ufffe", "\uffff"):
            return ch
    return None


def has_bad_characters(value: Any) -> bool:
    """For the safety nets (middleware, API parser): NUL, C0/C1 controls other than line breaks, lone
    surrogates anywhere in a string."""
    return isinstance(value, str) and bad_character(value, multiline=True) is not None


def describe_character(ch: str) -> str:
    return f"U+{ord(ch):04X}"


_DEFAULT_LABEL = gettext_lazy("Giá trị")


def _label(label) -> str:
    return str(label or _DEFAULT_LABEL)


def clean_text(
    value: Any,
    *,
    max_length: int | None = None,
    min_length: int = 0,
    required: bool = False,
    multiline: bool = False,
    label=None,
) -> str:
    """Free text as it will be stored: NFC, trimmed, single-line text with inner whitespace runs made one
    space, checked for characters and length (in characters, as both databases count them)."""
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(_("%(f)s phải là một đoạn chữ") % {"f": _label(label)}, code="type")
    text = nfc(str(value))
    ch = bad_character(text, multiline=multiline)
    if ch is not None:
        raise ValidationError(
            _("%(f)s có ký tự không hiển thị được (%(c)s); hãy xoá ký tự đó hoặc gõ lại")
            % {
                "f": _label(label),
                "c": describe_character(ch),
            },
            code="bad_character",
        )
    if multiline:
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        text = text.strip()
    else:
        text = " ".join(text.split())
    if required and not any(unicodedata.category(c)[0] not in "CZ" for c in text):
        # Nothing visible (empty, or only zero-width and other format characters such as U+200B) is not an answer.
        raise ValidationError(_("Nhập %(f)s") % {"f": _label(label).lower()}, code="required")
    if text and min_length and len(text) < min_length:
        raise ValidationError(
            _("%(f)s phải có ít nhất %(n)s ký tự") % {"f": _label(label), "n": min_length}, code="min_length"
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("%(f)s dài %(n)s ký tự, tối đa %(max)s ký tự; hãy rút gọn")
            % {
                "f": _label(label),
                "n": len(text),
                "max": max_length,
            },
            code="max_length",
        )
    return text


# --- person names -----------------------------------------------------------------------------------------
# Apostrophes (ASCII, typographic, modifier letter) and hyphens seen in ethnic-minority and foreign names.
_NAME_JOINERS = frozenset("'\u2019\u02bc-\u2010\u2011")


def check_person_name(text: str, *, label=None) -> str:
    """A person's name (already through ``clean_text``): letters of any script with their diacritics
    (Vietnamese, ethnic-minority names such as "H'Hen Niê", "Lò Thị Mai", "Y-Moan"), spaces, apostrophes
    and hyphens; at least one letter, starting with a letter; no digits or other signs."""
    if not text:
        return text
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith(("L", "M")) or ch == " " or ch in _NAME_JOINERS:
            continue
        if category == "Nd":
            raise ValidationError(
                _("%(f)s không được có chữ số; hãy nhập họ tên bằng chữ, ví dụ Nguyễn Văn An") % {"f": _label(label)},
                code="person_name",
            )
        raise ValidationError(
            _("%(f)s chỉ gồm chữ cái, dấu cách, dấu nháy (') và gạch nối (-); hãy bỏ ký tự «%(c)s»")
            % {"f": _label(label), "c": ch},
            code="person_name",
        )
    if not unicodedata.category(text[0]).startswith("L"):
        raise ValidationError(
            _("%(f)s phải bắt đầu bằng một chữ cái, ví dụ Nguyễn Văn An") % {"f": _label(label)},
            code="person_name",
        )
    return text


def clean_person_name(value: Any, *, label=None, **kwargs) -> str:
    """``clean_text`` then ``check_person_name``: the one door for every person-name field."""
    return check_person_name(clean_text(value, label=label, **kwargs), label=label)


def column_max_length(model, field_name: str) -> int | None:
    """The length of the column a value goes to, so checks follow the schema instead of repeating it."""
    return model._meta.get_field(field_name).max_length


def clean_for_column(
    value: Any, model, field_name: str, *, required: bool = False, label=None, person_name: bool = False, **kwargs
) -> str:
    field = model._meta.get_field(field_name)
    label = label or field.verbose_name.capitalize()
    text = clean_text(value, max_length=field.max_length, required=required, label=label, **kwargs)
    return check_person_name(text, label=label) if person_name else text


# --- identifiers ------------------------------------------------------------------------------------------
# Spaces (any kind, including no-break), dots, dashes (ASCII and typographic) typed or pasted inside numbers.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212\u00b7_/]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def strip_separators(value: Any) -> str:
    return _SEPARATORS.sub("", nfc(str(value if value is not None else "")))


def normalize_phone(value: Any) -> str:
    """A phone number as typed → its national form: +84 912 345 678, 0912.345.678, (0912) 345678 →
    "0912345678". Separators go, +84 / 84 becomes 0; the digits are not checked here
    (accounts.identity.validate_phone checks a mobile number's shape)."""
    cleaned = strip_separators(value).replace("(", "").replace(")", "")
    if cleaned.startswith("+84"):
        cleaned = "0" + cleaned[3:]
    elif cleaned.startswith("84") and len(cleaned) == 11:
        cleaned = "0" + cleaned[2:]
    return cleaned


def phone_forms(value: Any) -> list[str]:
    """The stored forms a phone number typed in a search may have: its national form (`normalize_phone`)
    and, when it was typed without its leading 0 ("912 345 001", as people often say it), the same with the
    0 ("0912345001"; a landline "24 3825 1234" → "02438251234"). For lookups only: what is stored is
    always the national form."""
    national = normalize_phone(value)
    forms = [national] if national else []
    if 9 <= len(national) <= 10 and is_ascii_digits(national) and national[0] != "0":
        forms.append("0" + national)
    return forms


def is_ascii_digits(value: str) -> bool:
    return bool(_ASCII_DIGITS.fullmatch(value or ""))


def clean_digits(
    value: Any,
    *,
    label=None,
    length: int | None = None,
    min_length: int = 1,
    max_length: int | None = None,
    required: bool = True,
) -> str:
    """An identifier made of digits: separators removed, then ASCII digits 0-9 only, of the given length."""
    cleaned = strip_separators(value)
    if not cleaned:
        if required:
            raise ValidationError(_("Nhập %(f)s") % {"f": _label(label).lower()}, code="required")
        return ""
    if not is_ascii_digits(cleaned):
        raise ValidationError(
            _("%(f)s chỉ gồm các chữ số từ 0 đến 9 (không có chữ, chỉ số trên hay ký hiệu); hãy nhập lại")
            % {"f": _label(label)},
            code="not_digits",
        )
    if length is not None and len(cleaned) != length:
        raise ValidationError(
            _("%(f)s phải có đúng %(n)s chữ số, bạn đã nhập %(k)s chữ số")
            % {"f": _label(label), "n": length, "k": len(cleaned)},
            code="length",
        )
    if len(cleaned) < min_length or (max_length is not None and len(cleaned) > max_length):
        raise ValidationError(
            _("%(f)s phải có từ %(a)s đến %(b)s chữ số") % {"f": _label(label), "a": min_length, "b": max_length},
            code="length",
        )
    return cleaned


def identifier_digits(value: Any) -> str | None:
    """Lenient form for lookups and search: the ASCII digits of an identifier typed in groups
    ("010 190 012 345", "0912.345.678", "+84 912 345 678"), or None when it is not one."""
    cleaned = strip_separators(value).replace("(", "").replace(")", "")
    if cleaned.startswith("+84"):
        cleaned = "0" + cleaned[3:]
    return cleaned if is_ascii_digits(cleaned) else None


# --- numbers --------------------------------------------------------------------------------------------------
_INTEGER = re.compile(r"[+]?[0-9]{1,18}")
# Thousands written the Vietnamese way: "10.000.000" or "10 000 000" (groups of exactly three digits). A dot
# anywhere else is a decimal ("1.5"), never a separator to drop: stripping it would store 1.5 as 15.
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_MINUS = ("-", "\u2212", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014")


def _not_whole(label, min_value: int, max_value: int, code: str) -> ValidationError:
    if min_value >= 1:
        # Counts (copies, pages…): the citizen's own words, with an example.
        return ValidationError(_("%(f)s phải là số nguyên dương, ví dụ 2") % {"f": _label(label)}, code=code)
    if min_value >= 0 and code == "negative":
        return ValidationError(_("%(f)s không được là số âm") % {"f": _label(label)}, code=code)
    return ValidationError(
        _("%(f)s phải là số nguyên từ %(a)s đến %(b)s, chỉ gồm chữ số 0-9")
        % {"f": _label(label), "a": group_digits(min_value), "b": group_digits(max_value)},
        code=code,
    )


def clean_int(value: Any, *, label=None, min_value: int, max_value: int, required: bool = True) -> int | None:
    """A whole number in [min_value, max_value]: ASCII digits only (no "²"), at most 18 of them (no work on
    a 10**20 page number), range checked before anything uses it. Spaces and well-placed thousands dots
    ("10.000.000") are allowed; a minus sign below the range and decimals ("1.5", "1,5") are refused with
    a message — never silently turned into another number. The one parser for every count and amount."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(_("Nhập %(f)s") % {"f": _label(label).lower()}, code="required")
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _not_whole(label, min_value, max_value, "not_integer")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"\s", "", nfc(str(value)))
        negative = text.startswith(_MINUS) and min_value < 0
        if negative:
            text = text[1:]
        elif text.startswith(_MINUS):
            raise _not_whole(label, min_value, max_value, "negative")
        if _GROUPED.fullmatch(text):
            text = text.replace(".", "")
        if not _INTEGER.fullmatch(text):
            raise _not_whole(label, min_value, max_value, "not_integer")
        number = -int(text) if negative else int(text)
    if not min_value <= number <= max_value:
        if number < 0 <= min_value:
            raise _not_whole(label, min_value, max_value, "negative")
        raise ValidationError(
            _("%(f)s phải từ %(a)s đến %(b)s")
            % {"f": _label(label), "a": group_digits(min_value), "b": group_digits(max_value)},
            code="range",
        )
    return number


def parse_uuid(value: Any) -> uuid.UUID | None:
    """The id a client sent for a file (attachments, feedback files: UUID primary keys), or None when it is not
    a UUID ("abc", "12", "", a 30-digit number, a list). A lookup with an unreadable id must answer as for an
    unknown one (not found, not yours), never reach the database: Django raises ValidationError there,
    which was a 500 on the submission API."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        return None


def parse_uuids(values) -> list[uuid.UUID] | None:
    """Every id of the list as a UUID (`parse_uuid`), or None if any of them is not one."""
    parsed = [parse_uuid(v) for v in values or []]
    return None if any(p is None for p in parsed) else parsed


def int_or_default(value: Any, *, default: int, min_value: int, max_value: int) -> int:
    """Query parameters where a wrong value simply means the default (page=abc → page 1)."""
    try:
        number = clean_int(value, min_value=min_value, max_value=max_value, required=False)
    except ValidationError:
        return default
    return default if number is None else number


# --- dates ----------------------------------------------------------------------------------------------------
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
# Nobody alive or registered in this system was born before this day (birth re-registration included).
EARLIEST_BIRTH = dt.date(1900, 1, 1)


# The years the platform's own dates live in (receipts, calendars, periods of figures): a date outside them is a
# typing slip, and Python's date arithmetic overflows near years 1 and 9999.
SERVICE_YEARS = (1995, 2100)


def check_service_year(day: dt.date, *, label=None) -> dt.date:
    """``day`` itself, or ValidationError (code "year_out_of_range") naming the years allowed."""
    if not SERVICE_YEARS[0] <= day.year <= SERVICE_YEARS[1]:
        message = _("%(f)s phải trong các năm %(a)s–%(b)s") % {
            "f": str(label) if label else _("Ngày"),
            "a": SERVICE_YEARS[0],
            "b": SERVICE_YEARS[1],
        }
        raise ValidationError(message, code="year_out_of_range")
    return day


# No date a person types here lies outside these years (births from 1900, plans to 2100); 0001 or 9999 would
# overflow the day arithmetic of whatever reads them (a week after 31/12/9999).
TYPED_YEARS = (EARLIEST_BIRTH.year, SERVICE_YEARS[1])


def parse_date(value: Any, *, any_year: bool = False) -> dt.date | None:
    """A typed day (dd/mm/yyyy, yyyy-mm-dd and the other DATE_FORMATS) → date, or None when it is not a
    real day or lies outside TYPED_YEARS (1900–2100). ``any_year``: for a caller that checks the range
    itself and says the bound in its message (the extension's "at the latest …")."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text or bad_character(text) is not None or len(text) > 10:
        return None
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if any_year or TYPED_YEARS[0] <= day.year <= TYPED_YEARS[1] else None
    return None


def clean_date(
    value: Any,
    *,
    label=None,
    min_date: dt.date | None = None,
    max_date: dt.date | None = None,
    required: bool = True,
) -> dt.date | None:
    """A real day (dd/mm/yyyy or yyyy-mm-dd) inside [min_date, max_date] (by default TYPED_YEARS, 1900–2100),
    the bound said in the message."""
    if value in (None, ""):
        if required:
            raise ValidationError(_("Nhập %(f)s") % {"f": _label(label).lower()}, code="required")
        return None
    day = parse_date(value, any_year=True)
    min_date = min_date or dt.date(TYPED_YEARS[0], 1, 1)
    max_date = max_date or dt.date(TYPED_YEARS[1], 12, 31)
    if day is None:
        raise ValidationError(
            _("%(f)s phải là một ngày có thật dạng ngày/tháng/năm, ví dụ 12/03/1990") % {"f": _label(label)},
            code="invalid_date",
        )
    if day < min_date:
        raise ValidationError(
            _("%(f)s không được trước ngày %(d)s") % {"f": _label(label), "d": min_date.strftime("%d/%m/%Y")},
            code="too_early",
        )
    if day > max_date:
        raise ValidationError(
            _("%(f)s không được sau ngày %(d)s") % {"f": _label(label), "d": max_date.strftime("%d/%m/%Y")},
            code="too_late",
        )
    return day


def clean_past_date(value: Any, *, label=None, required: bool = True) -> dt.date | None:
    """Birth and death dates: not in the future, not before 1900."""
    return clean_date(value, label=label, min_date=EARLIEST_BIRTH, max_date=timezone.localdate(), required=required)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def display_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def display_answer(value: Any) -> str:
    """An answer as shown to people: dates (stored ISO, "2026-11-03") as dd/mm/yyyy ("03/11/2026")."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return display_date(value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return display_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return "" if value is None else str(value)


# --- errors ---------------------------------------------------------------------------------------------------
def messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def as_validation_failed(field: str, exc: ValidationError, message: str | None = None):
    """A field's ValidationError as the domain's 422."""
    from motcua.core.errors import ValidationFailed

    texts = messages_of(exc)
    return ValidationFailed(message or texts[0], fields={field: texts})


# --- API schema types (pydantic, used by django-ninja) ---------------------------------------------------------
def _pydantic(check):
    from pydantic import BeforeValidator
    from pydantic_core import PydanticCustomError

    def run(value):
        try:
            return check(value)
        except ValidationError as exc:
            raise PydanticCustomError("invalid_input", "{message}", {"message": messages_of(exc)[0]}) from None

    return BeforeValidator(run)


def Text(max_length: int, *, multiline: bool = False, required: bool = False, label=None):
    """A str field for ninja schemas cleaned like every other free text."""
    return Annotated[
        str,
        _pydantic(lambda v: clean_text(v, max_length=max_length, multiline=multiline, required=required, label=label)),
    ]


def Int(min_value: int, max_value: int, *, label=None):
    return Annotated[int, _pydantic(lambda v: clean_int(v, min_value=min_value, max_value=max_value, label=label))]


# --- Django forms ---------------------------------------------------------------------------------------------
class CleanInputMixin:
    """Mixed into page forms: every text field (passwords aside) goes through ``clean_text`` — NFC, no
    control characters, the field's max_length in characters — with the message next to the field; a value
    that is not among a choice field's options (a crafted request) gets a message naming the field, not
    Django's generic one."""

    def __init__(self, *args, **kwargs):
        from django import forms

        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if (
                isinstance(field, forms.ChoiceField)
                and field.error_messages.get("invalid_choice")
                == (forms.ChoiceField.default_error_messages["invalid_choice"])
            ):
                field.error_messages["invalid_choice"] = _("Chọn «%(f)s» trong các lựa chọn có sẵn") % {
                    "f": field.label or name
                }

    def _clean_fields(self):
        from django import forms

        super()._clean_fields()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(field, forms.CharField) or not isinstance(value, str):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            try:
                self.cleaned_data[name] = clean_text(
                    value,
                    max_length=field.max_length,
                    multiline=isinstance(field.widget, forms.Textarea),
                    label=field.label or name,
                )
            except ValidationError as exc:
                self.add_error(name, exc)
