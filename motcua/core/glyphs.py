"""What is signed is what was entered: text that ends up in a PDF must be drawable by the PDF font.

Be Vietnam Pro (regular and bold, the fonts of every form, result and signature stamp) covers Latin with all
Vietnamese letters and the usual punctuation, but not emoji ("💍"), CJK ("𠀋") and many other symbols; reportlab
and pyHanko would silently drop such characters or draw an empty box. One function decides coverage from the
fonts' own character maps (fontTools); it is called

* when text is entered — e-form fields, notes and reasons that go on forms 02–04, applicants' and citizens'
  names (`check_printable`, a Django ValidationError naming the character), and
* in the PDF layer before anything is drawn or signed (`ensure_printable`, an `UnprintableText` error): a
  document that would lose a character is never produced, whatever path the text took.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed

FONT_FILES = ("BeVietnamPro-Regular.ttf", "BeVietnamPro-Bold.ttf")
# Layout characters: the PDF text helpers break lines on these instead of drawing them.
_LAYOUT = frozenset("\n\r\t ")


class UnprintableText(ValidationFailed):
    code = "unprintable"


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Code points every PDF font can draw (the intersection over regular and bold)."""
    import fontpkg_be_vietnam_pro
    from fontTools.ttLib import TTFont

    base = Path(fontpkg_be_vietnam_pro.__file__).parent / "files"
    sets = []
    for name in FONT_FILES:
        font = TTFont(str(base / name), lazy=True)
        try:
            sets.append(set(font.getBestCmap()))
        finally:
            font.close()
    return frozenset(set.intersection(*sets))


def unprintable_characters(text: str | None) -> list[str]:
    """The distinct characters of the (NFC) text the PDF fonts cannot draw, in order of appearance."""
    covered = covered_codepoints()
    missing: list[str] = []
    for ch in unicodedata.normalize("NFC", text or ""):
        if ch in _LAYOUT or ord(ch) in covered or ch in missing:
            continue
        missing.append(ch)
    return missing


def describe(ch: str) -> str:
    """The character as a person can recognise it: itself when visible, else its code (U+200D)."""
    if unicodedata.category(ch)[0] in ("C", "Z", "M"):
        return f"U+{ord(ch):04X}"
    return ch


def unprintable_message(ch: str, label=None) -> str:
    message = _("Ký tự “%(c)s” không in được trên giấy tờ; hãy xoá hoặc thay bằng chữ") % {"c": describe(ch)}
    return f"{label}: {message}" if label else message


def check_printable(text: str | None, *, label=None) -> str:
    """For fields and forms: the text unchanged, or a ValidationError naming the first character that
    cannot be printed."""
    missing = unprintable_characters(text)
    if missing:
        raise ValidationError(unprintable_message(missing[0], label), code="unprintable")
    return text or ""


def printable_errors(values: dict, *, labels: dict | None = None) -> dict[str, list[str]]:
    """Errors by field for every string value (nested lists and dicts are walked) of a form's data."""
    errors: dict[str, list[str]] = {}
    labels = labels or {}

    def walk(name: str, value) -> None:
        if isinstance(value, str):
            missing = unprintable_characters(value)
            if missing and name not in errors:
                errors[name] = [unprintable_message(missing[0], labels.get(name))]
        elif isinstance(value, dict):
            for item in value.values():
                walk(name, item)
        elif isinstance(value, list):
            for item in value:
                walk(name, item)

    for key, value in (values or {}).items():
        walk(str(key), value)
    return errors


def ensure_printable(text: str | None) -> str:
    """The guard of the PDF layer: never draw (and so never sign) text that would lose characters."""
    missing = unprintable_characters(text)
    if missing:
        shown = ", ".join(f"“{describe(ch)}”" for ch in missing[:5])
        raise UnprintableText(
            _(
                "Không thể lập giấy tờ: ký tự %(c)s không in được bằng phông chữ của giấy tờ và sẽ bị mất. "
                "Hãy sửa nội dung đã nhập (xoá hoặc thay bằng chữ) rồi thử lại."
            )
            % {"c": shown},
        )
    return text or ""
