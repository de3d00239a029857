"""The engine's text mode: the same sandbox and sanitiser, plain text out (messages)."""

from __future__ import annotations

from documents.engine import api


def test_engine_text_is_plain_and_unescaped():
    answer = api.render_text(
        "Hi {client.name} &amp; co <b>bold</b><script>alert(1)</script>[[ due {order.due}]]",
        {"client": {"name": "Tom & <Jerry>"}, "order": {"due": ""}},
    )
    assert answer == {"ok": True, "text": "Hi Tom & <Jerry> & co bold"}


def test_engine_text_keeps_the_caps():
    answer = api.render_text("{{ 'a' * 10000000 }}", {})
    assert answer["ok"] is False
    assert answer["problems"][0]["code"] == "too_long"


def test_engine_text_through_the_worker():
    from documents import rendering

    text, problems = rendering.render_text("№{order.number}\nready", {"order": {"number": 7}})
    assert (text, problems) == ("№7\nready", [])
