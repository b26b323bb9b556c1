from django_tasks import task

from .deadlines import recalculation_process


@task()
def recalculate_due(run_id: int) -> int:
    """Recompute the due moments of the open dossiers a calendar change touches (idempotent)."""
    run = recalculation_process(run_id=run_id)
    return run.changed if run else 0
