"""Demo-only reads (issue 16, point 8): 404 outside demo mode."""

import datetime as dt

from django.conf import settings
from django.http import Http404
from ninja import Router, Schema

from motcua.core.inputs import Text
from motcua.notifications.selectors import demo_messages

router = Router(tags=["demo"])


class DemoMessageOut(Schema):
    channel: str
    to: str
    text: str
    created_at: dt.datetime


@router.get(
    "/messages",
    response=list[DemoMessageOut],
    summary="Hộp thư mô phỏng: tin đã gửi qua SMS, thư điện tử (chỉ bản thử nghiệm)",
    description="Mới nhất trước; `to` là số điện thoại hoặc địa chỉ thư điện tử. Ngoài chế độ thử nghiệm: 404.",
)
def messages(request, to: Text(200, label="Người nhận") = ""):
    if not settings.DEMO:
        raise Http404
    return demo_messages(to=to, limit=100)
