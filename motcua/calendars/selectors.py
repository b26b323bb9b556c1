"""The calendar an office works by: national holidays, overrides for its units, its office hours."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from motcua.core.confcache import cached, lookup, store
from motcua.core.errors import ValidationFailed
from motcua.core.inputs import SERVICE_YEARS
from motcua.places.models import AdministrativeUnit, Office, OfficeHours

from .engine import (
    DEFAULT_HOURS,
    VN_TZ,
    CalendarError,
    DeadlineRule,
    Override,
    WorkingCalendar,
    national_year,
    received_moment,
)
from .models import CalendarOverride, OverrideKind

# What a calendar is built from (core.confcache): offices, units and office hours; calendar overrides.
CALENDAR_NAMESPACES = ("places", "calendars")


def office_hours(office: Office | None) -> dict[int, tuple[tuple[dt.time, dt.time], ...]]:
    if office is None:
        return DEFAULT_HOURS
    rows = list(office.hours.order_by("weekday", "opens"))
    if not rows:
        return DEFAULT_HOURS
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in rows:
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return {k: tuple(v) for k, v in hours.items()}


def overrides_for(unit: AdministrativeUnit | None) -> dict[dt.date, Override]:
    """National overrides, then those of each unit from the top down to `unit`: the most specific wins."""
    chain = [] if unit is None else [*reversed(unit.ancestors()), unit]
    condition = Q(unit__isnull=True)
    if chain:
        condition |= Q(unit__in=chain)
    depth = {u.pk: i + 1 for i, u in enumerate(chain)}
    rows = sorted(CalendarOverride.objects.filter(condition), key=lambda r: depth.get(r.unit_id, 0))
    result: dict[dt.date, Override] = {}
    for row in rows:
        result[row.date] = Override(working=row.kind == OverrideKind.WORKING_DAY, name=row.name)
    return result


def calendar_for_office(office: Office | None = None) -> WorkingCalendar:
    """The office's calendar (its hours, the overrides of its unit and the units above, the national days);
    the standard hours and the national overrides for None. Inside a `core.confcache.snapshot` (a
    submission) from the process's cache while offices, units, hours and overrides are unchanged: the office
    must be as stored (its unit with the units above it), and the calendar is shared, read it only."""

    def build() -> WorkingCalendar:
        unit = office.unit if office is not None else None
        return WorkingCalendar(hours=office_hours(office), overrides=overrides_for(unit), national=national_year)

    return cached(("calendar_for_office", office.pk if office is not None else None), CALENDAR_NAMESPACES, build)


def calendars_for_offices(office_ids: Iterable[int]) -> dict[int, WorkingCalendar]:
    """The calendars of several offices in four queries however many offices (offices with their units,
    their hours, the units above them, the overrides of all those units): a worklist page of a province
    builds each office's calendar once instead of once per row. Same result as `calendar_for_office`."""
    book = CalendarBook()
    book.prime(office_ids)
    return {pk: book.for_office(pk) for pk in office_ids if pk is not None and pk in book._by_office}


_PARENT = AdministrativeUnit._meta.get_field("parent")


class CalendarBook:
    """Office and unit calendars built once and reused for a request (a worklist page, a dossier page):
    rows of the same office share one calendar, and `prime` builds those of a whole page in at most four
    queries (offices with their units, their hours, the units above them, the overrides of those units).
    The units above and the overrides already read for another calendar of the book are not read again:
    an intake officer's worklist reads its commune's overrides once for the "due soon" limit (`for_unit`)
    and for the rows' remaining time (`for_office`). Same calendars as `calendar_for_office` and
    `calendar_for_unit`."""

    def __init__(self) -> None:
        self._by_office: dict[int | None, WorkingCalendar] = {}
        self._by_unit: dict[int | None, WorkingCalendar] = {}
        self._units: dict[int, AdministrativeUnit] = {}  # units above those asked for, by id
        self._paths: set[str] = set()  # the path prefixes already read into _units
        self._rows: dict[int | None, list[CalendarOverride]] = {}  # overrides by unit id (None: national)
        self._read: set[int | None] = set()  # unit ids (and None) whose overrides were read
        self._subtrees: list[str] = []  # paths whose units' overrides were all read
        self._row_ids: set[int] = set()

    def _parent(self, node: AdministrativeUnit) -> AdministrativeUnit | None:
        """The parent already at hand: read by the book, or loaded with the unit (select_related)."""
        known = self._units.get(node.parent_id)
        if known is None and _PARENT.is_cached(node):
            known = self._units[node.parent_id] = node.parent
        return known

    def _chain(self, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        """The unit and the units above it, top down. The parent links decide, not the paths: a closed unit
        may share a path with its successor."""
        chain, node = [unit], unit
        while node.parent_id is not None:
            node = self._parent(node) or node.parent  # the fallback reads the parent (never expected)
            chain.append(node)
        return list(reversed(chain))

    def _read_units_above(self, units: Iterable[AdministrativeUnit]) -> None:
        """Read the units above these (one query by path prefix), unless their parents are all at hand."""
        units = list(units)
        if all(self._has_chain(u) for u in units):
            return
        prefixes = set()
        for unit in units:
            parts = unit.path.strip("/").split("/")
            prefixes |= {"/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))}
        missing = prefixes - self._paths
        if missing:
            self._units.update({u.pk: u for u in AdministrativeUnit.objects.filter(path__in=missing)})
            self._paths |= missing

    def _has_chain(self, unit: AdministrativeUnit) -> bool:
        node = unit
        while node is not None and node.parent_id is not None:
            node = self._parent(node)
        return node is not None

    def _read_overrides(self, units: Iterable[AdministrativeUnit], *, below: AdministrativeUnit | None = None) -> None:
        """Read the overrides of `units` (and the national ones) not read yet; with `below`, also those of
        every unit under it, so that the calendars of its offices need no further read."""
        missing = {
            u.pk for u in units if u.pk not in self._read and not any(u.path.startswith(p) for p in self._subtrees)
        }
        national = None not in self._read
        if not missing and not national and below is None:
            return
        condition = Q(unit_id__in=missing)
        if national:
            condition |= Q(unit__isnull=True)
        if below is not None:
            condition |= Q(unit__path__startswith=below.path)
        for row in CalendarOverride.objects.filter(condition):
            if row.pk not in self._row_ids:  # nested subtrees may return a row twice
                self._row_ids.add(row.pk)
                self._rows.setdefault(row.unit_id, []).append(row)
        if below is not None:
            self._subtrees.append(below.path)
        self._read |= missing | {None}

    def _overrides(self, chain: list[AdministrativeUnit]) -> dict[dt.date, Override]:
        """National overrides, then those of each unit from the top down: the most specific wins."""
        result: dict[dt.date, Override] = {}
        for key in [None, *(u.pk for u in chain)]:
            for row in self._rows.get(key, ()):
                result[row.date] = Override(working=row.kind == OverrideKind.WORKING_DAY, name=row.name)
        return result

    def prime(self, office_ids: Iterable[int], *, offices: Iterable[Office] = ()) -> None:
        """Build the calendars of these offices (those not built yet). `offices` may bring some of them
        already loaded with their unit (a worklist's rows select them): they are not read again."""
        ids = {pk for pk in office_ids if pk is not None and pk not in self._by_office}
        # Inside a `core.confcache.snapshot` (a worklist page) the process keeps each office's calendar
        # while offices, units, hours and overrides are unchanged: the same value as `calendar_for_office`.
        for pk in list(ids):
            hit = lookup(("calendar_for_office", pk), CALENDAR_NAMESPACES)
            if hit is not None:
                self._by_office[pk] = hit
                ids.discard(pk)
        if not ids:
            return
        given = {office.pk: office for office in offices if office.pk in ids}
        offices = list(given.values())
        if ids - given.keys():
            offices += list(Office.objects.select_related("unit").filter(pk__in=ids - given.keys()))
        hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {}
        for row in OfficeHours.objects.filter(office_id__in=ids).order_by("weekday", "opens"):
            hours.setdefault(row.office_id, {}).setdefault(row.weekday, []).append((row.opens, row.closes))
        self._read_units_above(office.unit for office in offices)
        chains = {office.pk: self._chain(office.unit) for office in offices}
        self._read_overrides(u for chain in chains.values() for u in chain)
        for office in offices:
            own = hours.get(office.pk)
            self._by_office[office.pk] = WorkingCalendar(
                hours={k: tuple(v) for k, v in own.items()} if own else DEFAULT_HOURS,
                overrides=self._overrides(chains[office.pk]),
                national=national_year,
            )
            store(("calendar_for_office", office.pk), CALENDAR_NAMESPACES, self._by_office[office.pk])

    def for_office(self, office_id: int | None) -> WorkingCalendar:
        if office_id not in self._by_office:
            if office_id is None:
                self._by_office[None] = calendar_for_office(None)
            else:
                self.prime([office_id])
        return self._by_office[office_id]

    def for_unit(self, unit: AdministrativeUnit | None) -> WorkingCalendar:
        """The calendar of a unit (standard office hours): `calendar_for_unit`, kept for the request. The
        overrides of the units under it are read in the same query (an officer's worklist then builds its
        offices' calendars without reading them again)."""
        key = unit.pk if unit is not None else None
        if key not in self._by_unit:
            hit = lookup(("calendar_for_unit", key), CALENDAR_NAMESPACES)
            if hit is not None:
                self._by_unit[key] = hit
                return hit
            chain = []
            if unit is not None:
                self._read_units_above([unit])
                chain = self._chain(unit)
                # Its offices' units are it or below it: their chains end with the units read here.
                self._units.update({u.pk: u for u in chain})
                self._paths.add(unit.path)
            self._read_overrides(chain, below=unit)
            self._by_unit[key] = WorkingCalendar(overrides=self._overrides(chain), national=national_year)
            store(("calendar_for_unit", key), CALENDAR_NAMESPACES, self._by_unit[key])
        return self._by_unit[key]


def calendar_for_unit(unit: AdministrativeUnit | None) -> WorkingCalendar:
    return WorkingCalendar(overrides=overrides_for(unit), national=national_year)


def overrides_recent(*, units, today: dt.date):
    """The units' own calendar changes of the last year and ahead, newest first (the administrators' page)."""
    return (
        CalendarOverride.objects.filter(unit__in=units, date__gte=today - dt.timedelta(days=365))
        .select_related("unit")
        .order_by("-date")
    )


def overrides_national(*, today: dt.date):
    """The national changes (holidays moved, days swapped) from last year on, newest first."""
    return CalendarOverride.objects.filter(unit__isnull=True, date__year__gte=today.year - 1).order_by("-date")


def office_by_code(code: str) -> Office | None:
    return Office.objects.select_related("unit").filter(code=code, is_active=True).first()


def year_days(cal: WorkingCalendar, year: int) -> dict[str, list[dict]]:
    """Days off (holidays on working days and weekends alike) and make-up working days of a year."""
    days_off, make_up = [], []
    facts = cal.national(year)
    candidates = set(facts.days_off) | set(facts.make_up_days)
    candidates |= {d for d in cal.overrides if d.year == year}
    for day in sorted(candidates):
        working, name = cal.day_status(day)
        entry = {"date": day, "name": name, "weekday": day.weekday()}
        if working and day.weekday() not in cal.hours:
            make_up.append(entry)
        elif not working and name:
            days_off.append(entry)
    return {"days_off": days_off, "make_up_days": make_up}


# --- one door for "when is this due?" (the CLI, the API and the dossier engine) ------------------------
# Documented bounds (docs/calendar.md): the longest processing time in the catalogue is far below them.
RECEIVED_YEARS = SERVICE_YEARS
MAX_WORKING_DAYS = 365
MAX_WORKING_HOURS = 365 * 8
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


def parse_moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    """ISO 8601 (with or without offset) or dd/mm/yyyy HH:MM; a moment without offset is local time."""
    raw = (text or "").strip().replace("Z", "+00:00")
    if not raw:
        message = "Thiếu thời điểm tiếp nhận: nhập dạng 2026-02-13T16:00"
        raise ValidationFailed(message, code="invalid_date", fields={"received": [message]})
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
        for fmt in _FORMATS:
            try:
                moment = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        message = (
            f"Không đọc được thời điểm tiếp nhận {text!r} (ngày không có thật hoặc sai dạng): "
            "nhập dạng 2026-02-13T16:00 hoặc 13/02/2026 16:00"
        )
        raise ValidationFailed(message, code="invalid_date", fields={"received": [message]})
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(tz)
    except OverflowError:  # 9999-12-31T23:59Z is past the last representable local moment
        raise ValidationFailed(
            f"Thời điểm tiếp nhận phải trong các năm {RECEIVED_YEARS[0]}–{RECEIVED_YEARS[1]}",
            code="out_of_range",
            fields={"received": ["Ngoài khoảng cho phép"]},
        ) from None


def deadline_query(
    *,
    received: str,
    working_days: int | None = None,
    working_hours: float | None = None,
    same_day: bool = False,
    office_code: str | None = None,
) -> dict:
    """Parse, validate and compute a due moment; raises ValidationFailed with Vietnamese text."""
    received_at = parse_moment(received, VN_TZ)
    if not RECEIVED_YEARS[0] <= received_at.year <= RECEIVED_YEARS[1]:
        message = f"Thời điểm tiếp nhận phải trong các năm {RECEIVED_YEARS[0]}–{RECEIVED_YEARS[1]}"
        raise ValidationFailed(message, code="out_of_range", fields={"received": [message]})
    chosen = [x for x in (working_days is not None, working_hours is not None, same_day) if x]
    if len(chosen) != 1:
        raise ValidationFailed(
            "Chọn đúng một cách tính: số ngày làm việc (working_days), số giờ làm việc (working_hours) "
            "hoặc trong ngày (same_day)",
            fields={"working_days": ["Chọn đúng một cách tính thời hạn"]},
        )
    office = None
    if office_code:
        office = office_by_code(office_code)
        if office is None:
            raise ValidationFailed(
                f"Không có cơ quan mã {office_code!r}; xem danh sách cơ quan ở trang Liên hệ",
                code="unknown_office",
                fields={"office": ["Mã cơ quan không tồn tại"]},
            )
    if working_days is not None:
        rule, field = DeadlineRule(DeadlineRule.WORKING_DAYS, working_days), "working_days"
    elif working_hours is not None:
        rule, field = DeadlineRule(DeadlineRule.WORKING_HOURS, working_hours), "working_hours"
    else:
        rule, field = DeadlineRule(DeadlineRule.SAME_DAY), "same_day"
    if field != "same_day" and rule.amount <= 0:
        raise ValidationFailed(
            "Thời hạn phải lớn hơn 0, ví dụ working_days=3", code="invalid_amount", fields={field: ["Phải lớn hơn 0"]}
        )
    # Checked before any work: a million working days used to cost seconds of CPU without a login.
    limit = MAX_WORKING_DAYS if field == "working_days" else MAX_WORKING_HOURS
    if field != "same_day" and not rule.amount <= limit:
        message = f"Thời hạn tối đa là {limit} " + ("ngày làm việc" if field == "working_days" else "giờ làm việc")
        raise ValidationFailed(message, code="out_of_range", fields={field: [message]})
    cal = calendar_for_office(office)
    try:
        due_at = rule.due(cal, received_at)
    except CalendarError as exc:
        raise ValidationFailed(str(exc), fields={field: [str(exc)]}) from exc
    return {"received_at": received_at, "counted_from": received_moment(cal, received_at), "due_at": due_at}
