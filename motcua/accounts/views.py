"""Login (password, then TOTP for officers), logout, password change, the account page."""

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua.accounts.second_factor import otp_mark_verified
from motcua.core.errors import RateLimited
from motcua.core.logging import mask_phone
from motcua.core.net import client_ip, safe_next

from . import selectors, services
from .forms import EnrolmentCodeForm, LoginForm, PasswordChangeForm, TotpForm

_PENDING = "pending_login_user"
_PENDING_STEP = "pending_login_step"
_PENDING_NEXT = "pending_login_next"
_ENROLLING = "totp_enrolment_ok"


def _safe_next(request) -> str:
    return safe_next(request)


def _landing(user) -> str:
    if selectors.is_officer(user=user):
        return reverse("workspace:home")
    if user.team_memberships.exists():  # community digital team members go to their phone form
        return reverse("outreach:home")
    return reverse("accounts:account")


def _finish_login(request, user, target: str = ""):
    login(request, user)
    services.login_succeeded(user=user, ip_address=client_ip(request))
    if services.totp_required(user=user) and not user.totp_confirmed_at:
        # An officer without a second factor yet must set one up before working.
        return redirect("accounts:totp_setup")
    return redirect(target or _landing(user))


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
            else:
                step = services.login_second_step(user=user)
                if not step:
                    return _finish_login(request, user, _safe_next(request))
                if step == "sms":
                    services.login_challenge_send(user=user)
                request.session.cycle_key()
                request.session[_PENDING] = user.pk
                request.session[_PENDING_STEP] = step
                request.session[_PENDING_NEXT] = _safe_next(request)
                return redirect("accounts:login_totp")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)}, status=status)


@never_cache
def login_totp_view(request):
    """The second step after a right password: the authenticator code (officers) or the code sent by SMS
    (an account that has had many wrong passwords). Failures are counted and throttled."""
    user = selectors.user_pending_login(request.session.get(_PENDING))
    step = request.session.get(_PENDING_STEP, "totp")
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST if request.method == "POST" else None)
    if step == "sms":
        form.fields["code"].label = _("Mã 6 chữ số trong tin nhắn")
        form.fields["code"].help_text = _(
            "Tài khoản này vừa bị nhập sai mật khẩu nhiều lần, nên cần thêm mã gửi tới số điện thoại %(phone)s"
        ) % {"phone": mask_phone(user.phone or "")}
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        code = form.cleaned_data["code"]
        try:
            if step == "sms":
                ok = services.login_challenge_verify(user=user, code=code, ip_address=ip)
            else:
                ok = services.totp_verify(user=user, code=code, ip_address=ip)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            if ok:
                target = request.session.pop(_PENDING_NEXT, "")
                request.session.pop(_PENDING, None)
                request.session.pop(_PENDING_STEP, None)
                response = _finish_login(request, user, target)
                if step == "totp":
                    otp_mark_verified(request)
                return response
            form.add_error("code", _("Mã xác thực chưa đúng, đã dùng hoặc đã hết hạn; hãy nhập mã mới"))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login_totp.html", {"form": form, "step": step}, status=status)


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
            services.password_change(user=request.user, new_password=form.cleaned_data["new_password"])
            # Every other session and every API token ended with the old password; this one goes on.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu. Các phiên đăng nhập khác và mã truy cập API đã bị hủy."))
            return redirect("accounts:account")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@never_cache
def totp_setup_view(request):
    """Enrolment: (1) the one-time code from an administrator, (2) scan the new secret, (3) confirm with a
    code. The secret is shown only between (1) and (3), never once the authenticator is on."""
    user = request.user
    if user.totp_confirmed_at:
        return render(request, "accounts/totp_setup.html", {"enrolled": True})
    ip = client_ip(request)
    enrolling = request.session.get(_ENROLLING) == user.pk and bool(user.totp_secret)
    status = 200
    if not enrolling:
        form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    if services.totp_enrolment_code_redeem(
                        user=user, code=form.cleaned_data["enrolment_code"], ip_address=ip
                    ):
                        request.session[_ENROLLING] = user.pk
                        return redirect("accounts:totp_setup")
                    form.add_error(
                        "enrolment_code",
                        _("Mã đăng ký chưa đúng, đã dùng hoặc đã hết hạn; hãy xin quản trị viên cấp mã mới"),
                    )
                except RateLimited as exc:
                    form.add_error(None, exc.message)
                    status = 429
        return render(request, "accounts/totp_setup.html", {"form": form, "step": "code"}, status=status)
    form = TotpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if services.totp_confirm(user=user, code=form.cleaned_data["code"], ip_address=ip):
                    request.session.pop(_ENROLLING, None)
                    otp_mark_verified(request)
                    messages.success(request, _("Đã bật xác thực hai bước."))
                    return redirect(_landing(user))
                form.add_error("code", _("Mã xác thực chưa đúng; hãy nhập mã đang hiển thị trong ứng dụng"))
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
    uri = services.totp_provisioning_uri(user=user)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR để thêm vào ứng dụng xác thực"))
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "step": "scan", "secret": user.totp_secret, "qr_svg": qr_svg},
        status=status,
    )
