from django_tasks import task

from .services import calls_mask_expired


@task()
def mask_expired_phones() -> int:
    """Mask the callers' numbers of calls older than the retention period (idempotent; daily)."""
    return calls_mask_expired()
