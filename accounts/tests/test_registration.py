from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import Branch, Membership, Role, User, Workshop
from accounts.services import SIGNUP_SALT, invitation_token
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


def test_registering_again_keeps_the_earlier_link_and_what_it_confirms():
    # Whoever registers the address a second time (its owner again, or a stranger) must
    # not change what the first link confirms, nor make it useless.
    register(Client(), "new@example.com")
    register(Client(), "new@example.com", password="another long passphrase", workshop_name="Other")
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    page = Client().get(first)
    assert page.status_code == 200
    assert page.context["signup"].workshop_name == "Rita's Fix"
    assert Client().get(second).context["signup"].workshop_name == "Other"
    # Each link takes the password of its own registration only.
    refused = Client().post(first, {"password": "another long passphrase"})
    assert refused.context["form"].errors == {
        "password": ["This is not the password you chose when registering."]
    }
    client = Client()
    assert client.post(first, {"password": NEW_PASSWORD}).url == reverse("home")
    assert list(Workshop.objects.values_list("name", flat=True)) == ["Rita's Fix"]
    user = User.objects.get(email="new@example.com")
    assert user.check_password(NEW_PASSWORD) and user.signups == []
    # Confirmed: the address is taken, and the other link has nothing left to confirm.
    assert Client().get(second).status_code == 404
    assert Client().post(second, {"password": "another long passphrase"}).status_code == 404


def test_the_letter_greets_the_name_of_its_own_registration():
    register(Client(), "new@example.com", full_name="Rita Repair")
    register(Client(), "new@example.com", full_name="Someone Else")
    assert mail.outbox[0].body.startswith("Hello, Rita Repair!")
    assert mail.outbox[1].body.startswith("Hello, Someone Else!")
    page = Client().get(link_in(mail.outbox[0])).content.decode()
    assert "Rita Repair" in page and "Someone Else" not in page


def test_a_pending_address_keeps_no_password_of_its_own():
    register(Client(), "new@example.com")
    user = User.objects.get(email="new@example.com")
    assert (user.is_pending, user.is_active, user.has_usable_password()) == (True, False, False)
    assert [entry["workshop_name"] for entry in user.signups] == ["Rita's Fix"]


def test_expired_registrations_are_dropped_and_their_links_end(monkeypatch):
    register(Client(), "new@example.com")
    user = User.objects.get(email="new@example.com")
    user.signups[0]["created"] = (timezone.now() - timedelta(days=4)).isoformat()
    user.save(update_fields=["signups"])
    assert Client().get(link_in(mail.outbox[0])).status_code == 404
    register(Client(), "new@example.com", workshop_name="Later")
    user.refresh_from_db()
    assert [entry["workshop_name"] for entry in user.signups] == ["Later"]


def test_a_link_sent_before_registrations_had_entries_still_confirms():
    """Links already in mailboxes when this version is deployed keep working."""
    user = UserFactory(email="old@example.com", is_active=False, is_pending=True)
    user.set_password(NEW_PASSWORD)
    user.save()
    fingerprint = salted_hmac(SIGNUP_SALT, user.password).hexdigest()[:16]
    token = signing.dumps({"u": user.pk, "w": "Old Fix", "p": fingerprint}, salt=SIGNUP_SALT)
    link = reverse("accounts:confirm", kwargs={"signup_token": token})
    register(Client(), "old@example.com", password="another long passphrase")
    assert Client().post(link, {"password": NEW_PASSWORD}).url == reverse("home")
    assert Membership.objects.get(user=user).workshop.name == "Old Fix"


def test_joining_by_invitation_ends_the_pending_registrations(workshop, branch):
    register(Client(), "invitee@example.com")
    link = link_in(mail.outbox[0])
    invitation = InvitationFactory(workshop=workshop, email="invitee@example.com")
    join = reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})
    Client().post(join, {"full_name": "Ivy", "password": "a third long passphrase"})
    assert User.objects.get(email="invitee@example.com").signups == []
    assert Client().get(link).status_code == 404


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
