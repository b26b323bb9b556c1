from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from motcua.core.money import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """1250000 → '1.250.000 ₫'; 0 → 'Miễn phí'."""
    try:
        value = int(amount or 0)
    except (TypeError, ValueError):
        return ""
    return format_vnd(value) if value else gettext("Miễn phí")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def answer(value) -> str:
    """An e-form answer as people read it: ISO dates (how answers are stored) shown dd/mm/yyyy, anything
    else unchanged. The one display rule for the check page, the officer's «Tờ khai» and receipts."""
    from motcua.core.inputs import display_answer

    return display_answer(value)


@register.filter
def optional_note(document) -> str:
    """' (nếu có)' after an optional document's name, unless the name already says so."""
    from motcua.core.inputs import fold

    if getattr(document, "required", True) or "neu co" in fold(getattr(document, "name", "")):
        return ""
    return " (" + gettext("nếu có") + ")"


@register.filter
def translate_text(text) -> str:
    """gettext of a text that comes from data (workflow labels and hints)."""
    return gettext(text) if text else ""


@register.filter
def grouped(number) -> str:
    """12345 → "12.345": a count with the interface's digit grouping, as the tab counts and the money show it
    (Django groups numbers in templates only with USE_THOUSAND_SEPARATOR, which would also group years and
    codes). Used as the text of a `{% blocktranslate count count=x with n=x|grouped %}`."""
    try:
        return number_format(int(number), force_grouping=True)
    except (TypeError, ValueError):
        return ""
