"""The one reader of a period (from, to) for the leaders' numbers: the dashboards, the public page, the
exports and the stats API all ask it, so a bad or reversed period gets the same answer everywhere (a 422 in
the API, a form error on the pages)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed
from motcua.core.inputs import check_service_year, parse_date

# Pages and exports: three years at most (a long export is a job); the API: five.
PAGE_MAX_DAYS = 3 * 366 + 1
API_MAX_DAYS = 5 * 366 - 1


def _iso_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def period_parse(
    raw_from,
    raw_to,
    *,
    fields: tuple[str, str] = ("from", "to"),
    iso_only: bool = False,
    defaults: bool = False,
    max_days: int = PAGE_MAX_DAYS,
    today: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """(from, to) local days, both included. Accepts dd/mm/yyyy or yyyy-mm-dd (``iso_only``: yyyy-mm-dd, the
    API's form). ``defaults``: a missing start is the first day of the year, a missing end today; otherwise a
    missing day is an error. Raises ValidationFailed (422) with the fields named by ``fields``:
    ``invalid_date`` (not a real day, or missing), ``invalid_range`` (the start after the end),
    ``range_too_long`` (more than ``max_days`` days apart)."""
    today = today or timezone.localdate()
    name_from, name_to = fields
    # Any year is read here; check_service_year below says the bound (1995–2100) in its message.
    read = _iso_day if iso_only else (lambda text: parse_date(text, any_year=True))
    days = []
    for raw, name, default in ((raw_from, name_from, today.replace(month=1, day=1)), (raw_to, name_to, today)):
        text = str(raw or "").strip()
        day = default if (not text and defaults) else (read(text) if text else None)
        if day is None:
            message = (
                _("Ngày phải có thật và viết dạng YYYY-MM-DD, ví dụ 2026-11-30")
                if iso_only
                else _("Nhập ngày có thật dạng ngày/tháng/năm, ví dụ 01/01/2026")
            )
            raise ValidationFailed(message, code="invalid_date", fields={name: [message]})
        try:
            check_service_year(day)
        except ValidationError as exc:  # 0001 or 9999 would overflow the day arithmetic further on
            raise ValidationFailed(exc.messages[0], code="invalid_date", fields={name: exc.messages}) from None
        days.append(day)
    date_from, date_to = days
    if date_from > date_to:
        message = _(
            "Ngày bắt đầu (%(a)s) đang sau ngày kết thúc (%(b)s): hãy đổi lại để ngày bắt đầu trước hoặc bằng "
            "ngày kết thúc"
        ) % {"a": f"{date_from:%d/%m/%Y}", "b": f"{date_to:%d/%m/%Y}"}
        raise ValidationFailed(message, code="invalid_range", fields={name_from: [message], name_to: [message]})
    if (date_to - date_from).days > max_days:
        message = _("Mỗi lần xem tối đa %(n)s năm số liệu; hãy chọn khoảng ngày ngắn hơn") % {
            "n": (max_days + 1) // 366
        }
        raise ValidationFailed(message, code="range_too_long", fields={name_to: [message]})
    return date_from, date_to
