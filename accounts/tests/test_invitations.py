from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, InvitationStatus, Membership, Role
from accounts.services import invitation_from_token, invitation_token
from accounts.tests.factories import LONG_EMAIL, TEST_PASSWORD, InvitationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase"


def join_url(invitation) -> str:
    return reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})


def test_director_invites_with_email_and_sees_copyable_link(director_client, workshop, branch):
    response = director_client.post(
        reverse("accounts:invitations"),
        {
            "email": "Mia@Example.com",
            "full_name": "Mia Manager",
            "role": Role.MANAGER,
            "branches": [branch.pk],
            "send_email": "on",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.workshop, invitation.email, invitation.role) == (
        workshop,
        "mia@example.com",
        Role.MANAGER,
    )
    assert list(invitation.branches.all()) == [branch]
    assert mail.outbox[0].to == ["mia@example.com"]
    # The signed token carries a timestamp, so compare what the links open, not their text.
    [mailed] = re.findall(r"http://testserver/accounts/join/([^/\s]+)/", mail.outbox[0].body)
    assert invitation_from_token(mailed) == invitation
    page = director_client.get(reverse("accounts:invitations")).content.decode()
    [shown] = re.findall(r'value="http://testserver/accounts/join/([^/"]+)/"', page)
    assert invitation_from_token(shown) == invitation


def test_invitation_without_email_sends_nothing(director_client, branch):
    director_client.post(
        reverse("accounts:invitations"),
        {
            "email": "t@example.com",
            "full_name": "T",
            "role": Role.TECHNICIAN,
            "branches": [branch.pk],
        },
    )
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_invitation_form_errors_per_field(director_client):
    response = director_client.post(
        reverse("accounts:invitations"), {"email": "nope", "full_name": "", "role": Role.MANAGER}
    )
    assert set(response.context["form"].errors) == {"email", "full_name", "branches"}
    assert Invitation.objects.count() == 0


def test_invitation_subject_is_plain_text_not_html_escaped(director_client, workshop, branch):
    workshop.name = "Fix & Go"
    workshop.save()
    director_client.post(
        reverse("accounts:invitations"),
        {
            "email": "new@example.com",
            "full_name": "New",
            "role": Role.MANAGER,
            "branches": [branch.pk],
            "send_email": "on",
        },
    )
    assert [m.subject for m in mail.outbox] == ["You are invited to join Fix & Go"]


def test_invitation_with_an_over_long_address_is_a_field_error(director_client, branch):
    response = director_client.post(
        reverse("accounts:invitations"),
        {"email": LONG_EMAIL, "full_name": "Long", "role": Role.MANAGER, "branches": [branch.pk]},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert Invitation.objects.count() == 0


def test_invitation_cannot_name_another_workshops_branch(director_client, outsider):
    other_branch = outsider.branches.get()
    response = director_client.post(
        reverse("accounts:invitations"),
        {
            "email": "x@example.com",
            "full_name": "X",
            "role": Role.MANAGER,
            "branches": [other_branch.pk],
        },
    )
    assert "branches" in response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_accept_via_link_as_new_person(workshop, branch, other_branch):
    invitation = InvitationFactory(
        workshop=workshop, email="new@example.com", full_name="Nina New", branches=[branch]
    )
    client = Client()
    page = client.get(join_url(invitation))
    assert page.status_code == 200
    assert page.context["form"]["full_name"].value() == "Nina New"
    password_input = 'autocomplete="new-password"'
    assert password_input in page.content.decode()
    response = client.post(
        join_url(invitation), {"full_name": "Nina New", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    # A new person sets a PIN first, then sees only their branches.
    assert client.get(reverse("home")).url == reverse("accounts:pin_set")
    client.post(reverse("accounts:pin_set"), {"pin": "2580", "pin_again": "2580"})
    # Staff land on the Today view; the request there carries their branches.
    home = client.get(reverse("home"), follow=True)
    assert list(home.wsgi_request.membership.visible_branches()) == [branch]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    # Used up: the link no longer opens.
    assert Client().get(join_url(invitation)).status_code == 404


def test_accept_via_link_with_a_weak_password_shows_the_error(workshop):
    invitation = InvitationFactory(workshop=workshop)
    response = Client().post(join_url(invitation), {"full_name": "A", "password": "123"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert Membership.objects.filter(workshop=workshop).count() == 0


def test_accept_with_an_existing_account_needs_its_password(workshop, outsider):
    invitation = InvitationFactory(
        workshop=workshop, email=outsider.user.email, role=Role.TECHNICIAN
    )
    client = Client()
    wrong = client.post(join_url(invitation), {"password": "wrong"})
    assert wrong.context["form"].errors == {
        "password": ["The e-mail / password pair is incorrect."]
    }
    response = client.post(join_url(invitation), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    membership = Membership.objects.get(workshop=workshop, user=outsider.user)
    assert membership.role == Role.TECHNICIAN
    # Lands in the workshop just joined; the old one stays available for switching.
    assert client.get(reverse("home"), follow=True).context["workshop"] == workshop


def test_invitation_for_another_address_is_forbidden_while_signed_in(director_client, workshop):
    invitation = InvitationFactory(workshop=workshop)
    assert director_client.get(join_url(invitation)).status_code == 403


def test_revoke_makes_the_link_invalid(director_client, workshop):
    invitation = InvitationFactory(workshop=workshop)
    response = director_client.post(
        reverse("accounts:invitation_revoke", kwargs={"invitation_id": invitation.pk}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Revoked" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert Client().get(join_url(invitation)).status_code == 404
    assert (
        Client()
        .post(join_url(invitation), {"full_name": "A", "password": NEW_PASSWORD})
        .status_code
        == 404
    )


def test_forged_invitation_token_is_404(workshop):
    invitation = InvitationFactory(workshop=workshop)
    assert Client().get(join_url(invitation).replace(":", "x", 1)).status_code == 404


def test_manager_cannot_see_invitations(manager_client, workshop):
    InvitationFactory(workshop=workshop)
    assert manager_client.get(reverse("accounts:invitations")).status_code == 403


def test_invitation_list_queries_do_not_grow(director_client, workshop, branch):
    director_client.get(reverse("home"))  # the first request stamps the session

    def count_for(n):
        for _ in range(n):
            InvitationFactory(workshop=workshop, branches=[branch])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            director_client.get(reverse("accounts:invitations"))
        return len(ctx)

    assert count_for(2) == count_for(20)


def test_copy_link_uses_the_request_host(director_client, workshop):
    invitation = InvitationFactory(workshop=workshop)
    html = director_client.get(reverse("accounts:invitations")).content.decode()
    assert re.search(r'value="http://testserver/accounts/join/[^"]+/"', html)
    assert invitation.email in html
