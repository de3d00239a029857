"""The database itself refuses to change a cash entry: a BEFORE UPDATE trigger.

Deletes are refused by the model and its queryset (and every foreign key to an entry
is PROTECT); a DELETE trigger is left out on purpose, because removing a whole tenant
and the test database's flush on SQLite delete rows.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER cashdesk_cashentry_append_only
BEFORE UPDATE ON cashdesk_cashentry
BEGIN
    SELECT RAISE(ABORT, 'cash entries are append-only: add a reversing entry');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS cashdesk_cashentry_append_only;"

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION cashdesk_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cash entries are append-only: add a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cashdesk_cashentry_append_only
BEFORE UPDATE ON cashdesk_cashentry
FOR EACH ROW EXECUTE FUNCTION cashdesk_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS cashdesk_cashentry_append_only ON cashdesk_cashentry;
DROP FUNCTION IF EXISTS cashdesk_refuse_update();
"""


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cashdesk", "0001_ledger")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
