"""VietQR payloads (DOMAIN.md §11): the public vectors round-trip exactly; a rendered QR decodes with zbar."""

import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.payments import vietqr
from motcua.payments.references import candidates_in_note, reference_for

VECTORS = [
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",  # noqa: E501
    "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8",  # noqa: E501
]


def test_crc_check_value():
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize("payload", VECTORS)
def test_public_vectors_round_trip(payload):
    parsed = vietqr.parse(payload)
    rebuilt = vietqr.build(
        bank_bin=parsed.bank_bin,
        account=parsed.account,
        amount=parsed.amount,
        purpose=parsed.purpose,
        service=parsed.service,
    )
    assert rebuilt == payload


def test_vector_fields():
    first = vietqr.parse(VECTORS[0])
    assert (first.bank_bin, first.account, first.amount, first.purpose, first.initiation) == (
        "970415",
        "0011001932418",
        120000,
        "ung ho lu lut",
        "12",
    )
    static = vietqr.parse(VECTORS[1])
    assert static.amount is None and static.initiation == "11" and static.bank_bin == "970423"


@pytest.mark.parametrize("payload", VECTORS)
def test_any_changed_character_breaks_the_crc(payload):
    tampered = payload.replace("VN", "VM", 1)
    with pytest.raises(vietqr.VietQRError):
        vietqr.parse(tampered)


def test_purpose_is_ascii_and_short():
    payload = vietqr.build(
        bank_bin="970415", account="0011001932418", amount=10000, purpose="Nộp lệ phí hồ sơ Đăng ký thường trú"
    )
    purpose = vietqr.parse(payload).purpose
    assert purpose == "Nop le phi ho so Dang ky"
    assert purpose.isascii() and len(purpose) <= 25


@pytest.mark.parametrize(
    "bad", [{"bank_bin": "97041"}, {"account": "12 34"}, {"amount": 0}, {"amount": -5}, {"service": "X"}]
)
def test_builder_refuses_bad_values(bad):
    args = {"bank_bin": "970415", "account": "0011001932418", "amount": 1000, **bad}
    with pytest.raises(vietqr.VietQRError):
        vietqr.build(**args)


@given(
    amount=st.integers(min_value=1, max_value=10**12),
    account=st.text(alphabet="0123456789", min_size=6, max_size=19),
    purpose=st.text(max_size=40),
)
def test_build_parse_round_trip(amount, account, purpose):
    payload = vietqr.build(bank_bin="970436", account=account, amount=amount, purpose=purpose)
    parsed = vietqr.parse(payload)
    assert parsed.amount == amount and parsed.account == account
    assert parsed.purpose == vietqr.ascii_text(purpose)


def test_reference_is_short_ascii_and_found_in_a_mangled_note():
    ref = reference_for("H15.50.05.13-261008-0975", 1)
    assert ref == "MCH1550051326100809751"
    assert reference_for("H15.50.05.13-261008-0975", 10) == "MCH155005132610080975A"
    # A bank drops punctuation, lower-cases and prefixes its own words; a long note is cut after 25.
    assert ref in candidates_in_note(f"ck {ref.lower()} nguyen van a")
    assert ref in candidates_in_note(f"{ref} chuyen tien le phi ho so dang ky"[:25])


def test_qr_png_decodes_with_zbar():
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg missing (Debian zbar-tools; scripts/install-test-tools.sh)")
    payload = vietqr.build(bank_bin="970415", account="113366668888", amount=10000, purpose="MCH1502839261130000111")
    png = vietqr.image_png(payload)
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-"], input=png, capture_output=True, check=True
    )
    decoded = result.stdout.decode().strip()
    assert decoded == payload
    assert vietqr.crc_ok(decoded)
    assert vietqr.parse(decoded).amount == 10000


def test_svg_is_inline_markup():
    svg = vietqr.image_svg(VECTORS[0], title="Mã VietQR")
    assert svg.startswith("<svg") and "<path" in svg and len(svg) < 12_000
