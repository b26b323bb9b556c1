"""The e-receipt (biên lai thu phí, lệ phí) of a payment, and the payment notice with the VietQR code
printed at the counter. Both A5 like the one-stop forms, drawn with documents.pdf.Page; the receipt is
signed with the office's certificate exactly as the forms are (documents.signing.sign_pdf)."""

import io
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from motcua.catalog.fees import format_vnd
from motcua.documents.pdf import Page, page_count, place_date, place_name, prose_name

from . import vietqr
from .models import FeeCategory, Payment, PaymentAccount, PaymentChannel, PaymentIntent

log = logging.getLogger(__name__)

TITLES = {
    FeeCategory.LE_PHI: "BIÊN LAI THU LỆ PHÍ",
    FeeCategory.PHI: "BIÊN LAI THU PHÍ",
}


def _header(page: Page, dossier, number: str = "") -> None:
    page.header(
        [(f"Ủy ban nhân dân {prose_name(dossier.unit.name)}", False), (dossier.office.name, True)], number=number
    )


def receipt_facts(payment: Payment) -> dict:
    intent = payment.intent
    dossier = intent.dossier
    return {
        "title": TITLES.get(intent.category, TITLES[FeeCategory.LE_PHI]),
        "number": f"Số: {payment.receipt_label}",
        "payer": dossier.applicant_name,
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "label": intent.label,
        "detail": (intent.breakdown or {}).get("detail", ""),
        "amount": format_vnd(payment.amount),
        "channel": PaymentChannel(payment.channel).label,
        "transaction": payment.transaction_id,
        "paid_at": timezone.localtime(payment.paid_at).strftime("%H:%M %d/%m/%Y"),
        "reference": intent.reference,
    }


def receipt_unsigned(payment: Payment) -> bytes:
    facts = receipt_facts(payment)
    dossier = payment.intent.dossier
    page = Page(A5)
    _header(page, dossier, facts["number"])
    page.text(str(facts["title"]), size=11, bold=True, center=True, gap=1)
    page.text("(Biên lai điện tử)", size=8.5, italic=True, center=True, gap=5)
    page.labelled("Người nộp:", facts["payer"])
    page.labelled("Mã hồ sơ:", facts["code"])
    page.labelled("Thủ tục:", facts["procedure"])
    page.labelled("Khoản thu:", facts["label"])
    if facts["detail"]:
        page.labelled("Cách tính:", facts["detail"])
    page.labelled("Số tiền:", facts["amount"], size=11)
    page.labelled("Hình thức thanh toán:", facts["channel"])
    page.labelled("Mã giao dịch:", facts["transaction"])
    page.labelled("Mã thanh toán:", facts["reference"])
    page.labelled("Thời điểm thanh toán:", facts["paid_at"], gap=6)
    page.signatures(
        [
            {"capacity": ["NGƯỜI NỘP TIỀN"], "hint": "(Thanh toán điện tử)", "name": facts["payer"]},
            {"capacity": ["NGƯỜI THU TIỀN"], "signed": True, "name": dossier.office.name},
        ],
        date_line=place_date(place_name(dossier.unit), payment.paid_at),
    )
    return page.finish(str(facts["title"]), dossier.code)


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt, signed with the office's certificate when there is one (otherwise left unsigned and
    logged, as the forms are)."""
    from motcua.documents.services import identity_of
    from motcua.documents.signing import SigningUnavailable, StampPlacement, sign_pdf

    pdf = receipt_unsigned(payment)
    identity = identity_of(office=payment.office)
    if identity is None:
        log.warning("receipt %s left unsigned: the office has no certificate", payment.receipt_label)
        return pdf
    try:
        return sign_pdf(
            pdf,
            identity,
            field_name="ChuKyBienLai",
            reason="Biên lai thu phí, lệ phí",
            location=payment.intent.dossier.unit.name,
            verify_url=settings.SITE_URL + reverse("portal:track"),
            placement=StampPlacement(page=page_count(pdf) - 1, box=(215, 14, 405, 56)),
        )
    except SigningUnavailable:
        log.warning("receipt %s left unsigned: signing unavailable", payment.receipt_label)
        return pdf


def payment_notice_pdf(intent: PaymentIntent) -> bytes:
    """The notice the counter prints for a pending intent: amount, account and the VietQR code (PNG)."""
    dossier = intent.dossier
    account = PaymentAccount.objects.filter(office_id=dossier.office_id).first()
    page = Page(A5)
    _header(page, dossier)
    page.text("GIẤY BÁO THU PHÍ, LỆ PHÍ", size=11, bold=True, center=True, gap=5)
    page.labelled("Người nộp:", dossier.applicant_name)
    page.labelled("Mã hồ sơ:", dossier.code)
    page.labelled("Khoản thu:", intent.label)
    page.labelled("Số tiền:", format_vnd(intent.amount), size=11)
    page.labelled("Nội dung chuyển khoản:", intent.reference)
    page.labelled("Hạn thanh toán:", timezone.localtime(intent.expires_at).strftime("%H:%M %d/%m/%Y"))
    if account is not None:
        page.labelled("Tài khoản nhận:", f"{account.account_number} — {account.account_name} — {account.bank_name}")
        payload = vietqr.build(
            bank_bin=account.bank_bin, account=account.account_number, amount=intent.amount, purpose=intent.reference
        )
        size = 45 * mm
        page._need(size + 6)
        image = ImageReader(io.BytesIO(vietqr.image_png(payload, scale=6)))
        page.canvas.drawImage(image, (A5[0] - size) / 2, page.y - size, size, size)
        page.y -= size + 4
        page.text("Quét mã bằng ứng dụng ngân hàng (VietQR / NAPAS 247)", size=8.5, center=True)
    else:
        page.text("Cơ quan chưa khai báo tài khoản nhận tiền: nộp tiền mặt tại quầy.", italic=True)
    return page.finish("Giấy báo thu phí, lệ phí", dossier.code)
