from django_tasks import task

from .openday import snapshot_due


@task()
def stats_snapshot() -> dict:
    """The periodic job `stats.snapshot`: take the open-at-day-end snapshot of every day due (openday)."""
    return {"days": [day.isoformat() for day in snapshot_due()]}
