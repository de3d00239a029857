"""Background tasks of the notifications app, run by `manage.py db_worker`."""

from __future__ import annotations

from django_scopes import scopes_disabled
from django_tasks import task

from notifications import services


@task()
def send_message(*, message_id: int) -> str | None:
    """Render and send one message (a retry queues itself again, later)."""
    with scopes_disabled():  # a worker has no request: the row names its workshop
        return services.message_send(message_id)


@task()
def tick() -> dict:
    """The periodic run: reminders of every workshop, then every message that is due."""
    return services.tick()
