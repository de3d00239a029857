"""An entry's journal: django-simple-history records, each diffed against the one before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directories.models import Kind
from directories.services import entry_hide, entry_rename, remember

pytestmark = pytest.mark.django_db


def _journal(client, entry) -> list[str]:
    page = client.get(reverse("directories:entry", kwargs={"entry_id": entry.pk}))
    return [line["what"] for line in page.context["history"]]


def test_entry_journal_says_each_change_in_words(workshop, director, director_client):
    accessory = remember(workshop=workshop, kind=Kind.ACCESSORY, value="Чехол")
    entry_hide(entry=accessory, hidden=True, by=director.user)
    entry_hide(entry=accessory, hidden=False, by=director.user)
    entry_rename(entry=accessory, value="Чехол-книжка", by=director.user)
    assert _journal(director_client, accessory) == [
        "Renamed from “Чехол”",
        "Shown again",
        "Hidden",
        "Remembered",
    ]


def test_entry_journal_tells_a_models_brand_change(workshop, director, director_client):
    brand = remember(workshop=workshop, kind=Kind.BRAND, value="Aple")
    model = remember(workshop=workshop, kind=Kind.MODEL, value="iPhone 12", parent="Aple")
    entry_rename(entry=brand, value="Apple", by=director.user)
    assert _journal(director_client, model)[0] == "Brand changed from “Aple”"
