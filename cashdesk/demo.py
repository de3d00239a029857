"""Demo money, written through the services: a closed shift with its Z-report, an open
shift with payments in every method, prepayments, a refund, an expense, an order issued
with a debt and cash held by the demo technician."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Membership, Role
from cashdesk import payroll, services
from cashdesk.models import CashEntry
from orders.models import Order
from orders.workflow import Kind, Status
from workshop.lib.audit import acting_as

D = Decimal


def _order(workshop, *, status: str, problem: str | None = None, kind: str | None = None):
    qs = Order.objects.filter(workshop=workshop, status=status)
    if problem is not None:
        qs = qs.filter(problem=problem)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("number").first()


def seed(ctx: dict) -> None:
    workshop = ctx["workshop"]
    if CashEntry.objects.filter(workshop=workshop).exists():
        return
    staff = {m.role: m for m in Membership.objects.filter(workshop=workshop).select_related("user")}
    director, manager, tech = staff[Role.DIRECTOR], staff[Role.MANAGER], staff[Role.TECHNICIAN]
    branch = ctx["branches"]["Central"]

    def issue(order, by, debt=False, **amounts):
        order.refresh_from_db()
        with acting_as(by.user):
            services.payment_take(
                order=order,
                amounts={m: D(v) for m, v in amounts.items()},
                by=by,
                key=None,
                version=order.version,
                issue=True,
                debt=debt,
            )

    # The first shift: the change fund, the money of the two orders orders' demo issued
    # (history from before the cash desk), a part bought; counted 50 short at the close.
    services.deposit_record(
        branch=branch, amount=D("5000"), by=director, key=None, comment="Размен на день"
    )
    for order in Order.objects.filter(workshop=workshop, status=Status.ISSUED).order_by("number"):
        method = "card" if order.kind == Kind.SALE else "cash"
        services.payment_take(
            order=order, amounts={method: order.total}, by=manager, key=None, version=None
        )
    cleaning = _order(workshop, status=Status.READY_NOTIFY)
    services.expense_record(
        branch=branch,
        amount=D("650"),
        by=director,
        key=None,
        category="parts",
        comment="Термопаста Arctic MX-4",
        order=cleaning,
    )
    first = services.shift_open(branch=branch, by=director)
    counted = services.drawer_cash(first) - D("50")
    services.shift_close(shift=first, counted=counted, by=director)

    # The open shift: prepayments, an issue paid by cash and card, one issued with a debt,
    # a prepayment given back on a refused repair, cash taken on site.
    screen = _order(workshop, status=Status.IN_WORK)
    with acting_as(manager.user):
        services.prepayment_take(order=screen, amounts={"cash": D("3000")}, by=manager, key=None)
        pc = _order(workshop, status=Status.PC_BUILD)
        services.prepayment_take(order=pc, amounts={"transfer": D("20000")}, by=manager, key=None)
        refused = _order(workshop, status=Status.REFUSED)
        services.prepayment_take(order=refused, amounts={"card": D("1000")}, by=manager, key=None)
    issue(cleaning, manager, cash="1000", card="500")
    battery = _order(workshop, status=Status.OUT_FOR_DELIVERY)
    issue(battery, director, debt=True, cash="2000")
    with acting_as(director.user):
        services.refund_make(
            order=refused,
            amounts={"card": D("500")},
            by=director,
            key=None,
            reason="Отказ от ремонта: возврат предоплаты за вычетом диагностики",
        )
    on_site = _order(workshop, status=Status.ON_SITE, kind=Kind.CALL_OUT)
    with acting_as(tech.user):
        services.field_cash_take(order=on_site, amount=on_site.total, by=tech, key=None)
    # Salary rules from the day they joined: the payroll page has figures at once.
    payroll.rule_add(
        member=tech,
        effective_from=payroll.local_date(tech.created_at),
        services_percent=D("40"),
        goods_percent=D("10"),
        per_order=D("100"),
        monthly_base=D("20000"),
        by=director,
    )
    payroll.rule_add(
        member=manager,
        effective_from=payroll.local_date(manager.created_at),
        goods_percent=D("5"),
        goods_basis="price",
        monthly_base=D("35000"),
        by=director,
    )
    ctx.setdefault("logins", []).append(
        "cashdesk: a closed shift, an open one with payments, a debt, field cash, salary rules"
    )
