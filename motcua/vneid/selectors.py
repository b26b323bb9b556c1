"""Reads for electronic identification levels."""

from motcua.accounts.models import IdentityLevel


def identity_level_of(*, user) -> int:
    """The VNeID level on the user's citizen profile (0 when none or not a citizen)."""
    profile = getattr(user, "citizen", None) if user is not None and user.is_authenticated else None
    return int(profile.identity_level) if profile is not None else IdentityLevel.NONE


def identity_level_short(*, user, procedure) -> int:
    """The level `procedure` requires for an online submission when `user` does not have it yet, else 0.

    The requirement is the catalogue's `identity_level_required` (docs/catalog.md); the level is the one
    VNeID last asserted at sign-in (motcua.vneid.services.vneid_sign_in)."""
    required = int(procedure.identity_level_required or 0)
    return required if required and identity_level_of(user=user) < required else 0
