"""Where a page's time goes: cProfile over N requests of one URL, on bench/run.py's data.

Usage: `.venv/bin/python bench/profile_page.py /orders/?tab=queue [N] [--time]` (--time:
no profiler, the page's and the floor's p50 interleaved; BENCH_DATABASE_URL
as for bench/run.py; run bench/run.py once first to build the data). Prints the
functions by own time and by cumulative time, and the time split between the template
engine, SQL and the rest.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("BENCH_SQLITE_NAME", "workshop-bench-run.sqlite3")
from common import setup_django, use_production_settings  # noqa: E402

use_production_settings()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "/orders/?tab=queue"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    setup_django()
    from django.conf import settings
    from django.test.utils import override_settings
    from django_scopes import scopes_disabled
    from run import LARGE, SITE_NAME, signed_in

    from accounts.models import Membership, Workshop

    with scopes_disabled():
        workshop = Workshop.objects.filter(name=SITE_NAME.format(LARGE)).order_by("-id").first()
        director = Membership.objects.filter(workshop=workshop).first()
        http = signed_in(director.user)
    with override_settings(
        ROOT_URLCONF="bench.urls",
        RATE_LIMITS={},
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        for _ in range(20):
            assert http.get(url).status_code == 200
        if "--time" in sys.argv:
            from run import get, interleaved, p50

            samples = interleaved({0: get(http, "/bench/floor/"), 1: get(http, url)}, repeat=n)
            floor, page = p50(samples[0]), p50(samples[1])
            print(f"floor_p50_ms: {floor:.2f}\npage_p50_ms: {page:.2f}")  # noqa: T201
            print(f"page_floor_ratio: {page / floor:.2f}")  # noqa: T201
            return
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for _ in range(n):
            http.get(url)
        profile.disable()
        wall = (time.perf_counter() - start) * 1000 / n
    print(f"# {url}: {wall:.2f} ms a request under the profiler, {n} requests")  # noqa: T201
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(30)
        print(out.getvalue())  # noqa: T201
    out = io.StringIO()  # the project's own functions (not the virtualenv's)
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(
        r"^(?!.*\.venv).*\.py", 40
    )
    print(out.getvalue())  # noqa: T201


if __name__ == "__main__":
    main()
