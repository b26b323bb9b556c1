"""Sign-up, claiming a counter-made account, password recovery and walk-in activation (issue 16, points
1, 3 and 5; docs/identity.md).

Every answer a stranger sees is the same whether or not a phone or citizen ID has an account: the
difference is only in the SMS, which reaches the holder of the phone (see `register_start`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed
from motcua.core.glyphs import check_printable
from motcua.core.inputs import check_person_name, clean_for_column, clean_past_date

from .consent import CONSENT_VERSION
from .identity import validate_citizen_id, validate_phone
from .models import ApiToken, CitizenProfile, Consent, OneTimeCode, User
from .otp import otp_confirm, otp_issue

# The SMS a refused request gets instead of a code (no diacritics: one SMS segment).
NOTICE_OTHER_PHONE = (
    "Mot Cua So: so dinh danh ban nhap da co tai khoan voi so dien thoai khac. "
    "Hay mang can cuoc den Bo phan Mot cua de doi so dien thoai."
)
NOTICE_PHONE_TAKEN = (
    "Mot Cua So: so dien thoai nay da co tai khoan. Hay dang nhap, hoac chon Quen mat khau de dat lai mat khau."
)
NOTICE_NO_ACCOUNT = "Mot Cua So: so dien thoai nay chua co tai khoan. Ban co the dang ky tai {url}"


def _fields_error(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        _("Thông tin đăng ký chưa đúng; hãy sửa các mục được nêu rồi gửi lại."),
        fields={k: [str(m) for m in v] for k, v in errors.items()},
    )


def _check_password(password: str, *, user: User, field: str = "password") -> dict[str, list[str]]:
    if not password:
        return {field: [_("Nhập mật khẩu")]}
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return {field: exc.messages}
    return {}


def register_clean(
    *,
    phone: Any,
    full_name: Any,
    citizen_id: Any,
    birth_date: Any,
    gender: Any,
    password: Any,
    consent: Any,
) -> dict[str, Any]:
    """Check every sign-up field at once; return the cleaned values or raise ValidationFailed (422) whose
    `fields` name each faulty field. Checks only the input, never whether an account exists."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned["full_name"] = clean_for_column(full_name, CitizenProfile, "full_name", required=True, min_length=2)
        check_printable(cleaned["full_name"])
        check_person_name(cleaned["full_name"], label=_("Họ và tên"))
    except ValidationError as exc:
        errors["full_name"] = exc.messages
    try:
        cleaned["birth_date"] = clean_past_date(birth_date, label=_("Ngày sinh"))
    except ValidationError as exc:
        errors["birth_date"] = exc.messages
    if gender not in ("male", "female"):
        errors["gender"] = [_("Chọn giới tính: nam hoặc nữ")]
    else:
        cleaned["gender"] = gender
    try:
        cleaned["citizen_id"] = validate_citizen_id(
            citizen_id if isinstance(citizen_id, str) else "",
            birth_date=cleaned.get("birth_date"),
            gender=cleaned.get("gender"),
        )
    except ValidationError as exc:
        errors["citizen_id"] = exc.messages
    try:
        cleaned["phone"] = validate_phone(phone if isinstance(phone, str) else "")
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if not isinstance(password, str):
        password = ""
    probe = User(
        username=cleaned.get("citizen_id", ""), full_name=cleaned.get("full_name", ""), phone=cleaned.get("phone")
    )
    errors.update(_check_password(password, user=probe))
    cleaned["password"] = password
    if consent is not True:
        errors["consent"] = [_("Hãy đánh dấu ô đồng ý xử lý dữ liệu cá nhân để đăng ký")]
    if errors:
        raise _fields_error(errors)
    return cleaned


def register_start(*, ip_address: str | None = None, **fields: Any) -> str:
    """Start a sign-up (page or `POST /api/v1/auth/register`); return the verification id.

    Fields: phone, full_name, citizen_id, birth_date, gender ("male"/"female"), password, consent (True).
    Raises ValidationFailed (422) for bad input, RateLimited (429) over the code limits. Otherwise the
    answer is the same in every case; the SMS to the phone typed is:
    - a code, when neither the phone nor the citizen ID has an account (confirming creates it), or when the
      citizen ID has an account whose phone is this one (confirming sets its password: a claim);
    - a notice to visit the counter, when the citizen ID has an account with another phone;
    - a notice to log in or recover the password, when the phone has another account.
    The password is hashed before it is stored with the pending code."""
    data = register_clean(**fields)
    password_hash = make_password(data["password"])
    profile = CitizenProfile.objects.select_related("user").filter(citizen_id=data["citizen_id"]).first()
    phone_owner = User.objects.filter(phone=data["phone"]).first()
    notice = None
    payload: dict[str, Any] = {"password_hash": password_hash, "consent_version": CONSENT_VERSION}
    if profile is not None:
        if (profile.user.phone or profile.phone) == data["phone"] and profile.user.is_active:
            payload.update(mode="claim", user_id=profile.user_id)
        else:
            notice = NOTICE_OTHER_PHONE
    elif phone_owner is not None:
        notice = NOTICE_PHONE_TAKEN
    else:
        payload.update(
            mode="create",
            full_name=data["full_name"],
            citizen_id=data["citizen_id"],
            birth_date=data["birth_date"].isoformat(),
            gender=data["gender"],
            phone=data["phone"],
        )
    return otp_issue(purpose="register", phone=data["phone"], payload=payload, ip_address=ip_address, notice=notice)


def _set_password_hash(user: User, password_hash: str) -> None:
    """A password set from a stored hash: every other session (their hash covers the password) and every
    API token of the account end."""
    user.password = password_hash
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()


def register_confirm(*, verification_id: Any, code: Any, ip_address: str | None = None) -> User:
    """Confirm a sign-up with the code from the SMS: create the account (or set the password of the
    claimed one) and record the consent, in the transaction that uses the code. Returns the user.
    Raises OtpInvalid (422, `fields.otp`), RateLimited (429), ValidationFailed (422) when the phone or ID
    got an account meanwhile."""
    from .services import citizen_create

    def apply(row: OneTimeCode) -> User:
        data = row.payload
        if data.get("mode") == "claim":
            user = User.objects.select_for_update().filter(pk=data["user_id"], is_active=True).first()
            profile = getattr(user, "citizen", None) if user else None
            if user is None or (user.phone or (profile.phone if profile else "")) != row.phone:
                raise ValidationFailed(_("Tài khoản này không còn dùng được; hãy liên hệ Bộ phận Một cửa."))
            _set_password_hash(user, data["password_hash"])
        else:
            try:
                user = citizen_create(
                    full_name=data["full_name"],
                    citizen_id=data["citizen_id"],
                    birth_date=dt.date.fromisoformat(data["birth_date"]),
                    gender=data["gender"],
                    phone=data["phone"],
                    password=None,
                )
            except ValidationError as exc:
                raise _fields_error(exc.message_dict) from exc
            user.password = data["password_hash"]
            user.save(update_fields=["password"])
        Consent.objects.create(user=user, version=data["consent_version"], source=Consent.Source.SIGNUP)
        return user

    return otp_confirm(
        verification_id=verification_id,
        code=code if isinstance(code, str) else "",
        purpose="register",
        ip_address=ip_address,
        then=apply,
    )


# --- password recovery --------------------------------------------------------------------------------------
def password_reset_start(*, phone: Any, ip_address: str | None = None) -> str:
    """Send a recovery code to the phone (page or `POST /api/v1/auth/password-reset`); return the
    verification id (pages keep it; the API answers 202 without it). Same answer whether or not the phone
    has an account: without one, the SMS says so and how to sign up. Raises ValidationFailed (422, a phone
    number that cannot exist) and RateLimited (429)."""
    try:
        phone = validate_phone(phone if isinstance(phone, str) else "")
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from exc
    user = User.objects.filter(phone=phone, is_active=True).first()
    notice = None
    if user is None:
        notice = NOTICE_NO_ACCOUNT.format(url=settings.SITE_URL + reverse("accounts:register"))
    return otp_issue(
        purpose="password_reset",
        phone=phone,
        payload={"user_id": user.pk if user else None},
        ip_address=ip_address,
        user=user,
        notice=notice,
    )


def password_reset_confirm(
    *, phone: Any, code: Any, new_password: Any, ip_address: str | None = None, verification_id: Any = None
) -> User:
    """Set a new password with the recovery code (`POST /api/v1/auth/password-reset/confirm`). The code is
    the latest one sent to the phone (or the given verification). Every session and API token of the
    account ends. Raises ValidationFailed (422: `new_password`, `phone`), OtpInvalid (422, `fields.otp`),
    RateLimited (429)."""
    try:
        phone = validate_phone(phone if isinstance(phone, str) else "")
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from exc
    new_password = new_password if isinstance(new_password, str) else ""
    # The generic checks (length, common, digits only) first, without the account: same for everyone.
    errors = _check_password(new_password, user=User(phone=phone), field="new_password")
    if errors:
        raise ValidationFailed(errors["new_password"][0], fields=errors)
    if verification_id is None:
        latest = (
            OneTimeCode.objects.filter(purpose="password_reset", phone=phone, used_at__isnull=True)
            .order_by("-created_at")
            .values_list("pk", flat=True)
            .first()
        )
        verification_id = latest

    def apply(row: OneTimeCode) -> User:
        if row.phone != phone:
            raise ValidationFailed(_("Mã này không dành cho số điện thoại đã nhập."), fields={"otp": []})
        user = User.objects.select_for_update().filter(pk=row.payload.get("user_id"), is_active=True).first()
        if user is None:
            raise ValidationFailed(_("Tài khoản này không còn dùng được; hãy liên hệ Bộ phận Một cửa."))
        errors = _check_password(new_password, user=user, field="new_password")
        if errors:
            raise ValidationFailed(errors["new_password"][0], fields=errors)
        _set_password_hash(user, make_password(new_password))
        return user

    return otp_confirm(
        verification_id=verification_id,
        code=code if isinstance(code, str) else "",
        purpose="password_reset",
        ip_address=ip_address,
        then=apply,
    )


# --- walk-in activation ---------------------------------------------------------------------------------------
class ActivationTokens:
    """Stateless one-time links for a walk-in to set the first password (like Django's password-reset
    tokens, with our own lifetime): the HMAC covers the account's current password hash, which a
    counter-made account holds as a random unusable value; once a password is set the link is dead."""

    key_salt = "motcua.accounts.activation"

    def _hash(self, user: User, timestamp: int) -> str:
        value = f"{user.pk}|{user.password}|{user.is_active}|{timestamp}"
        return salted_hmac(self.key_salt, value, algorithm="sha256").hexdigest()[::2]

    @staticmethod
    def _now() -> int:
        return int(timezone.now().timestamp())

    def make(self, user: User) -> str:
        ts = self._now()
        return f"{int_to_base36(ts)}-{self._hash(user, ts)}"

    def check(self, user: User, token: str) -> bool:
        try:
            ts_b36, digest = token.split("-", 1)
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not constant_time_compare(self._hash(user, ts), digest):
            return False
        return 0 <= self._now() - ts <= settings.ACTIVATION_LINK_DAYS * 86400


activation_tokens = ActivationTokens()


def activation_url(*, user: User) -> str:
    """The one-time link (valid ACTIVATION_LINK_DAYS) a walk-in without a password opens to set one."""
    uid = urlsafe_base64_encode(str(user.pk).encode())
    return settings.SITE_URL + reverse("accounts:activate", args=[uid, activation_tokens.make(user)])


def activation_user(*, uid: str, token: str) -> User | None:
    """The account a link names, when the link is valid (right, unused, not expired); else None."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password() or not activation_tokens.check(user, token or ""):
        return None
    return user


def account_activate(*, uid: str, token: str, password: str, consent: bool) -> User:
    """Set the first password of a counter-made account from the activation link, and record consent.
    Raises ValidationFailed (422): link invalid or used (`fields.link`), weak password, no consent."""
    with transaction.atomic():
        user = activation_user(uid=uid, token=token)
        if user is None:
            raise ValidationFailed(
                _("Đường dẫn kích hoạt đã dùng hoặc đã hết hạn. Hãy chọn «Quên mật khẩu» để đặt mật khẩu bằng mã SMS."),
                fields={"link": []},
            )
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.has_usable_password():  # a double click: the first one set it
            raise ValidationFailed(_("Tài khoản đã có mật khẩu; hãy đăng nhập."), fields={"link": []})
        errors = _check_password(password, user=user)
        if consent is not True:
            errors["consent"] = [_("Hãy đánh dấu ô đồng ý xử lý dữ liệu cá nhân để kích hoạt tài khoản")]
        if errors:
            raise ValidationFailed(_("Hãy sửa các mục được nêu rồi gửi lại."), fields=errors)
        user.set_password(password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user).delete()
        Consent.objects.create(user=user, version=CONSENT_VERSION, source=Consent.Source.ACTIVATION)
    return user
