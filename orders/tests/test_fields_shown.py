"""Every field of the card, client and device forms is on its page, labelled in Russian.

A field added to a form but left out of its template, or added without a translation,
would otherwise pass every test (the architecture review's fourth change trace).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
# Labels Russian writes in Latin letters too.
SAME_IN_RUSSIAN = {"E-mail"}


def _fields_and_labels(client, url):
    with translation.override("ru"):
        response = client.get(url, headers={"Accept-Language": "ru"})
        form = response.context["form"]
        labels = {name: str(form[name].label) for name in form.fields}
    return response.content.decode(), labels


@pytest.mark.parametrize("page", ["card", "client", "device"])
def test_fields_shown_every_form_field_is_rendered_with_a_russian_label(
    director_client, repair_order, page, settings
):
    settings.LANGUAGE_CODE = "ru"
    url = {
        "card": reverse("orders:card", kwargs={"order_number": repair_order.number}),
        "client": reverse("orders:client", args=[repair_order.client_id]),
        "device": reverse("orders:device", args=[repair_order.device_id]),
    }[page]
    html, labels = _fields_and_labels(director_client, url)
    missing = [name for name in labels if f'name="{name}"' not in html]
    untranslated = [
        name
        for name, label in labels.items()
        if not CYRILLIC.search(label) and label not in SAME_IN_RUSSIAN
    ]
    not_shown = [name for name, label in labels.items() if label not in html]
    assert (missing, untranslated, not_shown) == ([], [], [])
