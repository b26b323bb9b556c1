"""Who may do what, where. Every scope check in the platform goes through these functions."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.confcache import cached
from motcua.core.inputs import is_ascii_digits
from motcua.places.models import AdministrativeUnit

from .models import OFFICER_ROLES, RoleGrant, User


def grants_of(*, user: User, roles: Iterable[str] | None = None) -> list[RoleGrant]:
    """The user's grants in force today (all of them, or those of `roles`), each with its unit and the unit's
    parent. Kept on the user object for the request (one request asks this many times); inside a
    configuration snapshot (officer pages read by GET, `officer_required`) the user's grants come from the
    process's cache while no grant and no unit has changed (core.confcache: a write to either, however made,
    is seen by the next request)."""
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_grants_cache", None)
    if cache is None:
        # Every grant of the user, whatever its dates: the cached list stays right as the days pass.
        every = cached(
            ("grants_of", user.pk),
            ("grants", "places"),
            lambda: list(RoleGrant.objects.filter(user_id=user.pk).select_related("unit", "unit__parent")),
        )
        today = timezone.localdate()
        cache = user._grants_cache = [g for g in every if g.is_active_on(today)]
    if roles is None:
        return list(cache)
    wanted = set(roles)
    return [g for g in cache if g.role in wanted]


def user_has_role(*, user: User, role: str | Iterable[str], unit: AdministrativeUnit) -> bool:
    """True when the user holds the role on the unit or on a unit above it."""
    roles = [role] if isinstance(role, str) else list(role)
    return any(unit.path.startswith(g.unit.path) for g in grants_of(user=user, roles=roles))


def users_with_role_on(*, role: str, unit: AdministrativeUnit) -> QuerySet[User]:
    """Active users holding `role` today on the unit or a unit above it: `user_has_role` read the other way
    round (the same path-prefix rule, one query), ordered by name."""
    parts = unit.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    holders = RoleGrant.objects.active().filter(role=role, unit__path__in=paths).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("full_name", "username")


def roles_on(*, user: User, unit: AdministrativeUnit) -> set[str]:
    return {g.role for g in grants_of(user=user) if unit.path.startswith(g.unit.path)}


def units_in_scope(*, user: User, roles: Iterable[str] | None = None) -> QuerySet[AdministrativeUnit]:
    """Every unit the user serves in the given roles: the granted units and all below them."""
    units = [g.unit for g in grants_of(user=user, roles=roles)]
    return AdministrativeUnit.objects.within(units)


def is_officer(*, user: User) -> bool:
    return bool(grants_of(user=user, roles=OFFICER_ROLES))


def is_citizen(*, user: User) -> bool:
    return user.is_authenticated and hasattr(user, "citizen")


def user_pending_login(user_id) -> User | None:
    """The account that passed the password step and waits for its second factor (id kept in the session)."""
    if isinstance(user_id, bool) or not isinstance(user_id, int | str) or not is_ascii_digits(str(user_id)):
        return None
    return User.objects.filter(pk=int(user_id)).first()


def consent_latest(*, user: User):
    """The account's latest consent to the processing of personal data, or None."""
    from .models import Consent

    return Consent.objects.filter(user=user).order_by("-given_at").first()


def communes_served(*, user: User, roles: Iterable[str]) -> list[AdministrativeUnit]:
    """The current commune-level units where the user holds one of ``roles`` — granted on the commune, or on
    a unit above it (a province grant covers its communes) — by name. One query for the higher grants."""
    from motcua.places.models import COMMUNE_LEVEL

    grants = grants_of(user=user, roles=roles)
    found = {g.unit.pk: g.unit for g in grants if g.unit.unit_type in COMMUNE_LEVEL}
    higher = [g.unit for g in grants if g.unit.unit_type not in COMMUNE_LEVEL]
    if higher:
        for unit in AdministrativeUnit.objects.within(higher).filter(
            unit_type__in=COMMUNE_LEVEL, valid_to__isnull=True
        ):
            found.setdefault(unit.pk, unit)
    return sorted(found.values(), key=lambda u: u.name)
