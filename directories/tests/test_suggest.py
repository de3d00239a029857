from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from directories import extensions, views
from directories.models import Entry, Kind, fold
from directories.services import entry_hide, entry_merge, remember

pytestmark = pytest.mark.django_db


def url(kind: str, **params) -> str:
    base = reverse("directories:suggest", kwargs={"kind": kind})
    if params:
        from urllib.parse import urlencode

        base += "?" + urlencode(params)
    return base


def shown(response) -> list[str]:
    """The values offered, as the browser would read them from data-value."""
    import html

    assert response.status_code == 200
    return [
        html.unescape(v) for v in re.findall(r'data-value="([^"]*)"', response.content.decode())
    ]


def add(workshop, kind, *values, **kwargs):
    return [remember(workshop=workshop, kind=kind, value=v, **kwargs) for v in values]


def test_suggest_finds_by_prefix_in_cyrillic_and_latin(workshop, technician_client):
    add(workshop, Kind.DEVICE_TYPE, "Ноутбук", "Нетбук", "Планшет", "Lenovo ноутбук")
    add(workshop, Kind.BRAND, "Lenovo", "LG", "Apple")
    assert shown(technician_client.get(url("device_type", q="ноут"))) == ["Ноутбук"]
    assert shown(technician_client.get(url("device_type", q="НОУТ"))) == ["Ноутбук"]
    assert shown(technician_client.get(url("brand", q="LEN"))) == ["Lenovo"]
    assert shown(technician_client.get(url("brand", q=" l "))) == ["LG", "Lenovo"]


def test_suggest_treats_yo_as_ye(workshop, manager_client):
    add(workshop, Kind.CONDITION, "Потёртости на корпусе")
    assert shown(manager_client.get(url("condition", q="потерт"))) == ["Потёртости на корпусе"]
    assert shown(manager_client.get(url("condition", q="ПОТЁР"))) == ["Потёртости на корпусе"]


def test_suggest_orders_most_used_then_most_recent(workshop, director_client):
    rare, often, recent = add(
        workshop, Kind.SERVICE, "Замена АКБ", "Замена экрана", "Замена гнезда"
    )
    add(workshop, Kind.SERVICE, "замена экрана", "замена экрана")
    Entry.objects.filter(pk=recent.pk).update(last_used_at=timezone.now() + timedelta(hours=1))
    assert shown(director_client.get(url("service", q="зам"))) == [
        "Замена экрана",
        "Замена гнезда",
        "Замена АКБ",
    ]


def test_suggest_empty_term_offers_the_top_ten(workshop, director_client):
    for i in range(15):
        entry = remember(workshop=workshop, kind=Kind.ACCESSORY, value=f"Item {i:02d}")
        Entry.objects.filter(pk=entry.pk).update(use_count=i + 1)
    expected = [f"Item {i:02d}" for i in range(14, 4, -1)]
    assert shown(director_client.get(url("accessory"))) == expected
    assert shown(director_client.get(url("accessory", q="   "))) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("%", ["%off"]),
        ("_", ["_under"]),
        ("\\", ["\\back"]),
        ("5%", ["5% discount"]),
        ("a_", ["a_b"]),
        ("a", ["a_b", "axb"]),
    ],
)
def test_suggest_matches_special_characters_literally(workshop, director_client, term, expected):
    add(workshop, Kind.PROBLEM, "%off", "_under", "\\back", "5% discount", "50 discount")
    add(workshop, Kind.PROBLEM, "a_b", "axb", "plain")
    assert sorted(shown(director_client.get(url("problem", q=term)))) == sorted(expected)


def test_suggest_single_character(workshop, director_client):
    add(workshop, Kind.BRAND, "Asus", "Acer", "Dell", "Я-бренд")
    assert sorted(shown(director_client.get(url("brand", q="a")))) == ["Acer", "Asus"]
    assert shown(director_client.get(url("brand", q="я"))) == ["Я-бренд"]


def test_suggest_models_narrowed_by_brand(workshop, director_client):
    add(workshop, Kind.MODEL, "Galaxy A52", "Galaxy S21", parent="Samsung")
    add(workshop, Kind.MODEL, "Galaxy Book", parent="Samsung ")
    add(workshop, Kind.MODEL, "GA-401", parent="Asus")
    assert sorted(shown(director_client.get(url("model", q="ga", parent="SAMSUNG")))) == [
        "Galaxy A52",
        "Galaxy Book",
        "Galaxy S21",
    ]
    # Without a brand every model is offered, each with its brand.
    response = director_client.get(url("model", q="ga"))
    assert sorted(shown(response)) == ["GA-401", "Galaxy A52", "Galaxy Book", "Galaxy S21"]
    assert 'class="suggest__hint">Asus<' in response.content.decode()
    assert shown(director_client.get(url("model", q="ga", parent="Apple"))) == []


def test_suggest_gives_last_price_for_services(workshop, director_client):
    add(workshop, Kind.SERVICE, "Чистка от пыли", price=Decimal("1500.50"))
    body = director_client.get(url("service", q="чис"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'data-price="1500.50"' in body
    assert 'data-price-local="1500,50"' in body  # the Russian locale's decimal comma


def test_suggest_leaves_out_hidden_and_merged(workshop, director):
    kept, hidden, typo = add(workshop, Kind.PARTNER, "Сервис-Плюс", "Сервис-Минус", "Сервис-Плюсс")
    entry_hide(entry=hidden, by=director)
    entry_merge(source=typo, target=kept, by=director)
    from django.test import Client

    client = Client()
    client.force_login(director.user)
    assert shown(client.get(url("partner", q="серв"))) == ["Сервис-Плюс"]


@pytest.mark.parametrize(
    "term",
    ["x" * 5000, "🔧🔧", "Ноутbook", "'; DROP TABLE directories_entry; --", "\x00", "<script>"],
)
def test_suggest_bad_terms_are_harmless(workshop, director_client, term):
    add(workshop, Kind.BRAND, "🔧 Tools", "Ноутbook Pro", "<script>alert(1)</script>")
    response = director_client.get(url("brand", q=term))
    assert response.status_code == 200
    assert Entry.objects.count() == 3


def test_suggest_shows_values_escaped(workshop, director_client):
    add(workshop, Kind.BRAND, '<script>alert("x")</script>', "🔧 Tools", "Ноутbook Pro")
    body = director_client.get(url("brand", q="<scr")).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert shown(director_client.get(url("brand", q="🔧"))) == ["🔧 Tools"]
    assert shown(director_client.get(url("brand", q="ноутB"))) == ["Ноутbook Pro"]


def test_suggest_unknown_kind_is_404(director_client):
    assert director_client.get(url("planets", q="a")).status_code == 404


def test_suggest_is_open_to_every_role(
    workshop, director_client, manager_client, technician_client
):
    add(workshop, Kind.BRAND, "Canon")
    for client in (director_client, manager_client, technician_client):
        assert shown(client.get(url("brand", q="c"))) == ["Canon"]


def test_suggest_needs_sign_in(client):
    response = client.get(url("brand", q="c"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_suggest_never_shows_another_workshop(
    workshop, other_workshop, outsider_client, director_client
):
    add(workshop, Kind.BRAND, "Zzyzx Alpha-only")
    add(other_workshop, Kind.BRAND, "Zzyzx Beta-only")
    assert shown(outsider_client.get(url("brand", q="zzy"))) == ["Zzyzx Beta-only"]
    assert shown(outsider_client.get(url("brand"))) == ["Zzyzx Beta-only"]
    assert shown(director_client.get(url("brand", q="zzy"))) == ["Zzyzx Alpha-only"]


def fill(workshop, n: int, start: int = 0) -> None:
    Entry.objects.bulk_create(
        Entry(
            workshop=workshop,
            kind=Kind.GOODS,
            value=f"Деталь {i:05d}",
            key=fold(f"Деталь {i:05d}"),
            use_count=i % 7,
            last_used_at=timezone.now(),
            last_price=Decimal(i),
        )
        for i in range(start, start + n)
    )


@pytest.mark.parametrize("size", [5, 2000])
def test_suggest_view_stays_within_three_queries(workshop, director, size, monkeypatch):
    """The view's own work, the signed-in member already resolved: at most 3 queries,
    exactly one of them on the directory, at any directory size."""
    # Directories alone: other apps' providers (the warehouse's stock) count their own.
    monkeypatch.setattr(extensions, "_PROVIDERS", {})
    fill(workshop, size)
    request = RequestFactory().get(url("goods", q="дет"), HTTP_HX_REQUEST="true")
    request.user, request.membership, request.workshop = director.user, director, workshop
    request.session = {}
    request.htmx = True
    with scope(workshop=workshop), CaptureQueriesContext(connection) as queries:
        response = views.suggest(request, kind="goods")
    assert len(shown(response)) == min(size, 10)
    assert len(queries) <= 3, [q["sql"] for q in queries]
    assert sum("directories_entry" in q["sql"] for q in queries) == 1


def test_suggest_request_query_count_does_not_grow_with_the_directory(
    workshop, director_client, monkeypatch
):
    """Through the whole stack (session, user, membership...), at 5 and at 2,000 entries."""
    monkeypatch.setattr(extensions, "_PROVIDERS", {})
    fill(workshop, 5)
    director_client.get(url("goods"))  # first request of a session may write the session
    with CaptureQueriesContext(connection) as small:
        assert len(shown(director_client.get(url("goods", q="дет")))) == 5
    fill(workshop, 2000, start=5)
    with CaptureQueriesContext(connection) as large:
        assert len(shown(director_client.get(url("goods", q="дет")))) == 10
    assert len(small) == len(large)
    # Session, the user joined with their memberships, the suggestion: nothing else.
    assert len(large) <= 3, [q["sql"] for q in large]
    assert sum("directories_entry" in q["sql"] for q in large) == 1


@pytest.mark.postgres
def test_suggest_query_uses_the_prefix_index_on_postgresql(workshop, other_workshop):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of the PostgreSQL plan")
    fill(workshop, 5000)
    fill(other_workshop, 3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directories_entry")
    for term in ("деталь 012", "деталь 0123"):
        qs = Entry.objects.filter(workshop=workshop, kind=Kind.GOODS).suggestions(term)
        plan = qs.explain()
        # The prefix is an index condition (a range on the key), not a filter afterwards.
        assert "Index Scan using entry_prefix_idx" in plan, plan
        assert "Index Cond: ((workshop_id = " in plan and "(key)::text ~>=~" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert len(list(qs)) == 10


def test_suggest_query_uses_the_prefix_index_on_sqlite(workshop, other_workshop):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN of SQLite")
    fill(workshop, 3000)
    fill(other_workshop, 2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    qs = Entry.objects.filter(workshop=workshop, kind=Kind.GOODS).suggestions("деталь 012")
    plan = qs.explain()
    assert "USING INDEX entry_prefix_idx (workshop_id=? AND kind=? AND key>? AND key<?)" in plan
    assert len(list(qs)) == 10
