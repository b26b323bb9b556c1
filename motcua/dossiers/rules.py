"""Rules about a dossier read by both sides: the service that applies an action and the selectors
that list the buttons. One answer to "may this action be taken now", so a button is never shown for
an action the service would refuse, nor hidden for one it would accept."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import NotAllowed
from motcua.core.repeats import REPEAT_WINDOW

from .workflow import Action, Workflow


def action_refusal(
    *, dossier, action: Action, user_id: int | None, now: dt.datetime, calendar=None
) -> NotAllowed | None:
    """Why ``action`` may not be taken on ``dossier`` now by the user (None when it may), beyond the
    workflow's state and role check (Workflow.check): the action's ``once`` limit (Decree 61/2018
    Art. 15: one supplement request, one apology), its window in working days from receipt
    (``within_working_days``, Decree 61/2018 Art. 16) and ``assignee_only``. ``calendar`` is the
    office's WorkingCalendar (read from the database when not given and the window needs it)."""
    if action.once and getattr(dossier, action.once) >= 1:
        return NotAllowed(_(action.once_message or "Thao tác này chỉ được làm một lần"), code="only_once")
    if action.within_working_days and dossier.received_at:
        from motcua.calendars.engine import due_working_days

        if calendar is None:
            from motcua.calendars.selectors import calendar_for_office

            calendar = calendar_for_office(dossier.office)
        latest = due_working_days(calendar, dossier.received_at, action.within_working_days)
        if now > latest:
            return NotAllowed(
                _(
                    "Chỉ được «%(a)s» trong %(n)s ngày làm việc kể từ khi tiếp nhận (đến %(t)s); "
                    "nay hãy giải quyết hoặc xin lỗi và hẹn lại"
                )
                % {
                    "a": _(action.label),
                    "n": action.within_working_days,
                    "t": timezone.localtime(latest).strftime("%H:%M %d/%m/%Y"),
                },
                code="too_late",
            )
    if action.assignee_only and dossier.assigned_to_id != user_id:
        return NotAllowed(_("Chỉ chuyên viên được phân công mới thẩm định hồ sơ này"), code="not_assignee")
    return None


def actions_open_to(*, dossier, workflow: Workflow, roles: set[str], user_id: int | None, now=None) -> list[Action]:
    """The actions the user (with these roles on the dossier's unit) may take now: the buttons."""
    now = now or timezone.now()
    calendar = None
    found = []
    for action in workflow.available(dossier.status, roles):
        if action.within_working_days and calendar is None:
            from motcua.calendars.selectors import calendar_for_office

            calendar = calendar_for_office(dossier.office)
        if action_refusal(dossier=dossier, action=action, user_id=user_id, now=now, calendar=calendar) is None:
            found.append(action)
    return found


def supplement_request_event(dossier, workflow: Workflow | None = None):
    """The latest event of an action of kind "supplement_request" (what the citizen was asked for)."""
    from .workflow import load_workflow

    workflow = workflow or load_workflow(dossier.workflow)
    names = [a.name for a in workflow.actions.values() if a.kind == "supplement_request"]
    return dossier.events.filter(action__in=names).order_by("-seq").first() if names else None


def state_due(dossier, events) -> dt.datetime | None:
    """When the dossier should leave its current state, if the workflow gives the state its own limit
    (``sla_hours`` working hours, e.g. 4 h to check an online submission, Decree 61/2018 Art. 15):
    counted by the office's calendar from the event that entered the state. ``events`` is the dossier's
    log in order (already read by the page). None when the state has no limit or the dossier is closed."""
    state = dossier.state
    if state is None or not state.sla_hours or not dossier.is_open:
        return None
    entered = next((e.created_at for e in reversed(list(events)) if e.to_status == dossier.status), None)
    if entered is None:
        return None
    from motcua.calendars.engine import add_working_time
    from motcua.calendars.selectors import calendar_for_office

    return add_working_time(calendar_for_office(dossier.office), entered, dt.timedelta(hours=state.sla_hours))


def is_repeat_of_last_step(*, current_version: int, events, action: str, actor, version: int, now) -> bool:
    """True when a request repeats the step just taken on a versioned item (a dossier or a feedback item): it
    moved exactly one version past the one sent, by this actor's same action, within REPEAT_WINDOW. Anything
    else (another person, another action, an older version) stays a 409 conflict. ``events``: the item's
    event log (a queryset with ``seq``, ``action``, ``actor_id``, ``created_at``)."""
    if current_version != version + 1:
        return False
    last = events.order_by("-seq").only("action", "actor_id", "created_at").first()
    return (
        last is not None
        and last.action == action
        and last.actor_id == actor.pk
        and abs(now - last.created_at) <= REPEAT_WINDOW
    )
