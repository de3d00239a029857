from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.forms import OrderCardForm, card_initial
from orders.models import Client, JournalEntry, Order, OrderLine
from orders.workflow import Status

pytestmark = pytest.mark.django_db


def card_url(order):
    return reverse("orders:card", kwargs={"order_number": order.number})


def card_post(client, order, **changes):
    """Post the card as the browser would: every field with its loaded value, plus changes."""
    page = client.get(card_url(order))
    form = page.context["form"]
    data = {"version": page.context["order"].version}
    for name, field in form.fields.items():
        value = form[name].value()
        value = field.prepare_value(value)
        text = field.widget.format_value(value) or ""
        data[name] = text
        data[f"initial-{name}"] = text
    data.update(changes)
    return data


def test_card_save_in_place_journals_each_field(manager_client, manager, repair_order):
    data = card_post(
        manager_client, repair_order, diagnosis="Вздулся конденсатор", estimate="4 200"
    )
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    order = Order.objects.get(pk=repair_order.pk)
    assert (order.diagnosis, order.estimate, order.version) == (
        "Вздулся конденсатор",
        Decimal("4200.00"),
        2,
    )
    entries = list(
        JournalEntry.objects.filter(action="changed").values_list(
            "field", "old_value", "new_value", "by"
        )
    )
    assert sorted(entries) == [
        ("diagnosis", "", "Вздулся конденсатор", manager.pk),
        ("estimate", "", "4200.00", manager.pk),
    ]


def test_card_client_and_device_fields_save_to_their_records(manager_client, repair_order):
    data = card_post(
        manager_client, repair_order, client_phone="8 916 000 11 22", device_serial="SN-Ё-1"
    )
    manager_client.post(card_url(repair_order), data)
    assert Client.objects.get().phone == "+79160001122"
    assert repair_order.device.__class__.objects.get().serial == "SN-Ё-1"


def test_card_bad_phone_and_money_are_refused_with_messages(manager_client, repair_order):
    data = card_post(manager_client, repair_order, client_phone="12", estimate="-1")
    response = manager_client.post(card_url(repair_order), data)
    errors = response.context["form"].errors
    assert errors["client_phone"] == [
        "The number 12 does not exist: check the digits and the country code."
    ]
    assert errors["estimate"] == ["An amount cannot be negative."]
    assert Order.objects.get().version == 1


def test_card_stale_version_is_refused_with_who_changed_what(
    manager_client, director_client, director, repair_order
):
    mine = card_post(manager_client, repair_order, notes="Клиент просит позвонить")
    theirs = card_post(director_client, repair_order, diagnosis="Нужна замена платы")
    assert director_client.post(card_url(repair_order), theirs).status_code == 200
    plain = manager_client.post(card_url(repair_order), mine)
    assert plain.status_code == 409
    response = manager_client.post(card_url(repair_order), mine, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this order while you were editing it. Nothing was saved." in html
    assert "Dana Director" in html and "Нужна замена платы" in html
    order = Order.objects.get()
    assert (order.notes, order.diagnosis, order.version) == ("", "Нужна замена платы", 2)
    # The user's input is kept, on top of the latest version: saving again applies only it.
    form = response.context["form"]
    assert form["notes"].value() == "Клиент просит позвонить"
    assert form["diagnosis"].value() == "Нужна замена платы"
    assert 'name="version" id="order-version" value="2"' in html
    again = dict(form.data.items())
    again["version"] = "2"
    assert manager_client.post(card_url(repair_order), again).status_code == 200
    order.refresh_from_db()
    assert (order.notes, order.diagnosis, order.version) == (
        "Клиент просит позвонить",
        "Нужна замена платы",
        3,
    )


def test_card_version_endpoint_is_quiet_until_someone_saves(manager_client, director, repair_order):
    url = reverse("orders:version", kwargs={"order_number": repair_order.number})
    quiet = manager_client.get(url, {"version": 1}).content.decode()
    assert "Someone else changed" not in quiet and 'hx-trigger="every 30s"' in quiet
    services.order_transition(order=repair_order, to=Status.DIAGNOSTICS, by=director)
    loud = manager_client.get(url, {"version": 1}).content.decode()
    assert "Someone else changed this order since you opened it" in loud and "Dana Director" in loud


def test_card_technician_edits_only_the_work(technician_client, repair_order):
    data = card_post(
        technician_client,
        repair_order,
        diagnosis="Замена разъёма питания",
        problem="взлом",
        estimate="1",
    )
    response = technician_client.post(card_url(repair_order), data)
    assert response.status_code == 200
    order = Order.objects.get()
    assert (order.diagnosis, order.problem, order.estimate) == (
        "Замена разъёма питания",
        "Не включается",
        None,
    )
    form = response.context["form"]
    assert {n for n, f in form.fields.items() if not f.disabled} == {
        "diagnosis",
        "partner",
        "notes",
    }


def test_card_technician_cannot_delete_or_add_goods(technician_client, technician, repair_order):
    url = reverse("orders:delete", kwargs={"order_number": repair_order.number})
    assert technician_client.post(url).status_code == 403
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    technician_client.post(
        add, {"kind": "goods", "name": "SSD", "quantity": 1, "unit_price": "5000", "version": 1}
    )
    assert OrderLine.objects.count() == 0
    technician_client.post(
        add,
        {
            "kind": "service",
            "name": "Чистка",
            "quantity": 1,
            "unit_price": "1500",
            "performer": technician.pk,
            "version": 1,
        },
    )
    assert list(OrderLine.objects.values_list("name", "performer")) == [("Чистка", technician.pk)]


def test_card_only_director_deletes_and_restores(manager_client, director_client, repair_order):
    delete = reverse("orders:delete", kwargs={"order_number": repair_order.number})
    restore = reverse("orders:restore", kwargs={"order_number": repair_order.number})
    assert manager_client.post(delete).status_code == 403
    assert director_client.post(delete).status_code == 302
    assert Order.objects.get().is_deleted
    assert manager_client.get(card_url(repair_order)).status_code == 404
    assert manager_client.get(reverse("orders:work"), {"q": "Иван"}).context["rows"] == []
    assert director_client.post(restore).status_code == 302
    assert not Order.objects.get().is_deleted
    assert [e.action for e in JournalEntry.objects.order_by("id")] == [
        "created",
        "deleted",
        "restored",
    ]


def test_card_client_soft_delete_is_director_only(manager_client, director_client, repair_order):
    url = reverse("orders:client_delete", kwargs={"client_id": repair_order.client_id})
    assert manager_client.post(url).status_code == 403
    response = director_client.post(url, {"order": repair_order.number})
    assert response.url == reverse("orders:card", kwargs={"order_number": repair_order.number})
    assert Client.objects.get().is_deleted
    restore = reverse("orders:client_restore", kwargs={"client_id": repair_order.client_id})
    assert manager_client.post(restore).status_code == 403
    director_client.post(restore)
    assert not Client.objects.get().is_deleted


def test_card_prices_after_issue_are_closed_even_to_the_director_until_a_correction(
    manager_client, director_client, manager, director, repair_order
):
    line = services.line_add(
        order=repair_order,
        data={"name": "Ремонт", "quantity": 1, "unit_price": Decimal("2000")},
        by=manager,
    )
    Order.objects.filter(pk=repair_order.pk).update(status=Status.ISSUED)
    upd = reverse(
        "orders:line_update", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    row = {"kind": "service", "name": "Ремонт", "quantity": 1}
    for client in (manager_client, director_client):
        client.post(upd, {**row, "unit_price": "1", "version": 2})
        form = client.get(card_url(repair_order)).context["form"]
        assert form.fields["estimate"].disabled and form.fields["diagnostic_cost"].disabled
    assert OrderLine.objects.get().unit_price == Decimal("2000.00")
    correct = reverse("orders:correct", kwargs={"order_number": repair_order.number})
    assert manager_client.post(correct, {"reason": "x", "version": 2}).status_code == 403
    refused = director_client.post(correct, {"reason": "  ", "version": 2})
    assert refused.status_code == 400
    assert refused.context["correction_form"].errors == {
        "reason": ["Say why the issued order is being corrected."]
    }
    director_client.post(correct, {"reason": "Скидка постоянному клиенту", "version": 2})
    assert Order.objects.get().correction == "Скидка постоянному клиенту"
    page = director_client.get(card_url(repair_order))
    assert not page.context["form"].fields["estimate"].disabled
    assert "Correction open: Скидка постоянному клиенту." in page.content.decode()
    director_client.post(upd, {**row, "unit_price": "1800", "version": 3})
    order = Order.objects.get()
    assert OrderLine.objects.get().unit_price == Decimal("1800.00")
    assert (order.lines_total, order.correction) == (Decimal("1800.00"), "")
    # One save only: the next change is refused again.
    director_client.post(upd, {**row, "unit_price": "1", "version": order.version})
    assert OrderLine.objects.get().unit_price == Decimal("1800.00")
    journal = list(
        JournalEntry.objects.filter(order=order)
        .order_by("id")
        .values_list("action", "new_value", "by")
    )
    assert journal[-2:] == [
        ("correction", "Скидка постоянному клиенту", director.pk),
        ("line_changed", "1800.00", director.pk),
    ]


def test_card_lines_add_change_remove_keep_totals_and_journal(
    manager_client, manager, repair_order
):
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(
        add,
        {
            "kind": "service",
            "name": "Замена экрана 📱",
            "quantity": 2,
            "unit_price": "1 500,50",
            "version": 1,
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="order-version" value="2" hx-swap-oob="true"' in html
    line = OrderLine.objects.get()
    assert Order.objects.get().lines_total == Decimal("3001.00")
    upd = reverse(
        "orders:line_update", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    manager_client.post(
        upd,
        {
            "kind": "service",
            "name": "Замена экрана 📱",
            "quantity": 3,
            "unit_price": "1500.50",
            "version": 2,
        },
    )
    assert Order.objects.get().lines_total == Decimal("4501.50")
    response = manager_client.post(
        upd,
        {
            "kind": "service",
            "name": "Замена экрана",
            "quantity": 0,
            "unit_price": "1",
            "version": 3,
        },
        headers={"HX-Request": "true"},
    )
    assert "At least 1." in response.content.decode()
    rm = reverse(
        "orders:line_remove", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    manager_client.post(rm, {"version": 3})
    assert Order.objects.get().lines_total == Decimal("0.00")
    assert [(e.action, e.field) for e in JournalEntry.objects.order_by("id")] == [
        ("created", ""),
        ("line_added", ""),
        ("line_changed", "quantity"),
        ("line_removed", ""),
    ]


def test_card_absurd_line_price_is_refused(manager_client, repair_order):
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(
        add,
        {
            "kind": "service",
            "name": "X",
            "quantity": 1,
            "unit_price": "1000000000000",
            "version": 1,
        },
        headers={"HX-Request": "true"},
    )
    assert "That is more than any bill" in response.content.decode()
    assert OrderLine.objects.count() == 0


def test_card_journal_pages_by_keyset(manager_client, manager, repair_order):
    for i in range(45):
        services.order_update(
            order=repair_order, data={"notes": f"n{i}"}, version=repair_order.version, by=manager
        )
    first = manager_client.get(card_url(repair_order)).context
    assert len(first["entries"]) == 30 and first["journal_more"]
    before = first["entries"][-1].pk
    # The journal's rows are rendered in Python now (display.journal_rows_html): the
    # fragment includes no template, so the test reads its HTML.
    rest = manager_client.get(
        reverse("orders:journal", kwargs={"order_number": repair_order.number}), {"before": before}
    ).content.decode()
    assert rest.count('<li class="journal__entry">') == 16 and "journal-more" not in rest
    assert rest.rstrip().endswith("</li>") and "created the order" in rest.rsplit("<li", 1)[1]


def test_card_post_for_another_workshops_order_is_404(outsider_client, repair_order):
    response = outsider_client.post(card_url(repair_order), {"version": 1, "diagnosis": "hack"})
    assert response.status_code == 404
    assert Order.objects.get().diagnosis == ""


def test_card_form_unchanged_means_nothing_saved(manager_client, repair_order):
    data = card_post(manager_client, repair_order)
    response = manager_client.post(card_url(repair_order), data)
    assert "Nothing to save." in response.content.decode()
    assert Order.objects.get().version == 1


def test_card_initial_reads_the_order(repair_order, manager):
    form = OrderCardForm(order=repair_order, membership=manager, members={}, can=lambda p: True)
    assert card_initial(repair_order)["client_phone"] == "+7 912 345-67-89"
    assert form.editable


def test_card_due_date_year_one_is_refused_beside_the_field(manager_client, repair_order):
    data = card_post(manager_client, repair_order, due_date="0001-01-01")
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_date": ["Enter a date between the years 2000 and 2100."]
    }
    assert Order.objects.get().due_date is None


def test_card_service_refuses_a_year_one_visit(manager, workshop, branch):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    order = services.order_create(
        workshop=workshop,
        branch=branch,
        kind="call_out",
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ольга"},
        order_data={"address": "ул. Ленина, 1", "visit_at": timezone.now()},
    )
    year_one = timezone.make_aware(datetime.datetime(1, 1, 2))
    with pytest.raises(ValidationError) as caught:
        services.order_update(
            order=order, data={"visit_at": year_one}, version=order.version, by=manager
        )
    assert caught.value.message_dict == {
        "visit_at": ["Enter a date between the years 2000 and 2100."]
    }


def line_row(**values):
    return {"kind": "service", "name": "Ремонт", "quantity": 1, "unit_price": "2000", **values}


def test_card_line_from_a_stale_card_is_refused(
    manager_client, director_client, manager, repair_order
):
    line = services.line_add(
        order=repair_order,
        data={"name": "Ремонт", "quantity": 1, "unit_price": Decimal("2000")},
        by=manager,
    )
    upd = reverse(
        "orders:line_update", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    seen = Order.objects.get().version
    director_client.post(upd, line_row(unit_price="1800", version=seen))
    # The manager's row still shows 2000 from version `seen`; they change the quantity.
    response = manager_client.post(
        upd, line_row(quantity=2, version=seen), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert (
        "Someone else saved this order while you were editing it. Nothing was saved. "
        "The lines below are the latest: check and try again." in response.content.decode()
    )
    line.refresh_from_db()
    assert (line.quantity, line.unit_price) == (1, Decimal("1800.00"))
    rm = reverse(
        "orders:line_remove", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    manager_client.post(rm, {"version": seen})
    manager_client.post(add, line_row(name="Чистка", version=seen))
    assert list(OrderLine.objects.values_list("name", flat=True)) == ["Ремонт"]
    assert Order.objects.get().version == seen + 1


def test_card_line_post_without_version_is_refused(manager_client, repair_order):
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(add, line_row())
    assert response.status_code == 400
    assert OrderLine.objects.count() == 0


def test_card_in_place_save_refreshes_the_line_forms_version(manager_client, manager, repair_order):
    services.line_add(
        order=repair_order, data={"name": "Ремонт", "quantity": 1, "unit_price": 1}, by=manager
    )
    data = card_post(manager_client, repair_order, notes="позвонить")
    html = manager_client.post(
        card_url(repair_order), data, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<section id="lines" class="card lines" hx-swap-oob="true">' in html
    assert 'name="version" id="order-version" value="3"' in html
    assert '<div class="order-head" id="order-head" hx-swap-oob="true">' in html
    # The new line and the four moves out of the queue (the line itself is read-only
    # until it is edited: its form, fetched then, carries the version of that moment).
    assert html.count('name="version" value="3"') == 5
    assert 'name="version" value="2"' not in html


def test_card_plain_line_post_goes_back_to_the_card_with_a_message(manager_client, repair_order):
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(add, line_row(version=1), follow=True)
    assert response.redirect_chain == [(card_url(repair_order), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Lines saved."]
    response = manager_client.post(add, line_row(quantity=0, version=2), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Qty: At least 1."]
    assert OrderLine.objects.count() == 1


def test_card_technician_cannot_reprice_reassign_or_remove_others_lines(
    technician_client, technician, manager, repair_order
):
    line = services.line_add(
        order=repair_order,
        data={
            "kind": "service",
            "name": "Замена платы",
            "quantity": 1,
            "unit_price": Decimal("9000"),
            "performer": manager,
        },
        by=manager,
    )
    upd = reverse(
        "orders:line_update", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    rm = reverse(
        "orders:line_remove", kwargs={"order_number": repair_order.number, "line_id": line.pk}
    )
    row = line_row(name="Замена платы", unit_price="1", performer=technician.pk, version=2)
    response = technician_client.post(upd, row, headers={"HX-Request": "true"})
    assert "You may change only the lines you performed." in response.content.decode()
    response = technician_client.post(rm, {"version": 2}, headers={"HX-Request": "true"})
    assert "You may change only the lines you performed." in response.content.decode()
    line.refresh_from_db()
    assert (line.unit_price, line.performer_id) == (Decimal("9000.00"), manager.pk)
    page = technician_client.get(card_url(repair_order))
    assert page.context["line_forms"] == [(line, None)]


def test_card_technician_records_own_work_at_a_fixed_price(technician, repair_order):
    line = services.line_add(
        order=repair_order,
        data={"kind": "service", "name": "Чистка", "quantity": 1, "unit_price": Decimal("1500")},
        by=technician,
    )
    assert line.performer_id == technician.pk
    with pytest.raises(services.NotPermitted) as caught:
        services.line_update(line=line, data={"unit_price": Decimal("1")}, by=technician)
    assert caught.value.message == "Only the front desk may change the price of a recorded line."
    with pytest.raises(services.NotPermitted) as caught:
        services.line_update(line=line, data={"performer": None}, by=technician)
    assert caught.value.message == (
        "Technicians record their own work: choose yourself as the performer."
    )
    services.line_update(line=line, data={"quantity": 2}, by=technician)
    line.refresh_from_db()
    assert (line.quantity, line.unit_price) == (2, Decimal("1500.00"))
    services.line_remove(line=line, by=technician)
    assert OrderLine.objects.count() == 0


def test_card_technician_line_form_offers_only_themselves_and_locks_the_price(
    technician_client, technician, repair_order
):
    services.line_add(
        order=repair_order,
        data={"name": "Чистка", "quantity": 1, "unit_price": Decimal("1500")},
        by=technician,
    )
    page = technician_client.get(card_url(repair_order))
    (_line, form), new_line = page.context["line_forms"][0], page.context["new_line"]
    assert form.fields["unit_price"].disabled and not new_line.fields["unit_price"].disabled
    assert form.fields["performer"].choices == [
        ("", "—"),
        (str(technician.pk), str(technician.user)),
    ]
    assert new_line.fields["performer"].choices == form.fields["performer"].choices


def test_card_assignee_and_performer_are_people_of_the_orders_branch(
    manager_client, manager, director, workshop, other_branch, repair_order
):
    from django.core.exceptions import ValidationError

    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory

    north_tech = MembershipFactory(workshop=workshop, role=Role.TECHNICIAN, branches=[other_branch])
    page = manager_client.get(card_url(repair_order))
    choices = {c[0] for c in page.context["form"].fields["assignee"].choices}
    assert str(north_tech.pk) not in choices and {str(manager.pk), str(director.pk)} <= choices
    assert str(north_tech.pk) not in {
        c[0] for c in page.context["new_line"].fields["performer"].choices
    }
    with pytest.raises(ValidationError) as caught:
        services.order_update(
            order=repair_order, data={"assignee": north_tech}, version=1, by=manager
        )
    message = f"{north_tech.user} does not work in the branch {repair_order.branch.name}."
    assert caught.value.message_dict == {"assignee": [message]}
    with pytest.raises(ValidationError) as caught:
        services.line_add(
            order=repair_order,
            data={"name": "Чистка", "quantity": 1, "unit_price": 1, "performer": north_tech},
            by=manager,
        )
    assert caught.value.message_dict == {"performer": [message]}
    services.order_update(order=repair_order, data={"assignee": director}, version=1, by=manager)
    assert Order.objects.get().assignee == director


def test_card_line_total_past_any_bill_is_refused(manager_client, repair_order):
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(
        add,
        line_row(quantity="100000", unit_price="999999999,99", version=1),
        headers={"HX-Request": "true"},
    )
    assert (
        "Qty: The line comes to more than any bill: at most 999,999,999.99."
        in response.content.decode()
    )
    assert (OrderLine.objects.count(), Order.objects.get().lines_total) == (0, Decimal("0.00"))


def test_card_order_total_past_any_bill_is_refused_not_a_500(manager_client, repair_order):
    from orders.tests.factories import OrderLineFactory

    OrderLineFactory(order=repair_order, quantity=1, unit_price=Decimal("999999999.00"))
    add = reverse("orders:line_add", kwargs={"order_number": repair_order.number})
    response = manager_client.post(
        add, line_row(name="Y", unit_price="1", version=1), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert (
        "The order would come to more than any bill: at most 999,999,999.99."
        in response.content.decode()
    )
    assert (OrderLine.objects.count(), Order.objects.get().version) == (1, 1)


def test_card_service_enforces_the_field_permissions(technician, repair_order):
    with pytest.raises(services.NotPermitted) as caught:
        services.order_update(
            order=repair_order,
            data={"estimate": Decimal("1"), "client_name": "X"},
            version=1,
            by=technician,
        )
    assert caught.value.message == "You may change only the diagnosis, the partner and the notes."
    services.order_update(order=repair_order, data={"diagnosis": "Плата"}, version=1, by=technician)
    order = Order.objects.get()
    assert (order.estimate, order.client.name, order.diagnosis) == (None, "Иван Петров", "Плата")


def test_card_money_of_a_cancelled_order_needs_the_directors_correction(
    manager, director, workshop, branch
):
    order = services.order_create(
        workshop=workshop, branch=branch, kind="sale", by=manager, client_data=None
    )
    services.order_transition(order=order, to=Status.CANCELLED, by=manager)
    with pytest.raises(services.NotPermitted) as caught:
        services.order_update(
            order=order, data={"estimate": Decimal("1")}, version=order.version, by=manager
        )
    assert caught.value.message == (
        "This order is issued: its lines and amounts can no longer be changed."
    )
    with pytest.raises(services.NotPermitted):
        services.order_update(
            order=order, data={"estimate": Decimal("1")}, version=order.version, by=director
        )
    with pytest.raises(services.NotPermitted):
        services.order_correction_open(order=order, reason="ошибка", by=manager)
    services.order_correction_open(order=order, reason="ошибка в сумме", by=director)
    services.order_update(
        order=order, data={"estimate": Decimal("1")}, version=order.version, by=director
    )
    assert (Order.objects.get().estimate, Order.objects.get().correction) == (Decimal("1.00"), "")
    # A field that is not money stays editable after issue, without a correction.
    services.order_update(
        order=order, data={"notes": "позвонить"}, version=order.version, by=manager
    )
    with pytest.raises(services.NotPermitted):
        services.line_add(order=order, data={"name": "Кабель", "quantity": 1}, by=director)


def test_card_phone_of_another_live_client_is_refused(manager_client, workshop, repair_order):
    Client.objects.create(workshop=workshop, name="Ольга", phone="+79161234567")
    data = card_post(manager_client, repair_order, client_phone="8 916 123-45-67")
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    assert response.context["form"].errors == {
        "client_phone": ["Another client already has this number: Ольга."]
    }
    assert Client.objects.get(pk=repair_order.client_id).phone == "+79123456789"


def test_card_conflict_lists_twenty_changes_and_how_many_more(
    manager_client, manager, repair_order
):
    data = card_post(manager_client, repair_order, notes="mine")
    JournalEntry.objects.bulk_create(
        JournalEntry(
            workshop=repair_order.workshop,
            order=repair_order,
            version=2,
            by=manager,
            action="changed",
            field="notes",
            old_value="a",
            new_value="b",
        )
        for _ in range(2000)
    )
    Order.objects.filter(pk=repair_order.pk).update(version=2)
    response = manager_client.post(card_url(repair_order), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    conflict = html[html.index('<div class="conflict"') : html.index("Your edits are kept")]
    assert conflict.count('class="journal__when"') == 20
    assert "and 1980 more changes" in conflict


def test_card_post_without_version_is_400(manager_client, repair_order):
    data = card_post(manager_client, repair_order, notes="mine")
    del data["version"]
    assert manager_client.post(card_url(repair_order), data).status_code == 400
    assert Order.objects.get().notes == ""


def test_card_version_endpoint_is_404_for_a_deleted_order_to_staff(
    manager_client, director_client, director, repair_order
):
    services.order_soft_delete(order=repair_order, by=director)
    url = reverse("orders:version", kwargs={"order_number": repair_order.number})
    assert manager_client.get(url, {"version": 1}).status_code == 404
    assert director_client.get(url, {"version": 2}).status_code == 200


def test_card_journal_stores_raw_values_and_shows_them_in_the_readers_language(
    manager, manager_client, repair_order, settings
):
    import datetime

    from django.utils import translation

    services.order_update(
        order=repair_order,
        data={"estimate": Decimal("4200"), "due_date": datetime.date(2026, 1, 2)},
        version=1,
        by=manager,
    )
    services.line_add(
        order=repair_order,
        data={"name": "Ремонт", "quantity": 2, "unit_price": Decimal("1500.5")},
        by=manager,
    )
    stored = sorted(
        JournalEntry.objects.exclude(action="created").values_list("new_value", flat=True)
    )
    assert stored == ["2 × 1500.50", "2026-01-02", "4200.00"]
    from orders.views.card import describe

    with translation.override("ru"):
        entries = describe(list(JournalEntry.objects.exclude(action="created").order_by("id")))
        shown = [e.new_display for e in entries]
    assert shown == ["4\xa0200,00", "02.01.2026", "2 × 1\xa0500,50"]


def test_card_other_branches_follow_the_view_all_branches_permission(
    manager_client, manager, workshop, other_branch, monkeypatch
):
    from accounts import permissions
    from accounts.models import Role
    from orders.tests.factories import OrderFactory

    north = OrderFactory(workshop=workshop, branch=other_branch)
    assert manager_client.get(card_url(north)).status_code == 404
    monkeypatch.setitem(
        permissions.PERMISSIONS,
        "accounts.all_branches",
        frozenset({Role.DIRECTOR, Role.MANAGER}),
    )
    assert list(Order.objects.visible_to(manager)) == [north]
    assert manager_client.get(card_url(north)).status_code == 200
