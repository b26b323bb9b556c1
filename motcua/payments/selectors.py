"""Permission-scoped reads of payments. Every lookup goes through `Dossier.objects.visible_to`, so a
reference that is not yours and one that does not exist give the same 404."""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.selectors import grants_of, is_officer
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier

from . import vietqr
from .models import (
    ONLINE_CHANNELS,
    CallbackOutcome,
    IntentStatus,
    Payment,
    PaymentAccount,
    PaymentIntent,
    ProviderCallback,
)

CASHIER_ROLES = (Role.INTAKE_OFFICER, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN)
NOT_REQUIRED = "not_required"


def _unit_scope(officer, roles=CASHIER_ROLES) -> Q:
    condition = Q(pk__in=[])
    for grant in grants_of(user=officer, roles=roles):
        condition |= Q(unit__path__startswith=grant.unit.path)
    return condition


def intent_get_visible(*, user, reference: str) -> PaymentIntent:
    """The intent behind a reference, if the user may see its dossier (citizen or officer)."""
    dossiers = Dossier.objects.visible_to(user)
    intent = (
        PaymentIntent.objects.select_related("dossier__office", "dossier__procedure")
        .filter(reference=reference, dossier__in=dossiers)
        .first()
    )
    if intent is None:
        raise NotFound(_("Không tìm thấy khoản thanh toán này"))
    return intent


def intent_get_for_officer(*, officer, reference: str) -> PaymentIntent:
    """The intent, if the officer is a cashier (intake officer or administrator) of its dossier's unit."""
    dossiers = Dossier.objects.filter(_unit_scope(officer))
    intent = (
        PaymentIntent.objects.select_related("dossier__office", "dossier__procedure")
        .filter(reference=reference, dossier__in=dossiers)
        .first()
    )
    if intent is None:
        raise NotFound(_("Không tìm thấy khoản thanh toán này"))
    return intent


def payment_get_for_officer(*, officer, payment_id: int) -> Payment:
    dossiers = Dossier.objects.filter(_unit_scope(officer))
    payment = (
        Payment.objects.select_related("intent__dossier", "office")
        .filter(pk=payment_id, intent__dossier__in=dossiers)
        .first()
    )
    if payment is None:
        raise NotFound(_("Không tìm thấy khoản đã thu này"))
    return payment


def payment_get_visible(*, user, code: str, payment_id: int) -> Payment:
    """A payment of a dossier the user may see (for the receipt download)."""
    payment = (
        Payment.objects.select_related("intent__dossier", "office")
        .filter(pk=payment_id, intent__dossier__code=code, intent__dossier__in=Dossier.objects.visible_to(user))
        .first()
    )
    if payment is None:
        raise NotFound(_("Không tìm thấy biên lai này"))
    return payment


def qr_payload(intent: PaymentIntent) -> str | None:
    """The VietQR payload for a pending intent (None when its office has no account configured)."""
    account = PaymentAccount.objects.filter(office_id=intent.dossier.office_id).first()
    if account is None:
        return None
    return vietqr.build(
        bank_bin=account.bank_bin, account=account.account_number, amount=intent.amount, purpose=intent.reference
    )


def receipt_url(payment: Payment) -> str:
    return settings.SITE_URL + reverse("payments:receipt", args=[payment.intent.dossier.code, payment.pk])


def payment_summary(dossier: Dossier) -> dict:
    """The `payment` object of `GET /api/v1/dossiers/{code}`: {"status", "amount", "lines", "reference",
    "qr_payload", "channel"}. `status` is not_required when no fee is due, pending while any line is
    unpaid, paid when every line is paid, else the state of the latest line (expired, cancelled,
    refunded). `amount` is the total of the current lines in đồng; `reference`/`qr_payload` are those of
    the first line still to pay; `channel` the channel of the latest payment (PaymentChannel) or null."""
    intents = list(dossier.payment_intents.order_by("pk"))
    current: dict[str, PaymentIntent] = {}
    for intent in intents:  # the latest intent of each line stands for it
        current[intent.line] = intent
    lines = []
    payments = {
        p.intent_id: p for p in Payment.objects.filter(intent__dossier=dossier).select_related("intent").order_by("pk")
    }
    for intent in current.values():
        payment = payments.get(intent.pk)
        lines.append(
            {
                "line": intent.line,
                "category": intent.category,
                "label": intent.label,
                "amount": intent.amount,
                "status": intent.status,
                "reference": intent.reference,
                "qr_payload": qr_payload(intent) if intent.status == IntentStatus.PENDING else None,
                "expires_at": intent.expires_at,
                "paid_at": intent.paid_at,
                "channel": payment.channel if payment else None,
                "receipt_number": payment.receipt_label if payment else None,
                "receipt_url": receipt_url(payment) if payment and payment.receipt_sha256 else None,
            }
        )
    if not lines:
        return {
            "status": NOT_REQUIRED,
            "amount": 0,
            "lines": [],
            "reference": None,
            "qr_payload": None,
            "channel": None,
        }
    statuses = {line["status"] for line in lines}
    if IntentStatus.PENDING in statuses:
        status = IntentStatus.PENDING
    elif statuses == {IntentStatus.PAID}:
        status = IntentStatus.PAID
    else:
        status = lines[-1]["status"]
    to_pay = next((line for line in lines if line["status"] == IntentStatus.PENDING), lines[0])
    last_payment = max(payments.values(), key=lambda p: p.pk, default=None)
    return {
        "status": str(status),
        "amount": sum(line["amount"] for line in lines),
        "lines": lines,
        "reference": to_pay["reference"],
        "qr_payload": to_pay["qr_payload"],
        "channel": last_payment.channel if last_payment else None,
    }


def paid_online(dossier: Dossier) -> bool:
    """Paid through the national platform, a gateway or a direct transfer (766 indicator 3.6)."""
    return Payment.objects.filter(intent__dossier=dossier, channel__in=ONLINE_CHANNELS).exists()


def callbacks_for_review(*, officer) -> QuerySet[ProviderCallback]:
    """Notifications kept for a person: those of dossiers in the officer's scope, and those matching no
    dossier at all (any cashier may pick those up)."""
    if not is_officer(user=officer):
        return ProviderCallback.objects.none()
    dossiers = Dossier.objects.filter(_unit_scope(officer))
    return ProviderCallback.objects.filter(needs_review=True).filter(
        Q(intent__isnull=True) | Q(intent__dossier__in=dossiers)
    )


def cashier_queue(*, officer) -> dict:
    """What needs a person: flagged payments not yet resolved, callbacks kept for review, and pending
    intents of dossiers in scope (the counter takes cash for these)."""
    dossiers = Dossier.objects.filter(_unit_scope(officer))
    return {
        "flagged": list(
            Payment.objects.filter(intent__dossier__in=dossiers, flagged=True, resolved_at__isnull=True)
            .select_related("intent__dossier")
            .order_by("-paid_at")[:200]
        ),
        "callbacks": list(callbacks_for_review(officer=officer).select_related("intent__dossier")[:200]),
        "pending": list(
            PaymentIntent.objects.filter(dossier__in=dossiers, status=IntentStatus.PENDING)
            .select_related("dossier")
            .order_by("expires_at")[:200]
        ),
        "recent": list(
            Payment.objects.filter(intent__dossier__in=dossiers).select_related("intent__dossier").order_by("-pk")[:50]
        ),
    }


OUTCOME_LABELS = dict(CallbackOutcome.choices)


def payment_account_of(*, office_id: int) -> PaymentAccount | None:
    """The office's collecting bank account (None: no QR, pay at the counter)."""
    return PaymentAccount.objects.filter(office_id=office_id).first()


def payments_of(dossier: Dossier) -> list[Payment]:
    """Every payment recorded for the dossier, oldest first, with its intent."""
    return list(Payment.objects.filter(intent__dossier=dossier).select_related("intent").order_by("pk"))


def reconcile_office_of(*, officer):
    """The office whose account the officer reconciles: the first open office in their cashier scope."""
    from motcua.accounts.selectors import grants_of
    from motcua.places.selectors import office_first_active

    for grant in grants_of(user=officer, roles=CASHIER_ROLES):
        office = office_first_active(grant.unit)
        if office:
            return office
    return None
