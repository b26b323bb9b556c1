"""Writes for accounts: citizens, role grants, login with throttling and TOTP, API tokens."""

import datetime as dt
import hashlib
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import RateLimited
from motcua.core.inputs import check_person_name, clean_for_column, clean_past_date, is_ascii_digits
from motcua.documents.glyphs import check_printable
from motcua.places.models import AdministrativeUnit

from .identity import normalize_digits, normalize_phone, validate_citizen_id, validate_phone
from .models import ApiToken, CitizenProfile, LoginAttempt, RoleGrant, User


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _throttle_key(identifier: str) -> str:
    """One key per account however it is typed (username, phone, citizen ID); unknown identifiers are
    keyed by their normalised form, so guessing at accounts is throttled too."""
    from .backends import user_for_identifier

    user = user_for_identifier(identifier)
    if user is not None:
        return _digest(f"user:{user.pk}")
    value = (identifier or "").strip()
    digits = normalize_digits(value)
    if is_ascii_digits(digits.removeprefix("+")):
        value = normalize_phone(digits) if len(digits) != 12 else digits
    return _digest(f"id:{value.lower()}")


# --- citizens and officers ------------------------------------------------------------------------
@transaction.atomic
def citizen_create(
    *,
    full_name: str,
    citizen_id: str,
    birth_date: dt.date,
    gender: str,
    phone: str,
    password: str,
    email: str = "",
    username: str | None = None,
    address_unit: AdministrativeUnit | None = None,
    street: str = "",
    identity_level: int = 0,
) -> User:
    errors = {}
    try:
        full_name = clean_for_column(full_name, CitizenProfile, "full_name", required=True, min_length=2)
        check_printable(full_name)  # printed on every receipt, form and result of this citizen
        check_person_name(full_name, label=_("Họ và tên"))
    except ValidationError as exc:
        errors["full_name"] = exc.messages
    try:
        street = clean_for_column(street, CitizenProfile, "street")
    except ValidationError as exc:
        errors["street"] = exc.messages
    try:
        birth_date = clean_past_date(birth_date, label=_("Ngày sinh"))
    except ValidationError as exc:
        errors["birth_date"] = exc.messages
        birth_date = None
    if gender not in ("male", "female"):
        errors["gender"] = [_("Chọn giới tính: nam hoặc nữ")]
        gender = None
    try:
        citizen_id = validate_citizen_id(citizen_id, birth_date=birth_date, gender=gender)
    except ValidationError as exc:
        errors["citizen_id"] = exc.messages
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if not errors and CitizenProfile.objects.filter(citizen_id=citizen_id).exists():
        errors["citizen_id"] = [
            ValidationError(
                _("Số định danh này đã có tài khoản; hãy đăng nhập hoặc lấy lại mật khẩu"), code="citizen_id_taken"
            )
        ]
    if not errors and User.objects.filter(phone=phone).exists():
        errors["phone"] = [
            ValidationError(_("Số điện thoại này đã có tài khoản; hãy đăng nhập hoặc dùng số khác"), code="phone_taken")
        ]
    if errors:
        raise ValidationError(errors)
    user = User(username=username or citizen_id, full_name=full_name.strip(), phone=phone, email=email)
    user.set_password(password)
    user.save()
    CitizenProfile.objects.create(
        user=user,
        full_name=user.full_name,
        citizen_id=citizen_id,
        birth_date=birth_date,
        gender=gender,
        phone=phone,
        email=email,
        address_unit=address_unit,
        street=street,
        identity_level=identity_level,
    )
    return user


def role_grant(
    *, user: User, role: str, unit: AdministrativeUnit, granted_by: User | None = None, position: str = ""
) -> RoleGrant:
    grant, _created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        unit=unit,
        defaults={"granted_by": granted_by, "valid_from": dt.date(2025, 7, 1), "position": position},
    )
    if position and grant.position != position:
        grant.position = position
        grant.save(update_fields=["position", "updated_at"])
    user._grants_cache = None
    return grant


# --- login throttling -----------------------------------------------------------------------------
def login_throttle_check(*, identifier: str, ip_address: str | None) -> None:
    """Refuse further attempts after too many failures for one account or from one address."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(created_at__gte=since, succeeded=False)
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    message = _(
        "Bạn đã nhập sai quá nhiều lần. Hãy đợi %(minutes)s phút rồi thử lại, hoặc gọi bộ phận một cửa để được hỗ trợ."
    ) % {"minutes": minutes}
    ident = _throttle_key(identifier)
    if failures.filter(identifier_hash=ident).count() >= settings.LOGIN_MAX_FAILURES_PER_ACCOUNT:
        raise RateLimited(message)
    if ip_address and failures.filter(ip_address=ip_address).count() >= settings.LOGIN_MAX_FAILURES_PER_IP:
        raise RateLimited(message)


def login_attempt_record(*, identifier: str, ip_address: str | None, succeeded: bool) -> None:
    ident = _throttle_key(identifier)
    if succeeded:
        # A successful login clears the account's failures, so a forgotten password once a month
        # never locks a citizen out.
        LoginAttempt.objects.filter(identifier_hash=ident, succeeded=False).delete()
    LoginAttempt.objects.create(identifier_hash=ident, ip_address=ip_address, succeeded=succeeded)


def login_authenticate(*, request, identifier: str, password: str) -> User | None:
    """Check the throttle, then the password; record the attempt. Raises RateLimited."""
    ip_address = request.META.get("REMOTE_ADDR") if request is not None else None
    login_throttle_check(identifier=identifier, ip_address=ip_address)
    user = authenticate(request, username=identifier, password=password)
    login_attempt_record(identifier=identifier, ip_address=ip_address, succeeded=user is not None)
    return user


# --- TOTP (second factor for officers) --------------------------------------------------------------
def totp_required(*, user: User) -> bool:
    from .selectors import is_officer

    return settings.OFFICER_TOTP_REQUIRED and is_officer(user=user)


def totp_setup_begin(*, user: User) -> str:
    """Give an officer a new secret to add to an authenticator app; it counts once confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user.totp_secret


def totp_provisioning_uri(*, user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="Một Cửa Số")


def totp_verify(*, user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify(normalize_digits(code), valid_window=1)


def totp_confirm(*, user: User, code: str) -> bool:
    if not totp_verify(user=user, code=code):
        return False
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_confirmed_at"])
    return True


# --- API tokens -------------------------------------------------------------------------------------
def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_digest(raw),
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return raw, token


def api_token_user(*, raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(raw), expires_at__gt=timezone.now()).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=_digest(raw)).delete()
