"""Orders record when and by whom they were issued (Order.issued_at / issued_by); the
migration fills them for orders issued before, from the journal or status_changed_at."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from orders import services
from orders.models import JournalEntry, Order
from orders.tests.factories import OrderFactory
from orders.workflow import Status

pytestmark = pytest.mark.django_db

migration = import_module("orders.migrations.0013_fill_issued_at")


def _sale(workshop, branch, by):
    return services.order_create(
        workshop=workshop, branch=branch, kind="sale", by=by, client_data=None
    )


def test_issued_at_set_by_the_move_into_issued_and_kept_by_a_correction(
    workshop, branch, manager, director
):
    order = _sale(workshop, branch, manager)
    assert (order.issued_at, order.issued_by) == (None, None)
    services.order_transition(order=order, to=Status.ISSUED, by=manager, check_guards=False)
    order.refresh_from_db()
    assert order.issued_at == order.status_changed_at
    assert order.issued_by == manager
    issued_at = order.issued_at
    services.order_correction_open(order=order, reason="Wrong price", by=director)
    order.refresh_from_db()
    assert (order.issued_at, order.issued_by) == (issued_at, manager)


def test_issued_at_not_set_by_cancelling(workshop, branch, manager):
    order = _sale(workshop, branch, manager)
    services.order_transition(order=order, to=Status.CANCELLED, by=manager)
    order.refresh_from_db()
    assert (order.status, order.issued_at, order.issued_by) == (Status.CANCELLED, None, None)


def test_issued_at_migration_reads_the_journal_then_status_changed_at(workshop, branch, manager):
    now = timezone.now()
    journaled = _sale(workshop, branch, manager)
    services.order_transition(order=journaled, to=Status.ISSUED, by=manager, check_guards=False)
    moved_at = now - dt.timedelta(days=30)
    JournalEntry.objects.filter(order=journaled, action="transition").update(at=moved_at)
    bare = OrderFactory(workshop=workshop, branch=branch, number=100, status=Status.ISSUED)
    open_order = OrderFactory(workshop=workshop, branch=branch, number=101, status=Status.QUEUE)
    Order.objects.filter(pk=bare.pk).update(status_changed_at=now - dt.timedelta(days=3))
    Order.objects.update(issued_at=None, issued_by=None)  # as before the column existed

    # What the migration uses of its schema editor: the connection and execute().
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    migration.forwards(apps, editor)

    rows = dict(Order.objects.values_list("pk", "issued_at"))
    assert rows[journaled.pk] == moved_at
    assert Order.objects.get(pk=journaled.pk).issued_by == manager
    assert rows[bare.pk] == now - dt.timedelta(days=3)
    assert Order.objects.get(pk=bare.pk).issued_by is None
    assert rows[open_order.pk] is None
