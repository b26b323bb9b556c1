from django_tasks import task

from .services import deliver, deliver_due


@task()
def deliver_message(message_id: int) -> str:
    return deliver(message_id=message_id)


@task()
def deliver_outbox() -> int:
    """Deliver every due message of the outbox (queued after each commit that wrote some)."""
    return deliver_due()
