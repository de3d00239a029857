"""Random ledgers: every report figure of money equals the ledger's own sums, exactly, on
SQLite and PostgreSQL alike (days cut at the workshop's local midnight)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from cashdesk import reports
from cashdesk.models import ORDER_KINDS, ZERO, CashEntry, EntryKind, Method, Shift
from orders.models import Order
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

PERIOD = reports.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
entries = st.lists(
    st.tuples(
        st.sampled_from(list(EntryKind.values)),
        st.sampled_from(list(Method.values)),
        st.integers(min_value=-5_000_000, max_value=5_000_000).filter(bool),
        # Minutes from 28 February 00:00 local to 2 April: some fall outside the period,
        # some right at midnight.
        st.integers(min_value=0, max_value=34 * 24 * 60),
        st.integers(min_value=0, max_value=1),
    ),
    min_size=1,
    max_size=40,
)


class Rollback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=entries)
def test_property_reports_equal_ledger_sums(rows):
    try:
        with transaction.atomic():
            workshop = WorkshopFactory()
            branches = [BranchFactory(workshop=workshop), BranchFactory(workshop=workshop)]
            director = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
            shifts = [
                Shift.objects.create(workshop=workshop, branch=b, number=1, opened_by=director)
                for b in branches
            ]
            order = Order.objects.create(
                workshop=workshop,
                branch=branches[0],
                number=1,
                kind=Kind.SALE,
                status=Status.ISSUED,
            )
            origin = timezone.make_aware(dt.datetime(2026, 2, 28))
            made = []
            for kind, method, kopecks, minutes, b in rows:
                made.append(
                    CashEntry(
                        workshop=workshop,
                        branch=branches[b],
                        shift=shifts[b],
                        kind=kind,
                        method=method,
                        amount=Decimal(kopecks) / 100,
                        by=director,
                        order=order if kind in ORDER_KINDS else None,
                        at=origin + dt.timedelta(minutes=minutes),
                        key=uuid.uuid4(),
                    )
                )
            CashEntry.objects.bulk_create(made)
            by_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
            by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
            by_branch: dict[str, Decimal] = defaultdict(lambda: ZERO)
            by_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
            for e in made:
                day = timezone.localtime(e.at).date()
                if e.kind in ORDER_KINDS and PERIOD.start <= day <= PERIOD.end:
                    by_day[day] += e.amount
                    by_method[str(Method(e.method).label)] += e.amount
                    by_branch[e.branch.name] += e.amount
                    by_month[day.replace(day=1)] += e.amount

            days = reports.revenue_by_day(workshop, PERIOD, None)
            assert {r[0]: r[1] for r in days.rows if r[1]} == {k: v for k, v in by_day.items() if v}
            assert days.total[1] == sum(by_day.values(), ZERO)
            methods = reports.revenue_by_method(workshop, PERIOD, None)
            assert {r[0]: r[1] for r in methods.rows if r[1]} == {
                k: v for k, v in by_method.items() if v
            }
            branch_rows = reports.revenue_by_branch(workshop, PERIOD, None)
            assert {r[0]: r[1] for r in branch_rows.rows if r[1]} == {
                k: v for k, v in by_branch.items() if v
            }
            months = reports.revenue_by_month(workshop, PERIOD, None)
            assert [r[1] for r in months.rows] == [by_month.get(PERIOD.start, ZERO)]
            one = reports.revenue_by_day(workshop, PERIOD, branches[1])
            assert one.total[1] == sum(
                (
                    e.amount
                    for e in made
                    if e.kind in ORDER_KINDS
                    and e.branch == branches[1]
                    and PERIOD.start <= timezone.localtime(e.at).date() <= PERIOD.end
                ),
                ZERO,
            )
            raise Rollback
    except Rollback:
        pass
