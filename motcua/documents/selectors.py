"""Reads for documents: what a verifier may see, the citizen's store, share links."""

import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError, NotFound

from .models import ResultDocument, ShareLink, StoredDocument
from .pdf import prose_name
from .signing import verify_pdf


class TooLarge(DomainError):
    status = 413
    code = "too_large"


def result_public(*, public_code: str) -> ResultDocument:
    result = (
        ResultDocument.objects.select_related("dossier__procedure", "dossier__office", "dossier__unit")
        .filter(public_code=public_code)
        .first()
    )
    if result is None:
        raise NotFound("Không có giấy tờ nào với mã xác thực này")
    return result


def public_facts(result: ResultDocument) -> dict:
    """Only what a verifier needs: never the citizen's name, ID or form data."""
    dossier = result.dossier
    return {
        "code": result.public_code,
        "title": result.title,
        "procedure": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        # The People's Committee issues results, not its one-stop section (DOMAIN.md §12).
        "issuing_unit": f"Ủy ban nhân dân {prose_name(dossier.unit.name)}",
        "signed_at": result.signed_at,
        "signer": result.signer_name,
        "agency_signed": result.agency_signed,
        "sha256": result.sha256,
        "status": result.status,
        "status_label": result.get_status_display(),
        "status_reason": result.status_reason if result.status != "valid" else "",
    }


def verify_upload(data: bytes) -> dict:
    """Signatures checked against our roots, and the file's hash against what we issued.

    Hashing is cheap and bounded; parsing is not. A file we issued (its hash is in our table) is always
    checked. A file we did not issue is parsed only up to VERIFY_PARSE_MAX_BYTES (the largest ordinary
    result with a wide margin), and every parse runs in a sandbox with a hard time limit."""
    from .signing import VerificationTooSlow

    if len(data) > settings.VERIFY_MAX_BYTES:
        raise TooLarge(verify_size_message())
    digest = hashlib.sha256(data).hexdigest()
    issued = ResultDocument.objects.select_related("dossier__procedure", "dossier__unit").filter(sha256=digest).first()
    problems: list[str] = []
    reports = []
    if issued is None and len(data) > settings.VERIFY_PARSE_MAX_BYTES:
        problems.append(
            "Tệp lớn hơn mọi giấy tờ hệ thống cấp mà không trùng khớp giấy tờ nào; "
            "chữ ký trong tệp không được kiểm tra."
        )
    else:
        try:
            reports = verify_pdf(data)
        except VerificationTooSlow:
            problems.append("Tệp mất quá nhiều thời gian để kiểm tra; đây không phải một giấy tờ hệ thống đã cấp.")
        except ValueError:  # a damaged or non-PDF file: say so rather than fail
            problems.append("Tệp không đọc được như một tài liệu PDF có chữ ký số.")
    if not reports and not problems:
        problems.append("Tệp không có chữ ký số nào.")
    for report in reports:
        problems.extend(report.problems)
    if issued is None:
        problems.append("Tệp này không trùng khớp với bất kỳ giấy tờ nào hệ thống đã cấp (mã băm SHA-256 khác).")
    elif issued.status != "valid":
        problems.append(f"Giấy tờ này đã bị {issued.get_status_display().lower()}: {issued.status_reason}")
    valid = bool(reports) and all(r.ok for r in reports) and issued is not None and issued.status == "valid"
    return {
        "valid": valid,
        "sha256": digest,
        "issued": public_facts(issued) if issued else None,
        "signatures": [
            {
                "field": r.field,
                "signer": r.signer,
                "signed_at": r.signed_at,
                "intact": r.intact,
                "valid": r.valid,
                "trusted": r.trusted,
                "revoked": r.revoked,
                "covers_whole_file": r.covers_whole_file,
                "timestamped": r.timestamped,
            }
            for r in reports
        ],
        "problems": list(dict.fromkeys(problems)),
        "message": "Giấy tờ hợp lệ: chữ ký số đúng và trùng khớp với bản cơ quan đã cấp."
        if valid
        else "Giấy tờ KHÔNG hợp lệ.",
    }


def verify_size_message() -> str:
    return _("Tệp lớn hơn %(mb)s MB, lớn hơn mọi giấy tờ hệ thống cấp; hãy gửi đúng tệp PDF đã nhận.") % {
        "mb": settings.VERIFY_MAX_BYTES // (1024 * 1024)
    }


def store_of(*, owner):
    """The citizen's document store, through its one door (`StoredDocument.objects.visible_to`)."""
    return (
        StoredDocument.objects.visible_to(owner)
        .select_related("result", "attachment", "source_dossier")
        .prefetch_related("uses__dossier", "share_links")
    )


def stored_document_get(*, owner, pk: int) -> StoredDocument:
    document = store_of(owner=owner).filter(pk=pk).first()
    if document is None:
        raise NotFound("Không tìm thấy giấy tờ này trong kho của bạn")
    return document


def store_matches(*, owner, doc_types: set[str]):
    wanted = [t for t in doc_types if t]
    return StoredDocument.objects.visible_to(owner).filter(doc_type__in=wanted).order_by("-created_at")


def share_link_get(*, token: str) -> ShareLink:
    link = (
        ShareLink.objects.select_related("document__result", "document__attachment")
        .filter(token=token, revoked=False)
        .first()
    )
    if link is None or link.expires_at <= timezone.now():
        raise NotFound("Đường dẫn chia sẻ không tồn tại hoặc đã hết hạn")
    return link


def result_get(*, user, code: str, public_code: str) -> ResultDocument:
    """A result of a dossier the user may see (`ResultDocument.objects.visible_to`); NotFound otherwise."""
    result = (
        ResultDocument.objects.visible_to(user)
        .select_related("dossier")
        .filter(dossier__code=code, public_code=public_code)
        .first()
    )
    if result is None:
        raise NotFound("Không tìm thấy kết quả này")
    return result


def results_of(*, dossier) -> list[ResultDocument]:
    """Every result issued for a dossier the caller may already see, newest first (revoked ones too)."""
    return list(ResultDocument.objects.filter(dossier=dossier).order_by("-signed_at", "-pk"))


def result_valid_latest(*, dossier) -> ResultDocument | None:
    return ResultDocument.objects.filter(dossier=dossier, status="valid").order_by("-signed_at").first()


def receipt_latest(*, dossier):
    """The latest receipt (Form 01) of a dossier, or None before its completeness check."""
    from .models import IssuedForm

    return IssuedForm.objects.filter(dossier=dossier, form="01").order_by("-pk").first()


def trusted_roots() -> list:
    """The roots our results chain to, oldest first (published as PEM; the first one's CRL is served)."""
    from .models import TrustedRoot

    return list(TrustedRoot.objects.order_by("pk"))


def issued_forms_of(*, dossier):
    """Every form issued for a dossier, oldest first (superseded ones included: they are the record)."""
    from .models import IssuedForm

    return IssuedForm.objects.filter(dossier=dossier).order_by("pk")


def issued_form_get(*, dossier, form: str, pk: int | None = None):
    """The stored form to serve: a given one, or the latest of its number. Never rendered on request:
    a form whose event did not happen does not exist (NotFound). A form recorded at its event whose
    signing was interrupted is completed once, from the facts frozen then."""
    from .forms import form_complete
    from .models import IssuedForm

    qs = IssuedForm.objects.filter(dossier=dossier, form=form)
    issued = qs.filter(pk=pk).first() if pk is not None else qs.order_by("-pk").first()
    if issued is None:
        raise NotFound("Không có phiếu này cho hồ sơ")
    return issued if issued.is_ready else form_complete(form_id=issued.pk)
