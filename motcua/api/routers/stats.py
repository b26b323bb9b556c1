"""Leaders' numbers (issue 18): the summary and the 766 index of a unit in the caller's scope. Officers
see the units they serve and every unit below; anyone else (anonymous, citizens, officers elsewhere) gets
the same 404 as for a unit that does not exist. Dates are local days, YYYY-MM-DD, both included."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router

from motcua.api.auth import caller_or_none
from motcua.core.errors import NotFound, ValidationFailed
from motcua.stats import selectors

router = Router(tags=["stats"])
# Longest period one request may cover (three years of data plus a margin).
MAX_DAYS = 5 * 366


def _day(value: str | None, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        message = _("Ngày phải có thật và viết dạng YYYY-MM-DD, ví dụ 2026-11-30")
        raise ValidationFailed(message, code="invalid_date", fields={name: [message]}) from None


def _query(request, unit: str | None, date_from: str | None, date_to: str | None):
    """(unit, from, to) checked: 422 for dates, then 404 for a unit outside the caller's scope."""
    start, end = _day(date_from, "from"), _day(date_to, "to")
    if start > end:
        message = _("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc")
        raise ValidationFailed(message, code="invalid_range", fields={"from": [message], "to": [message]})
    if (end - start).days >= MAX_DAYS:
        message = _("Mỗi lần xem tối đa 5 năm số liệu")
        raise ValidationFailed(message, code="range_too_long", fields={"to": [message]})
    user = caller_or_none(request)
    found = selectors.unit_in_scope(user, unit) if user is not None else None
    if found is None:
        raise NotFound(_("Không tìm thấy đơn vị này trong phạm vi của bạn"))
    return found, start, end


@router.get("/summary", auth=None, summary="Số liệu tổng hợp của một đơn vị trong một khoảng ngày")
def summary(request, unit: str = "", date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to")):
    found, start, end = _query(request, unit, date_from, date_to)
    return selectors.summary(units=[found], date_from=start, date_to=end)


@router.get("/766", auth=None, summary="Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)")
def index_766(request, unit: str = "", date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to")):
    found, start, end = _query(request, unit, date_from, date_to)
    return selectors.index_766(unit=found, date_from=start, date_to=end)
