"""Writes for accounts: citizens, role grants, login with throttling and TOTP, API tokens."""

import datetime as dt
import hashlib
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext as _

from motcua.core.glyphs import check_printable
from motcua.core.inputs import check_person_name, clean_for_column, clean_past_date, is_ascii_digits
from motcua.core.net import client_ip
from motcua.places.models import AdministrativeUnit

from .identity import normalize_digits, normalize_phone, validate_citizen_id, validate_phone
from .models import ApiToken, CitizenProfile, LoginChallenge, RoleGrant, TotpEnrolmentCode, User
from .throttle import key_failures, throttle_check, throttle_record


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _account_key(identifier: str) -> str:
    """One throttle key per account however it is typed (username, phone, citizen ID); unknown
    identifiers are keyed by their normalised form, so guessing at accounts is throttled too."""
    from .backends import user_for_identifier

    user = user_for_identifier(identifier)
    if user is not None:
        return _user_key(user)
    value = (identifier or "").strip()
    digits = normalize_digits(value)
    if is_ascii_digits(digits.removeprefix("+")):
        value = normalize_phone(digits) if len(digits) != 12 else digits
    return f"id:{value.lower()}"


def _user_key(user: User) -> str:
    return f"user:{user.pk}"


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


# --- login: password, then a second step when one is needed ----------------------------------------
def login_authenticate(*, request, identifier: str, password: str) -> User | None:
    """Check the throttle, then the password; count a failure. Raises RateLimited.

    A right password does not clear the account's failures yet: that happens in `login_succeeded`,
    once any second step (TOTP, SMS code) has passed too."""
    ip_address = client_ip(request) if request is not None else None
    key = _account_key(identifier)
    throttle_check(purpose="login", key=key, ip_address=ip_address)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        throttle_record(purpose="login", key=key, ip_address=ip_address, succeeded=False)
    return user


def login_second_step(*, user: User) -> str:
    """What the right password must be followed by: "totp" (officer with an authenticator), "sms" (an
    account that has had many wrong passwords: a code goes to its phone), or "" (nothing)."""
    if totp_required(user=user) and user.totp_confirmed_at:
        return "totp"
    if user.phone and key_failures(purpose="login", key=_user_key(user)) >= settings.LOGIN_CHALLENGE_AFTER_FAILURES:
        return "sms"
    return ""


def login_succeeded(*, user: User, ip_address: str | None) -> None:
    throttle_record(purpose="login", key=_user_key(user), ip_address=ip_address, succeeded=True)


def _code_digest(user: User, code: str) -> str:
    return _digest(f"{user.pk}:{settings.SECRET_KEY}:{code}")


@transaction.atomic
def login_challenge_send(*, user: User) -> None:
    """Send a 6-digit code by SMS (through the outbox). Only ever after a right password, so a stranger
    cannot make the platform send messages."""
    from motcua.notifications.models import OutboxMessage
    from motcua.notifications.services import enqueue_delivery

    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    LoginChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    LoginChallenge.objects.create(
        user=user, code_hash=_code_digest(user, code), expires_at=now + dt.timedelta(minutes=10)
    )
    message = OutboxMessage.objects.create(
        user=user,
        channel="sms",
        recipient=user.phone,
        body=f"Ma dang nhap Mot Cua So: {code}. Het han sau 10 phut. Khong dua ma nay cho bat ky ai.",
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))


def login_challenge_verify(*, user: User, code: str, ip_address: str | None) -> bool:
    """Check an SMS login code; each code allows 5 tries, and failures are throttled per account."""
    key = _user_key(user)
    throttle_check(purpose="sms_code", key=key, ip_address=ip_address)
    digits = normalize_digits(code or "")
    with transaction.atomic():
        challenge = (
            LoginChallenge.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now(), attempts__lt=5)
            .order_by("-created_at")
            .first()
        )
        ok = challenge is not None and constant_time_compare(challenge.code_hash, _code_digest(user, digits))
        if challenge is not None:
            challenge.attempts += 1
            if ok:
                challenge.used_at = timezone.now()
            challenge.save(update_fields=["attempts", "used_at"])
    throttle_record(purpose="sms_code", key=key, ip_address=ip_address, succeeded=ok)
    return ok


# --- TOTP (second factor for officers) --------------------------------------------------------------
def totp_required(*, user: User) -> bool:
    from .selectors import is_officer

    return settings.OFFICER_TOTP_REQUIRED and is_officer(user=user)


def _totp_accept(*, user: User, code: str) -> bool:
    """True for a right code whose time step is later than the last one accepted: a code works once.
    The step is claimed with a conditional UPDATE, so two requests racing with one code get one yes."""
    digits = normalize_digits(code or "")
    if not user.totp_secret or len(digits) != 6 or not is_ascii_digits(digits):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(timezone.now())
    for step in (current - 1, current, current + 1):
        if constant_time_compare(totp.generate_otp(step), digits):
            claimed = (
                User.objects.filter(pk=user.pk)
                .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
                .update(totp_last_step=step)
            )
            if claimed:
                user.totp_last_step = step
            return bool(claimed)
    return False


def totp_verify(*, user: User, code: str, ip_address: str | None = None) -> bool:
    """A TOTP code at login (page or API): failures counted per account and address (RateLimited),
    a code already used refused."""
    key = _user_key(user)
    throttle_check(purpose="totp", key=key, ip_address=ip_address)
    ok = _totp_accept(user=user, code=code)
    throttle_record(purpose="totp", key=key, ip_address=ip_address, succeeded=ok)
    return ok


def _enrolment_digest(user: User, code: str) -> str:
    return _code_digest(user, code.upper().replace("-", "").replace(" ", ""))


@transaction.atomic
def totp_enrolment_code_issue(*, user: User, issued_by: User | None = None) -> str:
    """An administrator gives an officer a one-time code to enrol (or re-enrol, after losing a phone) an
    authenticator. The officer's current authenticator stops working; earlier codes are voided."""
    now = timezone.now()
    raw = get_random_string(8, allowed_chars="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    TotpEnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    TotpEnrolmentCode.objects.create(
        user=user,
        code_hash=_enrolment_digest(user, raw),
        issued_by=issued_by,
        expires_at=now + dt.timedelta(hours=settings.TOTP_ENROLMENT_CODE_HOURS),
    )
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return f"{raw[:4]}-{raw[4:]}"


def totp_enrolment_code_redeem(*, user: User, code: str, ip_address: str | None) -> bool:
    """Use an enrolment code (once). On success a new secret is made for the officer to scan."""
    key = _user_key(user)
    throttle_check(purpose="enrolment", key=key, ip_address=ip_address)
    with transaction.atomic():
        claimed = TotpEnrolmentCode.objects.filter(
            user=user,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            code_hash=_enrolment_digest(user, code or ""),
        ).update(used_at=timezone.now())
        if claimed:
            totp_setup_begin(user=user)
    throttle_record(purpose="enrolment", key=key, ip_address=ip_address, succeeded=bool(claimed))
    return bool(claimed)


def totp_setup_begin(*, user: User) -> str:
    """A new secret to add to an authenticator app; it counts once confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return user.totp_secret


def totp_provisioning_uri(*, user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="Một Cửa Số")


def totp_confirm(*, user: User, code: str, ip_address: str | None = None) -> bool:
    if user.totp_confirmed_at or not totp_verify(user=user, code=code, ip_address=ip_address):
        return False
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_confirmed_at"])
    return True


# --- sessions and API tokens ---------------------------------------------------------------------------
def password_change(*, user: User, new_password: str) -> None:
    """Set a new password. Every session (their hash covers the password) and every API token of the
    account stops working; the caller keeps its own session with update_session_auth_hash."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()


def sessions_end_all(*, user: User) -> None:
    """End every session and API token of the account (administrator action, lost phone, ...)."""
    user.session_stamp = secrets.token_hex(16)
    user.save(update_fields=["session_stamp"])
    ApiToken.objects.filter(user=user).delete()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_digest(raw),
        auth_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return raw, token


def api_token_user(*, raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(raw), expires_at__gt=timezone.now()).first()
    if token is None or not token.user.is_active:
        return None
    # However the password or session stamp changed (this page, the admin, a management command),
    # a token issued before the change is dead.
    if not constant_time_compare(token.auth_hash, token.user.get_session_auth_hash()):
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=_digest(raw)).delete()


# --- counter lookups (audited) ---------------------------------------------------------------------------
def name_initials(full_name: str) -> str:
    """ "Lò Thị Mai" → "L. T. M.": enough for the citizen at the counter to say "that's me"."""
    return " ".join(f"{word[0].upper()}." for word in (full_name or "").split() if word)


def citizen_lookup_for_counter(
    *, officer: User, citizen_id: str, ip_address: str | None, purpose: str = "counter"
) -> dict | None:
    """An intake officer checks whether a walk-in citizen has an account. Shows only what confirms
    identity (name initials, masked phone); the full record opens with the intake itself. Every lookup
    is written to the audit log (CitizenLookup), found or not."""
    from motcua.core.inputs import identifier_digits
    from motcua.core.logging import mask_phone

    from .models import CitizenLookup

    digits = identifier_digits(citizen_id) or ""
    profile = CitizenProfile.objects.select_related("user").filter(citizen_id=digits).first() if digits else None
    CitizenLookup.objects.create(
        officer=officer,
        citizen=profile.user if profile else None,
        citizen_id_hash=_digest(f"citizen:{digits}"),
        purpose=purpose,
        ip_address=ip_address,
    )
    if profile is None:
        return None
    return {
        "initials": name_initials(profile.full_name),
        "phone": mask_phone(profile.phone or profile.user.phone or ""),
    }
