"""SMS text without diacritics, and how many segments it costs (issue 19, point 5; DOMAIN.md §14).

A GSM-7 SMS holds 160 characters; a concatenated one 153 per part (the rest is the part header). Characters
of the GSM-7 extension table (^ { } \\ [ ~ ] | €) take two septets and are never split across parts.
Vietnamese with diacritics would force UCS-2 (70 characters a segment, 67 per part), so broadcasts go out
through `to_gsm7`: diacritics stripped (đ → d), typographic punctuation made plain, anything else that
GSM-7 cannot carry replaced by "?"."""

from __future__ import annotations

import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€"
GSM7 = frozenset(GSM7_BASIC) | frozenset(GSM7_EXTENSION)

SINGLE_GSM7, PART_GSM7 = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67

_PLAIN = {
    "đ": "d",
    "Đ": "D",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\t": " ",
    "`": "'",
    "\u2022": "-",
}


def to_gsm7(text: str) -> str:
    """Vietnamese text → GSM-7 text: "Bão số 3 đổ bộ" → "Bao so 3 do bo". Line breaks kept (\\r\\n → \\n);
    every character of the result is in the GSM-7 alphabet (basic or extension table). Idempotent."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in unicodedata.normalize("NFC", text):
        ch = _PLAIN.get(ch, ch)
        # Every accent goes, even those GSM-7 could carry (à, é): "vào" → "vao", as people text.
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        base = "".join(_PLAIN.get(c, c) for c in base)
        if base and all(c in GSM7 for c in base):
            out.append(base)
        elif unicodedata.category(ch[0]).startswith("Z"):
            out.append(" ")
        elif unicodedata.category(ch[0]).startswith("C"):
            continue  # control and format characters (zero-width joiners, BOM) carry nothing
        else:
            out.append("?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS segments `text` costs: GSM-7 when every character fits (160 single, 153 per part, an
    extension character's two septets never split), UCS-2 otherwise (70 single, 67 UTF-16 units per part,
    a surrogate pair never split). 0 for an empty text."""
    if not text:
        return 0
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, part = SINGLE_GSM7, PART_GSM7
    else:
        widths = [len(ch.encode("utf-16-le")) // 2 for ch in text]
        single, part = SINGLE_UCS2, PART_UCS2
    if sum(widths) <= single:
        return 1
    count, used = 1, 0
    for width in widths:
        if used + width > part:
            count, used = count + 1, 0
        used += width
    return count
