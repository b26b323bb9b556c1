"""Reads for broadcasts, scoped to the communes a user serves."""

from __future__ import annotations

from django.db.models import Count, Q

from motcua.accounts.models import OFFICER_ROLES, Role
from motcua.accounts.selectors import communes_served, grants_of
from motcua.core.errors import NotFound
from motcua.places.models import COMMUNE_LEVEL, VILLAGE_LEVEL, AdministrativeUnit

from .models import Broadcast, BroadcastChannel, Delivery, DeliveryStatus, SimulatedZaloPost, Subscription, ZaloGroup


def leader_communes(*, user) -> list[AdministrativeUnit]:
    """Communes the user may broadcast to: those where they are a leader (granted there or above)."""
    return communes_served(user=user, roles=[Role.LEADER])


def commune_get(*, code: str) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(
        code=str(code or "").strip(), unit_type__in=COMMUNE_LEVEL, valid_to__isnull=True
    ).first()
    if unit is None:
        raise NotFound("Không tìm thấy xã, phường này")
    return unit


def villages_of(*, commune: AdministrativeUnit):
    return AdministrativeUnit.objects.filter(
        parent=commune, unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True
    ).order_by("code")


def villages_with_counts(*, commune: AdministrativeUnit) -> list:
    """The commune's villages with `subscribers` (active phones) and `zalo` (its group, or None)."""
    villages = list(villages_of(commune=commune))
    counts = dict(
        Subscription.objects.filter(village__in=villages, active=True)
        .values("village")
        .annotate(n=Count("pk"))
        .values_list("village", "n")
    )
    groups = {g.village_id: g for g in ZaloGroup.objects.filter(village__in=villages, active=True)}
    for village in villages:
        village.subscribers = counts.get(village.pk, 0)
        village.zalo = groups.get(village.pk)
    return villages


def broadcasts_for(*, user):
    """Broadcasts of the communes the user serves as an officer, newest first."""
    paths = sorted({g.unit.path for g in grants_of(user=user, roles=OFFICER_ROLES)})
    if not paths:
        return Broadcast.objects.none()
    served = Q()
    for path in paths:
        served |= Q(commune__path__startswith=path)
    return Broadcast.objects.filter(served).select_related("commune", "sender").order_by("-created_at", "-pk")


def broadcast_get(*, user, broadcast_id: int) -> Broadcast:
    broadcast = broadcasts_for(user=user).filter(pk=broadcast_id).first()
    if broadcast is None:
        raise NotFound("Không tìm thấy tin này")
    return broadcast


def delivery_figures(*, broadcast_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """{broadcast id: {channel: {"sent", "failed", "pending", "total"}}} in one query."""
    figures: dict[int, dict[str, dict[str, int]]] = {}
    rows = (
        Delivery.objects.filter(broadcast_id__in=broadcast_ids)
        .values("broadcast_id", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for bid in broadcast_ids:
        figures[bid] = {c: {"sent": 0, "failed": 0, "pending": 0, "total": 0} for c in BroadcastChannel.values}
    for row in rows:
        cell = figures[row["broadcast_id"]][row["channel"]]
        cell[row["status"]] = row["n"]
        cell["total"] += row["n"]
    return figures


def village_figures(*, broadcast: Broadcast) -> list[dict]:
    """Per village: [{"village", "sms_sent", "sms_total", "zalo"}] ("zalo": sent / failed / pending / None)."""
    rows = (
        Delivery.objects.filter(broadcast=broadcast)
        .values("village_id", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_village: dict[int, dict] = {}
    for row in rows:
        cell = by_village.setdefault(row["village_id"], {"sms_sent": 0, "sms_total": 0, "zalo": None})
        if row["channel"] == BroadcastChannel.SMS:
            cell["sms_total"] += row["n"]
            if row["status"] == DeliveryStatus.SENT:
                cell["sms_sent"] += row["n"]
        else:
            cell["zalo"] = row["status"]
    return [
        {"village": v, **by_village.get(v.pk, {"sms_sent": 0, "sms_total": 0, "zalo": None})}
        for v in broadcast.villages.all().order_by("code")
    ]


def subscribed_village_ids(*, phone: str) -> set[int]:
    if not phone:
        return set()
    return set(Subscription.objects.filter(phone=phone, active=True).values_list("village_id", flat=True))


def demo_zalo_posts(kind: str, value: str, limit: int) -> list[dict]:
    """For the demo inbox: what the Zalo simulator posted (only when not filtering by a phone or address)."""
    if kind:
        return []
    return [
        {"channel": "zalo", "to": p.group_name or p.group_id, "text": p.text, "created_at": p.created_at}
        for p in SimulatedZaloPost.objects.all()[:limit]
    ]


def subscribable_communes() -> list[AdministrativeUnit]:
    """Communes that have current villages (the subscription page's choice), by name."""
    parents = AdministrativeUnit.objects.filter(unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True).values("parent_id")
    return list(
        AdministrativeUnit.objects.filter(pk__in=parents, unit_type__in=COMMUNE_LEVEL, valid_to__isnull=True).order_by(
            "name"
        )[:1000]
    )


def home_commune(*, user) -> AdministrativeUnit | None:
    """The commune of a signed-in citizen's address (their village's parent), if known."""
    unit = getattr(getattr(user, "citizen", None), "address_unit", None)
    while unit is not None and unit.unit_type not in COMMUNE_LEVEL:
        unit = unit.parent
    return unit


def account_phone(*, user) -> str:
    return getattr(user, "phone", "") or getattr(getattr(user, "citizen", None), "phone", "") or ""
