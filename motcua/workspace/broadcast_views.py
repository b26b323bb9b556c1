"""Officer pages for broadcasts to villages (motcua.broadcasts): the list with delivery figures per channel,
writing a broadcast (with a preview of the SMS copy and a warning when it is too long), and one broadcast's
figures per village. Thin: the broadcasts services and selectors decide."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import officer_required
from motcua.broadcasts import selectors, services
from motcua.broadcasts.models import Urgency
from motcua.core.errors import DomainError, NotFound


@officer_required
@never_cache
def broadcasts(request):
    page = Paginator(selectors.broadcasts_for(user=request.user), 25).get_page(request.GET.get("trang"))
    figures = selectors.delivery_figures(broadcast_ids=[b.pk for b in page.object_list])
    for b in page.object_list:
        b.figures = figures[b.pk]
    return render(
        request,
        "workspace/broadcasts.html",
        {"page": page, "can_send": bool(selectors.leader_communes(user=request.user))},
    )


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def broadcast_new(request):
    communes = selectors.leader_communes(user=request.user)
    if not communes:
        raise Http404
    code = request.POST.get("xa") or request.GET.get("xa") or communes[0].code
    commune = next((c for c in communes if c.code == code), None)
    if commune is None:
        raise Http404
    post = request.POST if request.method == "POST" else {}
    errors: dict = {}
    message = ""
    error_code = ""
    chosen = set(post.getlist("villages")) if post else set()
    preview = None
    if post:
        preview = services.sms_preview(post.get("text", ""), post.get("sms_text", ""))
        if post.get("action") == "send":
            try:
                broadcast = services.broadcast_create(
                    sender=request.user,
                    commune=commune,
                    village_ids=list(chosen),
                    urgency=post.get("urgency", ""),
                    text=post.get("text", ""),
                    sms_text=post.get("sms_text", ""),
                )
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                errors, message, error_code = exc.field_messages(), exc.message, exc.code
            else:
                messages.success(request, _("Đã gửi tin tới các thôn đã chọn."))
                return redirect("workspace:broadcast", pk=broadcast.pk)
    return render(
        request,
        "workspace/broadcast_new.html",
        {
            "commune": commune,
            "communes": communes,
            "villages": selectors.villages_with_counts(commune=commune),
            "chosen": chosen,
            "urgencies": Urgency.choices,
            "post": post,
            "preview": preview,
            "errors": errors,
            "message": message,
            "error_code": error_code,
            "max_segments": services.MAX_SMS_SEGMENTS,
        },
        status=400 if (errors or message) else 200,
    )


@officer_required
@never_cache
def broadcast_detail(request, pk: int):
    try:
        broadcast = selectors.broadcast_get(user=request.user, broadcast_id=pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "workspace/broadcast.html",
        {
            "broadcast": broadcast,
            "figures": selectors.delivery_figures(broadcast_ids=[broadcast.pk])[broadcast.pk],
            "villages": selectors.village_figures(broadcast=broadcast),
        },
    )
