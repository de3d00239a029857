"""The ledger is append-only: no edit, no delete, ever; corrections are reversing entries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from cashdesk import services
from cashdesk.models import AppendOnlyError, CashEntry, EntryKind, Shift

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def entry(branch, director):
    return services.deposit_record(branch=branch, amount=D("500"), by=director, key=None)


def test_ledger_entry_cannot_be_saved_again(entry):
    entry.amount = D("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert CashEntry.objects.get(pk=entry.pk).amount == D("500.00")


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(amount=D("1")),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["amount"]),
        lambda qs: qs.update_or_create(pk=qs.get().pk, defaults={"amount": D("1")}),
    ],
)
def test_ledger_queryset_refuses_updates_and_deletes(entry, change):
    with pytest.raises(AppendOnlyError):
        change(CashEntry.objects.filter(pk=entry.pk))
    assert CashEntry.objects.filter(pk=entry.pk, amount=D("500.00")).exists()


def test_ledger_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert CashEntry.objects.filter(pk=entry.pk).exists()


def test_ledger_database_refuses_an_update_behind_the_orm(entry):
    """Even raw SQL cannot change an entry: a trigger in the database refuses it."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE cashdesk_cashentry SET amount = 1 WHERE id = %s", [entry.pk])
    assert CashEntry.objects.get(pk=entry.pk).amount == D("500.00")


def test_ledger_shift_and_order_rows_are_protected(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Shift.objects.get(pk=entry.shift_id).delete()


def test_ledger_one_reversal_per_entry_even_behind_the_services(entry, director):
    services.entry_reverse(entry=entry, by=director, reason="typo", key=None)
    twin = CashEntry(
        workshop=entry.workshop,
        kind=entry.kind,
        method=entry.method,
        amount=-entry.amount,
        branch=entry.branch,
        shift=entry.shift,
        by=director,
        reverses=entry,
        key=uuid.uuid4(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_ledger_zero_and_homeless_entries_are_refused_by_the_database(entry, director):
    base = {
        "workshop": entry.workshop,
        "kind": EntryKind.DEPOSIT,
        "method": "cash",
        "branch": entry.branch,
        "by": director,
    }
    for values in (
        {"amount": D("0"), "shift": entry.shift},
        {"amount": D("5")},  # neither a drawer nor a holder
        {"amount": D("5"), "shift": entry.shift, "holder": director},  # both
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CashEntry(**base, **values, key=uuid.uuid4()).save()


def test_ledger_reversal_names_the_entry_and_keeps_it(entry, director):
    (reversal,) = services.entry_reverse(entry=entry, by=director, reason="wrong drawer", key=None)
    assert (reversal.kind, reversal.amount, reversal.reverses_id) == (
        EntryKind.DEPOSIT,
        D("-500.00"),
        entry.pk,
    )
    assert reversal.comment == "wrong drawer" and reversal.by == director
    assert CashEntry.objects.get(pk=entry.pk).amount == D("500.00")
    assert list(entry.reversals.all()) == [reversal]
