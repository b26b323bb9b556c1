"""Bank-transfer notifications for VietQR payments: the bank (or an aggregator) posts each credit to the
agency's account. `vietqr-demo` is its simulator-backed instance: body
`{"transaction_id", "reference", "amount", "paid_at"}`, HMAC-SHA256 of the raw body in hex in the
`X-Signature` header; the secret is PAYMENT_BANK_SECRET (`motcua-demo-bank-secret` in demo mode only)."""

import datetime as dt
import json

from django.conf import settings
from django.utils.dateparse import parse_datetime

from motcua.core.inputs import is_ascii_digits

from .base import CallbackUnreadable, Notification, Provider
from .signing import equal, hmac_sha256_hex


def _amount(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CallbackUnreadable("amount must be a whole number of đồng")
    text = str(value)
    if not is_ascii_digits(text) or len(text) > 15:
        raise CallbackUnreadable("amount must be a whole number of đồng")
    return int(text)


def _moment(value) -> dt.datetime:
    moment = parse_datetime(str(value or ""))
    if moment is None or moment.tzinfo is None:
        raise CallbackUnreadable("paid_at must be an ISO 8601 moment with its offset")
    return moment


class BankTransferProvider(Provider):
    name = "vietqr-demo"
    channel = "direct_transfer"
    label = "Chuyển khoản VietQR (ngân hàng mô phỏng)"

    @property
    def secret(self) -> str:
        return settings.PAYMENT_BANK_SECRET

    @property
    def configured(self) -> bool:
        return bool(self.secret)

    def verify(self, *, raw_body: bytes, headers: dict, params: dict) -> bool:
        if not self.secret:
            return False
        return equal(headers.get("X-Signature", ""), hmac_sha256_hex(self.secret, raw_body))

    def parse(self, *, raw_body: bytes, headers: dict, params: dict) -> Notification:
        try:
            body = json.loads(raw_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackUnreadable("body is not JSON") from exc
        if not isinstance(body, dict):
            raise CallbackUnreadable("body is not a JSON object")
        transaction_id = str(body.get("transaction_id") or "")[:100]
        if not transaction_id:
            raise CallbackUnreadable("transaction_id is missing")
        return Notification(
            transaction_id=transaction_id,
            reference=str(body.get("reference") or "")[:100],
            amount=_amount(body.get("amount")),
            paid_at=_moment(body.get("paid_at")),
        )

    def query(self, *, reference: str) -> list[Notification]:
        from motcua.payments.simulators import bank_ledger_credits

        return bank_ledger_credits(provider=self.name, reference=reference)
