"""Each document's required-data rule, and its button on the order card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from documents.context import facts_for
from documents.types import TYPES, DocType
from orders import services
from orders.models import OrderLine
from orders.tests.test_card import card_post, card_url
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db


def printable(order) -> set[str]:
    facts = facts_for(order)
    return {key for key, doc in TYPES.items() if not doc.missing(facts)}


def buttons(client, order) -> list[str]:
    html = client.get(card_url(order)).content.decode()
    return [key for key in TYPES if f'data-doc="{key}"' in html]


def test_types_new_repair_prints_the_receipt_and_the_label(repair_order):
    assert printable(repair_order) == {DocType.ACCEPTANCE, DocType.LABEL}


def test_types_acceptance_needs_a_repair_with_a_device_and_a_problem(repair_order):
    repair_order.problem = "  "
    assert TYPES[DocType.ACCEPTANCE].missing(facts_for(repair_order)) == [
        "Fill in the problem / request."
    ]
    repair_order.problem = "Не включается"
    repair_order.kind = Kind.CALL_OUT
    assert TYPES[DocType.ACCEPTANCE].missing(facts_for(repair_order)) == [
        "It is printed for repairs and PC builds."
    ]


def test_types_sale_without_device_prints_no_receipt_or_label(workshop, branch, manager):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    assert printable(sale) == set()
    assert TYPES[DocType.LABEL].missing(facts_for(sale)) == ["It is printed for a device taken in."]


def test_types_diagnostic_needs_the_conclusion_and_the_cost(repair_order):
    rule = TYPES[DocType.DIAGNOSTIC]
    assert rule.missing(facts_for(repair_order)) == [
        "Fill in the diagnosis / conclusion.",
        "Fill in the diagnostic cost.",
    ]
    repair_order.diagnosis = "Неисправен контроллер питания"
    assert rule.missing(facts_for(repair_order)) == ["Fill in the diagnostic cost."]
    repair_order.diagnostic_cost = Decimal("0.00")  # free diagnostics is still a cost
    assert rule.missing(facts_for(repair_order)) == []


def test_types_sales_receipt_needs_goods_and_the_act_any_line(repair_order, add_line):
    add_line(repair_order, kind=OrderLine.LineKind.SERVICE)
    assert DocType.WORK_ACT in printable(repair_order)
    assert DocType.SALES_RECEIPT not in printable(repair_order)
    add_line(repair_order, name="Кабель", price="300", kind=OrderLine.LineKind.GOODS)
    assert {DocType.WORK_ACT, DocType.SALES_RECEIPT} <= printable(repair_order)


def test_types_refusal_is_for_refused_repairs_also_once_returned(repair_order, move):
    assert DocType.REFUSAL not in printable(repair_order)
    move(repair_order, Status.REFUSED)
    assert DocType.REFUSAL in printable(repair_order)
    move(repair_order, Status.ISSUED)  # the device returned
    assert DocType.REFUSAL in printable(repair_order)


def test_types_warranty_needs_an_issued_order_and_a_period(issued_order):
    rule = TYPES[DocType.WARRANTY]
    assert rule.missing(facts_for(issued_order)) == [
        "Fill in a warranty period on the order or its lines."
    ]
    issued_order.warranty_days = 90
    assert rule.missing(facts_for(issued_order)) == []
    issued_order.status = Status.READY_NOTIFY
    assert rule.missing(facts_for(issued_order)) == ["It is printed once the order is issued."]


def test_types_buttons_sit_under_the_fields_that_enable_them(manager_client, repair_order):
    html = manager_client.get(card_url(repair_order)).content.decode()
    problem = html.index('name="problem"')
    receipt = html.index('data-doc="acceptance"')
    assert problem < receipt < html.index('name="diagnosis"')
    assert 'data-doc="diagnostic"' not in html


def test_types_diagnostic_button_appears_with_the_in_place_save(manager_client, repair_order):
    data = card_post(
        manager_client, repair_order, diagnosis="Вздулся конденсатор", diagnostic_cost="500"
    )
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    diagnosis = html.index('name="diagnosis"')
    assert diagnosis < html.index('data-doc="diagnostic"') < html.index('name="diagnostic_cost"')


def test_types_line_buttons_appear_with_a_line(manager_client, repair_order):
    assert "documents-panel" not in manager_client.get(card_url(repair_order)).content.decode()
    response = manager_client.post(
        reverse("orders:line_add", kwargs={"order_number": repair_order.number}),
        {
            "kind": "goods",
            "name": "Кабель",
            "quantity": "1",
            "unit_price": "300",
            "version": repair_order.version,
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="card-side-slots"' in html
    assert 'data-doc="sales_receipt"' in html and 'data-doc="work_act"' in html


def test_types_every_role_sees_the_buttons(technician_client, director_client, repair_order):
    assert buttons(technician_client, repair_order) == [DocType.ACCEPTANCE, DocType.LABEL]
    assert buttons(director_client, repair_order) == [DocType.ACCEPTANCE, DocType.LABEL]


def test_types_missing_data_request_gets_the_reason(manager_client, repair_order):
    url = reverse(
        "documents:print_screen",
        kwargs={"order_number": repair_order.number, "doc_type": DocType.DIAGNOSTIC},
    )
    response = manager_client.get(url)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Fill in the diagnosis / conclusion." in html
    assert "Fill in the diagnostic cost." in html
    for name in ("print", "pdf"):
        url = reverse(
            f"documents:{name}",
            kwargs={"order_number": repair_order.number, "doc_type": DocType.SALES_RECEIPT},
        )
        response = manager_client.post(url)
        assert response.status_code == 409
        assert "Add at least one goods line." in response.content.decode()


def test_types_unknown_document_is_404(manager_client, repair_order):
    url = reverse(
        "documents:print_screen", kwargs={"order_number": repair_order.number, "doc_type": "nope"}
    )
    assert manager_client.get(url).status_code == 404


def _card_queries(client, order) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(card_url(order))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("issued", [False, True])
def test_types_card_buttons_cost_one_query_two_when_issued(
    manager_client, repair_order, add_line, move, issued
):
    from documents import card
    from orders import extensions

    add_line(repair_order)
    if issued:
        move(repair_order, Status.IN_WORK, Status.READY_NOTIFY, Status.ISSUED)
    _card_queries(manager_client, repair_order)  # the session is saved on the first request
    with_documents = _card_queries(manager_client, repair_order)
    for name in ("documents.problem", "documents.diagnosis", "documents.head", "documents.lines"):
        extensions.unregister_card_slot(name)
    try:
        without = _card_queries(manager_client, repair_order)
    finally:
        card.register()
    # The line counts; for an issued order also "was it refused?" and its printed copies.
    assert with_documents - without == (3 if issued else 1)


def test_types_sale_prints_its_receipt_and_warranty_but_no_act_of_work(
    workshop, branch, manager, manager_client, add_line, move
):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    add_line(sale, name="Чехол", price="990", kind=OrderLine.LineKind.GOODS)
    assert printable(sale) == {DocType.SALES_RECEIPT}
    assert TYPES[DocType.WORK_ACT].missing(facts_for(sale)) == [
        "It is printed for work done: a sale needs a service line."
    ]
    assert buttons(manager_client, sale) == [DocType.SALES_RECEIPT]
    move(sale, Status.ISSUED)
    sale.warranty_days = 14
    sale.save(update_fields=["warranty_days"])
    assert buttons(manager_client, sale) == [DocType.SALES_RECEIPT, DocType.WARRANTY]


def test_types_sale_with_a_service_line_prints_the_act_of_work(workshop, branch, manager, add_line):
    sale = services.order_create(
        workshop=workshop, branch=branch, kind=Kind.SALE, by=manager, client_data=None
    )
    add_line(sale, name="Чехол", price="990", kind=OrderLine.LineKind.GOODS)
    add_line(sale, name="Наклейка плёнки", price="300", kind=OrderLine.LineKind.SERVICE)
    assert printable(sale) == {DocType.SALES_RECEIPT, DocType.WORK_ACT}
