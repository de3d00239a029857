"""Condition and accessories move from the device onto the order.

They were stored on the device, so editing them on a new order rewrote what every
earlier order of the device said was handed in. Each existing order now keeps the
values it showed when it was created: the device's history row current at the
order's `created_at` (django-simple-history), or, where the history does not reach
back that far (rows created before history, back-dated demo orders), the device's
current values. Only then are the device's columns dropped.
"""

import bisect

from django.db import migrations, models

CHUNK = 500


def _intake_per_order(apps):
    """(order id, condition, accessories) for every order with a device."""
    Order = apps.get_model("orders", "Order")
    Device = apps.get_model("orders", "Device")
    HistoricalDevice = apps.get_model("orders", "HistoricalDevice")
    # Historical models carry plain managers (no django-scopes), so no scope is needed.
    device_ids = list(
        Order.objects.filter(device__isnull=False).values_list("device_id", flat=True).distinct()
    )
    for start in range(0, len(device_ids), CHUNK):
        chunk = device_ids[start : start + CHUNK]
        current = {
            d["id"]: (d["condition"], d["accessories"])
            for d in Device.objects.filter(pk__in=chunk).values("id", "condition", "accessories")
        }
        history: dict[int, tuple[list, list]] = {}
        rows = (
            HistoricalDevice.objects.filter(id__in=chunk)
            .order_by("id", "history_date", "history_id")
            .values_list("id", "history_date", "condition", "accessories")
        )
        for device_id, at, condition, accessories in rows:
            dates, values = history.setdefault(device_id, ([], []))
            dates.append(at)
            values.append((condition, accessories))
        orders = Order.objects.filter(device_id__in=chunk).values_list(
            "id", "device_id", "created_at"
        )
        for order_id, device_id, created_at in orders:
            dates, values = history.get(device_id, ([], []))
            i = bisect.bisect_right(dates, created_at)
            condition, accessories = values[i - 1] if i else current[device_id]
            yield order_id, condition or "", accessories or ""


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    batch = []
    for order_id, condition, accessories in _intake_per_order(apps):
        if condition or accessories:
            batch.append(Order(pk=order_id, condition=condition, accessories=accessories))
        if len(batch) >= CHUNK:
            Order.objects.bulk_update(batch, ["condition", "accessories"])
            batch = []
    if batch:
        Order.objects.bulk_update(batch, ["condition", "accessories"])


def backwards(apps, schema_editor):
    """The device gets back what its newest order says was handed in."""
    Order = apps.get_model("orders", "Order")
    Device = apps.get_model("orders", "Device")
    newest = {}
    rows = (
        Order.objects.filter(device__isnull=False)
        .order_by("device_id", "id")
        .values_list("device_id", "condition", "accessories")
    )
    for device_id, condition, accessories in rows:
        newest[device_id] = (condition, accessories)
    batch = [Device(pk=pk, condition=c, accessories=a) for pk, (c, a) in newest.items()]
    Device.objects.bulk_update(batch, ["condition", "accessories"], batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_journal_action_open"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalorder",
            name="accessories",
            field=models.CharField(blank=True, max_length=500, verbose_name="accessories"),
        ),
        migrations.AddField(
            model_name="historicalorder",
            name="condition",
            field=models.CharField(
                blank=True, max_length=500, verbose_name="condition / appearance"
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="accessories",
            field=models.CharField(blank=True, max_length=500, verbose_name="accessories"),
        ),
        migrations.AddField(
            model_name="order",
            name="condition",
            field=models.CharField(
                blank=True, max_length=500, verbose_name="condition / appearance"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="device", name="accessories"),
        migrations.RemoveField(model_name="device", name="condition"),
        migrations.RemoveField(model_name="historicaldevice", name="accessories"),
        migrations.RemoveField(model_name="historicaldevice", name="condition"),
    ]
