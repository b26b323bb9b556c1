from typing import Any

from ninja import Query, Router, Schema
from ninja.security import django_auth

from motcua.api.auth import bearer
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.inputs import Int
from motcua.outreach import selectors, services

router = Router(tags=["outreach"], auth=[bearer, django_auth])


class BatchIn(Schema):
    # Any JSON per record: each one is judged on its own and answered created / duplicate / rejected.
    records: list[Any]


class PageQuery(Schema):
    page: Int(1, 100_000, label="Trang") = 1


def _member(request):
    member = selectors.membership(user=request.auth)
    if member is None:
        raise NotFound("Bạn chưa là thành viên đang hoạt động của Tổ công nghệ số cộng đồng nào")
    return member


@router.post(
    "/records", url_name="outreach_records", summary="Gửi một loạt lượt hỗ trợ (gửi lại an toàn theo client_id)"
)
def sync(request, payload: BatchIn):
    member = _member(request)
    if len(payload.records) > 500:
        message = "Mỗi lần gửi tối đa 500 bản ghi; hãy chia thành nhiều lần gửi"
        raise ValidationFailed(message, fields={"records": [message]})
    results = services.records_sync(member=member, items=payload.records)
    counts = {k: sum(1 for r in results if r["status"] == k) for k in ("created", "duplicate", "rejected")}
    return {"results": results, **counts}


@router.get("/records", summary="Các lượt hỗ trợ của người gọi")
def mine(request, params: Query[PageQuery]):
    member = _member(request)
    page = params.page
    qs = member.records.select_related("village").order_by("-date", "-id")
    start = (page - 1) * 100
    return {
        "count": qs.count(),
        "results": [
            {
                "client_id": r.client_id,
                "full_name": r.full_name,
                "village": r.village.code if r.village else r.village_text,
                "village_flagged": r.village_flagged,
                "citizen_id": r.citizen_id,
                "phone": r.phone,
                "consent": r.consent,
                "skills": r.skills,
                "date": r.date,
                "place": r.place,
            }
            for r in qs[start : start + 100]
        ],
    }
