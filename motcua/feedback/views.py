"""Feedback pages: the portal (send, confirm the phone, follow, rate), the public list of answered items, and
the officers' worklist and item page. Thin: rules live in services.py, reads in selectors.py."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import otp
from motcua.accounts.decorators import officer_required
from motcua.accounts.forms import CodeForm
from motcua.accounts.identity import validate_phone
from motcua.catalog.selectors import procedure_current
from motcua.core.downloads import download_response
from motcua.core.errors import DomainError, NotFound, RateLimited, ValidationFailed
from motcua.core.logging import mask_phone
from motcua.core.net import client_ip
from motcua.core.views import int_param

from . import selectors, services
from .forms import FeedbackForm, RatingForm
from .models import Category

_PENDING = "feedback_pending"
_DONE = "feedback_done"
PURPOSE = "feedback"


def _show_errors(form, exc: DomainError) -> None:
    placed = False
    for name, texts in (exc.fields or {}).items():
        name = {"attachments": "attachment", "file": "attachment", "otp": "code"}.get(name, name)
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _demo_inbox(phone: str) -> str:
    if not settings.DEMO:
        return ""
    from django.utils.http import urlencode

    return reverse("notifications:demo_inbox") + "?" + urlencode({"to": phone})


def _resolve(form, *, user, phone: str = "", ip_address: str | None = None):
    """(dossier, procedure) the sender named, or a field error. A visitor's guesses are throttled like tracking."""
    data = form.cleaned_data
    if getattr(user, "is_authenticated", False):
        dossier = selectors.dossier_named_by(user=user, phone=phone, code=data.get("dossier_code", ""))
    else:
        dossier = services.feedback_dossier_for_visitor(
            phone=phone, code=data.get("dossier_code", ""), ip_address=ip_address
        )
    if data.get("dossier_code") and dossier is None:
        raise ValidationFailed(
            _("Không tìm thấy hồ sơ này"),
            fields={
                "dossier_code": [_("Không tìm thấy hồ sơ mã này trong hồ sơ của bạn; kiểm tra mã trên giấy biên nhận")]
            },
            code="dossier_unknown",
        )
    procedure = None
    if data.get("procedure_code"):
        procedure = procedure_current(code=data["procedure_code"])
        if procedure is None:
            raise ValidationFailed(
                _("Không có thủ tục mã này"),
                fields={"procedure_code": [_("Không có thủ tục mã này; kiểm tra lại, ví dụ 1.001193")]},
                code="procedure_unknown",
            )
    return dossier, procedure


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request):
    signed_in = request.user.is_authenticated
    initial = {"dossier_code": request.GET.get("ho-so", "")[:60]}
    if initial["dossier_code"]:
        initial["category"] = Category.DOSSIER
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        signed_in=signed_in,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                phone = "" if signed_in else validate_phone(data["phone"])
            except Exception as exc:  # django ValidationError
                form.add_error("phone", exc.messages[0] if hasattr(exc, "messages") else str(exc))
                phone = None
            if phone is not None:
                try:
                    dossier, procedure = _resolve(form, user=request.user, phone=phone, ip_address=client_ip(request))
                    files = [data["attachment"]] if data.get("attachment") else []
                    if signed_in:
                        fb = services.feedback_submit(
                            category=data["category"],
                            subject=data["subject"],
                            text=data["text"],
                            dossier=dossier,
                            procedure=procedure,
                            sender=request.user,
                            channel="portal",
                            attachments=files,
                            publish_consent=data["publish_consent"],
                            repeat_within=services.REPEAT_WINDOW,
                        )
                        request.session[_DONE] = {"code": fb.code, "due": fb.due_at.isoformat()}
                        return redirect("feedback:done")
                    # The file is checked first, the code sent (throttled per phone and address) before
                    # anything is stored: a visitor cannot fill the disk without passing the SMS limits.
                    for f in files:
                        services.attachment_check(upload=f)
                    vid = otp.otp_issue(purpose=PURPOSE, phone=phone, ip_address=client_ip(request))
                    stored = [services.attachment_store(upload=f) for f in files]
                    request.session[_PENDING] = {
                        "vid": vid,
                        "phone": phone,
                        "category": data["category"],
                        "subject": data["subject"],
                        "text": data["text"],
                        "sender_name": data.get("sender_name", ""),
                        "dossier": dossier.code if dossier else "",
                        "procedure": procedure.code if procedure else "",
                        "attachments": [str(s.pk) for s in stored],
                        "publish_consent": data["publish_consent"],
                    }
                    return redirect("feedback:confirm")
                except RateLimited as exc:
                    form.add_error(None, exc.message)
                    status = 429
                except DomainError as exc:
                    _show_errors(form, exc)
                    status = exc.status if exc.status in (413, 415) else 422
    return render(request, "feedback/submit.html", {"form": form, "signed_in": signed_in}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request):
    pending = request.session.get(_PENDING)
    if not pending:
        return redirect("feedback:submit")
    resend = request.method == "POST" and "resend" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not resend else None)
    status, resend_error = 200, ""
    if resend:
        try:
            otp.otp_resend(verification_id=pending["vid"], purpose=PURPOSE, ip_address=client_ip(request))
            messages.info(request, _("Đã gửi lại mã. Mã cũ không còn dùng được."))
            return redirect("feedback:confirm")
        except DomainError as exc:
            status, resend_error = exc.status, exc.message
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            fb = None

            def create(_row):
                dossier = selectors.dossier_named_by(user=None, phone=pending["phone"], code=pending["dossier"])
                return services.feedback_submit(
                    category=pending["category"],
                    subject=pending["subject"],
                    text=pending["text"],
                    dossier=dossier,
                    procedure=procedure_current(code=pending["procedure"]) if pending["procedure"] else None,
                    phone=pending["phone"],
                    sender_name=pending["sender_name"],
                    channel="portal",
                    attachments=selectors.attachments_pending(ids=pending["attachments"]),
                    publish_consent=pending["publish_consent"],
                )

            try:
                fb = otp.otp_confirm(
                    verification_id=pending["vid"],
                    code=form.cleaned_data["code"],
                    purpose=PURPOSE,
                    ip_address=client_ip(request),
                    then=create,
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except DomainError as exc:
                fb = _already_confirmed(pending) if exc.code == "otp_used" else None
                if fb is None:
                    _show_errors(form, exc)
                    status = 422
            if fb is not None:
                request.session.pop(_PENDING, None)
                request.session[_DONE] = {"code": fb.code, "due": fb.due_at.isoformat()}
                return redirect("feedback:done")
    return render(
        request,
        "feedback/confirm.html",
        {
            "form": form,
            "masked_phone": mask_phone(pending["phone"]),
            "demo_inbox": _demo_inbox(pending["phone"]),
            "ttl_minutes": max(1, settings.OTP_TTL_SECONDS // 60),
            "resend_error": resend_error,
        },
        status=status,
    )


def _already_confirmed(pending: dict):
    """A second click on «Xác nhận» (or a resent form) finds the code used by the first: the item the first made
    is the answer, not «make a new one» (which would send the same item twice)."""
    # The subject and text as stored: the service cleans them (NFC, trimmed) before saving.
    try:
        subject, text = services.feedback_clean_content(subject=pending["subject"], text=pending["text"])
    except ValidationFailed:
        return None
    return selectors.feedback_confirmed_by_visitor(
        phone=pending["phone"], subject=subject, text=text, within=dt.timedelta(seconds=settings.OTP_TTL_SECONDS * 2)
    )


@never_cache
def done(request):
    sent = request.session.get(_DONE)
    if not sent:
        return redirect("feedback:submit")
    due = timezone.localtime(dt.datetime.fromisoformat(sent["due"]))
    return render(request, "feedback/done.html", {"code": sent["code"], "due": due})


@login_required
def mine(request):
    return render(request, "feedback/mine.html", {"items": selectors.feedback_of_sender(user=request.user)[:100]})


def _sender_item(request, code: str):
    try:
        fb = selectors.feedback_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    if fb.sender_id != request.user.pk:
        raise Http404  # officers use their own page
    return fb


@login_required
@never_cache
def detail(request, code: str):
    fb = _sender_item(request, code)
    actions = {a.name: a for a in selectors.feedback_actions(user=request.user, feedback=fb)}
    supplement = next((a for a in actions.values() if a.kind == "supplement_submit"), None)
    return render(
        request,
        "feedback/detail.html",
        {
            "fb": fb,
            "status": selectors.feedback_status_label(fb, citizen=True),
            "events": selectors.feedback_events(fb),
            "attachments": selectors.feedback_attachments(fb),
            "rating_form": RatingForm() if fb.answered_at and not fb.rated_at else None,
            "supplement": supplement,
        },
    )


@login_required
@require_POST
def rate(request, code: str):
    fb = _sender_item(request, code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_rate(
                code=fb.code,
                user=request.user,
                score=int(form.cleaned_data["score"]),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        return redirect("feedback:detail", code=fb.code)
    return render(
        request,
        "feedback/detail.html",
        {
            "fb": fb,
            "status": selectors.feedback_status_label(fb, citizen=True),
            "events": selectors.feedback_events(fb),
            "attachments": selectors.feedback_attachments(fb),
            "rating_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def supplement(request, code: str):
    fb = _sender_item(request, code)
    try:
        services.feedback_transition(
            code=fb.code,
            action=request.POST.get("action", ""),
            actor=request.user,
            version=int_param(request.POST.get("version")),
            note=request.POST.get("note", ""),
            accept_repeat=True,
        )
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("Đã gửi thông tin bổ sung."))
    return redirect("feedback:detail", code=fb.code)


def attachment(request, code: str, pk):
    try:
        row = selectors.feedback_attachment_get(user=request.user, feedback_code=code, attachment_id=pk)
    except NotFound:
        raise Http404 from None
    return download_response(row.file.open("rb"), filename=row.original_name, content_type=row.content_type)


def public_list(request):
    page = int_param(request.GET.get("trang"), 1, min_value=1, max_value=10_000)
    size = 20
    items = selectors.feedback_published(limit=size + 1, offset=(page - 1) * size)
    return render(
        request,
        "feedback/public.html",
        {"items": items[:size], "page": page, "has_next": len(items) > size},
    )


# --- officers ------------------------------------------------------------------------------------------------------
VIEWS = {
    "mine": _("Của tôi"),
    "unassigned": _("Chưa phân công"),
    "open": _("Đang xử lý"),
    "overdue": _("Quá hạn"),
    "closed": _("Đã kết thúc"),
}


@officer_required
def worklist(request):
    current = request.GET.get("xem", "open")
    if current not in VIEWS:
        current = "open"
    paginator = Paginator(selectors.feedback_worklist(user=request.user, view=current), 50)
    page = paginator.get_page(request.GET.get("trang"))
    rows = [
        {
            "fb": fb,
            "status": selectors.feedback_status_label(fb, citizen=False),
            "remaining": selectors.feedback_remaining_text(fb),
        }
        for fb in page.object_list
    ]
    return render(
        request,
        "feedback/worklist.html",
        {"views": VIEWS, "current": current, "rows": rows, "page": page},
    )


@officer_required
@never_cache
def officer_detail(request, code: str):
    try:
        fb = selectors.feedback_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    actions = selectors.feedback_actions(user=request.user, feedback=fb)
    needs_officers = any(a.kind == "assign" for a in actions)
    return render(
        request,
        "feedback/officer_detail.html",
        {
            "fb": fb,
            "status": selectors.feedback_status_label(fb, citizen=False),
            "remaining": selectors.feedback_remaining_text(fb),
            "events": selectors.feedback_events(fb),
            "attachments": selectors.feedback_attachments(fb),
            "actions": [a for a in actions if "citizen" not in a.roles or len(a.roles) > 1],
            "officers": services.assignable_officers(unit=fb.unit) if needs_officers else [],
            "transfer_units": (
                services.transfer_targets(feedback=fb) if any(a.kind == "transfer" for a in actions) else []
            ),
            "masked_phone": mask_phone(fb.phone) if fb.phone else "",
        },
    )


@officer_required
@require_POST
def act(request, code: str):
    action = request.POST.get("action", "")
    params = {name: request.POST[name] for name in ("assignee", "to_unit") if request.POST.get(name)}
    try:
        services.feedback_transition(
            code=code,
            action=action,
            actor=request.user,
            version=int_param(request.POST.get("version")),
            note=request.POST.get("note", ""),
            accept_repeat=True,
            params=params,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
        return redirect("feedback:officer_detail", code=code)
    messages.success(request, _("Đã cập nhật phản ánh %(c)s.") % {"c": code})
    return redirect("feedback:officer_detail", code=code)


# --- counter citizens rate a dossier from the QR code on their receipt --------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def rate_dossier(request, code: str, token: str):
    from motcua.dossiers.services import dossier_rate_by_token

    try:
        dossier = selectors.dossier_for_rating(code=code, token=token)
    except NotFound:
        raise Http404 from None
    form = RatingForm(request.POST if request.method == "POST" else None)
    form.fields["score"].label = _("Bạn hài lòng với việc giải quyết hồ sơ ở mức nào?")
    status, error_code = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                dossier_rate_by_token(
                    code=code, token=token, score=int(form.cleaned_data["score"]), comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
                error_code = exc.code
            else:
                messages.success(request, _("Cảm ơn bạn đã đánh giá."))
                return redirect("feedback:rate_dossier", code=code, token=token)
    return render(
        request,
        "feedback/rate_dossier.html",
        {
            "form": form,
            "dossier": dossier,
            "rated": selectors.dossier_rating(dossier=dossier),
            "error_code": error_code,
        },
        status=status,
    )
