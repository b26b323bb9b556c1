import datetime as dt
import uuid
from typing import Annotated

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.accounts.privacy import dossier_access_record
from motcua.api.auth import bearer
from motcua.api.shapes import event_json
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.inputs import Int, Text
from motcua.core.net import client_ip
from motcua.documents.selectors import issued_forms_of, receipt_latest, result_valid_latest
from motcua.dossiers import selectors, services
from motcua.dossiers.models import DRAFT, Dossier
from motcua.payments.selectors import payment_summary

router = Router(tags=["dossiers"], auth=bearer)


class AttachmentOut(Schema):
    id: uuid.UUID
    sha256: str
    size: int
    content_type: str


class DossierSummaryOut(Schema):
    code: str
    status: str
    version: int
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    receipt_url: str | None


public = Router(tags=["dossiers"])


def _receipt_url(dossier: Dossier) -> str | None:
    """The latest receipt (Form 01); none until the completeness check for an online dossier."""
    receipt = receipt_latest(dossier=dossier)
    if receipt is None:
        return None
    return settings.SITE_URL + reverse("portal:dossier_form_issued", args=[dossier.code, "01", receipt.pk])


def _forms(dossier: Dossier) -> list[dict]:
    return [
        {
            "form": f.form,
            "title": f.title,
            "issued_at": f.issued_at or f.created_at,
            "sha256": f.sha256 or None,
            "supersedes": f.supersedes_id,
            "id": f.pk,
            "url": settings.SITE_URL + reverse("portal:dossier_form_issued", args=[dossier.code, f.form, f.pk]),
        }
        for f in issued_forms_of(dossier=dossier)
    ]


def _summary(dossier: Dossier, *, no_receipt: bool = False) -> dict:
    """``no_receipt``: the caller knows the dossier has no receipt yet (no query)."""
    return {
        "code": dossier.code,
        "status": dossier.status,
        "version": dossier.version,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "receipt_url": None if no_receipt else _receipt_url(dossier),
    }


@router.post("/attachments", response={201: AttachmentOut}, summary="Tải lên một tệp (PDF, JPEG, PNG; tối đa 10 MB)")
def upload(request, file: File[UploadedFile], document_name: Text(300, label="Tên giấy tờ") = ""):
    attachment = services.attachment_upload(owner=request.auth, upload=file, document_name=document_name)
    return Status(
        201,
        {
            "id": attachment.pk,
            "sha256": attachment.sha256,
            "size": attachment.size,
            "content_type": attachment.content_type,
        },
    )


class DossierIn(Schema):
    procedure_code: Text(40, required=True, label="Mã thủ tục")
    form: dict
    attachments: Annotated[list[Text(64)], Field(max_length=50)] = []
    office: Text(40) | None = None


@router.post(
    "/dossiers",
    response={200: DossierSummaryOut, 201: DossierSummaryOut},
    summary="Nộp hồ sơ trực tuyến (tiêu đề Idempotency-Key để gửi lại an toàn)",
)
def submit(request, payload: DossierIn):
    key = request.headers.get("Idempotency-Key")
    dossier, created = services.dossier_submit(
        citizen=request.auth,
        procedure_code=payload.procedure_code,
        form=payload.form,
        attachment_ids=payload.attachments,
        idempotency_key=key,
        office_code=payload.office,
    )
    # A dossier just created has the forms its intake issued (none online) and no other.
    return Status(201 if created else 200, _summary(dossier, no_receipt=created and not dossier.forms_issued))


def _detail(dossier: Dossier, user) -> dict:
    return {
        **_summary(dossier),
        "procedure": {
            "code": dossier.procedure.code,
            "name": dossier.procedure.name,
            "version": dossier.procedure.version,
        },
        "status_label": selectors.status_label(dossier, citizen=dossier.citizen_id == user.pk),
        "office": dossier.office.code,
        "channel": dossier.channel,
        "submitted_at": dossier.submitted_at,
        "finished_at": dossier.finished_at,
        "timeliness": dossier.timeliness or None,
        "remaining": selectors.remaining_text(dossier),
        "late": _late(dossier),
        "fee_amount": dossier.fee_amount,
        "payment": payment_summary(dossier),
        "form": dossier.form_data,
        "attachments": [
            {
                "id": str(a.pk),
                "name": a.document_name or a.original_name,
                "sha256": a.sha256,
                "size": a.size,
                "content_type": a.content_type,
                "url": settings.SITE_URL + reverse("portal:attachment", args=[a.pk]),
            }
            for a in selectors.attachments_of(dossier)
        ],
        "events": [event_json(e) for e in selectors.events_of(dossier)],
        "actions": [a.name for a in selectors.actions_for(user=user, dossier=dossier)],
        "result": _result(dossier),
        "forms": _forms(dossier),
    }


def _late(dossier: Dossier) -> dict | None:
    late = selectors.lateness(dossier)
    if late is None:
        return None
    # beyond_horizon: more than 3 years late, not counted in working time (days, hours and minutes are 0).
    return {
        "days": late.days,
        "hours": late.hours,
        "minutes": late.minutes,
        "beyond_horizon": late.beyond_horizon,
        "text": late.text(),
    }


def _result(dossier: Dossier) -> dict | None:
    result = result_valid_latest(dossier=dossier)
    if result is None:
        return None
    url = settings.SITE_URL + reverse("documents:result", args=[dossier.code, result.public_code])
    return {
        "url": url,
        "sha256": result.sha256,
        "signed_at": result.signed_at,
        "verify_url": settings.SITE_URL + reverse("documents:verify", args=[result.public_code]),
    }


@router.get("/dossiers/{code}", summary="Chi tiết hồ sơ (chỉ công dân nộp và cán bộ của đơn vị)")
def detail(request, code: str):
    dossier = selectors.dossier_get(user=request.auth, code=code)
    if dossier.status == DRAFT:
        raise NotFound("Không tìm thấy hồ sơ này")
    dossier_access_record(user=request.auth, dossier=dossier, what=_("Xem hồ sơ qua API"))
    return _detail(dossier, request.auth)


class TransitionIn(Schema):
    action: Text(40, required=True, label="Thao tác")
    version: Int(1, 2**31 - 1, label="Phiên bản")
    note: Text(2000, multiline=True, label="Nội dung") = ""
    assignee: Text(150) | None = None
    method: Text(10) | None = None
    new_due: Text(20, label="Ngày hẹn mới") | None = None
    form: dict | None = None
    attachments: Annotated[list[Text(64)], Field(max_length=50)] | None = None
    documents: Annotated[list[Text(300)], Field(max_length=50)] | None = None
    confirm: bool | None = None
    # Any other param a workflow declares (docs/dossiers.md, "params"), by name.
    params: Annotated[dict[Text(40), Text(300) | list[Text(300)]], Field(max_length=20)] | None = None


@router.post("/dossiers/{code}/transitions", summary="Chuyển bước xử lý hồ sơ")
def transition(request, code: str, payload: TransitionIn):
    body = payload.dict()
    params = {**(body.pop("params") or {})}
    params.update({k: v for k, v in body.items() if k not in ("action", "version", "note") and v is not None})
    dossier = services.dossier_transition(
        code=code, action=payload.action, actor=request.auth, version=payload.version, note=payload.note, params=params
    )
    return _detail(dossier, request.auth)


class WorklistQueryIn(Schema):
    view: Text(20) = "open"
    q: Text(100, label="Từ khoá") = ""
    page: Int(1, 100_000, label="Trang") = 1
    page_size: Int(1, 200, label="Số dòng mỗi trang") = 50


@router.get("/worklist", summary="Danh sách hồ sơ của cán bộ")
def worklist(request, params: Query[WorklistQueryIn]):
    from motcua.accounts.selectors import is_officer

    if not is_officer(user=request.auth):
        raise NotFound("Không tìm thấy")
    if params.view not in selectors.VIEWS:
        message = f"view phải là một trong: {', '.join(selectors.VIEWS)}"
        raise ValidationFailed(message, fields={"view": [message]})
    qs = selectors.worklist(user=request.auth, query=selectors.WorklistQuery(view=params.view, search=params.q))
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size + 1])
    return {
        "view": params.view,
        "page": params.page,
        "has_next": len(rows) > params.page_size,
        "results": [
            {
                "code": d.code,
                "procedure": d.procedure.code,
                "status": d.status,
                "due_at": d.due_at,
                "applicant_name": d.applicant_name,
                "assigned_to": d.assigned_to.username if d.assigned_to else None,
                "version": d.version,
            }
            for d in rows[: params.page_size]
        ],
    }


class FeeIn(Schema):
    amount: Int(1, 10_000_000_000, label="Số tiền (đồng)")
    label: Text(200, required=True, label="Nội dung thu")
    category: Text(10, label="Loại") = "le_phi"


@router.post(
    "/dossiers/{code}/fees",
    response={201: dict},
    summary="Cán bộ xác định khoản phí, lệ phí phải nộp thêm ở một bước (tạo khoản chờ thanh toán; tiêu đề "
    "Idempotency-Key để gửi lại an toàn)",
)
def fee_set(request, code: str, payload: FeeIn):
    from motcua.payments.services import fee_set as payments_fee_set

    intent = payments_fee_set(
        officer=request.auth,
        code=code,
        amount=payload.amount,
        label=payload.label,
        category=payload.category,
        request_key=request.headers.get("Idempotency-Key") or "",
    )
    return Status(
        201, {"reference": intent.reference, "amount": intent.amount, "payment": payment_summary(intent.dossier)}
    )


@public.get("/track", summary="Tra cứu công khai bằng mã hồ sơ và số điện thoại")
def track(
    request, code: Text(60, required=True, label="Mã hồ sơ"), phone: Text(20, required=True, label="Số điện thoại")
):
    dossier = services.dossier_track_checked(code=code, phone=phone, ip_address=client_ip(request))
    from motcua.documents.pdf import event_label

    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "status": dossier.status,
        "status_label": selectors.status_label(dossier, citizen=True),
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "events": [{"at": e.created_at, "label": event_label(dossier, e)} for e in selectors.events_of(dossier)],
    }
