"""Vietnamese text normalisation for search: NFC, lower case, diacritics removed (đ → d)."""

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d").replace("\u0111", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text).replace("đ", "d")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")
