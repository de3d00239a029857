"""Refunds, expenses, withdrawals, deposits, reversals, shifts and field cash."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cashdesk import selectors, services
from cashdesk.models import CashEntry, EntryKind, Shift
from cashdesk.tests.conftest import make_order
from orders import services as order_services
from orders.workflow import Status

pytestmark = pytest.mark.django_db

D = Decimal


def issue(order, by, **amounts):
    return services.payment_take(
        order=order,
        amounts={m: D(v) for m, v in amounts.items()},
        by=by,
        key=uuid.uuid4(),
        version=order.version,
        issue=True,
    )


def refund(order, by, reason="faulty", **amounts):
    return services.refund_make(
        order=order,
        amounts={m: D(v) for m, v in amounts.items()},
        by=by,
        key=uuid.uuid4(),
        reason=reason,
    )


def count():
    return CashEntry.objects.count()


# ---------------------------------------------------------------- refunds


def test_refund_by_method_never_more_than_was_paid(ready_order, manager, director):
    issue(ready_order, manager, cash="3000", card="1200")
    before = count()
    with pytest.raises(ValidationError) as exc:
        refund(ready_order, director, card="1500")
    assert exc.value.message_dict == {"card": ["Only 1,200.00 was paid on this order by Card."]}
    with pytest.raises(ValidationError, match="Say why"):
        refund(ready_order, director, reason="  ", cash="100")
    assert count() == before
    refund(ready_order, director, card="1200", cash="500")
    assert services.order_money(ready_order)[1] == D("2500.00")
    with pytest.raises(ValidationError, match="Only 0.00 was paid"):
        refund(ready_order, director, card="1")


def test_refund_is_the_directors(ready_order, manager):
    issue(ready_order, manager, cash="4200")
    with pytest.raises(services.NotPermitted):
        refund(ready_order, manager, cash="100")


def test_refund_of_a_prepayment_when_the_repair_is_refused(workshop, branch, manager, director):
    order = make_order(workshop, branch, manager)
    services.prepayment_take(order=order, amounts={"cash": D("1000")}, by=manager, key=None)
    with pytest.raises(services.CashError, match="refused or cancelled"):
        refund(order, director, cash="1000")
    order_services.order_transition(order=order, to=Status.REFUSED, by=manager)
    refund(order, director, cash="1000", reason="customer declined")
    assert services.order_money(order)[1] == D("0.00")


# ---------------------------------------------------------------- the drawer


def test_expense_withdrawal_deposit_move_the_drawer(branch, director, ready_order, manager):
    issue(ready_order, manager, cash="4200")
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    services.expense_record(
        branch=branch,
        amount=D("800"),
        by=director,
        key=None,
        category="parts",
        comment="Display for №1",
        order=ready_order,
    )
    services.withdrawal_record(branch=branch, amount=D("4000"), by=director, key=None)
    shift = Shift.objects.get(branch=branch, closed_at__isnull=True)
    assert services.drawer_cash(shift) == D("400.00")
    with pytest.raises(ValidationError, match="holds only 400.00"):
        services.withdrawal_record(branch=branch, amount=D("400.01"), by=director, key=None)
    # An expense for an order is not a payment: the order's paid sum does not move.
    assert services.order_money(ready_order)[1] == D("4200.00")


def test_expense_needs_a_category_and_the_permission(branch, director, manager):
    with pytest.raises(ValidationError, match="category"):
        services.expense_record(
            branch=branch, amount=D("10"), by=director, key=None, category="", method="card"
        )
    with pytest.raises(services.NotPermitted):
        services.expense_record(
            branch=branch, amount=D("10"), by=manager, key=None, category="parts", method="card"
        )
    assert count() == 0


def test_drawer_operations_are_idempotent(branch, director):
    key = uuid.uuid4()
    services.deposit_record(branch=branch, amount=D("100"), by=director, key=key)
    with pytest.raises(services.AlreadyRecorded):
        services.deposit_record(branch=branch, amount=D("100"), by=director, key=key)
    assert count() == 1


# ---------------------------------------------------------------- reversals


def test_reversal_of_a_payment_lowers_what_the_order_paid(ready_order, manager, director):
    cash, card = issue(ready_order, manager, cash="3000", card="1200")
    services.entry_reverse(entry=card, by=director, reason="terminal declined", key=None)
    assert services.order_money(ready_order) == (D("4200.00"), D("3000.00"), D("1200.00"))


@pytest.mark.parametrize("what", ["twice", "a reversal", "a count difference"])
def test_reversal_bad_cases_are_refused(branch, director, what):
    entry = services.deposit_record(branch=branch, amount=D("100"), by=director, key=None)
    if what == "twice":
        services.entry_reverse(entry=entry, by=director, reason="x", key=None)
        message = "already reversed"
    elif what == "a reversal":
        (entry,) = services.entry_reverse(entry=entry, by=director, reason="x", key=None)
        message = "cannot be reversed"
    else:
        shift = Shift.objects.get(branch=branch)
        services.shift_close(shift=shift, counted=D("90"), by=director)
        entry = CashEntry.objects.get(kind=EntryKind.DIFFERENCE)
        message = "count difference"
    before = count()
    with pytest.raises(services.CashError, match=message):
        services.entry_reverse(entry=entry, by=director, reason="again", key=None)
    assert count() == before


def test_reversal_is_the_directors_and_needs_a_reason(branch, director, manager):
    entry = services.deposit_record(branch=branch, amount=D("100"), by=director, key=None)
    with pytest.raises(services.NotPermitted):
        services.entry_reverse(entry=entry, by=manager, reason="x", key=None)
    with pytest.raises(ValidationError, match="Say why"):
        services.entry_reverse(entry=entry, by=director, reason="", key=None)


def test_reversal_of_a_payment_refused_while_its_refund_stands(ready_order, manager, director):
    (payment,) = issue(ready_order, manager, cash="4200")
    refund(ready_order, director, cash="4200")
    with pytest.raises(services.CashError, match="reverse its refunds first"):
        services.entry_reverse(entry=payment, by=director, reason="x", key=None)


# ---------------------------------------------------------------- shifts


def test_shift_opens_by_itself_and_close_records_the_difference(branch, director, manager):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = Shift.objects.get(branch=branch)
    assert (shift.number, shift.is_open, shift.opened_by) == (1, True, director)
    closed, following = services.shift_close(shift=shift, counted=D("950"), by=director)
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        D("1000.00"),
        D("950.00"),
        D("-50.00"),
    )
    diff = CashEntry.objects.get(kind=EntryKind.DIFFERENCE)
    assert (diff.amount, diff.shift_id, diff.comment) == (D("-50.00"), shift.pk, "short")
    assert services.drawer_cash(closed) == D("950.00")
    assert (following.number, following.opening_cash, following.is_open) == (2, D("950.00"), True)
    with pytest.raises(services.CashError, match="already closed"):
        services.shift_close(shift=closed, counted=D("950"), by=director)
    # A later payment lands in the new shift.
    services.deposit_record(branch=branch, amount=D("10"), by=director, key=None)
    assert CashEntry.objects.order_by("-id").first().shift_id == following.pk


@pytest.mark.parametrize(
    ("counted", "message"), [(D("-1"), "greater than zero"), ("abc", "amount")]
)
def test_shift_close_bad_count(branch, director, counted, message):
    shift = services.shift_open(branch=branch, by=director)
    with pytest.raises(ValidationError, match=message):
        services.shift_close(shift=shift, counted=counted, by=director)
    assert Shift.objects.get(pk=shift.pk).is_open


def test_shift_close_is_the_directors(branch, manager):
    shift = services.shift_open(branch=branch, by=manager)
    with pytest.raises(services.NotPermitted):
        services.shift_close(shift=shift, counted=D("0"), by=manager)


def test_shift_summary_totals_by_method_employee_and_kind(ready_order, branch, manager, director):
    issue(ready_order, manager, cash="3000", card="1200")
    services.expense_record(
        branch=branch, amount=D("200"), by=director, key=None, category="other", method="cash"
    )
    shift = Shift.objects.get(branch=branch)
    summary = selectors.shift_summary(shift)
    assert summary.by_method == {"cash": D("2800.00"), "card": D("1200.00")}
    assert summary.by_kind == {"payment": D("4200.00"), "expense": D("-200.00")}
    assert summary.by_employee == [(manager, D("4200.00")), (director, D("-200.00"))]
    assert summary.expected_cash == D("2800.00")


# ---------------------------------------------------------------- field cash


def test_field_cash_is_held_then_handed_in_as_a_pair(on_site, technician, manager, branch):
    services.field_cash_take(order=on_site, amount=D("1500"), by=technician, key=None)
    assert services.field_cash_held(technician) == D("1500.00")
    assert services.order_money(on_site)[2] == D("0.00")
    assert not Shift.objects.exists()  # in no drawer
    with pytest.raises(ValidationError, match="holds only 1,500.00"):
        services.field_cash_hand_in(
            holder=technician, branch=branch, amount=D("2000"), by=manager, key=None
        )
    out, into = services.field_cash_hand_in(
        holder=technician, branch=branch, amount=D("1500"), by=manager, key=None
    )
    assert (out.amount, out.holder, out.shift) == (D("-1500.00"), technician, None)
    assert (into.amount, into.counterpart, into.key) == (D("1500.00"), technician, out.key)
    assert services.field_cash_held(technician) == D("0.00")
    assert services.drawer_cash(into.shift) == D("1500.00")
    assert selectors.field_cash_holders(branch.workshop) == []


def test_field_cash_only_on_site_and_not_more_than_due(ready_order, on_site, technician):
    with pytest.raises(services.CashError, match="on a call-out"):
        services.field_cash_take(order=ready_order, amount=D("10"), by=technician, key=None)
    with pytest.raises(ValidationError, match="more than is due"):
        services.field_cash_take(order=on_site, amount=D("1500.01"), by=technician, key=None)
    assert count() == 0


def test_field_cash_reversal_refused_once_handed_in(on_site, technician, manager, director, branch):
    entry = services.field_cash_take(order=on_site, amount=D("1500"), by=technician, key=None)
    out, _into = services.field_cash_hand_in(
        holder=technician, branch=branch, amount=D("1500"), by=manager, key=None
    )
    with pytest.raises(services.CashError, match="handed this cash in"):
        services.entry_reverse(entry=entry, by=director, reason="x", key=None)
    # Reversing the hand-in reverses the pair: the cash is back in the technician's hands.
    reversals = services.entry_reverse(entry=out, by=director, reason="miscounted", key=None)
    assert sorted(r.amount for r in reversals) == [D("-1500.00"), D("1500.00")]
    assert services.field_cash_held(technician) == D("1500.00")


def test_field_cash_then_the_desk_issues_with_nothing_due(on_site, technician, manager):
    services.field_cash_take(order=on_site, amount=D("1500"), by=technician, key=None)
    issue(on_site, manager)
    on_site.refresh_from_db()
    assert on_site.status == Status.ISSUED
