"""The dossier's hash-chained event log, and the notifications it queues."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User

from ..models import Dossier, DossierEvent


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _event_hash(prev: str, payload: dict) -> str:
    return hashlib.sha256(
        (prev + json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)).encode()
    ).hexdigest()


def event_append(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    role: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> DossierEvent:
    """Append to the dossier's hash-chained event log (the dossier row is locked by the caller)."""
    last, prev = dossier.events.order_by("-seq").values_list("seq", "hash").first() or (0, "")
    at = at or timezone.now()
    payload = {
        "dossier": dossier.code,
        "seq": last + 1,
        "action": action,
        "actor": actor.pk if actor else None,
        "role": role,
        "from": from_status,
        "to": to_status,
        "note": note,
        "data": data or {},
        "at": _utc(at),
    }
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=last + 1,
        action=action,
        actor=actor,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        created_at=at,
        prev_hash=prev,
        hash=_event_hash(prev, payload),
    )


def event_chain_valid(dossier: Dossier) -> bool:
    prev = ""
    for event in dossier.events.order_by("seq"):
        payload = {
            "dossier": dossier.code,
            "seq": event.seq,
            "action": event.action,
            "actor": event.actor_id,
            "role": event.actor_role,
            "from": event.from_status,
            "to": event.to_status,
            "note": event.note,
            "data": event.data,
            "at": _utc(event.created_at),
        }
        if event.prev_hash != prev or event.hash != _event_hash(prev, payload):
            return False
        prev = event.hash
    return True


def _notify_on_commit(event: DossierEvent) -> None:
    from motcua.notifications.services import notify_dossier_event

    event_id = event.pk
    transaction.on_commit(lambda: notify_dossier_event(event_id=event_id))
