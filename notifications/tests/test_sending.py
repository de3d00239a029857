from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.events import Event
from notifications.models import Message, MessageStatus, Rule, Settings
from orders import services as orders_services
from orders.workflow import Status

pytestmark = pytest.mark.django_db

DAYTIME = datetime.time(12, 0)


def _at(day_time: datetime.time, days: int = 0) -> datetime.datetime:
    today = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(today, day_time))


def _no_quiet_hours(workshop):
    Settings.objects.update_or_create(
        workshop=workshop,
        defaults={
            "quiet_from": datetime.time(0, 0),
            "quiet_until": datetime.time(0, 0),
            "language": "en",
        },
    )


def _move(order, *path, by):
    for status in path:
        orders_services.order_transition(order=order, to=status, by=by)


def test_sending_ready_sends_email_and_sms_on_commit(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
    log = list(Message.objects.filter(order=order).order_by("channel"))
    assert [(m.event, m.channel, m.status) for m in log] == [
        ("ready", "email", "sent"),
        ("ready", "sms", "sent"),
    ]
    assert [m["phone"] for m in sms_outbox] == ["+79161234567"]
    assert sms_outbox[0]["text"] == f"Order #{order.number} is ready."
    assert [m.to for m in mail.outbox] == [["ivan@example.com"]]
    assert mail.outbox[0].subject == f"Order #{order.number} is ready"
    assert "the repair is done" in mail.outbox[0].body


def test_sending_the_same_status_twice_sends_once(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, Status.IN_WORK, by=manager)
        _move(order, Status.READY_NOTIFY, by=manager)
    assert Message.objects.filter(order=order, event="ready").count() == 2  # e-mail and SMS
    assert len(sms_outbox) == 1
    assert len(mail.outbox) == 1


def test_sending_nothing_when_the_move_rolls_back(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
        raise RuntimeError("the save failed later")
    assert list(Message.objects.filter(order=order)) == []
    assert sms_outbox == [] and mail.outbox == []


def test_sending_an_event_switched_off_sends_nothing(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    services.rule_save(
        workshop=order.workshop, event="ready", channel="sms", enabled=False, subject="", body="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
    assert list(Message.objects.filter(order=order).values_list("channel", flat=True)) == ["email"]
    assert sms_outbox == []


def test_sending_a_sale_is_silent(workshop, branch, manager, django_capture_on_commit_callbacks):
    from orders.workflow import Kind

    sale = orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.SALE,
        by=manager,
        client_data={"phone": "+79161234567", "name": "A", "email": "a@example.com"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.order_transition(
            order=sale, to=Status.ISSUED, by=manager, check_guards=False
        )
    assert list(Message.objects.filter(order=sale)) == []


def test_sending_consent_off_skips_the_channel_with_a_reason(
    order, manager, director, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    services.consent_set(client=order.client, sms_ok=False, email_ok=True, by=director)
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
    sms_row = Message.objects.get(order=order, channel="sms")
    assert (sms_row.status, sms_row.reason) == ("skipped", "the client declined this channel")
    assert sms_outbox == []
    assert len(mail.outbox) == 1


def test_sending_a_landline_fails_clearly(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    client = order.client
    client.phone = "+74951234567"  # a Moscow landline
    client.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
    row = Message.objects.get(order=order, channel="sms")
    assert (row.status, row.reason) == ("failed", "not a mobile number")
    assert sms_outbox == []


def test_sending_quiet_hours_hold_sms_until_the_morning(order, manager, sms_outbox):
    night = _at(datetime.time(23, 30))
    made = services.event_queue(order=order, event=Event.READY, by=manager, now=night)
    by_channel = {m.channel: m for m in made}
    morning = _at(datetime.time(9, 0), days=1)
    assert by_channel["sms"].send_after == morning
    assert by_channel["email"].send_after == night  # e-mail is not held
    assert services.messages_send_due(now=night + datetime.timedelta(minutes=1)) == 1
    assert sms_outbox == []
    assert Message.objects.get(pk=by_channel["sms"].pk).status == MessageStatus.QUEUED
    assert services.messages_send_due(now=morning + datetime.timedelta(minutes=1)) == 1
    assert len(sms_outbox) == 1
    assert Message.objects.get(pk=by_channel["sms"].pk).status == MessageStatus.SENT


def test_sending_quiet_hours_in_the_early_morning_wait_until_nine(order, manager):
    made = services.event_queue(
        order=order, event=Event.READY, by=manager, now=_at(datetime.time(6, 15))
    )
    sms_row = next(m for m in made if m.channel == "sms")
    assert sms_row.send_after == _at(datetime.time(9, 0))


def test_sending_a_hostile_template_fails_the_message_not_the_move(
    order, manager, sms_outbox, django_capture_on_commit_callbacks
):
    _no_quiet_hours(order.workshop)
    Rule.objects.create(
        workshop=order.workshop,
        event="ready",
        channel="sms",
        enabled=True,
        body="{{ 'a' * 100000000 }}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _move(order, Status.IN_WORK, Status.READY_NOTIFY, by=manager)
    order.refresh_from_db()
    assert order.status == Status.READY_NOTIFY
    row = Message.objects.get(order=order, channel="sms")
    assert row.status == "failed"
    assert row.reason.startswith("the template has a problem: Line 1: An expression builds text")
    assert sms_outbox == []


def test_sending_sms_text_is_plain_not_html_escaped(order, manager, sms_outbox):
    _no_quiet_hours(order.workshop)
    order.client.name = "Tom & <Jerry>"
    order.client.save(update_fields=["name"])
    Rule.objects.create(
        workshop=order.workshop,
        event="ready",
        channel="sms",
        enabled=True,
        body="Hi {client.name}! <b>Ready</b> <script>alert(1)</script>&amp; done",
    )
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    services.message_send(next(m for m in made if m.channel == "sms").pk)
    assert sms_outbox[0]["text"] == "Hi Tom & <Jerry>! Ready & done"


def test_sending_email_bounce_is_failed_with_the_reason(order, manager, settings):
    import smtplib

    settings.EMAIL_BACKEND = "notifications.tests.test_sending.RefusingBackend"
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "email")
    assert services.message_send(row.pk) == "failed"
    row.refresh_from_db()
    assert row.reason == "the mail server refused the address"
    assert smtplib  # the backend below raises smtplib's own error


def test_sending_smtp_outage_is_retried_then_failed(order, manager, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_sending.DownBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "email")
    assert services.message_send(row.pk) == "queued"
    row.refresh_from_db()
    assert row.attempts == 1 and row.reason.startswith("ConnectionRefusedError")
    assert services.message_send(row.pk) is None  # not due yet
    assert services.message_send(row.pk, now=row.send_after) == "failed"


def test_sending_retry_of_a_failed_message_after_the_phone_is_fixed(order, manager, sms_outbox):
    _no_quiet_hours(order.workshop)
    order.client.phone = "+74951234567"
    order.client.save(update_fields=["phone"])
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "sms")
    assert row.status == "failed"
    order.client.phone = "+79161234567"
    order.client.save(update_fields=["phone"])
    services.message_retry(message=row, by=manager)
    services.message_send(row.pk)
    row.refresh_from_db()
    assert (row.status, row.recipient) == ("sent", "+79161234567")
    assert len(sms_outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"ivan@example.com": (550, b"no such user")})

    def close(self):
        pass

    def open(self):
        pass


class DownBackend(RefusingBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")


class BrokenSms:
    def send(self, phone, text):
        raise KeyError("a bug in the backend")


def test_sending_a_broken_backend_never_breaks_the_move(
    order, manager, settings, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django.urls import reverse

    _no_quiet_hours(order.workshop)
    settings.SMS_BACKEND = "notifications.tests.test_sending.BrokenSms"
    orders_services.order_transition(order=order, to=Status.IN_WORK, by=manager)
    order.refresh_from_db()
    browser = Client()
    browser.force_login(manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("orders:transition", kwargs={"order_number": order.number}),
            {"to": Status.READY_NOTIFY, "version": order.version},
        )
    assert response.status_code in (200, 302)
    order.refresh_from_db()
    assert order.status == Status.READY_NOTIFY
    row = Message.objects.get(order=order, channel="sms")
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.reason == "KeyError: 'a bug in the backend'"
    assert Message.objects.get(order=order, channel="email").status == "sent"


def test_sending_quiet_hours_defer_the_task_in_the_database_queue(
    order, manager, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    night = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    if night < timezone.now():
        night += datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.event_queue(order=order, event=Event.READY, by=manager, now=night)
    sms_row = next(m for m in made if m.channel == "sms")
    tasks = {t.args_kwargs["kwargs"]["message_id"]: t for t in DBTaskResult.objects.all()}
    assert set(tasks) == {m.pk for m in made}
    assert tasks[sms_row.pk].run_after == sms_row.send_after
    assert timezone.localtime(tasks[sms_row.pk].run_after).time() == datetime.time(9, 0)
