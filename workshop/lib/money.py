"""Exact money: stored as integer minor units, handed out as `Decimal`.

SQLite keeps DecimalField values as floating point and sums them in floating
point, so money is stored as a whole number of kopecks/cents on every database.
`Sum("amount")` over a MoneyField returns a `Decimal`, because aggregates take
the field's converters.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core import checks, exceptions
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MINOR_UNITS = 100
CENT = Decimal("0.01")
# Larger than any repair bill, small enough to stay clear of a 64-bit column.
MAX_AMOUNT = Decimal("999999999.99")


def to_decimal(value: object) -> Decimal:
    """Turn user or program input into a two-place Decimal; floats are refused."""
    if isinstance(value, float):
        raise TypeError("Money never goes through float; pass a str, int or Decimal.")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"Not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor(value: Decimal) -> int:
    return int(to_decimal(value) * MINOR_UNITS)


def from_minor(value: int) -> Decimal:
    return (Decimal(int(value)) / MINOR_UNITS).quantize(CENT)


def format_money(value: Decimal | None, currency: str = "") -> str:
    """Format with the active locale's separators: `1 234,50 ₽` in Russian.

    A negative amount reads with the minus sign U+2212, as the buttons do (`− 500,00`
    never `-500,00`); this is display only: `to_decimal` still reads a hyphen.
    """
    if value is None:
        return ""
    amount = to_decimal(value)
    text = number_format(abs(amount), decimal_pos=2, force_grouping=True)
    if amount < 0:
        text = "\u2212" + text
    return f"{text}\u00a0{currency}" if currency else text


class MoneyField(models.BigIntegerField):
    description = _("Amount of money (stored in minor units)")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.has_default() and isinstance(self.default, float):
            errors.append(checks.Error("MoneyField default must not be a float.", obj=self))
        return errors

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return from_minor(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value if value is None else to_decimal(value)
        try:
            return to_decimal(value)
        except (TypeError, ValueError) as exc:
            raise exceptions.ValidationError(
                _("Enter an amount, for example 1500 or 1500.50."), code="invalid"
            ) from exc

    def get_prep_value(self, value):
        if value is None:
            return None
        return to_minor(self.to_python(value))

    def formfield(self, **kwargs):
        from django import forms

        defaults = {
            "form_class": forms.DecimalField,
            "max_digits": 11,
            "decimal_places": 2,
            "max_value": MAX_AMOUNT,
            "min_value": -MAX_AMOUNT,
            "localize": True,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)
