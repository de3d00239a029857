"""Every accounts path reads an e-mail address through workshop.lib.text.normalize_email."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.forms import InvitationForm, PasswordResetForm, RegistrationForm, SignInForm
from accounts.models import Branch, User
from accounts.services import invitation_create
from accounts.tests.factories import TEST_PASSWORD
from accounts.throttle import username_from_request

pytestmark = pytest.mark.django_db

ACCOUNTS = Path(__file__).resolve().parents[1]
TYPED = "  Ann.Lee@Example.COM "
STORED = "ann.lee@example.com"


def test_forms_fold_the_typed_address():
    registration = RegistrationForm(
        {"email": TYPED, "full_name": "Ann", "workshop_name": "Fix", "password": TEST_PASSWORD}
    )
    invitation = InvitationForm(
        {"email": TYPED, "full_name": "Ann", "role": "director"}, branches=Branch.objects.none()
    )
    reset = PasswordResetForm({"email": TYPED})
    sign_in = SignInForm(RequestFactory().post("/"), {"username": TYPED, "password": "x"})
    for form in (registration, invitation, reset):
        form.is_valid()
        assert form.cleaned_data["email"] == STORED, type(form).__name__
    sign_in.is_valid()
    assert sign_in.cleaned_data["username"] == STORED


def test_user_manager_and_services_fold_the_address(director, workshop):
    assert User.objects.create_user(TYPED, TEST_PASSWORD, full_name="Ann").email == STORED
    invitation = invitation_create(
        workshop=workshop,
        email=" Bob@Example.COM",
        full_name="Bob",
        role="manager",
        branches=[],
        by=director.user,
    )
    assert invitation.email == "bob@example.com"


def test_the_sign_in_throttle_counts_every_spelling_as_one_address():
    request = RequestFactory().post("/", {"username": TYPED})
    assert username_from_request(request) == STORED
    assert username_from_request(request, {"username": "ANN.LEE@example.com"}) == STORED


def test_sign_in_accepts_any_spelling_of_the_address(director):
    director.user.email = STORED
    director.user.save(update_fields=["email"])
    response = Client().post(
        reverse("accounts:login"), {"username": TYPED, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_accounts_code_folds_addresses_in_one_place():
    """A hand-written `.strip().lower()` drifts from normalize_email the day that changes."""
    offenders = [
        f"{path.relative_to(ACCOUNTS.parent)}:{number}"
        for path in ACCOUNTS.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.strip\(\)\.lower\(\)|\.lower\(\)\.strip\(\)", line)
    ]
    assert offenders == []
