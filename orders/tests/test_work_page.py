"""The Work page: "All open", "Mine", the due date with overdue highlighted, Russian names."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from orders.tests.factories import OrderFactory
from orders.workflow import OPEN, Status

pytestmark = pytest.mark.django_db


def _numbers(response) -> list[int]:
    return [o.number for o in response.context["rows"]]


def test_work_all_open_lists_every_open_status_and_counts_them(workshop, branch, manager_client):
    orders = {
        status: OrderFactory(workshop=workshop, branch=branch, status=status)
        for status in (Status.QUEUE, Status.IN_WORK, Status.READY_NOTIFY, Status.ISSUED)
    }
    OrderFactory(workshop=workshop, branch=branch, status=Status.CANCELLED)
    response = manager_client.get(reverse("orders:work"), {"tab": "all"})
    expected = [o.number for s, o in orders.items() if s in OPEN]
    assert _numbers(response) == sorted(expected, reverse=True)
    assert response.context["open_count"] == 3
    html = response.content.decode()
    assert html.index('id="tab-all"') < html.index("?tab=sales")


def test_work_mine_shows_the_orders_given_to_me(workshop, branch, technician, technician_client):
    mine = OrderFactory(workshop=workshop, branch=branch, assignee=technician)
    OrderFactory(workshop=workshop, branch=branch)
    response = technician_client.get(reverse("orders:work"), {"tab": "queue", "mine": "1"})
    assert _numbers(response) == [mine.number]
    assert response.context["counts"]["queue"] == 1
    assert _numbers(technician_client.get(reverse("orders:work"), {"tab": "queue"})) == [
        mine.number + 1,
        mine.number,
    ]


def test_work_due_date_column_marks_overdue_orders(workshop, branch, manager_client):
    today = timezone.localdate()
    late = OrderFactory(
        workshop=workshop, branch=branch, due_date=today - datetime.timedelta(days=3)
    )
    OrderFactory(workshop=workshop, branch=branch, due_date=today + datetime.timedelta(days=1))
    issued = OrderFactory(
        workshop=workshop,
        branch=branch,
        status=Status.ISSUED,
        due_date=today - datetime.timedelta(days=3),
    )
    response = manager_client.get(reverse("orders:work"), {"tab": "queue"})
    rows = {o.number: o.overdue_days for o in response.context["rows"]}
    assert rows == {late.number: 3, late.number + 1: 0}
    assert "3 days late" in response.content.decode()
    assert response.content.decode().count('class="nowrap overdue"') == 1
    cash = manager_client.get(reverse("orders:work"), {"tab": "cash_desk"})
    assert {o.number: o.overdue_days for o in cash.context["rows"]} == {issued.number: 0}


def test_work_russian_names_of_the_work_button_and_call_out(settings, manager_client):
    settings.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        html = manager_client.get(reverse("orders:work"), headers={"accept-language": "ru"})
        html = html.content.decode()
    assert "+ Вызов" in html and ">Работа</a>" in html
