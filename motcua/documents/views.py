"""Public verification, result downloads, the citizen's document store and share links."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.privacy import dossier_access_record
from motcua.core import clock
from motcua.core.downloads import download_response
from motcua.core.errors import DomainError, NotFound
from motcua.core.net import client_ip
from motcua.core.views import int_param

from . import selectors, services


def _private_file(field_file, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    """A download only its owner (or a share link) may have: never cached, never sniffed, a safe name."""
    return download_response(field_file.open("rb"), filename=filename, content_type=content_type, inline=inline)


def _stored_name(document) -> str:
    return f"{document.title}.pdf" if document.result_id else document.attachment.original_name


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, public_code: str | None = None):
    """/xac-thuc/<code> (from the QR code) shows what a verifier needs; the form checks an uploaded PDF."""
    facts, report, error = None, None, ""
    if public_code:
        try:
            facts = selectors.public_facts(selectors.result_public(public_code=public_code))
        except NotFound:
            raise Http404 from None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("tep")
        if upload is None:
            error, status = _("Chọn tệp PDF cần kiểm tra"), 400
        elif upload.size > settings.VERIFY_MAX_BYTES:
            error, status = selectors.verify_size_message(), 413
        else:
            try:
                report = services.verify_request(data=upload.read(), ip_address=client_ip(request))
            except DomainError as exc:  # too many checks from this address, or the checkers are all busy
                error, status = exc.message, exc.status
    return render(request, "documents/verify.html", {"facts": facts, "report": report, "error": error}, status=status)


def crl(request):
    root = next((r for r in selectors.trusted_roots() if r.crl_der), None)
    if root is None:
        raise Http404
    return HttpResponse(bytes(root.crl_der), content_type="application/pkix-crl")


def roots(request):
    return HttpResponse(
        "".join(r.certificate_pem for r in selectors.trusted_roots()), content_type="application/x-pem-file"
    )


@login_required
def result_download(request, code: str, public_code: str):
    try:
        result = selectors.result_get(user=request.user, code=code, public_code=public_code)
    except NotFound:
        raise Http404 from None
    dossier_access_record(user=request.user, dossier=result.dossier, what=_("Tải kết quả đã ký"))
    # The citizen keeps the signed file: it downloads (a PDF could display, but the copy is what counts).
    return _private_file(result.file, "application/pdf", f"{code}.pdf", inline=False)


@officer_required
@never_cache
def result_preview(request, code: str):
    """What the leader is about to sign: rendered now, unsigned, marked as a preview, never stored."""
    from motcua.dossiers.selectors import actions_for, dossier_get

    try:
        dossier = dossier_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    if not any(a.effect == "issue_result" for a in actions_for(user=request.user, dossier=dossier)):
        raise Http404
    dossier_access_record(user=request.user, dossier=dossier, what=_("Xem trước kết quả"))
    try:
        pdf = services.result_preview(dossier=dossier, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:dossier", code=code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-xem-truoc.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
@require_POST
def result_status(request, code: str, public_code: str):
    try:
        services.result_set_status(
            actor=request.user,
            public_code=public_code,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã cập nhật trạng thái kết quả."))
    return redirect("workspace:dossier", code=code)


@login_required
@never_cache
def store(request):
    return render(request, "documents/store.html", {"documents": selectors.store_of(owner=request.user)})


@login_required
def store_download(request, pk: int):
    try:
        document = selectors.stored_document_get(owner=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return _private_file(document.file, document.content_type, _stored_name(document), inline=bool(document.result_id))


@login_required
@require_POST
def store_share(request, pk: int):
    try:
        hours = int_param(request.POST.get("hours"))
        link = services.share_link_create(owner=request.user, document_id=pk, hours=hours)
    except (ValueError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", _("Chọn thời hạn chia sẻ")))
        return redirect("documents:store")
    messages.success(request, _("Đã tạo đường dẫn chia sẻ, hết hạn lúc %(t)s.") % {"t": clock.display(link.expires_at)})
    return redirect("documents:store")


@login_required
@require_POST
def store_unshare(request, link_id: int):
    services.share_link_revoke(owner=request.user, link_id=link_id)
    messages.success(request, _("Đã thu hồi đường dẫn chia sẻ."))
    return redirect("documents:store")


def shared(request, token: str):
    try:
        link = selectors.share_link_get(token=token)
    except NotFound:
        raise Http404 from None
    services.share_link_count_download(link=link)
    response = _private_file(
        link.document.file,
        link.document.content_type,
        _stored_name(link.document),
        inline=bool(link.document.result_id),  # our signed results display; a citizen's uploads download
    )
    response["X-Robots-Tag"] = "noindex"
    return response
