from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, BranchFactory

pytestmark = pytest.mark.django_db


def test_signin_with_email_and_password_lands_home(director):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": director.user.email.upper(), "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.parametrize("email", ["nobody@example.com", None])
def test_signin_failure_says_the_pair_is_incorrect(director, email):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": email or director.user.email, "password": "wrong password"},
    )
    assert response.status_code == 200
    assert "The e-mail / password pair is incorrect." in response.content.decode()


def test_home_requires_signin(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_home_shows_workshop_branches_and_colleagues(director_client, director, manager, branch):
    response = director_client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["branches"]) == [branch]
    assert list(response.context["colleagues"]) == [director, manager]
    assert "Alpha Repair" in html


def test_home_sends_staff_to_the_today_view(manager_client, branch, workshop):
    BranchFactory(workshop=workshop, name="Elsewhere")
    response = manager_client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("orders:today")


def test_home_never_lists_another_workshops_people(director_client, outsider):
    response = director_client.get(reverse("home"))
    assert outsider not in list(response.context["colleagues"])
    assert "Olly Outsider" not in response.content.decode()


def test_signout_ends_the_session(director_client):
    response = director_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert director_client.get(reverse("home")).status_code == 302


def test_sign_in_page_names_the_product_and_links_to_registration_and_reset():
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "<span>Workshop</span></a>" in page
    assert f'<a href="{reverse("accounts:register")}">Create a workshop</a>' in page
    assert f'<a href="{reverse("accounts:password_reset")}">Forgot your password?</a>' in page
