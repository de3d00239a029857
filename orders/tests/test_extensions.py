from __future__ import annotations

import pytest
from django.urls import reverse

from orders import extensions, services, workflow
from orders.models import Order
from orders.tests.test_card import card_post, card_url
from orders.workflow import Status
from tests import cardext

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_extension():
    cardext.register()
    yield
    cardext.unregister()


def _move(order, status, by):
    services.order_transition(order=order, to=status, by=by)


def test_extension_slots_render_in_their_positions(card_extension, manager_client, repair_order):
    page = manager_client.get(card_url(repair_order)).content.decode()
    head = page.index('id="order-head"')
    assert head < page.index('id="ext-head"') < page.index('id="card-form"')
    assert f"Ext action for №{repair_order.number}" in page
    side = page.index('id="card-side-slots"')
    assert side < page.index("Ext panel: paid nothing yet") < page.index('id="journal"')
    # No diagnosis yet: the field slot shows nothing.
    assert 'id="ext-print"' not in page


def test_extension_slot_permission_hides_it(card_extension, technician_client, repair_order):
    page = technician_client.get(card_url(repair_order)).content.decode()
    assert 'id="ext-head"' in page
    assert 'id="ext-side"' not in page


def test_extension_field_slot_appears_with_the_in_place_save(
    card_extension, manager_client, repair_order
):
    data = card_post(manager_client, repair_order, diagnosis="Вздулся конденсатор")
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    # Right under the diagnosis field, inside the swapped form.
    diagnosis = html.index('name="diagnosis"')
    button = html.index('id="ext-print"')
    assert diagnosis < button < html.index('name="diagnostic_cost"')
    assert "Print the report (Вздулся конденсатор)" in html
    # The side column is refreshed out of band with the same response.
    assert 'id="card-side-slots" class="card-slots" hx-swap-oob="true"' in html


def test_extension_guard_replaces_the_plain_move(
    card_extension, manager, manager_client, repair_order
):
    for status in (Status.IN_WORK, Status.READY_NOTIFY):
        _move(repair_order, status, manager)
    page = manager_client.get(card_url(repair_order)).content.decode()
    assert 'data-to="issued"' not in page  # the owning app offers its own action instead
    response = manager_client.post(
        reverse("orders:transition", kwargs={"order_number": repair_order.number}),
        {"to": Status.ISSUED, "version": repair_order.version},
    )
    assert response.status_code == 302
    repair_order.refresh_from_db()
    assert repair_order.status == Status.READY_NOTIFY
    with pytest.raises(services.TransitionRefused, match="Take the payment first"):
        _move(repair_order, Status.ISSUED, manager)
    # The owning app, having done its step, moves the order itself.
    services.order_transition(order=repair_order, to=Status.ISSUED, by=manager, check_guards=False)
    assert repair_order.status == Status.ISSUED


def test_extension_without_guards_keeps_the_plain_move(
    manager, manager_client, repair_order, monkeypatch
):
    # As orders stands alone: no app owns the step into "issued".
    monkeypatch.setattr(workflow, "_GUARDS", {})
    for status in (Status.IN_WORK, Status.READY_NOTIFY):
        _move(repair_order, status, manager)
    page = manager_client.get(card_url(repair_order)).content.decode()
    assert 'data-to="issued"' in page


def test_extension_registration_is_checked():
    with pytest.raises(ValueError, match="app prefix"):
        extensions.register_card_slot("bare", position=extensions.SIDE, template="x", context=dict)
    with pytest.raises(ValueError, match="position"):
        extensions.register_card_slot("a.b", position="footer", template="x", context=dict)
    with pytest.raises(KeyError, match="Unknown permission"):
        extensions.register_card_slot(
            "a.b", position=extensions.SIDE, template="x", context=dict, permission="nope.x"
        )


@pytest.fixture
def more_extensions():
    cardext.register_more()
    yield
    cardext.unregister_more()


def test_extension_client_slot_renders_on_the_client_card(
    more_extensions, manager_client, repair_order
):
    page = manager_client.get(reverse("orders:client", args=[repair_order.client_id]))
    assert "Ext client panel for Иван Петров" in page.content.decode()


def test_extension_work_column_in_its_tabs_only(more_extensions, manager_client, repair_order):
    queue = manager_client.get(reverse("orders:work") + "?tab=queue").content.decode()
    assert "<th>Ext column</th>" in queue and f"<td>x{repair_order.number}</td>" in queue
    other = manager_client.get(reverse("orders:work") + "?tab=in_work").content.decode()
    assert "Ext column" not in other
    found = manager_client.get(reverse("orders:work") + "?q=Петров").content.decode()
    assert "Ext column" not in found


def test_extension_work_column_is_one_call_per_page(more_extensions, manager_client, repair_order):
    calls = []
    original = cardext._work_values
    column = extensions._WORK_COLUMNS["cardext.col"]
    extensions._WORK_COLUMNS["cardext.col"] = extensions.WorkColumn(
        column.name,
        column.label,
        column.tabs,
        lambda request, orders: calls.append(len(orders)) or original(request, orders),
    )
    manager_client.get(reverse("orders:work") + "?tab=queue")
    assert calls == [1]


def _repair(branch, **extra):
    return {
        "branch": branch.pk,
        "phone": "8 912 000-11-22",
        "name": "Пётр Иванов",
        "device_type": "Ноутбук",
        "problem": "Не включается",
        **extra,
    }


def test_extension_intake_step_saves_with_the_order(more_extensions, manager_client, branch):
    page = manager_client.get(reverse("orders:new_repair")).content.decode()
    assert 'name="cardext-step-deposit"' in page
    response = manager_client.post(
        reverse("orders:new_repair"), _repair(branch, **{"cardext-step-deposit": "700"})
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert cardext.saved_steps == [(order.number, 700)]


def test_extension_intake_step_refusal_saves_nothing(more_extensions, manager_client, branch):
    response = manager_client.post(
        reverse("orders:new_repair"), _repair(branch, **{"cardext-step-deposit": "13"})
    )
    assert response.status_code == 200
    assert "Unlucky deposit." in response.content.decode()
    assert not Order.objects.exists() and cardext.saved_steps == []
    bad = manager_client.post(
        reverse("orders:new_repair"), _repair(branch, **{"cardext-step-deposit": "-5"})
    )
    assert bad.status_code == 200 and not Order.objects.exists()


def test_extension_intake_step_only_on_its_kinds(more_extensions, manager_client):
    page = manager_client.get(reverse("orders:new_sale")).content.decode()
    assert "cardext-step-deposit" not in page


def test_extension_line_and_move_hooks_run_in_the_write_and_can_refuse(
    manager, repair_order, monkeypatch
):
    from django.core.exceptions import ValidationError

    seen = []

    def added(*, line, by):
        if line.quantity > 5:
            raise ValidationError({"quantity": "Only 5 available."})
        seen.append(("added", line.name, line.pk is not None))

    def changed(*, line, old_quantity, old_name, by):
        seen.append(("changed", old_name, old_quantity, line.quantity))

    def removed(*, line, by):
        seen.append(("removed", line.name))

    def moved(*, order, old_status, new_status, by):
        seen.append(("moved", old_status, new_status))

    extensions.register_line_hooks("cardext.lines", added=added, changed=changed, removed=removed)
    extensions.register_move_hook("cardext.moves", moved)
    try:
        line = services.line_add(
            order=repair_order,
            data={"kind": "goods", "name": "SSD", "quantity": 1, "unit_price": "3000"},
            by=manager,
        )
        services.line_update(line=line, data={"quantity": 2}, by=manager)
        with pytest.raises(ValidationError, match="Only 5 available"):
            services.line_add(
                order=repair_order,
                data={"kind": "goods", "name": "RAM", "quantity": 9, "unit_price": "100"},
                by=manager,
            )
        services.line_remove(line=line, by=manager)
        _move(repair_order, Status.IN_WORK, manager)
    finally:
        extensions.unregister_line_hooks("cardext.lines")
        extensions.unregister_move_hook("cardext.moves")
    assert seen == [
        ("added", "SSD", True),
        ("changed", "SSD", 1, 2),
        ("removed", "SSD"),
        ("moved", Status.QUEUE, Status.IN_WORK),
    ]
    # The refused line was rolled back with its transaction.
    assert list(repair_order.lines.values_list("name", flat=True)) == []
