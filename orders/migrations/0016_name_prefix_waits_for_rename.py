"""PostgreSQL: an order's name prefixes are written after a rename of its client commits.

Inserting an order (or giving it another client) took only the foreign key's KEY SHARE
lock on the client, and renaming the client only NO KEY UPDATE: the two did not wait for
each other, so an order committed while its client's rename was in flight kept the old
name's prefixes, and the rename's trigger never saw the order (the search then missed it
under either name). The trigger function now takes FOR SHARE on the client first, which
waits for a rename in flight; in READ COMMITTED its next statement reads the committed
name, and a rename that comes later waits for the order and then rewrites its rows.
SQLite has one writer at a time: nothing to change there.
"""

from django.db import migrations

TABLE = "orders_order_name_prefix"


def _function(lock: bool) -> str:
    wait = (
        "PERFORM 1 FROM orders_client WHERE id = NEW.client_id FOR SHARE;" if lock else ""
    )
    return f"""CREATE OR REPLACE FUNCTION {TABLE}_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.client_id IS NOT NULL THEN
        DELETE FROM {TABLE} t USING orders_client c
        WHERE c.id = OLD.client_id AND t.workshop_id = OLD.workshop_id
          AND t.order_id = OLD.id AND t.prefix IN (SELECT orders_name_prefixes(c.name_folded));
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.client_id IS NOT NULL THEN
        {wait}
        INSERT INTO {TABLE} (workshop_id, prefix, order_id)
        SELECT NEW.workshop_id, p, NEW.id
        FROM orders_client c, orders_name_prefixes(c.name_folded) AS p
        WHERE c.id = NEW.client_id
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$"""


def _run(lock: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(lock), params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0015_status_age_idx_covers_deleted"),
    ]

    operations = [migrations.RunPython(_run(True), _run(False))]
