"""Personal-data rights (issue 16, point 7; Decree 13/2023/NĐ-CP Art. 9, 14, 16; DOMAIN.md §13):
the citizen's own data as JSON and as a readable PDF, the log of officers who opened their dossiers, and
closing the account (anonymised; dossiers stay, as the archive law requires)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import NotAllowed, ValidationFailed

from .consent import consent_text
from .models import ApiToken, CitizenProfile, Consent, DossierAccess, User


# --- access log -----------------------------------------------------------------------------------------------
def dossier_access_record(*, user: User, dossier, what: str) -> None:
    """Record that `user` read `dossier` (its page, a file, a form) when `user` is not the citizen who owns
    it: every officer read, through the workspace or the API. `what` is short Vietnamese text."""
    if not user.is_authenticated or dossier.citizen_id is None or dossier.citizen_id == user.pk:
        return
    DossierAccess.objects.create(
        citizen_id=dossier.citizen_id, officer=user, dossier_code=dossier.code, what=what[:200]
    )


def access_log_for(*, user: User, limit: int = 200) -> QuerySet[DossierAccess]:
    """Who among officers opened the citizen's dossiers, newest first (the citizen's own reads only)."""
    return DossierAccess.objects.filter(citizen=user).select_related("officer").order_by("-created_at")[:limit]


def officer_label(officer: User) -> str:
    """How an officer appears to the citizen: name and the units of their roles (not the username)."""
    from .selectors import grants_of

    units = sorted({f"{g.get_role_display()}, {g.unit.name}" for g in grants_of(user=officer)})
    return f"{officer.display_name} ({'; '.join(units)})" if units else officer.display_name


# --- what other apps hold ---------------------------------------------------------------------------------
# The apps above accounts (dossiers, documents) add their part of a person's data here, so accounts never
# imports them (docs/architecture.md, layers). Keys always present in the export, in this order:
_SECTION_KEYS = ("dossiers", "stored_documents", "feedback")
_SECTIONS: dict[str, tuple[Callable[[User], list[dict]], Callable[[User], None] | None]] = {}
_PDF_RENDERERS: list[Callable[[dict], bytes]] = []


def register_personal_data(key: str, *, export: Callable[[User], list[dict]], on_close=None) -> None:
    """An app that holds a person's data adds it to the export and to the closing of the account (Decree
    13/2023/NĐ-CP Art. 14, 16): ``export(user) -> [JSON-ready dict]`` fills ``key`` of
    `personal_data_export`; ``on_close(user)``, if given, runs inside `account_close`'s transaction (the
    user row locked). Registered in AppConfig.ready (dossiers: "dossiers"; documents: "stored_documents";
    feedback: "feedback").
    Raises ValueError for a key the export does not document."""
    if key not in _SECTION_KEYS:
        raise ValueError(f"unknown personal-data section {key!r}")
    _SECTIONS[key] = (export, on_close)


def register_personal_data_pdf(render: Callable[[dict], bytes]) -> None:
    """The documents app renders `personal_data_export`'s dict as a PDF (``render(data) -> bytes``)."""
    _PDF_RENDERERS[:] = [render]


# --- export ---------------------------------------------------------------------------------------------------
def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about the account, as a JSON-ready dict:
    {"exported_at", "account", "profile", "consents", "dossiers", "stored_documents", "officer_reads"}.
    Times are ISO 8601 in Asia/Ho_Chi_Minh; dossier answers as the citizen gave them."""
    profile = CitizenProfile.objects.select_related("address_unit").filter(user=user).first()
    out: dict[str, Any] = {
        "exported_at": clock.iso(timezone.now()),
        "account": {
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone or "",
            "email": user.email,
            "date_joined": clock.iso(user.date_joined),
            "has_password": user.has_usable_password(),
        },
        "profile": None,
        "consents": [
            {
                "version": c.version,
                "source": c.source,
                "given_at": clock.iso(c.given_at),
                "withdrawn_at": clock.iso(c.withdrawn_at) if c.withdrawn_at else None,
                "text": consent_text(c.version)[1] if c.version in _known_versions() else [],
            }
            for c in Consent.objects.filter(user=user).order_by("given_at")
        ],
        **{key: [] for key in _SECTION_KEYS},
        "officer_reads": [
            {
                "at": clock.iso(a.created_at),
                "officer": officer_label(a.officer),
                "dossier": a.dossier_code,
                "what": a.what,
            }
            for a in access_log_for(user=user, limit=10_000)
        ],
    }
    if profile is not None:
        out["profile"] = {
            "full_name": profile.full_name,
            "citizen_id": profile.citizen_id,
            "birth_date": profile.birth_date.isoformat(),
            "gender": profile.gender,
            "phone": profile.phone,
            "email": profile.email,
            "address": ", ".join(
                [profile.street] * bool(profile.street)
                + (
                    [u.name for u in [profile.address_unit, *profile.address_unit.ancestors()]]
                    if profile.address_unit
                    else []
                )
            ),
            "identity_level": profile.identity_level,
        }
    for key, (export, _close) in _SECTIONS.items():
        out[key] = export(user)
    return out


def _address(profile: CitizenProfile) -> str:
    parts = [profile.street] if profile.street else []
    if profile.address_unit:
        parts += [u.name for u in [profile.address_unit, *profile.address_unit.ancestors()]]
    return ", ".join(parts)


def _known_versions() -> set[str]:
    from .consent import CONSENT_TEXTS

    return set(CONSENT_TEXTS)


def personal_data_pdf(*, user: User) -> bytes:
    """The same data as `personal_data_export`, as an A4 PDF a person can read; rendered by the renderer the
    documents app registers (documents/privacy.py: every PDF is written there). Raises RuntimeError when no
    renderer is registered (the documents app is not installed)."""
    if not _PDF_RENDERERS:
        raise RuntimeError("no personal-data PDF renderer registered (motcua.documents)")
    return _PDF_RENDERERS[0](personal_data_export(user=user))


# --- closing the account --------------------------------------------------------------------------------------
CLOSED_PREFIX = "da-dong-"  # the username a closed account is given (anonymised, unique)


@transaction.atomic
def account_close(*, user: User, password: str) -> None:
    """Close a citizen's account at their request (withdrawal of consent, Decree 13/2023/NĐ-CP Art. 12, 16).

    The account is anonymised: profile (citizen ID, birth date, address) deleted, name, phone, e-mail and
    username replaced, password unusable, inactive; every session and API token ends; consents marked
    withdrawn. Dossiers are kept with the applicant details written on them (archive law: administrative
    dossiers are public archives), so officers can still finish and archive them. Raises ValidationFailed
    (422, `fields.password`) for a wrong password, NotAllowed (422) for staff or officer accounts."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active and user.username.startswith(CLOSED_PREFIX):
        return  # a double click: the first click closed it; the second ends the same way, nothing written twice
    if user.is_staff or user.grants.exists() or not CitizenProfile.objects.filter(user=user).exists():
        raise NotAllowed(_("Chỉ tài khoản công dân đóng được ở đây; tài khoản cán bộ do quản trị viên đóng."))
    if not user.check_password(password or ""):
        raise ValidationFailed(
            _("Mật khẩu chưa đúng; hãy nhập mật khẩu hiện tại"),
            fields={"password": [_("Mật khẩu chưa đúng; hãy nhập mật khẩu hiện tại")]},
        )
    now = timezone.now()
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
    CitizenProfile.objects.filter(user=user).delete()
    for _export, close in _SECTIONS.values():
        if close is not None:
            close(user)
    ApiToken.objects.filter(user=user).delete()
    user.username = f"{CLOSED_PREFIX}{secrets.token_hex(8)}"
    user.full_name = _("Tài khoản đã đóng")
    user.first_name = user.last_name = ""
    user.phone = None
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.session_stamp = secrets.token_hex(16)
    user.save()
