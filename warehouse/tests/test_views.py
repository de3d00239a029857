"""The warehouse's pages: what each shows, what posting them records, who may, and that
the lists cost the same number of queries however big the catalogue."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.workflow import Kind
from warehouse.models import Document, DocumentKind, Movement, Product, Reservation, Stock
from warehouse.tests.conftest import add_line, make_order, make_product, receive

pytestmark = pytest.mark.django_db

D = Decimal
STOCK = reverse("warehouse:stock")


def rows_data(*rows, prefix="rows", **head) -> dict:
    """POST data of a document form: head fields and (product, qty[, cost][, serials]) rows."""
    data = {
        "key": str(uuid.uuid4()),
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
        **head,
    }
    for i, row in enumerate(rows):
        fields = ("product", "quantity", "cost", "serials")
        for name, value in zip(fields, row, strict=False):
            data[f"{prefix}-{i}-{name}"] = value
    return data


def test_stock_page_lists_products_with_this_branchs_stock(
    manager_client, branch, other_branch, manager, director, ssd, ram
):
    receive(branch, manager, (ssd, 3, "100"))
    receive(other_branch, director, (ram, 5, "50"))
    response = manager_client.get(STOCK)
    assert response.status_code == 200
    rows = {p.name: (p.on_hand, p.available) for p in response.context["page"].rows}
    assert rows == {"RAM DDR4 16 GB": (D("0"), D("0")), "SSD 1 TB": (D("3"), D("3"))}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ssd", ["SSD 1 TB"]),
        ("4601234567890", ["SSD 1 TB"]),
        ("ram16", ["RAM DDR4 16 GB"]),
        ("16", ["RAM DDR4 16 GB"]),
        ("nothing", []),
    ],
)
def test_stock_search_by_name_sku_and_barcode(manager_client, ssd, ram, q, expected):
    response = manager_client.get(STOCK, {"q": q})
    assert [p.name for p in response.context["page"].rows] == expected


def test_stock_filters(manager_client, workshop, branch, manager, director, ssd, ram):
    paste = make_product(workshop, "Thermal paste")
    receive(branch, manager, (ssd, 3, "100"), (ram, 1, "50"))
    Stock.objects.filter(product=ram, branch=branch).update(min_quantity=2000)
    add_line(make_order(workshop, branch, manager), manager, "SSD 1 TB", 1)

    def names(show):
        return [p.name for p in manager_client.get(STOCK, {"show": show}).context["page"].rows]

    assert names("low") == ["RAM DDR4 16 GB"]
    assert names("reserved") == ["SSD 1 TB"]
    assert names("out") == [paste.name]


def test_stock_pages_by_keyset(manager_client, workshop):
    Product.objects.bulk_create(
        [
            Product(workshop=workshop, name=f"Part {i:03}", name_key=f"part {i:03}")
            for i in range(60)
        ]
    )
    first = manager_client.get(STOCK).context["page"]
    assert len(first.rows) == 50 and first.more
    second = manager_client.get(
        STOCK, {"after_key": first.after_key, "after_id": first.after_id}, HTTP_HX_REQUEST="true"
    )
    html = second.content.decode()
    assert "<html" not in html and "Part 049" not in html
    assert all(f"Part {i:03}" in html for i in range(50, 60))


def _catalogue(workshop, branch, n):
    products = Product.objects.bulk_create(
        [
            Product(
                workshop=workshop,
                name=f"Item {i:05}",
                name_key=f"item {i:05}",
                words=f" item {i:05}",
            )
            for i in range(n)
        ]
    )
    Stock.objects.bulk_create(
        [Stock(workshop=workshop, product=p, branch=branch, on_hand=D("2")) for p in products]
    )
    return products


@pytest.mark.parametrize("size", [100, 20_000])
def test_stock_page_query_budget_is_the_same_at_any_size(
    manager_client, workshop, branch, size, django_assert_num_queries
):
    _catalogue(workshop, branch, size)
    manager_client.get(STOCK)  # the session remembers the branch
    with django_assert_num_queries(5):
        response = manager_client.get(STOCK)
    assert len(response.context["page"].rows) == 50


@pytest.mark.parametrize("size", [100, 20_000])
def test_product_card_query_budget_is_the_same_at_any_size(
    manager_client, workshop, branch, manager, size, django_assert_num_queries
):
    products = _catalogue(workshop, branch, 20)
    product = products[0]
    receive(branch, manager, *[(product, 1, "10")] * 5)
    order = make_order(workshop, branch, manager)
    for _ in range(3):
        add_line(order, manager, product.name, 1)
    Movement.objects.bulk_create(
        [
            Movement(
                workshop=workshop,
                product=product,
                branch=branch,
                kind="receipt",
                quantity=D("1"),
                value=D("1"),
            )
            for _ in range(size)
        ]
    )
    url = reverse("warehouse:product", kwargs={"product_id": product.pk})
    manager_client.get(url)
    with django_assert_num_queries(7):
        response = manager_client.get(url)
    assert len(response.context["page"].rows) == 30


def test_receipt_form_posts_rows_by_barcode_sku_and_name(manager_client, branch, ssd, ram):
    data = rows_data(
        ("4601234567890", "2", "100"),
        ("RAM16", "", "50,50"),
        ("ssd 1 tb", "1", "130"),
        supplier="ООО Комплект",
        supplier_number="УПД-17",
    )
    response = manager_client.post(reverse("warehouse:receipt_new"), data)
    doc = Document.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "warehouse:document", kwargs={"document_id": doc.pk}
    )
    assert (doc.kind, doc.supplier, doc.total) == (
        DocumentKind.RECEIPT,
        "ООО Комплект",
        D("380.50"),
    )
    assert Stock.objects.get(product=ssd, branch=branch).on_hand == D("3")
    assert Stock.objects.get(product=ram, branch=branch).on_hand == D("1")
    page = manager_client.get(response.url)
    assert "ООО Комплект" in page.content.decode()


def test_receipt_form_says_what_is_wrong_by_the_row_and_saves_nothing(manager_client, ssd):
    data = rows_data(("0000000", "1", "10"), ("SSD 1 TB", "1.5", "10"), ("SSD 1 TB", "1", ""))
    response = manager_client.post(reverse("warehouse:receipt_new"), data)
    assert response.status_code == 200
    forms = response.context["rows"].forms
    assert forms[0].errors == {"product": ["No product with this barcode, SKU or name: “0000000”."]}
    assert forms[1].errors == {"quantity": ["pcs are counted whole: enter a whole number."]}
    assert forms[2].errors == {"cost": ["Enter the cost per unit."]}
    assert not Movement.objects.exists()


def test_receipt_form_needs_a_row(manager_client):
    response = manager_client.post(reverse("warehouse:receipt_new"), rows_data())
    assert response.status_code == 200
    assert response.context["head"].non_field_errors() == ["Add at least one product."]


def test_a_resent_receipt_records_once(manager_client, branch, ssd):
    data = rows_data(("SSD 1 TB", "1", "10"))
    manager_client.post(reverse("warehouse:receipt_new"), data)
    again = manager_client.post(reverse("warehouse:receipt_new"), data)
    assert again.status_code == 302
    assert Stock.objects.get(product=ssd, branch=branch).on_hand == D("1")


def test_transfer_form_moves_stock_and_refuses_the_same_branch(
    director_client, branch, other_branch, manager, ssd
):
    receive(branch, manager, (ssd, 3, "100"))
    url = reverse("warehouse:transfer_new") + f"?branch={branch.pk}"
    same = director_client.post(
        url, rows_data(("SSD 1 TB", "1"), to_branch=str(branch.pk), branch=str(branch.pk))
    )
    assert same.context["head"].errors == {
        "to_branch": ["Choose another branch: a transfer goes between two branches."]
    }
    done = director_client.post(
        url, rows_data(("SSD 1 TB", "2"), to_branch=str(other_branch.pk), branch=str(branch.pk))
    )
    assert done.status_code == 302
    assert Stock.objects.get(product=ssd, branch=other_branch).on_hand == D("2")


def test_transfer_to_another_workshops_branch_is_not_offered(
    director_client, branch, manager, ssd, outsider
):
    receive(branch, manager, (ssd, 3, "100"))
    foreign = outsider.workshop.branches.get()
    response = director_client.post(
        reverse("warehouse:transfer_new"),
        rows_data(("SSD 1 TB", "1"), to_branch=str(foreign.pk), branch=str(branch.pk)),
    )
    assert response.context["head"].errors == {"to_branch": ["Choose the branch it goes to."]}
    assert Movement.objects.count() == 1


def test_write_off_more_than_on_hand_is_shown_by_the_row(director_client, branch, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    response = director_client.post(
        reverse("warehouse:write_off_new"),
        rows_data(("SSD 1 TB", "3"), reason="Broken", branch=str(branch.pk)),
    )
    assert response.context["rows"].forms[0].errors == {
        "quantity": ["Only 2 available in Central."]
    }


def test_count_posts_counted_quantities(director_client, branch, manager, ssd, ram):
    receive(branch, manager, (ssd, 3, "100"), (ram, 2, "50"))
    response = director_client.get(reverse("warehouse:count_new"))
    assert len(response.context["rows"]) == 2
    post = director_client.post(
        reverse("warehouse:count_new"),
        {"key": str(uuid.uuid4()), "branch": branch.pk, f"c{ssd.pk}": "1", f"c{ram.pk}": ""},
    )
    assert post.status_code == 302
    assert Stock.objects.get(product=ssd, branch=branch).on_hand == D("1")
    assert Stock.objects.get(product=ram, branch=branch).on_hand == D("2")
    sheet = director_client.get(reverse("warehouse:count_sheet"))
    assert "SSD 1 TB" in sheet.content.decode()


def test_lookup_tells_the_scanner_what_a_code_is(manager_client, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "100"))
    found = manager_client.get(reverse("warehouse:lookup"), {"code": "4601234567890"}).json()
    assert (found["found"], found["name"], found["price"], found["available"]) == (
        True,
        "SSD 1 TB",
        "6490.00",
        "3",
    )
    missing = manager_client.get(reverse("warehouse:lookup"), {"code": "123"}).json()
    assert missing == {
        "found": False,
        "message": "No product with this barcode, SKU or name: “123”.",
    }


def test_another_workshops_product_is_404(manager_client, other_workshop):
    foreign = make_product(other_workshop, "Foreign", barcode="999")
    url = reverse("warehouse:product", kwargs={"product_id": foreign.pk})
    assert manager_client.get(url).status_code == 404
    assert manager_client.get(reverse("warehouse:lookup"), {"code": "999"}).json()["found"] is False


def test_technician_sees_availability_but_no_costs(technician_client, branch, manager, ssd):
    receive(branch, manager, (ssd, 3, "123"))
    response = technician_client.get(reverse("warehouse:product", kwargs={"product_id": ssd.pk}))
    assert response.status_code == 200
    assert "123,00" not in response.content.decode() and "123.00" not in response.content.decode()
    assert technician_client.get(reverse("warehouse:receipt_new")).status_code == 403


def test_product_form_creates_and_refuses_a_duplicate_barcode(manager_client, ssd):
    data = {
        "name": "Charger 65W",
        "sku": "",
        "barcode": "4601234567890",
        "category": "",
        "unit": "pcs",
        "price": "1990",
        "is_active": "on",
    }
    response = manager_client.post(reverse("warehouse:product_new"), data)
    assert response.context["form"].errors == {"barcode": ["Another product has this barcode."]}
    data["barcode"] = "4600000000001"
    assert manager_client.post(reverse("warehouse:product_new"), data).status_code == 302
    assert Product.objects.filter(name="Charger 65W").exists()


def test_order_card_shows_what_each_goods_line_holds(
    manager_client, workshop, branch, manager, ssd
):
    receive(branch, manager, (ssd, 3, "100"))
    order = make_order(workshop, branch, manager)
    add_line(order, manager, "SSD 1 TB", 1)
    response = manager_client.get(reverse("orders:card", kwargs={"order_number": order.number}))
    html = response.content.decode()
    assert 'id="warehouse-stock"' in html and "reserved" in html


def test_pc_build_parts_come_from_stock(manager_client, workshop, branch, manager, ssd, ram):
    receive(branch, manager, (ssd, 3, "100"), (ram, 1, "50"))
    order = make_order(workshop, branch, manager, kind=Kind.PC_BUILD)
    url = reverse("warehouse:order_part_add", kwargs={"order_number": order.number})
    manager_client.post(url, {"product": "4601234567890", "quantity": "2"})
    manager_client.post(url, {"product": "RAM16", "quantity": "2"})  # only one in stock
    assert [(r.product, r.quantity) for r in Reservation.objects.all()] == [(ssd, D("2"))]
    order.refresh_from_db()
    assert order.lines_total == D("12980.00")
    card = manager_client.get(reverse("orders:card", kwargs={"order_number": order.number}))
    assert "Only 1 available in Central." in card.content.decode()


def test_serial_is_chosen_on_the_card(manager_client, workshop, branch, manager):
    make_product(workshop, "Phone X", serial_tracked=True)
    phone = Product.objects.get(name="Phone X")
    receive(branch, manager, (phone, 1, "100", ["SN1"]))
    order = make_order(workshop, branch, manager)
    line = add_line(order, manager, "Phone X", 1)
    url = reverse(
        "warehouse:order_serial", kwargs={"order_number": order.number, "line_id": line.pk}
    )
    manager_client.post(url, {"serial": "SN1"})
    assert Reservation.objects.get().serial.serial == "SN1"
