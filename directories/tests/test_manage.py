from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directories.demo import seed
from directories.models import Entry, Kind, fold
from directories.services import entry_merge, remember

pytestmark = pytest.mark.django_db


def add(workshop, kind, *values, **kwargs):
    return [remember(workshop=workshop, kind=kind, value=v, **kwargs) for v in values]


def listed(response) -> list[str]:
    import html

    assert response.status_code == 200
    body = response.content.decode()
    return [
        html.unescape(v) for v in re.findall(r'<td class="value"><a href="[^"]+">([^<]*)</a>', body)
    ]


def entries_url(kind):
    return reverse("directories:entries", kwargs={"kind": kind})


def test_index_counts_entries_per_directory(workshop, director, director_client):
    add(workshop, Kind.BRAND, "Apple", "Asus", "Acer")
    hidden, typo = add(workshop, Kind.PROBLEM, "Не включается", "Не вкючается")
    entry_merge(source=typo, target=hidden, by=director)
    response = director_client.get(reverse("directories:index"))
    assert response.status_code == 200
    counts = dict(
        re.findall(
            r'href="/directories/([a-z_]+)/">\s*<div class="dir-kind__count">(\d+)<',
            response.content.decode(),
        )
    )
    assert counts == {k.value: "0" for k in Kind} | {"brand": "3", "problem": "1"}


def test_list_is_alphabetical_with_prefix_search(workshop, director_client):
    add(workshop, Kind.BRAND, "Xiaomi", "apple", "Asus", "Ёрш", "Ерш-2", "50% brand")
    assert listed(director_client.get(entries_url("brand"))) == [
        "50% brand",
        "apple",
        "Asus",
        "Xiaomi",
        "Ёрш",
        "Ерш-2",
    ]
    assert listed(director_client.get(entries_url("brand"), {"q": "ЕР"})) == ["Ёрш", "Ерш-2"]
    assert listed(director_client.get(entries_url("brand"), {"q": "%"})) == []
    assert listed(director_client.get(entries_url("brand"), {"q": "50%"})) == ["50% brand"]


def test_list_pages_by_keyset(workshop, director_client):
    Entry.objects.bulk_create(
        Entry(workshop=workshop, kind=Kind.GOODS, value=f"Part {i:03d}", key=f"part {i:03d}")
        for i in range(120)
    )
    first = director_client.get(entries_url("goods"))
    assert listed(first) == [f"Part {i:03d}" for i in range(50)]
    more = re.search(r'hx-get="\?([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    assert "after_key=part+049" in more or "after_key=part%20049" in more
    second = director_client.get(entries_url("goods") + "?" + more, HTTP_HX_REQUEST="true")
    assert listed(second) == [f"Part {i:03d}" for i in range(50, 100)]
    assert "<html" not in second.content.decode()


@pytest.mark.parametrize("size", [3, 300])
def test_list_query_count_is_constant(workshop, director_client, size):
    Entry.objects.bulk_create(
        Entry(workshop=workshop, kind=Kind.GOODS, value=f"Part {i:03d}", key=f"part {i:03d}")
        for i in range(size)
    )
    director_client.get(entries_url("goods"))
    with CaptureQueriesContext(connection) as queries:
        director_client.get(entries_url("goods"))
    assert sum("directories_entry" in q["sql"] for q in queries) == 1


def test_rename_inline(workshop, director, director_client):
    (entry,) = add(workshop, Kind.BRAND, "Lenvo")
    url = reverse("directories:rename", kwargs={"entry_id": entry.pk})
    form = director_client.get(url, HTTP_HX_REQUEST="true")
    assert 'name="value" value="Lenvo"' in form.content.decode()
    response = director_client.post(url, {"value": "Lenovo"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert ">Lenovo</a>" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.value, entry.key) == ("Lenovo", "lenovo")
    assert entry.history.order_by("-history_id").first().history_user == director.user


def test_rename_clash_shows_a_message_and_saves_nothing(workshop, director_client):
    add(workshop, Kind.BRAND, "Apple")
    (entry,) = add(workshop, Kind.BRAND, "Aple")
    url = reverse("directories:rename", kwargs={"entry_id": entry.pk})
    response = director_client.post(url, {"value": "APPLE"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "merge the two instead" in response.content.decode()
    response = director_client.post(url, {"value": "x" * 5000}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    response = director_client.post(url, {"value": "   "})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.value == "Aple"


def test_merge_by_typed_target(workshop, director, director_client):
    typo, right = add(workshop, Kind.SERVICE, "Замена экрнаа", "Замена экрана", price=Decimal("10"))
    url = reverse("directories:merge", kwargs={"entry_id": typo.pk})
    response = director_client.post(url, {"target": "замена ЭКРАНА"})
    assert response.status_code == 302
    assert response["Location"] == reverse("directories:entry", kwargs={"entry_id": right.pk})
    typo.refresh_from_db()
    assert typo.merged_into_id == right.pk
    page = director_client.get(reverse("directories:entry", kwargs={"entry_id": typo.pk}))
    assert "Merged into" in page.content.decode()
    target_page = director_client.get(response["Location"]).content.decode()
    assert "Took over the uses of a merged entry" in target_page
    assert director.user.full_name in target_page


def test_merge_unknown_target_is_a_message(workshop, director_client):
    (entry,) = add(workshop, Kind.SERVICE, "Чистка")
    url = reverse("directories:merge", kwargs={"entry_id": entry.pk})
    response = director_client.post(url, {"target": "Нет такого"})
    assert response.status_code == 200
    assert "There is no such entry" in response.content.decode()
    response = director_client.post(url, {"target": "чистка"})
    assert "There is no such entry" in response.content.decode()  # itself is not a target
    assert Entry.objects.get(pk=entry.pk).merged_into_id is None


def test_hide_and_unhide_inline(workshop, director_client):
    (entry,) = add(workshop, Kind.ACCESSORY, "Чехол")
    url = reverse("directories:hide", kwargs={"entry_id": entry.pk})
    response = director_client.post(url, {"hidden": "1"}, HTTP_HX_REQUEST="true")
    assert 'class="is-hidden"' in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).is_hidden
    director_client.post(url, {"hidden": "0"})
    assert not Entry.objects.get(pk=entry.pk).is_hidden


def test_delete(workshop, director, director_client):
    (entry,) = add(workshop, Kind.PARTNER, "ООО Ромашка")
    url = reverse("directories:delete", kwargs={"entry_id": entry.pk})
    response = director_client.post(url, HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (200, b"")
    assert not Entry.objects.exists()
    assert Entry.history.get(history_type="-").history_user == director.user


def test_entry_page_shows_escaped_history(workshop, director, director_client):
    (entry,) = add(workshop, Kind.BRAND, "<b>Bold</b>")
    director_client.post(
        reverse("directories:rename", kwargs={"entry_id": entry.pk}), {"value": "<i>It</i>"}
    )
    body = director_client.get(reverse("directories:entry", kwargs={"entry_id": entry.pk}))
    text = body.content.decode()
    assert "<b>Bold</b>" not in text and "<i>It</i>" not in text
    assert "Renamed from “&lt;b&gt;Bold&lt;/b&gt;”" in text
    assert "Remembered" in text


@pytest.mark.parametrize("persona", ["manager_client", "technician_client"])
def test_only_the_director_manages(workshop, persona, request):
    client = request.getfixturevalue(persona)
    (entry,) = add(workshop, Kind.BRAND, "Apple")
    assert client.get(reverse("directories:index")).status_code == 403
    assert client.get(entries_url("brand")).status_code == 403
    assert (
        client.get(reverse("directories:entry", kwargs={"entry_id": entry.pk})).status_code == 403
    )
    for name in ("rename", "merge", "hide", "delete"):
        url = reverse(f"directories:{name}", kwargs={"entry_id": entry.pk})
        assert client.post(url, {"value": "X", "target": "X"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.value, entry.is_hidden) == ("Apple", False)


def test_unknown_directory_is_404(director_client):
    assert director_client.get(entries_url("planets")).status_code == 404


def test_outsider_sees_only_their_own_directory(workshop, other_workshop, outsider_client):
    add(workshop, Kind.BRAND, "Qwertyalpha")
    add(other_workshop, Kind.BRAND, "Qwertybeta")
    assert listed(outsider_client.get(entries_url("brand"))) == ["Qwertybeta"]
    (mine,) = Entry.objects.filter(workshop=workshop)
    url = reverse("directories:entry", kwargs={"entry_id": mine.pk})
    assert outsider_client.get(url).status_code == 404


def test_outsider_cannot_merge_into_another_workshops_entry(
    workshop, other_workshop, outsider_client
):
    (theirs,) = add(workshop, Kind.BRAND, "Alphaonly")
    (own,) = add(other_workshop, Kind.BRAND, "Alphaonlyy")
    url = reverse("directories:merge", kwargs={"entry_id": own.pk})
    response = outsider_client.post(url, {"target": "Alphaonly"})
    assert "There is no such entry" in response.content.decode()
    assert Entry.objects.get(pk=own.pk).merged_into_id is None
    assert Entry.objects.get(pk=theirs.pk).use_count == 1


def test_demo_seed_is_idempotent(workshop):
    ctx = {"workshop": workshop}
    seed(ctx)
    count = Entry.objects.filter(workshop=workshop).count()
    seed(ctx)
    assert Entry.objects.filter(workshop=workshop).count() == count
    assert count > 100
    model = Entry.objects.get(workshop=workshop, kind=Kind.MODEL, key=fold("galaxy a52"))
    assert model.parent == "Samsung"
    service = Entry.objects.get(workshop=workshop, kind=Kind.SERVICE, key="диагностика")
    assert service.last_price == Decimal("500.00")
