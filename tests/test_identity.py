import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.identity import (
    citizen_id_birth_info,
    normalize_phone,
    validate_citizen_id,
    validate_phone,
)
from motcua.core.logging import mask_personal_data


@pytest.mark.parametrize(
    ("value", "birth", "gender"),
    [
        ("001090012345", dt.date(1990, 1, 1), "male"),  # Hà Nội, man born 1990
        ("079303000123", dt.date(2003, 5, 6), "female"),  # TP.HCM, woman born 2003
        ("0101 9001 2345", dt.date(1990, 3, 12), "female"),  # spaces people type are accepted
        ("096200999999", dt.date(2000, 12, 31), "male"),
    ],
)
def test_valid_citizen_ids(value, birth, gender):
    assert validate_citizen_id(value, birth_date=birth, gender=gender) == value.replace(" ", "")


def _error_code(value, **kwargs):
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(value, **kwargs)
    return exc.value.code, exc.value.messages[0]


def test_wrong_length_says_how_many_digits():
    code, message = _error_code("00109001234")
    assert code == "length"
    assert "12 chữ số" in message and "11" in message


def test_letters_are_refused():
    code, message = _error_code("00109001234A")
    assert code == "not_digits"
    assert "chữ số" in message


def test_empty_is_required():
    assert _error_code("")[0] == "required"


def test_unknown_birth_province():
    assert _error_code("003090012345")[0] == "province"


def test_century_digit_inconsistent_with_birth_date():
    # Digit 4 = 2 means born in the 2000s, but the birth date says 1990.
    code, message = _error_code("001290012345", birth_date=dt.date(1990, 1, 1), gender="male")
    assert code == "birth_year"
    assert "2090" in message


def test_year_digits_inconsistent_with_birth_date():
    assert _error_code("001091012345", birth_date=dt.date(1990, 1, 1))[0] == "birth_year"


def test_gender_digit_inconsistent():
    # Digit 4 = 0: a man born in the 1900s; the form says woman.
    code, message = _error_code("001090012345", birth_date=dt.date(1990, 1, 1), gender="female")
    assert code == "gender"
    assert "giới tính" in message


def test_birth_info_decoding_across_centuries():
    assert citizen_id_birth_info("001090012345") == (1990, "male")
    assert citizen_id_birth_info("001105012345") == (1905, "female")
    assert citizen_id_birth_info("001224012345") == (2024, "male")
    assert citizen_id_birth_info("001501012345") == (2101, "female")


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912 345 678", "0912.345.678", "84912345678"])
def test_phone_normalisation(raw):
    assert normalize_phone(raw) == "0912345678"
    assert validate_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["12345", "0112345678", "09123456789", "abc"])
def test_bad_phones(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_logs_mask_ids_and_phones():
    text = mask_personal_data("citizen 001090012345 phone 0912345678 dossier H15.02839-261125-0001")
    assert "001090012345" not in text and "0912345678" not in text
    assert "001******345" in text and "091****678" in text
    assert "H15.02839-261125-0001" in text
