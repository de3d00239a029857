"""Random sequences of cash operations: every total is the sum of its entries, exactly,
and no entry is ever changed or removed (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from cashdesk import selectors, services
from cashdesk.models import ORDER_KINDS, ZERO, CashEntry, Method, OrderBalance, Shift
from cashdesk.tests.conftest import READY, make_order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

METHODS = list(Method.values)
kopecks = st.integers(min_value=1, max_value=1_000_000).map(lambda k: Decimal(k) / 100)
order_no = st.integers(min_value=0, max_value=2)
# A share of what is there (the drawer's cash, a technician's field cash); over 100 is refused.
percent = st.integers(min_value=1, max_value=120)


def _share(amount: Decimal, pct: int) -> Decimal:
    return max((amount * pct / 100).quantize(Decimal("0.01")), Decimal("0.01"))


operations = st.one_of(
    st.tuples(st.just("prepay"), order_no, st.sampled_from(METHODS), kopecks),
    st.tuples(st.just("issue"), order_no, percent, st.integers(0, 100), st.booleans()),
    st.tuples(st.just("pay_debt"), order_no, st.sampled_from(METHODS), percent),
    st.tuples(st.just("refund"), order_no, st.sampled_from(METHODS), percent),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("expense"), st.sampled_from(METHODS), kopecks),
    st.tuples(st.just("withdraw"), percent),
    st.tuples(st.just("deposit"), kopecks),
    st.tuples(st.just("field"), kopecks),
    st.tuples(st.just("hand_in"), percent),
    st.tuples(st.just("close"), st.integers(min_value=-5000, max_value=5000)),
)


class Rollback(Exception):
    pass


def _world():
    workshop = WorkshopFactory()
    branch = BranchFactory(workshop=workshop)
    director = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    tech = MembershipFactory(workshop=workshop, role=Role.TECHNICIAN, branches=[branch])
    orders = [
        make_order(workshop, branch, director, lines=(("A", "1234.56"),), to=READY),
        make_order(workshop, branch, director, lines=(("B", "99.99"), ("C", "10")), to=READY),
        make_order(
            workshop,
            branch,
            director,
            kind=Kind.CALL_OUT,
            lines=(("Visit", "2500"),),
            to=(Status.ON_SITE,),
        ),
    ]
    return workshop, branch, director, tech, orders


def _apply(op, *, branch, director, tech, orders):
    name, *args = op
    key = uuid.uuid4()
    if name == "prepay":
        order, method, amount = orders[args[0]], args[1], args[2]
        services.prepayment_take(order=order, amounts={method: amount}, by=director, key=key)
    elif name == "issue":
        order = orders[args[0]]
        order.refresh_from_db()
        due = max(services.order_money(order)[2], ZERO)
        amount = _share(due, args[1]) if due else ZERO
        cash = (amount * args[2] / 100).quantize(Decimal("0.01"))
        services.payment_take(
            order=order,
            amounts={"cash": cash, "card": amount - cash},
            by=director,
            key=key,
            version=order.version,
            issue=True,
            debt=args[3],
        )
    elif name == "pay_debt":
        order, method = orders[args[0]], args[1]
        amount = _share(max(services.order_money(order)[2], ZERO), args[2])
        services.payment_take(
            order=order, amounts={method: amount}, by=director, key=key, version=None
        )
    elif name == "refund":
        order, method = orders[args[0]], args[1]
        paid = selectors.order_money(order).paid_by_method().get(method, ZERO)
        amount = _share(max(paid, ZERO), args[2])
        services.refund_make(
            order=order, amounts={method: amount}, by=director, key=key, reason="property"
        )
    elif name == "reverse":
        entries = list(CashEntry.objects.filter(workshop=branch.workshop).order_by("id"))
        if entries:
            entry = entries[args[0] % len(entries)]
            services.entry_reverse(entry=entry, by=director, reason="property", key=key)
    elif name == "expense":
        services.expense_record(
            branch=branch, amount=args[1], by=director, key=key, category="parts", method=args[0]
        )
    elif name == "withdraw":
        cash = services.drawer_cash(services.shift_open(branch=branch, by=director))
        services.withdrawal_record(
            branch=branch, amount=_share(cash, args[0]), by=director, key=key
        )
    elif name == "deposit":
        services.deposit_record(branch=branch, amount=args[0], by=director, key=key)
    elif name == "field":
        services.field_cash_take(order=orders[2], amount=args[0], by=tech, key=key)
    elif name == "hand_in":
        amount = _share(services.field_cash_held(tech), args[0])
        services.field_cash_hand_in(holder=tech, branch=branch, amount=amount, by=director, key=key)
    elif name == "close":
        shift = services.shift_open(branch=branch, by=director)
        counted = max(services.drawer_cash(shift) + Decimal(args[0]) / 100, ZERO)
        services.shift_close(shift=shift, counted=counted, by=director)


def _snapshot(workshop) -> dict:
    return {
        row[0]: row
        for row in CashEntry.objects.filter(workshop=workshop).values_list(
            "pk", "kind", "method", "amount", "shift", "holder", "order", "reverses", "key", "seq"
        )
    }


def _check_totals(workshop, orders) -> None:
    entries = list(CashEntry.objects.filter(workshop=workshop))
    for order in orders:
        expected = sum(
            (e.amount for e in entries if e.order_id == order.pk and e.kind in ORDER_KINDS), ZERO
        )
        stored = OrderBalance.objects.filter(order=order).values_list("paid", flat=True).first()
        assert (stored if stored is not None else ZERO) == expected
        assert selectors.order_money(order).paid == expected
    for shift in Shift.objects.filter(workshop=workshop):
        mine = [e for e in entries if e.shift_id == shift.pk]
        summary = selectors.shift_summary(shift)
        by_method = {}
        for e in mine:
            by_method[e.method] = by_method.get(e.method, ZERO) + e.amount
        assert summary.by_method == {m: v for m, v in by_method.items() if v}
        assert sum(summary.by_kind.values(), ZERO) == sum((e.amount for e in mine), ZERO)
        assert sum((v for _m, v in summary.by_employee), ZERO) + summary.difference == sum(
            (e.amount for e in mine), ZERO
        )
        cash = shift.opening_cash + by_method.get(Method.CASH, ZERO)
        assert services.drawer_cash(shift) == cash
        if not shift.is_open and shift.counted_cash is not None:
            assert cash == shift.counted_cash  # the difference entry makes the count true
    assert Shift.objects.filter(workshop=workshop, closed_at__isnull=True).count() <= 1
    held = {}
    for e in entries:
        if e.shift_id is None:
            held[e.holder_id] = held.get(e.holder_id, ZERO) + e.amount
    assert all(v >= 0 for v in held.values())
    assert {m.pk: v for m, v in selectors.field_cash_holders(workshop)} == {
        k: v for k, v in held.items() if v
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=1, max_size=25))
def test_property_every_total_is_the_sum_of_its_entries(ops):
    try:
        with transaction.atomic():
            workshop, branch, director, tech, orders = _world()
            seen = {}
            for op in ops:
                before = CashEntry.objects.filter(workshop=workshop).count()
                try:
                    with transaction.atomic():
                        _apply(op, branch=branch, director=director, tech=tech, orders=orders)
                    event(f"{op[0]} recorded")
                except (services.CashError, ValidationError):
                    event(f"{op[0]} refused")
                    # A refusal records nothing.
                    assert CashEntry.objects.filter(workshop=workshop).count() == before
                now = _snapshot(workshop)
                # Append-only: every row seen before is still there, unchanged.
                assert all(now.get(pk) == row for pk, row in seen.items())
                seen = now
                _check_totals(workshop, orders)
            raise Rollback
    except Rollback:
        pass
