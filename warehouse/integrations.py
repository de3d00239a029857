"""Where the warehouse plugs into orders (orders/extensions.py, orders/workflow.py).

- the guard on "issued": a serial-numbered unit must be chosen for each such line;
- the order card: a stock panel (what each goods line holds or took, the serial picker,
  and on a PC build the parts list from stock with its total).

- orders' line hooks: a goods line added, changed or removed holds, moves or releases
  its stock (`services.reserve_for_line`, `line_changed`, `release_for_line`), inside
  orders' transaction, refusing by the field with the quantity available;
- orders' move hook: issued writes the held goods off at the branch's average cost,
  cancelled or refused releases them (`services.order_moved`).

- the goods pick list (directories/extensions.py): stocked products first, with what
  is on hand in the member's branch.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.permissions import role_can
from directories.extensions import register_suggestion_provider
from directories.models import Kind as DirKind
from orders import extensions
from orders.models import OrderLine
from orders.workflow import CLOSED, Kind, Status


def goods_suggestions(request, term: str, limit: int) -> list[dict]:
    """Products for a goods line being typed, those on hand in the member's branch first.

    The branch is the one the form names (`branch` in the query), if the member works
    there, else the first of the member's branches."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext

    from warehouse import services

    branches = list(request.membership.visible_branches())
    if not branches:
        return []
    wanted = request.GET.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == wanted), branches[0])
    rows = services.suggest_products(
        workshop=request.workshop, branch=branch, term=term, limit=limit
    )
    return [
        {
            "value": row["name"],
            "last_price": row["price"],
            "hint": gettext("on hand: %(n)s") % {"n": number_format(row["available"].normalize())}
            if row["on_hand"] > 0
            else gettext("Out of stock"),
        }
        for row in rows
    ]


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


def _added(*, line, by) -> None:
    from warehouse import services

    services.reserve_for_line(line=line, by=by)


def _changed(*, line, old_quantity, old_name, by) -> None:
    from warehouse import services

    services.line_changed(line=line, old_quantity=old_quantity, old_name=old_name, by=by)


def _removed(*, line, by) -> None:
    from warehouse import services

    services.release_for_line(line=line, by=by)


def _moved(*, order, old_status, new_status, by) -> None:
    from warehouse import services

    services.order_moved(order=order, old_status=old_status, new_status=new_status, by=by)


def register() -> None:
    from orders.workflow import register_guard

    register_guard(Status.ISSUED, issue_guard)
    register_suggestion_provider(
        "warehouse.products", kind=DirKind.GOODS, provider=goods_suggestions
    )
    extensions.register_line_hooks(
        "warehouse.stock", added=_added, changed=_changed, removed=_removed
    )
    extensions.register_move_hook("warehouse.stock", _moved)
    extensions.register_card_slot(
        "warehouse.stock",
        position=extensions.SIDE,
        template="warehouse/_card_stock.html",
        context=panel_context,
        permission="warehouse.view",
        weight=20,
    )
