"""Notifications' objects in the victim workshop, for the tenancy and permission sweeps."""

from __future__ import annotations

from notifications import links
from notifications.models import Message

SAMPLES = {
    "message_id": lambda v: v.extra["message"].pk,
    "status_token": lambda v: v.extra["status_link"].token,
}


def build(victim) -> None:
    order = victim.extra["order"]  # orders' samples are built first
    link = links.link_for(order)
    message = Message.objects.create(
        workshop=victim.workshop,
        order=order,
        event="ready",
        channel="sms",
        key="ready:sms",
        recipient="+79161112233",
        status="failed",
        reason="sample",
    )
    victim.extra.update(status_link=link, message=message)
