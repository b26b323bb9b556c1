"""Login (password, then TOTP for officers), logout, password change, the account page."""

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua.core.errors import RateLimited
from motcua.core.otp import otp_mark_verified

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm, TotpForm
from .models import User

_PENDING = "pending_totp_user"
_PENDING_NEXT = "pending_totp_next"


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _landing(user) -> str:
    if selectors.is_officer(user=user):
        return reverse("workspace:home")
    if user.team_memberships.exists():  # community digital team members go to their phone form
        return reverse("outreach:home")
    return reverse("accounts:account")


@never_cache
def login_view(request):
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_authenticate(
                request=request,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            if user is None:
                form.add_error(
                    "password",
                    _("Số điện thoại, số định danh hoặc mật khẩu chưa đúng. Hãy kiểm tra và nhập lại."),
                )
                status = 400
            elif services.totp_required(user=user) and user.totp_confirmed_at:
                request.session[_PENDING] = user.pk
                request.session[_PENDING_NEXT] = _safe_next(request)
                return redirect("accounts:login_totp")
            else:
                login(request, user)
                if services.totp_required(user=user):
                    # An officer without a second factor yet must set one up before working.
                    return redirect("accounts:totp_setup")
                return redirect(_safe_next(request) or _landing(user))
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)}, status=status)


@never_cache
def login_totp_view(request):
    user = User.objects.filter(pk=request.session.get(_PENDING)).first()
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = request.META.get("REMOTE_ADDR")
        try:
            services.login_throttle_check(identifier=user.username, ip_address=ip)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            ok = services.totp_verify(user=user, code=form.cleaned_data["code"])
            services.login_attempt_record(identifier=user.username, ip_address=ip, succeeded=ok)
            if ok:
                target = request.session.pop(_PENDING_NEXT, "")
                request.session.pop(_PENDING, None)
                login(request, user)
                otp_mark_verified(request)
                return redirect(target or _landing(user))
            form.add_error("code", _("Mã xác thực chưa đúng hoặc đã hết hạn; hãy nhập mã mới trong ứng dụng"))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login_totp.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("portal:home")


@login_required
@never_cache
def account_view(request):
    user = request.user
    profile = getattr(user, "citizen", None)
    address_chain = []
    if profile and profile.address_unit:
        address_chain = [profile.address_unit, *profile.address_unit.ancestors()]
    return render(
        request,
        "accounts/account.html",
        {
            "profile": profile,
            "address_chain": address_chain,
            "grants": selectors.grants_of(user=user),
            "totp_needed": services.totp_required(user=user),
        },
    )


@login_required
@never_cache
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            request.user.set_password(form.cleaned_data["new_password"])
            request.user.save(update_fields=["password"])
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("accounts:account")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@never_cache
def totp_setup_view(request):
    user = request.user
    if request.method == "POST":
        form = TotpForm(request.POST)
        if form.is_valid() and services.totp_confirm(user=user, code=form.cleaned_data["code"]):
            otp_mark_verified(request)
            messages.success(request, _("Đã bật xác thực hai bước."))
            return redirect(_landing(user))
        if form.is_valid():
            form.add_error("code", _("Mã xác thực chưa đúng; hãy nhập mã đang hiển thị trong ứng dụng"))
        status = 400
    else:
        form = TotpForm()
        if not user.totp_secret or not user.totp_confirmed_at:
            services.totp_setup_begin(user=user)
        status = 200
    uri = services.totp_provisioning_uri(user=user)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR để thêm vào ứng dụng xác thực"))
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "secret": user.totp_secret, "qr_svg": qr_svg},
        status=status,
    )
