"""The dossier's hash-chained event log, and the notices it queues in the same transaction (the outbox)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.utils import timezone

from motcua.accounts.models import User

from ..effects import on_event
from ..models import Dossier, DossierEvent
from ..workflow import Workflow, load_workflow


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def event_hash(*, code: str, event: DossierEvent) -> str:
    """SHA-256 of the previous hash and the event's canonical JSON: the one builder, used to write the
    hash (event_append) and to check it (event_chain_valid). ``code`` is the dossier's code."""
    payload = {
        "dossier": code,
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor_id,
        "role": event.actor_role,
        "from": event.from_status,
        "to": event.to_status,
        "note": event.note,
        "data": event.data or {},
        "at": _utc(event.created_at),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


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
    first: bool = False,
) -> DossierEvent:
    """Append to the dossier's hash-chained event log. Locks: none of its own; the caller holds the
    dossier row lock (which serialises the sequence numbers). ``first``: the caller knows the log is
    empty (a dossier being submitted), so the predecessor is not looked up."""
    last, prev = (0, "") if first else (dossier.events.order_by("-seq").values_list("seq", "hash").first() or (0, ""))
    event = DossierEvent(
        dossier=dossier,
        seq=last + 1,
        action=action,
        actor=actor,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
        prev_hash=prev,
    )
    event.hash = event_hash(code=dossier.code, event=event)
    event.save(force_insert=True)
    # Other apps' counters (stats) move in the same transaction (effects.register_on_event).
    on_event(dossier=dossier, event=event)
    return event


def event_chain_valid(dossier: Dossier) -> bool:
    prev = ""
    for event in dossier.events.order_by("seq"):
        if event.prev_hash != prev or event.hash != event_hash(code=dossier.code, event=event):
            return False
        prev = event.hash
    return True


def notify_event(*, dossier: Dossier, event: DossierEvent, workflow: Workflow | None = None) -> int:
    """Queue the notice the workflow data names for this event (the action's or system event's
    "notify"), inside the caller's transaction: the outbox rows commit or roll back with the change.
    The notifications app gets a plain payload (template name, recipients, values) and renders and
    delivers it in the worker. Returns the number of messages queued (0 when the event sends none)."""
    from motcua.notifications.services import queue

    workflow = workflow or load_workflow(dossier.workflow)
    template = workflow.notify_template(event.action)
    if not template:
        return 0
    recipients = []
    if dossier.applicant_phone:
        recipients.append(("sms", dossier.applicant_phone))
    citizen = dossier.citizen
    email = getattr(getattr(citizen, "citizen", None), "email", "") or citizen.email
    if email:
        recipients.append(("email", email))
    if citizen is not None and citizen.has_usable_password():
        # The citizen's inbox (portal "Hộp thư", GET /api/v1/inbox); a walk-in without a password has none yet.
        recipients.append(("inapp", str(citizen.pk)))
    due = dossier.due_at
    payload = {
        "template": template,
        "source": f"dossier-event:{event.pk}",
        "user": dossier.citizen_id,
        "recipients": recipients,
        "values": {
            "code": dossier.code,
            "procedure": dossier.procedure.citizen_name or dossier.procedure.name,
            "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y") if due else "",
            "note": (event.note or "")[:200],
            "track": _tracking_url(dossier),
            "method": (event.data or {}).get("method", ""),
            "activate": _activation_text(dossier),
        },
    }
    return queue(payload=payload)


def _activation_text(dossier: Dossier) -> str:
    """For a walk-in whose account was opened at the counter (no password yet): the one-time link, valid
    ACTIVATION_LINK_DAYS, to set a password (accounts.registration.activation_url); the notice templates
    that carry it print it. Empty otherwise."""
    from django.conf import settings

    citizen = dossier.citizen
    if citizen is None or not citizen.is_active or citizen.has_usable_password():
        return ""
    from motcua.accounts.registration import activation_url

    return f"Đặt mật khẩu cho tài khoản (hạn {settings.ACTIVATION_LINK_DAYS} ngày): {activation_url(user=citizen)}"


def _tracking_url(dossier: Dossier) -> str:
    """Where a notice points. A citizen who can sign in gets their dossier page; a walk-in citizen whose
    account was opened at the counter (no password yet) gets public tracking with the code filled in,
    which needs no login (the phone number given at the counter is the second key)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.http import urlencode

    citizen = dossier.citizen
    if citizen is not None and citizen.has_usable_password():
        return settings.SITE_URL + reverse("portal:dossier", args=[dossier.code])
    return settings.SITE_URL + reverse("portal:track") + "?" + urlencode({"ma": dossier.code})
