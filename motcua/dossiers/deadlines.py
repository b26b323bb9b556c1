"""Deadlines after the fact (issue 13, kind 5): when the working calendar of a place changes (a typhoon
closure added, a make-up day removed…), the open dossiers it touches get their due moment recomputed,
an event in their log saying why, and a message to the citizen.

The due moment is a function of facts that do not change (when the clock last started, the procedure's
rule, an extension's length in working days) and of the calendar, which may. Recomputing is therefore
idempotent: a run that is repeated, resumed after a crash, or overtaken by another run changes nothing
twice and writes an event only when a date really moves. Runs are processed by a background task in
batches, each batch its own short transaction, with a checkpoint so a stopped worker resumes.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.calendars.engine import VN_TZ, WorkingCalendar, received_moment
from motcua.calendars.selectors import calendar_for_office
from motcua.catalog.selectors import deadline_rule

from .models import DRAFT, Dossier, DossierEvent, DueRecalculation, RecalculationStatus
from .workflow import load_workflow

logger = logging.getLogger(__name__)
BATCH = 200
RECALCULATE = "recalculate_due"
SYSTEM_ROLE = "system"


# --- what the due moment should be, by the calendar as it is now --------------------------------------
def _restart_actions(dossier: Dossier) -> list[str]:
    workflow = load_workflow(dossier.workflow)
    return [a.name for a in workflow.actions.values() if a.clock == "restart"]


def _extend_actions(dossier: Dossier) -> list[str]:
    workflow = load_workflow(dossier.workflow)
    return [a.name for a in workflow.actions.values() if a.kind == "extend"]


def clock_events(dossiers) -> dict[int, list[DossierEvent]]:
    """The events that shape the deadline (clock restarts, extensions) of several dossiers, in one query."""
    names = {name for d in dossiers for name in (*_restart_actions(d), *_extend_actions(d))}
    found: dict[int, list[DossierEvent]] = {d.pk: [] for d in dossiers}
    rows = DossierEvent.objects.filter(dossier__in=[d.pk for d in dossiers], action__in=names).order_by("seq")
    for event in rows.only("dossier_id", "seq", "action", "created_at", "data"):
        found[event.dossier_id].append(event)
    return found


def clock_started(dossier: Dossier, events: list[DossierEvent] | None = None) -> tuple[dt.datetime, int]:
    """When the processing clock last started and the event seq it started at: the submission, or the
    last action that restarts the clock (a completed supplement, DOMAIN.md §4.3)."""
    events = clock_events([dossier])[dossier.pk] if events is None else events
    restarts = set(_restart_actions(dossier))
    last = next((e for e in reversed(events) if e.action in restarts), None)
    if last is not None:
        return last.created_at, last.seq
    return dossier.submitted_at, 0


def extension_working_days(cal: WorkingCalendar, *, old_due: dt.datetime, new_due: dt.datetime) -> int:
    """How many working days an apology added to the due day; recorded with the extension so the new date
    can follow a later calendar change like the rest of the deadline."""
    day, target, count = cal.local(old_due).date(), cal.local(new_due).date(), 0
    while day < target:
        day = cal.next_working_day(day)
        count += 1
    return count


def expected_deadline(
    dossier: Dossier, cal: WorkingCalendar, events: list[DossierEvent] | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """(received_at, due_at) of an open, running dossier by this calendar."""
    events = clock_events([dossier])[dossier.pk] if events is None else events
    anchor, since = clock_started(dossier, events)
    received = received_moment(cal, anchor)
    due = deadline_rule(dossier.procedure).due(cal, anchor)
    extends = set(_extend_actions(dossier))
    extension = next((e for e in reversed(events) if e.action in extends and e.seq > since), None)
    if extension is not None:
        extra = extension.data.get("extra_working_days")
        if isinstance(extra, int) and extra > 0:
            day = cal.local(due).date()
            for _step in range(extra):
                day = cal.next_working_day(day)
            due = cal.day_end(day)
        else:
            # Recorded before extensions kept their length: keep the promised date, moved to the end of
            # the next working day if it is no longer one.
            promised = dt.datetime.fromisoformat(extension.data["new_due"])
            day = cal.local(promised).date()
            if not cal.is_working_day(day):
                promised = cal.day_end(cal.next_working_day(day))
            due = max(due, promised)
    return received, due


# --- runs --------------------------------------------------------------------------------------------------
def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VN_TZ)
    return start, start + dt.timedelta(days=1)


def candidates(run: DueRecalculation) -> QuerySet[Dossier]:
    """Open dossiers whose deadline computation could have looked at the changed day: the clock started by
    the end of that day and the due moment is not before it. Paused dossiers are left alone: their
    clock restarts from zero when the citizen completes the dossier, on the calendar of that day."""
    start, end = _day_bounds(run.day)
    qs = (
        Dossier.objects.filter(is_open=True, paused_at__isnull=True, submitted_at__lt=end, due_at__gte=start)
        .exclude(status=DRAFT)
        .order_by("pk")
    )
    if run.unit_id is not None:
        qs = qs.filter(office__unit__path__startswith=run.unit.path)
    return qs


def calendar_changed(*, day: dt.date, unit, reason: str, actor=None) -> DueRecalculation:
    """Record that the calendar of `unit` (None: nationwide) changed on `day` and queue the recalculation
    of the open dossiers it touches, after the change commits."""
    run = DueRecalculation(day=day, unit=unit, reason=reason[:300], requested_by=actor)
    run.total = candidates(run).count()
    if run.total == 0:
        run.status, run.finished_at = RecalculationStatus.DONE, timezone.now()
    run.save()
    if run.total:
        run_id = run.pk
        transaction.on_commit(lambda: _enqueue(run_id))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import recalculate_due

    recalculate_due.enqueue(run_id)


def calendar_change_reason(*, day: dt.date, kind: str, name: str, removed: bool = False) -> str:
    """The sentence written in each dossier's log and sent to the citizen (stored in Vietnamese)."""
    from motcua.calendars.models import OverrideKind

    with translation.override("vi"):
        values = {"d": f"{day:%d/%m/%Y}", "name": name}
        if removed:
            if kind == OverrideKind.DAY_OFF:
                return _("lịch làm việc thay đổi: ngày %(d)s không còn là ngày nghỉ (%(name)s)") % values
            return _("lịch làm việc thay đổi: ngày %(d)s không còn là ngày làm việc bù (%(name)s)") % values
        if kind == OverrideKind.DAY_OFF:
            return _("lịch làm việc thay đổi: ngày %(d)s là ngày nghỉ (%(name)s)") % values
        return _("lịch làm việc thay đổi: ngày %(d)s là ngày làm việc bù (%(name)s)") % values


def calendar_follow(*, day: dt.date, unit, kind: str, name: str, removed: bool, actor=None) -> DueRecalculation:
    """calendars.followers' ``changed``: a day of the unit's calendar changed; queue the recalculation."""
    reason = calendar_change_reason(day=day, kind=kind, name=name, removed=removed)
    return calendar_changed(day=day, unit=unit, reason=reason, actor=actor)


def recalculation_message(run: DueRecalculation | None) -> str:
    """What the administrator is told, truthfully: done already, or still running for N dossiers."""
    if run is None or run.total == 0:
        return _("Không có hồ sơ đang giải quyết nào bị ảnh hưởng.")
    run.refresh_from_db()
    if run.status == RecalculationStatus.DONE:
        return _("Đã tính lại hạn của %(n)s hồ sơ đang giải quyết; %(m)s hồ sơ đổi hạn và công dân đã được báo.") % {
            "n": run.processed,
            "m": run.changed,
        }
    return _(
        "Đang tính lại hạn của %(n)s hồ sơ đang giải quyết có thể bị ảnh hưởng; xem tiến độ trong bảng «Tính lại hạn»."
    ) % {"n": run.total}


def recalculation_process(*, run_id: int, batch: int = BATCH) -> DueRecalculation | None:
    """Work through a run in batches (each its own transaction, with a checkpoint). Safe to call twice
    or concurrently: each dossier is locked, recomputed from facts, and changed only if its date moves."""
    run = DueRecalculation.objects.select_related("unit").filter(pk=run_id).first()
    if run is None or run.status == RecalculationStatus.DONE:
        return run
    DueRecalculation.objects.filter(pk=run.pk).update(status=RecalculationStatus.RUNNING)
    calendars: dict[int, WorkingCalendar] = {}
    while True:
        run.refresh_from_db(fields=["last_pk"])
        ids = list(candidates(run).filter(pk__gt=run.last_pk).values_list("pk", flat=True)[:batch])
        if not ids:
            break
        changed = 0
        with transaction.atomic():
            # One query locks the batch (in id order, as everywhere), one reads the events that matter.
            dossiers = list(
                Dossier.objects.select_for_update(of=("self",))
                .select_related("procedure", "office__unit", "citizen")
                .filter(pk__in=ids, is_open=True, paused_at__isnull=True)
                .exclude(status=DRAFT)
                .order_by("pk")
            )
            events = clock_events(dossiers)
            for dossier in dossiers:
                changed += _recalculate_one(dossier, events[dossier.pk], run, calendars)
            DueRecalculation.objects.filter(pk=run.pk).update(
                processed=F("processed") + len(ids), changed=F("changed") + changed, last_pk=ids[-1]
            )
    DueRecalculation.objects.filter(pk=run.pk).update(status=RecalculationStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    logger.info("due recalculation %s: %s checked, %s moved", run.pk, run.processed, run.changed)
    return run


def _recalculate_one(
    dossier: Dossier, events: list[DossierEvent], run: DueRecalculation, calendars: dict[int, WorkingCalendar]
) -> int:
    """Recompute one locked dossier; 1 if its dates moved (new version, event, notice), else 0."""
    from .services.events import event_append, notify_event

    cal = calendars.get(dossier.office_id)
    if cal is None:
        cal = calendars[dossier.office_id] = calendar_for_office(dossier.office)
    received, due = expected_deadline(dossier, cal, events)
    if received == dossier.received_at and due == dossier.due_at:
        return 0
    old_due = dossier.due_at
    data = {
        "old_due": cal.local(dossier.due_at).isoformat(),
        "new_due": cal.local(due).isoformat(),
        "old_received": cal.local(dossier.received_at).isoformat(),
        "new_received": cal.local(received).isoformat(),
        "calendar_day": run.day.isoformat(),
        "recalculation": run.pk,
    }
    dossier.received_at, dossier.due_at = received, due
    dossier.version += 1
    dossier.save(update_fields=["received_at", "due_at", "version", "updated_at"])
    event = event_append(
        dossier=dossier,
        action=RECALCULATE,
        actor=None,
        role=SYSTEM_ROLE,
        from_status=dossier.status,
        to_status=dossier.status,
        note=run.reason,
        data=data,
    )
    if due != old_due:
        notify_event(dossier=dossier, event=event)
    return 1


def recalculations_pending() -> QuerySet[DueRecalculation]:
    return DueRecalculation.objects.exclude(status=RecalculationStatus.DONE).order_by("pk")
