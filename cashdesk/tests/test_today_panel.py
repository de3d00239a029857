from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind

pytestmark = pytest.mark.django_db


def test_today_view_shows_the_open_shifts_takings(manager_client, branch, manager):
    shift = services.shift_open(branch=branch, by=manager)
    CashEntry.objects.bulk_create(
        [
            CashEntry(
                workshop=branch.workshop,
                branch=branch,
                shift=shift,
                kind=EntryKind.PAYMENT,
                method=method,
                amount=Decimal(amount),
                by=manager,
                key=uuid.uuid4(),
            )
            for method, amount in (("cash", "1500.00"), ("card", "2000.50"))
        ]
    )
    html = manager_client.get(reverse("orders:today")).content.decode()
    assert "Takings of the open shift" in html
    assert "Central" in html
    assert "3,500.50" in html  # the tests run in English


def test_today_view_without_a_shift_says_so(manager_client):
    assert "No shift is open." in manager_client.get(reverse("orders:today")).content.decode()


def test_today_view_hides_takings_from_a_technician(technician_client):
    html = technician_client.get(reverse("orders:today")).content.decode()
    assert "Takings of the open shift" not in html
