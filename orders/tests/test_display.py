from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from orders import display
from orders.models import JournalEntry

pytestmark = pytest.mark.django_db


def test_display_formats_by_field_type_not_name():
    with translation.override("ru"):
        assert display.format_raw("estimate", "4200.00") == "4\xa0200,00"
        assert display.format_raw("due_date", "2026-01-02") == "02.01.2026"
        assert display.format_raw("unit_price", "1500.50") == "1\xa0500,50"
        assert display.format_raw("kind", "repair") == "Ремонт"
        assert display.format_raw("kind", "goods", display.OrderLine) == "Товар"
    assert display.format_raw("device_serial", "SN-1") == "SN-1"
    assert display.format_raw("visit_at", "not a date") == "not a date"


def test_display_format_value_of_live_values():
    with translation.override("ru"):
        assert display.format_value(Decimal("4200")) == "4\xa0200,00"
        assert display.format_value(datetime.date(2026, 1, 2)) == "02.01.2026"
        assert display.format_value(None) == ""


def test_display_describe_labels_line_changes_with_the_line_model():
    entry = JournalEntry(
        action="line_changed", field="kind", old_value="service", new_value="goods"
    )
    [described] = display.describe([entry], {"kind": "Type"})
    assert (described.field_label, described.old_display, described.new_display) == (
        "Type",
        "Service",
        "Goods",
    )
