from django_tasks import task

from .exports import export_run


@task()
def export_build(job_id: str) -> str:
    """Write the file of a queued export, recording its progress (idempotent: a finished job is left alone)."""
    job = export_run(job_id=job_id)
    return job.status if job else "missing"


@task()
def exports_prune_old() -> int:
    """Delete exports older than a week (the periodic job `reports.prune`, daily at 02:00)."""
    from .exports import exports_prune

    return exports_prune()
