"""The deadline alert job (issue 18, point 4; DOMAIN.md §4.5 and §6).

`alerts_run(now=…)` is one pass; the worker runs it as the task `alerts.tasks.alerts_scan`, which the
scheduler enqueues every 15 minutes (the periodic job `alerts.scan`, registered in `AlertsConfig.ready`;
docs/operations.md). A pass:

* **due soon**: an open, running (not paused) dossier whose overall due moment, or its current step's due
  moment, is at most one working day away by its office's calendar → the assigned officer and the unit's
  leaders;
* **overdue**: the same moments once passed → the same people;
* **apology prompt**: while the workflow's apology action (kind ``extend``: Form 04, once) may still be
  taken, and its window (until the end of the working day before the due day,
  `calendars.engine.extension_latest_moment`) closes within one working day → the officers holding that
  action's roles on the unit, and the assigned officer;
* **morning digest**: from ``ALERTS_DIGEST_HOUR`` (07:00) on a working day, one message per leader with the
  overdue, due-today and due-soon counts of the units they lead.

Once: each alert is a row of `Alert` under a unique constraint (dossier, kind, step, due moment; leader,
day for digests). A pass inserts its alerts with ``INSERT … ON CONFLICT DO NOTHING RETURNING`` and queues
the notices (outbox, same transaction) only for the rows its own INSERT returned, so two passes at the same
moment — two worker threads, two machines — send each alert once: the second INSERT waits for the first
transaction and then skips. Outbox rows also carry ``source = "alert:<id>"`` (unique per channel and
recipient in the outbox)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, RoleGrant
from motcua.calendars.engine import (
    REMAINING_HORIZON,
    WorkingCalendar,
    add_working_time,
    extension_latest_moment,
    working_time_between,
)
from motcua.calendars.selectors import CalendarBook, calendar_for_unit
from motcua.dossiers.models import DRAFT, Dossier
from motcua.dossiers.workflow import Workflow, load_workflow
from motcua.notifications.services import queue, queue_many

from .models import Alert, AlertKind

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass
class AlertReport:
    due_soon: int = 0
    overdue: int = 0
    apology: int = 0
    digest: int = 0
    skipped: int = 0  # alerts another pass (or an earlier one) had already sent
    messages: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Wanted:
    kind: str
    dossier_id: int
    step: str
    due_at: dt.datetime
    unit_id: int
    recipients: tuple[int, ...] = field(compare=False, default=())
    values: dict = field(compare=False, default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.dossier_id, self.kind, self.step, self.due_at)


# --- what is due -----------------------------------------------------------------------------------------------
def _step_due(dossier: Dossier, workflow: Workflow, cal: WorkingCalendar) -> tuple[str, str, dt.datetime] | None:
    """(step, label, due moment) of the step the dossier is in now: the cumulative share of the processing
    time up to and including this step (the procedure's `step_shares`, else the workflow's), as on the
    dossier page's tracking table (`dossiers.selectors.handovers`). None for the last step (its due moment is
    the overall one) or when the dossier's dates cannot give one."""
    state = workflow.states.get(dossier.status)
    if state is None or not dossier.received_at or not dossier.due_at:
        return None
    if abs(dossier.due_at - dossier.received_at) > REMAINING_HORIZON:
        return None
    shares = workflow.step_shares(dossier.procedure.step_shares)
    total_share = 0.0
    for step, label, share in shares:
        total_share += share
        if step == state.step:
            if total_share >= 0.999:
                return None
            total = working_time_between(cal, dossier.received_at, dossier.due_at)
            if total <= dt.timedelta(0):
                return None
            return step, label, add_working_time(cal, dossier.received_at, total * total_share)
    return None


class _Horizon:
    """ "At most one working day away" for one office's calendar, computed once per pass: the moment one
    standard working day of work from now, pushed to the start of the next working period (no working time
    passes in between), so ``now < m <= horizon`` ⟺ ``0 < working_time_between(now, m) <= one day``."""

    def __init__(self, cal: WorkingCalendar, now: dt.datetime):
        limit = add_working_time(cal, now, cal.standard_day_length())
        self.now = now
        self.horizon = next(cal.iter_periods_from(limit))[0]

    def within(self, moment: dt.datetime) -> bool:
        return self.now < moment <= self.horizon


def _extend_action(workflow: Workflow):
    return workflow.action_of_kind("extend")


def _unit_officers(unit_ids: Iterable[int], roles: Iterable[str]) -> dict[tuple[int, str], list[int]]:
    """{(unit id, role): [active user ids]} for grants held on exactly these units (the unit's own people,
    not the province above it)."""
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    grants = (
        RoleGrant.objects.active()
        .filter(unit_id__in=set(unit_ids), role__in=set(roles), user__is_active=True)
        .order_by("user_id")
        .values_list("unit_id", "role", "user_id")
    )
    for unit_id, role, user_id in grants:
        found[(unit_id, role)].append(user_id)
    return found


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _dossier_url_maker():
    """code → the dossier's workspace address (reversed once per pass, not once per dossier)."""
    marker = "MA-HO-SO"
    template = settings.SITE_URL + reverse("workspace:dossier", args=[marker])
    return lambda code: template.replace(marker, code)


def dossiers_to_watch(*, now: dt.datetime):
    """Open, running dossiers (submitted, not paused, with a due moment) — the job's one read of dossiers."""
    return (
        Dossier.objects.filter(is_open=True, due_at__isnull=False, received_at__isnull=False, paused_at__isnull=True)
        .exclude(status=DRAFT)
        .select_related("procedure")
        .only(
            "pk",
            "code",
            "status",
            "workflow",
            "office_id",
            "unit_id",
            "received_at",
            "due_at",
            "assigned_to_id",
            "extension_count",
            "procedure__name",
            "procedure__citizen_name",
            "procedure__step_shares",
        )
        .order_by("pk")
    )


def wanted_alerts(*, now: dt.datetime) -> list[_Wanted]:
    """Every dossier alert that is due at ``now`` and not known to be sent (the INSERT decides for a race)."""
    calendars = CalendarBook()
    out: list[_Wanted] = []
    # Every running dossier: a step can fall due long before the overall moment.
    rows = list(dossiers_to_watch(now=now))
    calendars.prime({d.office_id for d in rows})
    leaders_roles = {Role.LEADER}
    extend_roles: set[str] = set()
    for ref in {d.workflow for d in rows}:
        action = _extend_action(load_workflow(ref))
        if action:
            extend_roles.update(action.roles)
    people = _unit_officers({d.unit_id for d in rows}, leaders_roles | extend_roles)
    dossier_url = _dossier_url_maker()
    horizons: dict[int, _Horizon] = {}
    # Alerts already sent about open dossiers: not asked for again (the INSERT would skip them anyway; this
    # keeps a steady-state pass from re-inserting every overdue dossier every 15 minutes).
    sent = set(
        Alert.objects.filter(dossier__is_open=True)
        .exclude(kind=AlertKind.DIGEST)
        .values_list("dossier_id", "kind", "step", "due_at")
    )

    for dossier in rows:
        workflow = load_workflow(dossier.workflow)
        state = workflow.states.get(dossier.status)
        if state is None or state.paused or state.final:
            continue
        cal = calendars.for_office(dossier.office_id)
        horizon = horizons.get(dossier.office_id)
        if horizon is None:
            horizon = horizons[dossier.office_id] = _Horizon(cal, now)
        leaders = people.get((dossier.unit_id, Role.LEADER), [])
        watchers = tuple(dict.fromkeys([*([dossier.assigned_to_id] if dossier.assigned_to_id else []), *leaders]))
        values = {
            "code": dossier.code,
            "procedure": dossier.procedure.citizen_name or dossier.procedure.name,
            "track": dossier_url(dossier.code),
        }
        base = {"dossier_id": dossier.pk, "unit_id": dossier.unit_id}
        # The overall due moment.
        if dossier.due_at <= now:
            if (dossier.pk, AlertKind.OVERDUE, "", dossier.due_at) not in sent:
                out.append(
                    _Wanted(
                        AlertKind.OVERDUE,
                        step="",
                        due_at=dossier.due_at,
                        recipients=watchers,
                        values={**values, "due": _local(dossier.due_at)},
                        **base,
                    )
                )
        elif horizon.within(dossier.due_at):
            out.append(
                _Wanted(
                    AlertKind.DUE_SOON,
                    step="",
                    due_at=dossier.due_at,
                    recipients=watchers,
                    values={**values, "due": _local(dossier.due_at)},
                    **base,
                )
            )
        # The current step's due moment (not for the last step: that is the overall one).
        step = _step_due(dossier, workflow, cal)
        if step is not None:
            name, label, due = step
            kind = AlertKind.OVERDUE if due <= now else AlertKind.DUE_SOON if horizon.within(due) else None
            if kind:
                out.append(
                    _Wanted(
                        kind,
                        step=name,
                        due_at=due,
                        recipients=watchers,
                        values={**values, "due": _local(due), "note": label},
                        **base,
                    )
                )
        # The apology (Form 04) while it may still be sent: the action is open in this state, not used yet,
        # and its window closes within one working day.
        action = _extend_action(workflow)
        if action and dossier.status in action.sources and dossier.due_at > now:
            used = action.once and getattr(dossier, action.once, 0) >= 1
            latest = extension_latest_moment(cal, dossier.due_at)
            if not used and horizon.within(latest):
                senders = [u for role in action.roles for u in people.get((dossier.unit_id, role), [])]
                prompt_to = tuple(
                    dict.fromkeys([*([dossier.assigned_to_id] if dossier.assigned_to_id else []), *senders])
                )
                out.append(
                    _Wanted(
                        AlertKind.APOLOGY,
                        step="",
                        due_at=dossier.due_at,
                        recipients=prompt_to,
                        values={**values, "due": _local(dossier.due_at), "note": _local(latest)},
                        **base,
                    )
                )
    return [w for w in out if (w.dossier_id, w.kind, w.step, w.due_at) not in sent]


# --- insert once, then notify ----------------------------------------------------------------------------------
def _insert_returning(rows: list[tuple]) -> list[tuple]:
    """INSERT the alert rows, skipping any that exists; return (id, dossier_id, kind, step) of the rows this
    statement inserted. One statement per batch on PostgreSQL and SQLite (≥ 3.35)."""
    if not rows:
        return []
    ops = connection.ops
    qn = ops.quote_name
    table = qn(Alert._meta.db_table)
    columns = ["kind", "dossier_id", "step", "due_at", "unit_id", "user_id", "day", "recipients", "created_at"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608 — names from _meta
        + ", ".join([placeholders] * len(rows))
        + f" ON CONFLICT DO NOTHING RETURNING {qn('id')}, {qn('dossier_id')}, {qn('kind')}, {qn('step')}"
    )
    params = []
    for kind, dossier_id, step, due_at, unit_id, user_id, day, recipients, created_at in rows:
        # Stored exactly as the ORM stores them, so the constraint and later queries compare like with like.
        params += [
            kind,
            dossier_id,
            step,
            ops.adapt_datetimefield_value(due_at),
            unit_id,
            user_id,
            ops.adapt_datefield_value(day),
            recipients,
            ops.adapt_datetimefield_value(created_at),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _recipients_of(user_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    from motcua.accounts.models import User

    found = {}
    for pk, username, email in User.objects.filter(pk__in=set(user_ids), is_active=True).values_list(
        "pk", "username", "email"
    ):
        channels = [("inapp", username)]
        if email:
            channels.append(("email", email))
        found[pk] = channels
    return found


TEMPLATES = {
    (AlertKind.DUE_SOON, False): "alert_due_soon",
    (AlertKind.DUE_SOON, True): "alert_step_due_soon",
    (AlertKind.OVERDUE, False): "alert_overdue",
    (AlertKind.OVERDUE, True): "alert_step_overdue",
    (AlertKind.APOLOGY, False): "alert_apology",
}


def _send_dossier_alerts(wanted: list[_Wanted], now: dt.datetime, report: AlertReport) -> None:
    wanted = sorted({w.key: w for w in wanted}.values(), key=lambda w: (w.dossier_id, w.kind, w.step, w.due_at))
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        with transaction.atomic():
            inserted = _insert_returning(
                [(w.kind, w.dossier_id, w.step, w.due_at, w.unit_id, None, None, len(w.recipients), now) for w in batch]
            )
            # Within one pass a dossier has at most one alert per kind and step.
            by_key = {(w.dossier_id, w.kind, w.step): w for w in batch}
            people = _recipients_of(u for w in batch for u in w.recipients)
            payloads: list[dict] = []
            for alert_id, dossier_id, kind, step in inserted:
                item = by_key.get((dossier_id, kind, step))
                if item is None:  # pragma: no cover - the row we just inserted is one we asked for
                    continue
                payloads += [
                    {
                        "template": TEMPLATES[(kind, bool(step))],
                        "source": f"alert:{alert_id}",
                        "user": user_id,
                        "recipients": people.get(user_id, []),
                        "values": item.values,
                    }
                    for user_id in item.recipients
                ]
                setattr(report, kind, getattr(report, kind) + 1)
            report.messages += queue_many(payloads=payloads)
            report.skipped += len(batch) - len(inserted)


# --- the leaders' morning digest -------------------------------------------------------------------------------
def digest_counts(*, units, now: dt.datetime, cal: WorkingCalendar) -> dict[str, int]:
    """Open dossiers of these units (and below): overdue, due by the end of today, due by the end of the next
    working day — one aggregate query."""
    paths = Q()
    for unit in units:
        paths |= Q(unit__path__startswith=unit.path)
    today = timezone.localtime(now).date()
    end_today = cal.day_end(today) if cal.is_working_day(today) else now
    end_next = cal.day_end(cal.next_working_day(today))
    running = Q(paused_at__isnull=True)
    return (
        Dossier.objects.filter(paths, is_open=True, due_at__isnull=False)
        .exclude(status=DRAFT)
        .aggregate(
            overdue=Count("pk", filter=running & Q(due_at__lte=now)),
            due_today=Count("pk", filter=running & Q(due_at__gt=now, due_at__lte=end_today)),
            due_soon=Count("pk", filter=running & Q(due_at__gt=end_today, due_at__lte=end_next)),
            paused=Count("pk", filter=Q(paused_at__isnull=False)),
        )
    )


def _send_digests(now: dt.datetime, report: AlertReport) -> None:
    local = timezone.localtime(now)
    if local.hour < settings.ALERTS_DIGEST_HOUR:
        return
    today = local.date()
    grants = list(
        RoleGrant.objects.active(today)
        .filter(role=Role.LEADER, user__is_active=True)
        .select_related("unit")
        .order_by("user_id", "unit__path")
    )
    already = set(
        Alert.objects.filter(kind=AlertKind.DIGEST, day=today, user_id__in={g.user_id for g in grants}).values_list(
            "user_id", flat=True
        )
    )
    report.skipped += len(already)
    by_user: dict[int, list] = defaultdict(list)
    for grant in grants:
        if grant.user_id not in already:
            by_user[grant.user_id].append(grant.unit)
    for user_id, units in sorted(by_user.items()):
        cal = calendar_for_unit(units[0])
        if not cal.is_working_day(today):
            continue
        counts = digest_counts(units=units, now=now, cal=cal)
        with transaction.atomic():
            inserted = _insert_returning([(AlertKind.DIGEST, None, "", None, units[0].pk, user_id, today, 1, now)])
            if not inserted:
                report.skipped += 1
                continue
            note = (
                f"{', '.join(u.name for u in units)}: {counts['overdue']} hồ sơ quá hạn, "
                f"{counts['due_today']} đến hạn hôm nay, {counts['due_soon']} đến hạn ngày làm việc tới, "
                f"{counts['paused']} chờ công dân bổ sung."
            )
            report.messages += queue(
                payload={
                    "template": "alert_digest",
                    "source": f"alert:{inserted[0][0]}",
                    "user": user_id,
                    "recipients": _recipients_of([user_id]).get(user_id, []),
                    "values": {
                        "due": today.strftime("%d/%m/%Y"),
                        "note": note,
                        "track": settings.SITE_URL + reverse("workspace:worklist") + "?xem=overdue",
                    },
                }
            )
            report.digest += 1


def alerts_run(*, now: dt.datetime | None = None) -> AlertReport:
    """One pass of the alert job (see the module docstring). Safe to run at any time, as often as wanted,
    on as many machines as wanted: what was sent is never sent again. Returns the counts of alerts sent by
    this pass and of those skipped because they had been sent already."""
    now = now or timezone.now()
    report = AlertReport()
    _send_dossier_alerts(wanted_alerts(now=now), now, report)
    _send_digests(now, report)
    logger.info("alerts: %s", report.as_dict())
    return report
