from contextlib import nullcontext
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect

from motcua.core.confcache import snapshot

from .second_factor import otp_satisfied
from .selectors import is_officer


def officer_required(view):
    """Officers only, and only after the second factor when it is required. Others get 404, as for a
    page that does not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # A page that only reads (GET, HEAD) takes the officer's grants, units and calendars from the process's
        # configuration cache, checked against the committed generations once per request (core.confcache).
        # A write request reads them from the database: what it changes, it then reads as changed.
        with snapshot() if request.method in ("GET", "HEAD") else nullcontext():
            if not is_officer(user=request.user):
                raise Http404
            if not otp_satisfied(request):
                return redirect("accounts:totp_setup" if not request.user.totp_confirmed_at else "accounts:login")
            return view(request, *args, **kwargs)

    return wrapper
