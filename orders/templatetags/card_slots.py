"""Template helpers for the order card's extension points (orders.extensions)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def slots_after(slots, field_name: str):
    """The rendered slots that go right under the card field `field_name`."""
    return slots.after(field_name) if slots else []
