"""Append-only ledgers (cash entries, stock movements) enforced by the database itself.

Deletes are refused by each ledger's model and queryset (and every foreign key to a
ledger row is PROTECT); a DELETE trigger is left out on purpose, so that removing a whole
tenant and the test database's flush still work.
"""

from __future__ import annotations

from django.db import migrations


def append_only_trigger(table: str, message: str) -> migrations.RunPython:
    """A migration operation adding a BEFORE UPDATE trigger that refuses every update of
    `table` with `message`, on SQLite and PostgreSQL (and dropping it on the way back)."""
    trigger, function = f"{table}_append_only", f"{table}_refuse_update"
    up = {
        "sqlite": f"""
CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;""",
        "postgresql": f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{message}'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}
FOR EACH ROW EXECUTE FUNCTION {function}();""",
    }
    down = {
        "sqlite": f"DROP TRIGGER IF EXISTS {trigger};",
        "postgresql": f"DROP TRIGGER IF EXISTS {trigger} ON {table};"
        f" DROP FUNCTION IF EXISTS {function}();",
    }

    def run(sql_by_vendor):
        def apply(apps, schema_editor):
            sql = sql_by_vendor.get(schema_editor.connection.vendor)
            if sql:
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(sql)

        return apply

    return migrations.RunPython(run(up), run(down))
