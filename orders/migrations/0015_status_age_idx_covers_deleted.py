"""The tab counts' index carries is_deleted, so they are counted from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0014_order_name_prefixes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_status_age_idx"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["workshop", "status", "status_changed_at", "is_deleted"],
                name="order_status_age_idx",
            ),
        ),
        # Statistics for the new index at once: SQLite's planner without them took it for
        # the Work list too (the list's (workshop, status, -id) index needs no sort).
        migrations.RunSQL("ANALYZE orders_order", migrations.RunSQL.noop),
    ]
