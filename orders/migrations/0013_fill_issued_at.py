"""Orders issued before Order.issued_at existed get it from their journal.

The issue is the last journal move into "issued" (its time and who made it); an order
without one (created issued by a script, or before the journal) falls back to
`status_changed_at`, which is the issue for an order that has not moved since (issued
orders never move on), with nobody named. One UPDATE with correlated subqueries on the
journal's (workshop, order, -id) index, whatever the number of orders.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

ISSUED = "issued"
TRANSITION = "transition"


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    JournalEntry = apps.get_model("orders", "JournalEntry")
    if schema_editor.connection.vendor == "postgresql":
        # One pass over every issued order: lift the web requests' statement timeout for
        # this migration's transaction only, so `migrate` on a big workshop cannot fail
        # half-way through a deployment.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
    # Historical models carry plain managers (no django-scopes), so no scope is needed.
    moves = JournalEntry.objects.filter(
        workshop_id=OuterRef("workshop_id"),
        order_id=OuterRef("pk"),
        action=TRANSITION,
        field="status",
        new_value=ISSUED,
    ).order_by("-id")
    Order.objects.filter(status=ISSUED, issued_at__isnull=True).update(
        issued_at=Coalesce(Subquery(moves.values("at")[:1]), F("status_changed_at")),
        issued_by_id=Subquery(moves.values("by_id")[:1]),
    )


def backwards(apps, schema_editor):
    pass  # the columns go with 0012's reversal


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_issue_warranty_line_cost"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
