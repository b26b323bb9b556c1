"""The citizen's personal-data page: what we hold, downloads (JSON, PDF), officers' reads, closing the
account (issue 16, point 7). Thin: accounts/privacy.py holds the rules."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.core.downloads import download_response
from motcua.core.errors import ValidationFailed

from . import privacy
from .consent import consent_text
from .forms import CloseAccountForm
from .selectors import consent_latest, is_citizen


@login_required
@never_cache
def personal_data_view(request):
    user = request.user
    consent = consent_latest(user=user)
    reads = [(a, privacy.officer_label(a.officer)) for a in privacy.access_log_for(user=user)]
    return render(
        request,
        "accounts/personal_data.html",
        {
            "consent": consent,
            "consent_title": consent_text(consent.version)[0] if consent else "",
            "reads": reads,
        },
    )


def _filename(ext: str) -> str:
    return f"du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
@never_cache
def personal_data_json(request):
    data = privacy.personal_data_export(user=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return download_response(body, filename=_filename("json"), content_type="application/json")


@login_required
@never_cache
def personal_data_pdf(request):
    return download_response(
        privacy.personal_data_pdf(user=request.user), filename=_filename("pdf"), content_type="application/pdf"
    )


@login_required
@never_cache
def close_account_view(request):
    if not is_citizen(user=request.user):
        raise Http404
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                privacy.account_close(user=request.user, password=form.cleaned_data["password"])
            except ValidationFailed as exc:
                form.add_error("password" if "password" in exc.fields else None, exc.message)
                status = 422
            else:
                logout(request)
                messages.info(
                    request,
                    _("Đã đóng tài khoản. Hồ sơ đã nộp vẫn được cơ quan lưu trữ theo quy định; tra cứu bằng mã hồ sơ."),
                )
                return redirect("portal:home")
    return render(request, "accounts/close_account.html", {"form": form}, status=status)
