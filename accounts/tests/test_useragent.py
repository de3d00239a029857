from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SignInEvent
from accounts.useragent import describe

pytestmark = pytest.mark.django_db

AGENTS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Chrome 120 · Windows",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        "Edge 120 · Windows",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Safari 17 · iOS 17.1",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Samsung Internet 23 · Android 14",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Firefox 121 · Linux",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0.0.0 YaBrowser/23.11.0.0 Safari/537.36",
        "Yandex Browser 23 · macOS",
    ),
    ("curl/8.5.0", "curl/8.5.0"),
    ("", ""),
]


@pytest.mark.parametrize(("agent", "shown"), AGENTS)
def test_useragent_describes_browser_and_os(agent, shown):
    assert describe(agent) == shown


def test_useragent_sign_in_log_shows_browser_and_os_not_the_raw_header(director_client, director):
    SignInEvent.objects.create(
        workshop=director.workshop,
        user=director.user,
        email=director.user.email,
        outcome="success",
        user_agent=AGENTS[0][0],
    )
    html = director_client.get(reverse("accounts:signins")).content.decode()
    # The raw header stays only in the cell's title (hover), for an investigation.
    assert f'title="{AGENTS[0][0]}">Chrome 120 · Windows</td>' in html
