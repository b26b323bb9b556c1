"""Reads of the leaders' numbers (the contract in docs/stats.md; pages, exports, the public page and the API
all compute through these). Flow numbers come from the rollups (`rollups.counts_from_rollups`); the two
point-in-time numbers (in progress, overdue now) are counted from the open dossiers through the partial
index `dossier_unit_open_due` (unit, due_at) WHERE is_open INCLUDE (status), an index-only count.

Scope is the caller's business: views and the API pass units from `units_in_scope(user)`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OFFICER_ROLES
from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound
from motcua.dossiers.models import DRAFT, Dossier, DossierEvent, Rating
from motcua.places.models import COMMUNE_LEVEL, AdministrativeUnit

from . import index766, openday
from .models import COUNTERS, MonthCount, OpenDay, OpenDayTaken
from .rollups import (
    FINISHED,
    PAID_ONLINE_CHANNELS,
    PAYMENT_RECEIVED,
    RECEIVED_BY_CHANNEL,
    _bounds,
    _in_range,
    counts_from_rollups,
    event_actions,
    online_pairs_from_rollups,
)

Unit = AdministrativeUnit


def units_in_scope(user) -> QuerySet[AdministrativeUnit]:
    """The units an officer may see numbers of: the units of their officer grants and every unit below
    (a province admin: the province). Anyone else (anonymous, citizens): none."""
    from motcua.accounts.selectors import units_in_scope as scope

    if not getattr(user, "is_authenticated", False):
        return AdministrativeUnit.objects.none()
    return scope(user=user, roles=OFFICER_ROLES)


def unit_in_scope(user, code: str) -> AdministrativeUnit | None:
    """The current unit of that code if the user may see its numbers, else None (same for missing)."""
    if not code:
        return None
    return units_in_scope(user).filter(code=code, valid_to__isnull=True).first()


def unit_ids_within(units) -> list[int]:
    """The units and every unit below them (one indexed prefix scan per unit)."""
    return list(AdministrativeUnit.objects.within(list(units)).values_list("pk", flat=True))


# Dossiers open at the period's end (766 indicator 2.1), beside the flow counters: not rollups, see openday.
OPEN = ("open_in_time", "open_late")


def _zero() -> dict[str, int]:
    return dict.fromkeys((*COUNTERS, *OPEN), 0)


def _total(rows: dict) -> dict[str, int]:
    total = _zero()
    for values in rows.values():
        for counter, value in values.items():
            total[counter] += value
    return total


# --- point in time --------------------------------------------------------------------------------------------
def _as_point(value: dict) -> dict[str, int]:
    return {"in_progress": value["in_time"] + value["late"], "overdue_now": value["late"]}


def open_counts(*, unit_ids: list[int], procedure=None, now: dt.datetime | None = None, by_procedure=False):
    """In progress (open now) and overdue now (late now) of the units: the open-at-E rule (openday) with E =
    now, one count over the open dossiers (dossier_unit_open_due). {"in_progress", "overdue_now"}, or per
    procedure id."""
    rows = openday.counts_at(
        end=now or timezone.now(),
        unit_ids=unit_ids,
        procedure_ids=[procedure.pk] if procedure is not None else None,
        group_by=("procedure",) if by_procedure else (),
    )
    if by_procedure:
        return {key[0]: _as_point(value) for key, value in rows.items()}
    return _as_point(rows.get((), {"in_time": 0, "late": 0}))


def open_at_end(
    *,
    unit_ids: list[int],
    date_to: dt.date,
    procedure_ids: list[int] | None = None,
    group_by: tuple[str, ...] = (),
    now: dt.datetime | None = None,
    live: dict | None = None,
) -> dict[tuple, dict[str, int]]:
    """The dossiers open at the end of the period (E = the end of `date_to`), in time and late, by the rule of
    `openday`: {(unit id?, procedure id?): {"in_time", "late"}} for the group parts asked ("unit",
    "procedure"; () = one total keyed ()). A period reaching today or later is judged now (the live numbers;
    `live`: counts already made by the caller at now, keyed the same); a past one reads the day's snapshot
    (`stats_open_day`, one indexed query), or computes that day by the rule when it was not taken."""
    now = now or timezone.now()
    if date_to >= timezone.localtime(now).date():
        if live is not None:
            return live
        return openday.counts_at(end=now, unit_ids=unit_ids, procedure_ids=procedure_ids, group_by=group_by)
    queryset = OpenDay.objects.filter(day=date_to, unit_id__in=unit_ids)
    if procedure_ids is not None:
        queryset = queryset.filter(procedure_id__in=procedure_ids)
    names = [f"{part}_id" for part in group_by]
    sums = {"in_time": Sum("open_in_time"), "late": Sum("open_late")}
    rows = queryset.values(*names).annotate(**sums).order_by() if names else [queryset.aggregate(**sums)]
    out = {}
    for row in rows:
        value = {"in_time": int(row["in_time"] or 0), "late": int(row["late"] or 0)}
        if value["in_time"] or value["late"]:
            out[tuple(row[n] for n in names)] = value
    # No row: nothing was open, or the day was not taken (then the rule computes it; a second query only here).
    if not out and not OpenDayTaken.objects.filter(day=date_to).exists():
        return openday.counts_at(
            end=openday.day_end(date_to), unit_ids=unit_ids, procedure_ids=procedure_ids, group_by=group_by
        )
    return out


def _with_open(counts: dict, value: dict | None) -> dict:
    value = value or {"in_time": 0, "late": 0}
    return {**counts, "open_in_time": value["in_time"], "open_late": value["late"]}


# --- shapes -----------------------------------------------------------------------------------------------------
def _rating(count: int, total: int) -> dict:
    return {"count": count, "average": round(total / count, 2) if count else None}


def summary_shape(c: dict, point: dict) -> dict:
    """The counters as the summary's shape (GET /api/v1/stats/summary); "open_at_end" from the counters'
    open_in_time / open_late (the period's end; 766 indicator 2.1)."""
    return {
        "received": {
            "online": c["received_online"],
            "counter": c["received_counter"],
            "assisted": c["received_assisted"],
            "post": c["received_post"],
        },
        "finished": {"early": c["finished_early"], "on_time": c["finished_on_time"], "late": c["finished_late"]},
        "in_progress": point["in_progress"],
        "overdue_now": point["overdue_now"],
        "open_at_end": {"in_time": c.get("open_in_time", 0), "late": c.get("open_late", 0)},
        "supplement_requests": c["supplement_requests"],
        "refused": c["refused"],
        "withdrawn": c["withdrawn"],
        "paid_online": c["paid_online"],
        "e_result": c["e_result"],
        "rating": _rating(c["ratings_count"], c["ratings_sum"]),
    }


def summary(*, units: list[AdministrativeUnit], date_from: dt.date, date_to: dt.date, procedure=None) -> dict:
    """The leaders' summary of the units (and everything below them) for the local days [from, to]: flow
    numbers from the rollups; in progress and overdue now as of this moment, whatever the period; open at
    the period's end (`open_at_end`)."""
    ids = unit_ids_within(units)
    procedure_ids = [procedure.pk] if procedure is not None else None
    counts = counts_from_rollups(
        unit_ids=ids, date_from=date_from, date_to=date_to, procedure_ids=procedure_ids, group_by=()
    )
    point = open_counts(unit_ids=ids, procedure=procedure)
    live = {(): {"in_time": point["in_progress"] - point["overdue_now"], "late": point["overdue_now"]}}
    end = open_at_end(unit_ids=ids, date_to=date_to, procedure_ids=procedure_ids, live=live)
    return summary_shape(_with_open(_total(counts), end.get(())), point)


# --- the 766 index ----------------------------------------------------------------------------------------------
def _fee_bearing(rule) -> bool:
    if not isinstance(rule, dict):
        return False
    kind = rule.get("kind")
    if kind == "parts":
        return any(_fee_bearing(part) for part in rule.get("parts") or [])
    if kind == "flat":
        return any((rule.get(k) or 0) > 0 for k in ("amount", "counter_amount", "online_amount"))
    if kind == "per_page":
        return any((tier.get("amount") or 0) > 0 for tier in rule.get("tiers") or [])
    return False


def procedures_of(unit: AdministrativeUnit) -> list[dict]:
    """The current procedures a unit carries out: commune-level ones for a commune, every one otherwise
    (a province's index covers its communes' procedures)."""
    queryset = Procedure.objects.filter(valid_to__isnull=True)
    if unit.unit_type in COMMUNE_LEVEL:
        queryset = queryset.filter(level="commune")
    return [
        {"code": p["code"], "online": "online" in (p["channels"] or []), "fee": _fee_bearing(p["fee"])}
        for p in queryset.values("code", "channels", "fee")
    ]


def catalogue_facts(procedures: list[dict], codes_with_online_dossiers: set[str]) -> index766.Catalogue:
    return index766.Catalogue(
        procedures=len(procedures),
        online=sum(p["online"] for p in procedures),
        online_with_dossiers=sum(1 for p in procedures if p["online"] and p["code"] in codes_with_online_dossiers),
        fee_bearing=sum(p["fee"] for p in procedures),
        fee_bearing_online=sum(1 for p in procedures if p["fee"] and p["online"]),
    )


def _procedure_codes() -> dict[int, str]:
    return dict(Procedure.objects.values_list("pk", "code"))


def feedback_counts(
    *, unit_ids: list[int], date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None, by_unit=False
):
    """Feedback and petitions received in [from, to] by the units (motcua/feedback; a small table, read
    directly): an index766.Feedback, or {unit_id: Feedback} with ``by_unit``."""
    from motcua.feedback.models import Feedback

    now = now or timezone.now()
    start, end = _bounds(date_from, date_to)
    processed = Q(answered_at__isnull=False) | Q(is_open=False)
    done_at = Coalesce("answered_at", "finished_at")
    aggregates = {
        "received": Count("pk"),
        "processed": Count("pk", filter=processed),
        "on_time": Count("pk", filter=processed & Q(done__lte=F("due_at"))),
        "disliked": Count("pk", filter=Q(rating_score__lte=2)),
        "overdue": Count("pk", filter=(processed & Q(done__gt=F("due_at"))) | (~processed & Q(due_at__lt=now))),
        "complaints": Count("pk", filter=Q(category__in=["dossier", "officer"], dossier__isnull=False)),
    }
    queryset = Feedback.objects.filter(Q(unit_id__in=unit_ids) & _in_range("received_at", start, end)).annotate(
        done=done_at
    )
    if by_unit:
        return {
            row.pop("unit_id"): index766.Feedback(**row)
            for row in queryset.values("unit_id").annotate(**aggregates).order_by()
        }
    return index766.Feedback(**queryset.aggregate(**aggregates))


def index_from_counts(
    *,
    unit,
    by_procedure: dict,
    feedback: index766.Feedback | None = None,
    codes: dict[int, str] | None = None,
    procedures=None,
    texts: bool = True,
) -> dict:
    """The 766 index from counters per procedure id ({procedure_id: counters}, with the dossiers open at the
    period's end as open_in_time / open_late) of the unit and period, and its feedback numbers."""
    total = _total(by_procedure)
    online = {pid for pid, c in by_procedure.items() if c["received_online"] + c["received_assisted"] > 0}
    return _index(
        unit=unit,
        total=total,
        online_procedure_ids=online,
        feedback=feedback,
        codes=codes,
        procedures=procedures,
        texts=texts,
    )


def _index(
    *, unit, total: dict, online_procedure_ids: set, feedback=None, codes=None, procedures=None, texts=True
) -> dict:
    codes = codes if codes is not None else _procedure_codes()
    online_codes = {codes.get(pid) for pid in online_procedure_ids}
    procedures = procedures if procedures is not None else procedures_of(unit)
    return index766.compute(total, catalogue_facts(procedures, online_codes), feedback, texts=texts)


def index_766(*, unit: AdministrativeUnit, date_from: dt.date, date_to: dt.date) -> dict:
    """The unit's 766 index for the local days [from, to] (the unit and every unit below it)."""
    ids = unit_ids_within([unit])
    rows = counts_from_rollups(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("procedure",))
    by_procedure = {key[0]: value for key, value in rows.items()}
    end = open_at_end(unit_ids=ids, date_to=date_to, group_by=("procedure",))
    for (procedure_id,), value in end.items():
        by_procedure[procedure_id] = _with_open(by_procedure.get(procedure_id, _zero()), value)
    return index_from_counts(
        unit=unit,
        by_procedure=by_procedure,
        feedback=feedback_counts(unit_ids=ids, date_from=date_from, date_to=date_to),
    )


def split_unit_procedure(rows: dict) -> tuple[dict[int, dict], set[tuple[int, int]]]:
    """Counters keyed (unit, procedure) as (totals per unit, the (unit, procedure) pairs with online receipts)."""
    totals: dict[int, dict] = {}
    pairs = set()
    for (unit_id, procedure_id), values in rows.items():
        target = totals.setdefault(unit_id, _zero())
        for counter, value in values.items():
            target[counter] += value
        if values["received_online"] + values["received_assisted"] > 0:
            pairs.add((unit_id, procedure_id))
    return totals, pairs


def ranked_from_counts(
    *, parent: AdministrativeUnit, totals: dict, online_pairs: set, feedback: dict | None = None
) -> list[dict]:
    """units_ranked from counters per unit id ({unit_id: counters}) of every unit below the parent, the
    (unit id, procedure id) pairs that received online dossiers and feedback numbers per unit id."""
    children = {c.path: c for c in AdministrativeUnit.objects.filter(parent=parent).current()}
    owner: dict[int, AdministrativeUnit] = {}
    depth = len(parent.path)
    for pk, path in AdministrativeUnit.objects.filter(path__startswith=parent.path).values_list("pk", "path"):
        head = path[depth:].split("/", 1)[0]
        child = children.get(f"{parent.path}{head}/") if head else None
        if child is not None:
            owner[pk] = child
    per_child: dict[int, dict] = {}
    online: dict[int, set] = defaultdict(set)
    for unit_id, values in totals.items():
        child = owner.get(unit_id)
        if child is None:
            continue
        target = per_child.setdefault(child.pk, _zero())
        for counter, value in values.items():
            target[counter] += value
    for unit_id, procedure_id in online_pairs:
        child = owner.get(unit_id)
        if child is not None:
            online[child.pk].add(procedure_id)
    child_feedback: dict[int, dict] = {}
    for unit_id, numbers in (feedback or {}).items():
        child = owner.get(unit_id)
        if child is not None:
            target = child_feedback.setdefault(child.pk, dict.fromkeys(vars(numbers), 0))
            for name, value in vars(numbers).items():
                target[name] += value
    codes = _procedure_codes()
    procedures_by_type: dict[str, list[dict]] = {}
    out = []
    for child in children.values():
        procedures = procedures_by_type.get(child.unit_type)
        if procedures is None:
            procedures = procedures_by_type[child.unit_type] = procedures_of(child)
        total = per_child.get(child.pk) or _zero()
        index = _index(
            unit=child,
            total=total,
            online_procedure_ids=online[child.pk],
            feedback=index766.Feedback(**child_feedback[child.pk]) if child.pk in child_feedback else None,
            codes=codes,
            procedures=procedures,
            texts=False,
        )
        rates = {row["key"]: row["rate"] for row in index["indicators"]}
        out.append(
            {
                "unit": child,
                "index_total": index["total"],
                "online_rate": rates["3.3"],
                "on_time_rate": rates["2.1"],
                "e_result_rate": rates["4.1"],
                "paid_online_rate": rates["3.6"],
                "rating_average": _rating(total["ratings_count"], total["ratings_sum"])["average"],
                "received": sum(total[name] for name in RECEIVED_BY_CHANNEL.values()),
            }
        )
    out.sort(key=lambda row: (-row["index_total"], row["unit"].name, row["unit"].pk))
    return out


def units_ranked(*, parent: AdministrativeUnit, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """One row per current child unit (commune) of the parent, best index first: {"unit", "index_total",
    "online_rate" (766 3.3), "on_time_rate" (2.1), "e_result_rate" (4.1), "paid_online_rate" (3.6),
    "rating_average", "received"}. Two rollup queries for the whole province (totals per unit; the
    procedures that received online dossiers)."""
    ids = unit_ids_within([parent])
    rows = counts_from_rollups(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("unit",))
    totals = {key[0]: value for key, value in rows.items()}
    for (unit_id,), value in open_at_end(unit_ids=ids, date_to=date_to, group_by=("unit",)).items():
        totals[unit_id] = _with_open(totals.get(unit_id, _zero()), value)
    pairs = online_pairs_from_rollups(unit_ids=ids, date_from=date_from, date_to=date_to)
    feedback = feedback_counts(unit_ids=ids, date_from=date_from, date_to=date_to, by_unit=True)
    return ranked_from_counts(parent=parent, totals=totals, online_pairs=pairs, feedback=feedback)


# --- commune views --------------------------------------------------------------------------------------------
def flat_row(c: dict, point: dict) -> dict:
    shape = summary_shape(c, point)
    row = {}
    for key, value in shape.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                row[f"{key}_{sub}"] = inner
        else:
            row[key] = value
    return row


def by_procedure_from_counts(*, rows: dict, point: dict, end: dict | None = None) -> list[dict]:
    """by_procedure from counters keyed (procedure id,), open counts per procedure id and the dossiers open at
    the period's end keyed (procedure id,) (`open_at_end`)."""
    end = end or {}
    rows = {key: _with_open(rows.get(key, _zero()), end.get(key)) for key in set(rows) | set(end)}
    procedure_ids = {key[0] for key in rows} | set(point)
    procedures = Procedure.objects.in_bulk(procedure_ids)
    out = []
    for pid in procedure_ids:
        row = flat_row(rows.get((pid,), _zero()), point.get(pid, {"in_progress": 0, "overdue_now": 0}))
        row["procedure"] = procedures[pid]
        out.append(row)
    received = [f"received_{c}" for c in ("online", "counter", "assisted", "post")]
    out.sort(key=lambda r: (-sum(r[k] for k in received), r["procedure"].code))
    return out


def by_procedure(*, unit: AdministrativeUnit, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """One row per procedure with dossiers in the period or open now: the summary flattened ("received_online",
    "finished_late", "rating_average"…) plus "procedure" (the Procedure); most received first."""
    ids = unit_ids_within([unit])
    rows = counts_from_rollups(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("procedure",))
    point = open_counts(unit_ids=ids, by_procedure=True)
    live = {
        (pid,): {"in_time": v["in_progress"] - v["overdue_now"], "late": v["overdue_now"]}
        for pid, v in point.items()
        if v["in_progress"]
    }
    end = open_at_end(unit_ids=ids, date_to=date_to, group_by=("procedure",), live=live)
    return by_procedure_from_counts(rows=rows, point=point, end=end)


def month_starts(*, months: int, until: dt.date) -> list[dt.date]:
    """The first days of the `months` months ending with the month of `until`, oldest first."""
    firsts = [until.replace(day=1)]
    for _i in range(months - 1):
        firsts.append((firsts[-1] - dt.timedelta(days=1)).replace(day=1))
    firsts.reverse()
    return firsts


def monthly_from_counts(*, firsts: list[dt.date], rows: dict) -> list[dict]:
    """monthly from counters keyed by month (its first day)."""
    out = []
    for month in firsts:
        c = {**_zero(), **rows.get(month, {})}
        out.append(
            {
                "month": month,
                "received": sum(c[name] for name in RECEIVED_BY_CHANNEL.values()),
                "finished_on_time_or_early": c["finished_early"] + c["finished_on_time"],
                "finished_late": c["finished_late"],
                "online": c["received_online"] + c["received_assisted"],
                "rating_average": _rating(c["ratings_count"], c["ratings_sum"])["average"],
            }
        )
    return out


def monthly(*, unit: AdministrativeUnit, months: int = 12, until: dt.date | None = None) -> list[dict]:
    """One row per month, oldest first, the last one the month of `until` (today): {"month" (its first day),
    "received", "finished_on_time_or_early", "finished_late", "online", "rating_average"}."""
    firsts = month_starts(months=months, until=until or timezone.localdate())
    queryset = (
        MonthCount.objects.filter(unit_id__in=unit_ids_within([unit]), month__gte=firsts[0], month__lte=firsts[-1])
        .values("month")
        .annotate(**{c: Sum(c) for c in COUNTERS})
        .order_by()
    )
    rows = {row["month"]: {c: int(row[c] or 0) for c in COUNTERS} for row in queryset}
    return monthly_from_counts(firsts=firsts, rows=rows)


# --- drill-down ---------------------------------------------------------------------------------------------------
METRICS = (
    "received.online",
    "received.counter",
    "received.assisted",
    "received.post",
    "finished.early",
    "finished.on_time",
    "finished.late",
    "in_progress",
    "overdue_now",
    "open_at_end.in_time",
    "open_at_end.late",
    "supplement_requests",
    "refused",
    "withdrawn",
    "paid_online",
    "e_result",
    "rating.count",
)


def dossiers_behind(
    *, unit: AdministrativeUnit, metric: str, date_from: dt.date, date_to: dt.date, procedure=None
) -> QuerySet[Dossier]:
    """The dossiers counted in a summary number (metric: a summary key with dots, METRICS), by the same rules
    as the counters. Raises NotFound for an unknown metric."""
    ids = unit_ids_within([unit])
    start, end = _bounds(date_from, date_to)
    base = Dossier.objects.filter(unit_id__in=ids)
    if procedure is not None:
        base = base.filter(procedure=procedure)
    head, _dot, tail = metric.partition(".")
    completed_in = base.filter(Q(is_open=False, outcome="completed") & _in_range("finished_at", start, end))
    on_time_rule = Q(supplement_count__lte=1)
    if head == "received" and tail in {c.value for c in RECEIVED_BY_CHANNEL}:
        return base.exclude(status=DRAFT).filter(Q(channel=tail) & _in_range("submitted_at", start, end))
    if metric in ("finished.early", "finished.on_time"):
        return completed_in.filter(on_time_rule, timeliness=tail)
    if metric == "finished.late":
        return completed_in.exclude(on_time_rule & Q(timeliness__in=["early", "on_time"]))
    if metric in ("in_progress", "overdue_now"):
        now = timezone.now()
        open_ = base.filter(openday.open_q(now))
        return open_.filter(openday.late_q(now)) if metric == "overdue_now" else open_
    if head == "open_at_end" and tail in ("in_time", "late"):
        now = timezone.now()
        end = now if date_to >= timezone.localtime(now).date() else openday.day_end(date_to)
        open_ = base.filter(openday.open_q(end))
        late = openday.late_q(end)
        return open_.filter(late) if tail == "late" else open_.exclude(late)
    if metric in FINISHED:
        return base.filter(Q(is_open=False, outcome=metric) & _in_range("finished_at", start, end))
    events = DossierEvent.objects.filter(_in_range("created_at", start, end))
    if metric in ("supplement_requests", "e_result"):
        return base.filter(pk__in=events.filter(action__in=event_actions()[metric]).values("dossier_id"))
    if metric == "paid_online":
        online = Q(action=PAYMENT_RECEIVED, data__channel__in=PAID_ONLINE_CHANNELS)
        first = DossierEvent.objects.filter(online).values("dossier_id").annotate(at=Min("created_at"))
        return base.filter(pk__in=first.filter(_in_range("at", start, end)).values("dossier_id"))
    if metric == "rating.count":
        return base.filter(pk__in=Rating.objects.filter(_in_range("created_at", start, end)).values("dossier_id"))
    raise NotFound(_("Không có chỉ số «%(m)s»") % {"m": metric})


__all__ = [
    "by_procedure",
    "dossiers_behind",
    "index_766",
    "monthly",
    "summary",
    "units_in_scope",
    "units_ranked",
]
