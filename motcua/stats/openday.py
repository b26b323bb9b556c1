"""Dossiers open at the end of a day, in time or late (Decision 766 indicator 2.1: "open dossiers use the period
end", DOMAIN.md §8), judged from the dossier's columns alone (docs/stats-766.md, docs/stats.md):

- E is the end of a local day D (Asia/Ho_Chi_Minh midnight after D), or a moment (now, for the live numbers);
- open at E  ⟺ submitted (status ≠ draft), submitted_at < E, and not finished before E
  (is_open, or finished_at ≥ E; is_open ⟺ finished_at IS NULL is the engine's invariant);
- late at E  ⟺ open at E, due_at < E, and not waiting for the citizen's supplement at E (paused_at < E: the
  clock is stopped; completing the supplement clears paused_at and restarts received_at/due_at);
- otherwise open in time.

One rule, three ways of evaluating it, checked against each other by `stats_verify`:
`open_q`/`late_q` (a GROUP BY at one moment: the live numbers, the daily job), `state_at` (pure Python: tests,
restatements) and `expected_rows` (every dossier expanded over the days it was open: `stats_rebuild`,
`stats_verify`; one `generate_series` statement on PostgreSQL, Python elsewhere).

Why the columns of today answer for a past E: a change after E that touches the rule's columns either happens
after E (submission, finish, pause: their moment is > E, so they do not change the answer at E), or moves the
due moment. An extension (`calendars.engine.extension_check`) is refused later than one working day before the
old due moment, so both the old and the new due are > E for every E already past. Two changes can move a due
across a past E, and they restate the snapshots of those days in their own transaction (`restate`): the
completion of a supplement requested after the old due had passed (the engine then judges the dossier by the
restarted due, so the late days before the request become in time), and a recalculation of due dates after a
calendar change (`dossiers.deadlines`, which may move a due either way)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.dossiers.models import DRAFT, Dossier

from .models import OpenDay, OpenDayTaken

# One key for PostgreSQL's advisory lock between the job (exclusive: it reads the dossiers and writes a day)
# and the restatements (shared): a restatement either waits for the day being taken, or commits before the
# job reads the dossiers. SQLite serialises writers anyway.
LOCK_KEY = 766_021


def day_end(day: dt.date) -> dt.datetime:
    """E of a local day: the Asia/Ho_Chi_Minh midnight after it (aware)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone())


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def open_q(end: dt.datetime, prefix: str = "") -> Q:
    """Open at `end` (each branch matches a partial index: dossier_unit_open_due for the open ones,
    dossier_unit_finished / dossier_prov_finished for those closed since)."""
    p = prefix
    return (
        ~Q(**{f"{p}status": DRAFT})
        & Q(**{f"{p}submitted_at__lt": end})
        & (Q(**{f"{p}is_open": True}) | Q(**{f"{p}is_open": False, f"{p}finished_at__gte": end}))
    )


def late_q(end: dt.datetime, prefix: str = "") -> Q:
    """Of the dossiers open at `end`, the late ones: past due and not waiting for a supplement."""
    p = prefix
    return Q(**{f"{p}due_at__lt": end}) & (Q(**{f"{p}paused_at__isnull": True}) | Q(**{f"{p}paused_at__gte": end}))


def state_at(columns, end: dt.datetime) -> str:
    """ "in_time", "late" or "" (not open at `end`) for an object or dict with the rule's columns (status,
    submitted_at, finished_at, due_at, paused_at)."""
    get = columns.get if isinstance(columns, dict) else lambda name: getattr(columns, name)
    submitted, finished = get("submitted_at"), get("finished_at")
    if get("status") == DRAFT or submitted is None or submitted >= end or (finished is not None and finished < end):
        return ""
    due, paused = get("due_at"), get("paused_at")
    if due is not None and due < end and (paused is None or paused >= end):
        return "late"
    return "in_time"


def counts_at(
    *,
    end: dt.datetime,
    unit_ids: list[int] | None = None,
    procedure_ids: list[int] | None = None,
    group_by: tuple[str, ...] = ("unit", "procedure"),
) -> dict[tuple, dict[str, int]]:
    """The rule by one GROUP BY at the moment `end`: {(unit id?, procedure id?): {"in_time", "late"}} for the
    group parts asked ("unit", "procedure"; () = one total keyed ()). Zero groups left out."""
    queryset = Dossier.objects.filter(open_q(end))
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    if procedure_ids is not None:
        queryset = queryset.filter(procedure_id__in=procedure_ids)
    aggregates = {"n": Count("pk"), "late": Count("pk", filter=late_q(end))}
    names = [f"{part}_id" for part in group_by]
    rows = queryset.values(*names).annotate(**aggregates).order_by() if names else [queryset.aggregate(**aggregates)]
    out = {}
    for row in rows:
        if row["n"]:
            out[tuple(row[n] for n in names)] = {"in_time": row["n"] - row["late"], "late": row["late"]}
    return out


# --- the daily snapshot ------------------------------------------------------------------------------------------
def _lock(*, shared: bool) -> None:
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])


def snapshot_day(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """Take (or take again) day D: replace its rows by the rule at its end, in one transaction, and mark it
    taken. Idempotent; two runs at once are serialised by the advisory lock (and the unique constraint).
    Refuses a day that has not ended yet (ValueError). Returns the rows written."""
    now = now or timezone.now()
    if day_end(day) > now:
        raise ValueError(f"day {day} has not ended yet")
    with transaction.atomic(durable=True):
        _lock(shared=False)
        counts = counts_at(end=day_end(day))
        OpenDay.objects.filter(day=day).delete()
        OpenDay.objects.bulk_create(
            OpenDay(unit_id=u, procedure_id=p, day=day, open_in_time=v["in_time"], open_late=v["late"])
            for (u, p), v in counts.items()
        )
        OpenDayTaken.objects.update_or_create(day=day, defaults={"taken_at": now})
    return len(counts)


def days_due(*, now: dt.datetime | None = None) -> list[dt.date]:
    """The days the job still has to take: from the first day ever taken (yesterday on a fresh system; older
    days are `stats_rebuild`'s) to yesterday, those not taken yet, oldest first."""
    yesterday = timezone.localtime(now or timezone.now()).date() - dt.timedelta(days=1)
    taken = set(OpenDayTaken.objects.filter(day__lte=yesterday).values_list("day", flat=True))
    first = min(taken) if taken else yesterday
    return [
        first + dt.timedelta(days=n)
        for n in range((yesterday - first).days + 1)
        if first + dt.timedelta(n) not in taken
    ]


def snapshot_due(*, now: dt.datetime | None = None) -> list[dt.date]:
    """The periodic job `stats.snapshot`: take every day due (`days_due`), each in its own transaction, so a
    job stopped half-way keeps what it took. Returns the days taken."""
    now = now or timezone.now()
    days = days_due(now=now)
    for day in days:
        snapshot_day(day=day, now=now)
    return days


# --- the same rule, every dossier expanded over its open days ------------------------------------------------
EXPAND_SQL = """
SELECT x.unit_id, x.procedure_id, d.day,
       count(*) FILTER (WHERE NOT {late}),
       count(*) FILTER (WHERE {late})
FROM (
    SELECT unit_id, procedure_id,
           (submitted_at AT TIME ZONE %(tz)s)::date AS sub_day,
           (finished_at AT TIME ZONE %(tz)s)::date AS fin_day,
           (due_at AT TIME ZONE %(tz)s)::date AS due_day,
           (paused_at AT TIME ZONE %(tz)s)::date AS paused_day
    FROM dossiers_dossier
    WHERE status <> %(draft)s AND submitted_at < %(end)s AND (is_open OR finished_at >= %(start)s) {units}
) x
CROSS JOIN LATERAL (
    SELECT g::date AS day
    FROM generate_series(GREATEST(x.sub_day, %(first)s::date),
                         LEAST(COALESCE(x.fin_day - 1, %(last)s::date), %(last)s::date), interval '1 day') g
) d
GROUP BY 1, 2, 3
"""


def _expand_sql(*, unit_ids, date_from: dt.date, date_to: dt.date) -> tuple[str, dict]:
    params = {
        "tz": settings.TIME_ZONE,
        "draft": DRAFT,
        "end": day_end(date_to),
        "start": day_end(date_from),
        "first": date_from,
        "last": date_to,
    }
    units = ""
    if unit_ids is not None:
        units, params["units"] = "AND unit_id = ANY(%(units)s)", list(unit_ids)
    late = "(x.due_day IS NOT NULL AND x.due_day <= d.day AND (x.paused_day IS NULL OR d.day < x.paused_day))"
    return EXPAND_SQL.format(units=units, late=late), params


def expected_rows(
    *, unit_ids: list[int] | None = None, date_from: dt.date, date_to: dt.date
) -> dict[tuple, dict[str, int]]:
    """{(unit id, procedure id, day): {"in_time", "late"}} for every day in [from, to], each dossier expanded
    over the days it was open (day D counts a dossier when submitted by D's end and finished on D + 1 or
    later; late from its due day, until its pause day). No zero rows."""
    out: dict[tuple, dict[str, int]] = {}
    if date_from > date_to:
        return out
    if connection.vendor == "postgresql":
        sql, params = _expand_sql(unit_ids=unit_ids, date_from=date_from, date_to=date_to)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for unit, procedure, day, in_time, late in cursor.fetchall():
                out[(unit, procedure, day)] = {"in_time": in_time, "late": late}
        return out
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: {"in_time": 0, "late": 0})
    queryset = Dossier.objects.filter(
        ~Q(status=DRAFT)
        & Q(submitted_at__lt=day_end(date_to))
        & (Q(is_open=True) | Q(finished_at__gte=day_end(date_from)))
    )
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    fields = ("unit_id", "procedure_id", "submitted_at", "finished_at", "due_at", "paused_at")
    for unit, procedure, submitted, finished, due, paused in queryset.values_list(*fields).iterator():
        first = max(local_day(submitted), date_from)
        last = date_to if finished is None else min(local_day(finished) - dt.timedelta(days=1), date_to)
        due_day, paused_day = local_day(due), local_day(paused)
        day = first
        while day <= last:
            late = due_day is not None and due_day <= day and (paused_day is None or day < paused_day)
            counts[(unit, procedure, day)]["late" if late else "in_time"] += 1
            day += dt.timedelta(days=1)
    return dict(counts)


def taken_days(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dt.date]:
    queryset = OpenDayTaken.objects.all()
    if date_from:
        queryset = queryset.filter(day__gte=date_from)
    if date_to:
        queryset = queryset.filter(day__lte=date_to)
    return sorted(queryset.values_list("day", flat=True))


def stored_rows(
    *, unit_ids: list[int] | None = None, date_from: dt.date, date_to: dt.date
) -> dict[tuple, dict[str, int]]:
    queryset = OpenDay.objects.filter(day__gte=date_from, day__lte=date_to)
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    rows = queryset.values_list("unit_id", "procedure_id", "day", "open_in_time", "open_late").iterator()
    return {(u, p, d): {"in_time": i, "late": late} for u, p, d, i, late in rows if i or late}


def rebuild(*, unit_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Rewrite the snapshots from `expected_rows`: without units, every day from the first submission to
    yesterday, all marked taken; with units, their rows of the days already taken. One statement on
    PostgreSQL (INSERT … SELECT over generate_series). Run on a quiet system. Returns the rows written."""
    now = now or timezone.now()
    yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
    first_submission = (
        Dossier.objects.exclude(status=DRAFT).order_by("submitted_at").values_list("submitted_at", flat=True)[:1]
    )
    if unit_ids is not None:
        taken = taken_days(date_to=yesterday)
        if not taken:
            return 0
        date_from, date_to = taken[0], taken[-1]
    else:
        first = next(iter(first_submission), None)
        date_from, date_to = (local_day(first) if first else yesterday), yesterday
    with transaction.atomic():
        _lock(shared=False)
        old = OpenDay.objects.filter(day__gte=date_from, day__lte=date_to)
        if unit_ids is not None:
            old = old.filter(unit_id__in=unit_ids)
        old._raw_delete(old.db)
        if connection.vendor == "postgresql" and unit_ids is None:
            sql, params = _expand_sql(unit_ids=None, date_from=date_from, date_to=date_to)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO stats_open_day (unit_id, procedure_id, day, open_in_time, open_late) " + sql, params
                )
                rows = cursor.rowcount
        else:
            expected = expected_rows(unit_ids=unit_ids, date_from=date_from, date_to=date_to)
            if unit_ids is not None:
                keep = set(taken)
                expected = {k: v for k, v in expected.items() if k[2] in keep}
            OpenDay.objects.bulk_create(
                (
                    OpenDay(unit_id=u, procedure_id=p, day=d, open_in_time=v["in_time"], open_late=v["late"])
                    for (u, p, d), v in expected.items()
                ),
                batch_size=2000,
            )
            rows = len(expected)
        if unit_ids is None:
            OpenDayTaken.objects.filter(day__gte=date_from, day__lte=date_to).delete()
            OpenDayTaken.objects.bulk_create(
                OpenDayTaken(day=date_from + dt.timedelta(days=n), taken_at=now)
                for n in range((date_to - date_from).days + 1)
            )
    return rows


def differences(
    *, unit_ids: list[int] | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[str]:
    """Every (unit, procedure, taken day) where the snapshot differs from the rule recomputed dossier by
    dossier (`expected_rows`). Days not taken are not compared (the selectors compute them live)."""
    days = taken_days(date_from=date_from, date_to=date_to)
    if not days:
        return []
    expected = expected_rows(unit_ids=unit_ids, date_from=days[0], date_to=days[-1])
    actual = stored_rows(unit_ids=unit_ids, date_from=days[0], date_to=days[-1])
    taken = set(days)
    found = []
    for key in sorted((set(expected) | set(actual)), key=str):
        unit, procedure, day = key
        if day not in taken:
            continue
        want, have = expected.get(key, {}), actual.get(key, {})
        for name, column in (("in_time", "open_in_time"), ("late", "open_late")):
            if want.get(name, 0) != have.get(name, 0):
                found.append(
                    f"cuối ngày {day:%d/%m/%Y} đơn vị #{unit} thủ tục #{procedure}: {column} "
                    f"lưu {have.get(name, 0)}, tính lại {want.get(name, 0)}"
                )
    return found


# --- restatement: a due moved across days already taken ------------------------------------------------------
def _add(*, unit_id: int, procedure_id: int, day: dt.date, in_time: int, late: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO stats_open_day (unit_id, procedure_id, day, open_in_time, open_late) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (unit_id, procedure_id, day) DO UPDATE SET "
            "open_in_time = stats_open_day.open_in_time + excluded.open_in_time, "
            "open_late = stats_open_day.open_late + excluded.open_late",
            [unit_id, procedure_id, day, in_time, late],
        )
    OpenDay.objects.filter(unit_id=unit_id, procedure_id=procedure_id, day=day, open_in_time=0, open_late=0).delete()


def restate(*, dossier: Dossier, before: dict) -> int:
    """After a change that moved the dossier's due (or cleared its pause) in the caller's transaction: move it
    between in time and late on every day already taken where the rule's answer changed. `before`: the
    changed columns' old values ({"due_at": …, "paused_at": …}). Returns the days restated."""
    old = {name: getattr(dossier, name) for name in ("status", "submitted_at", "finished_at", "due_at", "paused_at")}
    old.update(before)
    first = local_day(dossier.submitted_at)
    if first is None:
        return 0
    _lock(shared=True)
    changed = 0
    for day in OpenDayTaken.objects.filter(day__gte=first).order_by("day").values_list("day", flat=True):
        end = day_end(day)
        was, now_ = state_at(old, end), state_at(dossier, end)
        if was == now_:
            continue
        delta = {"in_time": 0, "late": 0}
        if was:
            delta[was] -= 1
        if now_:
            delta[now_] += 1
        _add(unit_id=dossier.unit_id, procedure_id=dossier.procedure_id, day=day, **delta)
        changed += 1
    return changed
