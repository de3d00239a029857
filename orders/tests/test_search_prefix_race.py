"""PostgreSQL: an order created while its client's rename is in flight gets the new
name's prefixes (orders/migrations/0016): the order's trigger waits for the rename."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orders.tests.factories import ClientFactory, OrderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer"),
]


def _connect():
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params)


def test_an_order_created_during_a_rename_is_found_under_the_new_name(workshop, branch):
    client = ClientFactory(workshop=workshop, name="Oldname Person")
    template = OrderFactory(workshop=workshop, branch=branch, client=client, device=None)
    rename, insert = _connect(), _connect()
    try:
        rename.execute(
            "UPDATE orders_client SET name = 'Newname Person', name_folded = ' newname person'"
            " WHERE id = %s",
            [client.pk],
        )
        columns = [
            row[0]
            for row in insert.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name ="
                " 'orders_order' AND column_name NOT IN ('id', 'number', 'create_key')"
            )
        ]
        listed = ", ".join(columns)
        made = {}

        def create():
            made["id"] = insert.execute(
                f"INSERT INTO orders_order ({listed}, number) SELECT {listed}, number + 1000"
                " FROM orders_order WHERE id = %s RETURNING id",
                [template.pk],
            ).fetchone()[0]
            insert.commit()

        worker = threading.Thread(target=create)
        worker.start()
        worker.join(1.0)
        assert worker.is_alive(), "the order's trigger did not wait for the rename"
        rename.commit()
        worker.join(10)
        prefixes = {
            row[0]
            for row in rename.execute(
                "SELECT prefix FROM orders_order_name_prefix WHERE order_id = %s", [made["id"]]
            )
        }
        assert "newname" in prefixes and "oldname" not in prefixes
    finally:
        rename.close()
        insert.close()
