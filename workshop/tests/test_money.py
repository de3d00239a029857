from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.lib.money import MAX_AMOUNT, format_money, from_minor, to_decimal, to_minor

pytestmark = pytest.mark.django_db

amounts = st.decimals(
    min_value=-MAX_AMOUNT / 1000, max_value=MAX_AMOUNT / 1000, places=2, allow_nan=False
)


def test_money_to_decimal_accepts_comma_and_spaces():
    assert to_decimal("1 234,5") == Decimal("1234.50")
    assert to_decimal(15) == Decimal("15.00")


def test_money_refuses_float():
    with pytest.raises(TypeError):
        to_decimal(0.1)


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
def test_money_refuses_non_amounts(bad):
    with pytest.raises(ValueError):
        to_decimal(bad)


@given(amounts)
def test_money_minor_units_round_trip(amount):
    assert from_minor(to_minor(amount)) == amount


def test_money_format_uses_locale():
    from django.utils import translation

    with translation.override("ru"):
        assert format_money(Decimal("1234.5"), "₽") == "1\xa0234,50\xa0₽"
    with translation.override("en"):
        assert format_money(Decimal("1234.5")) == "1,234.50"


@settings(max_examples=25, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=30))
def test_money_sum_in_database_is_exact(values):
    """Any sum of amounts equals Python's Decimal arithmetic exactly, on SQLite and PostgreSQL."""
    from workshop.tests.moneyprobe import MoneyProbe

    MoneyProbe.objects.all().delete()
    MoneyProbe.objects.bulk_create(MoneyProbe(amount=v) for v in values)
    total = MoneyProbe.objects.aggregate(total=Sum("amount"))["total"]
    assert isinstance(total, Decimal)
    assert total == sum(values, Decimal("0"))
    assert [p.amount for p in MoneyProbe.objects.order_by("id")] == values
    assert connection.vendor in {"sqlite", "postgresql"}


def test_money_filter_compares_in_minor_units():
    from workshop.tests.moneyprobe import MoneyProbe

    MoneyProbe.objects.create(amount=Decimal("10.01"))
    MoneyProbe.objects.create(amount=Decimal("9.99"))
    assert MoneyProbe.objects.filter(amount__gt=Decimal("10")).count() == 1
