"""The outbox. A domain service queues a notice with `queue(payload=…)` inside its own transaction, so
the rows commit or roll back with the change they report; after the commit the worker renders and
delivers them. Delivery claims one row at a time (a row lock, skipping rows another worker holds) and
marks it sent in the same transaction as the send, so a worker killed at any point leaves each message
either untouched (delivered later, once) or sent (never again). Channels outside the database (SMS
gateway, SMTP) can repeat a message if the process dies between their answer and the commit: at least
once there, exactly once for the database channels (simulated SMS, in-app)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone

from .channels import DeliveryError, channel_for
from .models import InAppMessage, OutboxMessage, OutboxStatus
from .templates import render

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (60, 300, 1800, 7200)  # 1 min, 5 min, 30 min, 2 h


def queue(*, payload: dict) -> int:
    """Write the outbox rows of one notice in the caller's transaction and wake the worker after the
    commit. ``payload`` is plain data: {"template": name in templates.TEMPLATES, "source": what it
    reports (e.g. "dossier-event:42"; one message per source, channel and recipient), "user": user id
    or None, "recipients": [(channel, address)…], "values": {code, procedure, due, note, track,
    method}}. One INSERT; nothing is rendered here. Returns the number of rows asked for."""
    return queue_many(payloads=[payload])


def queue_many(*, payloads: list[dict]) -> int:
    """`queue` for many notices at once (a batch of deadline alerts): one INSERT and one wake-up."""
    rows = []
    for payload in payloads:
        values = payload.get("values") or {}
        rows += [
            OutboxMessage(
                source=payload.get("source", ""),
                payload={"template": payload["template"], "values": values},
                user_id=payload.get("user"),
                channel=channel,
                recipient=recipient,
                url=str(values.get("track", ""))[:300],
            )
            for channel, recipient in payload.get("recipients") or []
        ]
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(wake_worker)
    return len(rows)


def wake_worker(run_after: dt.datetime | None = None) -> None:
    """Ask the worker to deliver what is due (one task, whatever the number of messages). Called after
    the commit that wrote the messages; when a wake-up due now is still waiting in the database queue,
    that one delivers them too and none is added (`_wake_up_waiting`)."""
    from .tasks import deliver_outbox

    task = deliver_outbox
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # no delayed jobs on this backend: the sweeper (notifications_deliver) retries it
        task = task.using(run_after=run_after)
    elif _wake_up_waiting(task):
        return
    task.enqueue()


def _wake_up_waiting(task) -> bool:
    """Whether a `deliver_outbox` task due now waits, not yet taken, in the database task queue (one
    SELECT instead of one more task row and its commit, per submission in a busy hour). Enough: this
    caller's messages are committed, a worker takes that task only after this check, and `deliver_due`
    reads the outbox after it took it. False on other task backends (they are asked every time)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.ready()
        .filter(task_path=task.module_path, backend_name=backend.alias, queue_name=task.queue_name)
        .exists()
    )


def enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_message

    task = deliver_message
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def _attempt(message: OutboxMessage, now: dt.datetime) -> str:
    """Render (first time) and send one locked message; record the outcome in the same transaction."""
    if message.payload.get("template") and not message.body:
        message.subject, message.body = render(message.payload["template"], message.payload.get("values") or {})
        message.subject = message.subject[:200]
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
            transaction.on_commit(lambda: wake_worker(run_after=retry_at))
        return message.status
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = ""
    message.save()
    return message.status


def _claimable():
    qs = OutboxMessage.objects.all()
    if connection.features.has_select_for_update_skip_locked:
        # Another worker's message in flight is skipped, not waited for. (SQLite: transactions are
        # immediate, so two workers never hold the outbox at once.)
        return qs.select_for_update(skip_locked=True)
    return qs.select_for_update()


def deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Try one delivery. Locks the row (skipped when another worker holds it), skips what is already
    sent, backs off on failure and gives up (dead letter) after MAX_ATTEMPTS."""
    now = now or timezone.now()
    with transaction.atomic():
        message = _claimable().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status != OutboxStatus.PENDING:
            return message.status
        return _attempt(message, now)


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Deliver pending messages whose time has come, one claimed row per short transaction, until none
    is left or ``limit`` were tried. The worker's task and the sweeper command both run this. Returns
    the number tried."""
    now = now or timezone.now()
    tried = 0
    while tried < limit:
        with transaction.atomic():
            message = (
                _claimable()
                .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if message is None:
                break
            _attempt(message, now)
        tried += 1
    return tried


def resend(*, message_ids: list[int]) -> int:
    """An administrator gives dead (or sent) messages another chance."""
    count = OutboxMessage.objects.filter(pk__in=message_ids).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    for pk in message_ids:
        transaction.on_commit(lambda pk=pk: enqueue_delivery(pk))
    return count


# --- The citizen inbox (issue 19, point 4) ---------------------------------------------------------------
def inbox_mark_read(*, user, message_id: int, now: dt.datetime | None = None):
    """Mark one of `user`'s messages read (idempotent: the first reading time is kept). NotFound for a
    missing id and for someone else's message alike. Returns the message."""
    from .selectors import inbox_message_get

    message = inbox_message_get(user=user, message_id=message_id)
    if message.read_at is None:
        # Conditional: two tabs opening the same message keep the first reading time.
        InAppMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now or timezone.now())
        message.refresh_from_db(fields=["read_at"])  # ours, or the time another tab set first
    return message


def inbox_mark_all_read(*, user, now: dt.datetime | None = None) -> int:
    """Mark every unread message of `user` read; returns how many changed."""
    return InAppMessage.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())
