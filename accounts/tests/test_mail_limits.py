"""Registration and password reset send at most a few letters per address and per IP.

Whatever the limits decide, the answer is the same page: a refused letter, an unknown
address and a sent letter look alike to whoever posts the form.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services, throttle
from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"
SENT = reverse("accounts:register_sent")
RESET_SENT = reverse("accounts:password_reset_done")


def register(email: str, ip: str = "10.1.0.1", **extra):
    data = {
        "email": email,
        "full_name": "Rita Repair",
        "workshop_name": "Rita's Fix",
        "password": PASSWORD,
        **extra,
    }
    return Client(REMOTE_ADDR=ip).post(reverse("accounts:register"), data)


def reset(email: str, ip: str = "10.1.0.1"):
    return Client(REMOTE_ADDR=ip).post(reverse("accounts:password_reset"), {"email": email})


def answer(response) -> tuple[int, str]:
    return response.status_code, response.url


def test_six_registrations_of_one_address_send_three_letters(settings):
    assert settings.ACCOUNT_MAIL_PER_ADDRESS == 3
    answers = {answer(register("new@example.com", ip=f"10.1.0.{n}")) for n in range(6)}
    assert answers == {(302, SENT)}
    assert [m.to for m in mail.outbox] == [["new@example.com"]] * 3
    # A refused registration is not kept either: only the three mailed links exist.
    assert len(User.objects.get(email="new@example.com").signups) == 3


def test_six_resets_of_a_known_address_send_three_letters(director):
    answers = {answer(reset(director.user.email, ip=f"10.1.0.{n}")) for n in range(6)}
    assert answers == {(302, RESET_SENT)}
    assert [m.to for m in mail.outbox] == [[director.user.email]] * 3


def test_registration_and_reset_share_the_address_s_budget(director):
    register(director.user.email)
    reset(director.user.email, ip="10.1.0.2")
    reset(director.user.email, ip="10.1.0.3")
    reset(director.user.email, ip="10.1.0.4")
    assert [m.subject for m in mail.outbox] == [
        "Someone tried to register with your address",
        "Reset your password",
        "Reset your password",
    ]


def test_unknown_addresses_count_like_known_ones(director):
    # Otherwise the fourth reset would be limited for accounts only, and tell them apart.
    for _ in range(3):
        reset("nobody@example.com")
    reset(director.user.email, ip="10.1.0.2")
    assert [m.to for m in mail.outbox] == [[director.user.email]]
    for _ in range(3):
        reset(director.user.email, ip="10.1.0.3")
    assert len(mail.outbox) == 3
    assert answer(reset("nobody@example.com")) == answer(reset(director.user.email))


def test_one_ip_gets_ten_letters_to_any_addresses(settings):
    assert settings.ACCOUNT_MAIL_PER_IP == 10
    answers = {answer(register(f"new{n}@example.com")) for n in range(12)}
    assert answers == {(302, SENT)}
    assert len(mail.outbox) == 10
    # Another client is not held back by that one.
    register("new99@example.com", ip="10.9.9.9")
    assert mail.outbox[-1].to == ["new99@example.com"]


def test_the_budgets_come_back_in_the_next_window(monkeypatch):
    now = 1_800_000_000
    monkeypatch.setattr(throttle.time, "time", lambda: now)
    for _ in range(4):
        register("new@example.com")
    assert len(mail.outbox) == 3
    now += 3600
    register("new@example.com")
    assert len(mail.outbox) == 4


def test_spellings_of_one_address_share_its_budget():
    for email in ("new@example.com", "NEW@example.com", " New@Example.com", "new@EXAMPLE.COM"):
        register(email, ip=f"10.1.0.{len(email)}")
    assert len(mail.outbox) == 3


def test_a_parallel_request_cannot_take_a_slot_already_taken(rf, settings, monkeypatch):
    """Slots are won by cache.add(): a request that read the slot as free still loses it."""
    request = rf.post("/", REMOTE_ADDR="10.1.0.1")
    settings.ACCOUNT_MAIL_PER_ADDRESS = 1
    cache = throttle.caches["throttle"]
    monkeypatch.setattr(cache, "get_many", lambda keys: {})  # everyone "saw" a free slot
    assert throttle.mail_allowed(request, "new@example.com")
    assert not throttle.mail_allowed(request, "new@example.com")


def test_an_address_with_many_registrations_waiting_takes_no_more(settings, monkeypatch):
    settings.ACCOUNT_MAIL_PER_ADDRESS = 10
    monkeypatch.setattr(services, "MAX_PENDING_SIGNUPS", 2)
    for n in range(3):
        assert answer(register("new@example.com", ip=f"10.1.0.{n}")) == (302, SENT)
    assert len(mail.outbox) == 2
    # The backstop refuses the new one; it never drops an earlier link to make room.
    assert len(User.objects.get(email="new@example.com").signups) == 2
    links = [
        re.search(r"http://testserver(/accounts/confirm/\S+/)", m.body)[1] for m in mail.outbox
    ]
    assert [Client().get(link).status_code for link in links] == [200, 200]
