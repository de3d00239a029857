from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications import services
from notifications.events import Event
from notifications.models import Message, Settings
from notifications.sms import SmsError, SmsRuBackend, count_parts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "encoding", "length", "parts"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table counts twice
        ("я" * 70, "UCS-2", 70, 1),
        ("я" * 71, "UCS-2", 71, 2),
        ("я" * 134, "UCS-2", 134, 2),
        ("я" * 135, "UCS-2", 135, 3),
        ("Ready " + "я", "UCS-2", 7, 1),  # one Cyrillic letter makes the whole SMS UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ],
)
def test_sms_parts_counted_as_the_network_does(text, encoding, length, parts):
    counted = count_parts(text)
    assert (counted.encoding, counted.length, counted.parts) == (encoding, length, parts)


@given(st.text(max_size=600))
def test_sms_parts_always_hold_the_text(text):
    counted = count_parts(text)
    assert counted.parts * counted.per_part >= counted.length
    if counted.parts > 1:
        assert (counted.parts - 1) * counted.per_part < counted.length


def test_sms_smsru_sends_the_fields_the_api_wants(fake_smsru):
    assert SmsRuBackend().send("+79161234567", "Заказ №5 готов") == "000-1"
    assert fake_smsru.requests == [
        {
            "api_id": "test-key",
            "to": "79161234567",
            "msg": "Заказ №5 готов",
            "json": "1",
            "from": "Workshop",
        }
    ]


@pytest.mark.parametrize(
    ("status", "body", "retry", "reason"),
    [
        (200, {"status": "ERROR", "status_code": 200, "status_text": "Bad api_id"}, False, "200"),
        (200, {"status": "ERROR", "status_code": 201, "status_text": "No money"}, False, "201"),
        (200, {"status": "ERROR", "status_code": 220, "status_text": "Try later"}, True, "220"),
        (503, {"status": "ERROR"}, True, "HTTP 503"),
        (400, {"status": "ERROR"}, False, "HTTP 400"),
        (200, b"<html>gateway</html>", True, "not JSON"),
        (
            200,
            {
                "status": "OK",
                "sms": {
                    "79161234567": {
                        "status": "ERROR",
                        "status_code": 207,
                        "status_text": "No route",
                    }
                },
            },
            False,
            "207",
        ),
    ],
)
def test_sms_smsru_errors_say_whether_a_retry_helps(fake_smsru, status, body, retry, reason):
    fake_smsru.answer((status, body, 0.0))
    with pytest.raises(SmsError) as caught:
        SmsRuBackend().send("+79161234567", "x")
    assert caught.value.retry is retry
    assert reason in caught.value.reason


def test_sms_smsru_timeout_is_retried(fake_smsru):
    fake_smsru.answer((200, "ok", 2.0))
    with pytest.raises(SmsError) as caught:
        SmsRuBackend().send("+79161234567", "x")
    assert caught.value.retry is True
    assert "in time" in caught.value.reason


def test_sms_smsru_unreachable_is_retried(settings):
    settings.SMSRU_API_ID = "k"
    settings.SMSRU_URL = "http://127.0.0.1:9/sms/send"  # the discard port: nothing listens
    with pytest.raises(SmsError) as caught:
        SmsRuBackend().send("+79161234567", "x")
    assert caught.value.retry is True


def test_sms_retries_against_the_fake_server_then_sent(order, manager, fake_smsru):
    Settings.objects.create(workshop=order.workshop, quiet_from="00:00", quiet_until="00:00")
    fake_smsru.answer(
        (503, {"status": "ERROR"}, 0.0),
        (200, {"status": "ERROR", "status_code": 220, "status_text": "busy"}, 0.0),
        (200, "ok", 0.0),
    )
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "sms")
    assert services.message_send(row.pk) == "queued"
    row.refresh_from_db()
    assert (row.attempts, row.reason) == (1, "SMS.ru answered HTTP 503")
    assert services.message_send(row.pk, now=row.send_after) == "queued"
    row.refresh_from_db()
    assert services.message_send(row.pk, now=row.send_after) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.provider_id) == ("sent", 3, "000-3")
    assert len(fake_smsru.requests) == 3
    assert {r["msg"] for r in fake_smsru.requests} == {row.body}


def test_sms_gives_up_after_the_last_attempt(order, manager, fake_smsru, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    Settings.objects.create(workshop=order.workshop, quiet_from="00:00", quiet_until="00:00")
    fake_smsru.answer((503, {"status": "ERROR"}, 0.0))
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "sms")
    services.message_send(row.pk)
    for _ in range(2):
        row.refresh_from_db()
        services.message_send(row.pk, now=row.send_after)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert Message.objects.get(pk=row.pk).reason == "SMS.ru answered HTTP 503"
    assert len(fake_smsru.requests) == 3


def test_sms_wrong_number_is_failed_at_once(order, manager, fake_smsru):
    Settings.objects.create(workshop=order.workshop, quiet_from="00:00", quiet_until="00:00")
    fake_smsru.answer(
        (200, {"status": "ERROR", "status_code": 202, "status_text": "Bad number"}, 0.0)
    )
    made = services.event_queue(order=order, event=Event.READY, by=manager)
    row = next(m for m in made if m.channel == "sms")
    assert services.message_send(row.pk) == "failed"
    row.refresh_from_db()
    assert row.reason == "SMS.ru 202: Bad number"
