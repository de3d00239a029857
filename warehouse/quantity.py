"""Exact quantities: stored as integer thousandths, handed out as `Decimal`.

Pieces are whole numbers; metres, kilograms and litres go down to three decimals. Like
money (workshop/lib/money.py), nothing on a quantity path is ever a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import models

SCALE = 1000
MILLI = Decimal("0.001")
# Far above any shelf, far below a 64-bit column.
MAX_QUANTITY = Decimal("1000000")


def to_quantity(value: object) -> Decimal:
    """A Decimal from user or program input (floats refused); ValueError on garbage."""
    if isinstance(value, float):
        raise TypeError("Quantities never go through float; pass a str, int or Decimal.")
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"Not a quantity: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"Not a quantity: {value!r}")
    return number


def display(value: Decimal | None) -> str:
    """1.000 → "1", 2.500 → "2.5": quantities without trailing zeros."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(MILLI):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class QuantityField(models.BigIntegerField):
    description = "Quantity (stored in thousandths)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return (Decimal(int(value)) / SCALE).quantize(MILLI)

    def to_python(self, value):
        if value is None:
            return None
        return to_quantity(value).quantize(MILLI)

    def get_prep_value(self, value):
        if value is None:
            return None
        return int(to_quantity(value).quantize(MILLI) * SCALE)
