from __future__ import annotations

from decimal import Decimal

import pytest

from orders import journal, services
from orders.journal import Builtin, UnknownAction
from orders.models import JournalEntry
from orders.tests import journalext
from orders.tests.test_card import card_url
from workshop.lib.money import format_money

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal_extension():
    journalext.register()
    yield
    journalext.unregister()


def _journal_html(client, order) -> str:
    page = client.get(card_url(order)).content.decode()
    return page[page.index('id="journal"') :]


def test_journal_action_of_another_app_renders_in_words_on_the_card(
    journal_extension, manager_client, manager, repair_order
):
    services.journal_record(
        order=repair_order, by=manager, action=journalext.PRINTED, subject="Act <b>1</b>"
    )
    services.journal_record(
        order=repair_order,
        by=manager,
        action=journalext.PAYMENT,
        field="prepayment",
        new=Decimal("1500.00"),
    )
    html = _journal_html(manager_client, repair_order)
    assert "printed the document <q>Act &lt;b&gt;1&lt;/b&gt;</q>" in html
    # Without describe(): the label, the field's label and the value in the reader's format.
    assert f"took a payment, <em>Prepayment</em>: <q>{format_money(Decimal('1500'))}</q>" in html
    assert "journalext." not in html


def test_journal_record_refuses_an_unregistered_action(manager, repair_order):
    before = JournalEntry.objects.count()
    with pytest.raises(UnknownAction, match="register_action"):
        services.journal_record(order=repair_order, by=manager, action="nobody.unknown")
    assert JournalEntry.objects.count() == before


def test_journal_record_stores_raw_values_with_the_order_version(
    journal_extension, manager, repair_order
):
    entry = services.journal_record(
        order=repair_order, by=manager, action=journalext.PAYMENT, new=Decimal("7")
    )
    assert JournalEntry.objects.get(pk=entry.pk).new_value == "7.00"
    assert entry.version == repair_order.version
    assert entry.workshop_id == repair_order.workshop_id


@pytest.mark.parametrize("name", ["payment", "Cashdesk.Payment", "cashdesk.", "a." + "x" * 70])
def test_register_action_needs_an_app_prefix(name):
    with pytest.raises(ValueError, match="app prefix"):
        journal.register_action(name, "did something")


def test_orders_own_actions_are_registered_and_stay():
    for name in Builtin:
        assert journal.get_action(name).name == name
    with pytest.raises(ValueError, match="orders' own"):
        journal.unregister_action("created")


def test_journal_entry_of_an_app_that_is_gone_shows_its_stored_name(
    manager_client, manager, repair_order
):
    JournalEntry.objects.create(
        workshop=repair_order.workshop,
        order=repair_order,
        version=repair_order.version,
        by=manager,
        action="gone.<thing>",
    )
    assert "gone.&lt;thing&gt;" in _journal_html(manager_client, repair_order)


def test_builtin_actions_render_as_before(manager_client, manager, repair_order):
    services.order_update(
        order=repair_order, data={"diagnosis": "Dead <cap>"}, version=1, by=manager
    )
    services.line_add(
        order=repair_order,
        data={"kind": "service", "name": "Пайка", "quantity": 2, "unit_price": Decimal("150")},
        by=manager,
    )
    html = _journal_html(manager_client, repair_order)
    assert "created the order" in html
    assert (
        'changed <em>Diagnosis / conclusion</em>: <q class="old">—</q> → <q class="new">Dead &lt;cap&gt;</q>'
        in html
    )
    assert "added the line “Пайка” (2 × 150.00)" in html
