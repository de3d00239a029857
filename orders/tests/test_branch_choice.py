"""The "+" forms preselect the branch the person works in now, shown at the top."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory
from orders import services
from orders.forms import OrderCreateForm
from orders.workflow import Kind

pytestmark = pytest.mark.django_db


def _form(page) -> OrderCreateForm:
    """The page's order form (other apps' intake steps render forms of their own)."""
    return next(c["form"] for c in page.context if isinstance(c.get("form"), OrderCreateForm))


def _branch_field(page):
    return _form(page)["branch"].value()


def _top(page) -> str:
    """The page up to the client box."""
    return page.content.decode().split('id="client-block"')[0]


def test_branch_director_gets_the_branch_last_saved_in(
    workshop, branch, other_branch, director_client
):
    BranchFactory(workshop=workshop, name="South")
    first = director_client.get(reverse("orders:new_sale"))
    assert 'name="branch"' in _top(first)  # above the client box, not inside it
    post = {"branch": other_branch.pk, "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    assert director_client.post(reverse("orders:new_sale"), post).status_code == 302
    for url in ("orders:new_sale", "orders:new_repair", "orders:new_call_out"):
        assert _branch_field(director_client.get(reverse(url))) == str(other_branch.pk)


def test_branch_a_director_given_a_branch_starts_in_it(workshop, branch, other_branch, client_for):
    north_director = MembershipFactory(
        workshop=workshop, role=Role.DIRECTOR, branches=[other_branch]
    )
    page = client_for(north_director).get(reverse("orders:new_repair"))
    choices = [pk for pk, _name in _form(page).fields["branch"].choices]
    assert choices[0] == str(branch.pk)  # the first in the list is not the one preselected
    assert _branch_field(page) == str(other_branch.pk)


def test_branch_single_branch_is_named_at_the_top(branch, manager_client):
    page = manager_client.get(reverse("orders:new_repair"))
    assert "Branch: <strong>Central</strong>" in _top(page)


def test_branch_returning_client_suggests_their_last_orders_branch(
    workshop, branch, other_branch, director, director_client
):
    order = services.order_create(
        workshop=workshop,
        branch=other_branch,
        kind=Kind.CALL_OUT,
        by=director,
        client_data={"phone": "+79123456789", "name": "Ольга"},
        order_data={"address": "ул. Мира, 1", "visit_at": None},
    )
    response = director_client.get(
        reverse("orders:lookup"), {"phone": "8 912 345-67-89", "kind": "repair"}
    )
    html = response.content.decode()
    assert 'id="branch-block"' in html and 'hx-swap-oob="true"' in html
    assert f'<option value="{other_branch.pk}" selected>North</option>' in html
    assert f"Their last order (№{order.number}) was taken in North" in html
    unknown = director_client.get(reverse("orders:lookup"), {"phone": "+79990001122"})
    assert 'id="branch-block"' not in unknown.content.decode()


def test_branch_new_order_from_the_client_card_starts_filled(
    workshop, branch, other_branch, director, director_client
):
    order = services.order_create(
        workshop=workshop,
        branch=other_branch,
        kind=Kind.REPAIR,
        by=director,
        client_data={"phone": "+79123456789", "name": "Ольга"},
        device_data={"device_type": "Ноутбук"},
        order_data={"problem": "Шумит"},
    )
    card = director_client.get(reverse("orders:client", args=[order.client_id]))
    link = f"{reverse('orders:new_repair')}?client={order.client_id}"
    assert link in card.content.decode()
    page = director_client.get(link)
    form = _form(page)
    assert (form["phone"].value(), form["name"].value(), form["client_id"].value()) == (
        "+7 912 345-67-89",
        "Ольга",
        order.client_id,
    )
    assert [d.pk for d in page.context["devices"]] == [order.device_id]
    assert form["branch"].value() == str(other_branch.pk)
    assert "Their last order" in page.content.decode()
