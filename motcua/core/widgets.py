"""Form fields shared by every app's pages (Django forms): the three-box date of the GOV.UK pattern."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.core.inputs import is_ascii_digits, strip_separators


class DateBoxesWidget(forms.MultiWidget):
    """Three boxes (ngày, tháng, năm) as the GOV.UK date pattern recommends for known dates."""

    template_name = "includes/date_boxes.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(
            [
                forms.TextInput({**box, "class": "date-day"}),
                forms.TextInput({**box, "class": "date-month"}),
                forms.TextInput({**box, "class": "date-year"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if not value:
            return [None, None, None]
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return [None, None, None]
        return [day.day, day.month, day.year]


class DateBoxesField(forms.MultiValueField):
    widget = DateBoxesWidget

    def __init__(self, *, title: str, **kwargs):
        self.title = title
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, values):
        if not values or not any(values):
            return ""
        try:
            parts = [strip_separators(v) for v in values]
            if not all(is_ascii_digits(p) and len(p) <= 4 for p in parts):
                raise ValueError("not ASCII digits")
            day, month, year = (int(p) for p in parts)
            return dt.date(year, month, day).isoformat()
        except (TypeError, ValueError):
            raise ValidationError(_("%(t)s phải là một ngày có thật, ví dụ 12 3 2026") % {"t": self.title}) from None
