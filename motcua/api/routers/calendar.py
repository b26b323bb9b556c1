import datetime as dt
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import Field

from motcua.calendars.selectors import calendar_for_office, deadline_query, office_by_code, year_days
from motcua.core.errors import ValidationFailed
from motcua.core.inputs import SERVICE_YEARS

router = Router(tags=["calendar"])


class DueQuery(Schema):
    received: str
    working_days: int | None = None
    working_hours: Annotated[float, Field(allow_inf_nan=False)] | None = None
    same_day: bool = False
    office: str | None = None


class DueOut(Schema):
    received_at: dt.datetime
    counted_from: dt.datetime
    due_at: dt.datetime


class DayOut(Schema):
    date: dt.date
    name: str
    weekday: int


class YearOut(Schema):
    year: int
    office: str | None
    days_off: list[DayOut]
    make_up_days: list[DayOut]


@router.get("/due", response=DueOut, summary="Tính thời điểm hẹn trả kết quả")
def due(request, q: Query[DueQuery]):
    return deadline_query(
        received=q.received,
        working_days=q.working_days,
        working_hours=q.working_hours,
        same_day=q.same_day,
        office_code=q.office,
    )


@router.get("/{year}", response=YearOut, summary="Ngày nghỉ và ngày làm bù trong năm")
def year(request, year: int, office: str | None = None):
    if not SERVICE_YEARS[0] <= year <= SERVICE_YEARS[1]:
        message = f"Năm phải từ {SERVICE_YEARS[0]} đến {SERVICE_YEARS[1]}"
        raise ValidationFailed(message, fields={"year": [message]})
    office_obj = None
    if office:
        office_obj = office_by_code(office)
        if office_obj is None:
            raise ValidationFailed(f"Không có cơ quan mã {office!r}", code="unknown_office")
    return {"year": year, "office": office, **year_days(calendar_for_office(office_obj), year)}
