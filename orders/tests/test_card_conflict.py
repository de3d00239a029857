"""A refused stale save re-renders the card cleanly: no false errors, a fresh journal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders import services
from orders.models import Order
from orders.tests.test_card import card_post, card_url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_card_conflict_rerender_has_no_error_on_untouched_fields(
    manager, technician, director_client, manager_client, repair_order
):
    services.order_update(order=repair_order, data={"assignee": technician}, version=1, by=manager)
    # B opens the card (the assignee is set), then A saves a note meanwhile.
    stale = card_post(director_client, repair_order, estimate="4 200")
    services.order_update(
        order=repair_order, data={"notes": "Позвонить после 18:00"}, version=2, by=manager
    )
    response = director_client.post(card_url(repair_order), stale, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this order while you were editing it." in html
    form = response.context["form"]
    assert form.errors == {}
    assert form["assignee"].value() == str(technician.pk)
    assert form["estimate"].value() == "4 200"
    # The journal panel is refreshed out of band, with A's change in it.
    journal = html[html.index('id="journal"') :]
    assert 'hx-swap-oob="true"' in journal[:200]
    assert "Позвонить после 18:00" in journal
    # Saving again saves B's edit on top of A's.
    again = dict(form.data)
    again["version"] = Order.objects.get().version
    saved = director_client.post(card_url(repair_order), again, headers=HX)
    assert "Saved." in saved.content.decode()
    order = Order.objects.get()
    assert (order.estimate, order.notes, order.assignee) == (
        Decimal("4200.00"),
        "Позвонить после 18:00",
        technician,
    )
