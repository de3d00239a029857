"""Receipts, transfers, write-offs, returns and counts: movements, totals and costs."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.tests.factories import BranchFactory
from warehouse import services
from warehouse.models import (
    AppendOnlyError,
    CountLine,
    Document,
    Movement,
    MovementKind,
    Serial,
    SerialState,
    Stock,
    Unit,
)
from warehouse.services import Row, RowsInvalid
from warehouse.tests.conftest import make_product, receive

pytestmark = pytest.mark.django_db

D = Decimal


def stock(product, branch) -> Stock:
    return Stock.objects.get(product=product, branch=branch)


def test_receipt_adds_stock_and_keeps_the_moving_average_exact(branch, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"), (ssd, 1, "130"))
    s = stock(ssd, branch)
    assert (s.on_hand, s.value, s.average_cost) == (D("3"), D("330.00"), D("110.00"))
    doc = Document.objects.get()
    assert doc.total == D("330.00")
    assert [m.kind for m in Movement.objects.order_by("id")] == [MovementKind.RECEIPT] * 2


def test_average_cost_matches_a_hand_computed_example(workshop, branch, director, manager):
    """3 at 10.00 = 30.00; selling one takes 10.00; 2 more at 11.00 make 42.00 for 4
    (10.50 each); writing off 3 takes 31.50 (31.5 exactly); the last one leaves at the
    10.50 that is left, so nothing is lost to rounding."""
    paste = make_product(workshop, "Thermal paste", price="500")
    receive(branch, manager, (paste, 3, "10"))
    services.write_off_post(
        branch=branch, rows=[Row(paste, D("1"))], reason="Used on the bench", by=director
    )
    assert stock(paste, branch).value == D("20.00")
    receive(branch, manager, (paste, 2, "11"))
    s = stock(paste, branch)
    assert (s.on_hand, s.value, s.average_cost) == (D("4"), D("42.00"), D("10.50"))
    services.write_off_post(branch=branch, rows=[Row(paste, D("3"))], reason="Dried", by=director)
    assert stock(paste, branch).value == D("10.50")
    services.write_off_post(branch=branch, rows=[Row(paste, D("1"))], reason="Dried", by=director)
    s = stock(paste, branch)
    assert (s.on_hand, s.value) == (D("0"), D("0.00"))
    assert [m.value for m in Movement.objects.order_by("id")] == [
        D("30.00"),
        D("-10.00"),
        D("22.00"),
        D("-31.50"),
        D("-10.50"),
    ]


def test_thirds_round_to_the_kopeck_and_the_last_unit_takes_the_rest(
    branch, director, manager, workshop
):
    cable = make_product(workshop, "Cable", price="300")
    receive(branch, manager, (cable, 3, "33.34"))  # 100.02
    values = []
    for _ in range(3):
        services.write_off_post(branch=branch, rows=[Row(cable, D("1"))], reason="x", by=director)
        values.append(Movement.objects.order_by("-id").first().value)
    assert sum(values) == D("-100.02")
    assert stock(cable, branch).value == D("0.00")


def test_metres_take_three_decimals(branch, manager, workshop):
    wire = make_product(workshop, "Wire", unit=Unit.METRE)
    receive(branch, manager, (wire, "2.5", "40"))
    assert stock(wire, branch).on_hand == D("2.500")
    assert stock(wire, branch).value == D("100.00")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Enter a quantity greater than zero."),
        ("-1", "Enter a quantity greater than zero."),
        ("1.5", "pcs are counted whole: enter a whole number."),
        ("abc", "Enter a quantity, for example 2 or 1,5."),
        ("NaN", "Enter a quantity, for example 2 or 1,5."),
        ("99999999", "That is more than any shelf holds: at most 1000000."),
    ],
)
def test_bad_quantities_are_refused_by_the_field_and_nothing_moves(
    branch, manager, ssd, quantity, message
):
    with pytest.raises(RowsInvalid) as exc:
        services.receipt_post(branch=branch, by=manager, rows=[Row(ssd, quantity, D("10"))])
    assert exc.value.errors == {0: {"quantity": [message]}}
    assert not Movement.objects.exists() and not Document.objects.exists()


def test_more_decimals_than_allowed_are_refused(branch, manager, workshop):
    wire = make_product(workshop, "Wire", unit=Unit.METRE)
    with pytest.raises(RowsInvalid) as exc:
        services.receipt_post(branch=branch, by=manager, rows=[Row(wire, D("1.2345"), D("1"))])
    assert exc.value.errors == {0: {"quantity": ["At most three decimals."]}}
    with pytest.raises(RowsInvalid) as exc:
        services.receipt_post(branch=branch, by=manager, rows=[Row(wire, D("1"), D("1.005"))])
    assert exc.value.errors == {0: {"cost": ["Amounts go down to kopecks: at most two decimals."]}}


def test_a_second_submission_of_the_same_form_records_once(branch, manager, ssd):
    key = uuid.uuid4()
    receive(branch, manager, (ssd, 1, "10"), key=key)
    with pytest.raises(services.AlreadyRecorded):
        receive(branch, manager, (ssd, 1, "10"), key=key)
    assert stock(ssd, branch).on_hand == D("1")


def test_transfer_moves_out_and_in_at_cost_in_one_go(branch, other_branch, director, manager, ssd):
    receive(branch, manager, (ssd, 4, "100"), (ssd, 1, "150"))  # 550 for 5: 110 each
    services.transfer_post(
        branch=branch, to_branch=other_branch, rows=[Row(ssd, D("2"))], by=director
    )
    here, there = stock(ssd, branch), stock(ssd, other_branch)
    assert (here.on_hand, here.value) == (D("3"), D("330.00"))
    assert (there.on_hand, there.value, there.average_cost) == (D("2"), D("220.00"), D("110.00"))


def test_transfer_to_the_same_branch_is_refused(branch, director, manager, ssd):
    receive(branch, manager, (ssd, 1, "100"))
    with pytest.raises(ValidationError) as exc:
        services.transfer_post(
            branch=branch, to_branch=branch, rows=[Row(ssd, D("1"))], by=director
        )
    assert exc.value.message_dict == {
        "to_branch": ["Choose another branch: a transfer goes between two branches."]
    }


def test_transfer_to_another_workshops_branch_is_refused(
    branch, director, manager, ssd, other_workshop
):
    receive(branch, manager, (ssd, 1, "100"))
    foreign = BranchFactory(workshop=other_workshop)
    with pytest.raises(services.WarehouseError):
        services.transfer_post(
            branch=branch, to_branch=foreign, rows=[Row(ssd, D("1"))], by=director
        )
    assert Movement.objects.count() == 1


def test_another_workshops_product_is_refused(branch, manager, other_workshop):
    foreign = make_product(other_workshop, "Foreign")
    with pytest.raises(services.WarehouseError):
        services.receipt_post(branch=branch, by=manager, rows=[Row(foreign, D("1"), D("1"))])
    assert not Movement.objects.exists()


def test_writing_off_more_than_on_hand_is_refused_with_what_there_is(
    branch, director, manager, ssd
):
    receive(branch, manager, (ssd, 2, "100"))
    with pytest.raises(RowsInvalid) as exc:
        services.write_off_post(
            branch=branch, rows=[Row(ssd, D("3"))], reason="Broken", by=director
        )
    assert exc.value.errors == {0: {"quantity": ["Only 2 available in Central."]}}
    assert stock(ssd, branch).on_hand == D("2")


def test_two_rows_of_one_product_count_together(branch, director, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    with pytest.raises(RowsInvalid) as exc:
        services.write_off_post(
            branch=branch, rows=[Row(ssd, D("1")), Row(ssd, D("2"))], reason="x", by=director
        )
    assert list(exc.value.errors) == [1]


def test_write_off_needs_a_reason(branch, director, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    with pytest.raises(ValidationError) as exc:
        services.write_off_post(branch=branch, rows=[Row(ssd, D("1"))], reason="  ", by=director)
    assert "reason" in exc.value.message_dict


def test_manager_may_not_write_off(branch, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"))
    with pytest.raises(services.NotPermitted):
        services.write_off_post(branch=branch, rows=[Row(ssd, D("1"))], reason="x", by=manager)


def test_supplier_return_leaves_at_average_cost(branch, director, manager, ssd):
    receive(branch, manager, (ssd, 2, "100"), supplier="ООО Комплект")
    services.supplier_return_post(
        branch=branch, rows=[Row(ssd, D("1"))], supplier="ООО Комплект", by=director
    )
    m = Movement.objects.order_by("-id").first()
    assert (m.kind, m.quantity, m.value) == (MovementKind.SUPPLIER_RETURN, D("-1"), D("-100.00"))


def test_count_turns_differences_into_adjustments(branch, director, manager, ssd, ram):
    receive(branch, manager, (ssd, 5, "100"), (ram, 2, "50"))
    doc = services.count_post(branch=branch, counted={ssd: D("3"), ram: D("4")}, by=director)
    assert stock(ssd, branch).on_hand == D("3") and stock(ssd, branch).value == D("300.00")
    assert stock(ram, branch).on_hand == D("4") and stock(ram, branch).value == D("200.00")
    lines = {c.product_id: (c.expected, c.counted) for c in CountLine.objects.filter(document=doc)}
    assert lines == {ssd.pk: (D("5"), D("3")), ram.pk: (D("2"), D("4"))}
    assert sorted(m.quantity for m in Movement.objects.filter(kind=MovementKind.COUNT)) == [
        D("-2"),
        D("2"),
    ]


def test_count_equal_to_the_books_moves_nothing_but_is_recorded(branch, director, manager, ssd):
    receive(branch, manager, (ssd, 5, "100"))
    doc = services.count_post(branch=branch, counted={ssd: D("5")}, by=director)
    assert not Movement.objects.filter(kind=MovementKind.COUNT).exists()
    assert CountLine.objects.get(document=doc).difference == 0


def test_movements_are_append_only_at_every_layer(branch, manager, ssd):
    receive(branch, manager, (ssd, 1, "100"))
    m = Movement.objects.get()
    with pytest.raises(AppendOnlyError):
        m.save()
    with pytest.raises(AppendOnlyError):
        m.delete()
    with pytest.raises(AppendOnlyError):
        Movement.objects.filter(pk=m.pk).update(quantity=5)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE warehouse_movement SET quantity = 5000 WHERE id = %s", [m.pk])


def test_serials_are_received_one_per_unit(branch, manager, workshop):
    phone = make_product(workshop, "Phone X", serial_tracked=True)
    with pytest.raises(RowsInvalid) as exc:
        receive(branch, manager, (phone, 2, "100", ["A1"]))
    assert exc.value.errors[0]["serials"][0].startswith("List one serial number per unit")
    receive(branch, manager, (phone, 2, "100", ["A1", "A2"]))
    assert sorted(Serial.objects.values_list("serial", flat=True)) == ["A1", "A2"]
    with pytest.raises(RowsInvalid) as exc:
        receive(branch, manager, (phone, 1, "100", ["A1"]))
    assert exc.value.errors == {0: {"serials": ["Serial A1 is already received."]}}


def test_serials_travel_with_a_transfer(branch, other_branch, director, manager, workshop):
    phone = make_product(workshop, "Phone X", serial_tracked=True)
    receive(branch, manager, (phone, 2, "100", ["A1", "A2"]))
    services.transfer_post(
        branch=branch,
        to_branch=other_branch,
        rows=[Row(phone, D("1"), serials=["A2"])],
        by=director,
    )
    assert Serial.objects.get(serial="A2").branch == other_branch
    with pytest.raises(RowsInvalid) as exc:
        services.write_off_post(
            branch=branch, rows=[Row(phone, D("1"), serials=["A2"])], reason="x", by=director
        )
    assert exc.value.errors == {0: {"serials": ["Serial A2 is not in stock in Central."]}}
    services.write_off_post(
        branch=branch, rows=[Row(phone, D("1"), serials=["A1"])], reason="x", by=director
    )
    assert Serial.objects.get(serial="A1").state == SerialState.GONE


def test_products_are_unique_by_name_sku_and_barcode(workshop, manager, ssd):
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            workshop=workshop,
            by=manager,
            data={"name": "ssd 1 tb", "sku": "ssd-1t", "barcode": "4601234567890", "price": D("1")},
        )
    assert set(exc.value.message_dict) == {"name", "sku", "barcode"}


def test_a_new_product_goes_into_the_goods_directory(workshop, manager):
    from directories.models import Entry, Kind

    services.product_create(
        workshop=workshop, by=manager, data={"name": "Charger USB-C 65W", "price": D("1990")}
    )
    entry = Entry.objects.get(workshop=workshop, kind=Kind.GOODS)
    assert (entry.value, entry.last_price) == ("Charger USB-C 65W", D("1990.00"))


def test_barcode_and_sku_find_the_product(workshop, ssd):
    assert services.product_by_barcode(workshop=workshop, code="4601234567890") == ssd
    assert services.product_by_barcode(workshop=workshop, code="ssd-1t") == ssd
    assert services.product_by_barcode(workshop=workshop, code="0000") is None
