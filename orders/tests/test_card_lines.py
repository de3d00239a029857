"""The card's lines: read-only rows, one of them a form only while it is edited."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from orders import services, workflow
from orders.models import OrderLine
from orders.workflow import Status

pytestmark = pytest.mark.django_db

EVIL = "<img src=x onerror=alert(1)>"


def card_url(order):
    return reverse("orders:card", kwargs={"order_number": order.number})


def update_url(order, line):
    return reverse("orders:line_update", kwargs={"order_number": order.number, "line_id": line.pk})


@pytest.fixture
def line(repair_order, manager):
    return services.line_add(
        order=repair_order,
        data={"name": EVIL, "quantity": 2, "unit_price": Decimal("1234.50"), "performer": manager},
        by=manager,
    )


def test_card_lines_are_read_only_rows_with_an_edit_link(manager_client, repair_order, line):
    html = manager_client.get(card_url(repair_order)).content.decode()
    assert f'action="{update_url(repair_order, line)}"' not in html  # no form per line
    assert f'id="line-{line.pk}"' in html and f'hx-get="{update_url(repair_order, line)}"' in html
    assert f'href="?edit={line.pk}#line-{line.pk}"' in html
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<span class="num line-total" data-label="Sum">2,469.00</span>' in html


def test_card_line_editor_is_the_form_with_server_labels(manager_client, repair_order, line):
    with translation.override("ru"):
        html = manager_client.get(
            update_url(repair_order, line),
            headers={"HX-Request": "true", "Accept-Language": "ru"},
        ).content.decode()
    assert html.startswith('<form class="line-row line-row--edit"')
    assert f'id="line-{line.pk}"' in html and f'id="line{line.pk}_name"' in html
    assert EVIL not in html and 'value="&lt;img src=x onerror=alert(1)&gt;"' in html
    labels = re.findall(r'<span[^>]* data-label="([^"]+)"', html)
    assert labels == ["Тип", "Позиция", "Кол-во", "Цена", "Выполнил / продал", "Сумма"] or (
        len(labels) == 6 and "Цена" in labels
    )
    assert html.count("aria-label=") >= 6  # every input and button is named
    assert 'name="version" value="' in html


def test_card_line_edit_without_js_and_the_save(manager_client, repair_order, line):
    page = manager_client.get(card_url(repair_order), {"edit": line.pk})
    html = page.content.decode()
    assert f'<form class="line-row line-row--edit" id="line-{line.pk}"' in html
    version = repair_order.__class__.objects.get(pk=repair_order.pk).version
    data = {
        "version": version,
        "kind": line.kind,
        "name": "Замена экрана",
        "quantity": 3,
        "unit_price": "1234,50",
        "performer": line.performer_id,
    }
    answer = manager_client.post(
        update_url(repair_order, line), data, headers={"HX-Request": "true"}
    )
    line.refresh_from_db()
    assert (line.name, line.quantity) == ("Замена экрана", 3)
    assert 'class="line-row line-row--static"' in answer.content.decode()


def test_card_line_refused_keeps_the_editor_open(manager_client, repair_order, line):
    version = repair_order.__class__.objects.get(pk=repair_order.pk).version
    data = {"version": version, "kind": line.kind, "name": "x", "quantity": 0, "unit_price": "1"}
    html = manager_client.post(
        update_url(repair_order, line), data, headers={"HX-Request": "true"}
    ).content.decode()
    assert f'<form class="line-row line-row--edit line-row--error" id="line-{line.pk}"' in html
    assert "At least 1." in html


def test_card_line_refused_goods_line_keeps_its_goods_suggestions(
    manager_client, repair_order, manager
):
    goods = services.line_add(
        order=repair_order,
        data={
            "kind": OrderLine.LineKind.GOODS,
            "name": "Аккумулятор",
            "quantity": 1,
            "unit_price": Decimal("900"),
            "performer": manager,
        },
        by=manager,
    )
    editor = manager_client.get(update_url(repair_order, goods), headers={"HX-Request": "true"})
    assert 'data-suggest="goods"' in editor.content.decode()
    version = repair_order.__class__.objects.get(pk=repair_order.pk).version
    data = {"version": version, "kind": goods.kind, "name": "Аккумулятор", "quantity": 0}
    html = manager_client.post(
        update_url(repair_order, goods), data, headers={"HX-Request": "true"}
    ).content.decode()
    assert "line-row--error" in html
    assert (
        'data-suggest="goods"' in html
        and 'data-suggest="service"'
        not in html.split(f'id="line-{goods.pk}"')[1].split("</form>")[0]
    )


def test_card_line_refused_without_js_comes_back_with_the_editor(
    manager_client, repair_order, line
):
    version = repair_order.__class__.objects.get(pk=repair_order.pk).version
    data = {
        "version": version,
        "kind": line.kind,
        "name": "Typed",
        "quantity": 0,
        "unit_price": "1",
    }
    page = manager_client.post(update_url(repair_order, line), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert f'<form class="line-row line-row--edit line-row--error" id="line-{line.pk}"' in html
    assert 'value="Typed"' in html and "At least 1." in html
    line.refresh_from_db()
    assert line.quantity == 2  # nothing saved


def test_card_technician_cannot_open_the_editor_of_anothers_line(
    technician_client, repair_order, line
):
    answer = technician_client.get(update_url(repair_order, line), headers={"HX-Request": "true"})
    html = answer.content.decode()
    assert answer.status_code == 200 and answer["HX-Retarget"] == "#lines"
    assert "You may not change this line." in html and "line-row--edit" not in html
    plain = technician_client.get(update_url(repair_order, line))
    assert plain.status_code == 302 and plain["Location"] == card_url(repair_order)
    html = technician_client.get(card_url(repair_order)).content.decode()
    assert f'hx-get="{update_url(repair_order, line)}"' not in html


def test_card_lines_ratio_forms_are_not_built_per_line(manager_client, repair_order, manager):
    for i in range(20):
        services.line_add(
            order=repair_order,
            data={"name": f"Линия {i}", "quantity": 1, "unit_price": Decimal("10")},
            by=manager,
        )
    page = manager_client.get(card_url(repair_order))
    editors = {id(form) for _line, form in page.context["line_forms"]}
    assert len(editors) == 1  # one unbound LineForm marks what may be edited
    assert page.content.decode().count("<select") <= 3  # the new line's two, the card's


def test_card_of_a_status_missing_from_the_button_order(monkeypatch, manager_client, repair_order):
    """A status not (yet) placed in workflow.LIFE: the card falls back to the workflow's
    own order for its buttons instead of a KeyError."""
    monkeypatch.setattr(workflow, "LIFE", tuple(s for s in workflow.LIFE if s != Status.IN_WORK))
    with pytest.raises(KeyError):
        workflow.moves_in_order(Status.QUEUE)
    answer = manager_client.get(card_url(repair_order))
    assert answer.status_code == 200
    moves = [to for to, _label in answer.context["transitions"]]
    expected = [s for s in Status if s in workflow.allowed(Status.QUEUE)]
    assert moves == [s for s in expected if s in moves] and Status.IN_WORK in moves


def test_card_line_rows_show_no_price_form_for_a_closed_order(manager_client, repair_order, line):
    OrderLine.objects.filter(pk=line.pk).update(name="Плата")
    repair_order.__class__.objects.filter(pk=repair_order.pk).update(status=Status.ISSUED)
    html = manager_client.get(card_url(repair_order)).content.decode()
    assert "btn--edit-line" not in html and "Плата" in html
    answer = manager_client.get(update_url(repair_order, line), headers={"HX-Request": "true"})
    assert "You may not change this line." in answer.content.decode()
    assert "line-row--edit" not in answer.content.decode()


# The card's line row in the template before it was rendered in Python.
OLD_LINE_ROW = """{% load i18n %}{% translate "Type" as h_kind %}{% translate "Item" as h_name %}{% translate "Qty" as h_qty %}{% translate "Price" as h_price %}{% translate "Performed / sold by" as h_by %}{% translate "Sum" as h_sum %}
      <div class="line-row line-row--static" id="line-{{ line.pk }}">
        <span data-label="{{ h_kind }}">{{ line.get_kind_display }}</span><span data-label="{{ h_name }}">{{ line.name }}</span><span class="num" data-label="{{ h_qty }}">{{ line.quantity }}</span><span class="num" data-label="{{ h_price }}">{{ line.price_shown }}</span><span data-label="{{ h_by }}">{{ line.performer_name|default:"—" }}</span>
        <span class="num line-total" data-label="{{ h_sum }}">{{ line.total_shown }}</span>
        <span class="line-buttons">{% if editor %}<a class="btn btn--small btn--edit-line" href="?edit={{ line.pk }}#line-{{ line.pk }}" hx-get="{{ line.update_url }}" hx-target="#line-{{ line.pk }}" hx-swap="outerHTML" title="{% translate 'Edit the line' %}" aria-label="{% translate 'Edit the line' %}">✎</a>{% endif %}</span>
        {% if line_error and line_error.0 == line.pk %}<div class="field__error line-row__error" role="alert">{{ line_error.1 }}</div>{% endif %}
      </div>"""


@pytest.mark.parametrize("language", ["en", "ru"])
def test_card_line_rows_render_as_the_template_did(repair_order, manager, line, language):
    from django.template import Context, Engine

    from orders import selectors
    from orders.views.card import _line_display

    half = services.line_add(
        order=repair_order,
        data={"name": "Термопаста", "quantity": 3, "unit_price": Decimal("0.01")},
        by=manager,
    )
    lines = selectors.order_lines(repair_order)
    assert {x.pk for x in lines} == {line.pk, half.pk}
    template = Engine.get_default().from_string(OLD_LINE_ROW)
    error = (half.pk, "Нельзя <b>так</b>")
    with translation.override(language):
        for editable in (True, False):
            _line_display(repair_order, [(x, editable or None) for x in lines], error)
            for x in lines:
                before = template.render(
                    Context({"line": x, "editor": editable, "line_error": error})
                )
                assert re.sub(r">\s+<", "><", before).strip() == x.row_html
    shown = next(x for x in lines if x.pk == half.pk).row_html
    assert "&lt;b&gt;так" in shown
