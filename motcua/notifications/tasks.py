from django_tasks import task

from .services import deliver


@task()
def deliver_message(message_id: int) -> str:
    return deliver(message_id=message_id)
