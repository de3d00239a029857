from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone
from django_scopes import scope

from directories import services
from directories.models import VALUE_MAX_LENGTH, Entry, Kind, clean_value, fold
from directories.services import DirectoryError, remember, remember_many

pytestmark = pytest.mark.django_db


def values(workshop, kind):
    return list(
        Entry.objects.filter(workshop=workshop, kind=kind)
        .order_by("id")
        .values_list("value", flat=True)
    )


def test_fold_casefolds_any_script_and_reads_yo_as_ye():
    assert fold("  НОУТБУК  ") == "ноутбук"
    assert fold("Lenovo") == "lenovo"
    assert fold("Ёлка") == fold("елка") == "елка"
    assert fold("Straße") == "strasse"
    assert fold("Ｓａｍｓｕｎｇ") == "samsung"  # full-width letters (NFKC)
    assert fold("a \t\u00a0 b\n") == "a b"
    assert fold("nul\x00byte") == "nulbyte"


def test_clean_value_trims_collapses_and_caps():
    assert clean_value("  Замена   экрана ") == "Замена экрана"
    long = clean_value("слово " * 1000)
    assert len(long) <= VALUE_MAX_LENGTH
    assert long.endswith("слово")
    assert clean_value("x" * 5000) == "x" * VALUE_MAX_LENGTH


def test_remember_creates_an_entry_with_first_spelling(workshop, director):
    entry = remember(workshop=workshop, kind=Kind.BRAND, value="  Lenovo ", by=director)
    assert (entry.value, entry.key, entry.use_count) == ("Lenovo", "lenovo", 1)
    assert entry.last_used_at is not None
    assert entry.history.get().history_user == director.user


@pytest.mark.parametrize("value", ["", "   ", "\t\n", None])
def test_remember_ignores_empty_values(workshop, value):
    assert remember(workshop=workshop, kind=Kind.BRAND, value=value) is None
    assert Entry.objects.count() == 0


def test_remember_dedupes_case_spaces_and_yo(workshop):
    first = remember(workshop=workshop, kind=Kind.DEVICE_TYPE, value="Ёмкостный  датчик")
    again = [
        remember(workshop=workshop, kind=Kind.DEVICE_TYPE, value=v)
        for v in ["ёмкостный датчик", "ЕМКОСТНЫЙ ДАТЧИК", "  емкостный   датчик "]
    ]
    assert {e.pk for e in again} == {first.pk}
    assert values(workshop, Kind.DEVICE_TYPE) == ["Ёмкостный датчик"]
    assert Entry.objects.get(pk=first.pk).use_count == 4


def test_remember_keeps_kinds_and_workshops_apart(workshop, other_workshop):
    remember(workshop=workshop, kind=Kind.BRAND, value="Apple")
    remember(workshop=workshop, kind=Kind.PARTNER, value="Apple")
    remember(workshop=other_workshop, kind=Kind.BRAND, value="Apple")
    assert Entry.objects.count() == 3


def test_remember_stores_last_price_for_priced_kinds_only(workshop):
    remember(workshop=workshop, kind=Kind.SERVICE, value="Чистка", price=Decimal("1500"))
    entry = remember(workshop=workshop, kind=Kind.SERVICE, value="чистка", price="1700.50")
    assert Entry.objects.get(pk=entry.pk).last_price == Decimal("1700.50")
    # Mentioning it without a price keeps the last one.
    remember(workshop=workshop, kind=Kind.SERVICE, value="ЧИСТКА")
    assert Entry.objects.get(pk=entry.pk).last_price == Decimal("1700.50")
    brand = remember(workshop=workshop, kind=Kind.BRAND, value="Asus", price=Decimal("10"))
    assert Entry.objects.get(pk=brand.pk).last_price is None


def test_remember_models_under_their_brand(workshop):
    a = remember(workshop=workshop, kind=Kind.MODEL, value="Galaxy A52", parent="Samsung")
    b = remember(workshop=workshop, kind=Kind.MODEL, value="galaxy a52", parent="SAMSUNG ")
    c = remember(workshop=workshop, kind=Kind.MODEL, value="Galaxy A52", parent="Other")
    assert a.pk == b.pk != c.pk
    assert (a.parent, a.parent_key) == ("Samsung", "samsung")


def test_remember_many_one_select_then_bulk_writes(workshop, django_assert_num_queries):
    remember(workshop=workshop, kind=Kind.BRAND, value="HP")
    remember(workshop=workshop, kind=Kind.SERVICE, value="Диагностика", price="500")
    items = [
        (Kind.BRAND, "hp"),
        (Kind.DEVICE_TYPE, "Ноутбук"),
        (Kind.MODEL, "Pavilion 15", None, "HP"),
        (Kind.SERVICE, "диагностика", Decimal("600")),
        (Kind.GOODS, "Термопаста", "250"),
        (Kind.ACCESSORY, "   "),
        (Kind.ACCESSORY, "Зарядка"),
        (Kind.ACCESSORY, "зарядка"),
    ]
    # One SELECT, one UPDATE for the known values, one INSERT for the new ones and one for
    # their journal rows, inside two savepoints (the test's own transaction turns the outer
    # atomic block into a savepoint too).
    with django_assert_num_queries(8):
        remember_many(workshop=workshop, items=items)
    assert values(workshop, Kind.ACCESSORY) == ["Зарядка"]
    assert Entry.objects.get(kind=Kind.ACCESSORY).use_count == 1
    assert Entry.objects.get(kind=Kind.BRAND).use_count == 2
    service = Entry.objects.get(kind=Kind.SERVICE)
    assert (service.use_count, service.last_price) == (2, Decimal("600.00"))
    assert Entry.objects.get(kind=Kind.GOODS).last_price == Decimal("250.00")
    assert Entry.objects.get(kind=Kind.MODEL).parent == "HP"


def test_remember_many_with_nothing_runs_no_query(workshop, django_assert_num_queries):
    with django_assert_num_queries(0):
        remember_many(workshop=workshop, items=[(Kind.BRAND, ""), (Kind.PROBLEM, "  ")])


def test_remember_rejects_unknown_kind(workshop):
    with pytest.raises(ValueError):
        remember(workshop=workshop, kind="planet", value="Mars")


def test_remember_retries_after_a_duplicate_insert_without_double_counting(workshop, monkeypatch):
    """A concurrent request inserted one of our values between our SELECT and INSERT."""
    known = remember(workshop=workshop, kind=Kind.BRAND, value="Xiaomi")
    real = services.bulk_create_with_history
    attempts = []

    def insert_losing_the_race_once(objs, model, **kwargs):
        attempts.append(len(objs))
        if len(attempts) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(services, "bulk_create_with_history", insert_losing_the_race_once)
    remember_many(workshop=workshop, items=[(Kind.BRAND, "xiaomi"), (Kind.BRAND, "Realme")])
    assert attempts == [1, 1]
    assert values(workshop, Kind.BRAND) == ["Xiaomi", "Realme"]
    # The first attempt's bump was rolled back with its savepoint: counted once, not twice.
    assert Entry.objects.get(pk=known.pk).use_count == 2


def test_merged_value_counts_for_its_target(workshop, director):
    wrong = remember(workshop=workshop, kind=Kind.BRAND, value="Samsng")
    right = remember(workshop=workshop, kind=Kind.BRAND, value="Samsung")
    services.entry_merge(source=wrong, target=right, by=director)
    again = remember(workshop=workshop, kind=Kind.BRAND, value="samsng")
    assert again.pk == right.pk
    assert Entry.objects.get(pk=right.pk).use_count == 3
    assert Entry.objects.get(pk=wrong.pk).use_count == 1


def test_rename_keeps_the_row_and_journals_it(workshop, director):
    entry = remember(workshop=workshop, kind=Kind.BRAND, value="Lenvo")
    renamed = services.entry_rename(entry=entry, value="  Lenovo ", by=director)
    assert (renamed.pk, renamed.value, renamed.key) == (entry.pk, "Lenovo", "lenovo")
    latest = renamed.history.order_by("-history_id").first()
    assert (latest.value, latest.history_type, latest.history_user) == (
        "Lenovo",
        "~",
        director.user,
    )


def test_rename_refuses_a_clash_and_empty_and_long(workshop):
    remember(workshop=workshop, kind=Kind.BRAND, value="Apple")
    entry = remember(workshop=workshop, kind=Kind.BRAND, value="Aple")
    with pytest.raises(DirectoryError, match="already"):
        services.entry_rename(entry=entry, value="APPLE")
    with pytest.raises(DirectoryError):
        services.entry_rename(entry=entry, value="   ")
    with pytest.raises(DirectoryError):
        services.entry_rename(entry=entry, value="x" * 5000)
    assert Entry.objects.get(pk=entry.pk).value == "Aple"
    # Changing only the case of its own spelling is fine.
    assert services.entry_rename(entry=entry, value="APLE").value == "APLE"


def test_merge_moves_uses_and_redirects_earlier_merges(workshop, director):
    a = remember(workshop=workshop, kind=Kind.SERVICE, value="Замена экарна", price="900")
    b = remember(workshop=workshop, kind=Kind.SERVICE, value="Замена экрна")
    c = remember(workshop=workshop, kind=Kind.SERVICE, value="Замена экрана", price="1200")
    Entry.objects.filter(pk=c.pk).update(last_used_at=timezone.now() + timedelta(days=1))
    services.entry_merge(source=a, target=b, by=director)
    services.entry_merge(source=b, target=c, by=director)
    c.refresh_from_db()
    assert c.use_count == 3
    assert c.last_price == Decimal("1200.00")
    assert set(Entry.objects.filter(merged_into=c).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert list(Entry.objects.suggestible().values_list("value", flat=True)) == ["Замена экрана"]


def test_merge_refuses_other_kind_self_and_merged(workshop):
    brand = remember(workshop=workshop, kind=Kind.BRAND, value="Acer")
    partner = remember(workshop=workshop, kind=Kind.PARTNER, value="Acer")
    other = remember(workshop=workshop, kind=Kind.BRAND, value="Acre")
    with pytest.raises(DirectoryError):
        services.entry_merge(source=brand, target=partner)
    with pytest.raises(DirectoryError):
        services.entry_merge(source=brand, target=brand)
    services.entry_merge(source=other, target=brand)
    with pytest.raises(DirectoryError):
        services.entry_merge(source=brand, target=Entry.objects.get(pk=other.pk))


def test_renaming_a_brand_moves_its_models(workshop, director):
    brand = remember(workshop=workshop, kind=Kind.BRAND, value="Smasung")
    remember(workshop=workshop, kind=Kind.MODEL, value="Galaxy S21", parent="Smasung")
    services.entry_rename(entry=brand, value="Samsung", by=director)
    model = Entry.objects.get(kind=Kind.MODEL)
    assert (model.parent, model.parent_key) == ("Samsung", "samsung")


def test_merging_brands_merges_their_same_models(workshop, director):
    wrong = remember(workshop=workshop, kind=Kind.BRAND, value="Aple")
    right = remember(workshop=workshop, kind=Kind.BRAND, value="Apple")
    twin_old = remember(workshop=workshop, kind=Kind.MODEL, value="iPhone 12", parent="Aple")
    only_old = remember(workshop=workshop, kind=Kind.MODEL, value="iPhone 8", parent="Aple")
    twin = remember(workshop=workshop, kind=Kind.MODEL, value="iPhone 12", parent="Apple")
    services.entry_merge(source=wrong, target=right, by=director)
    assert Entry.objects.get(pk=twin_old.pk).merged_into_id == twin.pk
    assert Entry.objects.get(pk=only_old.pk).parent == "Apple"
    suggested = Entry.objects.filter(kind=Kind.MODEL, parent_key="apple").suggestible()
    assert sorted(suggested.values_list("value", flat=True)) == ["iPhone 12", "iPhone 8"]


def test_hide_and_unhide(workshop, director):
    entry = remember(workshop=workshop, kind=Kind.PROBLEM, value="Не включается")
    services.entry_hide(entry=entry, by=director)
    assert not Entry.objects.suggestible().exists()
    # Typing it again counts but does not bring it back.
    remember(workshop=workshop, kind=Kind.PROBLEM, value="не включается")
    assert not Entry.objects.suggestible().exists()
    services.entry_hide(entry=entry, hidden=False, by=director)
    assert Entry.objects.suggestible().get().use_count == 2


def test_delete_removes_it_and_its_merged_spellings_and_journals(workshop, director):
    entry = remember(workshop=workshop, kind=Kind.CONDITION, value="Царапины")
    typo = remember(workshop=workshop, kind=Kind.CONDITION, value="Царапны")
    services.entry_merge(source=typo, target=entry, by=director)
    services.entry_delete(entry=entry, by=director)
    assert Entry.objects.count() == 0
    deleted = Entry.history.filter(id=entry.pk, history_type="-").get()
    assert deleted.history_user == director.user


def test_unique_key_is_enforced_by_the_database(workshop):
    Entry.objects.create(workshop=workshop, kind=Kind.BRAND, value="Dell")
    with pytest.raises(IntegrityError):
        Entry.objects.create(workshop=workshop, kind=Kind.BRAND, value="DELL")


@pytest.mark.django_db(transaction=True)
def test_remember_from_two_threads_keeps_one_row(workshop):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    errors = []

    def work():
        from django.db import connection as conn

        try:
            # Each thread runs as a request would: inside the workshop's scope.
            with scope(workshop=workshop):
                for _ in range(5):
                    remember(workshop=workshop, kind=Kind.BRAND, value="Huawei")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Entry.objects.get(kind=Kind.BRAND).use_count == 20
