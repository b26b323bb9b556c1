"""Local simulators of the bank, the card/wallet gateway and the national payment platform (demo and
tests). Each records the credit in its own ledger (SimulatedBankCredit), then delivers the notification
exactly as the real system would: a signed HTTP body handed to the same callback service the endpoint
uses, so the signature check, matching and idempotency run for real."""

import datetime as dt
import json
import uuid
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SimulatedBankCredit
from .providers.base import Notification
from .providers.gateway import sign as gateway_sign
from .providers.national import signed_text
from .providers.signing import hmac_sha256_hex

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def bank_ledger_credits(*, provider: str, reference: str) -> list[Notification]:
    return [
        Notification(transaction_id=c.transaction_id, reference=c.reference, amount=c.amount, paid_at=c.paid_at)
        for c in SimulatedBankCredit.objects.filter(provider=provider, reference=reference).order_by("pk")
    ]


def bank_notification(
    *, reference: str, amount: int, transaction_id: str | None = None, paid_at: dt.datetime | None = None
) -> tuple[bytes, dict]:
    """The raw body and headers the demo bank posts to `/api/v1/payments/callback/vietqr-demo`."""
    body = json.dumps(
        {
            "transaction_id": transaction_id or f"FT{uuid.uuid4().hex[:14].upper()}",
            "reference": reference,
            "amount": amount,
            "paid_at": (paid_at or timezone.now()).astimezone(VN).isoformat(timespec="seconds"),
        }
    ).encode()
    return body, {"X-Signature": hmac_sha256_hex(settings.PAYMENT_BANK_SECRET, body)}


def gateway_notification(
    *, reference: str, amount: int, transaction_id: str | None = None, response_code: str = "00"
) -> dict:
    """The signed IPN parameters the demo gateway sends (also appended to the return URL)."""
    params = {
        "vnp_TmnCode": settings.PAYMENT_GATEWAY_MERCHANT,
        "vnp_Amount": str(amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Thanh toan {reference}",
        "vnp_PayDate": timezone.now().astimezone(VN).strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": response_code,
        "vnp_TransactionStatus": response_code,
        "vnp_TransactionNo": transaction_id or str(uuid.uuid4().int)[:8],
        "vnp_TxnRef": reference,
    }
    return gateway_sign(settings.PAYMENT_GATEWAY_SECRET, params)


def national_notification(*, reference: str, amount: int, transaction_id: str | None = None) -> bytes:
    body = {
        "transaction_id": transaction_id or f"DVCQG{uuid.uuid4().hex[:12].upper()}",
        "reference": reference,
        "amount": amount,
        "paid_at": timezone.now().astimezone(VN).isoformat(timespec="seconds"),
    }
    body["signature"] = hmac_sha256_hex(settings.PAYMENT_NATIONAL_SECRET, signed_text(body))
    return json.dumps(body).encode()


def _ledger(provider: str, transaction_id: str, reference: str, amount: int, note: str = "") -> None:
    SimulatedBankCredit.objects.get_or_create(
        transaction_id=transaction_id,
        defaults={
            "provider": provider,
            "reference": reference,
            "amount": amount,
            "paid_at": timezone.now(),
            "note": note,
        },
    )


def simulate_bank_transfer(*, reference: str, amount: int, deliver: bool = True) -> tuple[int, dict]:
    """The payer transfers `amount` with `reference` in the note; the simulated bank books the credit and
    (unless `deliver` is False: a lost notification) notifies us. Returns the callback's (status, body)."""
    from .services import callback_receive

    body, headers = bank_notification(reference=reference, amount=amount)
    _ledger("vietqr-demo", json.loads(body)["transaction_id"], reference, amount, note=f"{reference} chuyen khoan")
    if not deliver:
        return 202, {"code": "not_delivered"}
    return callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={})


def simulate_pay_button(*, reference: str) -> bool:
    """The demo payment page's «chuyển khoản ngay» button: one transfer of the amount owed while the intent is
    pending and the simulated bank has no credit for its reference yet, however often (or however fast) the
    button is pressed — a double click is not two transfers. The check and the booking run under the
    intent's row lock; the notification is delivered after, like the bank's. Returns whether it paid."""
    from .models import IntentStatus, PaymentIntent
    from .services import callback_receive

    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().filter(reference=reference).first()
        if (
            intent is None
            or intent.status != IntentStatus.PENDING
            or SimulatedBankCredit.objects.filter(provider="vietqr-demo", reference=reference).exists()
        ):
            return False
        body, headers = bank_notification(reference=reference, amount=intent.amount)
        _ledger(
            "vietqr-demo",
            json.loads(body)["transaction_id"],
            reference,
            intent.amount,
            note=f"{reference} chuyen khoan",
        )
    callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={})
    return True


def simulate_gateway_payment(*, reference: str, amount: int, return_url: str, succeed: bool = True) -> str:
    """The payer pays on the simulated gateway page: the gateway books the transaction, sends the IPN,
    and returns the URL to send the payer back to (the return URL with the same signed parameters)."""
    from .services import callback_receive

    params = gateway_notification(reference=reference, amount=amount, response_code="00" if succeed else "24")
    if succeed:
        _ledger("vnpay-demo", params["vnp_TransactionNo"], reference, amount)
    callback_receive(provider_name="vnpay-demo", raw_body=urlencode(params).encode(), headers={}, params=params)
    separator = "&" if "?" in return_url else "?"
    return f"{return_url}{separator}{urlencode(params)}"


def bank_statement_csv(*, extra_lines: list[dict] | None = None) -> str:
    """The simulated bank's statement of the agency account (CSV, see docs/payments.md)."""
    from motcua.core.exports import csv_bytes

    header = ["transaction_id", "paid_at", "amount", "reference", "description"]
    rows = [
        [c.transaction_id, c.paid_at.astimezone(VN).isoformat(), c.amount, c.reference, c.note]
        for c in SimulatedBankCredit.objects.filter(provider="vietqr-demo").order_by("pk")
    ]
    rows += [[line.get(k, "") for k in header] for line in extra_lines or []]
    return csv_bytes(header, rows).decode("utf-8-sig")
