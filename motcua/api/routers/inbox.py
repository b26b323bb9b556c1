"""The caller's inbox (issue 19, point 4): their own in-app messages, newest first, and marking them read."""

from ninja import Query, Router, Schema
from ninja.security import django_auth

from motcua.api.auth import bearer
from motcua.core.inputs import Int
from motcua.notifications.selectors import inbox_messages, inbox_unread_count
from motcua.notifications.services import inbox_mark_all_read, inbox_mark_read

router = Router(tags=["inbox"], auth=[bearer, django_auth])


class InboxQueryIn(Schema):
    page: Int(1, 100_000, label="Trang") = 1
    page_size: Int(1, 200, label="Số dòng mỗi trang") = 50


def _message(m) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "body": m.body,
        "url": m.url,
        "created_at": m.created_at,
        "read_at": m.read_at,
    }


@router.get("", url_name="inbox", summary="Hộp thư của người gọi (mới nhất trước)")
def inbox(request, params: Query[InboxQueryIn]):
    start = (params.page - 1) * params.page_size
    rows = list(inbox_messages(user=request.auth)[start : start + params.page_size + 1])
    return {
        "page": params.page,
        "has_next": len(rows) > params.page_size,
        "unread": inbox_unread_count(user=request.auth),
        "results": [_message(m) for m in rows[: params.page_size]],
    }


@router.post("/{int:message_id}/read", url_name="inbox_read", summary="Đánh dấu một tin nhắn là đã đọc")
def read(request, message_id: int):
    return _message(inbox_mark_read(user=request.auth, message_id=message_id))


@router.post("/read-all", url_name="inbox_read_all", summary="Đánh dấu mọi tin nhắn là đã đọc")
def read_all(request):
    return {"marked": inbox_mark_all_read(user=request.auth)}
