from django import template
from django.utils.translation import gettext

from motcua.catalog.fees import format_vnd

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
