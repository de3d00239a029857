"""Where the warehouse plugs into orders (orders/extensions.py, orders/workflow.py).

- the guard on "issued": a serial-numbered unit must be chosen for each such line;
- the order card: a stock panel (what each goods line holds or took, the serial picker,
  and on a PC build the parts list from stock with its total).

Once orders offers line and status hooks, `register()` connects them to
`services.reserve_for_line`, `line_changed`, `release_for_line` and `order_moved`, and
the goods-line suggestion to `services.suggest_products`.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.permissions import role_can
from orders import extensions
from orders.models import OrderLine
from orders.workflow import CLOSED, Kind, Status


def issue_guard(order, to, by) -> str | None:
    from warehouse import services

    return services.issue_refusal(order)


def panel_context(order, request) -> dict | None:
    """The goods lines with what each holds: two queries, whatever the order's size."""
    from warehouse import forms, selectors, services

    lines = list(
        OrderLine.objects.filter(
            workshop_id=order.workshop_id, order=order, kind=OrderLine.LineKind.GOODS
        ).order_by("id")
    )
    is_build = order.kind == Kind.PC_BUILD
    if not lines and not is_build:
        return None
    held = selectors.order_reservations(order)
    rows = [(line, held.get(line.pk)) for line in lines]
    editable = (
        not order.is_deleted
        and order.status not in CLOSED
        and role_can(request.membership.role, "orders.edit")
    )
    costs = services.line_costs(order) if order.status == Status.ISSUED else {}
    return {
        "rows": [(line, r, costs.get(line.pk)) for line, r in rows],
        "is_build": is_build,
        "build_total": sum((line.total for line in lines), Decimal("0.00")),
        "editable": editable,
        "part_form": forms.PartForm(workshop=order.workshop) if is_build and editable else None,
        "serial_form": forms.SerialForm(),
        "show_costs": role_can(request.membership.role, "warehouse.view_costs"),
    }


def register() -> None:
    from orders.workflow import register_guard

    register_guard(Status.ISSUED, issue_guard)
    extensions.register_card_slot(
        "warehouse.stock",
        position=extensions.SIDE,
        template="warehouse/_card_stock.html",
        context=panel_context,
        permission="warehouse.view",
        weight=20,
    )
