import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from motcua.accounts import selectors, services
from motcua.api.auth import bearer
from motcua.core.errors import DomainError
from motcua.core.inputs import Text
from motcua.core.net import client_ip

router = Router(tags=["auth"])


class LoginIn(Schema):
    username: Text(150, required=True, label="Tên đăng nhập")
    password: Annotated[str, Field(max_length=4096)]
    otp: Text(10) | None = None
    sms_code: Text(10) | None = None


class LoginOut(Schema):
    token: str
    expires_at: dt.datetime
    user: dict


class Unauthorized(DomainError):
    status = 401
    code = "invalid_credentials"


def _user_summary(user) -> dict:
    return {
        "username": user.username,
        "full_name": user.display_name,
        "roles": [{"role": g.role, "unit": g.unit.code} for g in selectors.grants_of(user=user)],
        "is_citizen": selectors.is_citizen(user=user),
    }


@router.post(
    "/login",
    response={200: LoginOut},
    summary="Đăng nhập, nhận mã truy cập (Bearer)",
    description=(
        "Cán bộ gửi thêm `otp` (mã ứng dụng xác thực; mỗi mã dùng một lần). Tài khoản vừa bị nhập sai mật khẩu "
        "nhiều lần cần thêm `sms_code`: lần gọi không có mã sẽ gửi mã qua tin nhắn và trả 401 `sms_code_required`. "
        "Sai quá nhiều lần: 429 kèm Retry-After."
    ),
)
def login(request, payload: LoginIn):
    ip = client_ip(request)
    user = services.login_authenticate(request=request, identifier=payload.username, password=payload.password)
    if user is None:
        raise Unauthorized(_("Tên đăng nhập hoặc mật khẩu chưa đúng."))
    if services.totp_required(user=user) and not user.totp_confirmed_at:
        raise Unauthorized(
            _("Tài khoản cán bộ cần bật xác thực hai bước trên trang web trước khi dùng API."),
            code="otp_setup_required",
        )
    step = services.login_second_step(user=user)
    if step == "totp":
        if not payload.otp:
            raise Unauthorized(_("Cần mã xác thực 6 chữ số hợp lệ trong trường otp."), code="otp_required")
        if not services.totp_verify(user=user, code=payload.otp, ip_address=ip):
            raise Unauthorized(
                _("Mã xác thực chưa đúng, đã dùng hoặc đã hết hạn; hãy gửi mã mới trong trường otp."),
                code="otp_invalid",
            )
    elif step == "sms":
        if not payload.sms_code:
            services.login_challenge_send(user=user)
            raise Unauthorized(
                _("Tài khoản vừa bị nhập sai mật khẩu nhiều lần: gửi lại kèm mã trong tin nhắn (trường sms_code)."),
                code="sms_code_required",
            )
        if not services.login_challenge_verify(user=user, code=payload.sms_code, ip_address=ip):
            raise Unauthorized(_("Mã trong tin nhắn chưa đúng hoặc đã hết hạn."), code="sms_code_invalid")
    services.login_succeeded(user=user, ip_address=ip)
    raw, token = services.api_token_issue(user=user)
    return {"token": raw, "expires_at": token.expires_at, "user": _user_summary(user)}


@router.get("/me", auth=bearer, summary="Người dùng hiện tại")
def me(request):
    return _user_summary(request.auth)


@router.post("/logout", auth=bearer, response={204: None}, summary="Thu hồi mã truy cập đang dùng")
def logout(request):
    header = request.headers.get("Authorization", "")
    services.api_token_revoke(raw=header.split(" ", 1)[-1].strip())
    return Status(204, None)
