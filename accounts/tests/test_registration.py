from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Branch, Membership, Role, User, Workshop
from accounts.tests.factories import (
    LONG_EMAIL,
    TEST_PASSWORD,
    InvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase"


def register(client: Client, email: str, **extra):
    data = {
        "email": email,
        "full_name": "Rita Repair",
        "workshop_name": "Rita's Fix",
        "password": NEW_PASSWORD,
        **extra,
    }
    return client.post(reverse("accounts:register"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/confirm/\S+/", message.body).group(0)


def test_registration_known_and_unknown_email_answer_identically(director):
    known = register(Client(), director.user.email)
    unknown = register(Client(), "new@example.com")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known.status_code == 302
    assert known.url == reverse("accounts:register_sent")
    page = Client().get(known.url)
    assert "Instructions have been sent to your e-mail." in page.content.decode()
    assert [m.to for m in mail.outbox] == [[director.user.email], ["new@example.com"]]
    assert mail.outbox[0].subject == "Someone tried to register with your address"
    assert "/accounts/confirm/" not in mail.outbox[0].body
    assert "/accounts/confirm/" in mail.outbox[1].body
    # The known account is untouched.
    director.user.refresh_from_db()
    assert director.user.check_password(TEST_PASSWORD)


def test_registration_shows_field_errors_and_saves_nothing():
    response = register(Client(), "not-an-email", password="short", workshop_name="")
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) == {"email", "workshop_name", "password"}
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_registration_with_an_over_long_address_is_a_field_error():
    assert len(LONG_EMAIL) == 312
    response = register(Client(), LONG_EMAIL)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_registration_subject_is_plain_text_not_html_escaped():
    register(Client(), "new@example.com", workshop_name="Tom & Jerry's <Fix>")
    assert mail.outbox[0].subject == "Confirm the registration of Tom & Jerry's <Fix>"


def test_unconfirmed_account_cannot_sign_in():
    register(Client(), "new@example.com")
    response = Client().post(
        reverse("accounts:login"), {"username": "new@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "The e-mail / password pair is incorrect." in response.content.decode()


def test_confirmation_creates_workshop_branch_and_director():
    client = Client()
    register(client, "New@Example.com")
    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Rita&#x27;s Fix" in page.content.decode()
    response = client.post(link, {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="new@example.com")
    assert (user.is_active, user.is_pending) == (True, False)
    workshop = Workshop.objects.get(name="Rita's Fix")
    assert list(Branch.objects.filter(workshop=workshop).values_list("name", flat=True)) == [
        "Rita's Fix"
    ]
    membership = Membership.objects.get(user=user)
    assert (membership.workshop, membership.role) == (workshop, Role.DIRECTOR)
    # Signed in; the next stop is setting a PIN.
    assert client.get(reverse("home")).url == reverse("accounts:pin_set")
    # The link works once.
    assert Client().get(link).status_code == 404


def test_confirmation_needs_the_chosen_password():
    register(Client(), "new@example.com")
    link = link_in(mail.outbox[0])
    response = Client().post(link, {"password": "someone else's guess"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": ["This is not the password you chose when registering."]
    }
    assert Workshop.objects.count() == 0


def test_registering_again_makes_the_earlier_link_useless():
    register(Client(), "new@example.com")
    register(Client(), "new@example.com", password="another long passphrase")
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_tampered_confirmation_link_is_404():
    register(Client(), "new@example.com")
    link = link_in(mail.outbox[0])
    assert Client().get(link[:-3] + "xx/").status_code == 404


def test_registration_with_an_invited_address_offers_the_invitation(workshop, branch):
    InvitationFactory(
        workshop=workshop, email="invitee@example.com", full_name="Ivy Invitee", branches=[branch]
    )
    client = Client()
    register(client, "invitee@example.com")
    body = mail.outbox[0].body
    join = re.search(r"https?://\S+/accounts/join/\S+/", body).group(0)
    assert "Alpha Repair" in body
    page = client.get(join)
    html = page.content.decode()
    assert "Join Alpha Repair as an employee" in html
    assert page.context["form"]["full_name"].value() == "Ivy Invitee"
    response = client.post(join, {"full_name": "Ivy Invitee", "password": NEW_PASSWORD})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="invitee@example.com")
    assert (membership.workshop, membership.role) == (workshop, Role.MANAGER)
    assert list(membership.branches.all()) == [branch]
    assert membership.user.is_active and not membership.user.is_pending


def test_known_address_with_invitation_gets_join_link_in_the_warning(workshop, outsider):
    InvitationFactory(workshop=workshop, email=outsider.user.email)
    register(Client(), outsider.user.email)
    assert "/accounts/join/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Someone tried to register with your address"


def test_existing_pending_user_is_not_a_known_address():
    UserFactory(email="half@example.com", is_active=False, is_pending=True)
    register(Client(), "half@example.com")
    assert "/accounts/confirm/" in mail.outbox[0].body
