from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from tests.tenancy import Victim, app_sample_modules


@pytest.fixture
def victim():
    """A second workshop full of data that the outsider's requests must never reach."""
    workshop = WorkshopFactory(name="Victim Workshop")
    branch = BranchFactory(workshop=workshop, name="Victim Branch")
    director = MembershipFactory(workshop=workshop, role=Role.DIRECTOR)
    manager = MembershipFactory(workshop=workshop, role=Role.MANAGER, branches=[branch])
    victim = Victim(workshop=workshop, branch=branch, director=director, manager=manager)
    for module in app_sample_modules():
        module.build(victim)
    return victim
