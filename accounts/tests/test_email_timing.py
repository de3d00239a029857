"""Password reset and registration do the same work for known and unknown addresses.

No timing measurements: the tests pin the two things the timing rests on, one rendering
path for both kinds of address, and no SMTP in the request: the request writes one task
row for either kind (accounts/tests/test_email_queue.py) and the worker sends.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts import emails, forms
from accounts.tests.test_email_queue import DB_TASKS, run_worker
from accounts.views import auth, registration

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase"
RESET_CONTEXT = ["domain", "email", "protocol", "site_name", "token", "uid", "user"]


@pytest.fixture
def rendered(monkeypatch):
    """Every render_templated call, as (template, to, context keys), through to the real one."""
    calls = []

    def spy(name, *, to, context):
        calls.append((name, to, sorted(context)))
        return emails.render_templated(name, to=to, context=context)

    monkeypatch.setattr(forms, "render_templated", spy)
    monkeypatch.setattr(registration, "render_templated", spy)
    return calls


def reset(email: str):
    return Client().post(reverse("accounts:password_reset"), {"email": email})


def register(email: str):
    return Client().post(
        reverse("accounts:register"),
        {
            "email": email,
            "full_name": "Rita Repair",
            "workshop_name": "Rita's Fix",
            "password": NEW_PASSWORD,
        },
    )


def test_password_reset_renders_the_same_e_mail_for_an_unknown_address(director, rendered):
    known, unknown = reset(director.user.email), reset("nobody@example.com")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert rendered == [
        ("password-reset", director.user.email, RESET_CONTEXT),
        ("password-reset", "nobody@example.com", RESET_CONTEXT),
    ]
    # Only the real one is sent.
    assert [m.to for m in mail.outbox] == [[director.user.email]]


def test_registration_renders_through_the_same_function_for_both(director, rendered):
    known, unknown = register(director.user.email), register("new@example.com")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [(name, to) for name, to, _keys in rendered] == [
        ("registration-known", director.user.email),
        ("registration-confirm", "new@example.com"),
    ]
    assert [m.to for m in mail.outbox] == [[director.user.email], ["new@example.com"]]


def _post(view, path: str, data: dict):
    request = RequestFactory().post(path, data)
    request._dont_enforce_csrf_checks = True
    return view(request)


@pytest.mark.django_db(transaction=True)  # the worker needs committed rows (test_email_queue)
@pytest.mark.parametrize("kind", ["reset", "register"])
def test_mail_is_queued_in_the_request_and_sent_by_the_worker(director, kind, settings):
    settings.TASKS = DB_TASKS
    if kind == "reset":
        path = reverse("accounts:password_reset")
        response = _post(auth.PasswordResetView.as_view(), path, {"email": director.user.email})
    else:
        path = reverse("accounts:register")
        response = _post(
            registration.register,
            path,
            {
                "email": director.user.email,
                "full_name": "Rita Repair",
                "workshop_name": "Rita's Fix",
                "password": NEW_PASSWORD,
            },
        )
    assert response.status_code == 302
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert [m.to for m in mail.outbox] == [[director.user.email]]
    run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_gives_the_same_answer_and_keeps_the_letter(
    director, monkeypatch, settings
):
    settings.TASKS = DB_TASKS

    def refuse(message, fail_silently=False):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    known = reset(director.user.email)
    unknown = reset("nobody@example.com")
    assert (
        (known.status_code, known.url)
        == (unknown.status_code, unknown.url)
        == (
            302,
            reverse("accounts:password_reset_done"),
        )
    )
    run_worker()
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert [m["to"] for m in retry.args_kwargs["kwargs"]["messages"]] == [[director.user.email]]
