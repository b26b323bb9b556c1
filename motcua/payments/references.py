"""Payment references: the short ASCII text a payer puts in the transfer note (VietQR field 62/08).

`MC` + the dossier code with its punctuation removed + one character per intent of that dossier
(1–9, then A–Z): "H15.02839-261130-0001" → "MCH15028392611300001" + "1". At most 25 characters, letters
and digits only, so it survives banks that drop punctuation, fold case or cut the note after 25
characters; the reference is at the start of the note, so a cut keeps it whole.
"""

import re

PREFIX = "MC"
MAX_LENGTH = 25
SUFFIXES = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())


def reference_for(dossier_code: str, seq: int) -> str:
    """The reference of the `seq`-th intent (1-based) of a dossier. Raises ValueError past 35 intents."""
    if not 1 <= seq <= len(SUFFIXES):
        raise ValueError("a dossier has at most 35 payment intents")
    body = compact(dossier_code)[-(MAX_LENGTH - len(PREFIX) - 1) :]
    return f"{PREFIX}{body}{SUFFIXES[seq - 1]}"


def candidates_in_note(note: str) -> list[str]:
    """Every string in a transfer note that could be a reference: the note is folded like a reference
    (upper case, punctuation dropped) and each run starting with "MC" is tried at every length."""
    text = compact(note)
    found = []
    for match in re.finditer(PREFIX, text):
        start = match.start()
        for end in range(start + 6, min(len(text), start + MAX_LENGTH) + 1):
            found.append(text[start:end])
    return found
