"""The one door for state changes: `dossier_transition` (STYLE.md §4): lock, check version, role and unit,
apply what the workflow data says, record the event and its notices in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.calendars.engine import CalendarError, classify, extension_check, received_moment
from motcua.calendars.selectors import calendar_for_office
from motcua.catalog.selectors import deadline_rule
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import clean_text, parse_date, parse_uuid

from ..effects import forms_complete, forms_of_transition, forms_record
from ..locks import dossier_lock_children
from ..models import DRAFT, Attachment, Dossier
from ..rules import action_refusal, is_repeat_of_last_step, supplement_request_event
from ..selectors import actor_roles, dossier_get
from ..staffing import assignable_specialists
from ..workflow import Action, guards_check, load_workflow
from .attachments import _claim_attachments
from .events import event_append, notify_event
from .submission import _validated_form


def _supplement_check(*, dossier: Dossier, actor: User, ids: list, note: str) -> None:
    """Completing a supplement needs what the request asked for: a file for each document it listed; a
    request that listed none asked for information, so a note or a file. Never nothing."""
    request = supplement_request_event(dossier)
    asked = list((request.data or {}).get("documents", [])) if request else []
    names = list(
        Attachment.objects.filter(pk__in=[u for u in map(parse_uuid, ids or []) if u], owner=actor).values_list(
            "document_name", flat=True
        )
    )
    missing = [name for name in asked if name not in names]
    if missing:
        raise ValidationFailed(
            _("Hãy tải lên đủ giấy tờ được yêu cầu bổ sung: %(docs)s") % {"docs": "; ".join(missing)},
            fields={"attachments": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
            code="supplement_documents_missing",
        )
    if not asked and not names and not note:
        raise ValidationFailed(
            _("Hãy tải lên giấy tờ bổ sung hoặc ghi nội dung trả lời yêu cầu của cán bộ"),
            fields={"note": [_("Nhập nội dung bổ sung hoặc tải lên giấy tờ")]},
            code="supplement_empty",
        )


def _supplement_documents(dossier: Dossier, params: dict) -> list[str]:
    """The documents a supplement request lists, from the procedure's own list."""
    raw = params.get("documents") or []
    if isinstance(raw, str):
        raw = [raw]
    known = [d.name for d in dossier.procedure.documents.all()]
    chosen = [str(x).strip() for x in raw if str(x).strip()]
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise ValidationFailed(
            _("Chọn giấy tờ cần bổ sung trong danh sách thành phần hồ sơ của thủ tục"),
            fields={"documents": [_("Không có trong danh sách: %(d)s") % {"d": x} for x in unknown]},
        )
    return list(dict.fromkeys(chosen))


# Officers' notes and citizens' comments (TextFields): long enough for reasons, bounded all the same.
NOTE_MAX_LENGTH = 2000


# --- the one door for state changes ----------------------------------------------------------------------------
def _param(params: dict, name: str) -> str:
    value = params.get(name)
    return value.strip() if isinstance(value, str) else value


def _params_check(action: Action, params: dict) -> None:
    """Every param the action's data lists as required ("params") is given (its "missing" text says how)."""
    fields, first = {}, ""
    for param in action.params:
        if param.name in action.required_params and _param(params, param.name) in (None, "", []):
            message = _(param.missing) if param.missing else _("Nhập «%(p)s»") % {"p": _(param.label)}
            first = first or message
            fields[param.name] = [_("Bắt buộc")]
    if fields:
        raise ValidationFailed(first, fields=fields, code="param_required")


def _apply(
    action: Action, dossier: Dossier, *, actor: User, params: dict, note: str, now: dt.datetime, cal, prepared=None
) -> dict:
    """What the action's data asks for, by its clock, kind and effect; returns data to record in the
    event. Runs on the locked dossier inside the transition's transaction."""
    data: dict = {}
    if action.clock == "pause":
        dossier.paused_at = now
        dossier.return_state = dossier.status
        data["paused_at"] = now.isoformat()
    if action.once:
        setattr(dossier, action.once, getattr(dossier, action.once) + 1)
    if action.kind == "supplement_request":
        data["documents"] = _supplement_documents(dossier, params)
    if action.clock == "restart":
        _supplement_check(dossier=dossier, actor=actor, ids=params.get("attachments") or [], note=note)
        form = params.get("form")
        if form:
            dossier.form_data = _validated_form(dossier.procedure, form)
        _claim_attachments(owner=actor, dossier=dossier, ids=params.get("attachments") or [])
        # The clock being replaced, so readers of the log (the open-at-day-end statistics) know what moved.
        data.update(
            old_due=dossier.due_at.isoformat() if dossier.due_at else None,
            old_paused_at=dossier.paused_at.isoformat() if dossier.paused_at else None,
        )
        dossier.received_at = received_moment(cal, now)
        dossier.due_at = deadline_rule(dossier.procedure).due(cal, now)
        dossier.paused_at = None
        data.update(received_at=dossier.received_at.isoformat(), due_at=dossier.due_at.isoformat())
    if action.kind == "assign":
        username = _param(params, "assignee") or ""
        # The one rule, shared with the assignment dropdown (staffing.assignable_specialists).
        specialist = assignable_specialists(dossier=dossier).filter(username=username).first() if username else None
        if specialist is None:
            raise ValidationFailed(
                _("Chọn một chuyên viên của đơn vị giải quyết hồ sơ"),
                fields={"assignee": [_("Không phải chuyên viên của đơn vị")]},
                code="not_a_specialist",
            )
        dossier.assigned_to = specialist
        data["assignee"] = specialist.username
    if action.kind == "extend":
        new_day = parse_date(_param(params, "new_due") or "", any_year=True)  # extension_check says the bound
        if new_day is None:
            raise ValidationFailed(
                _("Nhập ngày hẹn mới dạng ngày/tháng/năm, ví dụ 15/12/2026"), fields={"new_due": [_("Ngày chưa đúng")]}
            )
        try:
            new_due = extension_check(cal, due_at=dossier.due_at, now=now, new_due=new_day, already_extended=False)
        except CalendarError as exc:
            raise ValidationFailed(str(exc), code=exc.code, fields={"new_due": [str(exc)]}) from exc
        from ..deadlines import extension_working_days

        data.update(
            old_due=dossier.due_at.isoformat(),
            new_due=new_due.isoformat(),
            # Its length in working days, so a later calendar change moves the new date like the rest.
            extra_working_days=extension_working_days(cal, old_due=dossier.due_at, new_due=new_due),
        )
        dossier.due_at = new_due
    if action.effect:
        from ..effects import EFFECTS

        extra = {"prepared": prepared} if prepared is not None else {}
        data.update(EFFECTS[action.effect](dossier, actor, now, **extra))
    if action.kind == "deliver":
        method = _param(params, "method") or ""
        choices = dict(next((p.choices for p in action.params if p.name == "method"), ()))
        if method not in choices:
            raise ValidationFailed(
                _("Chọn cách trả kết quả: tại quầy, qua bưu chính hoặc trực tuyến"),
                fields={"method": [_("Chọn cách trả")]},
            )
        dossier.return_method = method
        data["method"] = method
    return data


def _clean_note(note) -> str:
    """Notes and reasons are printed on forms 02–04 (supplement, refusal, apology): cleaned like every
    text, and refused when the PDF font cannot draw a character of them."""
    from motcua.core.glyphs import check_printable

    try:
        text = clean_text(note, max_length=NOTE_MAX_LENGTH, multiline=True, label=_("Nội dung"))
        return check_printable(text, label=_("Nội dung"))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"note": exc.messages}) from None


def _confirmed(step, params: dict) -> None:
    if step.confirm and params.get("confirm") not in (True, "1", "on", "true", "yes"):
        raise ValidationFailed(
            _("Xem bản xem trước rồi đánh dấu xác nhận nội dung trước khi «%(a)s»") % {"a": _(step.label)},
            fields={"confirm": [_("Đánh dấu xác nhận đã xem bản xem trước")]},
            code="confirm_required",
        )


def _prepare(*, code: str, action: str, actor: User, version: int, params: dict, now: dt.datetime):
    """Slow work an action's effect needs (render, sign, time-stamp), done before the write transaction
    on an unlocked read. The transaction then checks the version again: if the dossier changed in
    between, it answers 409 and the prepared work is dropped; if not, what was prepared is exactly
    what the locked row would produce."""
    from ..effects import PREPARE

    dossier = dossier_get(user=actor, code=code)
    if dossier.status == DRAFT or dossier.version != version:
        return None
    workflow = load_workflow(dossier.workflow)
    step = workflow.actions.get(action)
    if step is None or step.effect not in PREPARE:
        return None
    try:
        workflow.check(dossier.status, action, actor_roles(user=actor, dossier=dossier))
    except NotAllowed:
        return None  # the transaction raises the same answer
    _confirmed(step, params)
    return PREPARE[step.effect](dossier, actor, now)


# A second click on the same button arrives with the version the first click consumed.
def dossier_transition(
    *,
    code: str,
    action: str,
    actor: User,
    version: int,
    note: str = "",
    params: dict | None = None,
    now: dt.datetime | None = None,
    accept_repeat: bool = False,
) -> Dossier:
    """Apply a workflow action at the version the actor saw; everything it does is read from the
    dossier's workflow data (docs/dossiers.md). ``accept_repeat`` (pages): a second click on the same
    button returns the dossier as the first click left it instead of a 409; the API keeps 409.

    Raises ValidationFailed (422: version, note, params, confirmation), NotAllowed (422: state, role,
    once, window, assignee, guards), Conflict (409 stale_version), NotFound (404, also when forbidden).
    Locks (dossier_lock, in this order): the dossier row; the attachments it claims or stores; its
    results when the effect issues one; then the register counter of a receipt. Slow work (rendering,
    signing, time-stamping) is prepared before, outside the durable transaction, and the forms are
    rendered after the commit."""
    params = params or {}
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        # Pages send the version they showed; none (or garbage, read as 0) means the page itself is wrong.
        raise ValidationFailed(
            _("Trang đang mở đã cũ hoặc không hợp lệ (thiếu số phiên bản hồ sơ). Hãy tải lại trang rồi thao tác lại."),
            code="invalid_version",
            fields={"version": [_("Thiếu hoặc sai số phiên bản; hãy tải lại trang")]},
        )
    note = _clean_note(note)
    now = now or timezone.now()
    prepared = _prepare(code=code, action=action, actor=actor, version=version, params=params, now=now)
    with transaction.atomic(durable=True):
        dossier = dossier_get(user=actor, code=code, for_update=True)
        if dossier.status == DRAFT:
            raise NotFound(_("Không tìm thấy hồ sơ này"))
        if dossier.version != version:
            if accept_repeat and is_repeat_of_last_step(
                current_version=dossier.version,
                events=dossier.events,
                action=action,
                actor=actor,
                version=version,
                now=now,
            ):
                return dossier  # a double click: the first click's outcome, nothing written twice
            raise Conflict(
                _("Hồ sơ vừa được người khác cập nhật (phiên bản %(v)s). Hãy tải lại trang và thử lại.")
                % {"v": dossier.version},
                code="stale_version",
            )
        workflow = load_workflow(dossier.workflow)
        roles = actor_roles(user=actor, dossier=dossier)
        step = workflow.check(dossier.status, action, roles)
        cal = calendar_for_office(dossier.office)
        refusal = action_refusal(dossier=dossier, action=step, user_id=actor.pk, now=now, calendar=cal)
        if refusal is not None:
            raise refusal
        _confirmed(step, params)
        if step.note_required and not note:
            raise ValidationFailed(
                _("Nhập nội dung (lý do, ý kiến hoặc giấy tờ cần bổ sung)"),
                fields={"note": [_("Bắt buộc")]},
                code="note_required",
            )
        _params_check(step, params)
        guards_check(step, dossier=dossier, actor=actor, params=params, now=now)
        from ..effects import LOCKS

        dossier_lock_children(
            dossier,
            attachments=step.clock == "restart" or "attachments" in LOCKS.get(step.effect, ()),
            results="results" in LOCKS.get(step.effect, ()),
        )
        before = dossier.status
        data = _apply(step, dossier, actor=actor, params=params, note=note, now=now, cal=cal, prepared=prepared)
        if step.target == "@return":
            target = dossier.return_state or workflow.resume_state
            dossier.return_state = ""
        elif step.target == "@same":
            target = before
        else:
            target = step.target
        state = workflow.states[target]
        dossier.status = target
        if state.final:
            dossier.is_open = False
            dossier.finished_at = now
            dossier.outcome = state.outcome
            if state.outcome == "completed":
                dossier.timeliness = classify(cal, finished_at=now, due_at=dossier.due_at)
                data["timeliness"] = dossier.timeliness
        dossier.version += 1
        dossier.save()
        role = next((r for r in step.roles if r in roles), "")
        event = event_append(
            dossier=dossier,
            action=action,
            actor=actor,
            role=role,
            from_status=before,
            to_status=target,
            note=note,
            data=data,
            at=now,
        )
        notify_event(dossier=dossier, event=event, workflow=workflow)
        form_ids = forms_record(
            dossier=dossier, event=event, forms=forms_of_transition(workflow=workflow, form=step.form, target=target)
        )
    # Forms are rendered and signed after the commit, from what was frozen with the event.
    forms_complete(form_ids)
    return dossier
