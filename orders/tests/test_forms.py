from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Client, Device, JournalEntry, Order, OrderLine
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

REPAIR = {
    "phone": "8 (912) 345-67-89",
    "name": "Иван Петров",
    "device_type": "Ноутбук",
    "brand": "Lenovo",
    "model": "IdeaPad 5",
    "serial": "PF2ABC",
    "condition": "царапины на крышке",
    "accessories": "зарядка, сумка",
    "problem": "Не включается 🔌",
    "estimate": "3 500,50",
}


def lines_data(*rows):
    data = {"lines-TOTAL_FORMS": str(max(3, len(rows))), "lines-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    for i in range(max(3, len(rows))):
        data.setdefault(f"lines-{i}-kind", "goods")
        data.setdefault(f"lines-{i}-quantity", "1")
    return data


def test_forms_repair_for_a_new_client_lands_on_the_card(manager_client, manager, branch):
    response = manager_client.post(reverse("orders:new_repair"), {**REPAIR, "branch": branch.pk})
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:card", kwargs={"order_number": order.number})
    assert (order.number, order.kind, order.status) == (1, Kind.REPAIR, Status.QUEUE)
    assert order.client.phone == "+79123456789"
    assert order.client.name == "Иван Петров"
    assert (order.device.brand, order.device.serial) == ("Lenovo", "PF2ABC")
    assert (order.condition, order.accessories) == ("царапины на крышке", "зарядка, сумка")
    assert (order.estimate, order.prepayment) == (Decimal("3500.50"), None)
    assert order.problem == "Не включается 🔌"
    assert order.accepted_by == manager
    assert list(JournalEntry.objects.values_list("action", flat=True)) == ["created"]


def test_forms_second_repair_reuses_the_client_and_the_chosen_device(manager_client, branch):
    manager_client.post(reverse("orders:new_repair"), {**REPAIR, "branch": branch.pk})
    first = Order.objects.get()
    data = {
        **REPAIR,
        "branch": branch.pk,
        "phone": "+7 912 345 67 89",
        "client_id": first.client_id,
        "device_id": first.device_id,
        "problem": "Шумит вентилятор",
    }
    manager_client.post(reverse("orders:new_repair"), data)
    second = Order.objects.order_by("-id").first()
    assert second.number == 2
    assert (Client.objects.count(), Device.objects.count()) == (1, 1)
    assert (second.client_id, second.device_id) == (first.client_id, first.device_id)


def test_forms_device_of_another_client_is_not_reused(manager_client, branch, workshop):
    other = Client.objects.create(workshop=workshop, name="Other", phone="+79031234567")
    stranger_device = Device.objects.create(workshop=workshop, client=other, brand="Asus")
    manager_client.post(
        reverse("orders:new_repair"),
        {**REPAIR, "branch": branch.pk, "device_id": stranger_device.pk},
    )
    order = Order.objects.get()
    assert order.device_id != stranger_device.pk
    assert order.device.client == order.client


def test_forms_sale_with_goods_lines_and_no_client(manager_client, manager, branch):
    data = {
        "branch": branch.pk,
        "phone": "",
        "name": "",
        **lines_data(
            {
                "name": "Мышь Logitech",
                "quantity": "2",
                "unit_price": "990",
                "performer": manager.pk,
            },
            {"name": "Коврик", "quantity": "1", "unit_price": "350,50"},
        ),
    }
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.kind, order.status, order.client, order.device) == (
        Kind.SALE,
        Status.SALE,
        None,
        None,
    )
    assert [(x.name, x.quantity, x.unit_price, x.performer_id) for x in order.lines.all()] == [
        ("Мышь Logitech", 2, Decimal("990.00"), manager.pk),
        ("Коврик", 1, Decimal("350.50"), None),
    ]
    assert order.lines_total == Decimal("2330.50")


def test_forms_pc_build(manager_client, branch):
    data = {
        "branch": branch.pk,
        "phone": "+79161234567",
        "name": "Ольга",
        "problem": "Игровой ПК до 100 000",
        "estimate": "95000",
        "due_date": "2026-12-01",
        **lines_data({"name": "RTX 4060", "quantity": "1", "unit_price": "32000"}),
    }
    assert manager_client.post(reverse("orders:new_pc_build"), data).status_code == 302
    order = Order.objects.get()
    assert (order.kind, order.status, order.lines_total) == (
        Kind.PC_BUILD,
        Status.PC_BUILD,
        Decimal("32000.00"),
    )
    assert str(order.due_date) == "2026-12-01"


def test_forms_call_out_needs_address_and_time(manager_client, branch, technician):
    data = {"branch": branch.pk, "phone": "+79161234567", "name": "Ольга"}
    response = manager_client.post(reverse("orders:new_call_out"), data)
    assert response.status_code == 200
    assert Order.objects.count() == 0
    assert response.context["form"].errors.keys() == {"address", "visit_at"}
    data.update(address="ул. Ленина, 1, кв. 5", visit_at="2026-12-01T10:30", assignee=technician.pk)
    assert manager_client.post(reverse("orders:new_call_out"), data).status_code == 302
    order = Order.objects.get()
    assert (order.status, order.address, order.assignee) == (
        Status.CALL_OUT,
        "ул. Ленина, 1, кв. 5",
        technician,
    )


def test_forms_show_only_the_fields_of_their_kind(manager_client):
    fields = {
        name: set(manager_client.get(reverse(f"orders:{name}")).context["form"].fields)
        for name in ("new_sale", "new_pc_build", "new_call_out", "new_repair")
    }
    assert "device_type" in fields["new_repair"] and "device_type" not in fields["new_call_out"]
    assert "address" in fields["new_call_out"] and "address" not in fields["new_repair"]
    assert "problem" not in fields["new_sale"]
    assert (
        "diagnostic_cost" in fields["new_repair"]
        and "diagnostic_cost" not in fields["new_pc_build"]
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": ""}, "phone", "Enter the client's phone number."),
        (
            {"phone": "12"},
            "phone",
            "The number 12 does not exist: check the digits and the country code.",
        ),
        (
            {"phone": "позвоните мне"},
            "phone",
            "This does not look like a phone number. Example: +7 912 345-67-89.",
        ),
        ({"estimate": "-5"}, "estimate", "An amount cannot be negative."),
        (
            {"estimate": "10000000000"},
            "estimate",
            "That is more than any bill: at most 999999999.99.",
        ),
        ({"estimate": "1e5"}, "estimate", "Enter an amount, for example 1500 or 1500,50."),
        (
            {"problem": "x" * 10_000},
            "problem",
            "Ensure this value has at most 5000 characters (it has 10000).",
        ),
        (
            {"name": "я" * 10_000},
            "name",
            "Ensure this value has at most 200 characters (it has 10000).",
        ),
        (
            {"device_type": "", "brand": "", "model": ""},
            "device_type",
            "Say what the device is: its type, brand or model.",
        ),
    ],
)
def test_forms_bad_input_gets_a_message_and_saves_nothing(
    manager_client, branch, change, field, message
):
    response = manager_client.post(
        reverse("orders:new_repair"), {**REPAIR, "branch": branch.pk, **change}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.split("(")[0] in response.content.decode().replace("&#x27;", "'")
    assert (Order.objects.count(), Client.objects.count(), Device.objects.count()) == (0, 0, 0)


def test_forms_zero_quantity_line_is_refused(manager_client, branch):
    data = {
        "branch": branch.pk,
        **lines_data({"name": "Кабель", "quantity": "0", "unit_price": "100"}),
    }
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["quantity"] == ["At least 1."]
    assert Order.objects.count() == OrderLine.objects.count() == 0


def test_forms_a_technician_cannot_open_them(technician_client):
    assert technician_client.get(reverse("orders:new_repair")).status_code == 403
    assert technician_client.post(reverse("orders:new_repair"), REPAIR).status_code == 403
    assert Order.objects.count() == 0


def test_forms_topbar_buttons_follow_the_role(manager_client, technician_client):
    manager_html = manager_client.get(reverse("orders:work")).content.decode()
    tech_html = technician_client.get(reverse("orders:work")).content.decode()
    for name in ("new_sale", "new_pc_build", "new_call_out", "new_repair"):
        assert reverse(f"orders:{name}") in manager_html
        assert reverse(f"orders:{name}") not in tech_html
    assert reverse("orders:work") in tech_html


# ---------------------------------------------------------------- phone lookup


def test_lookup_finds_the_client_typed_any_way_and_lists_devices(manager_client, repair_order):
    response = manager_client.get(
        reverse("orders:lookup"), {"phone": "912 345 67 89", "kind": "repair"}
    )
    html = response.content.decode()
    assert response.context["client"] == repair_order.client
    assert 'value="Иван Петров"' in html
    assert f'data-use-device="{repair_order.device_id}"' in html
    assert f"№{repair_order.number}" in html


def test_lookup_unknown_phone_keeps_what_was_typed(manager_client, repair_order):
    response = manager_client.get(
        reverse("orders:lookup"), {"phone": "+79031112233", "name": "Пётр", "kind": "repair"}
    )
    assert response.context["client"] is None
    assert 'value="Пётр"' in response.content.decode()
    assert "New client: fill in the name." in response.content.decode()


def test_lookup_after_a_found_client_a_new_phone_clears_their_details(manager_client, repair_order):
    response = manager_client.get(
        reverse("orders:lookup"),
        {"phone": "+79031112233", "name": "Иван Петров", "client_id": repair_order.client_id},
    )
    assert response.context["client"] is None
    assert 'value="Иван Петров"' not in response.content.decode()


def test_lookup_malformed_phone_says_so(manager_client):
    response = manager_client.get(reverse("orders:lookup"), {"phone": "12"})
    assert response.context["phone_errors"] == [
        "The number 12 does not exist: check the digits and the country code."
    ]


def test_lookup_never_finds_another_workshops_client(outsider_client, repair_order):
    response = outsider_client.get(reverse("orders:lookup"), {"phone": "+79123456789"})
    assert response.context["client"] is None
    assert "Иван" not in response.content.decode()


def test_lookup_skips_deleted_clients(manager_client, repair_order):
    Client.objects.filter(pk=repair_order.client_id).update(is_deleted=True)
    response = manager_client.get(reverse("orders:lookup"), {"phone": "+79123456789"})
    assert response.context["client"] is None


@pytest.mark.parametrize("visit_at", ["0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T10:00"])
def test_forms_call_out_visit_time_out_of_range_is_refused(manager_client, branch, visit_at):
    data = {
        "branch": branch.pk,
        "phone": "+79161234567",
        "name": "Ольга",
        "address": "ул. Ленина, 1",
        "visit_at": visit_at,
    }
    response = manager_client.post(reverse("orders:new_call_out"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "visit_at": ["Enter a date between the years 2000 and 2100."]
    }
    assert Order.objects.count() == 0


def test_forms_repair_due_date_year_one_is_refused(manager_client, branch):
    data = {**REPAIR, "branch": branch.pk, "due_date": "0001-01-01"}
    response = manager_client.post(reverse("orders:new_repair"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_date": ["Enter a date between the years 2000 and 2100."]
    }
    assert Order.objects.count() == 0


def test_forms_assignee_must_work_in_the_chosen_branch(
    director_client, workshop, branch, other_branch
):
    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory

    north_tech = MembershipFactory(workshop=workshop, role=Role.TECHNICIAN, branches=[other_branch])
    data = {**REPAIR, "branch": branch.pk, "assignee": north_tech.pk}
    response = director_client.post(reverse("orders:new_repair"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "assignee": [f"{north_tech.user} does not work in the branch {branch.name}."]
    }
    assert Order.objects.count() == 0
    data["branch"] = other_branch.pk
    assert director_client.post(reverse("orders:new_repair"), data).status_code == 302
    assert Order.objects.get().assignee == north_tech


def test_lookup_lists_only_orders_of_the_members_branches(
    workshop, other_branch, director, manager_client, director_client, repair_order
):
    from orders import services

    north = services.order_create(
        workshop=workshop,
        branch=other_branch,
        kind=Kind.REPAIR,
        by=director,
        client_data={"phone": "+79123456789", "id": repair_order.client_id},
        device_data={"id": repair_order.device_id},
        order_data={"problem": "СЕКРЕТ северного филиала"},
    )
    params = {"phone": "+79123456789", "kind": "repair"}
    (device,) = manager_client.get(reverse("orders:lookup"), params).context["devices"]
    assert device.past_orders == [repair_order]
    (device,) = director_client.get(reverse("orders:lookup"), params).context["devices"]
    assert device.past_orders == [north, repair_order]


def test_forms_stale_client_id_does_not_take_over_another_client(
    manager_client, branch, repair_order
):
    ivan = repair_order.client
    data = {
        **REPAIR,
        "branch": branch.pk,
        "client_id": ivan.pk,
        "phone": "+79031112233",
        "name": "Пётр Новый",
    }
    assert manager_client.post(reverse("orders:new_repair"), data).status_code == 302
    ivan.refresh_from_db()
    assert (ivan.name, ivan.phone) == ("Иван Петров", "+79123456789")
    new = Order.objects.order_by("-id").first().client
    assert (new.pk != ivan.pk, new.name, new.phone) == (True, "Пётр Новый", "+79031112233")


def test_forms_client_id_with_its_own_phone_is_reused(manager_client, branch, repair_order):
    ivan = repair_order.client
    data = {**REPAIR, "branch": branch.pk, "client_id": ivan.pk, "name": "Иван Петрович"}
    assert manager_client.post(reverse("orders:new_repair"), data).status_code == 302
    ivan.refresh_from_db()
    assert (Client.objects.count(), ivan.name, ivan.phone) == (1, "Иван Петрович", "+79123456789")


def test_lookup_of_a_new_phone_shows_no_errors_but_keeps_what_was_typed(manager_client):
    params = {"phone": "+79031112233", "kind": "repair", "email": "p@example.com"}
    response = manager_client.get(reverse("orders:lookup"), params)
    html = response.content.decode()
    assert "This field is required" not in html and 'class="field__error"' not in html
    assert (
        response.context["form"]["phone"].value(),
        response.context["form"]["email"].value(),
    ) == (
        "+79031112233",
        "p@example.com",
    )


def test_forms_sale_with_a_phone_needs_a_name(manager_client, branch):
    data = {
        "branch": branch.pk,
        "phone": "+79031112233",
        "name": "",
        **lines_data({"name": "Кабель", "unit_price": "100"}),
    }
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["Enter the client's name, or leave the phone empty."]
    }
    assert Order.objects.count() == 0


def test_forms_the_same_page_submitted_twice_creates_one_order(manager_client, branch):
    page = manager_client.get(reverse("orders:new_repair"))
    key = page.context["form"]["form_key"].value()
    assert f'name="form_key" value="{key}"' in page.content.decode()
    data = {**REPAIR, "branch": branch.pk, "form_key": key}
    first = manager_client.post(reverse("orders:new_repair"), data)
    second = manager_client.post(reverse("orders:new_repair"), data, follow=True)
    order = Order.objects.get()
    assert first.url == second.redirect_chain[-1][0] == f"/orders/{order.number}/"
    assert [str(m) for m in second.context["messages"]] == [
        f"Order №{order.number} saved.",  # the first press's, not yet shown
        f"Order №{order.number} was already saved.",
    ]
    assert (Client.objects.count(), Device.objects.count()) == (1, 1)
    other = manager_client.get(reverse("orders:new_repair")).context["form"]["form_key"].value()
    assert other != key


def test_forms_sale_lines_default_to_the_person_filling_the_form(manager_client, manager):
    response = manager_client.get(reverse("orders:new_sale"))
    formset = response.context["formset"]
    assert {form.fields["performer"].initial for form in formset.forms} == {manager.pk}


@pytest.mark.parametrize(
    ("total", "message"),
    [
        ("1000000", "Please submit at most 100 forms."),
        ("-1", "The lines of this form arrived garbled."),
        ("abc", "ManagementForm data is missing or has been tampered with"),
    ],
)
def test_forms_tampered_line_count_is_refused_and_saves_nothing(
    manager_client, branch, total, message
):
    data = {
        "branch": branch.pk,
        **lines_data({"name": "Кабель", "unit_price": "300"}),
        "lines-TOTAL_FORMS": total,
    }
    response = manager_client.post(reverse("orders:new_sale"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()
    # The form is re-rendered with at most the formset's cap of line rows (100) and the
    # empty row the "add line" button copies, never the count the tampered field asked for.
    assert response.content.decode().count('<div class="line-row') <= 101


def test_forms_stale_hidden_branch_is_shown_with_its_error(
    manager_client, manager, branch, other_branch
):
    page = manager_client.get(reverse("orders:new_repair")).content.decode()
    assert f'type="hidden" name="branch" value="{branch.pk}"' in page
    # The director moves the manager to the other branch while the form is open.
    from accounts.services import membership_update

    membership_update(membership=manager, role=manager.role, branches=[other_branch])
    response = manager_client.post(reverse("orders:new_repair"), {**REPAIR, "branch": branch.pk})
    html = response.content.decode()
    assert response.status_code == 200 and not Order.objects.exists()
    assert "You no longer work in the branch this form was opened for." in html
    assert f'<option value="{other_branch.pk}">North</option>' in html
    fixed = manager_client.post(reverse("orders:new_repair"), {**REPAIR, "branch": other_branch.pk})
    assert fixed.status_code == 302
    assert Order.objects.get().branch == other_branch


def test_forms_prepayment_is_not_a_typed_order_field(manager_client, branch):
    """Prepayments are money: the cash desk's intake step records them as ledger entries;
    orders no longer offers, nor stores, a typed prepayment."""
    page = manager_client.get(reverse("orders:new_repair")).content.decode()
    assert 'name="prepayment"' not in page
    response = manager_client.post(
        reverse("orders:new_repair"), {**REPAIR, "branch": branch.pk, "prepayment": "5000"}
    )
    assert response.status_code == 302
    assert Order.objects.get().prepayment is None
