"""A row that comes back from its own action takes the keyboard's focus on its button."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from directories.models import Kind
from directories.tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def _autofocused(html: str) -> list[str]:
    return re.findall(r"<(?:a|button)[^>]*\bautofocus\b[^>]*>([^<]*)<", html)


def test_keyboard_focus_returns_to_the_row_after_rename(workshop, director_client):
    entry = EntryFactory(workshop=workshop, kind=Kind.BRAND, value="lenovo")
    response = director_client.post(
        reverse("directories:rename", kwargs={"entry_id": entry.pk}),
        {"value": "Lenovo"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"entry-{entry.pk}",
    )
    assert _autofocused(response.content.decode()) == ["Rename"]


def test_keyboard_focus_stays_on_hide_after_hiding(workshop, director_client):
    entry = EntryFactory(workshop=workshop, kind=Kind.BRAND, value="Lenovo")
    response = director_client.post(
        reverse("directories:hide", kwargs={"entry_id": entry.pk}),
        {"hidden": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"entry-{entry.pk}",
    )
    assert _autofocused(response.content.decode()) == ["Show again"]


def test_keyboard_focus_is_left_alone_on_the_page_and_on_load_more(workshop, director_client):
    EntryFactory(workshop=workshop, kind=Kind.BRAND, value="Lenovo")
    url = reverse("directories:entries", kwargs={"kind": "brand"})
    assert _autofocused(director_client.get(url).content.decode()) == []
    more = director_client.get(url, HTTP_HX_REQUEST="true")
    assert _autofocused(more.content.decode()) == []
