import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from motcua.accounts import otp, registration, selectors, services
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


# --- sign-up and password recovery (issue 16; docs/identity.md) -----------------------------------------------
class RegisterIn(Schema):
    phone: Text(20, required=True, label="Số điện thoại")
    full_name: Text(150, required=True, label="Họ và tên")
    citizen_id: Text(20, required=True, label="Số định danh cá nhân")
    birth_date: dt.date
    gender: Literal["male", "female"]
    password: Annotated[str, Field(max_length=4096)]
    consent: bool


class VerificationOut(Schema):
    verification_id: str


class RegisterConfirmIn(Schema):
    verification_id: Text(64, required=True, label="Mã phiên xác minh")
    otp: Text(10, required=True, label="Mã xác minh")


class TokenOut(Schema):
    token: str


class ResendIn(Schema):
    verification_id: Text(64, required=True, label="Mã phiên xác minh")


class PasswordResetIn(Schema):
    phone: Text(20, required=True, label="Số điện thoại")


class MessageOut(Schema):
    message: str


class PasswordResetConfirmIn(Schema):
    phone: Text(20, required=True, label="Số điện thoại")
    otp: Text(10, required=True, label="Mã xác minh")
    new_password: Annotated[str, Field(max_length=4096)]


@router.post(
    "/register",
    response={202: VerificationOut},
    summary="Đăng ký tài khoản công dân: gửi mã xác minh qua SMS",
    description=(
        "Kiểm tra thông tin (422 kèm `fields` nếu sai) rồi gửi mã 6 chữ số tới số điện thoại; tài khoản chỉ được tạo "
        "khi xác nhận mã (`/auth/register/confirm`). Câu trả lời như nhau dù số điện thoại hay số định danh đã có "
        "tài khoản hay chưa; nếu đã có, tin nhắn cho biết cần làm gì. `consent` phải là true "
        "(Nghị định 13/2023/NĐ-CP). "
        "Quá giới hạn gửi mã: 429 kèm Retry-After."
    ),
)
def register(request, payload: RegisterIn):
    vid = registration.register_start(ip_address=client_ip(request), **payload.dict())
    return Status(202, {"verification_id": vid})


@router.post(
    "/register/confirm",
    response={201: TokenOut},
    summary="Xác nhận mã SMS: tạo tài khoản, nhận mã truy cập",
    description="Mã sai: 422 `otp_invalid` (sai 5 lần thì mã bị hủy: `otp_void`), hết hạn sau 5 phút: `otp_expired`.",
)
def register_confirm(request, payload: RegisterConfirmIn):
    user = registration.register_confirm(
        verification_id=payload.verification_id, code=payload.otp, ip_address=client_ip(request)
    )
    raw, _token = services.api_token_issue(user=user)
    return Status(201, {"token": raw})


@router.post(
    "/register/resend",
    response={202: MessageOut},
    summary="Gửi lại mã xác minh (sau 60 giây)",
    description="Mã mới thay mã cũ. Gọi sớm hơn 60 giây hoặc quá giới hạn mỗi giờ: 429 kèm Retry-After.",
)
def register_resend(request, payload: ResendIn):
    otp.otp_resend(verification_id=payload.verification_id, purpose="register", ip_address=client_ip(request))
    return Status(202, {"message": _("Đã gửi lại mã qua tin nhắn.")})


@router.post(
    "/password-reset",
    response={202: MessageOut},
    summary="Quên mật khẩu: gửi mã qua SMS",
    description="Luôn trả 202 với cùng nội dung, dù số điện thoại có tài khoản hay không.",
)
def password_reset(request, payload: PasswordResetIn):
    registration.password_reset_start(phone=payload.phone, ip_address=client_ip(request))
    return Status(
        202, {"message": _("Đã gửi tin nhắn tới số điện thoại này. Nhập mã trong tin nhắn để đặt mật khẩu mới.")}
    )


@router.post(
    "/password-reset/confirm",
    response={204: None},
    summary="Đặt mật khẩu mới bằng mã SMS",
    description=(
        "Mọi phiên đăng nhập và mã truy cập API cũ của tài khoản hết hiệu lực. Mã sai hoặc hết hạn: 422 kèm "
        "`fields.otp`; mật khẩu yếu: 422 kèm `fields.new_password`."
    ),
)
def password_reset_confirm(request, payload: PasswordResetConfirmIn):
    registration.password_reset_confirm(
        phone=payload.phone, code=payload.otp, new_password=payload.new_password, ip_address=client_ip(request)
    )
    return Status(204, None)
