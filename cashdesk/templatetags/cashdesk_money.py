"""The cash desk's money in templates: `{{ amount|money }}`."""

from __future__ import annotations

from django import template

from workshop.lib.money import format_money

register = template.Library()


@register.filter
def money(value) -> str:
    """Two places, the locale's grouping, a true minus sign (U+2212) when negative."""
    if value is None or value == "":
        return ""
    return format_money(value)
