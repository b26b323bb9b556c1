"""Payment pages: the citizen's payment page (VietQR, gateway, demo bank), receipts, the gateway simulator
and its return page; the cashier's queue, the counter view of one payment, reconciliation. Thin: services
and selectors decide."""

import re
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import officer_required
from motcua.catalog.fees import format_vnd
from motcua.core.downloads import download_response
from motcua.core.errors import DomainError, NotFound
from motcua.core.exports import spreadsheet_response
from motcua.core.views import int_param
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.models import DRAFT

from . import reconciliation, selectors, services, simulators, vietqr
from .models import IntentStatus, ReconciliationRun
from .providers import provider_get
from .receipts import payment_notice_pdf

STATEMENT_MAX_BYTES = 5 * 1024 * 1024


def _dossier(request, code):
    try:
        dossier = dossier_selectors.dossier_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    if dossier.status == DRAFT:
        raise Http404
    return dossier


def _lines_with_qr(dossier):
    summary = selectors.payment_summary(dossier)
    for line in summary["lines"]:
        line["svg"] = vietqr.image_svg(line["qr_payload"], scale=5, title=_("Mã VietQR")) if line["qr_payload"] else ""
    return summary


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pay(request, code: str):
    dossier = _dossier(request, code)
    if request.method == "POST":
        action, reference = request.POST.get("action", ""), request.POST.get("reference", "")
        try:
            intent = selectors.intent_get_visible(user=request.user, reference=reference)
            if action == "gateway" and intent.status == IntentStatus.PENDING:
                provider = provider_get("vnpay-demo")
                back = settings.SITE_URL + reverse("payments:gateway_return", args=[provider.name])
                return redirect(provider.checkout_url(intent=intent, return_url=back))
            if action == "simulate_bank" and settings.PAYMENT_SIMULATORS and intent.status == IntentStatus.PENDING:
                if simulators.simulate_pay_button(reference=intent.reference):
                    messages.success(request, _("Ngân hàng mô phỏng đã chuyển khoản và gửi thông báo có chữ ký."))
            elif action == "renew":
                services.intent_renew(dossier=dossier, line=intent.line)
                messages.success(request, _("Đã tạo mã thanh toán mới."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("payments:pay", code=code)
    account = selectors.payment_account_of(office_id=dossier.office_id)
    return render(
        request,
        "payments/pay.html",
        {
            "d": dossier,
            "payment": _lines_with_qr(dossier),
            "account": account,
            "simulators": settings.PAYMENT_SIMULATORS,
            "receipts": dossier_payments(dossier),
        },
    )


def dossier_payments(dossier):
    return selectors.payments_of(dossier)


@login_required
def receipt(request, code: str, pk: int):
    try:
        payment = selectors.payment_get_visible(user=request.user, code=code, payment_id=pk)
    except NotFound:
        raise Http404 from None
    if not payment.receipt_sha256:
        payment = services.receipt_render(payment_id=payment.pk)
    if not payment.receipt_sha256:
        raise Http404
    return download_response(
        bytes(payment.receipt_pdf),
        filename=f"bien-lai-{payment.receipt_number:07d}-{payment.receipt_year}.pdf",
        content_type="application/pdf",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def gateway_simulator(request):
    """The simulated card/wallet gateway's own page (demo only): shows the order, takes the payment."""
    if not settings.PAYMENT_SIMULATORS:
        raise Http404
    params = request.GET if request.method == "GET" else request.POST
    provider = provider_get("vnpay-demo")
    if not provider.verify(raw_body=b"", headers={}, params=dict(params.items())):
        return render(request, "400.html", {"message": _("Yêu cầu thanh toán sai chữ ký.")}, status=400)
    reference = params.get("vnp_TxnRef", "")
    amount = int_param(params.get("vnp_Amount"), 0, min_value=0, max_value=10**15) // 100
    if request.method == "POST":
        target = simulators.simulate_gateway_payment(
            reference=reference,
            amount=amount,
            return_url=params.get("vnp_ReturnUrl", ""),
            succeed=request.POST.get("result") != "cancel",
        )
        return redirect(target)
    return render(
        request,
        "payments/gateway_simulator.html",
        {"params": sorted(params.items()), "reference": reference, "amount": amount},
    )


@login_required
@never_cache
def gateway_return(request, provider: str):
    """Where the gateway sends the payer back. Shown only: the payment is confirmed by the signed IPN
    or a status query, never by this page."""
    gateway = provider_get(provider)
    if gateway is None:
        raise Http404
    signed = gateway.verify(raw_body=b"", headers={}, params=dict(request.GET.items()))
    reference = request.GET.get("vnp_TxnRef", "")
    try:
        intent = selectors.intent_get_visible(user=request.user, reference=reference)
    except NotFound:
        raise Http404 from None
    if not signed:
        messages.error(request, _("Kết quả trả về từ cổng thanh toán sai chữ ký; trạng thái dưới đây là của hệ thống."))
    elif intent.status == IntentStatus.PAID:
        messages.success(request, _("Đã thanh toán."))
    else:
        messages.info(request, _("Cổng thanh toán chưa xác nhận. Trang này cập nhật khi có xác nhận."))
    return redirect("payments:pay", code=intent.dossier.code)


# --- officers -------------------------------------------------------------------------------------------------
@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def cashier(request):
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "review":
                services.callback_review(
                    officer=request.user,
                    callback_id=int_param(request.POST.get("id")),
                    note=request.POST.get("note", ""),
                )
            elif action == "resolve":
                services.payment_resolve(
                    officer=request.user,
                    payment_id=int_param(request.POST.get("id")),
                    note=request.POST.get("note", ""),
                )
            elif action == "refund":
                services.payment_refund(
                    officer=request.user,
                    payment_id=int_param(request.POST.get("id")),
                    reason=request.POST.get("reason", ""),
                )
            else:
                raise Http404
            messages.success(request, _("Đã ghi nhận."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("payments:cashier")
    queue = selectors.cashier_queue(officer=request.user)
    return render(request, "payments/cashier.html", {"q": queue, "outcomes": selectors.OUTCOME_LABELS})


@officer_required
@require_http_methods(["POST"])
def fee_set(request, code: str):
    """An officer sets a fee at this step (the form on the officer's dossier page)."""
    try:
        intent = services.fee_set(
            officer=request.user,
            code=code,
            amount=int_param(_amount_text(request.POST.get("amount", "")), 0, min_value=0, max_value=10**15),
            label=request.POST.get("label", ""),
            category=request.POST.get("category", ""),
            request_key=request.POST.get("request_key", ""),
        )
        messages.success(
            request,
            _("Đã ghi khoản %(amount)s, mã thanh toán %(ref)s; công dân đã được báo.")
            % {"amount": format_vnd(intent.amount), "ref": intent.reference},
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        # The page is a redirect, so the reasons per field travel in the message itself.
        reasons = [text for texts in (exc.fields or {}).values() for text in texts]
        messages.error(request, " ".join([exc.message + ("." if reasons else ""), *reasons]), extra_tags=exc.code)
    return redirect("workspace:dossier", code=code)


def _amount_text(raw: str) -> str:
    """What an officer types as an amount in đồng, as digits: "20.000", "20 000 ₫", "20000đ", "20.000 VNĐ" and
    full-width digits all mean 20000. Commas are left alone (a decimal comma in Vietnamese), so "20,5" is refused."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    text = re.sub(r"(?i)\s*(₫|vnđ|vnd|đồng|đ)$", "", text)
    return re.sub(r"[.\s]", "", text)


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def counter(request, reference: str):
    try:
        intent = selectors.intent_get_for_officer(officer=request.user, reference=reference)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "cash":
                amount = int_param(request.POST.get("amount"), -1, min_value=-1, max_value=10**15)
                payment = services.cash_record(officer=request.user, reference=reference, amount=amount)
                messages.success(request, _("Đã thu tiền mặt; biên lai số %(n)s.") % {"n": payment.receipt_label})
            elif action == "exempt":
                services.intent_exempt(officer=request.user, reference=reference, ground=request.POST.get("ground", ""))
                messages.success(request, _("Đã miễn khoản này."))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("payments:counter", reference=reference)
    payload = selectors.qr_payload(intent) if intent.status == IntentStatus.PENDING else None
    return render(
        request,
        "payments/counter.html",
        {
            "intent": intent,
            "d": intent.dossier,
            "svg": vietqr.image_svg(payload, scale=6, title=_("Mã VietQR")) if payload else "",
            "payments": list(intent.payments.order_by("pk")),
        },
    )


@officer_required
def counter_notice(request, reference: str):
    try:
        intent = selectors.intent_get_for_officer(officer=request.user, reference=reference)
    except NotFound:
        raise Http404 from None
    return download_response(
        payment_notice_pdf(intent), filename=f"giay-bao-thu-{intent.reference}.pdf", content_type="application/pdf"
    )


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def reconcile(request):
    if request.method == "POST":
        upload = request.FILES.get("statement")
        error = ""
        if upload is None:
            error = _("Chọn tệp sao kê CSV")
        elif upload.size > STATEMENT_MAX_BYTES:
            error = _("Tệp sao kê phải nhỏ hơn 5 MB")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                error = _("Tệp sao kê phải là CSV mã UTF-8")
        if error:
            messages.error(request, error)
            return redirect("payments:reconcile")
        office = selectors.reconcile_office_of(officer=request.user)
        run = reconciliation.run_start(
            statement=text, file_name=upload.name, office_id=office.pk if office else None, user=request.user
        )
        return redirect("payments:reconcile_run", pk=run.pk)
    runs = reconciliation.runs_visible(officer=request.user).order_by("-pk")[:20]
    return render(request, "payments/reconcile.html", {"runs": runs})


def _run(request, pk):
    run = reconciliation.runs_visible(officer=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@officer_required
@never_cache
def reconcile_run(request, pk: int):
    run = _run(request, pk)
    counts = [
        (kind, reconciliation.KIND_LABELS[kind], (run.counts or {}).get(kind, 0)) for kind in reconciliation.KINDS
    ]
    return render(
        request,
        "payments/reconcile_run.html",
        {
            "run": run,
            "counts": counts,
            "busy": run.status in (ReconciliationRun.Status.QUEUED, ReconciliationRun.Status.RUNNING),
        },
    )


@officer_required
def reconcile_csv(request, pk: int):
    run = _run(request, pk)
    rows = [[d.get(k, "") for k in reconciliation.DIFF_HEADER] for d in run.differences or []]
    return spreadsheet_response(filename=f"doi-soat-{run.pk}-chenh-lech", header=reconciliation.DIFF_HEADER, rows=rows)
