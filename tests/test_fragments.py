"""The page chrome cached by language, role and screen (templates/base.html,
CACHES["fragments"]): whoever asks first, each person sees their own links."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_fragments():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def test_the_cached_chrome_follows_role_screen_and_language(
    director_client, technician_client, settings
):
    work, clients = reverse("orders:work"), reverse("orders:clients")
    staff = f'href="{reverse("accounts:staff")}"'
    for round_ in range(2):  # the second round is served from the cache
        director = director_client.get(work).content.decode()
        technician = technician_client.get(work).content.decode()
        assert staff in director and staff not in technician
        current = director_client.get(clients).content.decode()
        # The current screen's button is marked, and only on its own screen.
        assert f'nav-btn--current" href="{clients}"' in current
        assert f'nav-btn--current" href="{clients}"' not in director
        assert f'nav-btn--current" href="{work}"' in director
        if round_ == 0:
            # The pieces are cached: one navigation per role and screen, and the rest.
            assert len(caches["fragments"]._cache) >= 6
    settings.LANGUAGE_CODE = "ru"
    with translation.override("ru"):
        russian = director_client.get(work, headers={"accept-language": "ru"}).content.decode()
    assert ">Работа</a>" in russian and "Keyboard shortcuts" not in russian
    assert ">Клавиши</h2>" in russian
