from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import MemberBackend
from accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_backend_loads_the_user_with_active_memberships_in_one_query(director, outsider):
    MembershipFactory(user=director.user, workshop=outsider.workshop, is_active=False)
    with CaptureQueriesContext(connection) as queries:
        user = MemberBackend().get_user(director.user.pk)
        assert [m.workshop.name for m in user.active_memberships] == ["Alpha Repair"]
        assert user.active_memberships[0].user is user
    assert len(queries) == 1


def test_backend_loads_a_user_without_memberships():
    user = UserFactory()
    assert MemberBackend().get_user(user.pk) == user
    assert not hasattr(MemberBackend().get_user(user.pk), "active_memberships")


def test_backend_refuses_an_inactive_user(director):
    director.user.is_active = False
    director.user.save()
    assert MemberBackend().get_user(director.user.pk) is None


def test_deactivated_membership_is_not_offered(director_client, director):
    director.is_active = False
    director.save()
    response = director_client.get("/")
    assert (response.status_code, response.url) == (302, "/accounts/sign-in/?next=/")
