"""A card/wallet gateway in the VNPay style (VNPay Payment Gateway API 2.1.0): the payer is redirected to
the gateway with signed parameters, comes back to a return URL (shown, never trusted), and the gateway
confirms server to server (IPN) with `vnp_*` parameters signed HMAC-SHA512 over the sorted, URL-encoded
parameters; the amount is sent ×100. The merchant answers `{"RspCode", "Message"}`: "00" confirmed,
"01" order not found, "02" already confirmed, "04" wrong amount, "97" bad signature, "99" other error.
`vnpay-demo` is served by the local simulator (motcua.payments.simulators); the secret is
PAYMENT_GATEWAY_SECRET (`motcua-demo-gateway-secret` in demo mode only)."""

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from motcua.core.inputs import is_ascii_digits

from .base import CallbackUnreadable, Notification, Provider
from .signing import equal, hmac_sha512_hex, vnpay_sign_data

VN = ZoneInfo("Asia/Ho_Chi_Minh")

ACK = {
    "accepted": ("00", "Confirm Success"),
    "late": ("00", "Confirm Success"),
    "failed": ("00", "Confirm Success"),
    "duplicate": ("02", "Order already confirmed"),
    "unknown_reference": ("01", "Order not found"),
    "wrong_amount": ("04", "Invalid amount"),
    "bad_signature": ("97", "Invalid signature"),
    "invalid": ("99", "Unknown error"),
}


def sign(secret: str, params: dict) -> dict:
    """`params` with vnp_SecureHash added."""
    return {**params, "vnp_SecureHash": hmac_sha512_hex(secret, vnpay_sign_data(params).encode())}


class GatewayProvider(Provider):
    name = "vnpay-demo"
    channel = "provincial_gateway"
    label = "Thẻ hoặc ví điện tử qua cổng thanh toán (mô phỏng kiểu VNPay)"

    @property
    def secret(self) -> str:
        return settings.PAYMENT_GATEWAY_SECRET

    @property
    def configured(self) -> bool:
        return bool(self.secret)

    def verify(self, *, raw_body: bytes, headers: dict, params: dict) -> bool:
        if not self.secret or "vnp_SecureHash" not in params:
            return False
        expected = hmac_sha512_hex(self.secret, vnpay_sign_data(params).encode())
        return equal(params.get("vnp_SecureHash", ""), expected)

    def parse(self, *, raw_body: bytes, headers: dict, params: dict) -> Notification:
        tx = str(params.get("vnp_TransactionNo") or "")[:100]
        raw_amount = str(params.get("vnp_Amount") or "")
        if not tx or not is_ascii_digits(raw_amount) or int(raw_amount) % 100:
            raise CallbackUnreadable("vnp_TransactionNo or vnp_Amount missing or malformed")
        try:
            paid_at = dt.datetime.strptime(str(params.get("vnp_PayDate", "")), "%Y%m%d%H%M%S").replace(tzinfo=VN)
        except ValueError as exc:
            raise CallbackUnreadable("vnp_PayDate must be yyyyMMddHHmmss") from exc
        return Notification(
            transaction_id=tx,
            reference=str(params.get("vnp_TxnRef") or "")[:100],
            amount=int(raw_amount) // 100,
            paid_at=paid_at,
            succeeded=params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus", "00") == "00",
        )

    def acknowledge(self, outcome: str) -> tuple[int, dict]:
        code, message = ACK.get(outcome, ACK["invalid"])
        return (401 if outcome == "bad_signature" else 200), {"RspCode": code, "Message": message}

    def checkout_url(self, *, intent, return_url: str) -> str | None:
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": settings.PAYMENT_GATEWAY_MERCHANT,
            "vnp_Amount": str(intent.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": intent.reference,
            "vnp_OrderInfo": f"Thanh toan ho so {intent.dossier.code}",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_CreateDate": dt.datetime.now(VN).strftime("%Y%m%d%H%M%S"),
        }
        base = settings.PAYMENT_GATEWAY_URL or reverse("payments:gateway_simulator")
        return f"{base}?{urlencode(sign(self.secret, params))}"

    def query(self, *, reference: str) -> list[Notification]:
        from motcua.payments.simulators import bank_ledger_credits

        return bank_ledger_credits(provider=self.name, reference=reference)
