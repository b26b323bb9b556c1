"""Reads behind the leaders' pages (issue 18, point 3). The numbers come from `motcua.stats.selectors` (the
contract in STATS_API: summary, index_766, units_ranked, by_procedure, monthly, dossiers_behind,
units_in_scope); what is here is the scope check, the period, and the few reads the stats app does not
make (today's work by officer, the ratings' comments, the periodic report's grouping by field)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound
from motcua.places.models import COMMUNE_LEVEL, PROVINCE_LEVEL, AdministrativeUnit
from motcua.stats import selectors as stats_selectors
from motcua.stats.periods import period_parse

MAX_PERIOD_DAYS = 3 * 366 + 1


def stats():
    """The stats app's selectors (the STATS_API contract): every number on the pages comes from them."""
    return stats_selectors


# --- scope ------------------------------------------------------------------------------------------------------
def units_in_scope(user):
    return stats().units_in_scope(user)


def unit_for(*, user, code: str) -> AdministrativeUnit:
    """A unit the officer may see numbers of; NotFound (the same 404) for one outside their scope or unknown."""
    unit = units_in_scope(user).filter(code=str(code or "")[:32]).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị này"))
    return unit


def home_unit(*, user) -> AdministrativeUnit:
    """Where the officer's numbers start: the highest unit of their scope (a province admin: the province)."""
    unit = units_in_scope(user).order_by("depth", "name").first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị này"))
    return unit


def is_parent_view(unit: AdministrativeUnit) -> bool:
    """A province (or any unit above communes) is shown as a ranking of its children."""
    return unit.unit_type in PROVINCE_LEVEL or (unit.unit_type not in COMMUNE_LEVEL and unit.depth <= 1)


def public_provinces() -> list[AdministrativeUnit]:
    """Provinces shown on the public page: those where the platform has an office (the units it serves),
    the main office's province first."""
    from motcua.places.models import Office
    from motcua.places.selectors import main_office

    paths = {
        f"/{path.split('/')[1]}/" for path in Office.objects.filter(is_active=True).values_list("unit__path", flat=True)
    }
    provinces = list(
        AdministrativeUnit.objects.current().filter(path__in=paths, unit_type__in=PROVINCE_LEVEL).order_by("name")
    )
    main = main_office()
    first = f"/{main.unit.path.split('/')[1]}/" if main else ""
    return sorted(provinces, key=lambda p: p.path != first)


def public_unit(*, code: str) -> AdministrativeUnit:
    unit = next((p for p in public_provinces() if p.code == str(code or "")[:32]), None)
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị này"))
    return unit


# --- period -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def query(self) -> str:
        return f"tu={self.date_from:%d/%m/%Y}&den={self.date_to:%d/%m/%Y}"


def period_from(params, *, today: dt.date | None = None) -> Period:
    """``tu``/``den`` (dd/mm/yyyy or yyyy-mm-dd); by default from the first day of the year to today. Raises
    ValidationFailed for an unreadable date, an end before the start, or more than three years (the one
    period reader, motcua.stats.periods, shared with the API)."""
    date_from, date_to = period_parse(
        params.get("tu"), params.get("den"), fields=("tu", "den"), defaults=True, today=today
    )
    return Period(date_from, date_to)


# --- the commune leader's view -----------------------------------------------------------------------------------
def officers_load(*, unit: AdministrativeUnit, now: dt.datetime | None = None) -> list[dict]:
    """Open dossiers of the unit (and below) by assigned officer: {"officer" (name, "" = not assigned yet),
    "open", "overdue", "due_soon" (by the end of the next working day, unit calendar), "paused"}; one
    aggregate query. Most overdue first."""
    from motcua.calendars.selectors import calendar_for_unit
    from motcua.dossiers.models import DRAFT, Dossier

    now = now or timezone.now()
    cal = calendar_for_unit(unit)
    soon = cal.day_end(cal.next_working_day(timezone.localtime(now).date()))
    running = Q(paused_at__isnull=True)
    rows = (
        Dossier.objects.filter(unit__path__startswith=unit.path, is_open=True)
        .exclude(status=DRAFT)
        .values("assigned_to_id", "assigned_to__full_name", "assigned_to__username")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=running & Q(due_at__lte=now)),
            due_soon=Count("pk", filter=running & Q(due_at__gt=now, due_at__lte=soon)),
            paused=Count("pk", filter=Q(paused_at__isnull=False)),
        )
        .order_by()
    )
    out = [
        {
            "officer": r["assigned_to__full_name"] or r["assigned_to__username"] or "",
            "open": r["open"],
            "overdue": r["overdue"],
            "due_soon": r["due_soon"],
            "paused": r["paused"],
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["overdue"], -r["due_soon"], r["officer"] == "", r["officer"]))
    return out


def ratings_recent(*, unit: AdministrativeUnit, period: Period, limit: int = 50) -> list[dict]:
    """The latest ratings of the unit's dossiers in the period with their comments — no names, no codes:
    {"score", "comment", "procedure", "at"}."""
    from motcua.dossiers.models import Rating

    start = timezone.make_aware(dt.datetime.combine(period.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.date_to + dt.timedelta(days=1), dt.time.min))
    rows = (
        Rating.objects.filter(dossier__unit__path__startswith=unit.path, created_at__gte=start, created_at__lt=end)
        .order_by("-created_at")
        .values("score", "comment", "created_at", "dossier__procedure__name", "dossier__procedure__citizen_name")[
            :limit
        ]
    )
    return [
        {
            "score": r["score"],
            "comment": r["comment"],
            "procedure": r["dossier__procedure__citizen_name"] or r["dossier__procedure__name"],
            "at": r["created_at"],
        }
        for r in rows
    ]


def score_counts(ratings: list[dict]) -> list[tuple[int, int]]:
    counts = defaultdict(int)
    for r in ratings:
        counts[r["score"]] += 1
    return [(score, counts[score]) for score in range(5, 0, -1)]


# --- the periodic report: receipts and results per unit and field -------------------------------------------------
# The summary's dossier counters, flattened as `flat_row` writes them ("received.online" → "received_online").
REPORT_COLUMNS = tuple(m.replace(".", "_") for m in stats_selectors.METRICS if not m.startswith("rating."))


def report_roots(*, user) -> list[AdministrativeUnit]:
    """The units an officer may make the periodic report of: provinces and communes in their scope."""
    return list(
        units_in_scope(user).filter(unit_type__in=PROVINCE_LEVEL | COMMUNE_LEVEL).order_by("depth", "name")[:500]
    )


def report_units(*, user, root: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units a report lists: the communes (or wards) at and below the root, within the user's scope."""
    scope = units_in_scope(user)
    units = list(scope.filter(path__startswith=root.path, unit_type__in=COMMUNE_LEVEL).order_by("name"))
    return units or [root]


def report_rows(*, units: list[AdministrativeUnit], period: Period, progress=None):
    """Rows (unit, field, counters…) for the periodic report, one stats.by_procedure call per unit, grouped by
    the procedure's field. ``progress(n)`` is told after each unit."""
    from motcua.catalog.models import Field

    fields = {f.pk: f.name for f in Field.objects.all()}
    for n, unit in enumerate(units, start=1):
        grouped: dict[str, dict[str, int]] = {}
        for row in stats().by_procedure(unit=unit, date_from=period.date_from, date_to=period.date_to):
            name = fields.get(row["procedure"].field_id, "")
            target = grouped.setdefault(name, dict.fromkeys(REPORT_COLUMNS, 0))
            for column in REPORT_COLUMNS:
                target[column] += int(row.get(column) or 0)
        if not grouped:  # every unit has its line, even without dossiers in the period
            grouped[_("(không có hồ sơ)")] = dict.fromkeys(REPORT_COLUMNS, 0)
        for name in sorted(grouped):
            yield unit, name, grouped[name]
        if progress is not None:
            progress(n)
