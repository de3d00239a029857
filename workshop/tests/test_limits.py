"""Limits against abuse, the 503 of a database outage, and the request log line."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from workshop import middleware
from workshop.logs import JSONFormatter

pytestmark = pytest.mark.django_db

ONE_MB = "x=" + "a" * (1024 * 1024)


def _all_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the app, its parameters filled with 1 (or "x" for words)."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _all_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append("/" + re.sub(r"<(?:(\w+):)?\w+>", _filler, route))
    return found


def _filler(match: re.Match) -> str:
    return "1" if match.group(1) == "int" else "x"


def test_limits_a_one_megabyte_post_to_any_url_is_a_clear_400(director_client):
    answers = {
        url: director_client.post(
            url, ONE_MB, content_type="application/x-www-form-urlencoded"
        ).status_code
        for url in _all_paths()
    }
    assert len(answers) > 50
    # The health check answers before the limit, and only to GET.
    assert {url: status for url, status in answers.items() if status != 400} == {"/healthz": 405}


def test_limits_the_too_much_data_page_says_what_happened(client):
    response = client.post(
        reverse("accounts:login"), ONE_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "The form sent more than 768 KB" in response.content.decode()


@pytest.mark.parametrize("name", ["accounts:login", "accounts:register", "orders:new_repair"])
def test_limits_too_many_fields_is_a_clear_400(director_client, name):
    body = "&".join(f"f{n}=1" for n in range(2001))
    response = director_client.post(
        reverse(name), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "too many fields or damaged data" in response.content.decode()


@pytest.fixture
def limits(settings, monkeypatch):
    """The production limits, an empty cache and a clock the test moves."""
    settings.RATE_LIMITS = settings.RATE_LIMITS_IN_PRODUCTION
    cache.clear()
    now = [1000.0]
    monkeypatch.setattr(middleware, "clock", lambda: now[0])
    yield now
    cache.clear()


def _suggest(client: Client, q: str):
    return client.get(reverse("directories:suggest", kwargs={"kind": "brand"}), {"q": q})


def test_limits_a_fast_typist_never_meets_the_suggestion_limit(director_client, limits):
    # Ten fields of a "+" form, 12 letters each, one request per letter 150 ms apart
    # (the widget's debounce: no typist gets more out of it), for a minute and a half.
    statuses = set()
    for _minute_part in range(5):
        for _field in range(10):
            for letter in range(12):
                statuses.add(_suggest(director_client, "Samsung Gala"[: letter + 1]).status_code)
                limits[0] += 0.15
    assert statuses == {200}


def test_limits_a_script_is_stopped_and_may_go_on_later(director_client, manager_client, limits):
    answers = [_suggest(director_client, "a").status_code for _ in range(61)]
    assert answers == [200] * 60 + [429]
    refused = _suggest(director_client, "a")
    assert refused["Retry-After"] == "1"
    assert "Too many requests" in refused.content.decode()
    # Another member has a bucket of their own.
    assert _suggest(manager_client, "a").status_code == 200
    # A second later the script gets seven more, not sixty.
    limits[0] += 1
    answers = [_suggest(director_client, "a").status_code for _ in range(8)]
    assert answers == [200] * 7 + [429]


def test_limits_the_work_page_counts_only_searches(director_client, limits):
    work = reverse("orders:work")
    assert {director_client.get(work).status_code for _ in range(50)} == {200}
    searches = [director_client.get(work, {"q": "ab"}).status_code for _ in range(41)]
    assert searches == [200] * 40 + [429]


def test_limits_a_database_outage_answers_503_with_retry_after(settings):
    def down(request):
        raise OperationalError("connection refused")

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {"urlpatterns": [path("down/", down)], "handler500": "workshop.views.server_error"},
    )
    response = Client(raise_request_exception=False).get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Temporarily unavailable" in response.content.decode()


def test_request_log_one_line_with_ids_duration_and_queries(director_client, director, caplog):
    with caplog.at_level(logging.INFO, logger="workshop.request"):
        response = director_client.get(reverse("orders:work"), {"q": "+7 900 123"})
    [record] = [r for r in caplog.records if r.name == "workshop.request"]
    line = json.loads(JSONFormatter().format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["member_id"] == director.pk
    assert line["workshop_id"] == director.workshop_id
    assert line["view"] == "orders:work"
    assert line["status"] == 200
    assert line["queries"] > 0
    assert line["duration_ms"] > 0
    # No personal data: the search stays out of the log.
    assert "900" not in json.dumps(line)


def test_request_log_keeps_a_sane_request_id_from_the_proxy(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-12345678")["X-Request-ID"] == (
        "abc-12345678"
    )
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"
