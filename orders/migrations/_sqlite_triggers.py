"""Keep the search triggers through a SQLite table remake (import it in a migration).

On SQLite, Django applies most changes to a table (AlterField, a constraint, a NOT NULL
or defaulted AddField) by copying it into a new table, dropping the old one and renaming
the copy. The triggers of the dropped table go with it (the search's FTS5 and name-prefix
triggers: orders/migrations/0011, 0014), and a trigger of another table that reads it
(the prefix triggers read orders_order and orders_client across) makes the rename fail:
"error in trigger …: no such table". A migration that changes orders_order or
orders_client wraps its operations:

    from orders.migrations._sqlite_triggers import keep_triggers

    operations = keep_triggers(migrations.AlterField(...), ...)

which drops those tables' triggers first, keeping their SQL as SQLite stored it, and
creates them again afterwards (in both directions). Only the schema changes in between,
so the derived tables stay in step. PostgreSQL alters tables in place: nothing to do.
(This module's name starts with "_": Django's migration loader skips it.)
"""

from django.db import migrations

TABLES = ("orders_order", "orders_client")
_kept: list[tuple[str, str]] = []


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        marks = ", ".join("%s" for _ in TABLES)
        # Every trigger ON these tables, and every other trigger whose body reads them.
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND"
            f" (tbl_name IN ({marks}) OR " + " OR ".join("sql LIKE %s" for _ in TABLES) + ")",
            [*TABLES, *(f"%{t}%" for t in TABLES)],
        )
        found = cursor.fetchall()
    _kept.extend(found)
    for name, _sql in found:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"', params=None)


def restore(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    while _kept:
        _name, sql = _kept.pop(0)
        schema_editor.execute(sql, params=None)


def keep_triggers(*operations) -> list:
    """`operations` between dropping and restoring the triggers, either way round."""
    return [
        migrations.RunPython(drop, restore),
        *operations,
        migrations.RunPython(restore, drop),
    ]
