from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from tests.tenancy import Victim


@pytest.fixture
def victim():
    """A second workshop full of data that the outsider's requests must never reach."""
    workshop = WorkshopFactory(name="Victim Workshop")
    branch = BranchFactory(workshop=workshop, name="Victim Branch")
    director = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    manager = MembershipFactory(workshop=workshop, role=Role.MANAGER, branches=[branch])
    return Victim(workshop=workshop, branch=branch, director=director, manager=manager)
