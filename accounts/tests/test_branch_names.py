"""A branch name is taken once per workshop, whatever its case, even by two requests at once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.forms import BranchForm
from accounts.models import Branch
from accounts.services import BranchNameTaken, branch_save
from accounts.tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

TAKEN = {"name": ["A branch with this name already exists."]}


def names(workshop) -> list[str]:
    return sorted(Branch.objects.filter(workshop=workshop).values_list("name", flat=True))


def test_new_branch_with_a_taken_name_in_another_case_is_a_field_error(
    director_client, workshop, branch
):
    response = director_client.post(reverse("accounts:branches"), {"name": "  cENTRAL "})
    assert response.status_code == 200
    assert response.context["form"].errors == TAKEN
    assert names(workshop) == ["Central"]


def test_cyrillic_names_compare_without_case(director_client, workshop, branch):
    BranchFactory(workshop=workshop, name="Центральный")
    response = director_client.post(reverse("accounts:branches"), {"name": "ЦЕНТРАЛЬНЫЙ"})
    assert response.context["form"].errors == TAKEN
    assert names(workshop) == ["Central", "Центральный"]


def test_renaming_to_a_taken_name_is_a_field_error_and_keeps_the_heading(
    director_client, workshop, branch, other_branch
):
    url = reverse("accounts:branch_edit", kwargs={"branch_id": other_branch.pk})
    response = director_client.post(url, {"name": "central"})
    assert response.status_code == 200
    assert response.context["form"].errors == TAKEN
    assert "<h1>North</h1>" in response.content.decode()
    other_branch.refresh_from_db()
    assert other_branch.name == "North"


def test_renaming_a_branch_to_its_own_name_in_another_case_is_allowed(
    director_client, workshop, branch
):
    url = reverse("accounts:branch_edit", kwargs={"branch_id": branch.pk})
    response = director_client.post(url, {"name": "CENTRAL"})
    assert response.status_code == 302
    assert names(workshop) == ["CENTRAL"]


def _clash_after_check(monkeypatch, workshop, name: str) -> None:
    """Another request saves `name` right after this request's form has checked it."""
    check = BranchForm.clean_name

    def check_then_lose_the_race(form):
        cleaned = check(form)
        BranchFactory(workshop=workshop, name=name)
        return cleaned

    monkeypatch.setattr(BranchForm, "clean_name", check_then_lose_the_race)


@pytest.mark.parametrize(
    ("typed", "rival"), [("South", "South"), ("South", "SOUTH"), ("Южный", "ЮЖНЫЙ")]
)
def test_two_creations_at_the_same_moment_give_the_field_error_not_a_500(
    director_client, workshop, branch, monkeypatch, typed, rival
):
    _clash_after_check(monkeypatch, workshop, rival)
    response = director_client.post(reverse("accounts:branches"), {"name": typed})
    assert response.status_code == 200
    assert response.context["form"].errors == TAKEN
    assert names(workshop) == ["Central", rival]


def test_rename_racing_a_creation_gives_the_field_error_not_a_500(
    director_client, workshop, branch, other_branch, monkeypatch
):
    _clash_after_check(monkeypatch, workshop, "South")
    url = reverse("accounts:branch_edit", kwargs={"branch_id": other_branch.pk})
    response = director_client.post(url, {"name": "south"})
    assert response.status_code == 200
    assert response.context["form"].errors == TAKEN
    assert names(workshop) == ["Central", "North", "South"]


def test_the_stored_name_key_follows_renames(workshop, branch):
    branch.name = " Центр "
    branch.save(update_fields=["name"])
    assert Branch.objects.get(pk=branch.pk).name_key == "центр"


def test_service_refuses_a_case_variant_inside_a_savepoint(workshop, branch, outsider):
    with transaction.atomic():
        with pytest.raises(BranchNameTaken):
            branch_save(branch=Branch(workshop=workshop, name="CENTRAL"))
        # The refused INSERT was rolled back to its savepoint: the transaction goes on.
        branch_save(branch=Branch(workshop=workshop, name="West"))
    assert names(workshop) == ["Central", "West"]
    # The same name in another workshop is free.
    branch_save(branch=Branch(workshop=outsider.workshop, name="central"))
    assert names(outsider.workshop) == ["Beta Main", "central"]
