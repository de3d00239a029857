from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from warehouse.quantity import display

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros, in the active locale: 2, 1,5."""
    if value is None or value == "":
        return ""
    text = display(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(Decimal(text), decimal_pos=decimals, force_grouping=True)


@register.filter
def absolute(value):
    return abs(value) if value is not None and value != "" else value
