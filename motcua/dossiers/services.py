"""Writes for dossiers. Every state change goes through `dossier_transition` (STYLE.md §4): lock, check
version, role and unit, apply, record the event, queue notifications after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile, Role, User
from motcua.accounts.selectors import user_has_role
from motcua.calendars.engine import CalendarError, classify, due_working_days, extension_check, received_moment
from motcua.calendars.selectors import calendar_for_office
from motcua.catalog.fees import fee_compute
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import deadline_rule, procedure_current
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import as_validation_failed, clean_text, fold, nfc
from motcua.documents.forms import RECEIPT, forms_complete, forms_of_transition, forms_record
from motcua.places.models import Office

from . import eforms
from .models import DRAFT, Attachment, Channel, Dossier, DossierCounter, DossierEvent, Rating
from .selectors import actor_roles, dossier_get
from .uploads import QuotaExceeded, UploadTooLarge, check_upload, display_name
from .workflow import CITIZEN, load_workflow


# --- attachments ---------------------------------------------------------------------------------------
def attachment_upload(*, owner: User, upload, document_name: str = "") -> Attachment:
    """Check the file deeply (uploads.check_upload), within the owner's quota, and keep it under a random
    name whose extension follows the real type. A failed upload leaves neither a row nor a file."""
    from motcua.core.inputs import clean_text

    try:
        document_name = clean_text(document_name, max_length=300, label=_("Tên giấy tờ"))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"document_name": exc.messages}) from None
    inspected = check_upload(upload)
    attachment = Attachment(
        owner=owner,
        original_name=display_name(upload.name, inspected.extension),
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        document_name=document_name,
    )
    try:
        with transaction.atomic():
            _upload_quota_check(owner=owner, size=inspected.size)
            attachment.file.save(attachment.pk.hex, upload, save=False)
            attachment.save()
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def upload_quota(*, owner: User) -> tuple[int, int]:
    """(files, bytes) the owner may upload in 24 hours: officers scan at the counter all day."""
    from motcua.accounts.selectors import is_officer

    if is_officer(user=owner):
        return settings.UPLOAD_QUOTA_FILES_STAFF, settings.UPLOAD_QUOTA_BYTES_STAFF
    return settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES


def _upload_quota_check(*, owner: User, size: int) -> None:
    """Under a lock on the owner's row, so parallel uploads cannot both slip under the limit. Files reused
    from earlier dossiers share one stored file and count once."""
    User.objects.select_for_update().filter(pk=owner.pk).first()
    since = timezone.now() - dt.timedelta(hours=24)
    stored = dict(Attachment.objects.filter(owner=owner, created_at__gte=since).values_list("file", "size").distinct())
    max_files, max_bytes = upload_quota(owner=owner)
    if len(stored) + 1 > max_files or sum(stored.values()) + size > max_bytes:
        raise QuotaExceeded(
            _(
                "Bạn đã tải lên %(n)s tệp (%(mb)s MB) trong 24 giờ qua; giới hạn là %(max)s tệp, %(maxmb)s MB. "
                "Hãy dùng lại giấy tờ đã tải hoặc thử lại sau."
            )
            % {
                "n": len(stored),
                "mb": sum(stored.values()) // (1024 * 1024),
                "max": max_files,
                "maxmb": max_bytes // (1024 * 1024),
            },
            fields={"file": [_("Đã hết hạn mức tải lên trong 24 giờ")]},
        )


def _claim_attachments(*, owner: User, dossier: Dossier, ids: list) -> list[Attachment]:
    """Link the owner's unused uploads (or earlier ones, for reuse) to the dossier, within the size limit."""
    ids = [str(i) for i in ids or []]
    found = list(Attachment.objects.select_for_update().filter(pk__in=ids, owner=owner))
    if len(found) != len(set(ids)):
        raise ValidationFailed(
            _("Có tệp đính kèm không tồn tại hoặc không phải của bạn; hãy tải lên lại"),
            fields={"attachments": [_("Tệp đính kèm không hợp lệ")]},
        )
    linked = []
    for attachment in found:
        if attachment.dossier_id not in (None, dossier.pk):
            # Reuse: a document from an earlier dossier is copied by reference, never moved.
            attachment = Attachment.objects.create(
                owner=owner,
                dossier=dossier,
                document_name=attachment.document_name,
                original_name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                file=attachment.file.name,
            )
        else:
            attachment.dossier = dossier
            attachment.save(update_fields=["dossier"])
        linked.append(attachment)
    total = Attachment.objects.filter(dossier=dossier).aggregate(s=Sum("size"))["s"] or 0
    if total > settings.DOSSIER_UPLOAD_MAX_BYTES:
        limit = settings.DOSSIER_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise UploadTooLarge(
            _("Tổng dung lượng tệp của một hồ sơ không được quá %(mb)s MB; hãy bỏ bớt hoặc nén tệp") % {"mb": limit},
            fields={"attachments": [_("Tổng dung lượng vượt %(mb)s MB") % {"mb": limit}]},
        )
    return linked


def attach_to_draft(*, draft: Dossier, attachment_ids: list) -> list[Attachment]:
    with transaction.atomic():
        return _claim_attachments(owner=draft.citizen, dossier=draft, ids=attachment_ids)


# --- codes, events --------------------------------------------------------------------------------------
def next_dossier_code(*, agency_code: str, day: dt.date) -> str:
    """`<agency>-<YYMMDD>-<NNNN>` from a per-agency, per-day counter updated under a row lock. Must run
    inside the transaction that creates the dossier, so a failed submission gives its number back."""
    DossierCounter.objects.bulk_create([DossierCounter(agency_code=agency_code, day=day)], ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(agency_code=agency_code, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency_code}-{day:%y%m%d}-{counter.last:04d}"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _event_hash(prev: str, payload: dict) -> str:
    return hashlib.sha256(
        (prev + json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)).encode()
    ).hexdigest()


def event_append(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    role: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> DossierEvent:
    """Append to the dossier's hash-chained event log (the dossier row is locked by the caller)."""
    last, prev = dossier.events.order_by("-seq").values_list("seq", "hash").first() or (0, "")
    at = at or timezone.now()
    payload = {
        "dossier": dossier.code,
        "seq": last + 1,
        "action": action,
        "actor": actor.pk if actor else None,
        "role": role,
        "from": from_status,
        "to": to_status,
        "note": note,
        "data": data or {},
        "at": _utc(at),
    }
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=last + 1,
        action=action,
        actor=actor,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        created_at=at,
        prev_hash=prev,
        hash=_event_hash(prev, payload),
    )


def event_chain_valid(dossier: Dossier) -> bool:
    prev = ""
    for event in dossier.events.order_by("seq"):
        payload = {
            "dossier": dossier.code,
            "seq": event.seq,
            "action": event.action,
            "actor": event.actor_id,
            "role": event.actor_role,
            "from": event.from_status,
            "to": event.to_status,
            "note": event.note,
            "data": event.data,
            "at": _utc(event.created_at),
        }
        if event.prev_hash != prev or event.hash != _event_hash(prev, payload):
            return False
        prev = event.hash
    return True


def _notify_on_commit(event: DossierEvent) -> None:
    from motcua.notifications.services import notify_dossier_event

    event_id = event.pk
    transaction.on_commit(lambda: notify_dossier_event(event_id=event_id))


# --- submission ---------------------------------------------------------------------------------------------
def office_for_citizen(citizen: User, procedure: Procedure) -> Office:
    """The one-stop office of the citizen's commune, else the first office (Decree 118/2025 lets any
    office receive regardless of boundary; the citizen can pick another in the API)."""
    profile = CitizenProfile.objects.select_related("address_unit").filter(user=citizen).first()
    offices = Office.objects.filter(is_active=True).select_related("unit")
    if profile and profile.address_unit:
        for office in offices:
            if profile.address_unit.path.startswith(office.unit.path):
                return office
    office = offices.order_by("pk").first()
    if office is None:
        raise ValidationFailed(_("Chưa có cơ quan nào nhận hồ sơ trên hệ thống"))
    return office


def _fee_for(procedure: Procedure, channel: str, form: dict) -> int:
    pages = form.get("so_trang") if isinstance(form.get("so_trang"), int) else 1
    copies = form.get("so_ban") if isinstance(form.get("so_ban"), int) else 1
    return fee_compute(procedure.fee, channel=channel, pages=max(pages, 1), copies=max(copies, 1)).amount


def _validated_form(procedure: Procedure, form: dict) -> dict:
    clean, errors = eforms.validate(procedure.form_schema, form)
    if errors:
        raise ValidationFailed(_("Tờ khai còn thông tin cần sửa; xem từng trường bên dưới."), fields=errors)
    return clean


def _citizen_snapshot(citizen: User) -> dict:
    profile = getattr(citizen, "citizen", None)
    name = nfc(profile.full_name if profile else citizen.display_name)[:150]
    return {
        "applicant_name": name,
        "applicant_search": fold(name)[:150],
        "applicant_phone": (profile.phone if profile else citizen.phone) or "",
        "applicant_citizen_id": profile.citizen_id if profile else "",
    }


def dossier_draft_save(*, citizen: User, procedure_code: str, form: dict, draft_id: int | None = None) -> Dossier:
    """Keep what the citizen typed so far, valid or not, so a dropped connection loses nothing."""
    procedure = procedure_current(code=procedure_code)
    if procedure is None:
        raise NotFound(_("Không có thủ tục mã %(c)s") % {"c": procedure_code})
    clean = eforms.normalize(procedure.form_schema, form)
    with transaction.atomic():
        if draft_id:
            draft = Dossier.objects.select_for_update().filter(pk=draft_id, citizen=citizen, status=DRAFT).first()
            if draft is None:
                raise NotFound(_("Không tìm thấy bản nháp"))
            draft.form_data = clean
            draft.save(update_fields=["form_data", "updated_at"])
            return draft
        office = office_for_citizen(citizen, procedure)
        return Dossier.objects.create(
            procedure=procedure,
            workflow=load_workflow(procedure.workflow).ref,
            citizen=citizen,
            office=office,
            unit=office.unit,
            province=office.unit.province(),
            form_data=clean,
            status=DRAFT,
            **_citizen_snapshot(citizen),
        )


def dossier_submit(
    *,
    citizen: User,
    procedure_code: str,
    form: dict,
    attachment_ids: list | None = None,
    idempotency_key: str | None = None,
    office_code: str | None = None,
    channel: str = Channel.ONLINE,
    officer: User | None = None,
    draft_id: int | None = None,
    now: dt.datetime | None = None,
    counter_documents: list[str] | None = None,
    exception_note: str = "",
) -> tuple[Dossier, bool]:
    """Submit a dossier (online, or at the counter by an officer). Returns (dossier, created). The same
    idempotency key never creates a second dossier, even under concurrent retries: the unique constraint
    decides, and the losing transaction (with its code number) is rolled back."""
    try:
        key = clean_text(idempotency_key, max_length=100, label="Idempotency-Key") or None
    except ValidationError as exc:
        raise as_validation_failed("idempotency_key", exc) from exc
    fingerprint = _submission_fingerprint(
        procedure_code=procedure_code,
        form=form,
        attachment_ids=attachment_ids,
        office_code=office_code,
        channel=channel,
        draft_id=draft_id,
        counter_documents=counter_documents,
        exception_note=exception_note,
    )
    if key:
        existing = Dossier.objects.filter(citizen=citizen, idempotency_key=key).first()
        if existing is not None:
            return _same_submission(existing, fingerprint), False
    procedure = procedure_current(code=procedure_code)
    if procedure is None:
        raise NotFound(_("Không có thủ tục mã %(c)s") % {"c": procedure_code})
    if channel == Channel.ONLINE and "online" not in procedure.channels:
        raise NotAllowed(_("Thủ tục này chưa nhận hồ sơ trực tuyến; hãy nộp trực tiếp tại Bộ phận Một cửa"))
    clean = _validated_form(procedure, form)
    if office_code:
        office = Office.objects.select_related("unit").filter(code=office_code, is_active=True).first()
        if office is None:
            raise ValidationFailed(
                _("Không có cơ quan mã %(c)s") % {"c": office_code}, fields={"office": [_("Không tồn tại")]}
            )
    else:
        office = office_for_citizen(citizen, procedure)
    if officer is not None and not user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=office.unit):
        raise NotFound(_("Không tìm thấy cơ quan này trong phạm vi của bạn"))
    workflow = load_workflow(procedure.workflow)
    now = now or timezone.now()
    cal = calendar_for_office(office)
    try:
        with transaction.atomic():
            if draft_id:
                dossier = Dossier.objects.select_for_update().filter(pk=draft_id, citizen=citizen, status=DRAFT).first()
                if dossier is None:
                    raise NotFound(_("Không tìm thấy bản nháp"))
            else:
                dossier = Dossier(citizen=citizen, procedure=procedure)
            received = received_moment(cal, now)
            status = "received" if channel == Channel.COUNTER else workflow.initial
            dossier.procedure = procedure
            dossier.workflow = workflow.ref
            dossier.office, dossier.unit, dossier.channel = office, office.unit, channel
            dossier.province = office.unit.province()
            dossier.form_data = clean
            dossier.status, dossier.is_open = status, True
            dossier.submitted_at, dossier.received_at = now, received
            dossier.due_at = dossier.original_due_at = deadline_rule(procedure).due(cal, now)
            dossier.fee_amount = _fee_for(procedure, channel, clean)
            dossier.idempotency_key = key
            dossier.idempotency_hash = fingerprint if key else ""
            for field, value in _citizen_snapshot(citizen).items():
                setattr(dossier, field, value)
            dossier.code = next_dossier_code(agency_code=office.agency_code, day=timezone.localtime(received).date())
            dossier.save()
            _claim_attachments(owner=citizen if officer is None else officer, dossier=dossier, ids=attachment_ids or [])
            documents = _documents_check(
                dossier=dossier,
                at_counter=officer is not None,
                ticked=counter_documents,
                exception_note=exception_note,
            )
            event = event_append(
                dossier=dossier,
                action="submit" if officer is None else "receive_at_counter",
                actor=officer or citizen,
                role=CITIZEN if officer is None else Role.INTAKE_OFFICER,
                from_status=DRAFT,
                to_status=status,
                note=documents.get("exception", ""),
                data={
                    "channel": channel,
                    "due_at": dossier.due_at.isoformat(),
                    "received_at": received.isoformat(),
                    **documents,
                },
                at=now,
            )
            # A counter intake is the completeness check: the receipt (Form 01) is issued now. An online
            # dossier gets it when the intake officer accepts it.
            form_ids = forms_record(dossier=dossier, event=event, forms=[RECEIPT] if status != workflow.initial else [])
            _notify_on_commit(event)
            if channel == Channel.ONLINE and dossier.applicant_citizen_id:
                from motcua.outreach.services import person_gain_skill

                person_gain_skill(citizen_id=dossier.applicant_citizen_id, skill="online_dossier", user=citizen)
    except IntegrityError:
        if key:
            existing = Dossier.objects.filter(citizen=citizen, idempotency_key=key).first()
            if existing is not None:
                return _same_submission(existing, fingerprint), False
        raise
    forms_complete(form_ids)
    return dossier, True


def _submission_fingerprint(**request) -> str:
    """SHA-256 of a submission as sent (canonical JSON), stored with its idempotency key."""
    import hashlib
    import json

    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _same_submission(existing: Dossier, fingerprint: str) -> Dossier:
    """A retry answers with the dossier the key already created, only if it is the same submission; the
    key reused for another one is an error, not a silent answer about a different dossier. Dossiers
    stored before the hash existed (empty) keep the old behaviour."""
    if existing.idempotency_hash and existing.idempotency_hash != fingerprint:
        raise ValidationFailed(
            _(
                "Mã Idempotency-Key này đã dùng cho một hồ sơ khác (%(c)s) với nội dung khác. "
                "Gửi lại đúng nội dung cũ, hoặc dùng một mã mới cho hồ sơ mới."
            )
            % {"c": existing.code},
            code="idempotency_key_reused",
            fields={"idempotency_key": [_("Mã đã dùng cho nội dung khác")]},
        )
    return existing


def _documents_check(*, dossier: Dossier, at_counter: bool, ticked: list[str] | None, exception_note: str) -> dict:
    """Nothing strands a dossier (issue 13, kind 6): a dossier is submitted with the documents its
    procedure requires. Online, each needed document has an uploaded file named for it. At the counter the
    officer ticks the documents received on paper; a dossier missing some is received only with the
    officer's justification, recorded in the event. Returns what to record in the submission event."""
    from motcua.catalog.selectors import documents_needed

    channel = "counter" if at_counter else "online"
    needed = [d.name for d in documents_needed(dossier.procedure, channel=channel)]
    if at_counter:
        known = {d.name for d in dossier.procedure.documents.all()}
        received = [name for name in dict.fromkeys(ticked or []) if name in known]
        missing = [name for name in needed if name not in received]
        note = (exception_note or "").strip()
        if missing and not note:
            raise ValidationFailed(
                _(
                    "Chưa nhận đủ giấy tờ bắt buộc: %(docs)s. Đánh dấu giấy tờ đã nhận, hoặc ghi lý do tiếp nhận "
                    "khi còn thiếu (ngoại lệ có lý do)"
                )
                % {"docs": "; ".join(missing)},
                fields={"documents": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
            )
        result: dict = {"documents_received": received}
        if missing:
            result.update(documents_missing=missing, exception=note)
        return result
    attached = set(Attachment.objects.filter(dossier=dossier).values_list("document_name", flat=True))
    missing = [name for name in needed if name not in attached]
    if missing:
        raise ValidationFailed(
            _("Còn thiếu giấy tờ bắt buộc: %(docs)s. Hãy tải lên bản chụp hoặc bản quét của từng giấy tờ")
            % {"docs": "; ".join(missing)},
            fields={"attachments": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
        )
    return {"documents_received": [name for name in dict.fromkeys(attached) if name]}


def _supplement_check(*, dossier: Dossier, actor: User, ids: list, note: str) -> None:
    """Completing a supplement needs what the request asked for: a file for each document it listed; a
    request that listed none asked for information, so a note or a file. Never nothing."""
    request = dossier.events.filter(action="request_supplement").order_by("-seq").first()
    asked = list((request.data or {}).get("documents", [])) if request else []
    names = list(
        Attachment.objects.filter(pk__in=[str(i) for i in ids or []], owner=actor).values_list(
            "document_name", flat=True
        )
    )
    missing = [name for name in asked if name not in names]
    if missing:
        raise ValidationFailed(
            _("Hãy tải lên đủ giấy tờ được yêu cầu bổ sung: %(docs)s") % {"docs": "; ".join(missing)},
            fields={"attachments": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
        )
    if not asked and not names and not note:
        raise ValidationFailed(
            _("Hãy tải lên giấy tờ bổ sung hoặc ghi nội dung trả lời yêu cầu của cán bộ"),
            fields={"note": [_("Nhập nội dung bổ sung hoặc tải lên giấy tờ")]},
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


def _apply(action, dossier: Dossier, *, actor: User, params: dict, note: str, now: dt.datetime, prepared=None) -> dict:
    """Action-specific rules; returns data to record in the event."""
    cal = calendar_for_office(dossier.office)
    data: dict = {}
    if action.once and getattr(dossier, action.once) >= 1:
        messages = {
            "supplement_count": _("Hồ sơ này đã được yêu cầu bổ sung một lần; theo quy định chỉ được yêu cầu một lần"),
            "extension_count": _("Hồ sơ này đã được hẹn lại ngày trả một lần; theo quy định chỉ được hẹn lại một lần"),
        }
        raise NotAllowed(messages.get(action.once, _("Thao tác này chỉ được làm một lần")), code="only_once")
    if action.within_working_days:
        latest = due_working_days(cal, dossier.received_at, action.within_working_days)
        if now > latest:
            raise NotAllowed(
                _(
                    "Chỉ được «%(a)s» trong %(n)s ngày làm việc kể từ khi tiếp nhận (đến %(t)s); "
                    "nay hãy giải quyết hoặc xin lỗi và hẹn lại"
                )
                % {
                    "a": action.label,
                    "n": action.within_working_days,
                    "t": timezone.localtime(latest).strftime("%H:%M %d/%m/%Y"),
                },
                code="too_late",
            )
    if action.clock == "pause":
        dossier.paused_at = now
        dossier.return_state = dossier.status
        dossier.supplement_count += 1
        data["paused_at"] = now.isoformat()
        data["documents"] = _supplement_documents(dossier, params)
    if action.clock == "restart":
        _supplement_check(dossier=dossier, actor=actor, ids=params.get("attachments") or [], note=note)
        form = params.get("form")
        if form:
            dossier.form_data = _validated_form(dossier.procedure, form)
        _claim_attachments(owner=actor, dossier=dossier, ids=params.get("attachments") or [])
        dossier.received_at = received_moment(cal, now)
        dossier.due_at = deadline_rule(dossier.procedure).due(cal, now)
        dossier.paused_at = None
        data.update(received_at=dossier.received_at.isoformat(), due_at=dossier.due_at.isoformat())
    if action.name == "assign":
        username = _param(params, "assignee") or ""
        specialist = User.objects.filter(username=username, is_active=True).first()
        if specialist is None or not user_has_role(user=specialist, role=Role.SPECIALIST, unit=dossier.unit):
            raise ValidationFailed(
                _("Chọn một chuyên viên của đơn vị giải quyết hồ sơ"),
                fields={"assignee": [_("Không phải chuyên viên của đơn vị")]},
            )
        dossier.assigned_to = specialist
        data["assignee"] = specialist.username
    if action.assignee_only and dossier.assigned_to_id != actor.pk:
        raise NotAllowed(_("Chỉ chuyên viên được phân công mới thẩm định hồ sơ này"), code="not_assignee")
    if action.name == "extend":
        raw = _param(params, "new_due") or ""
        try:
            new_day = dt.date.fromisoformat(raw) if "-" in raw else dt.datetime.strptime(raw, "%d/%m/%Y").date()
        except ValueError:
            raise ValidationFailed(
                _("Nhập ngày hẹn mới dạng ngày/tháng/năm, ví dụ 15/12/2026"), fields={"new_due": [_("Ngày chưa đúng")]}
            ) from None
        try:
            new_due = extension_check(cal, due_at=dossier.due_at, now=now, new_due=new_day, already_extended=False)
        except CalendarError as exc:
            raise ValidationFailed(str(exc), fields={"new_due": [str(exc)]}) from exc
        from .deadlines import extension_working_days

        data.update(
            old_due=dossier.due_at.isoformat(),
            new_due=new_due.isoformat(),
            # Its length in working days, so a later calendar change moves the new date like the rest.
            extra_working_days=extension_working_days(cal, old_due=dossier.due_at, new_due=new_due),
        )
        dossier.due_at = new_due
        dossier.extension_count += 1
    if action.effect:
        from .effects import EFFECTS

        extra = {"prepared": prepared} if prepared is not None else {}
        data.update(EFFECTS[action.effect](dossier, actor, now, **extra))
    if action.name == "return_result":
        method = _param(params, "method") or ""
        if method not in ("counter", "post", "online"):
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
    from motcua.core.inputs import clean_text
    from motcua.documents.glyphs import check_printable

    try:
        text = clean_text(note, max_length=NOTE_MAX_LENGTH, multiline=True, label=_("Nội dung"))
        return check_printable(text, label=_("Nội dung"))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"note": exc.messages}) from None


def _confirmed(step, params: dict) -> None:
    if step.confirm and params.get("confirm") not in (True, "1", "on", "true", "yes"):
        raise ValidationFailed(
            _("Xem bản xem trước rồi đánh dấu xác nhận nội dung trước khi «%(a)s»") % {"a": step.label},
            fields={"confirm": [_("Đánh dấu xác nhận đã xem bản xem trước")]},
            code="confirm_required",
        )


def _prepare(*, code: str, action: str, actor: User, version: int, params: dict, now: dt.datetime):
    """Slow work an action's effect needs (render, sign, time-stamp), done before the write transaction
    on an unlocked read. The transaction then checks the version again: if the dossier changed in
    between, it answers 409 and the prepared work is dropped; if not, what was prepared is exactly
    what the locked row would produce."""
    from .effects import PREPARE

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
REPEAT_WINDOW = dt.timedelta(minutes=2)


def _is_repeat(*, dossier: Dossier, action: str, actor: User, version: int, now: dt.datetime) -> bool:
    """True when the request repeats the transition just made: the dossier moved exactly one version past
    the one sent, by this actor's same action, a moment ago. Anything else (another person, another action,
    an older version) stays a 409 conflict."""
    if dossier.version != version + 1:
        return False
    last = dossier.events.order_by("-seq").only("action", "actor_id", "created_at").first()
    return (
        last is not None
        and last.action == action
        and last.actor_id == actor.pk
        and abs(now - last.created_at) <= REPEAT_WINDOW
    )


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
    """Apply a workflow action at the version the actor saw. ``accept_repeat`` (pages): a second click on
    the same button returns the dossier as the first click left it instead of a 409; the API keeps 409."""
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
    with transaction.atomic():
        dossier = dossier_get(user=actor, code=code, for_update=True)
        if dossier.status == DRAFT:
            raise NotFound(_("Không tìm thấy hồ sơ này"))
        if dossier.version != version:
            if accept_repeat and _is_repeat(dossier=dossier, action=action, actor=actor, version=version, now=now):
                return dossier  # a double click: the first click's outcome, nothing written twice
            raise Conflict(
                _("Hồ sơ vừa được người khác cập nhật (phiên bản %(v)s). Hãy tải lại trang và thử lại.")
                % {"v": dossier.version},
                code="stale_version",
            )
        workflow = load_workflow(dossier.workflow)
        roles = actor_roles(user=actor, dossier=dossier)
        step = workflow.check(dossier.status, action, roles)
        _confirmed(step, params)
        if step.note_required and not note:
            raise ValidationFailed(
                _("Nhập nội dung (lý do, ý kiến hoặc giấy tờ cần bổ sung)"), fields={"note": [_("Bắt buộc")]}
            )
        before = dossier.status
        data = _apply(step, dossier, actor=actor, params=params, note=note, now=now, prepared=prepared)
        if step.target == "@return":
            target = dossier.return_state or "received"
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
                dossier.timeliness = classify(
                    calendar_for_office(dossier.office), finished_at=now, due_at=dossier.due_at
                )
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
        form_ids = forms_record(
            dossier=dossier, event=event, forms=forms_of_transition(workflow=workflow, form=step.form, target=target)
        )
        _notify_on_commit(event)
    # Forms are rendered and signed after the commit, from what was frozen with the event.
    forms_complete(form_ids)
    return dossier


# --- after the result ------------------------------------------------------------------------------------
def dossier_rate(*, citizen: User, code: str, score: int, comment: str = "") -> Rating:
    dossier = Dossier.objects.filter(citizen=citizen, code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ này"))
    if dossier.status != "returned":
        raise NotAllowed(_("Bạn có thể đánh giá sau khi nhận kết quả"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Chọn mức hài lòng từ 1 đến 5"), fields={"score": [_("Từ 1 đến 5")]})
    try:
        comment = clean_text(comment, max_length=NOTE_MAX_LENGTH, multiline=True, label=_("Góp ý"))
    except ValidationError as exc:
        raise as_validation_failed("comment", exc) from exc
    try:
        with transaction.atomic():
            return Rating.objects.create(dossier=dossier, score=score, comment=comment)
    except IntegrityError:
        raise Conflict(_("Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!"), code="already_rated") from None


def citizen_find_or_create(
    *,
    officer: User,
    citizen_id: str,
    full_name: str = "",
    birth_date: dt.date | None = None,
    gender: str = "",
    phone: str = "",
) -> User:
    """Counter intake: find the walk-in citizen by ID, or open an account for them (no password: they
    can set one later at the counter or by phone verification)."""
    from motcua.accounts.identity import validate_citizen_id
    from motcua.accounts.services import citizen_create

    # Cleaned like everywhere else, so "010 190 012 345" finds the account "010190012345" instead of
    # being "not found" first and "already has an account" after.
    try:
        citizen_id = validate_citizen_id(citizen_id)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"citizen_id": exc.messages}) from exc
    profile = CitizenProfile.objects.select_related("user").filter(citizen_id=citizen_id).first()
    if profile:
        from motcua.accounts.services import citizen_lookup_for_counter

        # Opening an intake for a known citizen is a lookup too: it goes to the same audit log.
        citizen_lookup_for_counter(officer=officer, citizen_id=citizen_id, ip_address=None, purpose="intake")
        return profile.user
    if not (full_name and birth_date and gender and phone):
        raise ValidationFailed(
            _("Công dân chưa có tài khoản: nhập họ tên, ngày sinh, giới tính và số điện thoại"),
            fields={
                k: [_("Bắt buộc")]
                for k, v in (("full_name", full_name), ("birth_date", birth_date), ("gender", gender), ("phone", phone))
                if not v
            },
        )
    try:
        validate_citizen_id(citizen_id, birth_date=birth_date, gender=gender)
        with transaction.atomic():
            return citizen_create(
                full_name=full_name,
                citizen_id=citizen_id,
                birth_date=birth_date,
                gender=gender,
                phone=phone,
                password=None,
            )
    except (ValidationError, IntegrityError) as exc:
        # A repeated or concurrent intake of the same walk-in (double click) opened the account meanwhile:
        # it is this citizen's account, not an error.
        profile = CitizenProfile.objects.select_related("user").filter(citizen_id=citizen_id).first()
        if profile:
            return profile.user
        if isinstance(exc, IntegrityError):
            raise
        raise ValidationFailed(_("Thông tin công dân chưa đúng"), fields=_officer_fields(exc)) from exc


def _officer_fields(exc: ValidationError) -> dict[str, list[str]]:
    """The account checks speak to the citizen ("hãy đăng nhập…"); at the counter the officer reads them."""
    if not hasattr(exc, "error_dict"):
        return {"citizen_id": exc.messages}
    officer_messages = {
        "phone_taken": _(
            "Số điện thoại này đã thuộc tài khoản của một người khác; hãy hỏi công dân số điện thoại khác"
        ),
        "citizen_id_taken": _("Số định danh này đã có tài khoản; tìm công dân theo số định danh để tiếp nhận"),
    }
    return {
        field: [officer_messages.get(error.code, next(iter(error))) for error in errors]
        for field, errors in exc.error_dict.items()
    }


def dossier_track_checked(*, code: str, phone: str, ip_address: str | None) -> Dossier:
    """Public tracking, throttled on its own counters (per dossier code and per address; never the
    login's): repeated wrong phone numbers slow down, so nobody can walk through phone numbers."""
    from motcua.accounts.throttle import throttle_check, throttle_record

    from .selectors import dossier_track

    key = (code or "").strip().upper()
    throttle_check(purpose="track", key=key, ip_address=ip_address)
    try:
        dossier = dossier_track(code=code, phone=phone)
    except NotFound:
        throttle_record(purpose="track", key=key, ip_address=ip_address, succeeded=False)
        raise
    return dossier
