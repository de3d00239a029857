from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.journal import Builtin
from orders.models import JournalEntry, Order

pytestmark = pytest.mark.django_db


def test_demo_dates_journal_and_time_in_status_match_the_back_dated_orders():
    call_command("seed_demo", verbosity=0)
    now = timezone.now()
    orders = list(Order.objects.select_related("client").order_by("created_at"))
    assert orders and orders[0].created_at < now - timezone.timedelta(days=7)
    for order in orders:
        entries = list(JournalEntry.objects.filter(order=order).order_by("id"))
        ours = [e for e in entries if e.action in set(Builtin)]
        assert ours[0].action == Builtin.CREATED
        assert ours[0].at == order.created_at, order.number
        assert all(order.created_at <= e.at <= now for e in ours), order.number
        assert [e.at for e in ours] == sorted(e.at for e in ours), order.number
        moves = [e for e in ours if e.action == Builtin.TRANSITION]
        # Within a second: another app's demo (the cash desk's) may move an order later.
        last = moves[-1].at if moves else order.created_at
        assert abs(order.status_changed_at - last) < timezone.timedelta(seconds=1), order.number
        if order.issued_at is not None:  # the reports count issues by this moment
            assert abs(order.issued_at - order.status_changed_at) < timezone.timedelta(seconds=1)
        if order.client_id:
            assert order.client.created_at <= order.created_at
    assert any(o.issued_at is not None for o in orders)
