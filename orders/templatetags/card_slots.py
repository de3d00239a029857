"""Template helpers for the order card's extension points (orders.extensions)."""

from __future__ import annotations

from django import template

from orders.extensions import render_client_slots

register = template.Library()


@register.filter
def slots_after(slots, field_name: str):
    """The rendered slots that go right under the card field `field_name`."""
    return slots.after(field_name) if slots else []


@register.simple_tag(takes_context=True)
def client_slots(context, client):
    """The panels other apps add to the client card (orders.extensions)."""
    return render_client_slots(client, context["request"])
