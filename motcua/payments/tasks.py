"""Background work of the payments app (django-tasks; the worker runs them)."""

from django_tasks import task


@task()
def reconcile_run(run_id: int) -> None:
    from .reconciliation import run_execute

    run_execute(run_id)


@task()
def poll_providers() -> None:
    """The periodic job (`manage.py payments_poll`, or enqueue this from a scheduler)."""
    from .services import payments_poll

    payments_poll()
