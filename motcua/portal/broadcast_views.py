"""Citizens choose which villages' broadcasts they receive by SMS (issue 19, point 5): the signed-in citizen
ticks villages for their own phone; anyone can subscribe by keyword SMS (DK <mã thôn>), which the page
explains. In demo mode an inbound-SMS simulator stands in for the operator's gateway."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.broadcasts import selectors, services
from motcua.core.errors import DomainError, NotFound


@never_cache
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    signed_in = request.user.is_authenticated
    code = request.POST.get("xa") or request.GET.get("xa") or ""
    commune = None
    if code:
        try:
            commune = selectors.commune_get(code=code)
        except NotFound:
            raise Http404 from None
    elif signed_in:
        commune = selectors.home_commune(user=request.user)
    phone = selectors.account_phone(user=request.user) if signed_in else ""
    error = ""
    error_code = ""
    if request.method == "POST":
        if not signed_in or commune is None:
            raise Http404
        try:
            services.subscriptions_save(
                user=request.user, commune=commune, village_ids=request.POST.getlist("villages")
            )
        except DomainError as exc:
            error, error_code = exc.message, exc.code
        else:
            messages.success(request, _("Đã lưu các thôn bạn nhận tin."))
            return redirect(request.path + "?" + urlencode({"xa": commune.code}))
    villages = selectors.villages_of(commune=commune) if commune else []
    return render(
        request,
        "portal/broadcast_subscriptions.html",
        {
            "commune": commune,
            "communes": selectors.subscribable_communes(),
            "villages": villages,
            "mine": selectors.subscribed_village_ids(phone=phone),
            "phone": phone,
            "error": error,
            "error_code": error_code,
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def inbound_sms_simulator(request):
    """Demo only: type an SMS as a citizen would send it to the commune's number."""
    if not settings.DEMO:
        raise Http404
    answer = None
    post = request.POST if request.method == "POST" else {}
    if post:
        answer = services.inbound_sms(phone=post.get("phone", ""), text=post.get("text", ""))
    return render(request, "portal/inbound_sms_simulator.html", {"post": post, "answer": answer})
