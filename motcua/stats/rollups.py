"""The counters: what each change adds (`count_event`, `count_rating`, run by the engine's hooks in the
change's transaction), how it is added (`rollup_add`: one upsert increment per table, no read), and the
same numbers recomputed by GROUP BY from the dossiers and their events (`counts_from_dossiers`), which
`stats_rebuild` writes and `stats_verify` compares (docs/stats.md, docs/decisions/0004-stats-rollups.md).

The two ways of counting are written next to each other on purpose: a rule changed in one and not the
other is a difference `stats_verify` reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, TruncDate, TruncMonth
from django.utils import timezone

from motcua.dossiers.deadlines import RECALCULATE
from motcua.dossiers.models import DRAFT, Channel, Dossier, DossierEvent, Rating
from motcua.dossiers.workflow import known_workflows

from .models import BIG, COUNTERS, DayCount, MonthCount
from .openday import restate

# Payment channels the national index counts as paid online (Decision 766, indicator 3.6: through the
# national portal's payment platform = 1, a ministry's or province's gateway = 2). A direct VietQR transfer
# is not among them (motcua/payments/models.py PaymentChannel).
PAID_ONLINE_CHANNELS = ("national_portal", "provincial_gateway")
PAYMENT_RECEIVED = "payment_received"
ONLINE = (Channel.ONLINE, Channel.ASSISTED)
RECEIVED_BY_CHANNEL = {
    Channel.ONLINE: "received_online",
    Channel.COUNTER: "received_counter",
    Channel.ASSISTED: "received_assisted",
    Channel.POST: "received_post",
}
FINISHED = {"refused": "refused", "withdrawn": "withdrawn", "stopped": "stopped"}

ZERO = dt.timedelta(0)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def actions_where(*, kind: str = "", effect: str = "", clock: str = "") -> tuple[str, ...]:
    """Action names, over every known workflow, of the given kind, effect or clock (workflow data, not names)."""
    names = set()
    for workflow in known_workflows():
        for action in workflow.actions.values():
            if (
                (kind and action.kind == kind)
                or (effect and action.effect == effect)
                or (clock and action.clock == clock)
            ):
                names.add(action.name)
    return tuple(sorted(names))


def event_actions() -> dict[str, tuple[str, ...]]:
    """Counter → the event actions it counts."""
    return {
        "supplement_requests": actions_where(kind="supplement_request"),
        "extensions": actions_where(kind="extend"),
        "e_result": actions_where(effect="issue_result"),
        "digitised": actions_where(effect="store_documents"),
    }


def timeliness_766(*, timeliness: str, supplement_count: int) -> str:
    """Early / on time / late by the 766 rules (indicator 2.1): the engine's classification (finished ≤ due,
    the due moment restarted after the citizen's supplement, so supplement time is excluded), and more than
    one supplement request is late whatever the dates."""
    if supplement_count > 1:
        return "late"
    return timeliness or "late"


# --- incremental: what one change adds -------------------------------------------------------------------------
def _has_e_result(dossier_id: int) -> bool:
    return DossierEvent.objects.filter(dossier_id=dossier_id, action__in=event_actions()["e_result"]).exists()


def _reused(dossier_id: int) -> bool:
    from motcua.documents.models import DocumentUse

    return DocumentUse.objects.filter(dossier_id=dossier_id).exists()


def submission_deltas(dossier: Dossier) -> dict[str, int]:
    """What a submission adds to its day (received by channel, with a fee, with a stored document reused)."""
    deltas = {RECEIVED_BY_CHANNEL[dossier.channel]: 1}
    if dossier.fee_amount > 0:
        deltas["received_fee"] = 1
    reused = getattr(dossier, "_stats_reused", None)
    if reused if reused is not None else _reused(dossier.pk):
        deltas["reused"] = 1
    return deltas


def note_submission(*, dossier: Dossier, now, fresh: bool) -> list[tuple[str, list]]:
    """The submission hook (effects.register_on_submitted), before the daily code counter is taken: hands
    back the submission's upserts of the day's and month's rows, which the engine runs with the counter's
    own statement (one round trip under that lock on PostgreSQL; tests/test_submission_cost.py); the
    submission event then adds nothing more for them (`event_deltas`). A fresh dossier (not a draft) has
    used no stored document: documents are used on drafts only (documents.services), so no query."""
    dossier._stats_reused = False if fresh else _reused(dossier.pk)
    dossier._stats_submission_counted = True
    return rollup_statements(
        unit_id=dossier.unit_id,
        procedure_id=dossier.procedure_id,
        day=local_day(dossier.submitted_at),
        deltas=submission_deltas(dossier),
    )


def event_deltas(*, dossier: Dossier, event: DossierEvent) -> list[tuple[dt.date, dict[str, int]]]:
    """(day, {counter: +n}) pairs an event adds. The same rules as `counts_from_dossiers`. A submission
    whose hook already handed its counts to the engine (`note_submission`) adds nothing for them here."""
    out: list[tuple[dt.date, dict[str, int]]] = []
    if event.from_status == DRAFT and event.to_status != DRAFT:  # the submission
        if not getattr(dossier, "_stats_submission_counted", False):
            out.append((local_day(dossier.submitted_at), submission_deltas(dossier)))
    elif event.from_status != event.to_status and not dossier.is_open and dossier.status == event.to_status:
        out.append((local_day(dossier.finished_at), finish_deltas(dossier)))
    by_action = {name for name, actions in event_actions().items() if event.action in actions}
    if event.action == PAYMENT_RECEIVED and (event.data or {}).get("channel") in PAID_ONLINE_CHANNELS:
        earlier = DossierEvent.objects.filter(
            dossier_id=dossier.pk,
            action=PAYMENT_RECEIVED,
            data__channel__in=PAID_ONLINE_CHANNELS,
            seq__lt=event.seq,
        ).exists()
        if not earlier:
            by_action.add("paid_online")
    if by_action:
        out.append((local_day(event.created_at), dict.fromkeys(by_action, 1)))
    return out


def finish_deltas(dossier: Dossier) -> dict[str, int]:
    deltas: dict[str, int] = {}
    if dossier.outcome == "completed":
        kind = timeliness_766(timeliness=dossier.timeliness, supplement_count=dossier.supplement_count)
        deltas[f"finished_{kind}"] = 1
        # A dossier handled before its receipt moment (received outside office hours, so counted from the next
        # opening, and finished before it) used no time, not a negative one.
        deltas["time_used_us"] = max(dossier.finished_at - dossier.received_at, ZERO) // dt.timedelta(microseconds=1)
        deltas["time_allowed_us"] = max(dossier.due_at - dossier.received_at, ZERO) // dt.timedelta(microseconds=1)
    elif dossier.outcome in FINISHED:
        deltas[FINISHED[dossier.outcome]] = 1
    if dossier.channel in ONLINE:
        deltas["finished_online"] = 1
        if dossier.outcome != "completed" or _has_e_result(dossier.pk):
            deltas["finished_online_ok"] = 1
    return deltas


def count_event(*, dossier: Dossier, event: DossierEvent) -> None:
    """The engine's event hook (effects.register_on_event): add what the event counts, and restate the
    open-at-day-end snapshots when the event moved the due back across days already taken (openday.restate)."""
    for day, deltas in event_deltas(dossier=dossier, event=event):
        rollup_add(unit_id=dossier.unit_id, procedure_id=dossier.procedure_id, day=day, deltas=deltas)
    before = clock_before(event)
    if before is not None:
        restate(dossier=dossier, before=before)


def _moment(value) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def clock_before(event: DossierEvent) -> dict | None:
    """The rule's columns an event changed other than forward in time, as they were before it: a due
    recalculated after a calendar change (`old_due`), a clock restarted by a completed supplement (`old_due`,
    `old_paused_at`, recorded by the engine since issue 18; older events: None). Other events: None."""
    data = event.data or {}
    if event.action == RECALCULATE and "old_due" in data:
        return {"due_at": _moment(data["old_due"])}
    if event.action in actions_where(clock="restart") and "old_due" in data:
        return {"due_at": _moment(data["old_due"]), "paused_at": _moment(data.get("old_paused_at"))}
    return None


def count_rating(*, rating: Rating) -> None:
    """The rating hook (effects.register_on_rated)."""
    dossier = rating.dossier
    rollup_add(
        unit_id=dossier.unit_id,
        procedure_id=dossier.procedure_id,
        day=local_day(rating.created_at),
        deltas={"ratings_count": 1, "ratings_sum": rating.score, "ratings_low": int(rating.score <= 2)},
    )


def rollup_statements(
    *, unit_id: int, procedure_id: int, day: dt.date, deltas: dict[str, int]
) -> list[tuple[str, list]]:
    """The upserts (SQL, params) that add ``deltas`` to the day's and the month's row:
    `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, one statement per table, no read-modify-write,
    the same SQL on PostgreSQL and SQLite (≥ 3.24). Empty when nothing is added. Raises KeyError for an
    unknown counter. Run them in the change's transaction; they lock the two rows until it ends."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return []
    unknown = set(deltas) - set(COUNTERS)
    if unknown:
        raise KeyError(f"unknown counters: {sorted(unknown)}")
    names = sorted(deltas)
    columns = ", ".join(names)
    placeholders = ", ".join(["%s"] * len(names))
    values = [deltas[n] for n in names]
    statements = []
    for table, key, value in (("stats_day", "day", day), ("stats_month", "month", day.replace(day=1))):
        # Table and column names come from COUNTERS (checked above), never from input; values are bound.
        updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
        statements.append(
            (
                f"INSERT INTO {table} (unit_id, procedure_id, {key}, {columns}) "  # noqa: S608
                f"VALUES (%s, %s, %s, {placeholders}) "
                f"ON CONFLICT (unit_id, procedure_id, {key}) DO UPDATE SET {updates}",
                [unit_id, procedure_id, value, *values],
            )
        )
    return statements


def rollup_add(*, unit_id: int, procedure_id: int, day: dt.date, deltas: dict[str, int]) -> None:
    """Add to the day's and the month's row (`rollup_statements`). Locks: the two rollup rows, until the
    caller's transaction ends (callers take them last, after the dossier)."""
    statements = rollup_statements(unit_id=unit_id, procedure_id=procedure_id, day=day, deltas=deltas)
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip: the day row's upsert as a data-modifying CTE of the month row's.
            (day_sql, day_params), (month_sql, month_params) = statements
            cursor.execute(f"WITH day_row AS ({day_sql}) {month_sql}", [*day_params, *month_params])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


# --- the same numbers by GROUP BY over the dossiers and their events ------------------------------------------
def _bounds(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Local days [from, to] as moments [start, end)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=tz) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz) if date_to else None
    return start, end


def _in_range(field: str, start, end) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


def sources(*, start=None, end=None) -> list[tuple[QuerySet, str, str, dict]]:
    """The querysets behind the counters: (queryset, moment field, dossier prefix, {counter: aggregate}).
    Each row of a queryset is counted on the local day of its moment."""
    e_result = event_actions()["e_result"]
    completed = Q(outcome="completed")
    not_late = Q(supplement_count__lte=1)
    received = {name: Count("pk", filter=Q(channel=channel)) for channel, name in RECEIVED_BY_CHANNEL.items()}
    from motcua.documents.models import DocumentUse

    received["received_fee"] = Count("pk", filter=Q(fee_amount__gt=0))
    received["reused"] = Count("pk", filter=Q(Exists(DocumentUse.objects.filter(dossier_id=OuterRef("pk")))))
    has_e_result = Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action__in=e_result))
    used = Greatest(
        ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField()),
        Value(ZERO, output_field=DurationField()),
    )
    allowed = Greatest(
        ExpressionWrapper(F("due_at") - F("received_at"), output_field=DurationField()),
        Value(ZERO, output_field=DurationField()),
    )
    finished = {
        "finished_early": Count("pk", filter=completed & not_late & Q(timeliness="early")),
        "finished_on_time": Count("pk", filter=completed & not_late & Q(timeliness="on_time")),
        "finished_late": Count("pk", filter=completed & ~(not_late & Q(timeliness__in=["early", "on_time"]))),
        **{name: Count("pk", filter=Q(outcome=outcome)) for outcome, name in FINISHED.items()},
        "finished_online": Count("pk", filter=Q(channel__in=ONLINE)),
        "finished_online_ok": Count("pk", filter=Q(channel__in=ONLINE) & (~completed | Q(has_e_result))),
        "time_used_us": Sum(used, filter=completed),
        "time_allowed_us": Sum(allowed, filter=completed),
    }
    events = {name: Count("pk", filter=Q(action__in=actions)) for name, actions in event_actions().items()}
    online_payment = Q(action=PAYMENT_RECEIVED, data__channel__in=PAID_ONLINE_CHANNELS)
    earlier = DossierEvent.objects.filter(online_payment, dossier_id=OuterRef("dossier_id"), seq__lt=OuterRef("seq"))
    events["paid_online"] = Count("pk", filter=online_payment & ~Q(Exists(earlier)))
    every_action = sorted({a for actions in event_actions().values() for a in actions} | {PAYMENT_RECEIVED})
    ratings = {
        "ratings_count": Count("pk"),
        "ratings_sum": Sum("score"),
        "ratings_low": Count("pk", filter=Q(score__lte=2)),
    }
    return [
        (
            Dossier.objects.exclude(status=DRAFT).filter(_in_range("submitted_at", start, end)),
            "submitted_at",
            "",
            received,
        ),
        (Dossier.objects.filter(Q(is_open=False) & _in_range("finished_at", start, end)), "finished_at", "", finished),
        (
            DossierEvent.objects.filter(Q(action__in=every_action) & _in_range("created_at", start, end)),
            "created_at",
            "dossier__",
            events,
        ),
        (Rating.objects.filter(_in_range("created_at", start, end)), "created_at", "dossier__", ratings),
    ]


def _as_int(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    return int(value)


def grouped_querysets(
    *,
    unit_ids: list[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    procedure_ids: list[int] | None = None,
    group_by: tuple[str, ...] = ("unit", "procedure", "day"),
) -> list[tuple[QuerySet, list[str], list[str]]]:
    """The GROUP BY behind every counter: (queryset of dicts, group column names, {counter: aggregate}), one per
    source (`sources`). Group parts: "unit", "procedure", "day", "month" (local time); columns "g_<part>".
    Without parts the queryset is not grouped: aggregate it."""
    start, end = _bounds(date_from, date_to)
    tz = timezone.get_current_timezone()
    out = []
    for queryset, moment, prefix, aggregates in sources(start=start, end=end):
        if unit_ids is not None:
            queryset = queryset.filter(**{f"{prefix}unit_id__in": unit_ids})
        if procedure_ids is not None:
            queryset = queryset.filter(**{f"{prefix}procedure_id__in": procedure_ids})
        annotations, names = {}, []
        for part in group_by:
            name = f"g_{part}"
            names.append(name)
            if part == "day":
                annotations[name] = TruncDate(moment, tzinfo=tz)
            elif part == "month":
                annotations[name] = TruncMonth(moment, tzinfo=tz)
            else:
                annotations[name] = F(f"{prefix}{part}_id")
        if names:
            grouped = queryset.annotate(**annotations).values(*names).annotate(**aggregates).order_by()
        else:  # one total: the caller aggregates (values() without names would group by every column)
            grouped = queryset
        out.append((grouped, names, aggregates))
    return out


def counts_from_dossiers(
    *,
    unit_ids: list[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    procedure_ids: list[int] | None = None,
    group_by: tuple[str, ...] = ("unit", "procedure", "day"),
) -> dict[tuple, dict[str, int]]:
    """Every counter recomputed by GROUP BY from the dossiers, their events and ratings, grouped by any of
    "unit", "procedure", "day", "month" (local time). Key: the tuple of the group's values in that order;
    value: {counter: n} with every counter (zeros included). No rollup is read."""
    result: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for grouped, names, counters in grouped_querysets(
        unit_ids=unit_ids, date_from=date_from, date_to=date_to, procedure_ids=procedure_ids, group_by=group_by
    ):
        rows = grouped if names else [grouped.aggregate(**counters)]
        for row in rows:
            key = tuple(row[n].date() if isinstance(row[n], dt.datetime) else row[n] for n in names)
            target = result[key]
            for counter in counters:
                target[counter] += _as_int(row[counter])
    return {key: value for key, value in result.items() if any(value.values())}


def rebuild_sql(*, unit_ids: list[int] | None = None) -> int:
    """`rebuild` done inside PostgreSQL, for tables too big to recompute in Python (bench/gen_stats.py): the
    same grouped querysets (`grouped_querysets`), their SQL summed by one INSERT … SELECT into the day table,
    the month table summed from it. `stats_verify` checks the result like any other. Returns day rows."""
    if connection.vendor != "postgresql":
        return rebuild(unit_ids=unit_ids)
    parts, params = [], []
    for queryset, _names, counters in grouped_querysets(unit_ids=unit_ids):
        sql, sub_params = queryset.query.sql_with_params()
        columns = []
        for counter in COUNTERS:
            if counter not in counters:
                columns.append(f"0 AS {counter}")
            elif counter in BIG:
                columns.append(f"COALESCE((EXTRACT(EPOCH FROM s.{counter}) * 1000000)::bigint, 0) AS {counter}")
            else:
                columns.append(f"COALESCE(s.{counter}, 0) AS {counter}")
        parts.append(f"SELECT s.g_unit, s.g_procedure, s.g_day, {', '.join(columns)} FROM ({sql}) s")  # noqa: S608
        params.extend(sub_params)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    names = ", ".join(COUNTERS)
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (DayCount, MonthCount):
            queryset = model.objects.all()
            if unit_ids is not None:
                queryset = queryset.filter(unit_id__in=unit_ids)
            queryset._raw_delete(queryset.db)
        cursor.execute(
            f"INSERT INTO stats_day (unit_id, procedure_id, day, {names}) "  # noqa: S608
            f"SELECT g_unit, g_procedure, g_day, {sums} FROM ({' UNION ALL '.join(parts)}) u GROUP BY 1, 2, 3",
            params,
        )
        rows = cursor.rowcount
        where = "WHERE unit_id = ANY(%s)" if unit_ids is not None else ""
        cursor.execute(
            f"INSERT INTO stats_month (unit_id, procedure_id, month, {names}) "  # noqa: S608
            f"SELECT unit_id, procedure_id, date_trunc('month', day)::date, {sums} FROM stats_day {where} "
            "GROUP BY 1, 2, 3",
            [list(unit_ids)] if unit_ids is not None else [],
        )
    return rows


def _rollup_parts(date_from: dt.date, date_to: dt.date) -> list[QuerySet]:
    """The rollup rows of [from, to]: whole months from the month table, the days of a partial month at
    either end from the day table."""
    months, day_ranges = split_range(date_from, date_to)
    parts = []
    if months:
        parts.append(MonthCount.objects.filter(month__gte=months[0], month__lte=months[1]))
    for first, last in day_ranges:
        parts.append(DayCount.objects.filter(day__gte=first, day__lte=last))
    return parts


def counts_from_rollups(
    *,
    unit_ids: list[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    procedure_ids: list[int] | None = None,
    group_by: tuple[str, ...] = ("unit", "procedure"),
) -> dict[tuple, dict[str, int]]:
    """The same shape as `counts_from_dossiers`, read from the rollups (`_rollup_parts`): one GROUP BY per
    part, read as plain tuples. group_by: "unit", "procedure"."""
    assert set(group_by) <= {"unit", "procedure"}, group_by
    names = [f"{part}_id" for part in group_by]
    aggregates = {c: Sum(c) for c in COUNTERS}
    width = len(names)
    result: dict[tuple, list[int]] = {}
    for queryset in _rollup_parts(date_from, date_to):
        if unit_ids is not None:
            queryset = queryset.filter(unit_id__in=unit_ids)
        if procedure_ids is not None:
            queryset = queryset.filter(procedure_id__in=procedure_ids)
        if names:
            sql, params = queryset.values(*names).annotate(**aggregates).order_by().query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        else:
            total = queryset.aggregate(**aggregates)
            rows = [tuple(total[c] for c in COUNTERS)]
        for row in rows:
            key = tuple(row[:width])
            values = [int(v or 0) for v in row[width:]]
            if key in result:
                result[key] = [a + b for a, b in zip(result[key], values, strict=True)]
            else:
                result[key] = values
    return {key: dict(zip(COUNTERS, values, strict=True)) for key, values in result.items() if any(values)}


def online_pairs_from_rollups(*, unit_ids: list[int], date_from: dt.date, date_to: dt.date) -> set[tuple[int, int]]:
    """(unit id, procedure id) pairs that received at least one online or assisted dossier in [from, to]."""
    pairs: set[tuple[int, int]] = set()
    for queryset in _rollup_parts(date_from, date_to):
        pairs.update(
            queryset.filter(Q(unit_id__in=unit_ids) & (Q(received_online__gt=0) | Q(received_assisted__gt=0)))
            .values_list("unit_id", "procedure_id")
            .distinct()
        )
    return pairs


def split_range(date_from: dt.date, date_to: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list]:
    """[from, to] as (first month, last month) of the whole months inside it (or None) and the day ranges
    of the partial months at its ends."""
    if date_from > date_to:
        return None, []
    whole: list[dt.date] = []
    days: list[tuple[dt.date, dt.date]] = []
    cursor = date_from
    while cursor <= date_to:
        month = cursor.replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        month_end = following - dt.timedelta(days=1)
        if cursor == month and month_end <= date_to:
            whole.append(month)
        else:
            days.append((cursor, min(month_end, date_to)))
        cursor = following
    return ((whole[0], whole[-1]) if whole else None), days


# --- rebuild and verify ---------------------------------------------------------------------------------------
def rollup_rows(
    *, unit_ids: list[int] | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[tuple, dict[str, int]]:
    """What the day table holds, keyed (unit, procedure, day), zero rows left out."""
    queryset = DayCount.objects.all()
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    if date_from:
        queryset = queryset.filter(day__gte=date_from)
    if date_to:
        queryset = queryset.filter(day__lte=date_to)
    out = {}
    for row in queryset.values("unit_id", "procedure_id", "day", *COUNTERS).iterator():
        values = {c: int(row[c]) for c in COUNTERS}
        if any(values.values()):
            out[(row["unit_id"], row["procedure_id"], row["day"])] = values
    return out


def month_rows(*, unit_ids: list[int] | None = None) -> dict[tuple, dict[str, int]]:
    queryset = MonthCount.objects.all()
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    out = {}
    for row in queryset.values("unit_id", "procedure_id", "month", *COUNTERS).iterator():
        values = {c: int(row[c]) for c in COUNTERS}
        if any(values.values()):
            out[(row["unit_id"], row["procedure_id"], row["month"])] = values
    return out


def differences(
    *, unit_ids: list[int] | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[str]:
    """Every (unit, procedure, day) where the day table differs from the recomputation, and, over whole
    months inside the range (or everywhere when no range is given), every month row that is not the sum of
    its days. Empty when the rollups are right."""
    expected = counts_from_dossiers(unit_ids=unit_ids, date_from=date_from, date_to=date_to)
    actual = rollup_rows(unit_ids=unit_ids, date_from=date_from, date_to=date_to)
    found = []
    for key in sorted(set(expected) | set(actual), key=str):
        want, have = expected.get(key, {}), actual.get(key, {})
        for counter in COUNTERS:
            if want.get(counter, 0) != have.get(counter, 0):
                unit, procedure, day = key
                found.append(
                    f"ngày {day:%d/%m/%Y} đơn vị #{unit} thủ tục #{procedure}: {counter} "
                    f"lưu {have.get(counter, 0)}, tính lại {want.get(counter, 0)}"
                )
    # Month rows against the sum of their day rows (the day rows were just checked against the dossiers):
    # every month when no range is given, else the whole months inside the range.
    if date_from is None and date_to is None:
        checked = None
    elif date_from and date_to:
        checked = split_range(date_from, date_to)[0] or ()
    else:
        checked = ()  # an open range: the month rows are checked by a run without a range
    summed: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (unit, procedure, day), values in expected.items():
        for counter, value in values.items():
            summed[(unit, procedure, day.replace(day=1))][counter] += value
    stored = month_rows(unit_ids=unit_ids)
    for key in sorted(set(summed) | set(stored), key=str):
        month = key[2]
        if checked is not None and not (checked and checked[0] <= month <= checked[1]):
            continue
        want, have = summed.get(key, {}), stored.get(key, {})
        for counter in COUNTERS:
            if want.get(counter, 0) != have.get(counter, 0):
                found.append(
                    f"tháng {month:%m/%Y} đơn vị #{key[0]} thủ tục #{key[1]}: {counter} "
                    f"lưu {have.get(counter, 0)}, tính lại {want.get(counter, 0)}"
                )
    return found


def rebuild(*, unit_ids: list[int] | None = None) -> int:
    """Rewrite the rollups of the given units (all when None) from `counts_from_dossiers`, in one
    transaction. Run it on a quiet system (a data migration, a fresh load); returns the day rows written."""
    expected = counts_from_dossiers(unit_ids=unit_ids)
    months: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (unit, procedure, day), values in expected.items():
        for counter, value in values.items():
            months[(unit, procedure, day.replace(day=1))][counter] += value
    with transaction.atomic():
        for model in (DayCount, MonthCount):
            queryset = model.objects.all()
            if unit_ids is not None:
                queryset = queryset.filter(unit_id__in=unit_ids)
            queryset.delete()
        DayCount.objects.bulk_create(
            (DayCount(unit_id=u, procedure_id=p, day=d, **v) for (u, p, d), v in expected.items()), batch_size=2000
        )
        MonthCount.objects.bulk_create(
            (MonthCount(unit_id=u, procedure_id=p, month=m, **v) for (u, p, m), v in months.items()), batch_size=2000
        )
    return len(expected)
