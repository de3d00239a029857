"""Each kind's card shows its own fields; the total follows the diagnostics rule."""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

migration = import_module("orders.migrations.0010_diagnostics_in_the_total")


def _card(client, order):
    return client.get(reverse("orders:card", args=[order.number]))


def test_kinds_sale_card_shows_no_repair_fields(workshop, branch, manager, manager_client):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    fields = set(_card(manager_client, sale).context["form"].fields)
    assert fields == {"warranty_days", "notes"}
    for name in ("problem", "diagnosis", "diagnostic_cost", "partner", "due_date"):
        assert f'name="{name}"' not in _card(manager_client, sale).content.decode()


def test_kinds_a_value_typed_before_stays_visible(workshop, branch, manager, manager_client):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    Order.objects.filter(pk=sale.pk).update(problem="старое описание")
    assert "problem" in _card(manager_client, sale).context["form"].fields


def test_kinds_call_out_shows_visit_time_and_address(workshop, branch, manager, manager_client):
    visit = timezone.make_aware(datetime.datetime(2026, 12, 3, 14, 30))
    order = services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.CALL_OUT,
        by=manager,
        client_data={"phone": "+79123456789", "name": "Ольга"},
        order_data={"address": "ул. Ленина, 12, кв. 4", "visit_at": visit},
    )
    card = _card(manager_client, order).content.decode()
    head = card[card.index('id="order-visit"') :][:300]
    assert "ул. Ленина, 12, кв. 4" in head and "12/03/2026" in head
    work = manager_client.get(reverse("orders:work"), {"tab": "call_outs"}).content.decode()
    row = work[work.index('id="work-rows"') :]
    assert "ул. Ленина, 12, кв. 4" in row and "12/03/2026" in row


def test_totals_diagnostics_is_charged_only_when_the_repair_is_refused(
    manager, manager_client, repair_order
):
    services.order_update(
        order=repair_order, data={"diagnostic_cost": Decimal("500")}, version=1, by=manager
    )
    services.line_add(
        order=repair_order,
        data={"name": "Ремонт", "quantity": 1, "unit_price": Decimal("3000")},
        by=manager,
    )
    assert Order.objects.get().total == Decimal("3000.00")
    form = _card(manager_client, repair_order).context["form"]
    assert form.fields["diagnostic_cost"].help_text == (
        "Not in the total: diagnostics is free when the repair is done."
    )

    def move(to):
        # Without the cash desk's guard on "issued": its own step is tested there.
        services.order_transition(order=repair_order, to=to, by=manager, check_guards=False)
        return Order.objects.get().total

    assert move(Status.DIAGNOSTICS) == Decimal("3000.00")
    assert move(Status.REFUSED) == Decimal("3500.00")
    page = _card(manager_client, repair_order)
    assert page.context["form"].fields["diagnostic_cost"].help_text == (
        "In the total: the repair was refused, so diagnostics is charged."
    )
    assert "Diagnostics (repair refused)" in page.content.decode()
    assert move(Status.QUEUE) == Decimal("3000.00")  # the client changed their mind
    assert move(Status.REFUSED) == Decimal("3500.00")
    services.order_update(
        order=repair_order,
        data={"diagnostic_cost": Decimal("700")},
        version=Order.objects.get().version,
        by=manager,
    )
    assert Order.objects.get().total == Decimal("3700.00")
    assert move(Status.ISSUED) == Decimal("3700.00")  # the refused device handed back
    assert Order.objects.get().balance_due == Decimal("3700.00")


def test_totals_migration_charges_refused_and_handed_back_orders(
    workshop, branch, manager, repair_order
):
    services.order_update(
        order=repair_order, data={"diagnostic_cost": Decimal("500")}, version=1, by=manager
    )
    for to in (Status.DIAGNOSTICS, Status.REFUSED, Status.ISSUED):
        services.order_transition(order=repair_order, to=to, by=manager, check_guards=False)
    done = services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79123456789"},
        device_data={"device_type": "Ноутбук"},
        order_data={"problem": "x", "diagnostic_cost": Decimal("500")},
    )
    Order.objects.update(diagnostics_charged=False, total=Decimal("0"))
    Order.objects.filter(pk=done.pk).update(lines_total=Decimal("100"))
    migration.forwards(apps, None)
    rows = dict(Order.objects.values_list("pk", "total"))
    assert rows == {repair_order.pk: Decimal("500.00"), done.pk: Decimal("100.00")}
    assert Order.objects.get(pk=repair_order.pk).diagnostics_charged
