"""Background tasks of the accounts app, run by `manage.py db_worker`."""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import task

from accounts.emails import from_data

logger = logging.getLogger(__name__)


class EmailUndeliverable(Exception):
    """The SMTP server kept refusing for every attempt the settings allow."""


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff from EMAIL_RETRY_BASE_SECONDS, capped, with 10 % jitter."""
    seconds = min(
        settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.EMAIL_RETRY_MAX_SECONDS
    )
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311


@task()
def send_emails(*, messages: list[dict], attempt: int = 1) -> dict:
    """Send the letters; those the server did not take go back into the queue, later.

    A retry is a new task row carrying only the unsent letters, so a letter that went
    out is never sent twice, and this row ends SUCCESSFUL with what it did; only the
    last attempt's row ends FAILED.
    """
    if not messages:
        return {"sent": 0}
    connection = get_connection()
    unsent, error = [], None
    for data in messages:
        try:
            from_data(data, connection=connection).send()
        except smtplib.SMTPRecipientsRefused:
            logger.warning("The SMTP server refused the recipients of %r", data["subject"])
        except OSError as exc:  # smtplib's errors included: down, busy, cut off, timed out
            # A 5xx is the server's answer, not an outage: trying again cannot help.
            if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
                logger.warning("The SMTP server rejected %r: %s", data["subject"], exc)
                continue
            unsent.append(data)
            error = exc
    with contextlib.suppress(OSError):  # closing a dead connection must not undo the sends
        connection.close()
    sent = len(messages) - len(unsent)
    if not unsent:
        return {"sent": sent}
    if attempt >= settings.EMAIL_MAX_ATTEMPTS or not send_emails.get_backend().supports_defer:
        raise EmailUndeliverable(f"{len(unsent)} letter(s) after {attempt} attempts") from error
    run_after = timezone.now() + retry_delay(attempt)
    send_emails.using(run_after=run_after).enqueue(messages=unsent, attempt=attempt + 1)
    logger.warning(
        "SMTP failed for %d letter(s) (%s: %s); attempt %d at %s",
        len(unsent),
        type(error).__name__,
        error,
        attempt + 1,
        run_after.isoformat(timespec="seconds"),
    )
    return {"sent": sent, "retry": len(unsent), "retry_at": run_after.isoformat()}
