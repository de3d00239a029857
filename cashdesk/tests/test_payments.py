"""Issue and take payment, debts, prepayments: the rules and the bad input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, OrderBalance, Shift
from cashdesk.tests.conftest import READY, make_order
from orders import services as order_services
from orders.models import JournalEntry, Order
from orders.workflow import Status

pytestmark = pytest.mark.django_db

D = Decimal


def pay(order, by, key=None, issue=True, **amounts):
    return services.payment_take(
        order=order,
        amounts={m: D(v) for m, v in amounts.items()},
        by=by,
        key=key or uuid.uuid4(),
        version=order.version,
        issue=issue,
    )


def entries(order):
    return list(
        CashEntry.objects.filter(order=order).order_by("id").values_list("kind", "method", "amount")
    )


def test_payment_issue_with_a_split_records_both_and_issues(ready_order, manager, branch):
    taken = pay(ready_order, manager, cash="3000", card="1200")
    ready_order.refresh_from_db()
    assert ready_order.status == Status.ISSUED
    assert entries(ready_order) == [
        (EntryKind.PAYMENT, "cash", D("3000.00")),
        (EntryKind.PAYMENT, "card", D("1200.00")),
    ]
    assert {e.shift_id for e in taken} == {Shift.objects.get(branch=branch).pk}
    assert services.order_money(ready_order) == (D("4200.00"), D("4200.00"), D("0.00"))
    assert OrderBalance.objects.get(order=ready_order).paid == D("4200.00")
    actions = list(
        JournalEntry.objects.filter(order=ready_order)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["transition", "cashdesk.payment"]


def test_payment_sale_is_paid_and_issued_in_one_step(sale, manager):
    pay(sale, manager, transfer="990")
    sale.refresh_from_db()
    assert sale.status == Status.ISSUED
    assert entries(sale) == [(EntryKind.PAYMENT, "transfer", D("990.00"))]


def test_payment_plain_move_to_issued_is_refused_while_money_is_due(ready_order, manager):
    with pytest.raises(order_services.TransitionRefused, match="Take the payment first"):
        order_services.order_transition(order=ready_order, to=Status.ISSUED, by=manager)
    assert Order.objects.get(pk=ready_order.pk).status == Status.READY_NOTIFY


def test_payment_plain_move_passes_when_nothing_is_due(workshop, branch, manager):
    order = make_order(workshop, branch, manager, lines=(), to=READY)
    order_services.order_transition(order=order, to=Status.ISSUED, by=manager)
    assert order.status == Status.ISSUED


def test_payment_split_must_add_up_to_the_total(ready_order, manager):
    with pytest.raises(ValidationError) as exc:
        services.payment_take(
            order=ready_order,
            amounts={"cash": D("3000"), "card": D("1000")},
            total=D("4200"),
            by=manager,
            key=uuid.uuid4(),
            version=ready_order.version,
            issue=True,
        )
    assert exc.value.message_dict == {"total": ["The methods add up to 4,000.00, not 4,200.00."]}
    assert entries(ready_order) == []


def test_payment_partial_issue_needs_the_debt_permission(ready_order, manager, director):
    with pytest.raises(ValidationError, match="1,200.00 would stay unpaid"):
        pay(ready_order, manager, cash="3000")
    with pytest.raises(services.NotPermitted, match="Only the director"):
        services.payment_take(
            order=ready_order,
            amounts={"cash": D("3000")},
            by=manager,
            key=uuid.uuid4(),
            version=ready_order.version,
            issue=True,
            debt=True,
        )
    assert entries(ready_order) == []
    services.payment_take(
        order=ready_order,
        amounts={"cash": D("3000")},
        by=director,
        key=uuid.uuid4(),
        version=ready_order.version,
        issue=True,
        debt=True,
    )
    ready_order.refresh_from_db()
    assert ready_order.status == Status.ISSUED
    assert services.order_money(ready_order)[2] == D("1200.00")
    # Paying the debt later is a payment on that order; then nothing more is due.
    pay(ready_order, manager, issue=False, card="1200")
    assert services.order_money(ready_order)[2] == D("0.00")
    with pytest.raises(services.CashError, match="paid in full"):
        pay(ready_order, manager, issue=False, card="1")


@pytest.mark.parametrize(
    ("amounts", "field", "message"),
    [
        ({"cash": D("0")}, "total", "4,200.00 would stay unpaid"),
        ({"cash": D("-5")}, "cash", "greater than zero"),
        ({"cash": D("10.005")}, "cash", "two decimals"),
        ({"cash": D("1000000000")}, "cash", "more than any bill"),
        ({"cash": D("5000")}, "total", "more than is due: 4,200.00"),
    ],
)
def test_payment_bad_amounts_record_nothing(ready_order, manager, amounts, field, message):
    with pytest.raises(ValidationError) as exc:
        services.payment_take(
            order=ready_order,
            amounts=amounts,
            by=manager,
            key=uuid.uuid4(),
            version=ready_order.version,
            issue=True,
        )
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert entries(ready_order) == []
    assert Order.objects.get(pk=ready_order.pk).status == Status.READY_NOTIFY


def test_payment_a_float_never_gets_through(ready_order, manager):
    with pytest.raises(ValidationError):
        services.payment_take(
            order=ready_order,
            amounts={"cash": 4200.0},
            by=manager,
            key=uuid.uuid4(),
            version=ready_order.version,
            issue=True,
        )


def test_payment_technician_is_refused(ready_order, technician):
    with pytest.raises(services.NotPermitted):
        pay(ready_order, technician, cash="4200")
    assert entries(ready_order) == []


def test_payment_double_submit_records_one_payment(ready_order, manager):
    key = uuid.uuid4()
    version = ready_order.version
    first = services.payment_take(
        order=ready_order,
        amounts={"cash": D("4200")},
        by=manager,
        key=key,
        version=version,
        issue=True,
    )
    with pytest.raises(services.AlreadyRecorded) as exc:
        services.payment_take(
            order=Order.objects.get(pk=ready_order.pk),
            amounts={"cash": D("4200")},
            by=manager,
            key=key,
            version=version,
            issue=True,
        )
    assert [e.pk for e in exc.value.entries] == [e.pk for e in first]
    assert len(entries(ready_order)) == 1


def test_payment_stale_card_is_refused(ready_order, manager):
    seen = ready_order.version
    order_services.line_add(
        order=Order.objects.get(pk=ready_order.pk),
        data={"kind": "service", "name": "Extra", "quantity": 1, "unit_price": D("100")},
        by=manager,
    )
    with pytest.raises(services.StaleCard):
        services.payment_take(
            order=ready_order,
            amounts={"cash": D("4200")},
            by=manager,
            key=uuid.uuid4(),
            version=seen,
            issue=True,
        )
    assert entries(ready_order) == []


def test_payment_failure_half_way_leaves_neither_payment_nor_status(
    ready_order, manager, monkeypatch
):
    """An error after the entries are written (in the move to "issued") rolls both back."""

    def explode(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.order_services, "order_transition", explode)
    with pytest.raises(RuntimeError):
        pay(ready_order, manager, cash="4200")
    assert entries(ready_order) == []
    assert not OrderBalance.objects.filter(order=ready_order, paid__gt=0).exists()
    assert Order.objects.get(pk=ready_order.pk).status == Status.READY_NOTIFY


def test_payment_before_issue_is_a_prepayment(workshop, branch, manager):
    order = make_order(workshop, branch, manager)
    with pytest.raises(services.CashError, match="take a prepayment"):
        pay(order, manager, issue=False, cash="100")
    services.prepayment_take(order=order, amounts={"cash": D("1000")}, by=manager, key=None)
    assert entries(order) == [(EntryKind.PREPAYMENT, "cash", D("1000.00"))]
    for status in READY:
        order_services.order_transition(order=order, to=status, by=manager)
    # The card's "Issue" takes what is left.
    pay(order, manager, card="3200")
    assert services.order_money(order) == (D("4200.00"), D("4200.00"), D("0.00"))


def test_prepayment_refused_on_closed_and_deleted_orders(ready_order, manager, director):
    pay(ready_order, manager, cash="4200")
    with pytest.raises(services.CashError, match="before the order is issued"):
        services.prepayment_take(order=ready_order, amounts={"cash": D("10")}, by=manager, key=None)
    other = make_order(ready_order.workshop, ready_order.branch, manager)
    order_services.order_soft_delete(order=other, by=director)
    with pytest.raises(services.CashError, match="deleted"):
        services.prepayment_take(order=other, amounts={"cash": D("10")}, by=manager, key=None)


def test_payment_issue_from_a_status_that_cannot_be_issued(workshop, branch, manager):
    order = make_order(workshop, branch, manager)  # in the queue
    with pytest.raises(services.CashError, match="cannot be issued"):
        pay(order, manager, cash="4200")


def test_payment_a_refused_repair_pays_its_diagnostics_when_handed_back(workshop, branch, manager):
    """The bill is Order.total: the lines plus the diagnostic cost once it is charged."""
    order = order_services.order_create(
        workshop=workshop,
        branch=branch,
        kind="repair",
        by=manager,
        client_data={"phone": "+79160000001", "name": "Отказник"},
        device_data={"device_type": "Laptop"},
        order_data={"problem": "Dead", "diagnostic_cost": D("500")},
    )
    order_services.order_transition(order=order, to=Status.REFUSED, by=manager)
    order.refresh_from_db()
    assert services.order_money(order) == (D("500.00"), D("0.00"), D("500.00"))
    with pytest.raises(order_services.TransitionRefused, match="Take the payment first"):
        order_services.order_transition(order=order, to=Status.ISSUED, by=manager)
    pay(order, manager, cash="500")
    order.refresh_from_db()
    assert order.status == Status.ISSUED
