from __future__ import annotations

import pytest
from simple_history.models import HistoricalRecords

from orders.tests.factories import ClientFactory
from workshop.lib.audit import acting_as

pytestmark = pytest.mark.django_db


def test_acting_as_records_the_user_outside_a_request(director, workshop):
    with acting_as(director.user):
        client = ClientFactory(workshop=workshop)
    assert not hasattr(HistoricalRecords.context, "request")
    assert [h.history_user for h in client.history.all()] == [director.user]
    client.notes = "later"
    client.save()
    assert client.history.first().history_user is None


def test_demo_history_names_who_made_each_change():
    from django.core.management import call_command

    from orders.models import Client

    call_command("seed_demo", verbosity=0)
    users = {h.history_user for c in Client.objects.all() for h in c.history.all()}
    assert None not in users
    assert users
