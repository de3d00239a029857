from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from notifications import links, services
from notifications.models import Consent, Message, Rule, Settings, StatusLink
from orders import services as orders_services
from orders.models import JournalEntry
from orders.workflow import Status

pytestmark = pytest.mark.django_db


def _client(member) -> Client:
    browser = Client()
    browser.force_login(member.user)
    return browser


RULE = reverse("notifications:rule")


def test_map_lists_every_event_and_channel_for_the_director(director):
    response = _client(director).get(reverse("notifications:map"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="rule-ready-sms"' in page and 'id="rule-ready-email"' in page
    assert 'id="rule-overdue-email"' in page and 'id="rule-overdue-sms"' not in page


@pytest.mark.parametrize("persona", ["manager", "technician"])
def test_map_is_the_directors(persona, request):
    member = request.getfixturevalue(persona)
    assert _client(member).get(reverse("notifications:map")).status_code == 403


def test_map_settings_saved(director, workshop):
    response = _client(director).post(
        reverse("notifications:map"),
        {
            "language": "en",
            "quiet_from": "22:00",
            "quiet_until": "08:30",
            "not_collected_days": "5",
            "hours": "10–20",
            "approval_enabled": "on",
        },
    )
    assert response.status_code == 302
    saved = Settings.objects.get(workshop=workshop)
    assert (str(saved.quiet_from), saved.not_collected_days, saved.hours) == (
        "22:00:00",
        5,
        "10–20",
    )


def test_map_settings_bad_days_refused(director, workshop):
    response = _client(director).post(
        reverse("notifications:map"),
        {
            "language": "ru",
            "quiet_from": "21:00",
            "quiet_until": "09:00",
            "not_collected_days": "0",
        },
    )
    assert response.status_code == 200
    assert "Between 1 and 365 days." in response.content.decode()
    assert not Settings.objects.filter(workshop=workshop).exists()


def test_rule_edit_saves_text_and_switch(director, workshop):
    response = _client(director).post(
        RULE,
        {"event": "ready", "channel": "sms", "enabled": "on", "body": "№{order.number} готов"},
    )
    assert response.status_code == 302
    rule = Rule.objects.get(workshop=workshop, event="ready", channel="sms")
    assert (rule.enabled, rule.body) == (True, "№{order.number} готов")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{client.nmae}", "Unknown variable “client.nmae”"),
        ("[[ no variable ]]", "has no variable inside"),
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{% include 'x' %}", "cannot include"),
        ("{{ 'a' * 10000000 }}", "longer than"),
        ("{{ '%s' % 1 }}", "formatting of text is not available"),
        ("{% for i in range(100000) %}x{% endfor %}", "limited to"),
    ],
)
def test_rule_edit_hostile_text_refused_with_a_message(director, workshop, body, message):
    response = _client(director).post(
        RULE, {"event": "ready", "channel": "sms", "enabled": "on", "body": body}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rule.objects.filter(workshop=workshop).exists()


def test_rule_edit_unknown_cell_is_404(director):
    browser = _client(director)
    assert browser.get(RULE, {"event": "nope", "channel": "sms"}).status_code == 404
    assert browser.get(RULE, {"event": "overdue", "channel": "sms"}).status_code == 404
    assert browser.get(RULE).status_code == 302


def test_rule_edit_too_long_sms_refused(director, workshop):
    response = _client(director).post(
        RULE, {"event": "ready", "channel": "sms", "body": "x" * 1001}
    )
    assert response.status_code == 200
    assert not Rule.objects.filter(workshop=workshop).exists()


def test_rule_preview_counts_cyrillic_as_ucs2(director):
    response = _client(director).post(
        reverse("notifications:rule_preview"),
        {"event": "ready", "channel": "sms", "body": "Заказ №{order.number} готов " + "я" * 60},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'id="rule-text"' in page and "Заказ №1042 готов" in page
    assert "78 characters, 2 SMS (UCS-2, 67 per part)" in page
    assert "<html" not in page


def test_rule_preview_latin_is_gsm(director):
    response = _client(director).post(
        reverse("notifications:rule_preview"),
        {"event": "ready", "channel": "sms", "body": "Order {order.number} ready"},
    )
    assert "16 characters, 1 SMS (GSM-7, 160 per part)" in response.content.decode()


def test_rule_preview_shows_the_problem_by_line(director):
    response = _client(director).post(
        reverse("notifications:rule_preview"),
        {"event": "ready", "channel": "email", "body": "ok\n{order.nope}"},
    )
    assert "Line 2: Unknown variable “order.nope”" in response.content.decode()


def test_card_panel_shows_the_log_and_the_link(order, manager, director):
    services.event_queue(order=order, event="ready", by=manager)
    link = links.link_for(order)
    response = _client(manager).get(reverse("orders:card", kwargs={"order_number": order.number}))
    page = response.content.decode()
    assert 'id="notif-panel"' in page
    assert f"/s/{link.token}" in page
    assert page.count('class="notif-log__item') == 2


def test_card_link_regenerate_and_revoke(order, manager):
    old = links.link_for(order)
    browser = _client(manager)
    browser.post(reverse("notifications:link_regenerate", kwargs={"order_number": order.number}))
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = StatusLink.objects.get(order=order, revoked_at__isnull=True)
    browser.post(reverse("notifications:link_revoke", kwargs={"order_number": order.number}))
    assert not StatusLink.objects.filter(order=order, revoked_at__isnull=True).exists()
    assert new.token != old.token


def test_card_technician_cannot_revoke(order, technician):
    response = _client(technician).post(
        reverse("notifications:link_revoke", kwargs={"order_number": order.number})
    )
    assert response.status_code == 403


def test_card_estimate_send_queues_and_journals(order, manager, django_capture_on_commit_callbacks):
    order.estimate = Decimal("3000.00")
    order.save(update_fields=["estimate"])
    orders_services.order_transition(order=order, to=Status.DIAGNOSTICS, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(manager).post(
            reverse("notifications:estimate_send", kwargs={"order_number": order.number})
        )
    assert response.status_code == 302
    assert set(Message.objects.filter(order=order).values_list("key", flat=True)) == {
        "estimate:email:3000.00",
        "estimate:sms:3000.00",
    }
    assert JournalEntry.objects.filter(order=order, action="notifications.estimate_sent").exists()
    link = StatusLink.objects.get(order=order)
    assert link.approval_asked_at is not None


def test_card_estimate_without_an_amount_is_refused(order, manager):
    response = _client(manager).post(
        reverse("notifications:estimate_send", kwargs={"order_number": order.number}), follow=True
    )
    assert "Fill in the estimate first." in response.content.decode()
    assert not Message.objects.filter(order=order).exists()


def test_card_outsider_gets_404(order, other_workshop):
    from accounts.tests.factories import BranchFactory, MembershipFactory

    outsider = MembershipFactory(
        workshop=other_workshop, branches=[BranchFactory(workshop=other_workshop)]
    )
    browser = _client(outsider)
    for name in ("link_regenerate", "link_revoke", "estimate_send"):
        url = reverse(f"notifications:{name}", kwargs={"order_number": order.number})
        assert browser.post(url).status_code == 404
    consent = reverse("notifications:consent", kwargs={"client_id": order.client_id})
    assert browser.post(consent, {"sms": "on"}).status_code == 404


def test_client_card_consent_saved(order, manager):
    browser = _client(manager)
    card = browser.get(reverse("orders:client", kwargs={"client_id": order.client_id}))
    assert 'id="notif-consent"' in card.content.decode()
    response = browser.post(
        reverse("notifications:consent", kwargs={"client_id": order.client_id}), {"email": "on"}
    )
    assert response.status_code == 302
    consent = Consent.objects.get(client=order.client)
    assert (consent.sms, consent.email, consent.updated_by) == (False, True, manager)


def test_client_card_technician_sees_but_cannot_change_consent(order, technician):
    browser = _client(technician)
    card = browser.get(reverse("orders:client", kwargs={"client_id": order.client_id}))
    assert 'id="consent-save"' not in card.content.decode()
    url = reverse("notifications:consent", kwargs={"client_id": order.client_id})
    assert browser.post(url, {}).status_code == 403


def test_intake_notify_queues_accepted(
    workshop, branch, manager, django_capture_on_commit_callbacks
):
    from django.core import mail

    Settings.objects.create(workshop=workshop, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(manager).post(
            reverse("orders:new_repair"),
            {
                "branch": branch.pk,
                "phone": "+79161234567",
                "name": "Anna",
                "email": "anna@example.com",
                "device_type": "Phone",
                "problem": "Broken",
                "notifications-notify-notify": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get(event="accepted", channel="email")
    assert message.status == "sent"
    assert "Order status: https://status.example/s/" in mail.outbox[0].body


def test_intake_notify_unticked_sends_nothing(
    workshop, branch, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(manager).post(
            reverse("orders:new_repair"),
            {
                "branch": branch.pk,
                "phone": "+79161234567",
                "name": "Anna",
                "email": "anna@example.com",
                "device_type": "Phone",
                "problem": "Broken",
            },
        )
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_uncollected_lists_orders_ready_too_long(order, manager):
    import datetime

    from django.utils import timezone

    orders_services.order_transition(order=order, to=Status.IN_WORK, by=manager)
    orders_services.order_transition(order=order, to=Status.READY_NOTIFY, by=manager)
    browser = _client(manager)
    # The order's row links to its card (the page's other text may hold the digit).
    row = f'href="{reverse("orders:card", args=[order.number])}"'
    assert row not in browser.get(reverse("notifications:uncollected")).content.decode()
    type(order).objects.filter(pk=order.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=4)
    )
    page = browser.get(reverse("notifications:uncollected")).content.decode()
    assert row in page
