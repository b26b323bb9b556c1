"""Writes for documents: the demo PKI, issuing signed results, revoking them, the citizen's store."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, User
from motcua.catalog.fees import fee_compute
from motcua.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from motcua.places.models import Office

from . import pki
from .models import (
    DocumentUse,
    ResultDocument,
    ResultStatus,
    ShareLink,
    SigningIdentity,
    StoredDocument,
    TrustedRoot,
    _public_code,
)
from .pdf import page_count
from .signing import SigningUnavailable, StampPlacement, sign_pdf

logger = logging.getLogger(__name__)


# --- the demo PKI -----------------------------------------------------------------------------------------
def pki_demo_init(*, usernames: list[str], offices: list[Office]) -> dict:
    """Create (once) a root CA, one certificate per office and per user, as PKCS#12 files. Idempotent:
    existing identities are kept; the CRL is re-signed on every run."""
    directory = pki.pki_dir()
    passphrase = settings.PKI_PASSPHRASE.encode()
    if not passphrase:
        raise ValidationFailed("Đặt PKI_PASSPHRASE trước khi tạo khóa")
    if (directory / "root.key.pem").exists():
        root = pki.load_root_key(directory, passphrase)
    else:
        root = pki.make_root()
        pki.save_root(root, directory, passphrase)
    if not (directory / "tsa.p12").exists():
        tsa = pki.issue_tsa(root)
        pki.write_pkcs12(tsa, root, directory / "tsa.p12", passphrase, "tsa")
    trusted, _created = TrustedRoot.objects.get_or_create(
        name="Một Cửa Số Demo Root CA", defaults={"certificate_pem": pki.pem(root.cert)}
    )
    if trusted.certificate_pem != pki.pem(root.cert):
        trusted.certificate_pem = pki.pem(root.cert)
    revoked = [int(s) for s in SigningIdentity.objects.filter(active=False).values_list("serial", flat=True)]
    trusted.crl_der = pki.make_crl(root, revoked)
    trusted.crl_updated_at = timezone.now()
    trusted.save()
    made = {"users": 0, "offices": 0}
    for office in offices:
        if not SigningIdentity.objects.filter(office=office, active=True).exists():
            path = directory / f"office-{office.code}.p12"
            if not _reuse(path, root, office=office):
                issued = pki.issue(root, common_name=office.name, organization=f"UBND {office.unit.name}")
                _save_identity(issued, root, path, office=office)
            made["offices"] += 1
    for user in User.objects.filter(username__in=usernames):
        if not SigningIdentity.objects.filter(user=user, active=True).exists():
            path = directory / f"user-{user.username}.p12"
            if not _reuse(path, root, user=user):
                issued = pki.issue(
                    root, common_name=user.display_name, organization="Một Cửa Số (thử nghiệm)", email=user.email
                )
                _save_identity(issued, root, path, user=user)
            made["users"] += 1
    return made


def _reuse(path, root, *, user=None, office=None) -> bool:
    """A key file left from an earlier run (same root) is registered again instead of regenerated."""

    if not path.exists():
        return False
    _key, cert, _extra = pkcs12.load_key_and_certificates(path.read_bytes(), settings.PKI_PASSPHRASE.encode())
    if cert is None or cert.issuer != root.cert.subject:
        return False
    _record_identity(cert, path, user=user, office=office)
    return True


def _save_identity(issued, root, path, *, user=None, office=None) -> SigningIdentity:
    pki.write_pkcs12(issued, root, path, settings.PKI_PASSPHRASE.encode(), issued.cert.subject.rfc4514_string())
    return _record_identity(issued.cert, path, user=user, office=office)


def _record_identity(cert, path, *, user=None, office=None) -> SigningIdentity:
    cn = cert.subject.get_attributes_for_oid(pki.NameOID.COMMON_NAME)[0].value
    return SigningIdentity.objects.create(
        user=user,
        office=office,
        pkcs12_path=str(path),
        certificate_pem=pki.pem(cert),
        subject=cn,
        serial=str(cert.serial_number),
        not_after=cert.not_valid_after_utc,
    )


def identity_of(*, user: User | None = None, office: Office | None = None) -> SigningIdentity | None:
    qs = SigningIdentity.objects.filter(active=True)
    return qs.filter(user=user).first() if user is not None else qs.filter(office=office).first()


# --- results ---------------------------------------------------------------------------------------------------
def verify_url(public_code: str) -> str:
    return settings.SITE_URL + reverse("documents:verify", args=[public_code])


def _sign_twice(
    pdf: bytes, *, person: SigningIdentity, agency: SigningIdentity | None, url: str, location: str, pages: int
) -> bytes:
    signed = sign_pdf(
        pdf,
        person,
        field_name="ChuKyNguoiKy",
        reason="Ký duyệt kết quả giải quyết thủ tục hành chính",
        location=location,
        verify_url=url,
        placement=StampPlacement(page=pages - 1, box=(330, 40, 570, 110)),
    )
    if agency is not None:
        signed = sign_pdf(
            signed,
            agency,
            field_name="ChuKyCoQuan",
            reason="Chữ ký số của cơ quan",
            location=location,
            verify_url=url,
            placement=StampPlacement(page=pages - 1, box=(40, 40, 280, 110)),
        )
    return signed


def signer_capacity(*, user: User, unit) -> list[str]:
    """The capacity printed above a leader's name (DOMAIN.md §12): the chairman signs on behalf of the
    committee, a vice-chairman on behalf of the chairman."""
    from motcua.accounts.models import Position, RoleGrant

    units = [unit, *unit.ancestors()]
    grant = (
        RoleGrant.objects.active()
        .filter(user=user, role=Role.LEADER, unit__in=units)
        .exclude(position="")
        .order_by("-unit__depth")
        .first()
    )
    if grant is not None and grant.position == Position.VICE_CHAIRMAN:
        return ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


@dataclass
class PreparedResult:
    """A result rendered and signed before the write transaction (signing and the time-stamp are slow;
    they must never hold the database's write lock). Valid only for the dossier version it was made from."""

    public_code: str
    title: str
    pdf: bytes
    pages: int
    agency_signed: bool
    fee_amount: int | None = None


def _render(dossier, *, actor: User, url: str, now: dt.datetime, draft: bool = False):
    capacity = signer_capacity(user=actor, unit=dossier.unit)
    if dossier.procedure.result_doc_type == "certified_copy":
        scans = list(dossier.attachments.all())
        if not scans:
            raise ValidationFailed(_("Chưa có bản quét của bản chính để chứng thực; tải bản quét lên hồ sơ trước."))
        copies = dossier.form_data.get("so_ban") if isinstance(dossier.form_data.get("so_ban"), int) else 1
        pdf, pages = _certified(dossier, scans, url, capacity, actor, copies, now, draft)
        fee = fee_compute(dossier.procedure.fee, channel=dossier.channel, pages=pages, copies=copies).amount
        return pdf, pages, f"Bản sao điện tử có chứng thực ({pages} trang)", fee
    from .results import render_result

    pdf = render_result(
        dossier, verify_url=url, capacity=capacity, signer_name=actor.display_name, when=now, draft=draft
    )
    return pdf, 1, dossier.procedure.result, None


def result_preview(*, dossier, actor: User) -> bytes:
    """What the leader is about to sign, unsigned and marked as a preview on every page."""
    return _render(dossier, actor=actor, url=settings.SITE_URL, now=timezone.now(), draft=True)[0]


def result_prepare(*, dossier, actor: User, now: dt.datetime) -> PreparedResult:
    """Render the result (or assemble the certified copy) and sign it with the leader's certificate and
    the agency's when it has one — outside any transaction."""
    person = identity_of(user=actor)
    if person is None:
        raise ValidationFailed(
            _(
                "Bạn chưa có chứng thư số để ký. Liên hệ quản trị để được cấp "
                "(hoặc chạy pki_demo_init ở bản thử nghiệm)."
            ),
            code="no_certificate",
        )
    agency = identity_of(office=dossier.office)
    public_code = _public_code()
    url = verify_url(public_code)
    try:
        pdf, pages, title, fee = _render(dossier, actor=actor, url=url, now=now)
        signed = _sign_twice(
            pdf, person=person, agency=agency, url=url, location=dossier.unit.name, pages=page_count(pdf)
        )
    except SigningUnavailable as exc:
        raise ValidationFailed(str(exc), code="signing_unavailable") from exc
    return PreparedResult(
        public_code=public_code, title=title, pdf=signed, pages=pages, agency_signed=agency is not None, fee_amount=fee
    )


def result_issue(*, dossier, actor: User, now: dt.datetime, prepared: PreparedResult | None = None) -> ResultDocument:
    """The "sign" step's write: keep the prepared signed result and put it in the citizen's store. Runs
    inside the transition's short transaction; the slow part was done by `result_prepare` before it."""
    if prepared is None:
        prepared = result_prepare(dossier=dossier, actor=actor, now=now)
    if prepared.fee_amount is not None:
        dossier.fee_amount = prepared.fee_amount
    result = ResultDocument(
        dossier=dossier,
        public_code=prepared.public_code,
        signed_at=now,
        signer_name=actor.display_name,
        doc_type=dossier.procedure.result_doc_type,
        title=prepared.title,
        pages=prepared.pages,
        agency_signed=prepared.agency_signed,
        sha256=hashlib.sha256(prepared.pdf).hexdigest(),
    )
    result.file.save(f"{dossier.code}-{result.public_code}.pdf", ContentFile(prepared.pdf), save=False)
    result.save()
    _store(
        owner=dossier.citizen,
        title=result.title,
        doc_type=result.doc_type,
        sha256=result.sha256,
        result=result,
        dossier=dossier,
    )
    return result


def _certified(dossier, scans, url, capacity, actor, copies, now, draft):
    """Uploads are parsed at receipt, so every scan here can be read; a file stored before those checks
    (or damaged on disk) is answered with what to do, never with a server error."""
    from .results import certified_copy

    try:
        return certified_copy(
            dossier,
            scans,
            verify_url=url,
            capacity=capacity,
            signer_name=actor.display_name,
            copies=copies,
            when=now,
            draft=draft,
        )
    except (DomainError, SigningUnavailable):
        raise
    except Exception as exc:  # pypdf / Pillow / reportlab raise many kinds on a broken file
        logger.warning("Certified copy of %s failed on a scan: %s: %s", dossier.code, type(exc).__name__, exc)
        raise ValidationFailed(
            _(
                "Không đọc được bản quét của hồ sơ này nên chưa thể ký bản sao; "
                "yêu cầu bổ sung bản quét khác (PDF, JPG hoặc PNG) rồi ký lại."
            ),
            code="scan_unreadable",
        ) from None


def result_set_status(*, actor: User, public_code: str, status: str, reason: str) -> ResultDocument:
    """Revoke or supersede an issued result: an officer action recorded in the dossier's event log.
    Locks (dossiers/locks.py order): the dossier row, then its results, in one durable transaction."""
    from motcua.accounts.selectors import user_has_role
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services.events import event_append

    if status not in (ResultStatus.REVOKED, ResultStatus.SUPERSEDED):
        raise ValidationFailed(_("Chọn thu hồi hoặc thay thế"))
    if not (reason or "").strip():
        raise ValidationFailed(_("Nhập lý do thu hồi hoặc thay thế"), fields={"reason": [_("Bắt buộc")]})
    from motcua.dossiers.locks import dossier_lock

    dossier_id = ResultDocument.objects.filter(public_code=public_code).values_list("dossier_id", flat=True).first()
    with transaction.atomic(durable=True):
        # Locks in the one order (dossiers/locks.py): the dossier, then its results.
        dossier = dossier_lock(Dossier.objects.filter(pk=dossier_id), results=True)
        result = (
            ResultDocument.objects.select_related("dossier").filter(public_code=public_code, dossier=dossier).first()
            if dossier is not None
            else None
        )
        if result is None or not user_has_role(
            user=actor, role=[Role.LEADER, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN], unit=result.dossier.unit
        ):
            raise NotFound(_("Không tìm thấy kết quả này"))
        if result.status != ResultStatus.VALID:
            raise NotAllowed(_("Kết quả này đã bị thu hồi hoặc thay thế trước đó"))
        result.status, result.status_reason = status, reason.strip()
        result.save(update_fields=["status", "status_reason"])
        event_append(
            dossier=dossier,
            action=f"result_{status}",
            actor=actor,
            role=Role.LEADER,
            from_status=dossier.status,
            to_status=dossier.status,
            note=reason.strip(),
            data={"result": result.public_code, "sha256": result.sha256},
        )
    return result


# --- the citizen's store ---------------------------------------------------------------------------------------
def _store(
    *, owner: User, title: str, doc_type: str, sha256: str, result=None, attachment=None, dossier=None
) -> StoredDocument:
    try:
        with transaction.atomic():
            return StoredDocument.objects.create(
                owner=owner,
                title=title[:300],
                doc_type=doc_type,
                sha256=sha256,
                result=result,
                attachment=attachment,
                source_dossier=dossier,
            )
    except IntegrityError:
        return StoredDocument.objects.get(owner=owner, sha256=sha256)


def store_accepted_documents(*, dossier, actor: User, now: dt.datetime) -> list[StoredDocument]:
    """On acceptance the dossier's documents count as digitised: each lands in the citizen's store,
    typed by the required document it was uploaded for."""
    types = {d.name: d.store_doc_type for d in dossier.procedure.documents.all()}
    stored = []
    for attachment in dossier.attachments.all():
        if attachment.owner_id != dossier.citizen_id and attachment.owner_id != actor.pk:
            continue
        stored.append(
            _store(
                owner=dossier.citizen,
                title=attachment.document_name or attachment.original_name,
                doc_type=types.get(attachment.document_name, ""),
                sha256=attachment.sha256,
                attachment=attachment,
                dossier=dossier,
            )
        )
    return stored


def store_use(*, owner: User, document_id: int, draft, document_name: str = ""):
    """Take a document from the store for a new dossier instead of uploading it again."""
    from motcua.dossiers.models import Attachment

    document = StoredDocument.objects.select_related("result", "attachment").filter(pk=document_id, owner=owner).first()
    if document is None:
        raise NotFound(_("Không tìm thấy giấy tờ này trong kho của bạn"))
    source = document.file
    attachment = Attachment.objects.create(
        owner=owner,
        dossier=draft,
        document_name=document_name or document.title,
        original_name=f"{document.title}.pdf" if document.result_id else document.attachment.original_name,
        content_type=document.content_type,
        size=source.size,
        sha256=document.sha256,
        file=source.name,
    )
    DocumentUse.objects.get_or_create(document=document, dossier=draft)
    return attachment


def share_link_create(*, owner: User, document_id: int, hours: int) -> ShareLink:
    if not 1 <= hours <= 24 * 30:
        raise ValidationFailed(_("Thời hạn chia sẻ từ 1 giờ đến 30 ngày"), fields={"hours": [_("Từ 1 đến 720 giờ")]})
    document = StoredDocument.objects.filter(pk=document_id, owner=owner).first()
    if document is None:
        raise NotFound(_("Không tìm thấy giấy tờ này trong kho của bạn"))
    return ShareLink.objects.create(document=document, expires_at=timezone.now() + dt.timedelta(hours=hours))


def share_link_count_download(*, link: ShareLink) -> None:
    """One more download through a share link (a single UPDATE, safe under concurrent downloads)."""
    ShareLink.objects.filter(pk=link.pk).update(downloads=F("downloads") + 1)


def share_link_revoke(*, owner: User, link_id: int) -> None:
    ShareLink.objects.filter(pk=link_id, document__owner=owner).update(revoked=True)


def verify_request(*, data: bytes, ip_address: str | None) -> dict:
    """A stranger asks us to check a PDF (page or API): counted per address (the check costs CPU), then
    checked within the size and time limits of `selectors.verify_upload`."""
    from motcua.accounts.throttle import throttle_hit

    from .selectors import verify_upload

    throttle_hit(purpose="verify", ip_address=ip_address)
    return verify_upload(data)
