"""Work page and order card with 1k against 100k orders: the ratio should stay near 1.

Two workshops in one throwaway database, one with SMALL orders and one with LARGE.
As in a real workshop, the newest SMALL orders of each are spread over every status
(the live work) and the rest are history, issued long ago. The measured order has
20 lines and a 2,000-entry journal. Set
BENCH_LARGE to change the large size (default 100000).

Devices carry a model from a short list (a quarter are iPhones, as at a real counter)
and a 15-digit IMEI-like serial whose last 7 digits are unique; problems come from a
short list of phrases and every tenth order has a diagnosis, so the search has
models, serial tails and words of the problem to find.
"""

from __future__ import annotations

import os
import statistics

from common import measure, report, setup_django

SMALL = 1_000
LARGE = int(os.environ.get("BENCH_LARGE", "100000"))

MODELS = [
    ("Смартфон", "Apple", "iPhone 12"),
    ("Ноутбук", "Lenovo", "ThinkPad T480"),
    ("Смартфон", "Samsung", "Galaxy S21"),
    ("Ноутбук", "Lenovo", "IdeaPad 5"),
    ("Смартфон", "Apple", "iPhone 13 Pro"),
    ("Смартфон", "Xiaomi", "Redmi Note 10"),
    ("Ноутбук", "Apple", "MacBook Air M1"),
    ("Планшет", "Huawei", "MatePad 11"),
]
PROBLEMS = [
    "Не включается",
    "Разбит экран, нужна замена дисплея",
    "Не заряжается, разъём шатается",
    "Залит водой, не ловит сеть",
    "Шумит вентилятор, греется",
]


def imei(i: int) -> str:
    """A 15-digit serial; i -> i * 7919 mod 10**13 is one to one, so are the last 7 digits."""
    return f"35{i * 7919 % 10**13:013d}"


def build(name: str, n: int):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Branch, Membership, Role, User, Workshop
    from orders.models import Client, Device, JournalEntry, Order, OrderLine, name_key
    from orders.workflow import Kind, Status

    # The newest complete one of that name: all its n bulk-loaded orders (bench/load.py
    # adds orders after them; a build cut short leaves a workshop that is not reused).
    for workshop in Workshop.objects.filter(name=name).order_by("-id"):
        if Order.objects.filter(workshop=workshop, number__lte=n).count() == n:
            return (
                workshop,
                Membership.objects.get(workshop=workshop),
                Order.objects.get(workshop=workshop, number=n),
            )
    workshop = Workshop.objects.create(name=name)
    branch = Branch.objects.create(workshop=workshop, name="Main")
    email = f"{name.lower().replace(' ', '')}@bench.test"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, "x" * 12, full_name=name
    )
    director = Membership.objects.create(workshop=workshop, user=user, role=Role.DIRECTOR)
    statuses = list(Status)
    now = timezone.now()
    batch = 5_000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        clients = Client.objects.bulk_create(
            [
                Client(
                    workshop=workshop,
                    name=f"Клиент {start + i}",
                    # bulk_create skips Client.save(), which keeps the search key.
                    name_folded=name_key(f"Клиент {start + i}"),
                    phone=f"+7912{start + i:07d}",
                )
                for i in range(size)
            ]
        )
        devices = Device.objects.bulk_create(
            [
                Device(
                    workshop=workshop,
                    client=c,
                    device_type=MODELS[(start + i) % len(MODELS)][0],
                    brand=MODELS[(start + i) % len(MODELS)][1],
                    model=MODELS[(start + i) % len(MODELS)][2],
                    serial=imei(start + i),
                )
                for i, c in enumerate(clients)
            ]
        )
        Order.objects.bulk_create(
            [
                Order(
                    workshop=workshop,
                    branch=branch,
                    number=start + i + 1,
                    kind=Kind.REPAIR,
                    status=statuses[(start + i) % len(statuses)]
                    if start + i >= n - SMALL
                    else Status.ISSUED,
                    status_changed_at=now if start + i >= n - SMALL else now - timedelta(days=400),
                    client=clients[i],
                    device=devices[i],
                    problem=PROBLEMS[(start + i) % len(PROBLEMS)],
                    diagnosis="Окисление платы, замена контроллера питания"
                    if (start + i) % 10 == 0
                    else "",
                    assignee=director,
                    lines_total=Decimal("1500.00"),
                )
                for i in range(size)
            ]
        )
    last = Order.objects.filter(workshop=workshop).order_by("-id").first()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                workshop=workshop,
                order=last,
                name=f"Работа {i}",
                unit_price=Decimal("500"),
                performer=director,
            )
            for i in range(20)
        ]
    )
    JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                workshop=workshop,
                order=last,
                version=1,
                by=director,
                action="changed",
                field="notes",
                old_value="a",
                new_value="b",
            )
            for _ in range(2_000)
        ]
    )
    return workshop, director, last


if __name__ == "__main__":
    setup_django()
    from django.test import Client as HttpClient
    from django.test.utils import override_settings
    from django_scopes import scopes_disabled

    results = {}
    with scopes_disabled():
        sites = {size: build(f"Orders bench v2 {size}", size) for size in (SMALL, LARGE)}
    for size, (_workshop, director, order) in sites.items():
        http = HttpClient()
        # Signed in with a PIN already set, as after the first full sign-in.
        director.user.set_pin("1234")
        director.user.save()
        http.force_login(director.user)
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            work = "/orders/?tab=queue"
            card = f"/orders/{order.number}/"
            search = "/orders/?q=Клиент 5"
            for url in (work, card, search):
                answer = http.get(url)
                assert answer.status_code == 200, (url, answer.status_code, answer.get("Location"))
            for name, url in (("work", work), ("card", card), ("search", search)):
                samples = measure(lambda url=url, http=http: http.get(url), repeat=100)
                report(f"{name}_{size}", samples)
                results[(name, size)] = statistics.median(samples)
    for name in ("work", "card", "search"):
        ratio = results[(name, LARGE)] / results[(name, SMALL)]
        print(f"{name}_{LARGE}_over_{SMALL}_ratio: {ratio:.2f}")  # noqa: T201
