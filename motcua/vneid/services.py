"""Writes for VNeID sign-in: link the national identity to an account, or create the account.

Legal frame: Decree 69/2024/NĐ-CP on electronic identification; level 2 is registered in person with
biometrics and equals the ID card (DOMAIN.md §10). VNeID is the authority on who the person is and on
their level, so the level it asserts at each sign-in is stored on the citizen's profile.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.identity import validate_citizen_id, validate_phone
from motcua.accounts.models import CitizenProfile, Consent, IdentityLevel, User
from motcua.core.errors import NotAllowed, ValidationFailed
from motcua.core.inputs import clean_for_column

from .models import VneidLink


def identity_from_claims(claims: dict) -> dict:
    """The VNeID claims (motcua.vneid.simulator lists them) → {"subject", "citizen_id", "full_name",
    "birth_date", "gender", "phone" ("" when absent or unusable), "level" (1|2)}.

    Raises ValidationFailed when the identity is incomplete or inconsistent (the ID's structure, birth
    year and gender are checked as at sign-up)."""
    try:
        level = int(claims.get("identity_level"))
    except (TypeError, ValueError):
        level = 0
    gender = claims.get("gender")
    try:
        birth_date = dt.date.fromisoformat(str(claims.get("birthdate", "")))
        full_name = clean_for_column(str(claims.get("name", "")), CitizenProfile, "full_name", required=True)
        citizen_id = validate_citizen_id(str(claims.get("citizen_id", "")), birth_date=birth_date, gender=gender)
        if level not in (IdentityLevel.LEVEL1, IdentityLevel.LEVEL2) or gender not in ("male", "female"):
            raise ValueError
        subject = str(claims["sub"])
    except (KeyError, ValueError, ValidationError) as exc:
        raise ValidationFailed(
            _(
                "VNeID chưa gửi đủ thông tin định danh (số định danh, họ tên, ngày sinh, giới tính, mức định danh). "
                "Hãy đăng nhập bằng số điện thoại và mật khẩu, hoặc đến Bộ phận Một cửa của xã để được hỗ trợ."
            ),
            code="vneid_claims",
        ) from exc
    try:
        phone = validate_phone(str(claims.get("phone_number") or ""))
    except ValidationError:
        phone = ""
    return {
        "subject": subject,
        "citizen_id": citizen_id,
        "full_name": full_name,
        "birth_date": birth_date,
        "gender": gender,
        "phone": phone,
        "level": level,
    }


def vneid_needs_consent(*, issuer: str, claims: dict) -> bool:
    """Whether this sign-in must first ask for consent to the processing of personal data (Decree
    13/2023/NĐ-CP, Art. 11): true when it would create an account, or use one that holds no consent in force
    (an account made at the counter and never activated). Raises ValidationFailed (incomplete claims)."""
    identity = identity_from_claims(claims)
    link = VneidLink.objects.filter(issuer=issuer, subject=identity["subject"]).first()
    if link is not None:
        user_id = link.user_id
    else:
        profile = CitizenProfile.objects.filter(citizen_id=identity["citizen_id"]).first()
        if profile is None:
            return True
        user_id = profile.user_id
    return not Consent.objects.filter(user_id=user_id, withdrawn_at__isnull=True).exists()


def vneid_sign_in(*, issuer: str, claims: dict, consent_version: str = "") -> tuple[User, bool]:
    """Return (user, created) for a VNeID sign-in. In order: the account already linked to this VNeID
    subject; else the account with the same citizen ID (made at the counter, by sign-up or by the demo),
    which is linked now; else a new citizen account (no password: it signs in with VNeID, and the
    citizen may set one through password recovery). The phone VNeID sends is put on a new account only
    if no other account uses it (one account per phone). The asserted level is stored on the profile.
    ``consent_version``: the consent text the person just agreed to (``vneid_needs_consent``), recorded in
    the same transaction (source ``vneid``).

    Raises ValidationFailed (incomplete claims) or NotAllowed (the account is closed)."""
    identity = identity_from_claims(claims)
    for attempt in range(2):
        try:
            return _sign_in(issuer=issuer, identity=identity, consent_version=consent_version)
        except IntegrityError:
            # Two first sign-ins of one person at once: the other one created the rows; find them.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _sign_in(*, issuer: str, identity: dict, consent_version: str = "") -> tuple[User, bool]:
    now = timezone.now()
    link = VneidLink.objects.select_for_update().filter(issuer=issuer, subject=identity["subject"]).first()
    created = False
    if link is not None:
        user = link.user
    else:
        profile = CitizenProfile.objects.select_related("user").filter(citizen_id=identity["citizen_id"]).first()
        if profile is not None:
            user = profile.user
        else:
            user, created = _citizen_create(identity), True
        link = VneidLink(user=user, issuer=issuer, subject=identity["subject"], linked_at=now)
    if not user.is_active:
        raise NotAllowed(
            _("Tài khoản này đã đóng. Hãy liên hệ Bộ phận Một cửa của xã nếu bạn cần mở lại."), code="account_closed"
        )
    link.identity_level = identity["level"]
    link.last_login_at = now
    link.save()
    profile = CitizenProfile.objects.select_for_update().get(user=user)
    if profile.identity_level != identity["level"]:
        profile.identity_level = identity["level"]
        profile.save(update_fields=["identity_level", "updated_at"])
    if consent_version and not Consent.objects.filter(user=user, withdrawn_at__isnull=True).exists():
        Consent.objects.create(user=user, version=consent_version, source=Consent.Source.VNEID, given_at=now)
    user.citizen = profile  # callers read the level from the user they get back
    return user, created


def _citizen_create(identity: dict) -> User:
    phone = identity["phone"]
    if phone and User.objects.filter(phone=phone).exists():
        phone = ""
    user = User(
        username=identity["citizen_id"],
        full_name=identity["full_name"],
        phone=phone or None,
        # Part of the session hash: a fresh random value, like a new password would give.
        session_stamp=secrets.token_hex(16),
    )
    user.set_unusable_password()
    user.save()
    CitizenProfile.objects.create(
        user=user,
        full_name=identity["full_name"],
        citizen_id=identity["citizen_id"],
        birth_date=identity["birth_date"],
        gender=identity["gender"],
        phone=phone,
        identity_level=identity["level"],
    )
    return user
