"""Reads for the hotline log, scoped to the units the user serves (Call.objects.visible_to)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.accounts.models import OFFICER_ROLES
from motcua.accounts.selectors import communes_served
from motcua.core.errors import NotFound
from motcua.places.models import AdministrativeUnit

from .models import DAY_STARTS, NIGHT_STARTS, Call, DutyShift, Outcome, Shift, Topic
from .services import can_keep_roster, can_take_calls


def hotline_units(*, user) -> list[AdministrativeUnit]:
    """The communes whose hotline the user may answer: each commune-level unit they serve as an officer
    (granted there, or below a higher grant), by name. One query at most."""
    return communes_served(user=user, roles=OFFICER_ROLES)


def hotline_unit_get(*, user, code: str, roster: bool = False) -> AdministrativeUnit:
    """A unit by code that the user may answer calls for (or keep the roster of); NotFound otherwise."""
    unit = AdministrativeUnit.objects.filter(code=str(code or "").strip(), valid_to__isnull=True).first()
    check = can_keep_roster if roster else can_take_calls
    if unit is None or not check(user=user, unit=unit):
        raise NotFound("Không tìm thấy địa bàn này")
    return unit


def calls_for(*, user, unit: AdministrativeUnit | None = None, topic: str = "", pending: bool = False):
    """The calls the user may see (their units and below), newest first; ``topic`` one of Topic;
    ``pending``: only calls whose follow-up is not done yet."""
    qs = Call.objects.visible_to(user).select_related("unit", "procedure", "officer", "dossier", "follow_up_done_by")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if topic:
        qs = qs.filter(topic=topic)
    if pending:
        qs = qs.filter(outcome=Outcome.FOLLOW_UP, follow_up_done_at__isnull=True)
    return qs.order_by("-received_at", "-pk")


def pending_follow_ups(*, user, unit: AdministrativeUnit) -> int:
    """How many calls of the unit (and below) still wait for their follow-up."""
    return calls_for(user=user, unit=unit, pending=True).count()


def call_get(*, user, call_id: int) -> Call:
    call = calls_for(user=user).filter(pk=call_id).first()
    if call is None:
        raise NotFound("Không tìm thấy cuộc gọi")
    return call


def _local_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


def calls_per_day(*, user, start: dt.date, end: dt.date, unit: AdministrativeUnit | None = None) -> list[dict]:
    """[{"date", "count"}] for every local day from start to end (days without calls count 0)."""
    lo, hi = _local_range(start, end)
    rows = (
        calls_for(user=user, unit=unit)
        .filter(received_at__gte=lo, received_at__lt=hi)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {r["day"]: r["n"] for r in rows}
    days = (end - start).days + 1
    return [
        {"date": start + dt.timedelta(days=i), "count": counts.get(start + dt.timedelta(days=i), 0)}
        for i in range(days)
    ]


def calls_per_topic(*, user, start: dt.date, end: dt.date, unit: AdministrativeUnit | None = None) -> list[dict]:
    """[{"topic", "label", "count"}] for every topic, most calls first."""
    lo, hi = _local_range(start, end)
    rows = (
        calls_for(user=user, unit=unit)
        .filter(received_at__gte=lo, received_at__lt=hi)
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {r["topic"]: r["n"] for r in rows}
    items = [{"topic": t.value, "label": t.label, "count": counts.get(t.value, 0)} for t in Topic]
    return sorted(items, key=lambda i: -i["count"])


def roster_for(*, unit: AdministrativeUnit, start: dt.date, days: int = 7) -> list[dict]:
    """[{"date", "day": DutyShift | None, "night": DutyShift | None}] for `days` days from `start`."""
    end = start + dt.timedelta(days=days - 1)
    rows = DutyShift.objects.filter(unit=unit, date__gte=start, date__lte=end).select_related("officer")
    by_key = {(r.date, r.shift): r for r in rows}
    return [
        {
            "date": start + dt.timedelta(days=i),
            "day": by_key.get((start + dt.timedelta(days=i), Shift.DAY)),
            "night": by_key.get((start + dt.timedelta(days=i), Shift.NIGHT)),
        }
        for i in range(days)
    ]


def shift_at(moment: dt.datetime) -> tuple[dt.date, str]:
    """The (date, shift) a moment belongs to: 07:00–19:00 local is that day's day shift; 19:00–07:00 is
    the night shift of the day it started on."""
    local = timezone.localtime(moment)
    t = local.time()
    if DAY_STARTS <= t < NIGHT_STARTS:
        return local.date(), Shift.DAY
    if t >= NIGHT_STARTS:
        return local.date(), Shift.NIGHT
    return local.date() - dt.timedelta(days=1), Shift.NIGHT


def on_duty(*, unit: AdministrativeUnit, moment: dt.datetime | None = None) -> DutyShift | None:
    """Who answers the unit's hotline at `moment` (now by default), or None when nobody is rostered."""
    date, shift = shift_at(moment or timezone.now())
    return DutyShift.objects.filter(unit=unit, date=date, shift=shift).select_related("officer").first()


def unit_officers(*, unit: AdministrativeUnit):
    """Officers who may be put on the unit's roster (any officer role on it or above), by name."""
    from motcua.accounts.models import User
    from motcua.accounts.selectors import users_with_role_on

    ids = set()
    for role in OFFICER_ROLES:
        ids |= set(users_with_role_on(role=role, unit=unit).values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).order_by("full_name", "username")


def hotline_numbers(*, unit: AdministrativeUnit) -> list[str]:
    """The published hotline numbers of the unit's offices."""
    from motcua.places.models import Office

    return sorted({o.hotline for o in Office.objects.filter(unit=unit, is_active=True).exclude(hotline="")})
