from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import (
    Branch,
    Invitation,
    InvitationBranch,
    Membership,
    MembershipBranch,
    Role,
    User,
    Workshop,
)

TEST_PASSWORD = "correct horse battery staple"
# Every factory user has a PIN, so the "set a PIN first" page never gets in a test's way.
TEST_PIN = "1357"
# A valid address (64-character local part, 60-character labels), 312 characters long:
# longer than the 254-character e-mail columns.
LONG_EMAIL = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 60 + ".com"


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"Workshop {n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)
    pin = factory.PostGenerationMethodCall("set_pin", TEST_PIN)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MANAGER

    @factory.post_generation
    def branches(obj, create, extracted, **kwargs):
        for branch in extracted or []:
            MembershipBranch.objects.create(workshop=obj.workshop, membership=obj, branch=branch)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Invitee {n}")
    role = Role.MANAGER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @factory.post_generation
    def branches(obj, create, extracted, **kwargs):
        for branch in extracted or []:
            InvitationBranch.objects.create(workshop=obj.workshop, invitation=obj, branch=branch)
