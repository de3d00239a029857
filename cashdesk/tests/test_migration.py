"""Prepayments typed before the cash desk become entries, attributed honestly."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, OrderBalance, Shift
from orders.models import Order
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

migration = import_module("cashdesk.migrations.0003_migrate_prepayments")


def test_migration_copies_prepayments_into_a_closed_migrated_shift(
    workshop, branch, manager, director
):
    old = OrderFactory(workshop=workshop, branch=branch, accepted_by=manager)
    Order.objects.filter(pk=old.pk).update(prepayment=Decimal("1500.50"))
    nobody = OrderFactory(workshop=workshop, branch=branch, accepted_by=None)
    Order.objects.filter(pk=nobody.pk).update(prepayment=Decimal("200"))
    OrderFactory(workshop=workshop, branch=branch)  # no prepayment: nothing to copy
    zero = OrderFactory(workshop=workshop, branch=branch)
    Order.objects.filter(pk=zero.pk).update(prepayment=Decimal("0"))

    migration.forwards(apps, None)

    rows = list(
        CashEntry.objects.order_by("order_id").values_list(
            "order_id", "kind", "method", "amount", "by", "comment", "at"
        )
    )
    old.refresh_from_db()
    nobody.refresh_from_db()
    assert rows == [
        (
            old.pk,
            EntryKind.PREPAYMENT,
            "cash",
            Decimal("1500.50"),
            manager.pk,
            "migrated",
            old.created_at,
        ),
        (
            nobody.pk,
            EntryKind.PREPAYMENT,
            "cash",
            Decimal("200.00"),
            None,
            "migrated",
            nobody.created_at,
        ),
    ]
    shift = Shift.objects.get()
    assert (shift.note, shift.is_open, shift.counted_cash) == ("migrated", False, None)
    assert OrderBalance.objects.get(order=old).paid == Decimal("1500.50")
    # The first real shift opens empty, not with the migrated money.
    fresh = services.shift_open(branch=branch, by=director)
    assert (fresh.number, fresh.opening_cash) == (2, Decimal("0.00"))
