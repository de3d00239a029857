"""The intake record (condition, accessories) is each order's own, never the device's."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.forms import OrderCardForm, card_initial
from orders.models import Device
from orders.models import Order as NewOrder
from orders.workflow import Kind

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _repair(workshop, branch, by, *, device_id=None, condition="", accessories=""):
    return services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=by,
        client_data={"phone": "8 912 345-67-89", "name": "Иван Петров"},
        device_data={"id": device_id, "device_type": "Телефон", "brand": "Apple", "model": "12"},
        order_data={"problem": "Не включается", "condition": condition, "accessories": accessories},
    )


def _card_post(client, order, **changes):
    """The card as the browser posts it: every field with its loaded value, plus `changes`."""
    form = OrderCardForm(order=order, membership=None, members={}, can=lambda p: True)
    data = {"version": order.version}
    for name, field in form.fields.items():
        value = field.widget.format_value(field.prepare_value(card_initial(order).get(name)))
        data[name] = data[f"initial-{name}"] = value or ""
    data.update(changes)
    return client.post(reverse("orders:card", args=[order.number]), data, headers=HX)


def test_intake_editing_one_order_never_changes_another(workshop, branch, manager, manager_client):
    first = _repair(workshop, branch, manager, condition="царапина", accessories="чехол")
    second = _repair(
        workshop,
        branch,
        manager,
        device_id=first.device_id,
        condition="разбит корпус",
        accessories="без SIM-лотка",
    )
    assert second.device_id == first.device_id
    response = _card_post(manager_client, second, condition="разбит экран", accessories="")
    assert "Saved." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.condition, first.accessories) == ("царапина", "чехол")
    assert (second.condition, second.accessories) == ("разбит экран", "")
    assert not hasattr(Device, "condition") and not hasattr(Device, "accessories")


def test_intake_the_card_shows_the_orders_own_record(workshop, branch, manager, manager_client):
    first = _repair(workshop, branch, manager, condition="царапина")
    _repair(workshop, branch, manager, device_id=first.device_id, condition="трещина")
    page = manager_client.get(reverse("orders:card", args=[first.number])).content.decode()
    assert 'value="царапина"' in page and "трещина" not in page


def test_intake_lookup_suggests_the_devices_last_order(workshop, branch, manager, manager_client):
    first = _repair(workshop, branch, manager, condition="царапина", accessories="чехол")
    _repair(workshop, branch, manager, device_id=first.device_id, condition="трещина")
    page = manager_client.get(
        reverse("orders:lookup"), {"phone": "89123456789", "kind": "repair"}
    ).content.decode()
    assert 'data-condition="трещина" data-accessories=""' in page


def test_intake_client_card_lists_each_orders_record(workshop, branch, manager, manager_client):
    first = _repair(workshop, branch, manager, condition="царапина", accessories="чехол")
    _repair(workshop, branch, manager, device_id=first.device_id, condition="трещина")
    page = manager_client.get(reverse("orders:client", args=[first.client_id])).content.decode()
    assert "царапина · with чехол" in page and "трещина" in page


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_intake_migration_keeps_what_each_order_showed_when_created(request, workshop, branch):
    before, after = (
        [("orders", "0007_journal_action_open")],
        [("orders", "0008_intake_on_the_order")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # Back to the latest schema afterwards, whatever happens: this test commits.
    request.addfinalizer(_migrate_to_latest)
    old = executor.loader.project_state(before).apps
    Client, Device, Order = (old.get_model("orders", n) for n in ("Client", "Device", "Order"))
    HistoricalDevice = old.get_model("orders", "HistoricalDevice")
    now = timezone.now()
    day = datetime.timedelta(days=1)
    client = Client.objects.create(workshop_id=workshop.pk, name="Иван", phone="+79123456789")
    device = Device.objects.create(
        workshop_id=workshop.pk, client=client, brand="Apple", condition="трещина", accessories=""
    )
    tracked = Device.objects.create(workshop_id=workshop.pk, client=client, condition="новый")

    def history(at, condition, accessories):
        HistoricalDevice.objects.create(
            id=device.pk,
            workshop_id=workshop.pk,
            client_id=client.pk,
            brand="Apple",
            condition=condition,
            accessories=accessories,
            created_at=now - 10 * day,
            history_date=at,
            history_type="~",
        )

    history(now - 10 * day, "царапина", "чехол")
    history(now - 5 * day, "потёртости", "зарядка")
    history(now - 1 * day, "трещина", "")

    def order(number, dev, created_at):
        return Order.objects.create(
            workshop_id=workshop.pk,
            branch_id=branch.pk,
            number=number,
            kind="repair",
            status="queue",
            client=client,
            device=dev,
            created_at=created_at,
        ).pk

    older = order(1, device, now - 20 * day)  # before any history: the current values
    first = order(2, device, now - 9 * day)
    second = order(3, device, now - 3 * day)
    third = order(4, device, now)
    untracked = order(5, tracked, now)  # no history rows at all
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    rows = NewOrder.objects.values_list("pk", "condition", "accessories")
    got = {pk: (c, a) for pk, c, a in rows}
    assert got == {
        older: ("трещина", ""),
        first: ("царапина", "чехол"),
        second: ("потёртости", "зарядка"),
        third: ("трещина", ""),
        untracked: ("новый", ""),
    }
