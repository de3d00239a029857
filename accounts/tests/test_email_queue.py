"""Letters go through the database task queue and survive an SMTP outage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.tasks import retry_delay
from accounts.tests.smtp_listener import SMTPListener

# Committed rows, as the real worker sees them; the worker also closes connections that
# are not in autocommit, which would end a test's wrapping transaction on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def smtp(settings):
    """The database queue, and SMTP to a local listener."""
    settings.TASKS = DB_TASKS
    with SMTPListener() as listener:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = listener.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        yield listener


def run_worker() -> None:
    """What `manage.py db_worker --batch` does, without touching the test's signals."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def time_passes() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def reset(email: str):
    return Client().post(reverse("accounts:password_reset"), {"email": email})


def statuses() -> list[tuple[str, int]]:
    rows = DBTaskResult.objects.order_by("enqueued_at")
    return [(row.status, row.args_kwargs["kwargs"].get("attempt", 1)) for row in rows]


def test_mail_queue_smtp_down_keeps_the_letter_until_smtp_is_back(director, smtp):
    smtp.refusing = True
    response = reset(director.user.email)
    assert response.status_code == 302
    # The request only wrote the task: it never talked to SMTP.
    assert (smtp.refused, statuses()) == (0, [("READY", 1)])

    run_worker()
    assert smtp.refused == 1
    assert smtp.received == []
    assert statuses() == [("SUCCESSFUL", 1), ("READY", 2)]
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now() + timedelta(seconds=20)

    run_worker()  # not due yet: nothing tried
    assert smtp.refused == 1

    time_passes()
    run_worker()  # still down: a third attempt is queued, later again
    assert (smtp.refused, statuses()[-1]) == (2, ("READY", 3))

    smtp.refusing = False
    time_passes()
    run_worker()
    assert [message["To"] for message in smtp.received] == [director.user.email]
    assert smtp.received[0]["Subject"] == "Reset your password"
    assert statuses() == [("SUCCESSFUL", 1), ("SUCCESSFUL", 2), ("SUCCESSFUL", 3)]

    time_passes()
    run_worker()  # nothing left: the letter went out exactly once
    assert len(smtp.received) == 1


def test_mail_queue_gives_up_loudly_after_the_last_attempt(director, smtp, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    smtp.refusing = True
    reset(director.user.email)
    run_worker()
    time_passes()
    run_worker()
    assert statuses() == [("SUCCESSFUL", 1), ("FAILED", 2)]
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "accounts.tasks.EmailUndeliverable"
    assert "421" in failed.traceback


def test_mail_queue_known_and_unknown_addresses_write_one_task_each(director, smtp):
    known, unknown = reset(director.user.email), reset("nobody@example.com")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [len(row.args_kwargs["kwargs"]["messages"]) for row in rows] == [1, 0]
    assert {row.task_path for row in rows} == {"accounts.tasks.send_emails"}
    run_worker()
    assert [message["To"] for message in smtp.received] == [director.user.email]
    assert mail.outbox == []


def test_mail_queue_backoff_doubles_and_is_capped(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    settings.EMAIL_RETRY_MAX_SECONDS = 3600
    delays = [retry_delay(attempt).total_seconds() for attempt in (1, 2, 3, 8, 20)]
    for delay, expected in zip(delays, [30, 60, 120, 3600, 3600], strict=True):
        assert expected * 0.9 <= delay <= expected * 1.1
