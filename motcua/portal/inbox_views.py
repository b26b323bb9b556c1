"""The inbox (issue 19, point 4): the signed-in person's own in-app messages, read or unread, each linked
to its dossier or feedback item. Thin: notifications' selectors and services decide; nobody opens another
person's message (404, the same as a missing one)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import NotFound
from motcua.notifications.selectors import inbox_messages, inbox_unread_count
from motcua.notifications.services import inbox_mark_all_read, inbox_mark_read

INBOX_PAGE_SIZE = 20


@login_required
@never_cache
@require_http_methods(["GET"])
def inbox(request):
    page = Paginator(inbox_messages(user=request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("trang"))
    # An int here (not the header's lazy count): the page and the header share this one COUNT.
    unread = inbox_unread_count(user=request.user)
    return render(request, "portal/inbox.html", {"page": page, "inbox_unread": unread})


@login_required
@never_cache
@require_http_methods(["GET"])
def inbox_message(request, pk: int):
    """Opening a message reads it (like any mail client): the first reading time is kept."""
    try:
        message = inbox_mark_read(user=request.user, message_id=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "portal/inbox_message.html", {"message": message, "link": _safe_link(request, message.url)})


@login_required
@require_POST
def inbox_read(request, pk: int):
    try:
        inbox_mark_read(user=request.user, message_id=pk)
    except NotFound:
        raise Http404 from None
    return redirect("portal:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    count = inbox_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Đã đánh dấu tất cả tin nhắn là đã đọc."))
    return redirect("portal:inbox")


def _safe_link(request, url: str) -> str:
    """A message's link, only when it stays on this site."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return url if url.startswith("/") and not url.startswith("//") else ""
