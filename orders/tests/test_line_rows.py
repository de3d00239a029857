"""The card's line rows (LineRows) render exactly what one LineForm per line rendered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from orders.forms import LINE_CELLS, LineForm, LineRows, line_initial
from orders.models import OrderLine
from orders.views.common import order_members

pytestmark = pytest.mark.django_db


def line_form_cells(line, **kwargs) -> dict[str, str]:
    form = LineForm(
        initial=line_initial(line),
        default_kind=line.kind,
        auto_id=f"line{line.pk}_%s",
        **kwargs,
    )
    return {name: str(form[name]) for name in LINE_CELLS}


def make_lines(repair_order, manager, director) -> list[OrderLine]:
    specs = [
        ("service", "Замена платы", 1, Decimal("9000.00"), manager),
        ("goods", 'Кабель <USB> & "Type-C"', 3, Decimal("1234567.50"), director),
        ("service", "Диагностика", 2, Decimal("0.00"), None),
        ("goods", "O'Brien's adapter", 100000, Decimal("0.01"), manager),
    ]
    return [
        OrderLine.objects.create(
            workshop=repair_order.workshop,
            order=repair_order,
            kind=kind,
            name=name,
            quantity=quantity,
            unit_price=price,
            performer=performer,
        )
        for kind, name, quantity, price, performer in specs
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("as_technician", [False, True])
def test_line_rows_render_like_line_forms(
    language, as_technician, repair_order, manager, director, technician
):
    lines = make_lines(repair_order, manager, director)
    members = order_members(repair_order)
    kwargs = {
        "members": members,
        "own": technician if as_technician else None,
        "price_locked": as_technician,
    }
    with translation.override(language):
        rows = LineRows(**kwargs)
        for line in lines:
            row = rows.row(line)
            expected = line_form_cells(line, **kwargs)
            assert {name: getattr(row, name) for name in LINE_CELLS} == expected
            assert row.fields["unit_price"].disabled is as_technician
    # The rows really differ: each carries its own line's id, values and choices.
    with translation.override("ru"):
        rows = LineRows(members=members, own=None, price_locked=False)
        goods = rows.row(lines[1])
    assert f'id="line{lines[1].pk}_name"' in goods.name
    assert 'value="Кабель &lt;USB&gt; &amp; &quot;Type-C&quot;"' in goods.name
    assert 'data-suggest="goods"' in goods.name
    assert 'value="1234567,50"' in goods.unit_price
    assert f'<option value="{director.pk}" selected>' in goods.performer
    assert '<option value="goods" selected>' in goods.kind
    blank = rows.row(lines[2]).performer
    assert '<option value="" selected>' in blank
