"""Writes for feedback and petitions (PAKN): submission, the one door for state changes, escalation of
overdue items, the sender's rating of the answer, and the anonymised public text.

Legal frame (DOMAIN.md §8, §14): Decision 766/QĐ-TTg group 5 counts feedback handled on time: refuse within
2 working days, ask for more within 5, answer within 15 (extendable once), publish within 2 after
answering. The numbers are data in ``feedback/workflows/feedback-<n>.json``; days are counted by the
calendar app (holidays, make-up days, office overrides)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.identity import validate_phone
from motcua.accounts.models import OFFICER_ROLES, Role, User
from motcua.accounts.selectors import roles_on, users_with_role_on
from motcua.calendars.engine import due_working_days, received_moment
from motcua.calendars.selectors import calendar_for_unit
from motcua.catalog.models import Procedure
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import clean_text, parse_uuid
from motcua.core.repeats import earlier_request
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.rules import action_refusal, is_repeat_of_last_step
from motcua.dossiers.uploads import check_upload, display_name
from motcua.dossiers.workflow import CITIZEN, Action, guards_check
from motcua.places.models import AdministrativeUnit, Office

from .models import Category, Feedback, FeedbackAttachment, FeedbackChannel, FeedbackCounter, FeedbackEvent
from .workflow import DEFAULT_WORKFLOW, FeedbackWorkflow, feedback_workflow

SUBJECT_MAX = 200
TEXT_MAX = 5000
# The same account sending the same item again within this time is a repeat (double click, retry).
REPEAT_WINDOW = dt.timedelta(minutes=10)
NOTE_MAX = 5000
MAX_ATTACHMENTS = 5


def _clean(value, *, field: str, label: str, max_length: int, multiline: bool = False, required: bool = True) -> str:
    try:
        return clean_text(value, max_length=max_length, required=required, multiline=multiline, label=label)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={field: exc.messages}) from None


def feedback_clean_content(*, subject: str, text: str) -> tuple[str, str]:
    """The subject and text as `feedback_submit` stores them (NFC, trimmed, checked). ValidationFailed."""
    return (
        _clean(subject, field="subject", label=_("Tiêu đề"), max_length=SUBJECT_MAX),
        _clean(text, field="text", label=_("Nội dung"), max_length=TEXT_MAX, multiline=True),
    )


def feedback_dossier_for_visitor(*, phone: str, code: str, ip_address: str | None):
    """The dossier a visitor (phone not yet confirmed) names on the form, or None. Throttled on public
    tracking's counters (purpose ``track``: per dossier code and per address), because a "not found" here
    answers the same question as /tra-cuu — was this dossier filed with this phone? Raises RateLimited (429)."""
    from motcua.accounts.throttle import throttle_check, throttle_record

    from .selectors import dossier_named_by

    code = (code or "").strip()
    if not code:
        return None
    key = code.upper()
    throttle_check(purpose="track", key=key, ip_address=ip_address)
    dossier = dossier_named_by(user=None, phone=phone, code=code)
    if dossier is None:
        throttle_record(purpose="track", key=key, ip_address=ip_address, succeeded=False)
    return dossier


def next_feedback_code(*, day: dt.date) -> str:
    """`PA-<YYMMDD>-<NNNN>` from a per-day counter: one statement (insert or increment, returning the new
    value) takes the counter row's lock until the commit; call it last in the creating transaction."""
    table = FeedbackCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 — our table name
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        number = cursor.fetchone()[0]
    return f"PA-{day:%y%m%d}-{number:04d}"


def _unit_for(*, unit, dossier, sender) -> AdministrativeUnit:
    """Where the item is handled: the given unit, else the dossier's, else the office of the sender's commune,
    else the first one-stop office's commune."""
    if unit is not None:
        return unit
    if dossier is not None:
        return dossier.unit
    offices = Office.objects.filter(is_active=True).select_related("unit").order_by("pk")
    profile = getattr(sender, "citizen", None) if sender is not None else None
    address = getattr(profile, "address_unit", None)
    if address is not None:
        for office in offices:
            if address.path.startswith(office.unit.path):
                return office.unit
    office = offices.first()
    if office is None:
        raise ValidationFailed(_("Chưa có cơ quan nào tiếp nhận phản ánh"), code="no_unit")
    return office.unit


def attachment_check(*, upload) -> None:
    """The upload checks alone (type by content, size, active content), nothing stored."""
    check_upload(upload)


def attachments_prune(*, older_than: dt.timedelta = dt.timedelta(days=1), now: dt.datetime | None = None) -> int:
    """Files uploaded with a form whose phone was never confirmed: removed, with their stored file, a day on."""
    now = now or timezone.now()
    count = 0
    for row in FeedbackAttachment.objects.filter(feedback__isnull=True, created_at__lt=now - older_than):
        row.file.delete(save=False)
        row.delete()
        count += 1
    return count


def attachment_store(*, upload) -> FeedbackAttachment:
    """Check a file like every dossier upload (dossiers/uploads.py: type by content, size, active content)
    and keep it, not yet linked to an item. Raises 413/415/422 with a Vietnamese message."""
    inspected = check_upload(upload)
    row = FeedbackAttachment(
        original_name=display_name(upload.name, inspected.extension),
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
    )
    try:
        row.file.save(row.pk.hex, upload, save=False)
        row.save(force_insert=True)
    except BaseException:
        if row.file.name:
            row.file.storage.delete(row.file.name)
        raise
    return row


def _attachments_prepare(items: Iterable, sender: User | None) -> list[FeedbackAttachment]:
    """Each item is an uploaded file (checked and stored now), a FeedbackAttachment not yet claimed, or the id
    of one of the sender's own dossier uploads (POST /api/v1/attachments; copied, the upload stays theirs)."""
    rows: list[FeedbackAttachment] = []
    items = list(items or ())
    if len(items) > MAX_ATTACHMENTS:
        message = _("Gửi tối đa %(n)s tệp đính kèm") % {"n": MAX_ATTACHMENTS}
        raise ValidationFailed(message, fields={"attachments": [message]})
    for item in items:
        if isinstance(item, FeedbackAttachment):
            rows.append(item)
        elif hasattr(item, "read") and hasattr(item, "name"):
            rows.append(attachment_store(upload=item))
        else:
            pk = parse_uuid(item)
            source = (
                Attachment.objects.filter(pk=pk, owner=sender).first()
                if pk is not None and sender is not None
                else None
            )
            if source is None:
                message = _("Không tìm thấy tệp đính kèm %(id)s trong các tệp bạn đã tải lên") % {"id": str(item)[:64]}
                raise ValidationFailed(message, fields={"attachments": [message]}, code="attachment_unknown")
            copy = FeedbackAttachment(
                original_name=source.original_name,
                content_type=source.content_type,
                size=source.size,
                sha256=source.sha256,
            )
            with source.file.open("rb") as handle:
                copy.file.save(copy.pk.hex, handle, save=False)
            copy.save(force_insert=True)
            rows.append(copy)
    return rows


def _event(fb: Feedback, *, action: str, actor, role: str, before: str, note: str = "", data=None, at) -> FeedbackEvent:
    last = fb.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    return FeedbackEvent.objects.create(
        feedback=fb,
        seq=last + 1,
        action=action,
        actor=actor,
        actor_role=role,
        from_status=before,
        to_status=fb.status,
        note=note,
        data=data or {},
        created_at=at,
    )


def _tell_sender(fb: Feedback, *, title: str, body: str) -> None:
    """An in-app message to a sender with an account; an SMS (no diacritics) to a phone-only sender."""
    from motcua.accounts.otp import sms_send
    from motcua.notifications.models import InAppMessage

    if fb.sender_id:
        InAppMessage.objects.create(
            user_id=fb.sender_id, title=title[:200], body=body, url=reverse("feedback:detail", args=[fb.code])
        )
    elif fb.phone:
        from motcua.broadcasts.sms_text import to_gsm7

        # Without diacritics (GSM-7: 160 characters a segment), the case kept: "Da tiep nhan", not "da tiep nhan".
        sms_send(phone=fb.phone, text=to_gsm7(f"Một Cửa Số: phản ánh {fb.code}: {title}")[:300])


def _receive(item: Feedback, *, workflow: FeedbackWorkflow, now: dt.datetime) -> Feedback:
    """An item arriving at its unit (sent, or transferred in): its clock starts at the receipt moment on the
    unit's calendar (outside office hours: the next opening), the answer is due ``answer_working_days``
    later, it gets its code `PA-YYMMDD-NNNN` and is inserted."""
    cal = calendar_for_unit(item.unit)
    item.status = workflow.intake_state(at_counter=False)
    item.received_at = received_moment(cal, now)
    item.due_at = due_working_days(cal, item.received_at, workflow.answer_working_days)
    item.code = next_feedback_code(day=timezone.localtime(item.received_at).date())
    item.save(force_insert=True)
    return item


def feedback_submit(
    *,
    category: str,
    subject: str,
    text: str,
    unit: AdministrativeUnit | None = None,
    procedure: Procedure | None = None,
    dossier: Dossier | None = None,
    sender: User | None = None,
    phone: str | None = None,
    channel: str = FeedbackChannel.PORTAL,
    attachments: Iterable = (),
    publish_consent: bool = False,
    now: dt.datetime | None = None,
    sender_name: str = "",
    repeat_within: dt.timedelta | None = None,
) -> Feedback:
    """Record a feedback item (phản ánh, kiến nghị) and start its clock; returns it with its code
    (`PA-YYMMDD-NNNN`), status (the workflow's initial state), ``received_at`` (outside office hours: the
    start of the next working period) and ``due_at`` (end of the 15th working day after receipt, calendar
    of the unit).

    Shapes: ``category`` one of Category; ``subject`` ≤ 200 chars, ``text`` ≤ 5000 (NFC, no control
    characters); ``sender`` an account, or ``phone`` (a Vietnamese mobile number, confirmed by the caller:
    an SMS code on the portal, the call itself on the hotline) — at least one; ``unit`` defaults to the
    dossier's, else the sender's commune office; ``attachments`` (≤ 5): uploaded files, unclaimed
    FeedbackAttachment rows, or ids of the sender's own uploads; ``channel`` "portal" | "api" | "hotline".
    The caller checks that the sender may name ``dossier`` (the API looks it up through the dossier door).
    ``repeat_within`` (the portal and the API pass ``REPEAT_WINDOW``): an account that sends the same item
    (category, subject, text, dossier) again within that time gets the first one back and nothing new is
    written (a double click, a retried request); the sender's user row is locked for the check.
    Errors: ValidationFailed (422, ``fields``), UploadTooLarge (413), UnsupportedType (415)."""
    now = now or timezone.now()
    if category not in Category.values:
        message = _("Chọn phản ánh về việc gì: %(c)s") % {"c": ", ".join(Category.values)}
        raise ValidationFailed(message, fields={"category": [message]}, code="category_invalid")
    if channel not in FeedbackChannel.values:
        raise ValidationFailed(_("Kênh gửi không đúng"), fields={"channel": [_("Kênh gửi không đúng")]})
    subject, text = feedback_clean_content(subject=subject, text=text)
    sender_name = _clean(sender_name, field="sender_name", label=_("Họ và tên"), max_length=150, required=False)
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from None
    if sender is None and not phone:
        message = _("Nhập số điện thoại để nhận trả lời")
        raise ValidationFailed(message, fields={"phone": [message]}, code="sender_required")
    if sender is not None and not phone:
        phone = sender.phone or ""
    if sender is not None and not sender_name:
        sender_name = sender.full_name or ""
    if dossier is not None and procedure is None:
        procedure = dossier.procedure
    rows = _attachments_prepare(attachments, sender)
    workflow = feedback_workflow(DEFAULT_WORKFLOW)
    target = _unit_for(unit=unit, dossier=dossier, sender=sender)
    with transaction.atomic():
        if sender is not None and repeat_within:
            # A double click or a retried request: the same account sending the same item again within a few
            # minutes gets the first one back. The sender's row lock serialises simultaneous repeats.
            repeat = earlier_request(
                Feedback.objects.filter(sender=sender, category=category, subject=subject, text=text, dossier=dossier),
                user=sender,
                window=repeat_within,
            )
            if repeat is not None:
                return repeat
        fb = Feedback(
            workflow=workflow.ref,
            category=category,
            subject=subject,
            text=text,
            unit=target,
            procedure=procedure,
            dossier=dossier,
            sender=sender,
            sender_name=sender_name,
            phone=phone or "",
            channel=channel,
            publish_consent=bool(publish_consent),
        )
        _receive(fb, workflow=workflow, now=now)
        claimed = FeedbackAttachment.objects.filter(pk__in=[r.pk for r in rows], feedback__isnull=True).update(
            feedback=fb
        )
        if claimed != len(rows):
            raise Conflict(_("Tệp đính kèm đã được gửi cùng một phản ánh khác"), code="attachment_taken")
        _event(fb, action="submit", actor=sender, role=CITIZEN, before="", at=now, data={"channel": channel})
        _tell_sender(
            fb,
            title=_("Đã tiếp nhận phản ánh %(code)s") % {"code": fb.code},
            body=_("Hạn trả lời: %(due)s") % {"due": timezone.localtime(fb.due_at).strftime("%d/%m/%Y")},
        )
    return fb


# --- the one door for state changes ---------------------------------------------------------------------------
def actor_roles(*, user, feedback: Feedback) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = set(roles_on(user=user, unit=feedback.unit)) & set(OFFICER_ROLES)
    if feedback.sender_id == user.pk:
        roles.add(CITIZEN)
    return roles


def assignable_officers(*, unit: AdministrativeUnit):
    """Officers a leader may give an item to: specialists and intake officers of the unit."""
    found = {}
    for role in (Role.SPECIALIST, Role.INTAKE_OFFICER, Role.LEADER):
        for user in users_with_role_on(role=role, unit=unit):
            found.setdefault(user.pk, user)
    return list(found.values())


def feedback_refusal(*, feedback: Feedback, action: Action, user_id: int | None, now: dt.datetime, calendar=None):
    """Why the action may not be taken now, beyond state and role: the engine's once-limits and windows in
    working days from receipt (dossiers/rules.py), and "only the assigned officer answers"."""
    if action.assignee_only and feedback.assigned_to_id != user_id:
        return NotAllowed(_("Chỉ cán bộ được phân công mới trả lời phản ánh này"), code="not_assignee")
    if action.within_working_days and calendar is None:
        calendar = calendar_for_unit(feedback.unit)
    refusal = action_refusal(dossier=feedback, action=action, user_id=user_id, now=now, calendar=calendar)
    if refusal is not None and refusal.code == "too_late":
        latest = due_working_days(calendar, feedback.received_at, action.within_working_days)
        return NotAllowed(
            _("Chỉ được «%(a)s» trong %(n)s ngày làm việc kể từ khi tiếp nhận (đến %(t)s)")
            % {
                "a": _(action.label),
                "n": action.within_working_days,
                "t": timezone.localtime(latest).strftime("%H:%M %d/%m/%Y"),
            },
            code="too_late",
        )
    return refusal


def publish_consent_guard(*, action, feedback=None, **context) -> None:
    """The "publish_consent" guard of the feedback workflow: only answers whose sender agreed go public."""
    if feedback is None or not feedback.publish_consent:
        raise NotAllowed(
            _("Người gửi không đồng ý công khai; hãy chọn «Kết thúc, không công khai»"), code="no_publish_consent"
        )


# Contacts written to slip past a filter are still contacts: an address with "[at]", "(a còng)", "＠" or spaced
# "@" and "[dot]"; a number split by spaces, dots, dashes, slashes or brackets ("0912 / 345 678").
# The text is NFKC-normalised first, so full-width "＠", "．" and digits are plain ones here.
# A dot followed by a space and a capital ends a sentence ("…@example.vn. Quầy 2"), so a spaced dot counts only
# before a lower-case label ("gmail . com", "gmail. com").
_AT = r"(?:\s*@\s*|\s*[\[({]\s*(?i:at|a|a\s*còng|@)\s*[\])}]\s*|\s+(?i:at|a\s*còng)\s+)"
_DOT = r"(?:\s*\.\s*(?=[a-z0-9])|\s*[\[({]\s*(?i:dot|chấm|\.)\s*[\])}]\s*|\s+(?i:dot|chấm)\s+)"
_EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+")
# A profile link names a person as surely as a phone number does.
_PROFILE = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:fb|facebook|zalo|tiktok|instagram|youtube|twitter|x)\.(?:com|me|vn)/\S+",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\(?\+?\d(?:[\s.\-‐-―/()·_,+]{0,3}\d)+\)?")
# Dates and times are not numbers of a person: a date (with the hour that often follows it, "15/12/2026 9
# giờ"), or a time, is kept whole so that it does not read as part of a number. Only when it stands alone:
# glued to other digits by a separator ("0900 1/1/2026", "1/1/2000 00") it may be a phone number written
# with slashes, and the whole run is judged as a number.
_DATE_OR_TIME = re.compile(
    r"(?<!\d)(?:\d{1,2}/\d{1,2}/\d{4}(?:,?\s+\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{2})?(?!\d))?|\d{1,2}[:hg]\d{2})(?!\d)"
)
_GLUED_BEFORE = re.compile(r"\d[\s.\-‐-―/()·_,+]{0,3}$")
_GLUED_AFTER = re.compile(r"[\s.\-‐-―/()·_,+]{0,3}\d")
_DIGIT = re.compile(r"\d")


def _mask_numbers(text: str) -> str:
    # Any digit counts (full-width and other scripts too: a number written so still identifies someone).
    return _NUMBER.sub(lambda m: "***" if len(_DIGIT.findall(m.group())) >= 9 else m.group(), text)


def anonymise(text: str, *, names: Iterable[str] = ()) -> str:
    """Remove what identifies the sender before the public page shows a text: phone and ID numbers (9 or more
    digits in a run split by spaces, dots, dashes, slashes or brackets; dates dd/mm/yyyy and times kept),
    e-mail addresses (also written "a [at] b [dot] vn", "a at b dot vn", full-width), profile links
    (facebook, zalo…) and the sender's name as they wrote it. The text comes back NFKC-normalised (full-width
    letters and digits as plain ones). Numbers written out in words are not recognised."""
    text = _PROFILE.sub("***", unicodedata.normalize("NFKC", text or ""))
    text = _EMAIL.sub("***", text)
    pieces, last = [], 0
    for match in _DATE_OR_TIME.finditer(text):
        start, end = match.span()
        if _GLUED_BEFORE.search(text[max(0, start - 4) : start]) or _GLUED_AFTER.match(text, end):
            continue  # not a date standing alone: judged with the digits around it
        pieces += [_mask_numbers(text[last:start]), match.group()]
        last = end
    text = "".join(pieces) + _mask_numbers(text[last:])
    for name in names:
        words = _fold(unicodedata.normalize("NFC", name or "")).split()
        if len("".join(words)) < 3:
            continue
        # Found with or without diacritics, in any case and spacing ("Lò Thị Mai", "LO THI MAI", "Lo  Thi Mai"):
        # the folded text keeps one character per character of the text, so its matches are the text's spans.
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")
        text = unicodedata.normalize("NFC", text)
        spans = [m.span() for m in pattern.finditer(_fold(text))]
        for start, end in reversed(spans):
            text = text[:start] + _("(người gửi)") + text[end:]
    return text


def _fold(text: str) -> str:
    """Lower case without diacritics, one character for each character of an NFC text (đ → d)."""
    return "".join(
        (unicodedata.normalize("NFD", ch)[0] if ch not in "đĐ" else "d").lower() if len(ch.lower()) == 1 else ch
        for ch in text
    )


def feedback_transition(
    *,
    code: str,
    action: str,
    actor: User,
    version: int,
    note: str = "",
    params: dict | None = None,
    now: dt.datetime | None = None,
    accept_repeat: bool = False,
) -> Feedback:
    """Take a workflow action on an item: lock, check the version (stale → Conflict 409 ``stale_version``),
    the state and role (NotAllowed 422), the once-limit, the window in working days and the guards, apply
    what the action's kind asks for, record the event, tell the sender. Missing or not visible → NotFound.

    Kinds: ``assign`` (params.assignee: a username of the unit's officers), ``supplement_request`` (pauses the
    clock), ``supplement_submit`` (restarts it: 15 working days from the new receipt), ``extend`` (the due
    date moves by the workflow's ``extension_working_days``, once), ``answer`` (the note is the answer;
    publication due within ``publish_working_days``), ``publish`` (the anonymised texts go public).
    ``accept_repeat`` (pages): a second click on the same button returns the item as the first left it
    instead of a 409; the API keeps 409."""
    now = now or timezone.now()
    params = params or {}
    with transaction.atomic():
        fb = Feedback.objects.visible_to(actor).select_for_update(of=("self",)).filter(code=code).first()
        if fb is None:
            raise NotFound(_("Không tìm thấy phản ánh này"))
        if fb.version != version:
            if accept_repeat and is_repeat_of_last_step(
                current_version=fb.version, events=fb.events, action=action, actor=actor, version=version, now=now
            ):
                return fb  # a double click (pages): the first click's outcome, nothing written twice
            raise Conflict(
                _("Phản ánh vừa được người khác cập nhật (phiên bản %(v)s). Hãy tải lại trang và thử lại.")
                % {"v": fb.version},
                code="stale_version",
            )
        workflow: FeedbackWorkflow = feedback_workflow(fb.workflow)
        roles = actor_roles(user=actor, feedback=fb)
        step = workflow.check(fb.status, action, roles)
        cal = calendar_for_unit(fb.unit)
        refusal = feedback_refusal(feedback=fb, action=step, user_id=actor.pk, now=now, calendar=cal)
        if refusal is not None:
            raise refusal
        note = _clean(
            note,
            field="note",
            label=_(step.note_label or "Nội dung"),
            max_length=NOTE_MAX,
            multiline=True,
            required=False,
        )
        if step.note_required and not note:
            message = _("Nhập «%(l)s»") % {"l": _(step.note_label or "Nội dung")}
            raise ValidationFailed(message, fields={"note": [message]}, code="note_required")
        guards_check(step, feedback=fb, actor=actor, params=params, now=now)
        before = fb.status
        data = _apply(step, fb, workflow=workflow, params=params, note=note, now=now, cal=cal)
        if step.target != "@same":
            fb.status = step.target
        state = workflow.states[fb.status]
        if state.final:
            fb.is_open = False
            fb.finished_at = now
            fb.outcome = state.outcome
        fb.version += 1
        fb.save()
        role = CITIZEN if roles == {CITIZEN} else next(iter(sorted((roles - {CITIZEN}) & set(step.roles))), "")
        _event(fb, action=step.name, actor=actor, role=role, before=before, note=note, data=data, at=now)
        if step.citizen_note and role != CITIZEN:
            body = note
            if data.get("transferred_to"):
                body += "\n" + _(
                    "Phản ánh được chuyển tới %(unit)s với mã mới %(code)s; hạn trả lời tính lại từ đó."
                ) % {
                    "unit": data["to_unit_name"],
                    "code": data["transferred_to"],
                }
            _tell_sender(fb, title=_(workflow.states[fb.status].citizen_label), body=body)
    return fb


def _apply(step: Action, fb: Feedback, *, workflow: FeedbackWorkflow, params: dict, note: str, now, cal) -> dict:
    data: dict = {}
    if step.clock == "pause":
        fb.paused_at = now
    if step.once:
        setattr(fb, step.once, getattr(fb, step.once) + 1)
    if step.clock == "restart":
        # The sender's additions restart the clock: a full 15 working days from their arrival.
        fb.text = f"{fb.text}\n\n— {_('Bổ sung')} {timezone.localtime(now):%d/%m/%Y}: {note}"
        fb.received_at = received_moment(cal, now)
        fb.due_at = due_working_days(cal, fb.received_at, workflow.answer_working_days)
        fb.paused_at = None
        fb.escalated_at = None
        data.update(received_at=fb.received_at.isoformat(), due_at=fb.due_at.isoformat())
    if step.kind == "assign":
        username = str(params.get("assignee") or "").strip()
        officer = next((u for u in assignable_officers(unit=fb.unit) if u.username == username), None)
        if officer is None:
            param = workflow.params["assignee"]
            raise ValidationFailed(_(param.missing), fields={"assignee": [_(param.missing)]}, code="assignee_invalid")
        fb.assigned_to = officer
        data["assignee"] = officer.username
    if step.kind == "extend":
        fb.due_at = _extended(cal, fb.due_at, workflow.extension_working_days)
        fb.escalated_at = None
        data["due_at"] = fb.due_at.isoformat()
    if step.kind == "answer":
        fb.answer = note
        fb.answered_at = now
        fb.publish_due_at = due_working_days(cal, received_moment(cal, now), workflow.publish_working_days)
        fb.escalated_at = None
        data.update(on_time=now <= fb.due_at, publish_due_at=fb.publish_due_at.isoformat())
    if step.kind == "transfer":
        code = str(params.get("to_unit") or "").strip()
        if code:  # a unit on the platform: the item continues there; else the note names the agency
            target = _transfer_target(fb, code=code, workflow=workflow)
            continued = _transfer_continue(fb, target=target, workflow=workflow, now=now)
            data.update(to_unit=target.code, to_unit_name=target.name, transferred_to=continued.code)
    if step.kind == "publish":
        names = [fb.sender_name]
        if fb.sender_id:
            names.append(fb.sender.full_name)
        fb.published_at = now
        fb.public_subject = anonymise(fb.subject, names=names)[:200]
        fb.public_text = anonymise(fb.text, names=names)
        fb.public_answer = anonymise(fb.answer, names=names)
    return data


def transfer_targets(*, feedback: Feedback) -> list[AdministrativeUnit]:
    """Where a leader may transfer an item on the platform: the other current units of its province that have
    an active one-stop office and a leader of their own to assign it (communes and the province itself), by
    name. A unit without a leader would hold the item where nobody can act on it."""
    from motcua.accounts.models import RoleGrant

    province = feedback.unit.province()
    office_units = Office.objects.filter(is_active=True).values("unit_id")
    led_units = RoleGrant.objects.active().filter(role=Role.LEADER, user__is_active=True).values("unit_id")
    return list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith=province.path, pk__in=office_units)
        .filter(pk__in=led_units)
        .exclude(pk=feedback.unit_id)
        .order_by("name", "code")
    )


def _transfer_target(fb: Feedback, *, code: str, workflow: FeedbackWorkflow) -> AdministrativeUnit:
    target = next((u for u in transfer_targets(feedback=fb) if u.code == code), None)
    if target is None:
        param = workflow.params["to_unit"]
        raise ValidationFailed(_(param.missing), fields={"to_unit": [_(param.missing)]}, code="to_unit_invalid")
    return target


def _transfer_continue(fb: Feedback, *, target: AdministrativeUnit, workflow: FeedbackWorkflow, now) -> Feedback:
    """The item as received by the unit it is transferred to, in the transfer's transaction: same sender,
    content and consent, a new code and a new clock (15 working days from receipt there, its calendar); the
    files go with it (new rows, the same stored files)."""
    continued = Feedback(
        workflow=fb.workflow,
        category=fb.category,
        subject=fb.subject,
        text=fb.text,
        unit=target,
        procedure=fb.procedure,
        dossier=fb.dossier,
        sender=fb.sender,
        sender_name=fb.sender_name,
        phone=fb.phone,
        channel=fb.channel,
        publish_consent=fb.publish_consent,
        transferred_from=fb,
    )
    _receive(continued, workflow=workflow, now=now)
    FeedbackAttachment.objects.bulk_create(
        FeedbackAttachment(
            feedback=continued,
            original_name=a.original_name,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            file=a.file.name,
        )
        for a in fb.attachments.all()
    )
    _event(
        continued,
        action="transfer_in",
        actor=None,
        role="",
        before="",
        at=now,
        data={"from": fb.code, "from_unit": fb.unit.code},
    )
    from motcua.notifications.models import InAppMessage

    for leader in users_with_role_on(role=Role.LEADER, unit=target):
        InAppMessage.objects.create(
            user=leader,
            title=(_("Phản ánh %(code)s chuyển đến từ %(unit)s") % {"code": continued.code, "unit": fb.unit.name})[
                :200
            ],
            body=_("Hạn trả lời: %(due)s. Hãy phân công xử lý.")
            % {"due": timezone.localtime(continued.due_at).strftime("%d/%m/%Y")},
            url=reverse("feedback:officer_detail", args=[continued.code]),
        )
    return continued


def _extended(cal, due: dt.datetime, days: int) -> dt.datetime:
    """N more working days after the due day (the due day itself was already counted)."""
    day = timezone.localtime(due).date()
    for _n in range(days):
        day = cal.next_working_day(day)
    return cal.day_end(day)


def feedback_calendar_changed(*, day: dt.date, unit, kind: str, name: str, removed: bool, actor=None) -> None:
    """calendars.followers' ``changed`` for feedback: a day of the unit's calendar (None: nationwide) changed,
    so the open, running items of the unit and below whose clock covers that day get their due moments
    computed again on the new calendar — the answer deadline (15 working days from receipt, plus the
    extension if one was given) or, once answered, the publication deadline. Done at once, in the
    calendar change's transaction (a unit's open items are few); each change is written in the item's log
    and the sender is told the new date. Locks: the items' rows."""
    paused = [s.name for s in feedback_workflow().states.values() if s.paused]
    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
    items = Feedback.objects.filter(is_open=True, received_at__lt=start + dt.timedelta(days=1)).exclude(
        status__in=paused
    )
    if unit is not None:
        items = items.filter(unit__path__startswith=unit.path)
    items = items.filter(Q(answered_at__isnull=True, due_at__gte=start) | Q(publish_due_at__gte=start))
    calendars: dict[int, object] = {}
    now = timezone.now()
    with translation.override("vi"):
        reason = _("lịch làm việc thay đổi ngày %(d)s (%(name)s)") % {"d": f"{day:%d/%m/%Y}", "name": name}
    for fb in items.select_related("unit").select_for_update(of=("self",)).order_by("pk"):
        cal = calendars.get(fb.unit_id) or calendars.setdefault(fb.unit_id, calendar_for_unit(fb.unit))
        workflow = feedback_workflow(fb.workflow)
        if fb.answered_at is None:
            field, old = "due_at", fb.due_at
            new = due_working_days(cal, fb.received_at, workflow.answer_working_days)
            if fb.extension_count:
                new = _extended(cal, new, workflow.extension_working_days)
        else:
            field, old = "publish_due_at", fb.publish_due_at
            new = due_working_days(cal, received_moment(cal, fb.answered_at), workflow.publish_working_days)
        if new == old:
            continue
        setattr(fb, field, new)
        fb.save(update_fields=[field])
        _event(
            fb,
            action="due_recalculated",
            actor=None,
            role="",
            before=fb.status,
            note=reason,
            data={"field": field, "old": old.isoformat(), "new": new.isoformat()},
            at=now,
        )
        _tell_sender(
            fb,
            title=_("Hạn của phản ánh %(code)s thay đổi") % {"code": fb.code},
            body=_("Hạn mới: %(due)s, vì %(why)s.")
            % {"due": timezone.localtime(new).strftime("%d/%m/%Y"), "why": reason},
        )


# --- jobs ---------------------------------------------------------------------------------------------------------
def feedback_overdue_ids(*, now: dt.datetime) -> list[int]:
    """Open items past their current deadline and not yet escalated: the answer deadline while waiting for
    an answer, the publication deadline once answered. Paused items (waiting for the sender) never are."""
    from django.db.models import Q

    paused = [s.name for s in feedback_workflow().states.values() if s.paused]
    return list(
        Feedback.objects.filter(is_open=True, escalated_at__isnull=True)
        .exclude(status__in=paused)
        .filter(Q(answered_at__isnull=True, due_at__lt=now) | Q(answered_at__isnull=False, publish_due_at__lt=now))
        .values_list("pk", flat=True)
    )


def feedback_escalate(*, feedback_id: int, now: dt.datetime | None = None) -> bool:
    """Tell the unit's leaders that one item is overdue, once: the row is claimed with a conditional UPDATE
    (escalated_at still empty), so running the job twice, or two workers at once, writes one event and one
    message per leader. Returns whether this call escalated it."""
    from motcua.notifications.models import InAppMessage

    now = now or timezone.now()
    with transaction.atomic():
        claimed = Feedback.objects.filter(pk=feedback_id, is_open=True, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if not claimed:
            return False
        fb = Feedback.objects.select_for_update().get(pk=feedback_id)
        late = "publish" if fb.answered_at else "answer"
        _event(fb, action="escalate", actor=None, role="", before=fb.status, at=now, data={"late": late})
        due = fb.publish_due_at if fb.answered_at else fb.due_at
        for leader in users_with_role_on(role=Role.LEADER, unit=fb.unit):
            InAppMessage.objects.create(
                user=leader,
                title=(_("Phản ánh %(code)s quá hạn") % {"code": fb.code})[:200],
                body=_("Hạn %(what)s: %(due)s. Hãy phân công hoặc đôn đốc xử lý.")
                % {
                    "what": _("công khai") if late == "publish" else _("trả lời"),
                    "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y"),
                },
                url=reverse("feedback:officer_detail", args=[fb.code]),
            )
    return True


def feedback_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """The escalation job: every overdue item once. Idempotent; returns how many were escalated now."""
    now = now or timezone.now()
    return sum(feedback_escalate(feedback_id=pk, now=now) for pk in feedback_overdue_ids(now=now))


# --- the sender's rating of the answer ---------------------------------------------------------------------------
def feedback_rate(*, code: str, user: User, score: int, comment: str = "", now: dt.datetime | None = None) -> Feedback:
    """The sender rates the answer 1–5 with an optional reason, once, after the answer was given (Decision
    766 indicator 5.3: satisfaction with feedback handling). Errors: NotFound (not the sender's),
    NotAllowed (no answer yet: ``not_answered``; already rated: ``already_rated``), ValidationFailed."""
    now = now or timezone.now()
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        message = _("Chọn mức đánh giá từ 1 đến 5 sao")
        raise ValidationFailed(message, fields={"score": [message]}, code="score_invalid")
    comment = _clean(comment, field="comment", label=_("Lý do"), max_length=2000, multiline=True, required=False)
    with transaction.atomic():
        fb = (
            Feedback.objects.select_for_update().filter(code=code, sender=user).first()
            if user.is_authenticated
            else None
        )
        if fb is None:
            raise NotFound(_("Không tìm thấy phản ánh này"))
        if fb.answered_at is None:
            raise NotAllowed(_("Phản ánh chưa có trả lời để đánh giá"), code="not_answered")
        claimed = Feedback.objects.filter(pk=fb.pk, rated_at__isnull=True).update(
            rating_score=score, rating_comment=comment, rated_at=now
        )
        if not claimed:
            raise NotAllowed(_("Bạn đã đánh giá trả lời này rồi"), code="already_rated")
        fb.refresh_from_db()
        _event(fb, action="rate", actor=user, role=CITIZEN, before=fb.status, at=now, data={"score": score})
    return fb
