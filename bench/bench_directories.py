"""Suggestions while typing with 50,000 entries in one directory among 20 busy workshops.

Prints directory_suggest_p50_ms / _p95_ms through the view (test client, whole stack),
the same for the bare query, and on PostgreSQL the EXPLAIN of the suggestion query.
BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> runs it on PostgreSQL.
"""

from __future__ import annotations

import itertools
import random

from common import measure, report, setup_django

BIG = 50_000
OTHER_WORKSHOPS = 20
PER_OTHER_WORKSHOP = 2_000  # spread over all directories
WORDS = [
    "Замена", "Ремонт", "Чистка", "Пайка", "Диагностика", "Установка", "Прошивка", "Настройка",
    "Дисплей", "Аккумулятор", "Разъём", "Клавиатура", "Матрица", "Корпус", "Шлейф", "Кнопка",
    "Screen", "Battery", "Keyboard", "Cooler", "Hinge", "Camera", "Speaker", "Charger",
]  # fmt: skip
TERMS = ["з", "зам", "замена д", "ремонт к", "ch", "screen", "ба", "ПАЙ", "ёмк", "%", "диагн"]


def value(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} {i}"


def build() -> tuple[object, object]:
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Membership, Role, User, Workshop
    from directories.models import Entry, Kind, fold

    with scopes_disabled(), transaction.atomic():
        workshop = Workshop.objects.filter(name="Bench directories").first()
        if workshop is None:
            workshop = Workshop.objects.create(name="Bench directories")
            rng = random.Random(7)
            now = timezone.now()

            def rows(ws, kinds, count):
                for i in range(count):
                    text = value(rng, i)
                    yield Entry(
                        workshop=ws,
                        kind=kinds[i % len(kinds)],
                        value=text,
                        key=fold(text),
                        use_count=rng.randint(0, 200),
                        last_used_at=now,
                        last_price=rng.randint(100, 20_000),
                    )

            Entry.objects.bulk_create(rows(workshop, [Kind.SERVICE], BIG), batch_size=5000)
            for n in range(OTHER_WORKSHOPS):
                other = Workshop.objects.create(name=f"Bench neighbour {n}")
                Entry.objects.bulk_create(rows(other, list(Kind), PER_OTHER_WORKSHOP))
        user = User.objects.filter(email="bench-directories@example.com").first()
        if user is None:
            user = User.objects.create_user(
                "bench-directories@example.com", "bench-password-123", full_name="Bench"
            )
            if hasattr(user, "set_pin"):
                user.set_pin("1234")
                user.save()
            Membership.objects.create(workshop=workshop, user=user, role=Role.DIRECTOR)
    return workshop, user


if __name__ == "__main__":
    setup_django()
    from django.db import connection
    from django.test import Client
    from django_scopes import scope

    from directories.models import Entry, Kind

    workshop, user = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directories_entry")
    client = Client()
    client.force_login(user)
    terms = itertools.cycle(TERMS)
    first = client.get("/directories/suggest/service/", {"q": "зам"})
    assert first.status_code == 200, first.status_code
    assert first.content.count(b'role="option"') == 10, first.content[:500]

    def through_view():
        response = client.get("/directories/suggest/service/", {"q": next(terms)})
        assert response.status_code == 200

    def bare_query():
        with scope(workshop=workshop):
            list(
                Entry.objects.filter(workshop=workshop, kind=Kind.SERVICE).suggestions(next(terms))
            )

    def empty_term():
        response = client.get("/directories/suggest/service/")
        assert response.status_code == 200

    print(f"database: {connection.vendor}")  # noqa: T201
    print(f"entries_in_directory: {BIG}")  # noqa: T201
    report("directory_suggest", measure(through_view, repeat=300))
    report("directory_suggest_query", measure(bare_query, repeat=300))
    report("directory_suggest_empty_term", measure(empty_term, repeat=100))
    if connection.vendor == "postgresql":
        with scope(workshop=workshop):
            qs = Entry.objects.filter(workshop=workshop, kind=Kind.SERVICE).suggestions("замена д")
            print("explain (замена д):")  # noqa: T201
            print(qs.explain(analyze=True))  # noqa: T201
    else:
        with scope(workshop=workshop):
            qs = Entry.objects.filter(workshop=workshop, kind=Kind.SERVICE).suggestions("замена д")
            print("explain query plan (замена д):", qs.explain())  # noqa: T201
