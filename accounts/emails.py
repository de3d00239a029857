"""E-mail goes through the task queue: rendered in the request, sent by the worker.

Development prints letters in the `make run` terminal (console backend), tests collect
them in mail.outbox, production talks SMTP from `manage.py db_worker`. A letter is a
row in the task table from the moment the request saves it, so an SMTP server that is
down delays it (accounts.tasks retries with backoff) and loses nothing.
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string


def render_templated(name: str, *, to: str, context: dict) -> EmailMessage:
    """Render templates/emails/<name>-subject.txt and -body.txt into a message, unsent."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    return EmailMessage(subject, body, None, [to])


def as_data(message: EmailMessage) -> dict:
    """The message as JSON for the task row (attachments are not used by our letters)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [list(a) for a in getattr(message, "alternatives", [])],
    }


def from_data(data: dict, *, connection=None) -> EmailMessage:
    message = EmailMultiAlternatives(
        data["subject"],
        data["body"],
        data["from_email"],
        data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def send_later(outbox: list[EmailMessage]) -> None:
    """Queue the letters as one task, an empty list too.

    Registration and password reset write exactly one task row whether the address
    has an account, gets a letter or has had its share: the request does the same
    work either way and never waits for SMTP, so neither its answer nor its time tells
    which addresses are known. The worker drops an empty task.
    """
    from accounts.tasks import send_emails

    send_emails.enqueue(messages=[as_data(message) for message in outbox])


def send_templated(name: str, *, to: str, context: dict) -> None:
    """Render now, send through the queue."""
    send_later([render_templated(name, to=to, context=context)])
