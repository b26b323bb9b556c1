"""One-time codes sent by SMS: the one way the platform proves that someone holds a phone number.

Used by sign-up and claiming a counter-made account (`accounts.signup`), password recovery, and assisted
submission (the citizen confirms what a helper filed for them). Generic on purpose: a caller names a
`purpose`, gives the phone and a `payload` (what the confirmation will do), and gets a `verification_id`
back; `otp_confirm` checks the code and runs the caller's action in the transaction that uses the code.

Rules (issue 16, docs/identity.md):
- 6 digits from `secrets`, valid OTP_TTL_SECONDS (5 minutes); only an HMAC-SHA256 of the code (keyed with
  SECRET_KEY and the verification id) is stored, compared with `hmac.compare_digest` (constant time);
- OTP_MAX_TRIES (5) wrong tries and the code is void; "send again" only after OTP_RESEND_SECONDS (60 s),
  which makes a new code (and allows OTP_MAX_TRIES new tries);
- at most OTP_MAX_PER_PHONE_PER_HOUR codes to one phone and OTP_MAX_PER_IP_PER_HOUR per client address
  (throttle purpose `otp_send`), wrong codes per address (`otp_confirm`): 429 with the wait;
- a request the platform must not act on (e.g. sign-up with a phone that already has an account) gets a
  `notice` by SMS instead of a code, through the same path: the caller's HTTP answer is the same either way,
  and confirming such a verification fails exactly like a wrong code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import RateLimited, ValidationFailed
from motcua.core.inputs import parse_uuid

from .identity import normalize_digits
from .models import OneTimeCode, User
from .throttle import throttle_check, throttle_hit, throttle_record

# What the SMS says the code is for (no diacritics: one SMS segment holds 160 plain characters).
PURPOSE_TEXT = {
    "register": "dang ky tai khoan",
    "claim": "nhan tai khoan",
    "password_reset": "dat lai mat khau",
    "assisted": "xac nhan ho so duoc ho tro",
    "feedback": "gui phan anh",
}


class OtpInvalid(ValidationFailed):
    """The code is wrong, expired, void after too many tries, already used, or the verification unknown.
    422 with `fields.otp`; `code` says which (otp_invalid, otp_expired, otp_void, otp_used)."""

    code = "otp_invalid"

    def __init__(self, message: str, *, code: str = "otp_invalid", field: str = "otp"):
        super().__init__(message, code=code, fields={field: [message]})


def _digest(verification_id: uuid.UUID | str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"otp:{verification_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _phone_key(phone: str) -> str:
    return f"phone:{phone}"


def sms_send(*, phone: str, text: str, user: User | None = None) -> None:
    """Queue one SMS through the notifications outbox (delivered after commit by the worker; the simulator
    in demo mode writes it to the demo inbox)."""
    from motcua.notifications.models import OutboxMessage
    from motcua.notifications.services import enqueue_delivery

    message = OutboxMessage.objects.create(user=user, channel="sms", recipient=phone, body=text)
    transaction.on_commit(lambda: enqueue_delivery(message.pk))


def _code_text(purpose: str, code: str) -> str:
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    what = PURPOSE_TEXT.get(purpose, "xac minh")
    return f"Ma {what} Mot Cua So: {code}. Het han sau {minutes} phut. Khong dua ma nay cho bat ky ai, ke ca can bo."


def otp_issue(
    *,
    purpose: str,
    phone: str,
    payload: dict[str, Any] | None = None,
    ip_address: str | None = None,
    user: User | None = None,
    notice: str | None = None,
) -> str:
    """Send a new code to `phone` (already validated, e.g. by identity.validate_phone) and return the
    verification id (a UUID string) to confirm it with.

    `payload` (JSON-serialisable; hash any secret before) is handed back by `otp_confirm`. With `notice`,
    that text is sent instead of a code and the verification can never be confirmed (see the module doc).
    Raises RateLimited (429, `retry_after` seconds) over the per-phone or per-address hourly limits."""
    throttle_hit(purpose="otp_send", key=_phone_key(phone), ip_address=ip_address)
    now = timezone.now()
    code = _new_code()
    data = dict(payload or {})
    if notice is not None:
        data = {"refused": True, "notice": notice}
    with transaction.atomic():
        row = OneTimeCode(
            purpose=purpose,
            phone=phone,
            payload=data,
            ip_address=ip_address,
            created_at=now,
            sent_at=now,
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        row.code_hash = _digest(row.id, code)
        row.save(force_insert=True)
        sms_send(phone=phone, text=notice if notice is not None else _code_text(purpose, code), user=user)
    if random.random() < 0.01:  # noqa: S311 — housekeeping, not security
        otp_prune()
    return str(row.id)


def _get(verification_id: Any, purpose: str | None) -> OneTimeCode | None:
    pk = parse_uuid(verification_id)
    if pk is None:
        return None
    row = OneTimeCode.objects.filter(pk=pk).first()
    if row is None or (purpose is not None and row.purpose != purpose):
        return None
    return row


def _unknown() -> OtpInvalid:
    return OtpInvalid(
        _("Mã xác minh này đã được dùng hoặc không còn hiệu lực. Hãy làm lại từ đầu để nhận mã mới."),
        code="otp_used",
    )


def _void(max_tries: int) -> OtpInvalid:
    return OtpInvalid(
        _("Bạn đã nhập sai %(n)s lần nên mã này không dùng được nữa. Hãy bấm «Gửi lại mã» để nhận mã mới.")
        % {"n": max_tries},
        code="otp_void",
    )


def otp_resend_wait(*, verification_id: Any) -> int:
    """Seconds before "send again" works for this verification (0: now)."""
    row = _get(verification_id, None)
    if row is None:
        return 0
    left = settings.OTP_RESEND_SECONDS - (timezone.now() - row.sent_at).total_seconds()
    return max(0, int(left + 0.999))


def otp_resend(*, verification_id: Any, purpose: str | None = None, ip_address: str | None = None) -> None:
    """Send a new code for the same verification (the old one stops working, tries start again).

    Raises RateLimited before OTP_RESEND_SECONDS have passed or over the hourly limits, OtpInvalid when
    the verification is unknown or already used."""
    row = _get(verification_id, purpose)
    if row is None or row.used_at is not None:
        raise _unknown()
    wait = otp_resend_wait(verification_id=row.pk)
    if wait:
        raise RateLimited(
            _("Mã vừa được gửi. Hãy đợi %(n)s giây rồi bấm «Gửi lại mã».") % {"n": wait}, retry_after=wait
        )
    throttle_hit(purpose="otp_send", key=_phone_key(row.phone), ip_address=ip_address)
    now = timezone.now()
    code = _new_code()
    with transaction.atomic():
        claimed = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True, sent_at=row.sent_at).update(
            code_hash=_digest(row.pk, code),
            sent_at=now,
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
            attempts=0,
        )
        if not claimed:  # another "send again" (double click) won: its code is the one that counts
            return
        notice = row.payload.get("notice") if row.payload.get("refused") else None
        sms_send(phone=row.phone, text=notice or _code_text(row.purpose, code))


def otp_confirm(
    *,
    verification_id: Any,
    code: str,
    purpose: str | None = None,
    ip_address: str | None = None,
    then: Callable[[OneTimeCode], Any] | None = None,
) -> Any:
    """Check `code` for the verification and use it up; return `then(row)` (or the payload without `then`).

    Each try takes one of OTP_MAX_TRIES first (a conditional UPDATE), so parallel guesses cannot get more
    comparisons than that. `then` runs in the same transaction that marks the code used (a conditional
    UPDATE): of many requests racing with the right code exactly one gets through; if `then` raises, the
    code stays unused (the try stays counted) and nothing it wrote survives. Call this outside a
    transaction: a wrong try must be counted even though the request fails. Raises OtpInvalid (422;
    wrong, expired, void after OTP_MAX_TRIES, used) or RateLimited (429, too many wrong codes from this
    address)."""
    throttle_check(purpose="otp_confirm", ip_address=ip_address)
    row = _get(verification_id, purpose)
    if row is None or row.used_at is not None:
        raise _unknown()
    max_tries = settings.OTP_MAX_TRIES
    if row.attempts >= max_tries:
        raise _void(max_tries)
    now = timezone.now()
    if row.expires_at <= now:
        raise OtpInvalid(
            _("Mã đã hết hạn sau %(n)s phút. Hãy bấm «Gửi lại mã» để nhận mã mới.")
            % {"n": max(1, settings.OTP_TTL_SECONDS // 60)},
            code="otp_expired",
        )
    # Every try (right or wrong) first takes one of the code's OTP_MAX_TRIES with a conditional UPDATE, so
    # however many requests race, at most OTP_MAX_TRIES comparisons are ever made for one code.
    reserved = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True, attempts__lt=max_tries).update(
        attempts=F("attempts") + 1
    )
    if not reserved:
        current = OneTimeCode.objects.filter(pk=row.pk).values_list("used_at", flat=True).first()
        if current is not None:
            raise _unknown()
        raise _void(max_tries)
    digits = normalize_digits(code or "")
    if not hmac.compare_digest(row.code_hash, _digest(row.pk, digits)) or row.payload.get("refused"):
        throttle_record(purpose="otp_confirm", ip_address=ip_address, succeeded=False)
        used = OneTimeCode.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or max_tries
        left = max_tries - used
        if left <= 0:
            raise OtpInvalid(
                _("Mã chưa đúng. Bạn đã nhập sai %(n)s lần nên mã này không dùng được nữa; hãy bấm «Gửi lại mã».")
                % {"n": max_tries},
                code="otp_void",
            )
        raise OtpInvalid(
            _("Mã chưa đúng. Hãy kiểm tra tin nhắn và nhập lại 6 chữ số (còn %(n)s lần thử).") % {"n": left}
        )
    with transaction.atomic():
        claimed = OneTimeCode.objects.filter(
            pk=row.pk, used_at__isnull=True, expires_at__gt=now, code_hash=row.code_hash
        ).update(used_at=now)
        if not claimed:
            raise _unknown()
        result = then(row) if then is not None else row.payload
        # What the payload held (the sign-up details) is not kept once used.
        OneTimeCode.objects.filter(pk=row.pk).update(payload={})
    return result


def otp_prune(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete codes (and the details they carried) a day after they were made."""
    deleted, _rows = OneTimeCode.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
