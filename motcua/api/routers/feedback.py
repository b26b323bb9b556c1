"""Feedback and petitions (PAKN) over the API, following the dossier endpoints' conventions: bearer auth,
{code, message, fields} errors, 404 for missing and not visible alike, 409 on a stale version."""

import datetime as dt
from typing import Annotated

from ninja import Field, Router, Schema, Status

from motcua.api.auth import bearer
from motcua.api.shapes import event_json
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.inputs import Int, Text
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.models import DRAFT
from motcua.feedback import selectors, services
from motcua.feedback.models import Feedback

router = Router(tags=["feedback"], auth=bearer)


class FeedbackIn(Schema):
    category: Text(12, required=True, label="Loại phản ánh")
    subject: Text(200, required=True, label="Tiêu đề")
    text: Text(5000, required=True, multiline=True, label="Nội dung")
    procedure_code: Text(40, label="Mã thủ tục") | None = None
    dossier_code: Text(60, label="Mã hồ sơ") | None = None
    attachments: Annotated[list[Text(64)], Field(max_length=5)] = []
    publish_consent: bool = False


class FeedbackSummaryOut(Schema):
    code: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime


def _summary(fb: Feedback) -> dict:
    return {"code": fb.code, "status": fb.status, "received_at": fb.received_at, "due_at": fb.due_at}


@router.post("/feedback", response={201: FeedbackSummaryOut}, summary="Gửi phản ánh, kiến nghị")
def submit(request, payload: FeedbackIn):
    from motcua.catalog.selectors import procedure_current

    dossier = procedure = None
    if payload.dossier_code:
        try:
            dossier = dossier_selectors.dossier_get(user=request.auth, code=payload.dossier_code)
        except NotFound:
            dossier = None
        if dossier is None or dossier.status == DRAFT:
            message = "Không tìm thấy hồ sơ này trong các hồ sơ của bạn"
            raise ValidationFailed(message, fields={"dossier_code": [message]}, code="dossier_unknown")
    if payload.procedure_code:
        procedure = procedure_current(code=payload.procedure_code)
        if procedure is None:
            message = "Không có thủ tục mã này trong danh mục"
            raise ValidationFailed(message, fields={"procedure_code": [message]}, code="procedure_unknown")
    fb = services.feedback_submit(
        category=payload.category,
        subject=payload.subject,
        text=payload.text,
        procedure=procedure,
        dossier=dossier,
        sender=request.auth,
        channel="api",
        attachments=payload.attachments,
        publish_consent=payload.publish_consent,
        repeat_within=services.REPEAT_WINDOW,
    )
    return Status(201, _summary(fb))


def _detail(fb: Feedback, user) -> dict:
    return {
        **_summary(fb),
        "version": fb.version,
        "category": fb.category,
        "subject": fb.subject,
        "text": fb.text,
        "status_label": selectors.feedback_status_label(fb, citizen=fb.sender_id == user.pk),
        "unit": fb.unit.code,
        "procedure_code": fb.procedure.code if fb.procedure else None,
        "dossier_code": fb.dossier.code if fb.dossier else None,
        "channel": fb.channel,
        "publish_consent": fb.publish_consent,
        "assigned_to": fb.assigned_to.username if fb.assigned_to else None,
        "answer": fb.answer or None,
        "answered_at": fb.answered_at,
        "publish_due_at": fb.publish_due_at,
        "published_at": fb.published_at,
        "finished_at": fb.finished_at,
        "remaining": selectors.feedback_remaining_text(fb) or None,
        "rating": {"score": fb.rating_score, "comment": fb.rating_comment, "at": fb.rated_at} if fb.rated_at else None,
        "attachments": [
            {
                "id": str(a.pk),
                "name": a.original_name,
                "sha256": a.sha256,
                "size": a.size,
                "content_type": a.content_type,
            }
            for a in selectors.feedback_attachments(fb)
        ],
        "events": [event_json(e) for e in selectors.feedback_events(fb)],
        "actions": [a.name for a in selectors.feedback_actions(user=user, feedback=fb)],
    }


@router.get("/feedback/{code}", summary="Chi tiết phản ánh (người gửi và cán bộ của đơn vị)")
def detail(request, code: str):
    return _detail(selectors.feedback_get(user=request.auth, code=code), request.auth)


class TransitionIn(Schema):
    action: Text(40, required=True, label="Thao tác")
    version: Int(1, 2**31 - 1, label="Phiên bản")
    note: Text(5000, multiline=True, label="Nội dung") = ""
    assignee: Text(150) | None = None
    params: Annotated[dict[Text(40), Text(300)], Field(max_length=20)] | None = None


@router.post("/feedback/{code}/transitions", summary="Chuyển bước xử lý phản ánh")
def transition(request, code: str, payload: TransitionIn):
    params = {**(payload.params or {})}
    if payload.assignee is not None:
        params["assignee"] = payload.assignee
    fb = services.feedback_transition(
        code=code, action=payload.action, actor=request.auth, version=payload.version, note=payload.note, params=params
    )
    return _detail(fb, request.auth)


class RatingIn(Schema):
    score: Int(1, 5, label="Điểm đánh giá")
    comment: Text(2000, multiline=True, label="Lý do") = ""


@router.post("/feedback/{code}/rating", response={201: dict}, summary="Người gửi đánh giá trả lời (một lần)")
def rate(request, code: str, payload: RatingIn):
    fb = services.feedback_rate(code=code, user=request.auth, score=payload.score, comment=payload.comment)
    return Status(201, {"code": fb.code, "score": fb.rating_score, "comment": fb.rating_comment, "at": fb.rated_at})
