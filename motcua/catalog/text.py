"""Vietnamese text normalisation for search: NFC, lower case, diacritics removed (đ → d).

The folding itself lives in motcua.core.inputs (one function for the catalogue, officers' search and
imports); this module keeps the catalogue's tokeniser."""

import re

from motcua.core.inputs import fold, nfc

__all__ = ["fold", "nfc", "tokens"]

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))
