"""Regression tests for defects found in review: refunds beyond what was paid, reversed
salary payouts counted as paid, a close booking cash taken during the count as short,
and a second reversal of one entry."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cashdesk import payroll, services
from cashdesk.models import CashEntry, EntryKind, Shift
from cashdesk.tests.conftest import SERVICE
from cashdesk.tests.test_payroll import issued_order, joined

pytestmark = pytest.mark.django_db

D = Decimal


def _ledger(order):
    return list(
        CashEntry.objects.filter(order=order).order_by("pk").values_list("kind", "method", "amount")
    )


def _paid_half_and_half_refunded_by_card(order, director):
    services.payment_take(
        order=order,
        amounts={"cash": D("2100"), "card": D("2100")},
        by=director,
        key=uuid.uuid4(),
        version=order.version,
        issue=True,
    )
    services.refund_make(
        order=order, amounts={"card": D("2100")}, by=director, key=uuid.uuid4(), reason="r1"
    )
    return CashEntry.objects.get(order=order, kind=EntryKind.PAYMENT, method="card")


def test_reverse_payment_refused_when_its_method_was_refunded(ready_order, director):
    card_pay = _paid_half_and_half_refunded_by_card(ready_order, director)
    before = _ledger(ready_order)
    with pytest.raises(services.CashError) as exc:
        services.entry_reverse(entry=card_pay, by=director, reason="wrong", key=uuid.uuid4())
    assert str(exc.value.message) == (
        "Only 0.00 is paid on this order by Card now: reverse its refunds by Card first."
    )
    assert _ledger(ready_order) == before
    assert services.order_paid(ready_order) == D("2100.00")


def _legacy_card_reversal(order, director):
    """A ledger written before reversals checked the method: the card payment reversed
    after its refund (cash 2 100 paid, card 2 100 − 2 100 − 2 100: nothing paid in all)."""
    card_pay = _paid_half_and_half_refunded_by_card(order, director)
    with transaction.atomic():
        services._record(
            [
                services._entry(
                    by=director,
                    branch=card_pay.branch,
                    shift=card_pay.shift,
                    kind=EntryKind.PAYMENT,
                    method="card",
                    amount=-card_pay.amount,
                    key=uuid.uuid4(),
                    order=order,
                    reverses=card_pay,
                )
            ]
        )


def test_refund_refused_beyond_the_order_total_paid(ready_order, director):
    _legacy_card_reversal(ready_order, director)
    assert services.order_paid(ready_order) == D("0.00")
    before = _ledger(ready_order)
    with pytest.raises(ValidationError) as exc:
        services.refund_make(
            order=ready_order,
            amounts={"cash": D("2100")},
            by=director,
            key=uuid.uuid4(),
            reason="r2",
        )
    assert exc.value.message_dict == {
        "cash": ["Only 0.00 is paid on this order in all: a refund cannot be more."]
    }
    assert _ledger(ready_order) == before
    assert services.order_paid(ready_order) == D("0.00")


def test_refund_view_shows_the_total_limit_next_to_the_field(
    director_client, ready_order, director
):
    _legacy_card_reversal(ready_order, director)
    ready_order.refresh_from_db()
    url = reverse("cashdesk:order_refund", kwargs={"order_number": ready_order.number})
    response = director_client.post(
        url,
        {
            "key": str(uuid.uuid4()),
            "version": ready_order.version,
            "cash": "2100",
            "reason": "r2",
        },
    )
    assert response.context["form"].errors["cash"] == [
        "Only 0.00 is paid on this order in all: a refund cannot be more."
    ]
    assert services.order_paid(ready_order) == D("0.00")


def test_payroll_reversed_payout_is_owed_again(workshop, branch, director, manager, technician):
    day = dt.date(2026, 11, 10)
    joined(technician, dt.date(2026, 11, 1))
    payroll.rule_add(
        member=technician, effective_from=dt.date(2026, 11, 1), per_order=D("100"), by=director
    )
    issued_order(
        workshop,
        branch,
        manager,
        assignee=technician,
        lines=[(SERVICE, "Fix", "1000", technician)],
        on=day,
    )
    closed = payroll.payroll_close(
        workshop=workshop, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), by=director
    )
    services.deposit_record(branch=branch, amount=D("500"), by=director, key=None)
    entry = payroll.payroll_pay(
        payroll=closed, member=technician, amount=D("100"), branch=branch, by=director, key=None
    )
    emp = payroll.payroll_sheet(closed).employee(technician.pk)
    assert (emp.paid, emp.owed) == (D("100.00"), D("0.00"))
    services.entry_reverse(entry=entry, by=director, reason="paid the wrong person", key=None)
    emp = payroll.payroll_sheet(closed).employee(technician.pk)
    assert (emp.paid, emp.owed) == (D("0.00"), D("100.00"))
    again = payroll.payroll_pay(
        payroll=closed, member=technician, amount=D("100"), branch=branch, by=director, key=None
    )
    assert again.amount == D("-100.00")
    emp = payroll.payroll_sheet(closed).employee(technician.pk)
    assert (emp.paid, emp.owed) == (D("100.00"), D("0.00"))
    with pytest.raises(ValidationError):
        payroll.payroll_pay(
            payroll=closed, member=technician, amount=D("100"), branch=branch, by=director, key=None
        )


def test_close_refused_for_cash_taken_while_counting(
    director_client, director, manager, branch, ready_order
):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = Shift.objects.get()
    url = reverse("cashdesk:shift_close", kwargs={"shift_id": shift.pk})
    page = director_client.get(url)
    assert 'id="expected-cash">1,000.00' in page.content.decode()
    form = page.context["form"]
    hidden = {"key": str(form["key"].value()), "seen": form["seen"].value()}
    # The director counts 1 000; meanwhile the front desk takes 4 200 in cash.
    services.payment_take(
        order=ready_order,
        amounts={"cash": D("4200")},
        by=manager,
        key=uuid.uuid4(),
        version=ready_order.version,
        issue=True,
    )
    response = director_client.post(url, {"counted": "1000", **hidden})
    assert response.status_code == 200
    assert response.context["form"].errors["counted"] == [
        "4,200.00 was recorded while you counted; count again."
    ]
    assert 'id="expected-cash">5,200.00' in response.content.decode()
    assert Shift.objects.get(pk=shift.pk).is_open
    assert not CashEntry.objects.filter(kind=EntryKind.DIFFERENCE).exists()
    # The redrawn form counts against the drawer as it is now.
    redrawn = response.context["form"]
    assert redrawn["seen"].value() == str(CashEntry.objects.latest("pk").pk)
    response = director_client.post(
        url, {"counted": "5200", "key": hidden["key"], "seen": redrawn["seen"].value()}
    )
    assert response.url == reverse("cashdesk:z_report", kwargs={"shift_id": shift.pk})
    closed = Shift.objects.get(pk=shift.pk)
    assert (closed.expected_cash, closed.counted_cash) == (D("5200.00"), D("5200.00"))
    assert not CashEntry.objects.filter(kind=EntryKind.DIFFERENCE).exists()


def test_close_without_the_pages_figures_is_refused(director_client, director, branch):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = Shift.objects.get()
    url = reverse("cashdesk:shift_close", kwargs={"shift_id": shift.pk})
    response = director_client.post(url, {"counted": "1000"})
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    assert Shift.objects.get(pk=shift.pk).is_open


def test_close_difference_carries_the_forms_key(director, branch):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = Shift.objects.get()
    key = uuid.uuid4()
    services.shift_close(shift=shift, counted=D("990"), by=director, key=key, seen=None)
    assert list(CashEntry.objects.filter(key=key).values_list("kind", "amount")) == [
        (EntryKind.DIFFERENCE, D("-10.00"))
    ]


def test_second_reversal_past_the_check_is_refused_not_crashed(branch, director):
    entry = services.deposit_record(branch=branch, amount=D("500"), by=director, key=None)
    services.entry_reverse(entry=entry, by=director, reason="r", key=None)
    # What a second reversal that got past the check (no lock) would insert: the unique
    # constraint refuses it, and the refusal says why.
    with pytest.raises(services.CashError) as exc, transaction.atomic():
        services._record(
            [
                services._entry(
                    by=director,
                    branch=branch,
                    shift=entry.shift,
                    kind=entry.kind,
                    method=entry.method,
                    amount=-entry.amount,
                    key=uuid.uuid4(),
                    reverses=entry,
                )
            ]
        )
    assert str(exc.value.message) == "This entry is already reversed."
    assert CashEntry.objects.filter(reverses=entry).count() == 1


def test_issue_of_a_prepaid_order_sent_again_is_already_recorded(
    manager_client, manager, ready_order
):
    services.prepayment_take(order=ready_order, amounts={"card": D("4200")}, by=manager, key=None)
    ready_order.refresh_from_db()
    url = reverse("cashdesk:order_issue", kwargs={"order_number": ready_order.number})
    form = {"key": str(uuid.uuid4()), "version": ready_order.version, "total": "0"}
    first = manager_client.post(url, form)
    assert first.status_code == 302
    ready_order.refresh_from_db()
    assert ready_order.status == "issued"
    again = manager_client.post(url, form)
    assert again.status_code == 302
    assert [str(m) for m in again.wsgi_request._messages][-1] == (
        "This was already recorded; it was not recorded a second time."
    )
    assert list(CashEntry.objects.values_list("kind", "amount")) == [
        (EntryKind.PREPAYMENT, D("4200.00"))
    ]
