"""The permission table itself, its names in code and templates, and who sees every branch.

Which role gets which answer from every view is the permission sweep's job
(tests/test_permission_sweep.py): it requests every URL as every role.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from accounts.context_processors import tenant
from accounts.decorators import requires
from accounts.forms import MembershipForm
from accounts.models import Branch, Role
from accounts.permissions import PERMISSIONS, UnknownPermission, role_can

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_table_names_every_role_it_needs():
    for permission, roles in PERMISSIONS.items():
        assert roles <= set(Role), permission
        assert Role.DIRECTOR in roles, f"the director may do everything: {permission}"


def test_unknown_permission_is_an_error():
    with pytest.raises(UnknownPermission):
        role_can(Role.DIRECTOR, "accounts.fly")
    # Even without a role (an anonymous page): a typo never depends on who looks.
    with pytest.raises(UnknownPermission):
        role_can(None, "accounts.fly")
    assert isinstance(UnknownPermission("x"), KeyError)


def test_requires_refuses_an_unknown_permission_when_the_view_is_decorated():
    with pytest.raises(UnknownPermission, match="accounts.fly"):
        requires("accounts.fly")
    with pytest.raises(UnknownPermission, match="accounts.swim"):
        requires("accounts.view_home", post="accounts.swim")
    assert requires("accounts.view_home", post="accounts.manage_staff")


def test_requires_post_needs_the_further_permission_only_to_post(rf, manager, director):
    @requires("accounts.view_home", post="accounts.manage_staff")
    def page(request):
        return HttpResponse("ok")

    def request_as(member, method):
        request = getattr(rf, method)("/")
        request.user, request.membership = member.user, member
        return request

    assert (page.required_permission, page.post_permission) == (
        "accounts.view_home",
        "accounts.manage_staff",
    )
    assert page(request_as(manager, "get")).status_code == 200
    with pytest.raises(PermissionDenied):
        page(request_as(manager, "post"))
    assert page(request_as(director, "post")).status_code == 200


def _render_can(source: str, role: str | None) -> str:
    request = RequestFactory().get("/")
    request.membership, request.workshop = None, None
    request.user = AnonymousUser()
    context = tenant(request)
    context["can"] = type(context["can"])(role)
    return Template(source).render(Context(context))


def test_template_can_answers_from_the_table():
    source = "{% if can.accounts_manage_staff %}staff{% else %}none{% endif %}"
    assert _render_can(source, Role.DIRECTOR) == "staff"
    assert _render_can(source, Role.MANAGER) == "none"
    assert _render_can(source, None) == "none"


@pytest.mark.parametrize("role", [Role.DIRECTOR, None])
def test_template_can_raises_on_an_unknown_name(role):
    with pytest.raises(UnknownPermission, match="accounts.fly"):
        _render_can("{% if can.accounts_fly %}shown{% endif %}", role)


def test_every_can_in_the_templates_names_a_permission_of_the_table():
    """`can.` raises only when the line renders; this catches the branches no test renders."""
    names = {
        (path.relative_to(TEMPLATES.parent).as_posix(), match)
        for path in TEMPLATES.rglob("*.html")
        for match in re.findall(r"\bcan\.(\w+)", path.read_text(encoding="utf-8"))
    }
    assert names, "the pattern finds the templates' permission checks"
    unknown = sorted(
        (path, name) for path, name in names if name.replace("_", ".", 1) not in PERMISSIONS
    )
    assert unknown == []


def test_who_sees_every_branch_is_the_table_s_all_branches(
    manager, branch, other_branch, monkeypatch
):
    assert list(manager.visible_branches()) == [branch]
    assert not manager.sees_all_branches
    form = MembershipForm({"role": Role.MANAGER}, branches=Branch.objects.all())
    assert form.errors == {"branches": ["Choose at least one branch for this role."]}
    # Give managers the permission in the table, and nothing else changes to follow it.
    monkeypatch.setitem(
        PERMISSIONS, "accounts.all_branches", frozenset({Role.DIRECTOR, Role.MANAGER})
    )
    assert manager.sees_all_branches
    assert list(manager.visible_branches()) == [branch, other_branch]
    assert MembershipForm({"role": Role.MANAGER}, branches=Branch.objects.all()).is_valid()


def test_staff_page_says_all_for_who_sees_every_branch(director_client, director, manager):
    rows = {
        m.pk: m.sees_all_branches
        for m in director_client.get(reverse("accounts:staff")).context["members"]
    }
    assert rows == {director.pk: True, manager.pk: False}


def test_template_can_hides_director_links(manager_client, director_client):
    manager_html = manager_client.get(reverse("home")).content.decode()
    director_html = director_client.get(reverse("home")).content.decode()
    staff_link = f'href="{reverse("accounts:staff")}"'
    assert staff_link not in manager_html
    assert staff_link in director_html
