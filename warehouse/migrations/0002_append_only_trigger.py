"""The database itself refuses to change a stock movement (workshop/lib/ledger.py)."""

from django.db import migrations

from workshop.lib.ledger import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_stock")]

    operations = [
        append_only_trigger(
            "warehouse_movement", "stock movements are append-only: add a reversing movement"
        )
    ]
