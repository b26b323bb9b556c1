from django_tasks import task

from .services import alerts_run


@task()
def alerts_scan() -> dict:
    """One pass of the deadline alert job (the periodic job `alerts.scan`)."""
    return alerts_run().as_dict()
