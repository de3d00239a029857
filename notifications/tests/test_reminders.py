from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications import services
from notifications.models import Message, Settings
from orders import services as orders_services
from orders.models import Order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime_sms(workshop):
    Settings.objects.create(
        workshop=workshop, quiet_from="00:00", quiet_until="00:00", language="en"
    )


def _ready(order, by, days_ago: int):
    orders_services.order_transition(order=order, to=Status.IN_WORK, by=by)
    orders_services.order_transition(order=order, to=Status.READY_NOTIFY, by=by)
    Order.objects.filter(pk=order.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_reminders_not_collected_after_n_days_once(order, manager, workshop, sms_outbox):
    _ready(order, manager, days_ago=2)
    assert services.reminders_run(workshop) == 0
    Order.objects.filter(pk=order.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=4)
    )
    assert services.reminders_run(workshop) == 2
    assert services.reminders_run(workshop) == 0  # the next run does not repeat it
    assert set(
        Message.objects.filter(order=order, event="not_collected").values_list("channel", flat=True)
    ) == {"email", "sms"}


def test_reminders_call_out_tomorrow(workshop, branch, manager):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    visit = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(11, 0)))
    call = orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.CALL_OUT,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Anna", "email": "anna@example.com"},
        order_data={"address": "5 Peace Street", "visit_at": visit, "problem": "Wi-Fi"},
    )
    later = orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.CALL_OUT,
        by=manager,
        client_data={"phone": "+79161234568", "name": "Boris"},
        order_data={"visit_at": visit + datetime.timedelta(days=2), "problem": "x"},
    )
    assert services.reminders_run(workshop) == 2
    assert set(Message.objects.values_list("order", flat=True)) == {call.pk}
    assert later.pk  # two days away: no reminder yet


def test_reminders_overdue_goes_to_the_assignee(order, workshop, technician, manager):
    Order.objects.filter(pk=order.pk).update(
        assignee=technician, due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert services.reminders_run(workshop) == 1
    message = Message.objects.get(event="overdue")
    assert (message.channel, message.recipient) == ("email", technician.user.email)


def test_reminders_ready_orders_are_not_overdue(order, workshop, technician, manager):
    _ready(order, manager, days_ago=0)
    Order.objects.filter(pk=order.pk).update(
        assignee=technician, due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.reminders_run(workshop)
    assert not Message.objects.filter(event="overdue").exists()


def test_reminders_tick_command_sends_what_is_due(order, manager, workshop, sms_outbox):
    _ready(order, manager, days_ago=5)
    mail.outbox.clear()
    call_command("notifications_tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sent = Message.objects.filter(event="not_collected", status="sent")
    assert sent.count() == 2
    # The "ready" messages queued by the moves were due too, and went with them.
    assert [m["text"] for m in sms_outbox] == [
        f"Order #{order.number} is ready.",
        f"Order #{order.number} is ready and waiting.",
    ]
    assert len(mail.outbox) == 2
