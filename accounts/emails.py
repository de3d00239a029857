"""E-mail through Django's backends: console in development, locmem in tests, SMTP in production."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def render_templated(name: str, *, to: str, context: dict) -> EmailMessage:
    """Render templates/emails/<name>-subject.txt and -body.txt into a message, unsent."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    return EmailMessage(subject, body, None, [to])


def send_templated(name: str, *, to: str, context: dict) -> None:
    """Render and send now, for mail whose sending may show in the response time."""
    render_templated(name, to=to, context=context).send()


class RedirectThenSend(HttpResponseRedirect):
    """A redirect that sends its e-mails after the response has gone out.

    Registration and password reset send mail for some addresses and not others (or
    different mail), and talking to the SMTP server takes long enough to measure, so
    a response that waited for it would tell which addresses have accounts. The WSGI
    server calls close() once it has written the response (Django's test client does
    too), so sending here keeps the mail out of the response time with no task queue.
    A failure is logged, not raised: the visitor already has the same answer as
    everyone else.
    """

    def __init__(self, url: str, *, outbox: list[EmailMessage]):
        super().__init__(url)
        self.outbox = list(outbox)

    def close(self) -> None:
        outbox, self.outbox = self.outbox, []
        for message in outbox:
            try:
                message.send()
            except Exception:
                logger.exception("Could not send the e-mail %r", message.subject)
        super().close()
