"""Orders' objects in the victim workshop, for the tenancy sweep (tests/tenancy.py)."""

from __future__ import annotations

from orders import services
from orders.models import OrderLine
from orders.workflow import Kind

SAMPLES = {
    "order_number": lambda v: v.extra["order"].number,
    "client_id": lambda v: v.extra["client"].pk,
    "line_id": lambda v: v.extra["line"].pk,
    "device_id": lambda v: v.extra["device"].pk,
}


def build(victim) -> None:
    order = services.order_create(
        workshop=victim.workshop,
        branch=victim.branch,
        kind=Kind.REPAIR,
        by=victim.manager,
        client_data={"phone": "+79161112233", "name": "Victim Client"},
        device_data={"device_type": "Phone", "brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Cracked screen"},
        lines=[
            {
                "kind": OrderLine.LineKind.SERVICE,
                "name": "Screen replacement",
                "quantity": 1,
                "unit_price": "4500",
            }
        ],
    )
    victim.extra.update(
        order=order, client=order.client, device=order.device, line=order.lines.get()
    )
