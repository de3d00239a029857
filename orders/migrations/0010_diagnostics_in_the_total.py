"""The order's total follows the diagnostics rule: charged when the repair is refused.

Existing orders: the diagnostic cost is charged on refused orders, and on issued or
cancelled ones whose last move came from "refused" (the journal's transition entry);
every total is its lines plus that charge.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F

import workshop.lib.money

HANDED_OVER = ("issued", "cancelled")


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    JournalEntry = apps.get_model("orders", "JournalEntry")
    # Historical models carry plain managers (no django-scopes), so no scope is needed.
    Order.objects.update(total=F("lines_total"))
    refused = set(Order.objects.filter(status="refused").values_list("pk", flat=True))
    moves = (
        JournalEntry.objects.filter(
            action="transition", field="status", order__status__in=HANDED_OVER
        )
        .order_by("order_id", "id")
        .values_list("order_id", "old_value")
    )
    last_from = dict(moves.iterator())  # the last move of each order wins
    refused |= {pk for pk, old in last_from.items() if old == "refused"}
    for order in Order.objects.filter(pk__in=refused).iterator():
        order.diagnostics_charged = True
        order.total = order.lines_total + (order.diagnostic_cost or Decimal("0.00"))
        order.save(update_fields=["diagnostics_charged", "total"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_order_correction"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalorder",
            name="diagnostics_charged",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="order",
            name="diagnostics_charged",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="order",
            name="total",
            field=workshop.lib.money.MoneyField(
                default=Decimal("0.00"), editable=False, verbose_name="total"
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="lines_total",
            field=workshop.lib.money.MoneyField(
                default=Decimal("0.00"), editable=False, verbose_name="lines total"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
