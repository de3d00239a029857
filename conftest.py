"""Fixtures shared by every app: personas of one workshop and an outsider from another."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory


@pytest.fixture(autouse=True)
def _scopes_off_in_test_code(db):
    """Test code builds data freely; requests still run inside the member's scope."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _fresh_mail_limits(_scopes_off_in_test_code):
    """The mail limits count in a database table that transactional tests (the browser
    tests' live server) leave filled; every test starts with whole budgets."""
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read English source strings; Russian is tested on purpose where it matters."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def workshop():
    return WorkshopFactory(name="Alpha Repair")


@pytest.fixture
def branch(workshop):
    return BranchFactory(workshop=workshop, name="Central")


@pytest.fixture
def other_branch(workshop):
    return BranchFactory(workshop=workshop, name="North")


@pytest.fixture
def director(workshop, branch):
    return MembershipFactory(workshop=workshop, role=Role.DIRECTOR, user__full_name="Dana Director")


@pytest.fixture
def manager(workshop, branch):
    return MembershipFactory(
        workshop=workshop, role=Role.MANAGER, branches=[branch], user__full_name="Max Manager"
    )


@pytest.fixture
def technician(workshop, branch):
    return MembershipFactory(
        workshop=workshop, role=Role.TECHNICIAN, branches=[branch], user__full_name="Tom Tech"
    )


@pytest.fixture
def other_workshop():
    return WorkshopFactory(name="Beta Service")


@pytest.fixture
def outsider(other_workshop):
    branch = BranchFactory(workshop=other_workshop, name="Beta Main")
    return MembershipFactory(
        workshop=other_workshop,
        role=Role.DIRECTOR,
        branches=[branch],
        user__full_name="Olly Outsider",
    )


def _client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def director_client(director):
    return _client_for(director)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def technician_client(technician):
    return _client_for(technician)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def client_for():
    return _client_for
