"""Intake officers check the signed paper consents of assisted dossiers (motcua.dossiers.assisted)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import officer_required
from motcua.core.errors import DomainError
from motcua.core.inputs import int_or_default
from motcua.dossiers import assisted


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def paper_consents(request):
    error = ""
    status = 200
    if request.method == "POST":
        draft_id = int_or_default(request.POST.get("ho-so"), default=0, min_value=0, max_value=2**63 - 1)
        try:
            result = assisted.assisted_paper_consent_check(
                officer=request.user,
                draft_id=draft_id,
                valid=request.POST.get("ket-luan") == "hop-le",
                note=request.POST.get("ghi-chu", ""),
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            if result.code:
                messages.success(
                    request,
                    _("Giấy đồng ý hợp lệ: đã nhận hồ sơ %(c)s vào danh sách chờ tiếp nhận.") % {"c": result.code},
                )
            else:
                messages.info(request, _("Đã trả hồ sơ cho người hỗ trợ kèm lý do."))
            return redirect("workspace:paper_consents")
    pending = list(assisted.paper_consents_pending(officer=request.user).prefetch_related("attachments"))
    for draft in pending:
        draft.consent_files = [a for a in draft.attachments.all() if a.document_name == assisted.PAPER_CONSENT_DOCUMENT]
    return render(request, "workspace/paper_consents.html", {"pending": pending, "error": error}, status=status)


@officer_required
def paper_consent_file(request, draft_id: int):
    """The consent scan of a draft waiting for this officer's check (drafts are otherwise the citizen's
    alone, so the ordinary attachment door does not open them to officers)."""
    from django.http import Http404

    from motcua.core.downloads import download_response

    scan = assisted.paper_consent_scan(officer=request.user, draft_id=draft_id)
    if scan is None:
        raise Http404
    return download_response(
        scan.file.open("rb"), filename=scan.original_name, content_type=scan.content_type, inline=False
    )
