"""Own templates, the published default, the built-in one; versions and revert."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents import selectors, services
from documents.models import DocumentTemplate, PublishedTemplate, TemplateVersion
from documents.selectors import BUILTIN_ORIGIN, OWN, PUBLISHED
from documents.services import DocumentError
from documents.types import TYPES, DocType, Paper

pytestmark = pytest.mark.django_db

RECEIPT = TYPES[DocType.ACCEPTANCE]
MINE = "<p>Моя квитанция № {order.number}</p>"
DIRECTORS = "<p>Квитанция мастерской № {order.number}[[, S/N {device.serial}]]</p>"


def save(member, source, paper=Paper.A4):
    return services.template_save(by=member, doc=RECEIPT, source=source, paper=paper)


def test_templates_resolution_own_then_published_then_builtin(director, manager, technician):
    assert selectors.resolve(manager, RECEIPT).origin == BUILTIN_ORIGIN
    assert "Квитанция о приёме" in selectors.resolve(manager, RECEIPT).source or (
        "Acceptance receipt" in selectors.resolve(manager, RECEIPT).source
    )
    save(director, DIRECTORS)
    services.template_publish(by=director, doc=RECEIPT)
    assert selectors.resolve(manager, RECEIPT).source == DIRECTORS
    assert selectors.resolve(manager, RECEIPT).origin == PUBLISHED
    save(manager, MINE)
    assert selectors.resolve(manager, RECEIPT).source == MINE
    assert selectors.resolve(manager, RECEIPT).origin == OWN
    # Someone else's own template never prints for you.
    assert selectors.resolve(technician, RECEIPT).source == DIRECTORS


def test_templates_builtin_follows_the_language(manager, settings):
    from django.utils import translation

    with translation.override("ru"):
        assert (
            "Квитанция о приёме оборудования в ремонт" in selectors.resolve(manager, RECEIPT).source
        )
    with translation.override("en"):
        assert "Acceptance receipt" in selectors.resolve(manager, RECEIPT).source


def test_templates_publishing_copies_the_text(director, manager):
    save(director, DIRECTORS)
    services.template_publish(by=director, doc=RECEIPT)
    save(director, "<p>Черновик директора {order.number}</p>")  # edits after publishing
    assert selectors.resolve(manager, RECEIPT).source == DIRECTORS
    published = PublishedTemplate.objects.get(doc_type=RECEIPT.key)
    assert published.from_version.number == 1
    services.template_unpublish(by=director, doc=RECEIPT)
    assert selectors.resolve(manager, RECEIPT).origin == BUILTIN_ORIGIN


def test_templates_only_the_director_publishes(manager):
    save(manager, MINE)
    with pytest.raises(DocumentError, match="does not allow"):
        services.template_publish(by=manager, doc=RECEIPT)
    assert not PublishedTemplate.objects.exists()


def test_templates_publish_needs_an_own_template(director):
    with pytest.raises(DocumentError, match="Save your own template first"):
        services.template_publish(by=director, doc=RECEIPT)


def test_templates_every_save_is_a_version_and_revert_is_one_more(manager):
    save(manager, "<p>v1 {order.number}</p>")
    save(manager, "<p>v2 {order.number}</p>", Paper.RECEIPT)
    template = DocumentTemplate.objects.get(owner=manager, doc_type=RECEIPT.key)
    services.template_revert(by=manager, doc=RECEIPT, number=1)
    template.refresh_from_db()
    assert [(v.number, v.source, v.note) for v in selectors.versions(template)] == [
        (3, "<p>v1 {order.number}</p>", "v1"),
        (2, "<p>v2 {order.number}</p>", "saved"),
        (1, "<p>v1 {order.number}</p>", "saved"),
    ]
    assert selectors.resolve(manager, RECEIPT).source == "<p>v1 {order.number}</p>"
    services.template_revert(by=manager, doc=RECEIPT, number=None)
    assert selectors.resolve(manager, RECEIPT).origin == BUILTIN_ORIGIN
    # ... and back again to the receipt-paper version.
    services.template_revert(by=manager, doc=RECEIPT, number=2)
    resolved = selectors.resolve(manager, RECEIPT)
    assert (resolved.source, resolved.paper) == ("<p>v2 {order.number}</p>", Paper.RECEIPT)
    with pytest.raises(DocumentError, match="no such version"):
        services.template_revert(by=manager, doc=RECEIPT, number=99)


def test_templates_a_refused_save_keeps_the_previous_version(manager):
    save(manager, MINE)
    with pytest.raises(DocumentError) as refused:
        save(manager, "<p>{device.seriall}</p>\n<script>alert(1)</script>")
    assert [(p.code, p.line) for p in refused.value.problems] == [
        ("unknown_variable", 1),
        ("forbidden_tag", 2),
    ]
    assert TemplateVersion.objects.count() == 1
    assert selectors.resolve(manager, RECEIPT).source == MINE


def test_templates_save_checks_against_the_sample_order(manager):
    # An empty field would hide it on a real order; the sample has every field filled.
    with pytest.raises(DocumentError) as refused:
        save(manager, "{% if device.serial %}{{ device.serial.nope }}{% endif %}")
    assert [p.code for p in refused.value.problems] == ["undefined"]
    with pytest.raises(DocumentError) as refused:
        save(manager, "{% for l in lines %}{{ l.name }}{% endfor %}")  # not on a receipt
    assert [p.code for p in refused.value.problems] == ["unknown_variable"]


def test_templates_warnings_do_not_stop_a_save(manager):
    saved = save(manager, '<table border="1"><tr><td>{order.number}</td></tr></table>')
    assert [p.code for p in saved.warnings] == ["ignored_attribute"]
    assert saved.version.number == 1


def test_templates_a_five_megabyte_template_is_refused(manager):
    with pytest.raises(DocumentError) as refused:
        save(manager, "<p>x</p>" * 700_000)
    assert [p.code for p in refused.value.problems] == ["too_large"]
    assert not TemplateVersion.objects.exists()


def test_templates_views_save_revert_publish(
    director_client, director, manager_client, repair_order
):
    kwargs = {"order_number": repair_order.number, "doc_type": RECEIPT.key}
    response = director_client.post(
        reverse("documents:save", kwargs=kwargs),
        {"source": DIRECTORS, "paper": Paper.A4},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved as version 1." in html
    assert 'id="own-preview"' in html and 'hx-swap-oob="true"' in html  # preview refreshed
    response = director_client.post(reverse("documents:publish", kwargs=kwargs))
    assert response.status_code == 302
    assert PublishedTemplate.objects.get().source == DIRECTORS
    # A manager may not publish; the director may withdraw.
    assert manager_client.post(reverse("documents:publish", kwargs=kwargs)).status_code == 403
    director_client.post(reverse("documents:publish", kwargs=kwargs), {"action": "unpublish"})
    assert not PublishedTemplate.objects.exists()
    director_client.post(reverse("documents:revert", kwargs=kwargs), {"version": "default"})
    assert selectors.resolve(director, RECEIPT).origin == BUILTIN_ORIGIN
    director_client.post(reverse("documents:revert", kwargs=kwargs), {"version": "1"})
    assert selectors.resolve(director, RECEIPT).source == DIRECTORS
    response = director_client.post(reverse("documents:revert", kwargs=kwargs), {"version": "x"})
    assert response.status_code == 302
