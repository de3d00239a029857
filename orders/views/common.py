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
        raise _not_found(request, number)
    return order


class OrderInOtherBranch(Http404):
    """The order exists in the member's own workshop, in a branch they do not work in.

    Still a 404 with none of the order's data: only the branch's name, which every member
    of the workshop may know, so the front desk can send the client there. The handler
    (workshop.views.page_not_found) renders `template_name` with `context`."""

    template_name = "404_other_branch.html"

    def __init__(self, branch_name: str):
        super().__init__("The order belongs to another branch.")
        self.context = {"branch_name": branch_name}


def _not_found(request: WorkshopRequest, number: int) -> Http404:
    """Why `number` is not for this member: another branch of their workshop, or nothing.

    Only this workshop is asked, so another workshop's order and a missing number give
    the same plain 404. A deleted order the member may not restore counts as missing."""
    others = Order.objects.filter(workshop=request.workshop, number=number)
    if not role_can(request.membership.role, "orders.delete"):
        others = others.alive()
    branch_name = others.values_list("branch__name", flat=True).first()
    if branch_name is None:
        return Http404()
    return OrderInOtherBranch(branch_name)


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
