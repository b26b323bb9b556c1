"""The hotline log (issue 19, point 2): duty officers record calls. Others get 404 like an unknown unit."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.security import django_auth

from motcua.api.auth import bearer
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.inputs import Text
from motcua.hotline import selectors, services

router = Router(tags=["hotline"], auth=[bearer, django_auth])


class CallIn(Schema):
    unit: Text(32, label="Mã địa bàn") = ""
    caller_phone: Text(30, required=True, label="Số điện thoại người gọi")
    caller_name: Text(150, label="Tên người gọi") = ""
    received_at: dt.datetime | None = None
    topic: Text(20, required=True, label="Chủ đề")
    procedure_code: Text(30, label="Mã thủ tục") = ""
    summary: Text(4000, multiline=True, required=True, label="Nội dung cuộc gọi")
    outcome: Text(20, required=True, label="Kết quả")
    follow_up: Text(2000, multiline=True, label="Việc cần làm tiếp") = ""


def _call(c) -> dict:
    return {
        "id": c.pk,
        "unit": c.unit.code,
        "received_at": c.received_at,
        "caller_phone": c.caller_phone,
        "caller_name": c.caller_name,
        "topic": c.topic,
        "procedure_code": c.procedure.code if c.procedure else None,
        "summary": c.summary,
        "outcome": c.outcome,
        "follow_up": c.follow_up,
        "officer": c.officer.username,
        "feedback_code": c.feedback_code or None,
        "created_at": c.created_at,
    }


@router.post("/calls", response={201: dict}, url_name="hotline_calls", summary="Ghi một cuộc gọi đường dây nóng")
def record(request, payload: CallIn):
    units = selectors.hotline_units(user=request.auth)
    if not units:
        raise NotFound("Không tìm thấy")
    if payload.unit:
        unit = selectors.hotline_unit_get(user=request.auth, code=payload.unit)
    elif len(units) == 1:
        unit = units[0]
    else:
        message = "Bạn trực đường dây nóng của nhiều địa bàn; hãy ghi mã địa bàn"
        raise ValidationFailed(message, fields={"unit": [message]})
    received_at = payload.received_at
    if received_at is not None and received_at.tzinfo is None:
        message = "Thời điểm gọi phải có múi giờ, ví dụ 2026-11-30T09:15:00+07:00"
        raise ValidationFailed(message, fields={"received_at": [message]})
    call = services.call_record(
        officer=request.auth,
        unit=unit,
        received_at=received_at,
        caller_phone=payload.caller_phone,
        caller_name=payload.caller_name,
        topic=payload.topic,
        procedure_code=payload.procedure_code,
        summary=payload.summary,
        outcome=payload.outcome,
        follow_up=payload.follow_up,
    )
    return Status(201, _call(call))
