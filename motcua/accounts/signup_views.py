"""Pages for sign-up, password recovery and walk-in activation (issue 16). Thin: every rule is in
accounts/registration.py and accounts/otp.py; these pages read boxes, call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.core.errors import RateLimited, ValidationFailed
from motcua.core.logging import mask_phone
from motcua.core.net import client_ip, safe_next

from . import otp, registration
from .consent import consent_text
from .forms import ActivationForm, CodeForm, PasswordResetConfirmForm, PasswordResetForm, RegisterForm

_SIGNUP = "signup_verification"
_SIGNUP_PHONE = "signup_phone"
_SIGNUP_NEXT = "signup_next"
_RESET = "reset_verification"
_RESET_PHONE = "reset_phone"
_BACKEND = "motcua.accounts.backends.IdentifierBackend"
# Service field names → page field names where they differ.
_FIELD_ALIASES = {"otp": "code", "new_password": "new_password"}


def _show_errors(form, exc: ValidationFailed) -> None:
    placed = False
    for name, texts in exc.fields.items():
        name = _FIELD_ALIASES.get(name, name)
        if name in form.fields and texts:
            for text in texts:
                form.add_error(name, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _attempt(form, call):
    """Run one service call for a page form: (result, 0) on success; on a refusal the message goes on the
    form and the answer is (None, 429) for a rate limit or (None, 422) for invalid input."""
    try:
        return call(), 0
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return None, 429
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return None, 422


def _consent_context() -> dict:
    title, paragraphs = consent_text()
    return {"consent_title": title, "consent_paragraphs": paragraphs}


def _demo_inbox(phone: str) -> str:
    """In demo mode the code is read in the demo inbox; the page links to it."""
    if not settings.DEMO:
        return ""
    from django.urls import reverse
    from django.utils.http import urlencode

    return reverse("notifications:demo_inbox") + "?" + urlencode({"to": phone})


@never_cache
def register_view(request):
    form = RegisterForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            vid, failed = _attempt(
                form,
                lambda: registration.register_start(
                    ip_address=client_ip(request),
                    phone=data["phone"],
                    full_name=data["full_name"],
                    citizen_id=data["citizen_id"],
                    birth_date=data["birth_date"],
                    gender=data["gender"],
                    password=data["password"],
                    consent=data["consent"],
                ),
            )
            if failed:
                status = failed
            else:
                request.session[_SIGNUP] = vid
                request.session[_SIGNUP_PHONE] = registration.validate_phone(data["phone"])
                request.session[_SIGNUP_NEXT] = safe_next(request)
                return redirect("accounts:register_confirm")
    return render(request, "accounts/register.html", {"form": form, **_consent_context()}, status=status)


def _code_page(request, *, form, phone: str, kind: str, status: int, resend_error: str = ""):
    return render(
        request,
        "accounts/code.html",
        {
            "form": form,
            "kind": kind,
            "masked_phone": mask_phone(phone),
            "demo_inbox": _demo_inbox(phone),
            "ttl_minutes": max(1, settings.OTP_TTL_SECONDS // 60),
            "resend_error": resend_error,
        },
        status=status,
    )


def _resend(request, vid: str, purpose: str) -> tuple[int, str]:
    """(status, error): "send again" on a code page; status 0 means sent."""
    try:
        otp.otp_resend(verification_id=vid, purpose=purpose, ip_address=client_ip(request))
    except RateLimited as exc:
        return 429, exc.message
    except ValidationFailed as exc:
        return 422, exc.message
    messages.info(request, _("Đã gửi lại mã. Mã cũ không còn dùng được."))
    return 0, ""


@never_cache
def register_confirm_view(request):
    vid, phone = request.session.get(_SIGNUP), request.session.get(_SIGNUP_PHONE, "")
    if not vid:
        return redirect("accounts:register")
    form = CodeForm(request.POST if request.method == "POST" and "resend" not in request.POST else None)
    status, resend_error = 200, ""
    if request.method == "POST" and "resend" in request.POST:
        status, resend_error = _resend(request, vid, "register")
        if not status:
            return redirect("accounts:register_confirm")
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            user, failed = _attempt(
                form,
                lambda: registration.register_confirm(
                    verification_id=vid, code=form.cleaned_data["code"], ip_address=client_ip(request)
                ),
            )
            if failed:
                status = failed
            else:
                target = request.session.pop(_SIGNUP_NEXT, "") or ""
                request.session.pop(_SIGNUP, None)
                request.session.pop(_SIGNUP_PHONE, None)
                login(request, user, backend=_BACKEND)  # a new session key (no fixation)
                messages.success(request, _("Đã tạo tài khoản. Bạn đã đăng nhập và có thể nộp hồ sơ trực tuyến."))
                return redirect(target or "accounts:account")
    return _code_page(request, form=form, phone=phone, kind="register", status=status, resend_error=resend_error)


@never_cache
def password_reset_view(request):
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            vid, failed = _attempt(
                form,
                lambda: registration.password_reset_start(
                    phone=form.cleaned_data["phone"], ip_address=client_ip(request)
                ),
            )
            if failed:
                status = failed
            else:
                request.session[_RESET] = vid
                request.session[_RESET_PHONE] = registration.validate_phone(form.cleaned_data["phone"])
                return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@never_cache
def password_reset_confirm_view(request):
    vid, phone = request.session.get(_RESET), request.session.get(_RESET_PHONE, "")
    if not vid:
        return redirect("accounts:password_reset")
    resend = request.method == "POST" and "resend" in request.POST
    form = PasswordResetConfirmForm(request.POST if request.method == "POST" and not resend else None)
    status, resend_error = 200, ""
    if resend:
        status, resend_error = _resend(request, vid, "password_reset")
        if not status:
            return redirect("accounts:password_reset_confirm")
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            _result, failed = _attempt(
                form,
                lambda: registration.password_reset_confirm(
                    phone=phone,
                    code=form.cleaned_data["code"],
                    new_password=form.cleaned_data["new_password"],
                    verification_id=vid,
                    ip_address=client_ip(request),
                ),
            )
            if failed:
                status = failed
            else:
                request.session.pop(_RESET, None)
                request.session.pop(_RESET_PHONE, None)
                messages.success(
                    request,
                    _("Đã đặt mật khẩu mới. Các phiên đăng nhập cũ đã kết thúc; hãy đăng nhập bằng mật khẩu mới."),
                )
                return redirect("accounts:login")
    return _code_page(request, form=form, phone=phone, kind="password_reset", status=status, resend_error=resend_error)


@never_cache
def activate_view(request, uid: str, token: str):
    """The link in a walk-in's receipt SMS: set the first password (GET only shows the form, so link
    previews in messaging apps cannot use it up)."""
    user = registration.activation_user(uid=uid, token=token)
    if user is None:
        return render(request, "accounts/activate.html", {"invalid": True}, status=404)
    form = ActivationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = registration.account_activate(
                    uid=uid,
                    token=token,
                    password=form.cleaned_data["password"],
                    consent=form.cleaned_data["consent"],
                )
            except ValidationFailed as exc:
                _show_errors(form, exc)
                status = 422
            else:
                login(request, user, backend=_BACKEND)
                messages.success(request, _("Đã đặt mật khẩu. Từ nay bạn theo dõi hồ sơ trong tài khoản của mình."))
                return redirect("portal:my_dossiers")
    return render(
        request,
        "accounts/activate.html",
        {"form": form, "account_name": user.display_name, **_consent_context()},
        status=status,
    )
