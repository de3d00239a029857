"""The permission table, enforced on the server for every role and every accounts view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.decorators import requires
from accounts.models import Role
from accounts.permissions import PERMISSIONS, role_can
from accounts.tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

# (url name, kwargs builder, method, permission it requires)
VIEWS = [
    ("home", lambda p: {}, "get", "accounts.view_home"),
    ("accounts:staff", lambda p: {}, "get", "accounts.manage_staff"),
    (
        "accounts:member_edit",
        lambda p: {"membership_id": p["technician"].pk},
        "get",
        "accounts.manage_staff",
    ),
    (
        "accounts:member_toggle",
        lambda p: {"membership_id": p["technician"].pk},
        "post",
        "accounts.manage_staff",
    ),
    ("accounts:invitations", lambda p: {}, "get", "accounts.manage_staff"),
    (
        "accounts:invitation_revoke",
        lambda p: {"invitation_id": p["invitation"].pk},
        "post",
        "accounts.manage_staff",
    ),
    ("accounts:branches", lambda p: {}, "get", "accounts.manage_branches"),
    (
        "accounts:branch_edit",
        lambda p: {"branch_id": p["branch"].pk},
        "get",
        "accounts.manage_branches",
    ),
    (
        "accounts:branch_toggle",
        lambda p: {"branch_id": p["other_branch"].pk},
        "post",
        "accounts.manage_branches",
    ),
    ("accounts:signins", lambda p: {}, "get", "accounts.view_signins"),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "kwargs", "method", "permission"), VIEWS)
def test_every_accounts_view_follows_the_table(
    role,
    name,
    kwargs,
    method,
    permission,
    client_for,
    director,
    manager,
    technician,
    branch,
    other_branch,
    workshop,
):
    people = {Role.DIRECTOR: director, Role.MANAGER: manager, Role.TECHNICIAN: technician}
    objects = {
        "technician": technician,
        "branch": branch,
        "other_branch": other_branch,
        "invitation": InvitationFactory(workshop=workshop),
    }
    client = client_for(people[role])
    response = getattr(client, method)(reverse(name, kwargs=kwargs(objects)))
    if role_can(role, permission):
        assert response.status_code in (200, 302)
        assert not (response.status_code == 302 and "sign-in" in response.url)
    else:
        assert response.status_code == 403


def test_the_table_names_every_role_it_needs():
    for permission, roles in PERMISSIONS.items():
        assert roles <= set(Role), permission
        assert Role.DIRECTOR in roles, f"the director may do everything: {permission}"


def test_views_declare_their_permission():
    from accounts.views import auth, branches, invitations, staff

    for name, _kwargs, _method, permission in VIEWS:
        view = {
            "home": auth.home,
            "accounts:staff": staff.staff,
            "accounts:member_edit": staff.member_edit,
            "accounts:member_toggle": staff.member_toggle,
            "accounts:invitations": invitations.invitations,
            "accounts:invitation_revoke": invitations.invitation_revoke_view,
            "accounts:branches": branches.branches,
            "accounts:branch_edit": branches.branch_edit,
            "accounts:branch_toggle": branches.branch_toggle,
            "accounts:signins": staff.signins,
        }[name]
        assert view.required_permission == permission, name


def test_unknown_permission_is_an_error():
    with pytest.raises(KeyError):
        role_can(Role.DIRECTOR, "accounts.fly")
    assert requires("accounts.view_home")


def test_template_can_hides_director_links(manager_client, director_client):
    manager_html = manager_client.get(reverse("home")).content.decode()
    director_html = director_client.get(reverse("home")).content.decode()
    staff_link = f'href="{reverse("accounts:staff")}"'
    assert staff_link not in manager_html
    assert staff_link in director_html
