"""The outbox: notifications are written with the change they report and delivered by the worker."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .channels import DeliveryError, channel_for
from .models import OutboxMessage, OutboxStatus
from .templates import render

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (60, 300, 1800, 7200)  # 1 min, 5 min, 30 min, 2 h


def notify_dossier_event(*, event_id: int) -> list[int]:
    """Create the outbox messages for one dossier event (idempotent) and queue their delivery."""
    from motcua.dossiers.models import DossierEvent

    event = DossierEvent.objects.select_related("dossier__procedure", "dossier__citizen").filter(pk=event_id).first()
    if event is None:
        return []
    rendered = render(event)
    if rendered is None:
        return []
    subject, body, url = rendered
    dossier = event.dossier
    # No in-app messages yet: nobody can read them until the citizen inbox exists (issue 13, kind 8),
    # so none are written. The channel stays for that inbox; SMS and e-mail carry every notice.
    targets = []
    if dossier.applicant_phone:
        targets.append(("sms", dossier.applicant_phone))
    email = getattr(getattr(dossier.citizen, "citizen", None), "email", "") or dossier.citizen.email
    if email:
        targets.append(("email", email))
    created = []
    for channel, recipient in targets:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    event=event,
                    user=dossier.citizen,
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    url=url,
                )
        except IntegrityError:
            continue  # already queued for this event
        created.append(message.pk)
    for pk in created:
        enqueue_delivery(pk)
    return created


def enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_message

    task = deliver_message
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # no delayed jobs on this backend: the sweeper (notifications_deliver) retries it
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Try one delivery. Locks the row, skips what is already sent, backs off on failure and gives up
    (dead letter) after MAX_ATTEMPTS."""
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxStatus.PENDING:
            return message.status if message else "missing"
        message.attempts += 1
        try:
            channel_for(message.channel).send(message)
        except DeliveryError as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.DEAD
                logger.warning("notification %s is dead after %s attempts", message.pk, message.attempts)
            else:
                delay = BACKOFF_SECONDS[min(message.attempts - 1, len(BACKOFF_SECONDS) - 1)]
                message.next_attempt_at = now + dt.timedelta(seconds=delay)
            message.save()
            if message.status == OutboxStatus.PENDING:
                retry_at = message.next_attempt_at
                transaction.on_commit(lambda: enqueue_delivery(message_id, run_after=retry_at))
            return message.status
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = ""
        message.save()
        return message.status


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Deliver pending messages whose time has come (the sweeper behind the queue)."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver(message_id=pk, now=now)
    return len(ids)


def resend(*, message_ids: list[int]) -> int:
    """An administrator gives dead (or sent) messages another chance."""
    count = OutboxMessage.objects.filter(pk__in=message_ids).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    for pk in message_ids:
        transaction.on_commit(lambda pk=pk: enqueue_delivery(pk))
    return count
