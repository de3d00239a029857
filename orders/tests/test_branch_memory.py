"""The branch a person works in is remembered per person, across sign-ins (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import MembershipBranch, Role
from accounts.tests.factories import BranchFactory, MembershipFactory
from orders.forms import OrderCreateForm

pytestmark = pytest.mark.django_db

NEW_FORMS = ("orders:new_sale", "orders:new_pc_build", "orders:new_call_out", "orders:new_repair")


def _preselected(page) -> str:
    form = next(c["form"] for c in page.context if isinstance(c.get("form"), OrderCreateForm))
    return form["branch"].value()


def _sign_in_again(client, membership) -> None:
    """Sign out (the session and all it held is gone) and sign back in."""
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
    client.force_login(membership.user)


def _save_sale(client, branch) -> None:
    post = {"branch": branch.pk, "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    assert client.post(reverse("orders:new_sale"), post).status_code == 302


def test_branch_memory_survives_signing_out_and_in(
    workshop, branch, other_branch, director, director_client
):
    # "Central" comes first alphabetically; the director last worked in "North".
    _save_sale(director_client, other_branch)
    director.refresh_from_db()
    assert director.last_branch == other_branch
    _sign_in_again(director_client, director)
    for url in NEW_FORMS:
        assert _preselected(director_client.get(reverse(url))) == str(other_branch.pk), url
    assert director_client.get(reverse("warehouse:stock")).context["branch"] == other_branch
    receipt = director_client.get(reverse("warehouse:receipt_new"))
    assert receipt.context["branch"] == other_branch


def test_branch_memory_follows_the_stock_page_picker(
    workshop, branch, other_branch, director, director_client
):
    # A link naming a branch shows it but does not move where the director works.
    director_client.get(reverse("warehouse:stock"), {"branch": other_branch.pk})
    director.refresh_from_db()
    assert director.last_branch_id is None
    director_client.get(reverse("warehouse:stock"), {"branch": other_branch.pk, "switch": "1"})
    _sign_in_again(director_client, director)
    assert _preselected(director_client.get(reverse("orders:new_repair"))) == str(other_branch.pk)
    assert director_client.get(reverse("warehouse:stock")).context["branch"] == other_branch


def test_branch_memory_a_removed_branch_falls_back_to_their_first(
    workshop, branch, other_branch, client_for
):
    south = BranchFactory(workshop=workshop, name="South")
    manager = MembershipFactory(
        workshop=workshop, role=Role.MANAGER, branches=[other_branch, south, branch]
    )
    client = client_for(manager)
    _save_sale(client, south)
    MembershipBranch.objects.filter(membership=manager, branch=south).delete()
    _sign_in_again(client, manager)
    for url in NEW_FORMS:
        page = client.get(reverse(url))
        assert _preselected(page) == str(branch.pk), url  # their first (by name): Central
        offered = [pk for pk, _name in _form_choices(page)]
        assert str(south.pk) not in offered
    assert client.get(reverse("warehouse:stock")).context["branch"] == branch


def test_branch_memory_a_closed_branch_falls_back(
    workshop, branch, other_branch, director, director_client
):
    _save_sale(director_client, other_branch)
    other_branch.is_active = False
    other_branch.save(update_fields=["is_active"])
    _sign_in_again(director_client, director)
    assert _preselected(director_client.get(reverse("orders:new_sale"))) == str(branch.pk)


def test_branch_memory_a_director_given_a_branch_starts_there(
    workshop, branch, other_branch, client_for
):
    north_director = MembershipFactory(
        workshop=workshop, role=Role.DIRECTOR, branches=[other_branch]
    )
    client = client_for(north_director)
    assert client.get(reverse("warehouse:stock")).context["branch"] == other_branch
    assert _preselected(client.get(reverse("orders:new_call_out"))) == str(other_branch.pk)


def test_branch_memory_is_per_person(
    workshop, branch, other_branch, director, director_client, client_for
):
    colleague = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    _save_sale(director_client, other_branch)
    page = client_for(colleague).get(reverse("orders:new_sale"))
    assert _preselected(page) == str(branch.pk)


def test_branch_memory_ignores_another_workshops_branch(
    workshop, branch, director, director_client, outsider
):
    foreign = outsider.branches.get()
    page = director_client.get(reverse("warehouse:stock"), {"branch": foreign.pk})
    assert page.context["branch"] == branch
    director.refresh_from_db()
    assert director.last_branch_id is None
    with pytest.raises(ValueError):
        director.remember_branch(foreign)


def _form_choices(page):
    form = next(c["form"] for c in page.context if isinstance(c.get("form"), OrderCreateForm))
    return form.fields["branch"].choices
