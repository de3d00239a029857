"""Prepayments typed on orders before the cash desk existed become ledger entries.

Each non-zero `Order.prepayment` becomes one prepayment entry dated at the order's
intake, recorded by whoever accepted the order, with the comment "migrated". Where
that money is now nobody knows, so the entries go into one closed shift per branch
(noted as migrated, never counted) instead of the drawer being counted today; the
order's paid sum starts from them.
"""

import uuid

from django.db import migrations

NOTE = "migrated"


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Shift = apps.get_model("cashdesk", "Shift")
    CashEntry = apps.get_model("cashdesk", "CashEntry")
    OrderBalance = apps.get_model("cashdesk", "OrderBalance")
    # Historical models carry plain managers (no django-scopes), so no scope is needed.
    orders = (
        Order.objects.filter(prepayment__isnull=False)
        .exclude(prepayment=0)
        .order_by("branch_id", "created_at", "id")
    )
    shifts = {}
    for order in orders.iterator():
        shift = shifts.get(order.branch_id)
        if shift is None:
            last = Shift.objects.filter(branch_id=order.branch_id).order_by("-number").first()
            shift = Shift.objects.create(
                workshop_id=order.workshop_id,
                branch_id=order.branch_id,
                number=(last.number + 1) if last else 1,
                opened_at=order.created_at,
                opened_by_id=None,
                note=NOTE,
            )
            shifts[order.branch_id] = shift
        CashEntry.objects.create(
            workshop_id=order.workshop_id,
            kind="prepayment",
            method="cash",
            amount=order.prepayment,
            branch_id=order.branch_id,
            shift=shift,
            by_id=order.accepted_by_id,
            at=order.created_at,
            comment=NOTE,
            order_id=order.pk,
            key=uuid.uuid4(),
        )
        balance, _created = OrderBalance.objects.get_or_create(
            workshop_id=order.workshop_id, order_id=order.pk
        )
        balance.paid = balance.paid + order.prepayment
        balance.save(update_fields=["paid"])
    for shift in shifts.values():
        last_at = (
            CashEntry.objects.filter(shift=shift).order_by("-at").values_list("at", flat=True)
        ).first()
        # Closed at once: the archive shows it, the next shift opens empty.
        shift.closed_at = last_at or shift.opened_at
        shift.save(update_fields=["closed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("cashdesk", "0002_append_only_trigger"),
        ("orders", "0007_journal_action_open"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
