"""Leaders' numbers (issue 18): the summary and the 766 index of a unit in the caller's scope. Officers
see the units they serve and every unit below; anyone else (anonymous, citizens, officers elsewhere) gets
the same 404 as for a unit that does not exist. Dates are local days, YYYY-MM-DD, both included."""

from django.utils.translation import gettext as _
from ninja import Query, Router

from motcua.api.auth import caller_or_none
from motcua.core.errors import NotFound
from motcua.stats import selectors
from motcua.stats.periods import API_MAX_DAYS, period_parse

router = Router(tags=["stats"])


def _query(request, unit: str | None, date_from: str | None, date_to: str | None):
    """(unit, from, to) checked: 422 for dates (the one period reader, stats.periods), then 404 for a unit
    outside the caller's scope."""
    start, end = period_parse(date_from, date_to, iso_only=True, max_days=API_MAX_DAYS)
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
