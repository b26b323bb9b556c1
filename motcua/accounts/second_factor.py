"""Whether the current session has passed the second factor, when the user needs one."""

OTP_SESSION_KEY = "otp_verified"


def otp_satisfied(request) -> bool:
    from .services import totp_required

    user = request.user
    if not user.is_authenticated or not totp_required(user=user):
        return True
    if getattr(request, "authenticated_by_token", False):  # API tokens are issued only after the second factor
        return True
    return bool(request.session.get(OTP_SESSION_KEY))


def otp_mark_verified(request) -> None:
    request.session[OTP_SESSION_KEY] = True
