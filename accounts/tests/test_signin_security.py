from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInEvent, SignInOutcome, Workshop
from accounts.tests.factories import LONG_EMAIL, TEST_PASSWORD, MembershipFactory
from accounts.throttle import client_ip

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
NEW_PASSWORD = "a long enough passphrase"
SIGNED_OUT_ELSEWHERE = "You were signed out because your account signed in on another device."


def attempt(email, password, ip="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=ip, HTTP_USER_AGENT="TestBrowser/1.0")
    return client.post(LOGIN, {"username": email, "password": password})


def test_unknown_email_and_wrong_password_look_the_same(director):
    unknown = attempt("nobody@example.com", "whatever")
    wrong = attempt(director.user.email, "whatever")
    assert unknown.status_code == wrong.status_code == 200
    assert (
        unknown.context["form"].errors
        == wrong.context["form"].errors
        == {"__all__": ["The e-mail / password pair is incorrect."]}
    )


def test_over_long_address_is_a_field_error_not_a_database_error(director):
    # axes stores the e-mail in a 255-character column; PostgreSQL refused the insert.
    response = attempt(LONG_EMAIL, "whatever")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert AccessAttempt.objects.count() == 0


def test_sign_in_issues_a_new_session_key(director):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    attempt(director.user.email, TEST_PASSWORD, client=client)
    assert client.session.session_key != before
    director.user.refresh_from_db()
    assert director.user.session_key == client.session.session_key


def test_pair_is_throttled_after_five_failures_but_not_from_another_ip(director):
    for _ in range(4):
        assert attempt(director.user.email, "wrong").status_code == 200
    # The fifth failure starts the pause, and then even the right password waits.
    assert attempt(director.user.email, "wrong").status_code == 429
    locked = attempt(director.user.email, TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    # Nobody can lock a colleague out: the same e-mail from another address signs in.
    assert attempt(director.user.email, TEST_PASSWORD, ip="10.0.0.2").status_code == 302


def test_ip_is_throttled_after_ten_failures_on_any_emails(director, manager):
    for n in range(9):
        assert attempt(f"guess{n}@example.com", "wrong").status_code == 200
    assert attempt("guess9@example.com", "wrong").status_code == 429
    assert attempt(manager.user.email, TEST_PASSWORD).status_code == 429
    assert attempt(manager.user.email, TEST_PASSWORD, ip="10.0.0.9").status_code == 302


def test_throttle_expires_after_the_cool_off(director):
    for _ in range(5):
        attempt(director.user.email, "wrong")
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 302


def test_success_resets_the_failure_count(director):
    for _ in range(4):
        attempt(director.user.email, "wrong")
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 302
    for _ in range(4):
        attempt(director.user.email, "wrong")
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 302


def test_own_successful_sign_in_does_not_reset_guesses_at_a_colleague(director, outsider):
    # An attacker with an account of their own signs in between rounds of guesses.
    for _ in range(4):
        assert attempt(director.user.email, "wrong").status_code == 200
    attempt(outsider.user.email, "wrong")
    assert attempt(outsider.user.email, TEST_PASSWORD).status_code == 302
    # Their success forgot their own failure, and only that one.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        (director.user.email, 4)
    ]
    assert attempt(director.user.email, "wrong").status_code == 429
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 429


def test_every_attempt_is_logged_for_the_workshop(director, outsider):
    attempt(director.user.email, "wrong")
    attempt(director.user.email, TEST_PASSWORD)
    attempt("nobody@example.com", "wrong")
    events = list(
        SignInEvent.objects.filter(workshop=director.workshop).values_list(
            "email", "ip_address", "user_agent", "outcome"
        )
    )
    assert sorted(events) == sorted(
        [
            (director.user.email, "10.0.0.1", "TestBrowser/1.0", SignInOutcome.FAILURE),
            (director.user.email, "10.0.0.1", "TestBrowser/1.0", SignInOutcome.SUCCESS),
        ]
    )
    # Unknown e-mails belong to no workshop; axes keeps them.
    assert AccessFailureLog.objects.filter(username="nobody@example.com").count() == 1
    assert SignInEvent.objects.filter(workshop=outsider.workshop).count() == 0


def test_director_sees_only_their_workshops_sign_ins(director_client, manager, outsider):
    attempt(manager.user.email, "wrong")
    attempt(outsider.user.email, "wrong")
    response = director_client.get(reverse("accounts:signins"))
    emails = {event.email for event in response.context["events"]}
    assert manager.user.email in emails
    assert outsider.user.email not in emails
    assert "Olly Outsider" not in response.content.decode()


def test_throttled_attempts_show_as_such(director, director_client):
    for _ in range(6):
        attempt(director.user.email, "wrong")
    outcomes = list(
        SignInEvent.objects.filter(workshop=director.workshop, ip_address="10.0.0.1")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [SignInOutcome.FAILURE] * 4 + [SignInOutcome.LOCKED] * 2


# One session per user


def test_signing_in_elsewhere_signs_the_first_browser_out_with_the_reason(director):
    first, second = Client(), Client()
    attempt(director.user.email, TEST_PASSWORD, client=first)
    assert first.get(reverse("home")).status_code == 200
    attempt(director.user.email, TEST_PASSWORD, client=second)
    response = first.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert SIGNED_OUT_ELSEWHERE in response.content.decode()
    assert second.get(reverse("home")).status_code == 200
    # The message shows once; the first browser is simply signed out afterwards.
    again = first.get(reverse("home"))
    assert again.url.startswith(LOGIN)


def test_htmx_request_of_a_replaced_session_is_sent_to_sign_in(director):
    first, second = Client(), Client()
    attempt(director.user.email, TEST_PASSWORD, client=first)
    attempt(director.user.email, TEST_PASSWORD, client=second)
    response = first.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == LOGIN


def test_force_login_personas_coexist(director_client, manager_client, technician_client):
    for client in (director_client, manager_client, technician_client):
        assert client.get(reverse("home"), follow=True).status_code == 200


# Password reset and change


def test_password_reset_answers_the_same_for_unknown_addresses(director):
    known = Client().post(reverse("accounts:password_reset"), {"email": director.user.email})
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known.url == reverse("accounts:password_reset_done")
    page = Client().get(known.url).content.decode()
    assert "Instructions have been sent to your e-mail." in page
    assert [m.to for m in mail.outbox] == [[director.user.email]]


def test_password_reset_link_sets_a_new_password_and_ends_sessions(director, director_client):
    Client().post(reverse("accounts:password_reset"), {"email": director.user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    new = "a brand new passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.url == reverse("accounts:password_reset_complete")
    director.user.refresh_from_db()
    assert director.user.check_password(new)
    # The old session is over; the link is spent.
    assert director_client.get(reverse("home")).status_code == 302
    assert client.get(link, follow=True).context["validlink"] is False


def test_password_change_keeps_this_session_and_ends_the_others(director):
    here = Client()
    attempt(director.user.email, TEST_PASSWORD, client=here)
    other_key = director.user.session_key
    director.user.refresh_from_db()
    page = here.get(reverse("accounts:password_change")).content.decode()
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page
    new = "a brand new passphrase"
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    director.user.refresh_from_db()
    assert director.user.session_key == here.session.session_key
    assert other_key != here.session.session_key
    assert Session.objects.filter(session_key=other_key).count() == 0


def test_password_change_errors_per_field(director_client):
    response = director_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    )
    assert set(response.context["form"].errors) == {"old_password", "new_password2"}


# Client address


def test_client_ip_ignores_forwarded_for_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.1.1.1"


def test_client_ip_takes_the_address_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_ip(request) == "203.0.113.5"


def test_member_without_an_active_workshop_is_told_and_not_signed_in(workshop):
    member = MembershipFactory(workshop=workshop, is_active=False)
    response = attempt(member.user.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Your account is not active in any workshop. Ask your director."]
    }


# The sign-in log shows current staff only


def test_ex_employee_signing_in_elsewhere_is_not_shown_to_the_former_employer(
    director, director_client, workshop, outsider
):
    # Ivy works in both workshops; the first one lets her go.
    ivy = MembershipFactory(workshop=workshop, user__full_name="Ivy Leaver")
    MembershipFactory(workshop=outsider.workshop, user=ivy.user)
    assert attempt(ivy.user.email, TEST_PASSWORD).status_code == 302
    director_client.post(reverse("accounts:member_toggle", kwargs={"membership_id": ivy.pk}))
    ivy.refresh_from_db()
    assert ivy.is_active is False

    attempt(ivy.user.email, "wrong", ip="10.0.0.7")
    assert attempt(ivy.user.email, TEST_PASSWORD, ip="10.0.0.7").status_code == 302

    # Logged only where she works now...
    assert list(
        SignInEvent.objects.filter(user=ivy.user)
        .order_by("id")
        .values_list("workshop_id", "ip_address", "outcome")
    ) == [
        (workshop.pk, "10.0.0.1", SignInOutcome.SUCCESS),
        (outsider.workshop_id, "10.0.0.1", SignInOutcome.SUCCESS),
        (outsider.workshop_id, "10.0.0.7", SignInOutcome.FAILURE),
        (outsider.workshop_id, "10.0.0.7", SignInOutcome.SUCCESS),
    ]
    # ...and the former employer's page hides even the rows from her time there.
    director_client.get(reverse("home"))  # shows the "deactivated" message first
    response = director_client.get(reverse("accounts:signins"))
    assert [e.user_id for e in response.context["events"]] == [director.user_id]
    assert ivy.user.email not in response.content.decode()
    assert "Ivy Leaver" not in response.content.decode()


def test_sign_in_log_shows_current_members_successes_and_failures(
    director, director_client, manager, technician
):
    attempt(manager.user.email, "wrong")
    attempt(technician.user.email, TEST_PASSWORD)

    def shown():
        events = director_client.get(reverse("accounts:signins")).context["events"]
        # The director's own client signed in first (force_login logs it too).
        return [(e.email, e.outcome) for e in events]

    technician_ok = (technician.user.email, SignInOutcome.SUCCESS)
    manager_failed = (manager.user.email, SignInOutcome.FAILURE)
    director_ok = (director.user.email, SignInOutcome.SUCCESS)
    assert shown() == [technician_ok, manager_failed, director_ok]
    # Off the staff, out of the log; back on the staff, back in it.
    director_client.post(reverse("accounts:member_toggle", kwargs={"membership_id": manager.pk}))
    assert shown() == [technician_ok, director_ok]
    director_client.post(reverse("accounts:member_toggle", kwargs={"membership_id": manager.pk}))
    assert shown() == [technician_ok, manager_failed, director_ok]


# Confirming a registration asks for its password: the tries count like sign-ins


def _pending_registration(email="new@example.com") -> str:
    Client().post(
        reverse("accounts:register"),
        {
            "email": email,
            "full_name": "Rita Repair",
            "workshop_name": "Rita's Fix",
            "password": NEW_PASSWORD,
        },
    )
    return re.search(r"http://testserver(/accounts/confirm/\S+/)", mail.outbox[-1].body)[1]


def confirm(link, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT="TestBrowser/1.0")
    return client.post(link, {"password": password, "username": "decoy@example.com"})


def test_wrong_confirmation_passwords_pause_like_wrong_sign_ins():
    link = _pending_registration()
    for _ in range(4):
        assert confirm(link, "wrong guess").status_code == 200
    # The fifth failure starts the pause, and then even the right password waits.
    fifth = confirm(link, "wrong guess")
    assert fifth.status_code == 429
    assert fifth.context["form"].errors == {
        "password": ["Too many failed attempts. Sign-in is paused for 30 minutes."]
    }
    assert confirm(link, NEW_PASSWORD).status_code == 429
    assert Workshop.objects.count() == 0
    # Counted for the address of the registration, whatever "username" the form posted.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("new@example.com", 5)
    ]
    # From another address the pair is not paused: nobody can block someone's sign-up.
    assert confirm(link, NEW_PASSWORD, ip="10.0.0.2").status_code == 302


def test_confirmation_guesses_and_sign_in_guesses_share_one_count(director):
    link = _pending_registration()
    for _ in range(3):
        attempt("new@example.com", "wrong guess")
    confirm(link, "wrong guess")
    assert confirm(link, "wrong guess").status_code == 429
    # And the IP's count: ten guesses at any addresses pause every form from it.
    for n in range(5):
        attempt(f"guess{n}@example.com", "wrong")
    assert attempt(director.user.email, TEST_PASSWORD).status_code == 429


def test_confirmation_pause_ends_after_the_cool_off():
    link = _pending_registration()
    for _ in range(5):
        confirm(link, "wrong guess")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert confirm(link, NEW_PASSWORD).url == reverse("home")


def test_confirming_clears_the_address_s_failures():
    link = _pending_registration()
    for _ in range(4):
        confirm(link, "wrong guess")
    assert confirm(link, NEW_PASSWORD).status_code == 302
    assert AccessAttempt.objects.filter(username="new@example.com").count() == 0
