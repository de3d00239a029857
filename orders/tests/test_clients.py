"""The client list, the client card and the device card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.models import Client, Device
from orders.tests.factories import ClientFactory, DeviceFactory, OrderFactory
from orders.workflow import Kind, Status

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def client_url(client) -> str:
    return reverse("orders:client", kwargs={"client_id": client.pk})


def device_url(device) -> str:
    return reverse("orders:device", kwargs={"device_id": device.pk})


def form_post(http, url, **changes) -> dict:
    """What the browser sends: every field with the value it was loaded with, plus edits."""
    form = http.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        shown = field.widget.format_value(field.prepare_value(value)) if value is not None else ""
        data[name] = shown or ""
        data[f"initial-{name}"] = shown or ""
    data.update(changes)
    return data


# ---------------------------------------------------------------- the list


def test_clients_list_newest_first_with_their_counts(workshop, branch, manager_client):
    old = ClientFactory(workshop=workshop, name="Иван Петров")
    new = ClientFactory(workshop=workshop, name="Ольга Сидорова")
    device = DeviceFactory(workshop=workshop, client=old)
    OrderFactory(workshop=workshop, branch=branch, client=old, device=device)
    OrderFactory(workshop=workshop, branch=branch, client=old, device=device)
    response = manager_client.get(reverse("orders:clients"))
    rows = response.context["rows"]
    assert rows == [new, old]
    assert [(c.device_count, c.order_count) for c in rows] == [(0, 0), (1, 2)]
    assert response.context["more"] is False


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Петров", ["Иван Петров"]),
        ("иван", ["Иван Петров"]),
        ("ИВАН ПЕТРОВ", ["Иван Петров"]),
        ("ова", []),
        ("8 912 345-67-89", ["Иван Петров"]),
        ("olga@", ["Ольга Сидорова"]),
    ],
)
def test_clients_list_search(workshop, manager_client, term, expected):
    ClientFactory(workshop=workshop, name="Иван Петров", phone="+79123456789")
    ClientFactory(workshop=workshop, name="Ольга Сидорова", email="olga@example.com")
    response = manager_client.get(reverse("orders:clients"), {"q": term})
    assert [c.name for c in response.context["rows"]] == expected


def test_clients_list_search_as_htmx_returns_only_the_list(workshop, manager_client):
    ClientFactory(workshop=workshop, name="Иван Петров")
    response = manager_client.get(
        reverse("orders:clients"), {"q": "петр"}, headers={**HX, "HX-Target": "client-list"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="client-list"')
    assert "Иван Петров" in html


def test_clients_list_pages_by_keyset(workshop, manager_client):
    clients = [ClientFactory(workshop=workshop) for _ in range(53)]
    first = manager_client.get(reverse("orders:clients"))
    assert first.context["rows"] == clients[::-1][:50]
    assert first.context["more"] is True
    after = first.context["next_after"]
    assert after == clients[3].pk
    second = manager_client.get(reverse("orders:clients"), {"after": after}, headers=HX)
    html = second.content.decode()
    assert html.lstrip().startswith("<tr")  # only the rows, appended in place
    assert [c.name for c in clients if client_url(c) in html] == [c.name for c in clients[:3]]
    assert "Load more" not in html


def test_clients_deleted_are_hidden_from_staff_and_lookup(
    workshop, manager, manager_client, technician_client
):
    gone = ClientFactory(workshop=workshop, name="Иван Петров", phone="+79123456789")
    services.client_soft_delete(client=gone, by=workshop_director(workshop))
    for http in (manager_client, technician_client):
        assert http.get(reverse("orders:clients")).context["rows"] == []
        assert http.get(reverse("orders:clients"), {"q": "Петров"}).context["rows"] == []
        assert http.get(client_url(gone)).status_code == 404
    lookup = manager_client.get(reverse("orders:lookup"), {"phone": "89123456789"})
    assert lookup.context["client"] is None
    assert services.client_find_by_phone(workshop=workshop, phone="+79123456789") is None


def workshop_director(workshop):
    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory

    return MembershipFactory(workshop=workshop, role=Role.DIRECTOR)


def test_clients_director_sees_deleted_and_restores_them(workshop, director, director_client):
    alive = ClientFactory(workshop=workshop, name="Ольга")
    gone = ClientFactory(workshop=workshop, name="Иван Петров")
    services.client_soft_delete(client=gone, by=director)
    listing = director_client.get(reverse("orders:clients"))
    assert listing.context["rows"] == [gone, alive]
    restore_url = reverse("orders:client_restore", kwargs={"client_id": gone.pk})
    assert restore_url in listing.content.decode()
    deleted_only = director_client.get(reverse("orders:clients"), {"deleted": "1"})
    assert deleted_only.context["rows"] == [gone]
    card = director_client.get(client_url(gone))
    assert card.status_code == 200
    assert "Restore the client" in card.content.decode()
    assert card.context["form"].editable is False
    response = director_client.post(restore_url, {"next": "list"})
    assert response.url == reverse("orders:clients")
    gone.refresh_from_db()
    assert gone.is_deleted is False
    assert director_client.get(reverse("orders:clients"), {"deleted": "1"}).context["rows"] == []


def test_clients_delete_and_restore_are_the_directors(
    workshop, director_client, manager_client, director
):
    client = ClientFactory(workshop=workshop)
    delete = reverse("orders:client_delete", kwargs={"client_id": client.pk})
    restore = reverse("orders:client_restore", kwargs={"client_id": client.pk})
    assert manager_client.post(delete).status_code == 403
    assert "Delete the client" not in manager_client.get(client_url(client)).content.decode()
    response = director_client.post(delete)
    assert response.url == client_url(client)
    assert Client.objects.get(pk=client.pk).is_deleted is True
    assert manager_client.post(restore).status_code == 403
    director_client.post(restore)
    assert Client.objects.get(pk=client.pk).is_deleted is False
    history = [h.history_user for h in client.history.order_by("history_id")]
    assert history[-2:] == [director.user, director.user]


# ---------------------------------------------------------------- the card


def test_client_card_lists_devices_with_their_orders(workshop, branch, manager_client):
    client = ClientFactory(workshop=workshop, name="Иван Петров")
    laptop = DeviceFactory(workshop=workshop, client=client, brand="Lenovo")
    phone = DeviceFactory(workshop=workshop, client=client, brand="Apple")
    first = OrderFactory(workshop=workshop, branch=branch, client=client, device=laptop)
    second = OrderFactory(
        workshop=workshop,
        branch=branch,
        client=client,
        device=laptop,
        status=Status.READY_NOTIFY,
        problem="Шумит вентилятор",
        lines_total=Decimal("1800.00"),
        total=Decimal("1800.00"),
    )
    sale = OrderFactory(
        workshop=workshop, branch=branch, client=client, device=None, kind=Kind.SALE
    )
    deleted = OrderFactory(
        workshop=workshop, branch=branch, client=client, device=phone, is_deleted=True
    )
    OrderFactory(workshop=workshop, branch=branch)  # someone else's
    response = manager_client.get(client_url(client))
    devices = response.context["devices"]
    assert devices == [phone, laptop]
    assert [d.client_orders for d in devices] == [[], [second, first]]
    assert response.context["other_orders"] == [sale]
    html = response.content.decode()
    for order in (first, second, sale):
        assert reverse("orders:card", kwargs={"order_number": order.number}) in html
    assert reverse("orders:card", kwargs={"order_number": deleted.number}) not in html
    assert "Шумит вентилятор" in html
    assert "1,800.00" in html
    assert device_url(laptop) in html


def test_client_card_shows_only_orders_of_the_members_branches(
    workshop, branch, other_branch, manager_client, director_client
):
    client = ClientFactory(workshop=workshop)
    device = DeviceFactory(workshop=workshop, client=client)
    mine = OrderFactory(workshop=workshop, branch=branch, client=client, device=device)
    north = OrderFactory(workshop=workshop, branch=other_branch, client=client, device=device)
    assert manager_client.get(client_url(client)).context["devices"][0].client_orders == [mine]
    assert director_client.get(client_url(client)).context["devices"][0].client_orders == [
        north,
        mine,
    ]


def test_client_card_saves_details_normalised_with_history(workshop, manager, manager_client):
    client = ClientFactory(workshop=workshop, name="Иван Петров", phone="+79123456789")
    data = form_post(
        manager_client,
        client_url(client),
        name="Иван Петрович Петров",
        phone="8 (916) 000-11-22",
        email="ivan@example.com",
        notes="Звонить после 18:00",
    )
    response = manager_client.post(client_url(client), data, headers=HX)
    html = response.content.decode()
    assert "Saved." in html
    assert 'id="client-title" hx-swap-oob="true"' in html
    client.refresh_from_db()
    assert (client.name, client.phone, client.email, client.notes) == (
        "Иван Петрович Петров",
        "+79160001122",
        "ivan@example.com",
        "Звонить после 18:00",
    )
    assert client.name_folded == " иван петрович петров"
    last = client.history.order_by("-history_id").first()
    assert last.history_user == manager.user
    history = response.context["history"]
    assert history[0]["by"] == manager.user
    assert ("Phone", "+7 912 345-67-89", "+7 916 000-11-22") in history[0]["changes"]


def test_client_card_plain_post_redirects_back(workshop, manager_client):
    client = ClientFactory(workshop=workshop)
    data = form_post(manager_client, client_url(client), notes="VIP")
    response = manager_client.post(client_url(client), data)
    assert (response.status_code, response.url) == (302, client_url(client))
    assert Client.objects.get(pk=client.pk).notes == "VIP"


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12", "The number 12 does not exist: check the digits and the country code."),
        ("", "Enter the client's phone number."),
        ("позвонить", "This does not look like a phone number. Example: +7 912 345-67-89."),
    ],
)
def test_client_card_bad_phone_is_refused_next_to_the_field(
    workshop, manager_client, phone, message
):
    client = ClientFactory(workshop=workshop, name="Иван", phone="+79123456789")
    data = form_post(manager_client, client_url(client), phone=phone, name="Пётр")
    response = manager_client.post(client_url(client), data, headers=HX)
    assert response.context["form"].errors == {"phone": [message]}
    html = response.content.decode()
    assert '<div class="field__error" role="alert">' in html
    client.refresh_from_db()
    assert (client.name, client.phone) == ("Иван", "+79123456789")


def test_client_card_refuses_a_phone_another_client_has(workshop, manager_client):
    ClientFactory(workshop=workshop, name="Ольга", phone="+79160001122")
    client = ClientFactory(workshop=workshop, name="Иван", phone="+79123456789")
    data = form_post(manager_client, client_url(client), phone="89160001122", notes="x")
    response = manager_client.post(client_url(client), data)
    assert response.context["form"].errors["phone"] == [
        "Another client already has this number: Ольга."
    ]
    client.refresh_from_db()
    assert (client.phone, client.notes) == ("+79123456789", "")


def test_client_card_bad_email_and_long_text_are_refused(workshop, manager_client):
    client = ClientFactory(workshop=workshop)
    data = form_post(manager_client, client_url(client), email="not an email", notes="я" * 5001)
    response = manager_client.post(client_url(client), data)
    assert set(response.context["form"].errors) == {"email", "notes"}
    assert Client.objects.get(pk=client.pk).notes == ""


def test_client_card_a_colleagues_edit_of_the_same_field_is_not_overwritten(
    workshop, manager, director, manager_client
):
    client = ClientFactory(workshop=workshop, name="Иван", email="old@example.com")
    mine = form_post(manager_client, client_url(client), email="mine@example.com", notes="мои")
    services.client_update(client=client, data={"email": "theirs@example.com"}, by=director)
    response = manager_client.post(client_url(client), mine)
    form = response.context["form"]
    assert form.errors == {
        "email": [
            "Someone else changed this meanwhile to “theirs@example.com”. Check and save again."
        ]
    }
    assert Client.objects.get(pk=client.pk).notes == ""  # nothing saved
    # The page keeps this person's edits on top of the latest values: saving again applies them.
    again = {k: form[k].value() or "" for k in form.fields}
    again.update({f"initial-{k}": form.data[f"initial-{k}"] for k in form.fields})
    assert again["email"] == "mine@example.com"
    manager_client.post(client_url(client), again)
    client.refresh_from_db()
    assert (client.email, client.notes) == ("mine@example.com", "мои")


def test_client_card_an_edit_of_another_field_keeps_the_colleagues(
    workshop, director, manager_client
):
    client = ClientFactory(workshop=workshop, name="Иван")
    mine = form_post(manager_client, client_url(client), notes="мои")
    services.client_update(client=client, data={"email": "theirs@example.com"}, by=director)
    manager_client.post(client_url(client), mine)
    client.refresh_from_db()
    assert (client.email, client.notes) == ("theirs@example.com", "мои")


def test_client_card_technician_sees_but_cannot_edit(workshop, technician_client):
    client = ClientFactory(workshop=workshop, name="Иван")
    response = technician_client.get(client_url(client))
    assert response.status_code == 200
    assert response.context["form"].editable is False
    assert 'type="submit" class="btn btn--primary">Save' not in response.content.decode()
    data = form_post(technician_client, client_url(client), name="Пётр")
    assert technician_client.post(client_url(client), data).status_code == 403
    assert Client.objects.get(pk=client.pk).name == "Иван"


def test_client_card_service_refuses_without_the_permission(workshop, technician):
    client = ClientFactory(workshop=workshop, name="Иван")
    with pytest.raises(services.NotPermitted):
        services.client_update(client=client, data={"name": "Пётр"}, by=technician)


# ---------------------------------------------------------------- devices


def test_device_card_edits_the_device_and_lists_its_orders(
    workshop, branch, manager, manager_client
):
    device = DeviceFactory(
        workshop=workshop,
        client=ClientFactory(workshop=workshop),
        brand="Lenovo",
        model="IdeaPad 5",
        serial="SN1",
    )
    order = OrderFactory(workshop=workshop, branch=branch, client=device.client, device=device)
    page = manager_client.get(device_url(device))
    assert page.context["orders"] == [order]
    assert client_url(device.client) in page.content.decode()
    data = form_post(manager_client, device_url(device), serial="PF2ABC", model="IdeaPad 7")
    response = manager_client.post(device_url(device), data, headers=HX)
    assert "Saved." in response.content.decode()
    device.refresh_from_db()
    assert (device.serial, device.model) == ("PF2ABC", "IdeaPad 7")
    assert device.history.order_by("-history_id").first().history_user == manager.user


def test_device_card_needs_a_type_brand_or_model(workshop, manager_client):
    device = DeviceFactory(workshop=workshop, client=ClientFactory(workshop=workshop))
    data = form_post(manager_client, device_url(device), device_type="", brand="", model="")
    response = manager_client.post(device_url(device), data)
    assert response.context["form"].errors == {
        "device_type": ["Say what the device is: its type, brand or model."]
    }
    assert Device.objects.get(pk=device.pk).brand == "Lenovo"


def test_device_card_hidden_with_a_deleted_client_and_read_only_for_technicians(
    workshop, director, manager_client, technician_client, director_client
):
    device = DeviceFactory(workshop=workshop, client=ClientFactory(workshop=workshop))
    data = form_post(technician_client, device_url(device), serial="X")
    assert technician_client.post(device_url(device), data).status_code == 403
    services.client_soft_delete(client=device.client, by=director)
    assert manager_client.get(device_url(device)).status_code == 404
    assert director_client.get(device_url(device)).context["form"].editable is False


# ---------------------------------------------------------------- links and the top bar


def test_clients_linked_from_the_work_rows_and_the_order_card(
    workshop, branch, manager_client, repair_order
):
    url = client_url(repair_order.client)
    work = manager_client.get(reverse("orders:work"), {"tab": "queue"}).content.decode()
    assert f'<a href="{url}" class="client-link">Иван Петров</a>' in work
    card = manager_client.get(
        reverse("orders:card", kwargs={"order_number": repair_order.number})
    ).content.decode()
    assert f'href="{url}"' in card
    assert f'href="{device_url(repair_order.device)}"' in card


def test_clients_top_bar_links_by_role(director_client, manager_client, technician_client):
    clients = reverse("orders:clients")
    directories = reverse("directories:index")
    for http, sees_directories in (
        (director_client, True),
        (manager_client, False),
        (technician_client, False),
    ):
        html = http.get(reverse("orders:work")).content.decode()
        assert f'href="{clients}"' in html
        assert (f'href="{directories}"' in html) is sees_directories


def test_client_card_history_lists_each_saves_fields_in_the_forms_order(
    workshop, director, director_client
):
    client = ClientFactory(workshop=workshop, name="Анна", phone="+79123456789", email="")
    services.client_update(
        client=client, data={"email": "anna@example.com", "name": "Анна К."}, by=director
    )
    services.client_soft_delete(client=client, by=director)
    services.client_restore(client=client, by=director)
    history = director_client.get(client_url(client)).context["history"]
    assert [(h["action"], h["changes"]) for h in history] == [
        ("restored", []),
        ("deleted", []),
        ("changed", [("Client name", "Анна", "Анна К."), ("E-mail", "", "anna@example.com")]),
        ("created", []),
    ]


def test_client_soft_delete_and_restore_update_the_callers_client_once(workshop, director):
    client = ClientFactory(workshop=workshop)
    services.client_soft_delete(client=client, by=director)
    services.client_soft_delete(client=client, by=director)  # a second click changes nothing
    assert client.is_deleted is True
    assert client.history.filter(is_deleted=True).count() == 1
    services.client_restore(client=client, by=director)
    assert client.is_deleted is False
    assert Client.objects.get(pk=client.pk).is_deleted is False


def test_device_card_history_diffs_the_device_fields(workshop, manager, manager_client):
    client = ClientFactory(workshop=workshop)
    device = DeviceFactory(workshop=workshop, client=client, brand="Lenovo", serial="")
    services.device_update(device=device, data={"serial": "SN1", "brand": "Asus"}, by=manager)
    history = manager_client.get(device_url(device)).context["history"]
    assert [h["changes"] for h in history if h["action"] == "changed"] == [
        [("Brand", "Lenovo", "Asus"), ("Serial number / IMEI", "", "SN1")]
    ]
