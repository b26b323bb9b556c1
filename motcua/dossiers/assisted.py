"""Assisted submission ("hỗ trợ, hướng dẫn", not "làm hộ"): a community digital team member or an intake
officer prepares an online dossier *for* a citizen, and the citizen decides whether it is sent.

- The helper starts a draft in the citizen's name (found by citizen ID, or an account is opened), fills
  the e-form and uploads the documents. The draft is the citizen's: it appears in their account.
- The citizen confirms with a one-time code sent to **their own phone** (`motcua.accounts.otp`, purpose
  `assisted`); only then is the dossier submitted, on channel `assisted`, with the helper recorded.
- A citizen without a phone signs a paper consent; the helper attaches its scan and the dossier waits,
  still a draft, until an intake officer of the receiving unit has checked the consent at receipt
  (`assisted_paper_consent_check`): valid → submitted (and the check is in the event log); not valid →
  back to the helper with the reason.
Either way nothing reaches the officers' worklists before the citizen's confirmation.

Counting: an assisted dossier counts as an online dossier (fees, the `online_dossier` skill) and, for
the helper's community digital team, as an online dossier helped (`motcua.outreach.selectors`).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile, Role, User
from motcua.accounts.selectors import grants_of
from motcua.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed

from .models import DRAFT, Attachment, Channel, Consent, Dossier

# The document a helper attaches when the citizen confirms on paper (named like a required document, so
# the intake officer finds it among the dossier's files).
PAPER_CONSENT_DOCUMENT = "Giấy đồng ý nộp hồ sơ có chữ ký của công dân"


def can_assist(*, user: User) -> bool:
    """Community digital team members with a login, and intake officers, may help citizens submit."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.team_memberships.exists():
        return True
    return bool(grants_of(user=user, roles=[Role.INTAKE_OFFICER]))


def _citizen_for(*, helper: User, citizen_id: str, full_name: str, birth_date, gender: str, phone: str) -> User:
    """The citizen's account by ID, or a new one (no password). Without a phone a new account is opened
    without one: such a citizen confirms on paper."""
    from motcua.core.inputs import identifier_digits

    from .services import citizen_find_or_create

    if phone or CitizenProfile.objects.filter(citizen_id=identifier_digits(citizen_id) or "").exists():
        return citizen_find_or_create(
            officer=helper,
            citizen_id=citizen_id,
            full_name=full_name,
            birth_date=birth_date,
            gender=gender,
            phone=phone,
        )
    return _citizen_without_phone(citizen_id=citizen_id, full_name=full_name, birth_date=birth_date, gender=gender)


def _citizen_without_phone(*, citizen_id: str, full_name: str, birth_date, gender: str) -> User:
    import secrets

    from motcua.accounts.identity import validate_citizen_id
    from motcua.core.inputs import check_person_name, clean_for_column

    errors = {}
    try:
        full_name = clean_for_column(full_name, CitizenProfile, "full_name", required=True, min_length=2)
        check_person_name(full_name, label=_("Họ và tên"))
    except ValidationError as exc:
        errors["full_name"] = exc.messages
    if not isinstance(birth_date, dt.date):
        errors["birth_date"] = [_("Nhập ngày sinh của công dân")]
    if gender not in ("male", "female"):
        errors["gender"] = [_("Chọn giới tính: nam hoặc nữ")]
    if not errors:
        try:
            citizen_id = validate_citizen_id(citizen_id, birth_date=birth_date, gender=gender)
        except ValidationError as exc:
            errors["citizen_id"] = exc.messages
    if errors:
        raise ValidationFailed(_("Thông tin công dân chưa đúng"), fields=errors)
    with transaction.atomic():
        user = User(username=citizen_id, full_name=full_name, session_stamp=secrets.token_hex(16))
        user.set_unusable_password()
        user.save()
        CitizenProfile.objects.create(
            user=user, full_name=full_name, citizen_id=citizen_id, birth_date=birth_date, gender=gender
        )
    return user


def assisted_start(
    *,
    helper: User,
    procedure_code: str,
    citizen_id: str,
    full_name: str = "",
    birth_date: dt.date | None = None,
    gender: str = "",
    phone: str = "",
) -> Dossier:
    """Open a draft in the citizen's name on channel `assisted` with `helper` recorded. Raises NotFound
    (helper may not assist, unknown procedure), NotAllowed (procedure not offered online) or
    ValidationFailed (citizen details)."""
    from motcua.catalog.selectors import procedure_current

    from .services import dossier_draft_save

    if not can_assist(user=helper):
        raise NotFound(_("Không tìm thấy trang này"))
    procedure = procedure_current(code=procedure_code)
    if procedure is None:
        raise ValidationFailed(_("Chọn thủ tục cần nộp"), fields={"procedure": [_("Chọn thủ tục trong danh sách")]})
    if "online" not in procedure.channels:
        raise NotAllowed(
            _("Thủ tục này chưa nhận hồ sơ trực tuyến; hãy hướng dẫn công dân nộp tại Bộ phận Một cửa"),
            code="not_online",
        )
    citizen = _citizen_for(
        helper=helper, citizen_id=citizen_id, full_name=full_name, birth_date=birth_date, gender=gender, phone=phone
    )
    if citizen == helper:
        raise NotAllowed(_("Bạn tự nộp hồ sơ của mình ở trang thủ tục, không qua hỗ trợ"), code="self_assist")
    # Submission services run their own (durable) transactions: call them outside any transaction.
    draft = dossier_draft_save(citizen=citizen, procedure_code=procedure.code, form={})
    Dossier.objects.filter(pk=draft.pk).update(channel=Channel.ASSISTED, helper=helper)
    draft.channel, draft.helper = Channel.ASSISTED, helper
    return draft


def assisted_draft(*, helper: User, draft_id: int, for_update: bool = False) -> Dossier:
    """A draft this helper started and nobody has submitted yet; NotFound otherwise."""
    qs = Dossier.objects.select_related("procedure", "citizen", "citizen__citizen")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    draft = qs.filter(pk=draft_id, helper=helper, channel=Channel.ASSISTED, status=DRAFT).first()
    if draft is None:
        raise NotFound(_("Không tìm thấy hồ sơ nháp này"))
    return draft


def assisted_fill(*, helper: User, draft_id: int, form: dict, attachment_ids: list) -> Dossier:
    """Save the e-form and attach the helper's uploads to the draft (before the citizen confirms)."""
    from .services import attach_to_draft, dossier_draft_save

    draft = assisted_draft(helper=helper, draft_id=draft_id)
    if draft.consent_requested_at is not None:
        raise NotAllowed(_("Hồ sơ đang chờ công dân xác nhận; không sửa được nữa"), code="awaiting_confirmation")
    dossier_draft_save(citizen=draft.citizen, procedure_code=draft.procedure.code, form=form, draft_id=draft.pk)
    if attachment_ids:
        attach_to_draft(draft=draft, attachment_ids=attachment_ids)
    return assisted_draft(helper=helper, draft_id=draft_id)


def _ready_check(draft: Dossier, *, paper: bool) -> None:
    """What the submission will check, checked before anything is sent to the citizen."""
    from motcua.catalog.selectors import documents_needed

    from . import eforms

    _clean, errors = eforms.validate(draft.procedure.form_schema, draft.form_data)
    if errors:
        raise ValidationFailed(_("Tờ khai còn thông tin cần sửa; xem từng trường bên dưới."), fields=errors)
    attached = set(draft.attachments.values_list("document_name", flat=True))
    needed = [d.name for d in documents_needed(draft.procedure, channel="online")]
    if paper:
        needed.append(PAPER_CONSENT_DOCUMENT)
    missing = [name for name in needed if name not in attached]
    if missing:
        raise ValidationFailed(
            _("Còn thiếu giấy tờ bắt buộc: %(docs)s. Hãy tải lên bản chụp hoặc bản quét của từng giấy tờ")
            % {"docs": "; ".join(missing)},
            fields={"attachments": [_("Còn thiếu: %(d)s") % {"d": name} for name in missing]},
        )


def assisted_request_confirmation(*, helper: User, draft_id: int, ip_address: str | None = None) -> Dossier:
    """Send the citizen a 6-digit code on their own phone (the SMS names what it confirms). Raises
    NotAllowed when the citizen has no phone (use the paper consent), ValidationFailed when the draft is
    incomplete, RateLimited over the code limits."""
    from motcua.accounts import otp

    draft = assisted_draft(helper=helper, draft_id=draft_id)
    _ready_check(draft, paper=False)
    phone = draft.citizen.phone or getattr(draft.citizen.citizen, "phone", "")
    if not phone:
        raise NotAllowed(
            _("Công dân chưa có số điện thoại trong tài khoản: hãy đính kèm giấy đồng ý có chữ ký của công dân"),
            code="no_phone",
        )
    verification = otp.otp_issue(
        purpose="assisted",
        phone=phone,
        payload={"dossier": draft.pk, "helper": helper.pk},
        ip_address=ip_address,
        user=draft.citizen,
    )
    Dossier.objects.filter(pk=draft.pk).update(
        consent=Consent.SMS_CODE, consent_requested_at=timezone.now(), confirmation_id=verification
    )
    return assisted_draft(helper=helper, draft_id=draft_id)


def assisted_confirm(*, helper: User, draft_id: int, code: str, ip_address: str | None = None) -> Dossier:
    """The citizen read the code to the helper (or typed it on the helper's phone): submit the dossier.

    The code is checked and used first (of racing requests with the right code exactly one gets past
    it), then the dossier is submitted. The draft is checked before the code is used, so submission
    does not fail for anything the helper could fix; if it fails all the same, the draft goes back to
    the helper, who sends a new code. Raises OtpInvalid (422), RateLimited (429), NotAllowed or
    ValidationFailed from submission."""
    from motcua.accounts import otp

    from .services import dossier_submit

    draft = assisted_draft(helper=helper, draft_id=draft_id)
    if draft.consent != Consent.SMS_CODE or not draft.confirmation_id:
        raise NotAllowed(_("Hãy gửi mã xác nhận tới điện thoại của công dân trước"), code="no_code_sent")
    _ready_check(draft, paper=False)
    payload = otp.otp_confirm(
        verification_id=draft.confirmation_id, code=code, purpose="assisted", ip_address=ip_address
    )
    if payload.get("dossier") != draft.pk:
        raise NotFound(_("Không tìm thấy hồ sơ nháp này"))
    try:
        dossier, _created = dossier_submit(
            citizen=draft.citizen,
            procedure_code=draft.procedure.code,
            form=draft.form_data,
            draft_id=draft.pk,
            channel=Channel.ASSISTED,
            helper=helper,
            consent=Consent.SMS_CODE,
        )
    except DomainError:
        Dossier.objects.filter(pk=draft.pk, status=DRAFT).update(consent_requested_at=None, confirmation_id="")
        raise
    return dossier


@transaction.atomic
def assisted_submit_paper_consent(*, helper: User, draft_id: int) -> Dossier:
    """The citizen has no phone and signed a paper consent, whose scan is attached: the draft now waits
    for the intake officer's check (it is not submitted yet)."""
    draft = assisted_draft(helper=helper, draft_id=draft_id, for_update=True)
    _ready_check(draft, paper=True)
    draft.consent, draft.consent_requested_at, draft.confirmation_id = Consent.PAPER, timezone.now(), ""
    draft.consent_note = ""
    draft.save(update_fields=["consent", "consent_requested_at", "confirmation_id", "consent_note", "updated_at"])
    return draft


def paper_consents_pending(*, officer: User):
    """Assisted drafts with a paper consent waiting for this intake officer's check (their units)."""
    from django.db.models import Q

    from motcua.accounts.selectors import grants_of

    units = [g.unit for g in grants_of(user=officer, roles=[Role.INTAKE_OFFICER])]
    if not units:
        return Dossier.objects.none()
    scope = Q()
    for unit in units:
        scope |= Q(unit__path__startswith=unit.path)
    return (
        Dossier.objects.filter(scope, status=DRAFT, channel=Channel.ASSISTED, consent=Consent.PAPER)
        .exclude(consent_requested_at__isnull=True)
        .select_related("procedure", "helper")
        .order_by("consent_requested_at")
    )


def paper_consent_scan(*, officer: User, draft_id: int):
    """The latest paper-consent scan (an Attachment) of an assisted draft waiting for this intake officer's
    check, or None: drafts are otherwise the citizen's alone, so the ordinary attachment door does not open
    them to officers."""
    draft = paper_consents_pending(officer=officer).filter(pk=draft_id).first()
    if draft is None:
        return None
    return draft.attachments.filter(document_name=PAPER_CONSENT_DOCUMENT).order_by("-created_at").first()


def assisted_paper_consent_check(*, officer: User, draft_id: int, valid: bool, note: str = "") -> Dossier:
    """The intake officer looked at the signed paper consent. Valid: the dossier is submitted (channel
    `assisted`) and the check recorded in its event log. Not valid: back to the helper with `note`
    (required), nothing submitted. NotFound outside the officer's units."""
    from .services import dossier_submit, event_append

    draft = paper_consents_pending(officer=officer).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound(_("Không tìm thấy hồ sơ chờ kiểm tra giấy đồng ý"))
    if not valid:
        note = (note or "").strip()
        if not note:
            raise ValidationFailed(
                _("Ghi lý do giấy đồng ý chưa hợp lệ để người hỗ trợ làm lại"), fields={"note": [_("Bắt buộc")]}
            )
        Dossier.objects.filter(pk=draft.pk, status=DRAFT).update(
            consent_requested_at=None, consent_note=note[:500], updated_at=timezone.now()
        )
        draft.refresh_from_db()
        return draft
    dossier, _created = dossier_submit(
        citizen=draft.citizen,
        procedure_code=draft.procedure.code,
        form=draft.form_data,
        draft_id=draft.pk,
        channel=Channel.ASSISTED,
        helper=draft.helper,
        consent=Consent.PAPER,
    )
    # Submission commits in its own transaction; the officer's check follows it in the dossier's log.
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        event_append(
            dossier=dossier,
            action="check_paper_consent",
            actor=officer,
            role=Role.INTAKE_OFFICER,
            from_status=dossier.status,
            to_status=dossier.status,
            note=note,
            data={"consent": Consent.PAPER, "document": PAPER_CONSENT_DOCUMENT},
        )
    return dossier


def attachment_names(draft: Dossier) -> set[str]:
    return set(Attachment.objects.filter(dossier=draft).values_list("document_name", flat=True))


def assisted_drafts_of(*, helper):
    """The helper's unfinished assisted dossiers (drafts), newest first."""
    return (
        Dossier.objects.filter(helper=helper, channel="assisted", status="draft")
        .select_related("procedure")
        .order_by("-updated_at")
    )
