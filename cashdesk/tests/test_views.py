"""The cash desk's screens: what each role sees and what a post records (or refuses)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from cashdesk import services
from cashdesk.models import CashEntry, EntryKind, Shift
from cashdesk.tests.conftest import READY, make_order
from orders.models import Order
from orders.workflow import Status

pytestmark = pytest.mark.django_db

D = Decimal


def card_url(order):
    return reverse("orders:card", kwargs={"order_number": order.number})


def url(name, order):
    return reverse(f"cashdesk:{name}", kwargs={"order_number": order.number})


def post_pay(client, order, *, key=None, htmx=False, **data):
    payload = {"key": str(key or uuid.uuid4()), "version": order.version, **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url("order_issue", order), payload, headers=headers)


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


# ---------------------------------------------------------------- the order card


def test_card_offers_issue_and_pay_instead_of_the_plain_move(manager_client, ready_order):
    page = manager_client.get(card_url(ready_order)).content.decode()
    assert 'data-to="issued"' not in page
    assert 'id="issue-and-pay"' in page and "Issue and take payment" in page
    assert 'id="cash-panel"' in page and 'id="cash-form-slot"' in page
    assert 'id="cash-cashdesk:order_prepayment"' in page


def test_card_technician_sees_the_panel_but_no_money_buttons(technician_client, ready_order):
    page = technician_client.get(card_url(ready_order)).content.decode()
    assert 'id="issue-and-pay"' not in page
    assert 'id="cash-panel"' in page
    assert "cashdesk:order_prepayment" not in page


def test_issue_form_shows_total_paid_and_due(manager_client, workshop, branch, manager):
    order = make_order(workshop, branch, manager, to=READY)
    services.prepayment_take(order=order, amounts={"cash": D("1000")}, by=manager, key=None)
    order.refresh_from_db()
    response = manager_client.get(url("order_issue", order), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.templates[0].name == "cashdesk/pay.html#form" or "cash-form" in html
    assert 'id="pay-total">4,200.00' in html
    assert 'id="pay-paid">1,000.00' in html
    assert 'id="pay-due">3,200.00' in html
    assert 'name="debt"' not in html  # the manager may not leave a debt


def test_issue_post_with_a_split_issues_and_redirects_to_the_card(manager_client, ready_order):
    response = post_pay(manager_client, ready_order, total="4 200,00", cash="3000", card="1200")
    assert response.status_code == 302 and response.url == card_url(ready_order)
    ready_order.refresh_from_db()
    assert ready_order.status == Status.ISSUED
    assert sorted(CashEntry.objects.values_list("method", "amount")) == [
        ("card", D("1200.00")),
        ("cash", D("3000.00")),
    ]
    card = manager_client.get(card_url(ready_order)).content.decode()
    assert 'id="order-paid">4,200.00' in card
    assert "took a payment: Cash 3,000.00, Card 1,200.00" in card


def test_issue_post_over_htmx_redirects_the_browser(manager_client, ready_order):
    response = post_pay(manager_client, ready_order, htmx=True, total="4200", cash="4200")
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == card_url(ready_order)


def test_issue_double_submit_records_one_payment(manager_client, ready_order):
    key = uuid.uuid4()
    post_pay(manager_client, ready_order, key=key, total="4200", cash="4200")
    again = post_pay(manager_client, ready_order, key=key, total="4200", cash="4200")
    assert again.status_code == 302
    assert messages_of(again)[-1] == "This was already recorded; it was not recorded a second time."
    assert CashEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"total": "4200", "cash": "3000", "card": "1000"}, "total", "The methods add up to"),
        ({"total": "4200", "cash": "abc"}, "cash", "Enter an amount"),
        ({"total": "4200", "cash": "-4200"}, "cash", "cannot be negative"),
        ({"total": "4200", "cash": "4200.001"}, "cash", "two decimals"),
        ({"total": "4200", "cash": "1000000000"}, "cash", "more than any bill"),
        ({"total": "5000", "cash": "5000"}, "total", "more than is due"),
        ({"total": "3000", "cash": "3000"}, "total", "would stay unpaid"),
    ],
)
def test_issue_bad_input_message_next_to_the_field_and_nothing_recorded(
    manager_client, ready_order, data, field, message
):
    response = post_pay(manager_client, ready_order, htmx=True, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert CashEntry.objects.count() == 0
    assert Order.objects.get(pk=ready_order.pk).status == Status.READY_NOTIFY


def test_issue_stale_card_is_refused_and_shows_the_new_figures(
    manager_client, ready_order, manager
):
    from orders import services as order_services

    seen = ready_order.version
    order_services.line_add(
        order=Order.objects.get(pk=ready_order.pk),
        data={"kind": "service", "name": "Extra", "quantity": 1, "unit_price": D("300")},
        by=manager,
    )
    ready_order.version = seen
    response = post_pay(manager_client, ready_order, htmx=True, total="4200", cash="4200")
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert 'id="pay-due">4,500.00' in html
    assert CashEntry.objects.count() == 0


def test_issue_with_debt_for_the_director_then_debts_list_and_client_card(
    director_client, ready_order
):
    response = post_pay(director_client, ready_order, total="3000", cash="3000", debt="on")
    assert response.status_code == 302
    debts = director_client.get(reverse("cashdesk:debts"))
    assert [o.number for o in debts.context["page"].rows] == [ready_order.number]
    assert debts.context["page"].rows[0].due == D("1200.00")
    card = director_client.get(card_url(ready_order)).content.decode()
    assert 'id="order-debt">1,200.00' in card
    client = director_client.get(
        reverse("orders:client", kwargs={"client_id": ready_order.client_id})
    ).content.decode()
    assert 'id="client-debts"' in client and "1,200.00" in client
    work = director_client.get(reverse("orders:work"), {"tab": "cash_desk"}).content.decode()
    assert "debt 1,200.00" in work


def test_technician_posting_a_payment_is_refused(technician_client, ready_order):
    response = post_pay(technician_client, ready_order, total="4200", cash="4200")
    assert response.status_code == 403
    assert CashEntry.objects.count() == 0


def test_outsider_gets_404_for_the_order_forms(outsider_client, ready_order):
    response = post_pay(outsider_client, ready_order, total="4200", cash="4200")
    assert response.status_code == 404
    assert CashEntry.objects.count() == 0


def test_refund_form_by_method_needs_a_reason(director_client, ready_order, manager):
    services.payment_take(
        order=ready_order,
        amounts={"cash": D("4200")},
        by=manager,
        key=None,
        version=ready_order.version,
        issue=True,
    )
    ready_order.refresh_from_db()
    payload = {"key": str(uuid.uuid4()), "version": ready_order.version, "cash": "500"}
    response = director_client.post(url("order_refund", ready_order), payload)
    assert "Say why" in " ".join(response.context["form"].errors["reason"])
    payload["reason"] = "Screen flickers"
    response = director_client.post(url("order_refund", ready_order), payload)
    assert response.status_code == 302
    assert CashEntry.objects.filter(kind=EntryKind.REFUND).get().amount == D("-500.00")


# ---------------------------------------------------------------- the desk


def test_desk_shows_the_open_shift_totals(director_client, ready_order, manager, branch):
    services.payment_take(
        order=ready_order,
        amounts={"cash": D("3000"), "card": D("1200")},
        by=manager,
        key=None,
        version=ready_order.version,
        issue=True,
    )
    response = director_client.get(reverse("cashdesk:desk"))
    html = response.content.decode()
    assert response.context["shift"] == Shift.objects.get(branch=branch)
    assert 'id="drawer-cash">3,000.00' in html
    assert 'id="close-shift"' in html
    assert len(response.context["page"].rows) == 2


def test_desk_is_for_the_desk_and_technicians_get_their_field_cash(technician_client):
    assert technician_client.get(reverse("cashdesk:desk")).status_code == 403
    page = technician_client.get(reverse("home"), follow=True).content.decode()
    assert reverse("cashdesk:field_cash") in page
    assert technician_client.get(reverse("cashdesk:field_cash")).status_code == 200


def test_desk_drawer_entry_forms(director_client, branch):
    data = {"key": str(uuid.uuid4()), "branch": branch.pk, "amount": "1000", "comment": ""}
    response = director_client.post(reverse("cashdesk:deposit"), data)
    assert response.status_code == 302
    data["key"] = str(uuid.uuid4())
    data["amount"] = "1500"
    response = director_client.post(reverse("cashdesk:withdrawal"), data)
    assert "holds only 1,000.00" in " ".join(response.context["form"].errors["amount"])
    expense = {
        "key": str(uuid.uuid4()),
        "branch": branch.pk,
        "amount": "300",
        "method": "cash",
        "category": "",
        "order_number": "999",
    }
    response = director_client.post(reverse("cashdesk:expense"), expense)
    assert "Choose a category." in response.context["form"].errors["category"]
    expense["category"] = "parts"
    response = director_client.post(reverse("cashdesk:expense"), expense)
    assert "No such order." in response.context["form"].errors["order_number"]
    assert list(CashEntry.objects.values_list("kind", "amount")) == [
        (EntryKind.DEPOSIT, D("1000.00"))
    ]


def test_close_shift_with_abc_then_counted_then_twice(director_client, branch, director):
    services.deposit_record(branch=branch, amount=D("1000"), by=director, key=None)
    shift = Shift.objects.get()
    close = reverse("cashdesk:shift_close", kwargs={"shift_id": shift.pk})
    form = director_client.get(close).context["form"]
    hidden = {"key": str(form["key"].value()), "seen": form["seen"].value()}
    response = director_client.post(close, {"counted": "abc", **hidden})
    assert "Enter an amount" in " ".join(response.context["form"].errors["counted"])
    assert Shift.objects.get(pk=shift.pk).is_open
    response = director_client.post(close, {"counted": "990", **hidden})
    z = reverse("cashdesk:z_report", kwargs={"shift_id": shift.pk})
    assert response.url == z
    again = director_client.post(close, {"counted": "990", **hidden})
    assert messages_of(again)[-1] == "This shift is already closed."
    assert CashEntry.objects.filter(kind=EntryKind.DIFFERENCE).count() == 1
    report = director_client.get(z).content.decode()
    assert 'id="z-expected">1,000.00' in report
    assert 'id="z-counted">990.00' in report
    assert 'id="z-difference">\u221210.00' in report
    archive = director_client.get(reverse("cashdesk:shifts"))
    assert [s.pk for s in archive.context["page"].rows] == [shift.pk]


def test_manager_cannot_close_or_reverse(manager_client, branch, director):
    entry = services.deposit_record(branch=branch, amount=D("10"), by=director, key=None)
    shift = Shift.objects.get()
    assert (
        manager_client.post(
            reverse("cashdesk:shift_close", kwargs={"shift_id": shift.pk}), {"counted": "10"}
        ).status_code
        == 403
    )
    reverse_url = reverse("cashdesk:entry_reverse", kwargs={"cash_entry_id": entry.pk})
    assert manager_client.post(reverse_url, {"reason": "x"}).status_code == 403


def test_reverse_form_strikes_the_entry_through(director_client, branch, director):
    entry = services.deposit_record(branch=branch, amount=D("10"), by=director, key=None)
    reverse_url = reverse("cashdesk:entry_reverse", kwargs={"cash_entry_id": entry.pk})
    response = director_client.post(reverse_url, {"key": str(uuid.uuid4()), "reason": "typo"})
    assert response.status_code == 302
    html = director_client.get(reverse("cashdesk:desk")).content.decode()
    assert f'id="entry-{entry.pk}" class="entry entry--deposit entry--reversed"' in html
    again = director_client.post(reverse_url, {"key": str(uuid.uuid4()), "reason": "again"})
    assert "already reversed" in " ".join(again.context["form"].non_field_errors())


def test_field_cash_on_the_card_then_hand_in(
    technician_client, manager_client, on_site, technician, branch
):
    form = reverse("cashdesk:order_field_cash", kwargs={"order_number": on_site.number})
    response = technician_client.post(
        form, {"key": str(uuid.uuid4()), "version": on_site.version, "amount": "1500"}
    )
    assert response.status_code == 302
    own = technician_client.get(reverse("cashdesk:field_cash"))
    assert own.context["held"] == D("1500.00")
    hand_in = reverse("cashdesk:hand_in", kwargs={"membership_id": technician.pk})
    assert technician_client.post(hand_in, {}).status_code == 403
    response = manager_client.post(
        hand_in, {"key": str(uuid.uuid4()), "amount": "1500", "branch": branch.pk}
    )
    assert response.status_code == 302
    assert services.field_cash_held(technician) == D("0.00")


# ---------------------------------------------------------------- intake


def test_intake_prepayment_is_recorded_with_the_new_order(manager_client, branch):
    page = manager_client.get(reverse("orders:new_repair")).content.decode()
    assert 'id="intake-prepayment"' in page
    data = {
        "form_key": str(uuid.uuid4()),
        "branch": branch.pk,
        "phone": "+79161112233",
        "name": "Пётр",
        "device_type": "Phone",
        "problem": "Broken",
        "cashdesk-prepayment-amount": "1 000",
        "cashdesk-prepayment-method": "card",
    }
    response = manager_client.post(reverse("orders:new_repair"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert list(CashEntry.objects.values_list("order", "kind", "method", "amount")) == [
        (order.pk, EntryKind.PREPAYMENT, "card", D("1000.00"))
    ]


def test_intake_bad_prepayment_saves_no_order(manager_client, branch):
    data = {
        "form_key": str(uuid.uuid4()),
        "branch": branch.pk,
        "phone": "+79161112233",
        "device_type": "Phone",
        "cashdesk-prepayment-amount": "0,001",
        "cashdesk-prepayment-method": "cash",
    }
    response = manager_client.post(reverse("orders:new_repair"), data)
    assert response.status_code == 200
    assert "two decimals" in response.content.decode()
    assert not Order.objects.exists() and not CashEntry.objects.exists()
