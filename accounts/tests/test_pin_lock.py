from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.lock import ACTIVITY
from accounts.tests.factories import TEST_PASSWORD, TEST_PIN, MembershipFactory

pytestmark = pytest.mark.django_db

LOCK = reverse("accounts:lock")
UNLOCK = reverse("accounts:unlock")


def lock(client, next_url="/"):
    return client.post(LOCK, {"next": next_url})


def test_user_without_pin_must_set_one_first(workshop, branch):
    member = MembershipFactory(workshop=workshop, branches=[branch])
    member.user.pin_hash = ""
    member.user.save()
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": member.user.email, "password": TEST_PASSWORD}
    )
    assert client.get(reverse("home")).url == reverse("accounts:pin_set")
    assert client.get(reverse("home"), HTTP_HX_REQUEST="true")["HX-Redirect"] == reverse(
        "accounts:pin_set"
    )
    page = client.get(reverse("accounts:pin_set")).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    bad = client.post(reverse("accounts:pin_set"), {"pin": "12a", "pin_again": "12a"})
    assert bad.context["form"].errors == {"pin": ["A PIN is 4 to 8 digits."]}
    differ = client.post(reverse("accounts:pin_set"), {"pin": "2580", "pin_again": "2581"})
    assert differ.context["form"].errors == {"pin_again": ["The two PINs differ."]}
    client.post(reverse("accounts:pin_set"), {"pin": "2580", "pin_again": "2580"})
    member.user.refresh_from_db()
    assert member.user.pin_hash and "2580" not in member.user.pin_hash
    assert member.user.check_pin("2580")
    assert client.get(reverse("home"), follow=True).status_code == 200


def test_public_pages_stay_reachable_without_a_pin(workshop):
    member = MembershipFactory(workshop=workshop)
    member.user.pin_hash = ""
    member.user.save()
    client = Client()
    client.force_login(member.user)
    for name in ("accounts:register_sent", "accounts:password_reset"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_lock_shows_only_the_unlock_screen_and_pin_returns_to_the_page(manager_client):
    assert lock(manager_client, "/?tab=queue").url == LOCK
    home = manager_client.get(reverse("home"))
    assert home.url == LOCK
    page = manager_client.get(LOCK)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="topbar' not in html  # no navigation behind the lock
    assert 'autocomplete="one-time-code"' in html
    response = manager_client.post(UNLOCK, {"pin": TEST_PIN})
    assert response.url == "/?tab=queue"
    assert manager_client.get(reverse("home"), follow=True).status_code == 200


def test_unlock_ignores_an_offsite_return_address(manager_client):
    lock(manager_client, "https://evil.example.com/")
    assert manager_client.post(UNLOCK, {"pin": TEST_PIN}).url == reverse("home")


def test_htmx_request_while_locked_is_sent_to_the_lock_screen(manager_client):
    lock(manager_client)
    response = manager_client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == LOCK


def test_three_wrong_pins_end_the_session(manager_client):
    lock(manager_client)
    first = manager_client.post(UNLOCK, {"pin": "0000"})
    assert first.context["form"].errors == {"pin": ["Wrong PIN. Attempts left: 2."]}
    manager_client.post(UNLOCK, {"pin": "0000"})
    third = manager_client.post(UNLOCK, {"pin": "0000"}, follow=True)
    assert third.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Three wrong PINs: sign in with your password." in third.content.decode()
    assert manager_client.get(reverse("home")).url.startswith(reverse("accounts:login"))


def test_pressing_lock_again_does_not_reset_the_wrong_pin_count(manager_client, manager):
    lock(manager_client)
    manager_client.post(UNLOCK, {"pin": "0000"})
    manager_client.post(UNLOCK, {"pin": "0001"})
    # The lock form stays reachable on the lock screen; re-locking must not buy more guesses.
    assert lock(manager_client).url == LOCK
    third = manager_client.post(UNLOCK, {"pin": "0002"})
    assert third.url == reverse("accounts:login")
    assert manager_client.post(UNLOCK, {"pin": TEST_PIN}).url.startswith(reverse("accounts:login"))
    assert manager_client.get(reverse("home")).url.startswith(reverse("accounts:login"))


def test_guesses_sent_in_parallel_share_one_count(manager_client, manager):
    lock(manager_client)
    key = manager_client.session.session_key
    locked = dict(manager_client.session.items())

    def guess(pin):
        # Parallel requests all read the session before any of them has written it back:
        # replay the locked session as it was before each guess.
        Session.objects.update_or_create(
            session_key=key,
            defaults={
                "session_data": SessionStore().encode(locked),
                "expire_date": timezone.now() + timedelta(days=1),
            },
        )
        manager_client.cookies[settings.SESSION_COOKIE_NAME] = key
        return manager_client.post(UNLOCK, {"pin": pin})

    assert guess("0000").status_code == 200
    assert guess("0001").status_code == 200
    assert guess("0002").url == reverse("accounts:login")
    # A fourth guess, even the right one, is not checked: the count is on the user row.
    assert guess(TEST_PIN).url == reverse("accounts:login")
    manager.user.refresh_from_db()
    assert manager.user.pin_failures == 4


def test_right_pin_and_new_sign_in_clear_the_wrong_pin_count(manager_client, manager):
    lock(manager_client)
    manager_client.post(UNLOCK, {"pin": "0000"})
    manager.user.refresh_from_db()
    assert manager.user.pin_failures == 1
    manager_client.post(UNLOCK, {"pin": TEST_PIN})
    manager.user.refresh_from_db()
    assert manager.user.pin_failures == 0
    lock(manager_client)
    for _ in range(3):
        manager_client.post(UNLOCK, {"pin": "0000"})
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": manager.user.email, "password": TEST_PASSWORD}
    )
    manager.user.refresh_from_db()
    assert manager.user.pin_failures == 0
    lock(client)
    first = client.post(UNLOCK, {"pin": "0000"})
    assert first.context["form"].errors == {"pin": ["Wrong PIN. Attempts left: 2."]}


def test_idle_session_locks_on_its_next_request(manager_client, workshop):
    manager_client.get(reverse("home"))
    session = manager_client.session
    session[ACTIVITY] = int(time.time()) - workshop.lock_after_minutes * 60 - 5
    session.save()
    assert manager_client.get("/?page=2").url == LOCK
    assert manager_client.post(UNLOCK, {"pin": TEST_PIN}).url == "/?page=2"


def test_activity_within_the_idle_time_keeps_it_unlocked(manager_client, workshop):
    manager_client.get(reverse("home"))
    session = manager_client.session
    session[ACTIVITY] = int(time.time()) - workshop.lock_after_minutes * 60 + 60
    session.save()
    assert manager_client.post(reverse("accounts:activity")).status_code == 204
    assert manager_client.get(reverse("home"), follow=True).status_code == 200


def test_activity_ping_while_locked_says_locked(manager_client):
    lock(manager_client)
    assert manager_client.post(reverse("accounts:activity")).status_code == 423


def test_change_pin_needs_the_password(manager_client, manager):
    url = reverse("accounts:pin_change")
    wrong = manager_client.post(url, {"password": "nope", "pin": "9999", "pin_again": "9999"})
    assert wrong.context["form"].errors == {"password": ["The password is incorrect."]}
    manager_client.post(url, {"password": TEST_PASSWORD, "pin": "9999", "pin_again": "9999"})
    manager.user.refresh_from_db()
    assert manager.user.check_pin("9999")


def test_unlocking_when_not_locked_just_goes_home(manager_client):
    assert manager_client.get(LOCK).url == reverse("home")


# Password checks on the PIN change (and password change) forms are throttled

PIN_CHANGE = reverse("accounts:pin_change")
WRONG_PASSWORD = {"password": ["The password is incorrect."]}
PAUSED = ["Too many wrong passwords. Try again in 30 minutes."]


def change_pin(client, password, pin="9999"):
    return client.post(PIN_CHANGE, {"password": password, "pin": pin, "pin_again": pin})


def test_five_wrong_passwords_pause_the_pin_change(manager_client, manager, technician_client):
    for _ in range(5):
        assert change_pin(manager_client, "nope").context["form"].errors == WRONG_PASSWORD
    # Even the right password is refused now, and the PIN stays.
    refused = change_pin(manager_client, TEST_PASSWORD)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"password": PAUSED}
    manager.user.refresh_from_db()
    assert manager.user.check_pin(TEST_PIN)
    # The pause is the user's, not everyone's.
    assert change_pin(technician_client, TEST_PASSWORD).status_code == 302


def test_the_pause_ends_thirty_minutes_after_the_last_wrong_password(manager_client, manager):
    from accounts.models import User

    for _ in range(6):
        change_pin(manager_client, "nope")
    User.objects.filter(pk=manager.user.pk).update(
        password_checks_since=timezone.now() - timedelta(minutes=29)
    )
    assert change_pin(manager_client, TEST_PASSWORD).context["form"].errors == {
        "password": ["Too many wrong passwords. Try again in 1 minute."]
    }
    User.objects.filter(pk=manager.user.pk).update(
        password_checks_since=timezone.now() - timedelta(minutes=30, seconds=1)
    )
    assert change_pin(manager_client, TEST_PASSWORD).status_code == 302
    manager.user.refresh_from_db()
    assert manager.user.check_pin("9999")
    assert (manager.user.password_checks, manager.user.password_checks_since) == (0, None)


def test_the_right_password_clears_the_count(manager_client, manager):
    for _ in range(4):
        change_pin(manager_client, "nope")
    assert change_pin(manager_client, TEST_PASSWORD, pin="2468").status_code == 302
    for _ in range(4):
        change_pin(manager_client, "nope")
    assert change_pin(manager_client, TEST_PASSWORD, pin="8642").status_code == 302
    manager.user.refresh_from_db()
    assert manager.user.check_pin("8642")


def test_wrong_passwords_older_than_thirty_minutes_are_forgotten(manager_client, manager):
    from accounts.models import User

    for _ in range(4):
        change_pin(manager_client, "nope")
    User.objects.filter(pk=manager.user.pk).update(
        password_checks_since=timezone.now() - timedelta(minutes=31)
    )
    for _ in range(4):
        assert change_pin(manager_client, "nope").context["form"].errors == WRONG_PASSWORD
    assert change_pin(manager_client, TEST_PASSWORD).status_code == 302


def test_password_change_shares_the_limit(manager_client, manager):
    for _ in range(5):
        change_pin(manager_client, "nope")
    new = "a brand new passphrase"
    response = manager_client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"old_password": PAUSED}
    manager.user.refresh_from_db()
    assert manager.user.check_password(TEST_PASSWORD)
