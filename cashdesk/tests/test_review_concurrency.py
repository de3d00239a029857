"""Races on PostgreSQL found in review: simultaneous reversals of one entry that has no
order row to queue on (a deposit, a hand-in's pair)."""

from __future__ import annotations

import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind
from cashdesk.tests.test_concurrency import _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers")


def _reverse_job(entry_pk, director):
    def job():
        entry = CashEntry.objects.get(pk=entry_pk)
        return services.entry_reverse(entry=entry, by=director, reason="r", key=uuid.uuid4())

    return job


def test_concurrency_reversals_of_one_deposit_record_one(workshop, branch, director):
    entry = services.deposit_record(branch=branch, amount=Decimal("500"), by=director, key=None)
    services.deposit_record(branch=branch, amount=Decimal("500"), by=director, key=None)
    results = _race(workshop, [_reverse_job(entry.pk, director) for _ in range(THREADS)])
    assert Counter(r[0] for r in results) == {"ok": 1, "CashError": THREADS - 1}
    assert {r[1] for r in results if r[0] == "CashError"} == {"This entry is already reversed."}
    assert CashEntry.objects.filter(reverses=entry).count() == 1


def test_concurrency_reversals_of_both_halves_of_a_hand_in_record_one(
    workshop, branch, director, manager, technician, on_site
):
    services.field_cash_take(order=on_site, amount=Decimal("1500"), by=technician, key=None)
    out, into = services.field_cash_hand_in(
        holder=technician, branch=branch, amount=Decimal("1500"), by=manager, key=None
    )
    jobs = [_reverse_job(pk, director) for pk in (out.pk, into.pk, out.pk, into.pk)]
    results = _race(workshop, jobs)
    assert Counter(r[0] for r in results) == {"ok": 1, "CashError": THREADS - 1}
    assert CashEntry.objects.filter(kind=EntryKind.HAND_IN, reverses__isnull=False).count() == 2
    assert services.field_cash_held(technician) == Decimal("1500.00")
