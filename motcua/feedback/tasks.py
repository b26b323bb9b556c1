"""Background work of the feedback app (django-tasks; the worker runs them)."""

from django_tasks import task


@task()
def escalate_overdue() -> None:
    """The periodic job (every 15 minutes; `manage.py feedback_escalate` by hand): overdue items to the
    unit's leaders, each once; files of never-confirmed forms removed after a day."""
    from .services import attachments_prune, feedback_escalate_overdue

    feedback_escalate_overdue()
    attachments_prune()
