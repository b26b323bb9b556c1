"""VietQR payloads: the EMVCo merchant-presented QR that NAPAS 247 banks read, built and parsed here.

Format (DOMAIN.md §11; NAPAS "VietQR" specification, EMVCo QRCPS-MPM v1.1): TLV fields of a two-digit id,
a two-digit length and the value, in ascending id order, ending with field 63, a CRC-16/CCITT-FALSE over
the whole payload including the literal "6304". Field 38 nests the account: {00 GUID "A000000727",
01 {00 bank BIN, 01 account number}, 02 service "QRIBFTTA" (to an account) or "QRIBFTTC" (to a card)}.
Field 62 nests the additional data; 08 is the purpose (the transfer note), ASCII only, ≤ 25 characters.
Lengths count characters; every value we emit is ASCII, so characters and bytes agree.
"""

import re
import unicodedata
from dataclasses import dataclass

from motcua.core.inputs import is_ascii_digits

NAPAS_GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
PURPOSE_MAX = 25


class VietQRError(ValueError):
    """A payload that does not follow the format, or values that cannot be encoded (the message says which)."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor. crc(b"123456789") == 0x29B1."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"field {tag} is longer than 99 characters")
    if not value.isascii():
        raise VietQRError(f"field {tag} must be ASCII")
    return f"{tag}{len(value):02d}{value}"


def tlv_parse(text: str) -> dict[str, str]:
    """ "0002010102…" → {"00": "01", "01": "02", …}, in order; raises VietQRError on a truncated field or a
    repeated id."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        if i + 4 > len(text):
            raise VietQRError(f"truncated field header at position {i}")
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (is_ascii_digits(tag) and is_ascii_digits(length)):
            raise VietQRError(f"bad field header {text[i : i + 4]!r} at position {i}")
        end = i + 4 + int(length)
        if end > len(text):
            raise VietQRError(f"field {tag} runs past the end of the payload")
        if tag in fields:
            raise VietQRError(f"field {tag} appears twice")
        fields[tag] = text[i + 4 : end]
        i = end
    return fields


def ascii_text(text: str, max_length: int = PURPOSE_MAX) -> str:
    """Text a bank note can carry: diacritics stripped (đ → d), ASCII letters, digits and spaces only,
    at most `max_length` characters."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9 .\-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:max_length].strip()


@dataclass(frozen=True)
class VietQR:
    bank_bin: str
    account: str
    amount: int | None = None
    purpose: str = ""
    service: str = SERVICE_ACCOUNT
    # "11" static (reusable, no amount) or "12" dynamic (one-off, with an amount).
    initiation: str = ""


def build(
    *, bank_bin: str, account: str, amount: int | None = None, purpose: str = "", service: str = SERVICE_ACCOUNT
) -> str:
    """The payload string for a transfer to `account` at the bank with NAPAS BIN `bank_bin` (6 digits).
    With an amount (whole đồng, > 0) the QR is dynamic ("12"), otherwise static ("11"). `purpose` is made
    ASCII and cut to 25 characters. Raises VietQRError for a bad BIN, account, amount or service."""
    if not (len(bank_bin) == 6 and is_ascii_digits(bank_bin)):
        raise VietQRError("the bank BIN must be 6 digits")
    if not account or not account.isascii() or not account.isalnum() or len(account) > 19:
        raise VietQRError("the account number must be 1–19 letters or digits")
    if service not in (SERVICE_ACCOUNT, SERVICE_CARD):
        raise VietQRError("the service must be QRIBFTTA or QRIBFTTC")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0):
        raise VietQRError("the amount must be a whole number of đồng above zero")
    if amount is not None and len(str(amount)) > 13:
        raise VietQRError("the amount has more than 13 digits")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", service)
    payload = _tlv("00", "01") + _tlv("01", "12" if amount else "11") + _tlv("38", merchant)
    payload += _tlv("53", CURRENCY_VND)
    if amount:
        payload += _tlv("54", str(amount))
    payload += _tlv("58", COUNTRY_VN)
    note = ascii_text(purpose)
    if note:
        payload += _tlv("62", _tlv("08", note))
    payload += "6304"
    return payload + f"{crc16_ccitt_false(payload.encode('ascii')):04X}"


def crc_ok(payload: str) -> bool:
    """True when the payload ends with "6304" + the right upper-case CRC."""
    if len(payload) < 8 or payload[-8:-4] != "6304" or not payload.isascii():
        return False
    return payload[-4:] == f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"


def parse(payload: str) -> VietQR:
    """Read a VietQR payload back. Raises VietQRError when the CRC is wrong, a field is malformed, the ids
    are out of order, or the payload is not a NAPAS account transfer."""
    if not crc_ok(payload):
        raise VietQRError("the CRC does not match (field 63)")
    fields = tlv_parse(payload)
    tags = list(fields)
    if tags != sorted(tags) or tags[-1] != "63":
        raise VietQRError("fields must be in ascending id order, with 63 last")
    if fields.get("00") != "01":
        raise VietQRError("field 00 must be 01")
    if fields.get("01") not in ("11", "12"):
        raise VietQRError("field 01 must be 11 (static) or 12 (dynamic)")
    if fields.get("53") != CURRENCY_VND or fields.get("58") != COUNTRY_VN:
        raise VietQRError("currency must be 704 and country VN")
    merchant = tlv_parse(fields.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError("field 38 is not a NAPAS account (GUID A000000727)")
    beneficiary = tlv_parse(merchant.get("01", ""))
    amount = fields.get("54")
    if amount is not None and not is_ascii_digits(amount):
        raise VietQRError("field 54 must be a whole amount in đồng")
    extra = tlv_parse(fields["62"]) if "62" in fields else {}
    return VietQR(
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        amount=int(amount) if amount is not None else None,
        purpose=extra.get("08", ""),
        service=merchant.get("02", ""),
        initiation=fields["01"],
    )


def image_svg(payload: str, *, scale: int = 4, title: str = "") -> str:
    """The QR as an inline SVG element (segno; error correction M, quiet zone 4 modules)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(
        buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, title=title or None, nl=False
    )
    return buffer.getvalue().decode("utf-8")


def image_png(payload: str, *, scale: int = 8) -> bytes:
    """The QR as PNG bytes (for the PDF receipt and the API)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
