from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema

from motcua.accounts.throttle import throttle_hit
from motcua.catalog import selectors
from motcua.catalog.assistant import assistant_answer
from motcua.catalog.channels import ADAPTERS, ChannelError
from motcua.core.errors import BadRequest, DomainError, NotFound, ValidationFailed
from motcua.core.inputs import Int, Text
from motcua.core.net import client_ip
from motcua.places.selectors import main_office

router = Router(tags=["catalog"])
assistant_router = Router(tags=["assistant"])


class ListQuery(Schema):
    q: Text(200) | None = None
    page: Int(1, 10_000, label="Trang") = 1
    page_size: Int(1, 100, label="Số dòng mỗi trang") = 20
    field: Text(100) | None = None


def _brief(p) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "citizen_name": p.citizen_name,
        "field": p.field.name,
        "field_slug": p.field.slug,
        "online_level": p.online_level,
        "url": settings.SITE_URL + reverse("portal:procedure", args=[p.code]),
    }


@router.get("", summary="Tìm hoặc liệt kê thủ tục")
def procedures(request, params: Query[ListQuery]):
    """With `q`: a ranked list (`code`, `name`, `field`, `score`). Without: the whole current catalogue,
    paginated, with the total count."""
    if params.q is not None and params.q.strip():
        hits = selectors.procedure_search(query=params.q[:200], limit=params.page_size)
        return {
            "query": params.q,
            "count": len(hits),
            "results": [{"code": h.code, "name": h.name, "field": h.field, "score": h.score} for h in hits],
        }
    qs = selectors.procedures_of_field(field_slug=params.field).order_by("code")
    total = qs.count()
    start = (params.page - 1) * params.page_size
    return {
        "count": total,
        "page": params.page,
        "page_size": params.page_size,
        "results": [_brief(p) for p in qs[start : start + params.page_size]],
    }


@router.get("/{code}", summary="Chi tiết thủ tục")
def procedure_detail(request, code: str):
    p = selectors.procedure_current(code=code)
    if p is None:
        raise NotFound(f"Không có thủ tục mã {code}")
    time = {"kind": p.time_kind, "amount": float(p.time_amount), "note": p.time_note, "text": selectors.time_text(p)}
    return {
        **_brief(p),
        "version": p.version,
        "valid_from": p.valid_from,
        "aliases": p.aliases,
        "level": p.level,
        "agency": p.agency,
        "channels": p.channels,
        "who": p.who,
        "steps": p.steps,
        "documents": [
            {
                "name": d.name,
                "kind": d.kind,
                "count": d.count,
                "required": d.required,
                "template": d.template,
                "store_doc_type": d.store_doc_type,
                "national_db": d.national_db,
                "note": d.note,
            }
            for d in selectors.documents_of(p)
        ],
        "time": time,
        "fee": {**p.fee, "text": selectors.fee_text(p)},
        "legal_basis": p.legal_basis,
        "result": p.result,
        "result_doc_type": p.result_doc_type,
        "form": {"key": p.form_key, "schema": p.form_schema, "ui": p.form_ui},
        "workflow": p.workflow,
        "linked": p.linked_codes,
        "unconfirmed": p.unconfirmed,
    }


class MessageIn(Schema):
    text: str
    language: Literal["vi", "en"] | None = None


def _hotline() -> str:
    office = main_office()
    return office.hotline if office else ""


@assistant_router.post("/messages", summary="Hỏi trợ lý thủ tục")
def assistant_message(request, payload: MessageIn):
    if len(payload.text) > 500:
        # Too long is a validation error like every other field's length: 422, not 400.
        raise ValidationFailed("Câu hỏi dài quá 500 ký tự; hãy hỏi ngắn gọn hơn", fields={"text": ["Tối đa 500 ký tự"]})
    throttle_hit(purpose="assistant", ip_address=client_ip(request))
    return assistant_answer(payload.text, hotline=_hotline(), language=payload.language).as_dict()


class ChannelRefused(DomainError):
    status = 403
    code = "forbidden"


@assistant_router.post("/channels/{channel}", summary="Webhook cho Zalo OA, cổng SMS")
def assistant_channel(request, channel: str):
    adapter = ADAPTERS.get(channel)
    if adapter is None:
        raise NotFound(f"Không có kênh {channel}")
    secret = settings.ASSISTANT_CHANNEL_SECRET
    if secret and request.headers.get("X-Motcua-Channel-Secret") != secret:
        raise ChannelRefused("Thiếu hoặc sai khóa bí mật của kênh (tiêu đề X-Motcua-Channel-Secret)")
    try:
        inbound = adapter.parse(request.body, request.content_type)
    except ChannelError as exc:
        raise BadRequest(str(exc)) from exc
    content_type, body = adapter.render(inbound, assistant_answer(inbound.text[:500], hotline=_hotline()))
    return HttpResponse(body, content_type=content_type)
