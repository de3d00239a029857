"""Goods lines carry their cost (OrderLine.cost): the margin and salary read it, so goods
sold before (or without) the warehouse are no longer "unknown" where a cost is known.

The snapshot is taken when the line is written: a stocked product's average cost in the
order's branch (the warehouse hands it in), else the last cost known for goods of that
name; the warehouse replaces it with the write-off cost when it writes the goods off at
issue. A line nobody knows the cost of stays unknown, never 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cashdesk import reports, services
from cashdesk.models import EarningLine
from cashdesk.tests.test_payroll import GOODS, SERVICE, issued_order
from orders import services as order_services
from orders.models import OrderLine
from orders.workflow import Status
from warehouse.tests.conftest import make_order as stocked_order
from warehouse.tests.conftest import make_product, receive

pytestmark = pytest.mark.django_db

D = Decimal


def _known_screen(workshop, branch, manager, technician, cost="1800.00"):
    """An earlier order whose "Screen" line had a known cost (a past write-off)."""
    first = issued_order(
        workshop, branch, manager, assignee=technician, lines=[(GOODS, "Screen", "3000", None)]
    )
    OrderLine.objects.filter(order=first).update(cost=D(cost))
    return first


def test_line_cost_snapshot_from_the_last_known_cost_of_that_name(
    workshop, branch, manager, technician
):
    _known_screen(workshop, branch, manager, technician)
    order = issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[
            (GOODS, "Screen", "3000", technician),
            (GOODS, "Cable nobody costed", "500", technician),
            (SERVICE, "Screen replacement", "4200", technician),
        ],
    )
    costs = dict(OrderLine.objects.filter(order=order).values_list("name", "cost"))
    assert costs == {
        "Screen": D("1800.00"),
        "Cable nobody costed": None,  # unknown, not 0
        "Screen replacement": None,  # a service has no cost
    }
    lines = {ln.name: ln for ln in EarningLine.objects.filter(earning__order=order)}
    assert (lines["Screen"].cost, lines["Screen"].cost_source) == (D("1800.00"), "line")
    assert lines["Screen"].margin == D("1200.00")
    assert (lines["Cable nobody costed"].cost, lines["Cable nobody costed"].cost_source) == (
        None,
        "unknown",
    )


def test_line_cost_scales_with_the_quantity_and_follows_a_rename(
    workshop, branch, manager, technician
):
    _known_screen(workshop, branch, manager, technician, cost="1800.00")
    order = stocked_order(workshop, branch, manager, lines=[("Screen", 3, "3000")])
    line = order.lines.get()
    assert line.cost == D("5400.00")
    order_services.line_update(line=line, data={"quantity": 2}, by=manager)
    line.refresh_from_db()
    assert line.cost == D("3600.00")
    order_services.line_update(line=line, data={"name": "Unknown part"}, by=manager)
    line.refresh_from_db()
    assert line.cost is None


def test_line_cost_of_a_stocked_product_is_the_average_then_the_write_off(
    workshop, branch, manager
):
    ssd = make_product(workshop, "SSD 1 TB", price="6490", sku="SSD-1T", barcode="4601234567890")
    receive(branch, manager, (ssd, 2, "100"), (ssd, 1, "131"))
    sale = stocked_order(workshop, branch, manager, lines=[("SSD 1 TB", 2, "6490")])
    line = sale.lines.get()
    assert line.cost == D("220.66")  # 2 × the average 110.33 while held
    services.payment_take(
        order=sale, amounts={"cash": D("12980")}, by=manager, key=None, version=None, issue=True
    )
    line.refresh_from_db()
    sale.refresh_from_db()
    assert sale.status == Status.ISSUED
    assert line.cost == D("220.67")  # what the two left stock at: 331 × 2 / 3
    earning = EarningLine.objects.get(earning__order=sale)
    assert (earning.cost, earning.cost_source) == (D("220.67"), "warehouse")


def test_line_cost_margin_report_counts_known_costs_and_keeps_unknown_apart(
    workshop, branch, manager, technician
):
    _known_screen(workshop, branch, manager, technician)
    issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[(GOODS, "Screen", "3000", technician), (GOODS, "Mystery", "700", technician)],
    )
    period = reports.named_period(reports.PeriodKey.MONTH)
    (series,) = reports.report("margin", workshop, period, None)
    # Sales 3000 (first screen, cost set after it settled: unknown then) + 3000 + 700.
    total = series.total
    assert total[2] == D("6700.00")  # sales issued
    assert total[3] == D("1800.00")  # cost of the goods whose cost is known
    assert total[5] == D("3700.00")  # goods of unknown cost: the first screen, the mystery
    assert total[4] == D("1200.00")  # margin of what has a known cost
