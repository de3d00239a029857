"""Where the cash desk plugs into orders (orders/extensions.py, orders/workflow.py):

- the guard on the move to "issued": money is taken first, by "Issue and take payment";
- the order card: that action beside the status buttons, and a panel of the payments
  made on the order with its money buttons;
- the client card: the client's debts;
- the Work list: paid and due on the Cash desk tab, "Issue" where an order can be issued;
- the "+" forms of repairs, PC builds and call-outs: a prepayment taken at intake.

Every callable here reads with a fixed number of queries; the order's money is read
once per request and shared by the card's slots.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import role_can
from cashdesk import selectors, services
from cashdesk.forms import IntakePrepaymentForm
from cashdesk.models import ZERO
from orders import extensions
from orders.workflow import Kind, Status, Tab, can_move
from workshop.lib.money import format_money

# Tabs whose orders can be issued straight from the Work list.
ISSUE_TABS = frozenset(
    {Tab.SALES, Tab.ON_SITE, Tab.READY_NOTIFY, Tab.OUT_FOR_DELIVERY, Tab.REFUSED}
)


def _money(order, request):
    """The order's money, read once per request (the head and the panel share it)."""
    memo = request.__dict__.setdefault("_cashdesk_money", {})
    key = (order.pk, order.version, order.total)
    if key not in memo:
        memo[key] = selectors.order_money(order)
    return memo[key]


def _can(request, permission: str) -> bool:
    return role_can(request.membership.role, permission)


def head_context(order, request) -> dict | None:
    if order.is_deleted or not can_move(order.status, Status.ISSUED):
        return None
    return {"due": _money(order, request).due}


def panel_context(order, request) -> dict | None:
    if order.is_deleted and not _money(order, request).entries:
        return None
    money = _money(order, request)
    buttons = []
    if not order.is_deleted:
        if (
            order.status == Status.ISSUED
            and money.due > 0
            and _can(request, "cashdesk.take_payment")
        ):
            buttons.append(("cashdesk:order_pay", _("Take payment")))
        if order.status not in (Status.ISSUED, Status.CANCELLED) and _can(
            request, "cashdesk.take_prepayment"
        ):
            buttons.append(("cashdesk:order_prepayment", _("Take prepayment")))
        if (
            order.kind == Kind.CALL_OUT
            and order.status in services.FIELD_STATUSES
            and money.due > 0
            and _can(request, "cashdesk.field_cash")
        ):
            buttons.append(("cashdesk:order_field_cash", _("Cash taken on site")))
        if (
            order.status in services.REFUNDABLE
            and money.paid > 0
            and _can(request, "cashdesk.refund")
        ):
            buttons.append(("cashdesk:order_refund", _("Refund")))
    return {
        "money": money,
        "buttons": buttons,
        "debt": order.status == Status.ISSUED and money.due > 0,
    }


def client_context(client, request) -> dict | None:
    orders = selectors.client_debts(client, request.membership)
    if not orders:
        return None
    return {"orders": orders, "total": sum((o.due for o in orders), ZERO)}


def work_paid(request, orders) -> dict:
    """The Cash desk tab: what each order was paid and its debt; one query per page."""
    paid = selectors.paid_for(request.workshop, [o.pk for o in orders])
    cells = {}
    for o in orders:
        got = paid.get(o.pk, ZERO)
        due = o.total - got
        if due > 0:
            cells[o.pk] = format_html(
                '{} · <span class="debt">{}</span>',
                format_money(got),
                _("debt %(due)s") % {"due": format_money(due)},
            )
        else:
            cells[o.pk] = format_html("{} · {}", format_money(got), _("paid"))
    return cells


def work_issue(request, orders) -> dict:
    """The tabs an order is issued from: an "Issue" button with what is due; one query."""
    paid = selectors.paid_for(request.workshop, [o.pk for o in orders])
    cells = {}
    for o in orders:
        if not can_move(o.status, Status.ISSUED):
            continue
        due = max(o.total - paid.get(o.pk, ZERO), ZERO)
        url = reverse("cashdesk:order_issue", kwargs={"order_number": o.number})
        label = _("Issue, %(due)s") % {"due": format_money(due)} if due else _("Issue")
        cells[o.pk] = format_html('<a class="btn btn--small" href="{}">{}</a>', url, label)
    return cells


def intake_save(*, order, form, by) -> None:
    """The prepayment typed on a "+" form, in the new order's transaction."""
    amount: Decimal | None = form.cleaned_data.get("amount")
    if not amount:
        return
    try:
        services.prepayment_take(
            order=order, amounts={form.cleaned_data["method"]: amount}, by=by, key=None
        )
    except ValidationError as exc:
        # The service names the method's field; on this form the amount is one field.
        raise ValidationError({"amount": exc.messages}) from exc
    except services.CashError as exc:
        raise ValidationError({"amount": [exc.message]}) from exc


class _IntakeTemplate:
    """The step's fields, rendered with the form named `prepayment`, so it never shadows
    the "+" page's own `form` in what the page's template context holds."""

    name = "cashdesk/_intake.html"

    def render(self, context: dict, request) -> str:
        return render_to_string(self.name, {"prepayment": context["form"]}, request=request)


def register() -> None:
    from orders.workflow import register_guard

    register_guard(Status.ISSUED, services.issue_guard)
    extensions.register_card_slot(
        "cashdesk.issue",
        position=extensions.HEAD,
        template="cashdesk/_card_actions.html",
        context=head_context,
        permission="cashdesk.take_payment",
        weight=10,
    )
    extensions.register_card_slot(
        "cashdesk.payments",
        position=extensions.SIDE,
        template="cashdesk/_card_money.html",
        context=panel_context,
        permission="cashdesk.order_money",
        weight=10,
    )
    extensions.register_client_slot(
        "cashdesk.debts",
        template="cashdesk/_client_debts.html",
        context=client_context,
        permission="cashdesk.money_lists",
        weight=10,
    )
    extensions.register_work_column(
        "cashdesk.paid",
        label=gettext_lazy("Paid"),
        values=work_paid,
        tabs={Tab.CASH_DESK},
        numeric=True,
        permission="cashdesk.money_lists",
    )
    extensions.register_work_column(
        "cashdesk.issue",
        label=gettext_lazy("Cash desk"),
        values=work_issue,
        tabs=ISSUE_TABS,
        permission="cashdesk.take_payment",
    )
    extensions.register_intake_step(
        "cashdesk.prepayment",
        kinds={Kind.REPAIR, Kind.PC_BUILD, Kind.CALL_OUT},
        form_class=IntakePrepaymentForm,
        template=_IntakeTemplate(),
        save=intake_save,
        permission="cashdesk.take_prepayment",
    )
    extensions.register_today_panel(
        "cashdesk.takings", context=today_context, permission="cashdesk.money_lists", weight=10
    )


def today_context(request) -> dict | None:
    """Takings of each branch's open shift, for the Today view: three queries a branch."""
    rows = []
    for branch in selectors.desk_branches(request.membership):
        shift = selectors.open_shift(branch)
        if shift is not None:
            incoming = selectors.shift_summary(shift).incoming
            rows.append((branch.name, format_money(incoming)))
    if not rows:
        rows = [(_("No shift is open."), "")]
    return {
        "title": _("Takings of the open shift"),
        "rows": rows,
        "link": (reverse("cashdesk:desk"), _("Cash desk")),
    }
