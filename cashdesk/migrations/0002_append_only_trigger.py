"""The database itself refuses to change a cash entry (workshop/lib/ledger.py)."""

from django.db import migrations

from workshop.lib.ledger import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("cashdesk", "0001_ledger")]

    operations = [
        append_only_trigger(
            "cashdesk_cashentry", "cash entries are append-only: add a reversing entry"
        )
    ]
