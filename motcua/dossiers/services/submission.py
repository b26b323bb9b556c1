"""Drafts and submissions (online and at the counter), with the daily dossier code."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile, Role, User
from motcua.accounts.selectors import user_has_role
from motcua.calendars.engine import received_moment
from motcua.calendars.selectors import calendar_for_office
from motcua.catalog.fees import fee_compute
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import deadline_rule, procedure_current
from motcua.core.confcache import cached, snapshot
from motcua.core.errors import NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import as_validation_failed, clean_text, fold, nfc
from motcua.places.models import Office

from .. import eforms
from ..effects import forms_complete, forms_record, on_coded, on_submitted
from ..locks import dossier_lock
from ..models import AUTHORISATION_DOCUMENT, DRAFT, ONLINE_CHANNELS, Attachment, Channel, Dossier, DossierCounter
from ..workflow import CITIZEN, load_workflow
from .attachments import _claim_attachments
from .events import event_append, notify_event


def next_dossier_code(*, agency_code: str, day: dt.date) -> str:
    """`<agency>-<YYMMDD>-<NNNN>` from a per-agency, per-day counter. One statement (insert or
    increment, returning the new value; PostgreSQL and SQLite ≥ 3.35) takes the counter row's lock,
    held until the commit: call it last in the transaction that creates the dossier, so a failed
    submission gives its number back and other submissions wait as little as possible."""
    table = DossierCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608 — our table name
            f"ON CONFLICT (agency_code, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency_code, day],
        )
        number = cursor.fetchone()[0]
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def _dossier_code_give(
    *, dossier: Dossier, agency_code: str, day: dt.date, with_counter: list[tuple[str, list]] = ()
) -> str:
    """Give the dossier (saved with a provisional code) its real code from the daily counter
    (`next_dossier_code`'s format and lock) and return it, running ``with_counter`` (statements without
    results the submission hooks handed back: the rollup counters' upserts) with it. On PostgreSQL one
    statement (the counter's upsert and those as data-modifying CTEs of the dossier's UPDATE), so the
    counter row's lock, held until the commit, costs one round trip; elsewhere one statement each."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in with_counter:
                cursor.execute(sql, params)
        code = next_dossier_code(agency_code=agency_code, day=day)
        Dossier.objects.filter(pk=dossier.pk).update(code=code)
        return code
    counter, table = DossierCounter._meta.db_table, Dossier._meta.db_table
    # The hooks' statements come from the apps' own code (table and column names theirs), values bound.
    also = "".join(f", with_counter_{i} AS ({sql})" for i, (sql, _params) in enumerate(with_counter))
    also_params = [value for _sql, params in with_counter for value in params]
    with connection.cursor() as cursor:
        # Table names are our models'; values are bound. The number is zero-padded to 4 digits and never
        # cut (lpad would cut 10000 to 1000), like the Python format in next_dossier_code.
        cursor.execute(
            f"WITH number AS (INSERT INTO {counter} (agency_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (agency_code, day) DO UPDATE SET last = {counter}.last + 1 RETURNING last){also} "
            f"UPDATE {table} SET code = %s || CASE WHEN number.last < 10000 THEN lpad(number.last::text, 4, '0') "
            f"ELSE number.last::text END FROM number WHERE {table}.id = %s RETURNING {table}.code",
            [agency_code, day, *also_params, f"{agency_code}-{day:%y%m%d}-", dossier.pk],
        )
        return cursor.fetchone()[0]


def office_for_citizen(citizen: User, procedure: Procedure, *, profile: CitizenProfile | None = None) -> Office:
    """The one-stop office of the citizen's commune, else the first office (Decree 118/2025 lets any
    office receive regardless of boundary; the citizen can pick another in the API). ``profile``: the
    citizen's profile with its address unit when the caller has read it already (else read here).
    The office comes with its unit and the unit's parent (the calendar and the province need them)."""
    if profile is None:
        profile = _citizen_profile(citizen)
    path = profile.address_unit.path if profile and profile.address_unit else ""
    office = cached(("office_for_citizen", path), ("places",), lambda: _office_for_path(path))
    if office is None:
        raise ValidationFailed(_("Chưa có cơ quan nào nhận hồ sơ trên hệ thống"))
    return office


def _office_for_path(path: str) -> Office | None:
    """The first active office whose unit is the unit at ``path`` (a materialised path; "" for none) or one
    above it, else the first active office (by id), else None; with its unit and the unit's parent."""
    offices = Office.objects.filter(is_active=True).select_related("unit__parent")
    if path:
        # The offices whose unit is the address unit or one above it (a prefix of its materialised
        # path), in the same order as before: one indexed lookup, not a scan of every office.
        parts = path.strip("/").split("/")
        prefixes = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
        office = offices.filter(unit__path__in=prefixes).first()
        if office is not None:
            return office
    return offices.order_by("pk").first()


def _office_by_code(code: str) -> Office | None:
    """The active office with this code, with its unit and the unit's parent, or None."""
    return cached(
        ("office_by_code", code),
        ("places",),
        lambda: Office.objects.select_related("unit__parent").filter(code=code, is_active=True).first(),
    )


def _citizen_profile(citizen: User) -> CitizenProfile | None:
    """The citizen's profile with its address unit (one query), or None (an officer's own account). Kept
    on the user too (``citizen.citizen``), so the notice of the submission does not read it again."""
    # One row at most (one profile per user): a slice, not first(), whose ORDER BY costs a fifth more CPU.
    profile = next(iter(CitizenProfile.objects.select_related("address_unit").filter(user=citizen)[:1]), None)
    if profile is not None:
        citizen.citizen = profile
    return profile


def _fee_for(procedure: Procedure, channel: str, form: dict) -> int:
    pages = form.get("so_trang") if isinstance(form.get("so_trang"), int) else 1
    copies = form.get("so_ban") if isinstance(form.get("so_ban"), int) else 1
    return fee_compute(procedure.fee, channel=channel, pages=max(pages, 1), copies=max(copies, 1)).amount


def _validated_form(procedure: Procedure, form: dict) -> dict:
    clean, errors = eforms.validate(procedure.form_schema, form)
    if errors:
        raise ValidationFailed(_("Tờ khai còn thông tin cần sửa; xem từng trường bên dưới."), fields=errors)
    return clean


def _citizen_snapshot(citizen: User, profile: CitizenProfile | None) -> dict:
    name = nfc(profile.full_name if profile else citizen.display_name)[:150]
    return {
        "applicant_name": name,
        "applicant_search": fold(name)[:150],
        "applicant_phone": (profile.phone if profile else citizen.phone) or "",
        "applicant_citizen_id": profile.citizen_id if profile else "",
    }


def dossier_draft_save(*, citizen: User, procedure_code: str, form: dict, draft_id: int | None = None) -> Dossier:
    """Keep what the citizen typed so far, valid or not, so a dropped connection loses nothing.
    Locks: the draft row (one durable transaction)."""
    procedure = procedure_current(code=procedure_code)
    if procedure is None:
        raise NotFound(_("Không có thủ tục mã %(c)s") % {"c": procedure_code})
    clean = eforms.normalize(procedure.form_schema, form)
    with transaction.atomic(durable=True):
        if draft_id:
            draft = dossier_lock(Dossier.objects.filter(pk=draft_id, citizen=citizen, status=DRAFT))
            if draft is None:
                raise NotFound(_("Không tìm thấy bản nháp"))
            draft.form_data = clean
            draft.save(update_fields=["form_data", "updated_at"])
            return draft
        profile = _citizen_profile(citizen)
        office = office_for_citizen(citizen, procedure, profile=profile)
        return Dossier.objects.create(
            procedure=procedure,
            workflow=load_workflow(procedure.workflow).ref,
            citizen=citizen,
            office=office,
            unit=office.unit,
            province=office.unit.province(),
            form_data=clean,
            status=DRAFT,
            **_citizen_snapshot(citizen, profile),
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
    helper: User | None = None,
    consent: str = "",
) -> tuple[Dossier, bool]:
    """Submit a dossier (online, or at the counter by an officer). Returns (dossier, created). The same
    idempotency key never creates a second dossier, even under concurrent retries: the unique constraint
    decides, and the losing transaction (with its code number) is rolled back.

    One durable transaction. Locks (locks.py order): the draft row (when submitting a draft); the
    attachments it claims; the outreach register row of the applicant; last, the daily code counter
    (one upsert) and, at the counter, the receipt register. Rendering and signing the receipt happen
    after the commit. A dossier it creates carries ``forms_issued``: the ids of the forms its intake
    issued (none online: the receipt comes with the completeness check), so the caller need not look."""
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
    # A new key is the common case: probe for the id only (a fraction of the whole row's ORM cost).
    if key and Dossier.objects.filter(citizen=citizen, idempotency_key=key).values_list("pk", flat=True).first():
        existing = Dossier.objects.get(citizen=citizen, idempotency_key=key)
        return _same_submission(existing, fingerprint), False
    # The configuration it reads (procedure, office, calendar, payment account) from the process's cache
    # while unchanged (core.confcache: one query for the generations instead of six).
    with snapshot():
        return _dossier_create(
            citizen=citizen,
            procedure_code=procedure_code,
            form=form,
            attachment_ids=attachment_ids,
            key=key,
            fingerprint=fingerprint,
            office_code=office_code,
            channel=channel,
            officer=officer,
            draft_id=draft_id,
            now=now,
            counter_documents=counter_documents,
            exception_note=exception_note,
            helper=helper,
            consent=consent,
        )


def _dossier_create(
    *,
    citizen: User,
    procedure_code: str,
    form: dict,
    attachment_ids: list | None,
    key: str | None,
    fingerprint: str,
    office_code: str | None,
    channel: str,
    officer: User | None,
    draft_id: int | None,
    now: dt.datetime | None,
    counter_documents: list[str] | None,
    exception_note: str,
    helper: User | None,
    consent: str,
) -> tuple[Dossier, bool]:
    """`dossier_submit` once the idempotency key is known to be new: (dossier, created)."""
    procedure = procedure_current(code=procedure_code)
    if procedure is None:
        raise NotFound(_("Không có thủ tục mã %(c)s") % {"c": procedure_code})
    if channel in ONLINE_CHANNELS and "online" not in procedure.channels:
        raise NotAllowed(
            _("Thủ tục này chưa nhận hồ sơ trực tuyến; hãy nộp trực tiếp tại Bộ phận Một cửa"),
            code="online_not_offered",
        )
    if channel == Channel.ONLINE:
        from motcua.vneid.selectors import identity_level_short

        if required := identity_level_short(user=citizen, procedure=procedure):
            raise NotAllowed(
                _(
                    "Thủ tục này cần tài khoản định danh điện tử mức %(n)s để nộp trực tuyến. Hãy đăng nhập "
                    "bằng VNeID mức %(n)s (đăng ký tại Công an xã), hoặc nộp tại Bộ phận Một cửa"
                )
                % {"n": required},
                code="identity_level",
            )
    clean = _validated_form(procedure, form)
    profile = _citizen_profile(citizen)
    if office_code:
        office = _office_by_code(office_code)
        if office is None:
            raise ValidationFailed(
                _("Không có cơ quan mã %(c)s") % {"c": office_code}, fields={"office": [_("Không tồn tại")]}
            )
    else:
        office = office_for_citizen(citizen, procedure, profile=profile)
    if officer is not None and not user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=office.unit):
        raise NotFound(_("Không tìm thấy cơ quan này trong phạm vi của bạn"))
    workflow = load_workflow(procedure.workflow)
    now = now or timezone.now()
    cal = calendar_for_office(office)
    at_counter = officer is not None
    intake = workflow.events["receive_at_counter" if at_counter else "submit"]
    try:
        with transaction.atomic(durable=True):
            if draft_id:
                dossier = dossier_lock(Dossier.objects.filter(pk=draft_id, citizen=citizen, status=DRAFT))
                if dossier is None:
                    raise NotFound(_("Không tìm thấy bản nháp"))
            else:
                dossier = Dossier(citizen=citizen, procedure=procedure)
            received = received_moment(cal, now)
            status = workflow.intake_state(at_counter=at_counter)
            dossier.procedure = procedure
            dossier.workflow = workflow.ref
            dossier.office, dossier.unit, dossier.channel = office, office.unit, channel
            dossier.province = office.unit.province()
            dossier.form_data = clean
            dossier.status, dossier.is_open = status, True
            dossier.submitted_at, dossier.received_at = now, received
            dossier.due_at = dossier.original_due_at = deadline_rule(procedure).due(cal, now)
            dossier.fee_amount = _fee_for(procedure, Channel.ONLINE if channel in ONLINE_CHANNELS else channel, clean)
            dossier.helper, dossier.consent = helper, consent
            dossier.idempotency_key = key
            dossier.idempotency_hash = fingerprint if key else ""
            for field, value in _citizen_snapshot(citizen, profile).items():
                setattr(dossier, field, value)
            # A provisional code until the daily counter is taken, last (below), so the counter row's
            # lock is held only for the few statements before the commit. Nobody sees it: the row is
            # not committed until the real code replaces it.
            dossier.code = f"~{uuid.uuid4().hex}"
            dossier.save()
            claimed = _claim_attachments(owner=officer or helper or citizen, dossier=dossier, ids=attachment_ids or [])
            with_counter = on_submitted(dossier=dossier, now=now, fresh=not draft_id)
            documents = _documents_check(
                dossier=dossier,
                at_counter=at_counter,
                ticked=counter_documents,
                exception_note=exception_note,
                attached=None if draft_id else [a.document_name for a in claimed],
            )
            # Last: the daily counter (its row lock is held until the commit) with the rollup counters'
            # upserts the hooks handed back, then only what needs the code: intents, event, outbox rows.
            dossier.code = _dossier_code_give(
                dossier=dossier,
                agency_code=office.agency_code,
                day=timezone.localtime(received).date(),
                with_counter=with_counter,
            )
            on_coded(dossier=dossier)
            event = event_append(
                dossier=dossier,
                action=intake.name,
                actor=officer or citizen,
                role=intake.roles[0] if intake.roles else (CITIZEN if officer is None else Role.INTAKE_OFFICER),
                from_status=DRAFT,
                to_status=status,
                note=documents.get("exception", ""),
                data={
                    "channel": channel,
                    **({"helper": helper.pk, "consent": consent} if helper is not None else {}),
                    "due_at": dossier.due_at.isoformat(),
                    "received_at": received.isoformat(),
                    **documents,
                },
                at=now,
                first=not draft_id,
            )
            # A counter intake is the completeness check: the receipt (Form 01) is issued now (the
            # event's "form"). An online dossier gets it when the intake officer accepts it.
            notify_event(dossier=dossier, event=event, workflow=workflow)
            form_ids = forms_record(dossier=dossier, event=event, forms=[intake.form] if intake.form else [])
    except IntegrityError:
        if key:
            existing = Dossier.objects.filter(citizen=citizen, idempotency_key=key).first()
            if existing is not None:
                return _same_submission(existing, fingerprint), False
        raise
    forms_complete(form_ids)
    dossier.forms_issued = form_ids
    return dossier, True


def _submission_fingerprint(**request) -> str:
    """SHA-256 of a submission as sent (canonical JSON), stored with its idempotency key."""

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


def _documents_check(
    *,
    dossier: Dossier,
    at_counter: bool,
    ticked: list[str] | None,
    exception_note: str,
    attached: list[str] | None = None,
) -> dict:
    """Nothing strands a dossier (issue 13, kind 6): a dossier is submitted with the documents its
    procedure requires. Online, each needed document has an uploaded file named for it. At the counter the
    officer ticks the documents received on paper; a dossier missing some is received only with the
    officer's justification, recorded in the event. Returns what to record in the submission event.
    ``attached``: the document names of the dossier's files when the caller knows them all (a new dossier:
    the files it just claimed, in the order claimed); None reads them."""
    from motcua.catalog.selectors import documents_needed

    channel = "counter" if at_counter else "online"
    needed = [d.name for d in documents_needed(dossier.procedure, channel=channel)]
    if dossier.on_behalf and not at_counter:
        needed.append(AUTHORISATION_DOCUMENT)
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
                code="documents_missing",
            )
        result: dict = {"documents_received": received}
        if missing:
            result.update(documents_missing=missing, exception=note)
        return result
    if attached is None:
        attached = list(Attachment.objects.filter(dossier=dossier).values_list("document_name", flat=True))
    missing = [name for name in needed if name not in attached]
    if missing:
        raise ValidationFailed(
            _("Còn thiếu giấy tờ bắt buộc: %(docs)s. Hãy tải lên bản chụp hoặc bản quét của từng giấy tờ")
            % {"docs": "; ".join(missing)},
            fields={"attachments": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
            code="documents_missing",
        )
    return {"documents_received": [name for name in dict.fromkeys(attached) if name]}
