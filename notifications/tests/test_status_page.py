from __future__ import annotations

import html
import math
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import BranchFactory, MembershipFactory
from notifications import links, services
from notifications.models import TOKEN_BYTES, StatusLink
from notifications.public import PUBLIC_WORDS
from orders import services as orders_services
from orders.models import JournalEntry
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    caches["throttle"].clear()
    return Client()


def _url(link) -> str:
    return reverse("status", kwargs={"status_token": link.token})


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_status_page_token_has_at_least_128_random_bits(order):
    link = links.link_for(order)
    assert TOKEN_BYTES * 8 >= 128
    assert len(link.token) == math.ceil(TOKEN_BYTES * 4 / 3)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", link.token)
    others = {links.link_regenerate(order=order).token for _ in range(50)}
    assert len(others) == 50


def test_status_page_shows_the_allowed_fields(order, public, manager, branch, technician):
    branch.address, branch.phone = "1 Main Street", "+7 495 000-00-00"
    branch.save()
    services.settings_for(order.workshop).__class__.objects.create(
        workshop=order.workshop, hours="Mon–Fri 10–19"
    )
    order.assignee = technician
    order.estimate = Decimal("4500.00")
    order.save(update_fields=["assignee", "estimate"])
    orders_services.order_transition(order=order, to=Status.IN_WORK, by=manager)
    response = public.get(_url(links.link_for(order)))
    assert response.status_code == 200
    text = _text(response)
    for shown in (
        "Alpha Repair",
        "Central",
        "1 Main Street",
        "+7 495 000-00-00",
        "Mon–Fri 10–19",
        f"Order №{order.number}",
        "Laptop Lenovo IdeaPad 5",
        "Being repaired",
        "4,500.00",
    ):
        assert shown in text, shown
    for hidden in (
        "Ivan",
        "Petrov",
        "79161234567",
        "916",
        "ivan@example.com",
        "Secret staff note",
        "Does not power on",
        "Tom Tech",
        "Max Manager",
    ):
        assert hidden not in response.content.decode(), hidden


def test_status_page_headers_noindex_and_strict_csp(order, public):
    response = public.get(_url(links.link_for(order)))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "<script" not in response.content.decode()


def test_status_page_guessed_revoked_and_deleted_links_are_the_same_404(
    order, public, workshop, director
):
    link = links.link_for(order)
    guessed = public.get(reverse("status", kwargs={"status_token": "A" * 24}))
    short = public.get(reverse("status", kwargs={"status_token": "1"}))
    links.link_revoke(order=order)
    revoked = public.get(_url(link))
    assert guessed.status_code == short.status_code == revoked.status_code == 404
    assert guessed.content == short.content == revoked.content
    fresh = links.link_for(order)
    assert fresh.token != link.token
    assert public.get(_url(fresh)).status_code == 200
    orders_services.order_soft_delete(order=order, by=director)
    assert public.get(_url(fresh)).content == guessed.content


def test_status_page_link_of_another_workshop_is_just_another_link(order, public, other_workshop):
    """The token alone finds its order; a signed-in member of another workshop gets the
    same public page, and never their own workshop's order by number."""
    outsider = MembershipFactory(
        workshop=other_workshop, branches=[BranchFactory(workshop=other_workshop)]
    )
    public.force_login(outsider.user)
    link = links.link_for(order)
    response = public.get(_url(link))
    assert response.status_code == 200
    assert "Alpha Repair" in _text(response)
    assert (
        public.get(reverse("status", kwargs={"status_token": link.token[:-1] + "x"})).status_code
        == 404
    )


def test_status_page_is_rate_limited(order, public):
    url = _url(links.link_for(order))
    answers = [public.get(url).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    assert public.get(reverse("status", kwargs={"status_token": "B" * 24})).status_code == 429


def test_status_page_every_status_has_public_words():
    assert set(PUBLIC_WORDS) == set(Status)


def test_status_page_estimate_approval_is_journaled_with_time_and_ip(order, public, manager):
    order.estimate = Decimal("4500.00")
    order.save(update_fields=["estimate"])
    orders_services.order_transition(order=order, to=Status.DIAGNOSTICS, by=manager)
    services.estimate_request(order=order, by=manager)
    link = links.link_for(order)
    page = public.get(_url(link))
    assert 'id="approve"' in page.content.decode()
    response = public.post(
        reverse("status_approve", kwargs={"status_token": link.token}), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.approved_ip == "203.0.113.7" and link.approved_at is not None
    entry = JournalEntry.objects.get(order=order, action="notifications.estimate_approved")
    assert (entry.subject, entry.new_value, entry.by) == ("203.0.113.7", "4500.00", None)
    assert abs(entry.at - link.approved_at).total_seconds() < 5
    after = public.get(_url(link)).content.decode()
    assert 'id="estimate-approved"' in after and 'id="approve"' not in after
    # A second press changes nothing.
    public.post(
        reverse("status_approve", kwargs={"status_token": link.token}), REMOTE_ADDR="198.51.100.1"
    )
    assert JournalEntry.objects.filter(action="notifications.estimate_approved").count() == 1


def test_status_page_no_approval_without_a_request(order, public):
    link = links.link_for(order)
    assert 'id="approve"' not in public.get(_url(link)).content.decode()
    public.post(reverse("status_approve", kwargs={"status_token": link.token}))
    link.refresh_from_db()
    assert link.approved_at is None
    assert not JournalEntry.objects.filter(action="notifications.estimate_approved").exists()


def test_status_page_sample_link_in_documents(order, workshop):
    from documents.context import order_context

    context = order_context(order, {"title": "", "number": "1", "date": ""})
    link = StatusLink.objects.get(order=order)
    assert context["order"]["status_url"] == f"https://status.example/s/{link.token}"
    assert context["order"]["status_qr"].startswith("data:image/svg+xml")


def test_status_page_kinds_call_out(workshop, branch, manager, public):
    call = orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.CALL_OUT,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Anna"},
        order_data={"address": "5 Peace Street", "problem": "Wi-Fi"},
    )
    response = public.get(_url(links.link_for(call)))
    assert "A technician's visit is booked" in _text(response)
    assert "5 Peace Street" not in response.content.decode()
