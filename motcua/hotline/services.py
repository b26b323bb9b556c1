"""Writes for the hotline log (issue 19, point 2; DOMAIN.md §14): record a call, keep the roster, mask
callers' numbers after the retention period, and turn a call into an assisted dossier or a feedback item.

Who: a **duty officer** is any officer (intake, specialist, leader, unit or province administrator) of the
call's unit or a unit above it; the roster is kept by the unit's leaders and administrators. Anyone else
gets NotFound, as for a unit that does not exist (the same 404 as elsewhere)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import ADMIN_ROLES, OFFICER_ROLES, Role
from motcua.accounts.selectors import user_has_role
from motcua.core.errors import NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import clean_text
from motcua.core.logging import mask_phone
from motcua.core.repeats import earlier_request

from .models import RETENTION_DAYS, Call, DutyShift, Outcome, Shift, Topic

ROSTER_ROLES = frozenset({Role.LEADER, *ADMIN_ROLES})


def can_take_calls(*, user, unit) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user=user, role=OFFICER_ROLES, unit=unit)


def can_keep_roster(*, user, unit) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user=user, role=ROSTER_ROLES, unit=unit)


def clean_caller_phone(value) -> str:
    """A caller's number as dialled: mobile or landline, +84/84 prefixes, spaces and dots accepted →
    "0912345678". Raises ValidationError."""
    from motcua.accounts.identity import normalize_phone

    phone = normalize_phone(str(value or ""))
    if not phone:
        raise ValidationError(_("Nhập số điện thoại người gọi"), code="required")
    if not re.fullmatch(r"0[0-9]{8,10}", phone):
        raise ValidationError(
            _("Số điện thoại người gọi gồm 9 đến 11 chữ số và bắt đầu bằng 0, ví dụ 0912 345 678"), code="invalid"
        )
    return phone


def call_record(
    *,
    officer,
    unit,
    caller_phone: str,
    topic: str,
    summary: str,
    outcome: str,
    received_at: dt.datetime | None = None,
    caller_name: str = "",
    procedure_code: str = "",
    follow_up: str = "",
    now: dt.datetime | None = None,
) -> Call:
    """Record one call on `unit`'s hotline. `received_at` defaults to now and may not be in the future
    (5 minutes of clock slack) nor before the retention period; an outcome "follow_up" needs the
    follow-up written down; "feedback" and "assisted" are set by the one-step conversions, not here.
    The same call recorded again by the same officer within core.repeats.REPEAT_WINDOW returns the first record.
    Locks: the officer's user row. Raises NotFound (not a duty officer of the unit) or ValidationFailed with
    `fields`."""
    now = now or timezone.now()
    if unit is None or not can_take_calls(user=officer, unit=unit):
        raise NotFound(_("Không tìm thấy địa bàn này"))
    errors: dict[str, list[str]] = {}
    try:
        caller_phone = clean_caller_phone(caller_phone)
    except ValidationError as exc:
        errors["caller_phone"] = exc.messages
    if topic not in Topic.values:
        errors["topic"] = [_("Chọn chủ đề cuộc gọi")]
    if outcome not in (Outcome.ANSWERED, Outcome.FOLLOW_UP, Outcome.TRANSFERRED):
        errors["outcome"] = [_("Chọn kết quả cuộc gọi")]
    texts = {}
    for field, limit, label, required in (
        ("summary", 4000, _("Nội dung cuộc gọi"), True),
        ("caller_name", 150, _("Tên người gọi"), False),
        ("follow_up", 2000, _("Việc cần làm tiếp"), False),
    ):
        value = {"summary": summary, "caller_name": caller_name, "follow_up": follow_up}[field]
        try:
            texts[field] = clean_text(
                value, max_length=limit, required=required, multiline=field != "caller_name", label=label
            )
        except ValidationError as exc:
            errors[field] = exc.messages
    if outcome == Outcome.FOLLOW_UP and not texts.get("follow_up") and "follow_up" not in errors:
        errors["follow_up"] = [_("Ghi việc cần làm tiếp khi cuộc gọi cần xử lý tiếp")]
    given_time = received_at is not None
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = [_("Thời điểm gọi không được ở tương lai")]
    elif received_at < now - dt.timedelta(days=RETENTION_DAYS):
        errors["received_at"] = [_("Chỉ ghi cuộc gọi trong %(n)s ngày gần đây") % {"n": RETENTION_DAYS}]
    procedure = None
    if procedure_code:
        from motcua.catalog.selectors import procedure_current

        procedure = procedure_current(code=str(procedure_code).strip())
        if procedure is None:
            errors["procedure"] = [_("Chọn thủ tục trong danh sách hoặc để trống")]
    if errors:
        raise ValidationFailed(_("Thông tin cuộc gọi chưa đúng; hãy sửa các ô được đánh dấu"), fields=errors)
    with transaction.atomic():
        # The officer's row serialises their own requests: a double click (or a retried API call) with the same
        # call finds the first one and records nothing twice.
        earlier = Call.objects.filter(
            unit=unit, officer=officer, caller_phone=caller_phone, topic=topic, summary=texts["summary"]
        )
        if given_time:  # a time typed on the form or sent by the API must match too (two calls, same words)
            earlier = earlier.filter(received_at=received_at)
        earlier = earlier_request(earlier, user=officer)
        if earlier is not None:
            return earlier
        return Call.objects.create(
            unit=unit,
            received_at=received_at,
            caller_phone=caller_phone,
            caller_name=texts["caller_name"],
            topic=topic,
            procedure=procedure,
            summary=texts["summary"],
            outcome=outcome,
            follow_up=texts["follow_up"],
            officer=officer,
        )


def calls_mask_expired(*, now: dt.datetime | None = None) -> int:
    """Mask the caller's number of every call received more than RETENTION_DAYS ago ("091****678"),
    once: masked calls are skipped, so running it twice (or on two machines) changes nothing more.
    Returns the number of calls masked by this run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=RETENTION_DAYS)
    masked = 0
    while True:
        with transaction.atomic():
            batch = list(
                Call.objects.filter(phone_masked_at__isnull=True, received_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .order_by("pk")[:500]
            )
            if not batch:
                return masked
            for call in batch:
                call.caller_phone = mask_phone(call.caller_phone)
                call.phone_masked_at = now
            Call.objects.bulk_update(batch, ["caller_phone", "phone_masked_at"])
            masked += len(batch)


def shift_assign(*, manager, unit, date: dt.date, shift: str, officer) -> DutyShift:
    """Put `officer` on `unit`'s hotline for one shift (replacing whoever was there). The manager is a
    leader or administrator of the unit; the officer must serve the unit. Raises NotFound or
    ValidationFailed."""
    if unit is None or not can_keep_roster(user=manager, unit=unit):
        raise NotFound(_("Không tìm thấy địa bàn này"))
    errors = {}
    if shift not in Shift.values:
        errors["shift"] = [_("Chọn ca trực: ca ngày hoặc ca đêm")]
    if not isinstance(date, dt.date):
        errors["date"] = [_("Nhập ngày trực")]
    if officer is None or not can_take_calls(user=officer, unit=unit):
        errors["officer"] = [_("Chọn một cán bộ của địa bàn")]
    if errors:
        raise ValidationFailed(_("Ca trực chưa đúng; hãy sửa các ô được đánh dấu"), fields=errors)
    row, _created = DutyShift.objects.update_or_create(
        unit=unit, date=date, shift=shift, defaults={"officer": officer, "assigned_by": manager}
    )
    return row


def shift_clear(*, manager, unit, date: dt.date, shift: str) -> int:
    if unit is None or not can_keep_roster(user=manager, unit=unit):
        raise NotFound(_("Không tìm thấy địa bàn này"))
    return DutyShift.objects.filter(unit=unit, date=date, shift=shift).delete()[0]


def _call_for_conversion(*, officer, call_id: int) -> Call:
    from .selectors import call_get

    call = call_get(user=officer, call_id=call_id)
    if call.feedback_code or call.dossier_id:
        raise NotAllowed(_("Cuộc gọi này đã được chuyển thành phản ánh hoặc hồ sơ"), code="already_converted")
    if call.phone_masked_at is not None:
        raise NotAllowed(_("Cuộc gọi đã quá thời hạn lưu số điện thoại; không chuyển được nữa"), code="too_late")
    return call


def call_to_assisted(*, officer, call_id: int, citizen_id: str, full_name: str = "", birth_date=None, gender: str = ""):
    """One step from a call to an assisted dossier (motcua.dossiers.assisted): a draft in the caller's name
    for the call's procedure, with the caller's phone (the citizen confirms with a code sent there), and
    the call marked "assisted" with the draft linked. Returns the draft. Raises NotFound, NotAllowed
    (already converted, procedure not online, the officer may not assist: only intake officers do) or
    ValidationFailed (no procedure on the call, citizen details)."""
    from motcua.dossiers.assisted import assisted_start, can_assist

    call = _call_for_conversion(officer=officer, call_id=call_id)
    if not can_assist(user=officer):
        raise NotAllowed(_("Chỉ công chức tiếp nhận hỗ trợ công dân nộp hồ sơ"), code="not_an_intake_officer")
    if call.procedure is None:
        raise ValidationFailed(
            _("Cuộc gọi chưa ghi thủ tục; hãy ghi thủ tục trước khi tạo hồ sơ"),
            fields={"procedure": [_("Chọn thủ tục công dân cần nộp")]},
        )
    # assisted_start runs its own transactions (submission services): outside any transaction here.
    draft = assisted_start(
        helper=officer,
        procedure_code=call.procedure.code,
        citizen_id=citizen_id,
        full_name=full_name,
        birth_date=birth_date,
        gender=gender,
        phone=call.caller_phone,
    )
    linked = Call.objects.filter(pk=call.pk, dossier__isnull=True, feedback_code="").update(
        dossier=draft, outcome=Outcome.ASSISTED
    )
    if not linked:  # another click won the race: its draft stays linked; this one is left to the helper's list
        raise NotAllowed(_("Cuộc gọi này đã được chuyển thành phản ánh hoặc hồ sơ"), code="already_converted")
    return draft


def feedback_available() -> bool:
    try:
        from motcua.feedback.services import feedback_submit  # noqa: F401
    except ImportError:
        return False
    return True


def call_to_feedback(*, officer, call_id: int, category: str, subject: str, text: str = ""):
    """One step from a call to a feedback item (phản ánh, kiến nghị) on channel "hotline", through the
    feedback app's `feedback_submit`; the call is marked "feedback" with the item's code. Raises NotFound,
    NotAllowed (already converted; feedback app not installed: code "feedback_unavailable") or the
    feedback service's own errors."""
    call = _call_for_conversion(officer=officer, call_id=call_id)
    try:
        from motcua.feedback.services import feedback_submit
    except ImportError:
        raise NotAllowed(_("Chức năng phản ánh, kiến nghị chưa sẵn sàng"), code="feedback_unavailable") from None
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.feedback_code or locked.dossier_id:
            raise NotAllowed(_("Cuộc gọi này đã được chuyển thành phản ánh hoặc hồ sơ"), code="already_converted")
        item = feedback_submit(
            category=category,
            subject=subject,
            text=text or call.summary,
            unit=call.unit,
            procedure=call.procedure,
            phone=call.caller_phone,
            channel="hotline",
            sender_name=call.caller_name,
        )
        locked.feedback_code = item.code
        locked.outcome = Outcome.FEEDBACK
        locked.save(update_fields=["feedback_code", "outcome"])
    return item


def call_follow_up_done(*, officer, call_id: int, result: str) -> Call:
    """Mark a call's follow-up as done with what came of it (≤ 2000 characters, required). Any officer who
    sees the call may do it; a second click (or a colleague at the same moment) finds it done and changes
    nothing. Raises NotFound (not visible), NotAllowed (the call needs no follow-up: code
    "no_follow_up"), ValidationFailed (``fields.result``)."""
    from .selectors import call_get

    call = call_get(user=officer, call_id=call_id)
    try:
        result = clean_text(result, max_length=2000, multiline=True, label=_("Kết quả xử lý tiếp"))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"result": exc.messages}) from None
    if not result:
        message = _("Ghi kết quả xử lý tiếp (đã gọi lại, đã hướng dẫn…)")
        raise ValidationFailed(message, fields={"result": [message]}, code="result_required")
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.outcome != Outcome.FOLLOW_UP:
            raise NotAllowed(_("Cuộc gọi này không có việc cần làm tiếp"), code="no_follow_up")
        if locked.follow_up_done_at is None:
            locked.follow_up_done_at = timezone.now()
            locked.follow_up_done_by = officer
            locked.follow_up_result = result
            locked.save(update_fields=["follow_up_done_at", "follow_up_done_by", "follow_up_result"])
    return locked
