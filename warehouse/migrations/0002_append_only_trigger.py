"""The database itself refuses to change a stock movement: a BEFORE UPDATE trigger.

As for cash entries (cashdesk 0002): deletes are refused by the model and queryset and
every foreign key to a movement is PROTECT; no DELETE trigger, so removing a whole
tenant and the test database's flush still work.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER warehouse_movement_append_only
BEFORE UPDATE ON warehouse_movement
BEGIN
    SELECT RAISE(ABORT, 'stock movements are append-only: add a reversing movement');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS warehouse_movement_append_only;"

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION warehouse_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only: add a reversing movement';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER warehouse_movement_append_only
BEFORE UPDATE ON warehouse_movement
FOR EACH ROW EXECUTE FUNCTION warehouse_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS warehouse_movement_append_only ON warehouse_movement;
DROP FUNCTION IF EXISTS warehouse_refuse_update();
"""


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_stock")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
