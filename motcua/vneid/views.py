"""VNeID sign-in pages (the client) and, in demo mode only, the VNeID provider simulator's endpoints."""

import logging

import requests
from authlib.integrations.base_client import OAuthError
from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc.errors import JoseError

from motcua.accounts import services as account_services
from motcua.accounts.consent import CONSENT_VERSION, consent_text
from motcua.accounts.forms import ConsentForm
from motcua.accounts.models import IdentityLevel
from motcua.core.errors import DomainError
from motcua.core.logging import mask_phone
from motcua.core.net import client_ip, safe_next

from . import client, services, simulator

log = logging.getLogger(__name__)
_NEXT = "vneid_next"
_PENDING = "vneid_pending_consent"
PENDING_SECONDS = 600
_BACKEND = "motcua.accounts.backends.IdentifierBackend"


def _failed(request, message: str, status: int):
    return render(request, "vneid/failed.html", {"message": message}, status=status)


@never_cache
@require_GET
def login_start(request):
    """Send the browser to VNeID with state, nonce and a PKCE challenge kept in this session."""
    if not client.vneid_enabled():
        raise Http404
    request.session[_NEXT] = safe_next(request)
    try:
        return client.authorize_redirect(request, request.build_absolute_uri(reverse("vneid:callback")))
    except (requests.RequestException, ValueError, client.VneidError):
        log.exception("VNeID discovery failed")
        return _failed(request, _("Chưa kết nối được tới VNeID. Hãy thử lại sau ít phút."), 502)


@never_cache
@require_GET
def login_callback(request):
    """VNeID sends the browser back here with a code; we exchange it (with the PKCE verifier) for an ID
    token, check it, and sign the person in, linking or creating their account."""
    if not client.vneid_enabled():
        raise Http404
    if request.GET.get("error") == "access_denied":
        return _failed(
            request, _("Bạn đã dừng đăng nhập bằng VNeID. Bạn có thể thử lại hoặc đăng nhập bằng mật khẩu."), 400
        )
    try:
        claims = client.authorize_callback(request)
    except (OAuthError, JoseError, client.VneidError, ValueError) as exc:
        # Wrong or missing state, a code refused (wrong PKCE verifier, used twice, expired), an ID token
        # whose signature, issuer, audience, expiry or nonce does not check out.
        log.warning("VNeID sign-in refused: %s", exc)
        return _failed(
            request,
            _(
                "Đăng nhập VNeID không thành công (phiên đăng nhập đã hết hạn hoặc thông tin trả về không hợp lệ). "
                "Hãy bấm «Đăng nhập bằng VNeID» để thử lại từ đầu."
            ),
            400,
        )
    except requests.RequestException:
        log.exception("VNeID token endpoint unreachable")
        return _failed(request, _("Chưa kết nối được tới VNeID. Hãy thử lại sau ít phút."), 502)
    issuer = settings.VNEID_ISSUER.rstrip("/")
    try:
        if services.vneid_needs_consent(issuer=issuer, claims=claims):
            # Nothing is created or linked before the person agrees (Decree 13/2023/NĐ-CP, Art. 11): the
            # checked claims wait in this server-side session for a few minutes.
            request.session[_PENDING] = {"claims": claims, "at": timezone.now().timestamp()}
            return redirect("vneid:consent")
        user, created = services.vneid_sign_in(issuer=issuer, claims=claims)
    except DomainError as exc:
        return _failed(request, exc.message, exc.status)
    return _signed_in(request, user, created)


@never_cache
@require_http_methods(["GET", "POST"])
def login_consent(request):
    """First VNeID sign-in (or an account without consent in force): show the consent text; agreeing
    signs the person in and records the consent with the account in one transaction."""
    if not client.vneid_enabled():
        raise Http404
    pending = request.session.get(_PENDING)
    if not pending or timezone.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        return _failed(
            request,
            _("Phiên đăng nhập VNeID đã hết hạn. Hãy bấm «Đăng nhập bằng VNeID» để thử lại từ đầu."),
            400,
        )
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and request.POST.get("decline"):
        request.session.pop(_PENDING, None)
        request.session.pop(_NEXT, None)
        messages.info(request, _("Bạn chưa đồng ý nên chưa có tài khoản nào được tạo hay liên kết."))
        return redirect("accounts:login")
    if request.method == "POST" and form.is_valid():
        request.session.pop(_PENDING, None)
        try:
            user, created = services.vneid_sign_in(
                issuer=settings.VNEID_ISSUER.rstrip("/"), claims=pending["claims"], consent_version=CONSENT_VERSION
            )
        except DomainError as exc:
            return _failed(request, exc.message, exc.status)
        return _signed_in(request, user, created)
    title, paragraphs = consent_text()
    return render(
        request,
        "vneid/consent.html",
        {"form": form, "consent_title": title, "consent_paragraphs": paragraphs},
        status=422 if request.method == "POST" else 200,
    )


def _signed_in(request, user, created: bool):
    target = request.session.pop(_NEXT, "")
    login(request, user, backend=_BACKEND)
    account_services.login_succeeded(user=user, ip_address=client_ip(request))
    if created:
        messages.success(request, _("Đã tạo tài khoản cho bạn từ thông tin VNeID."))
    if user.citizen.identity_level < IdentityLevel.LEVEL2:
        messages.info(
            request,
            _(
                "Tài khoản VNeID của bạn mới ở mức 1. Một số thủ tục cần định danh điện tử mức 2; "
                "trang thủ tục sẽ hướng dẫn cách nâng mức."
            ),
        )
    return redirect(target or reverse("accounts:account"))


# --- the provider simulator (demo only) ----------------------------------------------------------
def _demo_only():
    if not settings.DEMO:
        raise Http404


@require_GET
def sim_root(request):
    _demo_only()
    return JsonResponse({"issuer": simulator.issuer(request), "simulator": True})


@require_GET
def sim_discovery(request):
    _demo_only()
    return JsonResponse(simulator.discovery(request))


@require_GET
def sim_jwks(request):
    _demo_only()
    return JsonResponse(simulator.jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def sim_authorize(request):
    """The simulated VNeID screen: choose a demo person and agree to share their identity."""
    _demo_only()
    server = simulator.server_for(request)
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as exc:
        return render(
            request, "vneid/simulator_error.html", {"error": exc.error, "detail": exc.description}, status=400
        )
    people = list(simulator.people().values())
    error = ""
    if request.method == "POST":
        if "huy" in request.POST:
            return server.create_authorization_response(request, grant_user=None, grant=grant)
        person = simulator.people().get(request.POST.get("nguoi", ""))
        if person is not None:
            return server.create_authorization_response(request, grant_user=person, grant=grant)
        error = _("Chọn người đăng nhập")
    rows = [
        {
            "id": p["citizen_id"],
            "name": p["name"],
            "masked_id": p["citizen_id"][:3] + "******" + p["citizen_id"][-3:],
            "phone": mask_phone(p["phone_number"]),
            "level": p["identity_level"],
        }
        for p in people
    ]
    return render(
        request, "vneid/simulator_authorize.html", {"people": rows, "error": error}, status=400 if error else 200
    )


@csrf_exempt  # a server-to-server call authenticated by the client secret, not a browser form
@require_POST
def sim_token(request):
    _demo_only()
    return simulator.server_for(request).create_token_response(request)
