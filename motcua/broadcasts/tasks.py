from django_tasks import task

from .services import broadcast_send


@task()
def send_broadcast(broadcast_id: int) -> dict:
    """Send one broadcast (idempotent: a second run sends nothing twice)."""
    return broadcast_send(broadcast_id=broadcast_id)
