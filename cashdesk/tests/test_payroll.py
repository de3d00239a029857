"""Earnings, salary rules and payroll: the worked example, effective dates, refunds later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Membership
from cashdesk import payroll, services
from cashdesk.models import (
    CashEntry,
    Earning,
    EarningKind,
    EarningLine,
    EntryKind,
    GoodsBasis,
    PayKind,
    PayrollLine,
)
from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

SERVICE, GOODS = OrderLine.LineKind.SERVICE, OrderLine.LineKind.GOODS
D = Decimal


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def joined(member, day: dt.date) -> None:
    Membership.objects.filter(pk=member.pk).update(created_at=at(day, 9))
    member.refresh_from_db()


def issued_order(workshop, branch, by, *, assignee, lines, on: dt.date | None = None):
    """A repair with these (kind, name, price, performer) lines, issued and paid in full;
    its earning dated `on` (the day it was issued and paid)."""
    order = order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=by,
        client_data={"phone": "+79161230000", "name": "Анна Кассова"},
        device_data={"device_type": "Phone", "brand": "Apple", "model": "iPhone 12"},
        order_data={"problem": "Broken", "assignee": assignee},
        lines=[
            {"kind": kind, "name": name, "quantity": 1, "unit_price": D(price), "performer": who}
            for kind, name, price, who in lines
        ],
    )
    for status in (Status.IN_WORK, Status.READY_NOTIFY):
        order_services.order_transition(order=order, to=status, by=by)
    services.payment_take(
        order=order, amounts={"cash": order.total}, by=by, key=None, version=None, issue=True
    )
    if on is not None:
        Earning.objects.filter(order=order).update(at=at(on))
    return order


def set_cost(order, name: str, cost: str) -> None:
    """What the goods cost when they left stock (the warehouse's figure for the line)."""
    EarningLine.objects.filter(earning__order=order, name=name).update(
        cost=D(cost), cost_source="warehouse"
    )


def test_settle_issued_and_paid_copies_lines(workshop, branch, manager, technician):
    order = issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[
            (SERVICE, "Screen replacement", "4200", technician),
            (GOODS, "Screen", "3000", technician),
        ],
    )
    earning = Earning.objects.get(order=order)
    assert earning.kind == EarningKind.SETTLED
    assert earning.assignee_id == technician.pk
    rows = sorted((ln.name, ln.amount, ln.performer_id) for ln in earning.lines.all())
    assert rows == [
        ("Screen", D("3000.00"), technician.pk),
        ("Screen replacement", D("4200.00"), technician.pk),
    ]
    goods = earning.lines.get(kind=GOODS)
    # Nothing took this screen from stock and the directory keeps no cost: unknown.
    assert goods.cost is None and goods.cost_source == "unknown"


def test_debt_settles_when_paid_off(workshop, branch, director, technician):
    order = order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.SALE,
        by=director,
        client_data=None,
        lines=[{"kind": GOODS, "name": "Mouse", "quantity": 1, "unit_price": D("990")}],
    )
    services.payment_take(
        order=order,
        amounts={"cash": D("500")},
        by=director,
        key=None,
        version=None,
        issue=True,
        debt=True,
    )
    assert not Earning.objects.filter(order=order).exists()  # issued, not yet paid
    services.payment_take(
        order=order, amounts={"card": D("490")}, by=director, key=None, version=None
    )
    assert Earning.objects.get(order=order).kind == EarningKind.SETTLED


def test_worked_payroll_example_with_rule_change_mid_month(
    workshop, branch, director, manager, technician
):
    """November 2026 (30 days) for Tom, whose rule changes on the 16th.

    Rule A, from 1 November: 40 % of services, 10 % of the goods margin, 100,00 per issued
    order he is the assignee of, a monthly base of 30 000,00.
    Rule B, from 16 November: 50 % of services, 20 % of the goods sale price, 150,00 per
    issued order, a monthly base of 45 000,00.

    Order 1, issued and paid on 10 November (rule A):
      Screen replacement, service 4 200,00 × 40 %            = 1 680,00
      Screen, goods 3 000,00, cost 1 800,00: margin 1 200,00 × 10 % = 120,00
      issued order, Tom the assignee                         =   100,00
                                                               1 900,00
    Order 2, issued and paid on 20 November (rule B):
      Cleaning, service 1 500,00 × 50 %                       =   750,00
      Thermal paste, goods 500,00 × 20 % of the price         =   100,00
      issued order                                            =   150,00
                                                               1 000,00
    Order 3, 25 November: Max performed a 2 000,00 service; Max has no rule: nothing, and
      Tom is not its assignee: nothing for Tom either.
    Base: 1–15 November, 15 of 30 days × 30 000,00            = 15 000,00
          16–30 November, 15 of 30 days × 45 000,00           = 22 500,00
    Tom's November: 1 900,00 + 1 000,00 + 15 000,00 + 22 500,00 = 40 400,00
    """
    joined(technician, dt.date(2026, 10, 1))
    payroll.rule_add(
        member=technician,
        effective_from=dt.date(2026, 11, 1),
        services_percent=D("40"),
        goods_percent=D("10"),
        goods_basis=GoodsBasis.MARGIN,
        per_order=D("100"),
        monthly_base=D("30000"),
        by=director,
    )
    payroll.rule_add(
        member=technician,
        effective_from=dt.date(2026, 11, 16),
        services_percent=D("50"),
        goods_percent=D("20"),
        goods_basis=GoodsBasis.PRICE,
        per_order=D("150"),
        monthly_base=D("45000"),
        by=director,
    )
    t = technician
    one = issued_order(
        workshop,
        branch,
        manager,
        assignee=t,
        lines=[(SERVICE, "Screen replacement", "4200", t), (GOODS, "Screen", "3000", t)],
        on=dt.date(2026, 11, 10),
    )
    set_cost(one, "Screen", "1800")
    two = issued_order(
        workshop,
        branch,
        manager,
        assignee=t,
        lines=[(SERVICE, "Cleaning", "1500", t), (GOODS, "Thermal paste", "500", t)],
        on=dt.date(2026, 11, 20),
    )
    issued_order(
        workshop,
        branch,
        manager,
        assignee=manager,
        lines=[(SERVICE, "Data recovery", "2000", manager)],
        on=dt.date(2026, 11, 25),
    )
    sheet = payroll.payroll_compute(workshop, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [e.member for e in sheet.employees] == [technician]
    tom = sheet.employee(technician.pk)
    got = sorted((ln.order_number, ln.kind, ln.amount) for ln in tom.lines if ln.order_number)
    assert got == sorted(
        [
            (one.number, PayKind.SERVICES, D("1680.00")),
            (one.number, PayKind.GOODS, D("120.00")),
            (one.number, PayKind.PER_ORDER, D("100.00")),
            (two.number, PayKind.SERVICES, D("750.00")),
            (two.number, PayKind.GOODS, D("100.00")),
            (two.number, PayKind.PER_ORDER, D("150.00")),
        ]
    )
    base = sorted(ln.amount for ln in tom.lines if ln.kind == PayKind.BASE)
    assert base == [D("15000.00"), D("22500.00")]
    assert tom.total == D("40400.00")

    closed = payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), by=director
    )
    assert closed.number == 1
    assert payroll.payroll_sheet(closed).employee(technician.pk).total == D("40400.00")

    # Paid out from the branch's drawer as a salary entry, never more than owed.
    services.deposit_record(branch=branch, amount=D("50000"), by=director, key=None)
    entry = payroll.payroll_pay(
        payroll=closed, member=technician, amount=D("40000"), branch=branch, by=director, key=None
    )
    assert (entry.kind, entry.amount, entry.counterpart_id) == (
        EntryKind.SALARY,
        D("-40000.00"),
        technician.pk,
    )
    with pytest.raises(ValidationError) as exc:
        payroll.payroll_pay(
            payroll=closed, member=technician, amount=D("500"), branch=branch, by=director, key=None
        )
    assert "400,00" in str(exc.value) or "400.00" in str(exc.value)
    assert payroll.payroll_sheet(closed).employee(technician.pk).owed == D("400.00")

    # December: 2 100,00 of order 1 (7 200,00) is refunded, a share of 2 100 / 7 200.
    #   service 4 200,00 × share = −1 225,00; at rule A's 40 %   = −490,00
    #   goods 3 000,00 × share = −875,00, cost 1 800,00 × share = −525,00,
    #   margin −350,00 at rule A's 10 %                          =  −35,00
    # The closed November stays 40 400,00; December carries −525,00.
    services.refund_make(
        order=one, amounts={"cash": D("2100")}, by=director, key=None, reason="Screen returned"
    )
    assert payroll.payroll_sheet(closed).employee(technician.pk).total == D("40400.00")
    december = payroll.payroll_compute(workshop, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    refund_lines = [ln for ln in december.employee(technician.pk).lines if ln.kind != PayKind.BASE]
    assert sorted(ln.amount for ln in refund_lines) == [D("-490.00"), D("-35.00")]
    assert PayrollLine.objects.filter(payroll=closed).count() == 8


def test_rule_effective_dates_pick_the_rule_of_the_day(workshop, director, technician):
    joined(technician, dt.date(2026, 1, 1))
    a = payroll.rule_add(
        member=technician, effective_from=dt.date(2026, 3, 1), services_percent=D("10"), by=director
    )
    b = payroll.rule_add(
        member=technician,
        effective_from=dt.date(2026, 3, 15),
        services_percent=D("20"),
        by=director,
    )
    rules = payroll.Rules(workshop)
    assert rules.at(technician.pk, dt.date(2026, 2, 28)) is None
    assert rules.at(technician.pk, dt.date(2026, 3, 14)) == a
    assert rules.at(technician.pk, dt.date(2026, 3, 15)) == b
    assert rules.at(technician.pk, dt.date(2027, 1, 1)) == b


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"services_percent": D("-1")}, "services_percent"),
        ({"goods_percent": D("100.01")}, "goods_percent"),
        ({"effective_from": dt.date(1999, 12, 31)}, "effective_from"),
        ({"effective_from": dt.date(2101, 1, 1)}, "effective_from"),
        ({"effective_from": dt.date(2025, 12, 31)}, "effective_from"),  # before they joined
        ({"monthly_base": D("-5")}, "monthly_base"),
    ],
)
def test_rule_add_refuses_bad_input(workshop, director, technician, kwargs, field):
    joined(technician, dt.date(2026, 1, 1))
    values = {"effective_from": dt.date(2026, 2, 1), **kwargs}
    with pytest.raises(ValidationError) as exc:
        payroll.rule_add(member=technician, by=director, **values)
    assert field in exc.value.message_dict
    assert not payroll.SalaryRule.objects.exists()


def test_payroll_close_refuses_closed_and_bad_periods(workshop, director, technician):
    joined(technician, dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        payroll.payroll_close(
            workshop=workshop, start=dt.date(2026, 10, 31), end=dt.date(2026, 10, 1), by=director
        )
    payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), by=director
    )
    with pytest.raises(payroll.PayrollError):
        payroll.payroll_close(
            workshop=workshop, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), by=director
        )
    with pytest.raises(ValidationError):  # a gap after the last one
        payroll.payroll_close(
            workshop=workshop, start=dt.date(2026, 11, 5), end=dt.date(2026, 11, 20), by=director
        )
    with pytest.raises(ValidationError):  # not over yet
        payroll.payroll_close(
            workshop=workshop, start=dt.date(2026, 11, 1), end=timezone.localdate(), by=director
        )
    with pytest.raises(ValidationError):  # inside the closed payroll
        payroll.rule_add(member=technician, effective_from=dt.date(2026, 10, 15), by=director)
    assert payroll.Payroll.objects.count() == 1


def test_payroll_pay_only_by_director(workshop, branch, director, manager, technician):
    closed = payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), by=director
    )
    with pytest.raises(services.NotPermitted):
        payroll.payroll_pay(
            payroll=closed, member=technician, amount=D("1"), branch=branch, by=manager, key=None
        )
    with pytest.raises(ValidationError):  # nothing is owed
        payroll.payroll_pay(
            payroll=closed, member=technician, amount=D("1"), branch=branch, by=director, key=None
        )
    assert not CashEntry.objects.filter(kind=EntryKind.SALARY).exists()


def test_goods_cost_comes_from_stock_when_the_warehouse_wrote_it_off(workshop, branch, manager):
    """The warehouse writes goods off in its own move hook, after ours: the earning asks
    for the cost again once the move is done."""
    from warehouse.tests.conftest import make_order as stocked_order
    from warehouse.tests.conftest import make_product, receive

    ssd = make_product(workshop, "SSD 1 TB", price="6490", sku="SSD-1T", barcode="4601234567890")
    receive(branch, manager, (ssd, 2, "100"), (ssd, 1, "130"))
    sale = stocked_order(workshop, branch, manager, lines=[("SSD 1 TB", 2, "6490")])
    services.payment_take(
        order=sale, amounts={"cash": D("12980")}, by=manager, key=None, version=None, issue=True
    )
    line = EarningLine.objects.get(earning__order=sale)
    assert (line.amount, line.cost, line.cost_source) == (D("12980.00"), D("220.00"), "warehouse")
    assert line.margin == D("12760.00")


def test_full_refund_after_closed_payroll_takes_back_the_per_order_fee(
    workshop, branch, director, manager, technician
):
    """Order of 1 000,00 (a service by Tom, his assignee), issued on 10 November under a rule
    of 10 % of services and 100,00 per issued order; November closed at 200,00.

    Refunded in December in two parts, 400,00 and then 600,00:
      first part: service −400,00 × 10 %                    =  −40,00 (the order still counts)
      second part: service −600,00 × 10 %                   =  −60,00
                   the order no longer paid: fee taken back  = −100,00
    The second refund reversed: +60,00 and the fee again +100,00.
    """
    joined(technician, dt.date(2026, 10, 1))
    payroll.rule_add(
        member=technician,
        effective_from=dt.date(2026, 11, 1),
        services_percent=D("10"),
        per_order=D("100"),
        by=director,
    )
    order = issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[(SERVICE, "Board repair", "1000", technician)],
        on=dt.date(2026, 11, 10),
    )
    closed = payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), by=director
    )
    assert payroll.payroll_sheet(closed).employee(technician.pk).total == D("200.00")

    def december():
        sheet = payroll.payroll_compute(workshop, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
        return sorted((ln.kind, ln.amount) for ln in sheet.employee(technician.pk).lines)

    services.refund_make(order=order, amounts={"cash": D("400")}, by=director, key=None, reason="r")
    assert december() == [(PayKind.SERVICES, D("-40.00"))]
    last = services.refund_make(
        order=order, amounts={"cash": D("600")}, by=director, key=None, reason="r"
    )
    assert december() == sorted(
        [
            (PayKind.SERVICES, D("-40.00")),
            (PayKind.SERVICES, D("-60.00")),
            (PayKind.PER_ORDER, D("-100.00")),
        ]
    )
    services.entry_reverse(entry=last[0], by=director, reason="mistake", key=None)
    assert december() == sorted(
        [
            (PayKind.SERVICES, D("-40.00")),
            (PayKind.SERVICES, D("-60.00")),
            (PayKind.SERVICES, D("60.00")),
            (PayKind.PER_ORDER, D("-100.00")),
            (PayKind.PER_ORDER, D("100.00")),
        ]
    )
    # The closed November is never rewritten.
    assert payroll.payroll_sheet(closed).employee(technician.pk).total == D("200.00")
