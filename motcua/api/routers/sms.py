"""Inbound SMS from the operator's gateway (issue 19, point 5): keyword messages "DK <mã thôn>" /
"HUY <mã thôn>" subscribe or unsubscribe the sender's phone to a village's broadcasts. The gateway sends
`X-Gateway-Token: <SMS_INBOUND_TOKEN>`; without that setting the endpoint does not exist (404)."""

import hmac

from django.conf import settings
from ninja import Field, Router, Schema

from motcua.broadcasts.services import inbound_sms
from motcua.core.errors import NotFound
from motcua.core.inputs import Text

router = Router(tags=["sms"])


class InboundIn(Schema):
    sender: Text(30, required=True, label="Số điện thoại gửi") = Field(..., alias="from")
    text: Text(500, label="Nội dung tin nhắn") = ""


@router.post("/inbound", url_name="sms_inbound", auth=None, summary="Tin nhắn đến từ cổng SMS (đăng ký nhận tin thôn)")
def inbound(request, payload: InboundIn):
    expected = settings.SMS_INBOUND_TOKEN
    given = request.headers.get("X-Gateway-Token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotFound("Không tìm thấy")
    return inbound_sms(phone=payload.sender, text=payload.text)
