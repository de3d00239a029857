"""What every orders screen shares: tenant-scoped getters, who may be chosen, small parsers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Membership
from accounts.permissions import role_can
from orders import selectors
from orders.models import Order, OrderLine
from workshop.http import WorkshopRequest

# ---------------------------------------------------------------- lookups


def visible_orders(request: WorkshopRequest):
    """Orders this member may open: their branches' (every branch for the director), and
    deleted ones only for those who may restore them."""
    qs = Order.objects.visible_to(request.membership)
    if not role_can(request.membership.role, "orders.delete"):
        qs = qs.alive()
    return qs


def get_order_or_404(request: WorkshopRequest, number: int) -> Order:
    """This workshop's order with that number, in a branch the member works in."""
    order = (
        visible_orders(request)
        .select_related("client", "device", "branch", "assignee__user", "accepted_by__user")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404
    return order


def get_line_or_404(order: Order, line_id: int) -> OrderLine:
    line = OrderLine.objects.filter(workshop=order.workshop, order=order, pk=line_id).first()
    if line is None:
        raise Http404
    line.order = order
    return line


def order_members(order: Order) -> dict[int, Membership]:
    """Who may be the order's assignee or a line's performer: people of its branch."""
    return selectors.branch_members(order.workshop, [order.branch])


def permission_checker(request: WorkshopRequest):
    return lambda permission: role_can(request.membership.role, permission)


def search_query(request: WorkshopRequest) -> str:
    """The search box's text: NUL removed (PostgreSQL refuses it in a query), capped."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def posted_version(request: WorkshopRequest) -> int | None:
    return int_or_none(request.POST.get("version"))
