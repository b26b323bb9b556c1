"""HMAC helpers shared by the providers and their simulators."""

import hashlib
import hmac
from urllib.parse import quote_plus


def hmac_sha256_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def hmac_sha512_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha512).hexdigest()


def equal(a: str, b: str) -> bool:
    return hmac.compare_digest((a or "").lower().encode(), (b or "").lower().encode())


def vnpay_sign_data(params: dict) -> str:
    """VNPay's signed text: every vnp_ parameter except the hash itself, sorted by name, URL-encoded
    (quote_plus) and joined as `k=v&k=v`."""
    items = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return "&".join(f"{quote_plus(str(k))}={quote_plus(str(v))}" for k, v in items)
