"""One benchmark run: every figure of issue 14, as `name: value` lines.

How it measures (printed first): Django's test client in this process, signed in, so
every request goes through the whole middleware stack; each URL is warmed with 10
requests, then timed over BENCH_REPEAT (default 100) requests; p50 is the median,
p95 the nearest rank. The small and the large workshop are timed back to back for each
URL and the figures that matter are ratios within this run (large over small, a page
over the trivial signed-in view), so a busy machine does not fool us.

Data: a 1k and a BENCH_LARGE (default 100k) workshop built by bench_orders.build, among
BENCH_NEIGHBOURS (default 3) workshops of 5,000 orders, plus the directories bench's
50,000-entry directory among 20 workshops. Built once and reused (SQLite file
$TMPDIR/workshop-bench-run.sqlite3, or BENCH_DATABASE_URL, e.g.
postgres://postgres@127.0.0.1:5432/bench_run). ANALYZE (PostgreSQL: VACUUM ANALYZE) runs after loading.

Usage: `make bench`, or `.venv/bin/python bench/run.py`; BENCH_LARGE=20000 for a quick
run. `bench/run.py --each` runs the older per-topic scripts (bench_*.py) instead.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("BENCH_SQLITE_NAME", "workshop-bench-run.sqlite3")
# Production settings (DEBUG off: cached templates, no debug extras), served over plain
# HTTP by the test client; static files unhashed, so no collectstatic is needed.
from common import measure, setup_django, use_production_settings  # noqa: E402

use_production_settings()

SMALL = 1_000
LARGE = int(os.environ.get("BENCH_LARGE", "100000"))
NEIGHBOURS = int(os.environ.get("BENCH_NEIGHBOURS", "3"))
NEIGHBOUR_SIZE = 5_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))
SITE_NAME = "Orders bench v3 {}"
HX = {"HX-Request": "true"}  # the "load more" fragment


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def say(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.2f}"
    print(f"{name}: {value}", flush=True)  # noqa: T201


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run_each() -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"# {script.name}", flush=True)  # noqa: T201
        status |= subprocess.run([sys.executable, str(script)], check=False).returncode
    return status


def build_all():
    from bench_directories import build as build_directories
    from bench_orders import build
    from django.db import connection
    from django_scopes import scopes_disabled

    started = time.perf_counter()
    with scopes_disabled():
        sites = {n: build(SITE_NAME.format(n), n) for n in (SMALL, LARGE)}
        for i in range(NEIGHBOURS):
            build(SITE_NAME.format(f"neighbour {i}"), NEIGHBOUR_SIZE)
        # bulk_create numbered the orders itself: the counter the "+" form takes the
        # next number from starts after them (bench/load.py creates orders).
        from django.db.models import Max

        from orders.models import Order, OrderCounter

        for workshop, _director, _last in sites.values():
            top = Order.objects.filter(workshop=workshop).aggregate(m=Max("number"))["m"] or 0
            OrderCounter.objects.update_or_create(workshop=workshop, defaults={"last_number": top})
    directories = build_directories()
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: statistics, and on PostgreSQL the
        # visibility map too (index-only scans read no heap pages only after a VACUUM).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    say("build_and_analyze_s", time.perf_counter() - started)
    return sites, directories


def signed_in(user):
    from django.test import Client as HttpClient

    if not user.pin_hash:
        user.set_pin("1234")
        user.save()
    http = HttpClient()
    http.force_login(user)
    return http


def queries_of(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def get(http, url, status=200, **headers):
    def call():
        answer = http.get(url, headers=headers)
        assert answer.status_code == status, (url, answer.status_code, answer.get("Location"))
        return answer

    return call


def interleaved(calls: dict[int, object], repeat: int = REPEAT, warmup: int = 10):
    """Samples (ms) of each call, the calls alternating request by request, so a burst
    of load from elsewhere on the machine lands on every size alike."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[int, list[float]] = {n: [] for n in calls}
    for _ in range(repeat):
        for n, call in calls.items():
            start = time.perf_counter()
            call()
            samples[n].append((time.perf_counter() - start) * 1000)
    return samples


def timed(name: str, calls: dict[int, object], results: dict) -> None:
    """Time one URL on every size, interleaved; print p50 (and p95 for the large)."""
    for n, call in calls.items():
        answer = call()  # fails loudly before timing if the page is broken
        if name.startswith("search_") and answer.context and "rows" in answer.context:
            # What the search found (a page holds 50): a fast search finding nothing is
            # no figure.
            say(
                f"{name}_rows" + ("" if n == LARGE else f"_{label(n)}"), len(answer.context["rows"])
            )
    for n, samples in interleaved(calls).items():
        results[(name, n)] = samples
        say(f"{name}_p50_ms_{label(n)}", p50(samples))
        if n == LARGE:
            say(f"{name}_p95_ms_{label(n)}", p95(samples))
    for n, call in calls.items():
        say(f"{name}_queries" + ("" if n == LARGE else f"_{label(n)}"), queries_of(call))
    if len(calls) > 1:
        say(f"{name}_scaling_ratio", p50(results[(name, LARGE)]) / p50(results[(name, SMALL)]))


def main() -> None:
    for line in __doc__.split("\n\n")[1].splitlines():
        print(f"# {line}", flush=True)  # noqa: T201
    setup_django()
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from django_scopes import scopes_disabled

    from orders import selectors
    from orders.models import Client, Device, Order
    from orders.workflow import Status

    sites, (dir_workshop, dir_user) = build_all()
    say("database", connection.vendor)
    say("debug", settings.DEBUG)
    say("orders_large", LARGE)
    say("repeat", REPEAT)
    results: dict = {}
    http, urls = {}, {}
    with scopes_disabled():
        for n, (workshop, director, last) in sites.items():
            http[n] = signed_in(director.user)
            k = n // 2  # a client in the middle of the workshop's history
            client = Client.objects.filter(workshop=workshop).order_by("id")[k]
            device = Device.objects.filter(workshop=workshop, client=client).first()
            # The plain card is an order of the same status as the 20-line one (the
            # buttons, the correction form and the panels follow the status), so
            # card_lines_ratio compares the lines and the journal alone.
            plain = (
                Order.objects.filter(workshop=workshop, number__lt=last.number, status=last.status)
                .order_by("-number")
                .first()
            )
            issued = Order.objects.filter(workshop=workshop, status=Status.ISSUED).order_by("-id")
            urls[n] = {
                "work_page": ("/orders/?tab=queue", {}),
                "card": (f"/orders/{plain.number}/", {}),
                "card_lines": (f"/orders/{last.number}/", {}),
                "phone_lookup": (f"/orders/lookup/?phone={client.phone}&kind=repair", {}),
                "search_phone": (f"/orders/?q={client.phone}", {}),
                "search_name_word": ("/orders/?q=Клиент 5", {}),
                "search_name_rare": (f"/orders/?q=Клиент {n - 3}", {}),
                # The same term in both sizes: the 990th order. (n - 10 was 990 at 1k and
                # 99990 at 100k, where five digits also ran the phone and serial tails and
                # found three orders against one.)
                "search_number": (f"/orders/?q={SMALL - 10}", {}),
                "search_serial_tail": (f"/orders/?q={device.serial[-7:]}", {}),
                "search_model": ("/orders/?q=iPhone", {}),
                "search_text": ("/orders/?q=экран", {}),
            }
            # What each search finds (a page holds 50): finding nothing fast is no figure.
            for name, (url, _headers) in urls[n].items():
                if name.startswith("search_"):
                    q = urllib.parse.unquote(url.split("q=", 1)[1])
                    found = selectors.search_orders(
                        selectors.work_orders(director), q, workshop, with_deleted_clients=True
                    )
                    rows = selectors.list_rows(found, None, workshop=workshop).rows
                    say(f"{name}_rows_{label(n)}", len(rows))
            if n == LARGE:
                deep = issued.values_list("id", flat=True)[1000]
                urls[n]["deep_first"] = ("/orders/?tab=cash_desk&after=999999999", HX)
                urls[n]["deep_1000"] = (f"/orders/?tab=cash_desk&after={deep}", HX)
    with override_settings(
        ROOT_URLCONF="bench.urls",
        # The per-member rate limits would answer most of 100 searches a second with 429:
        # the bench times the pages, so the limiter runs with no groups.
        RATE_LIMITS={},
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        floor = get(http[LARGE], "/bench/floor/")
        floor()
        work = get(http[LARGE], urls[LARGE]["work_page"][0])
        work()
        samples = interleaved({0: floor, 1: work})
        results["floor"] = samples[0]
        say("floor_p50_ms", p50(results["floor"]))
        say("floor_queries", queries_of(floor))
        say("work_page_floor_ratio", p50(samples[1]) / p50(samples[0]))
        for name in (
            "work_page",
            "card",
            "card_lines",
            "phone_lookup",
            "search_phone",
            "search_name_word",
            "search_name_rare",
            "search_number",
            "search_serial_tail",
            "search_model",
            "search_text",
        ):
            calls = {}
            for n in (SMALL, LARGE):
                url, headers = urls[n][name]
                calls[n] = get(http[n], url, **headers)
            timed(name, calls, results)
        say(
            "card_lines_ratio",
            p50(results[("card_lines", LARGE)]) / p50(results[("card", LARGE)]),
        )
        deep = {}
        for i, name in enumerate(("deep_first", "deep_1000")):
            url, headers = urls[LARGE][name]
            deep[i] = call = get(http[LARGE], url, **headers)
            call()
        samples = interleaved(deep)
        results["deep_first"], results["deep_1000"] = samples[0], samples[1]
        say("work_page_deep_p50_ms", p50(results["deep_1000"]))
        say("work_page_deep_queries", queries_of(call))
        say("work_page_deep_ratio", p50(results["deep_1000"]) / p50(results["deep_first"]))

        # Directory suggestions while typing, 50,000 entries (bench_directories' data).
        from bench_directories import BIG, TERMS

        directory = signed_in(dir_user)
        terms = iter(TERMS * (REPEAT + 20))

        def suggest():
            answer = directory.get("/directories/suggest/service/", {"q": next(terms)})
            assert answer.status_code == 200, answer.status_code

        samples = measure(suggest, repeat=REPEAT)
        say(f"directory_suggest_p50_ms_{label(BIG)}", p50(samples))
        say(f"directory_suggest_p95_ms_{label(BIG)}", p95(samples))
        say("directory_suggest_queries", queries_of(suggest))

        other_apps(apps, sites, http, results)


def other_apps(apps, sites, http, results) -> None:
    """The cash desk, documents and stock pages, when those apps are installed."""
    from django.urls import NoReverseMatch, reverse
    from django_scopes import scopes_disabled

    from orders.models import Order
    from orders.workflow import Status

    workshop, director, last = sites[LARGE]
    client = http[LARGE]
    if apps.is_installed("cashdesk"):
        from cashdesk import selectors as cash_selectors
        from cashdesk import services as cash

        with scopes_disabled():
            branch = workshop.branches.order_by("id").first()
            if cash_selectors.open_shift(branch) is None:
                cash.shift_open(branch=branch, by=director)
        call = get(client, reverse("cashdesk:desk"))
        call()
        samples = measure(call, repeat=REPEAT)
        say("cashdesk_shift_p50_ms", p50(samples))
        say("cashdesk_shift_queries", queries_of(call))
    else:
        say("cashdesk_shift_p50_ms", "not installed")
    if apps.is_installed("cashdesk"):
        # The director's revenue report over a year of the large workshop (bench_reports.py
        # times every report with a year of payments; this is the one in the summary).
        call = get(client, reverse("cashdesk:report") + "?report=revenue&period=year")
        call()
        samples = measure(call, repeat=REPEAT)
        say("report_year_p50_ms", p50(samples))
        say("report_year_p95_ms", p95(samples))
        say("report_year_queries", queries_of(call))
    else:
        say("report_year_p50_ms", "not installed")
    if apps.is_installed("documents"):
        with scopes_disabled():
            order = (
                Order.objects.filter(workshop=workshop, device__isnull=False)
                .exclude(status=Status.ISSUED)
                .order_by("-id")
                .first()
            )
        try:
            html_url = reverse("documents:print", args=[order.number, "acceptance"])
            pdf_url = reverse("documents:pdf", args=[order.number, "acceptance"])
        except NoReverseMatch as exc:
            say("document_html_p50_ms", f"no URL ({exc})")
        else:
            documents(client, html_url, pdf_url)
    else:
        say("document_html_p50_ms", "not installed")
    if apps.is_installed("warehouse"):
        call = get(client, reverse("warehouse:stock"))
        call()
        samples = measure(call, repeat=REPEAT)
        say("stock_page_p50_ms", p50(samples))
        say("stock_page_queries", queries_of(call))
        say("stock_page_note", "the bench workshops hold no products yet")
    else:
        say("stock_page_p50_ms", "not installed")


def documents(client, html_url, pdf_url) -> None:
    """The print view of an acceptance receipt (HTML) and its PDF."""
    answer = client.get(html_url + "?source=default")
    if answer.status_code != 200:
        say("document_html_p50_ms", f"skipped (HTTP {answer.status_code})")
        return
    call = get(client, html_url + "?source=default")
    samples = measure(call, repeat=REPEAT)
    say("document_html_p50_ms", p50(samples))
    say("document_html_queries", queries_of(call))

    def pdf():
        answer = client.post(pdf_url, {"source": "default"})
        assert answer.status_code == 200, answer.status_code
        assert answer["Content-Type"] == "application/pdf", answer["Content-Type"]

    pdf()
    samples = measure(pdf, repeat=REPEAT, warmup=3)
    say("document_pdf_p50_ms", p50(samples))
    say("document_pdf_p95_ms", p95(samples))


if __name__ == "__main__":
    if "--each" in sys.argv:
        sys.exit(run_each())
    main()
