from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import Branch, Role

pytestmark = pytest.mark.django_db


def test_role_change_applies_on_the_next_request(director_client, manager, manager_client, branch):
    assert manager_client.get(reverse("accounts:staff")).status_code == 403
    response = director_client.post(
        reverse("accounts:member_edit", kwargs={"membership_id": manager.pk}),
        {"role": Role.DIRECTOR, "branches": [branch.pk]},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.role == Role.DIRECTOR
    assert manager_client.get(reverse("accounts:staff")).status_code == 200


def test_branches_change_limits_what_staff_see(
    director_client, manager, manager_client, branch, other_branch
):
    director_client.post(
        reverse("accounts:member_edit", kwargs={"membership_id": manager.pk}),
        {"role": Role.MANAGER, "branches": [other_branch.pk]},
    )
    # Staff land on the Today view; the request there carries their branches.
    today = manager_client.get(reverse("home"), follow=True)
    assert list(today.wsgi_request.membership.visible_branches()) == [other_branch]


def test_staff_role_needs_a_branch(director_client, manager):
    response = director_client.post(
        reverse("accounts:member_edit", kwargs={"membership_id": manager.pk}),
        {"role": Role.TECHNICIAN},
    )
    assert response.context["form"].errors == {
        "branches": ["Choose at least one branch for this role."]
    }


def test_director_cannot_demote_or_deactivate_self(director_client, director):
    director_client.post(
        reverse("accounts:member_edit", kwargs={"membership_id": director.pk}),
        {"role": Role.MANAGER},
    )
    director_client.post(reverse("accounts:member_toggle", kwargs={"membership_id": director.pk}))
    director.refresh_from_db()
    assert (director.role, director.is_active) == (Role.DIRECTOR, True)


def test_deactivation_ends_the_members_sessions_at_once(
    director_client, technician, technician_client
):
    assert technician_client.get(reverse("home"), follow=True).status_code == 200
    key = technician.user.session_key if technician.user.session_key else None
    technician.user.refresh_from_db()
    key = technician.user.session_key
    assert Session.objects.filter(session_key=key).exists()
    director_client.post(reverse("accounts:member_toggle", kwargs={"membership_id": technician.pk}))
    technician.refresh_from_db()
    assert technician.is_active is False
    assert not Session.objects.filter(session_key=key).exists()
    response = technician_client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_reactivated_member_can_sign_in_again(director_client, technician):
    url = reverse("accounts:member_toggle", kwargs={"membership_id": technician.pk})
    director_client.post(url)
    director_client.post(url)
    technician.refresh_from_db()
    assert technician.is_active is True


def test_director_creates_renames_and_deactivates_branches(director_client, workshop, branch):
    response = director_client.post(
        reverse("accounts:branches"), {"name": "South", "address": "1 Main"}
    )
    assert response.status_code == 302
    south = Branch.objects.get(workshop=workshop, name="South")
    director_client.post(
        reverse("accounts:branch_edit", kwargs={"branch_id": south.pk}), {"name": "South-East"}
    )
    south.refresh_from_db()
    assert south.name == "South-East"
    director_client.post(reverse("accounts:branch_toggle", kwargs={"branch_id": south.pk}))
    south.refresh_from_db()
    assert south.is_active is False
    assert list(director_client.get(reverse("home")).context["branches"]) == [branch]


def test_branch_names_are_unique_per_workshop_with_a_field_error(director_client, branch, outsider):
    response = director_client.post(reverse("accounts:branches"), {"name": "Central"})
    assert response.context["form"].errors == {"name": ["A branch with this name already exists."]}
    # Another workshop's branch name is free to use.
    response = director_client.post(reverse("accounts:branches"), {"name": "Beta Main"})
    assert response.status_code == 302


def test_last_active_branch_cannot_be_deactivated(director_client, branch):
    director_client.post(reverse("accounts:branch_toggle", kwargs={"branch_id": branch.pk}))
    branch.refresh_from_db()
    assert branch.is_active is True


def test_user_in_two_workshops_switches(client_for, outsider, workshop):
    from accounts.tests.factories import MembershipFactory

    MembershipFactory(workshop=workshop, user=outsider.user, role=Role.MANAGER)
    client = client_for(outsider)
    assert client.get(reverse("home"), follow=True).context["workshop"] == outsider.workshop
    response = client.post(reverse("accounts:switch_workshop"), {"workshop": workshop.pk})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).context["workshop"] == workshop


def test_switching_to_a_workshop_you_are_not_in_is_404(director_client, outsider):
    response = director_client.post(
        reverse("accounts:switch_workshop"), {"workshop": outsider.workshop_id}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["abc", "", "1e3", "٣", "9" * 30])
def test_switching_with_a_malformed_workshop_id_is_404(director_client, value):
    response = director_client.post(reverse("accounts:switch_workshop"), {"workshop": value})
    assert response.status_code == 404


def test_switching_without_a_workshop_id_is_404(director_client):
    assert director_client.post(reverse("accounts:switch_workshop")).status_code == 404


def test_staff_list_queries_do_not_grow(director_client, workshop, branch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import MembershipFactory

    director_client.get(reverse("home"))  # the first request stamps the session

    def count_for(n):
        for _ in range(n):
            MembershipFactory(workshop=workshop, branches=[branch])
        with CaptureQueriesContext(connection) as ctx:
            director_client.get(reverse("accounts:staff"))
        return len(ctx)

    assert count_for(2) == count_for(20)
