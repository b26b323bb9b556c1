"""The national public-service portal's payment platform (Nền tảng thanh toán trực tuyến của Cổng Dịch
vụ công quốc gia), as an interface with a local simulator. Its real protocol is not public; the simulator
posts `{"transaction_id", "reference", "amount", "paid_at", "signature"}` where the signature is
HMAC-SHA256 over "transaction_id|reference|amount|paid_at" (a fixed field order, as wallets do) with
PAYMENT_NATIONAL_SECRET. Payments through it count as paid online via the national portal (766 indicator
3.6, channel 1)."""

import json

from django.conf import settings

from .bank import _amount, _moment
from .base import CallbackUnreadable, Notification, Provider
from .signing import equal, hmac_sha256_hex

FIELDS = ("transaction_id", "reference", "amount", "paid_at")


def signed_text(body: dict) -> bytes:
    return "|".join(str(body.get(name, "")) for name in FIELDS).encode()


class NationalPlatformProvider(Provider):
    name = "dvcqg-demo"
    channel = "national_portal"
    label = "Nền tảng thanh toán Cổng Dịch vụ công quốc gia (mô phỏng)"

    @property
    def secret(self) -> str:
        return settings.PAYMENT_NATIONAL_SECRET

    @property
    def configured(self) -> bool:
        return bool(self.secret)

    def _body(self, raw_body: bytes) -> dict:
        try:
            body = json.loads(raw_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackUnreadable("body is not JSON") from exc
        if not isinstance(body, dict):
            raise CallbackUnreadable("body is not a JSON object")
        return body

    def verify(self, *, raw_body: bytes, headers: dict, params: dict) -> bool:
        if not self.secret:
            return False
        try:
            body = self._body(raw_body)
        except CallbackUnreadable:
            return False
        return equal(str(body.get("signature", "")), hmac_sha256_hex(self.secret, signed_text(body)))

    def parse(self, *, raw_body: bytes, headers: dict, params: dict) -> Notification:
        body = self._body(raw_body)
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
