"""SQLite: a table remake (what AlterField and most other schema changes run there) keeps
the search's triggers when a migration wraps it in `keep_triggers`, and fails loudly
without it (orders/migrations/_sqlite_triggers.py)."""

from __future__ import annotations

import importlib

import pytest
from django.db import OperationalError, connection

from orders import search, selectors
from orders.models import Client, Order
from orders.tests.factories import ClientFactory, OrderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL alters in place"),
]

kept = importlib.import_module("orders.migrations._sqlite_triggers")


def _triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return dict(cursor.fetchall())


class _Editor:
    """What RunPython hands the functions: the schema editor's connection and execute."""

    def __init__(self, editor):
        self.connection, self.execute = editor.connection, editor.execute


def test_a_remake_keeps_every_trigger_and_the_search_still_follows(workshop, branch, director):
    before = _triggers()
    assert {"orders_order_name_prefix_ai", "orders_order_name_prefix_client_au"} <= set(before)
    for model in (Order, Client):
        with connection.schema_editor() as editor:
            kept.drop(None, _Editor(editor))
            editor._remake_table(model)  # what AlterField runs on SQLite
            kept.restore(None, _Editor(editor))
        assert _triggers() == before, model
    # The triggers work on the remade tables: a new order and a rename are found.
    client = ClientFactory(workshop=workshop, name="Остап Бендер")
    order = OrderFactory(workshop=workshop, branch=branch, client=client)
    client.name = "Киса Воробьянинов"
    client.save()
    found = search.search_orders(selectors.work_orders(director), "Киса", workshop)
    assert list(found.values_list("pk", flat=True)) == [order.pk]


def test_a_remake_without_it_fails_instead_of_losing_triggers():
    before = _triggers()
    with pytest.raises(OperationalError, match="no such table"), connection.schema_editor() as e:
        e._remake_table(Client)
    assert _triggers() == before  # rolled back whole: SQLite's DDL is transactional
