"""E-mail through Django's backends: console in development, locmem in tests, SMTP in production."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string


def send_templated(name: str, *, to: str, context: dict) -> None:
    """Render templates/emails/<name>-subject.txt and -body.txt and send them."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    send_mail(subject, body, None, [to])
