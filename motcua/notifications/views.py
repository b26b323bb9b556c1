"""The demo inbox (issue 16, point 8): what the simulators sent, readable without a phone. Demo mode only."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from motcua.core.inputs import clean_text

from .selectors import demo_messages


@never_cache
def demo_inbox(request):
    if not settings.DEMO:
        raise Http404
    try:
        to = clean_text(request.GET.get("to", ""), max_length=200)
    except Exception:  # a refused value shows everything rather than an error page
        to = ""
    return render(request, "notifications/demo_inbox.html", {"to": to, "items": demo_messages(to=to, limit=50)})
