"""Shared set-up for benchmarks: Django on a throwaway database, timing helpers.

Benchmarks use their own SQLite file (or $BENCH_DATABASE_URL, e.g. PostgreSQL)
so they never touch the development database.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_SECRET_KEY = "bench-only-secret-key-bench-only-secret-key-0123456789"


def use_production_settings() -> None:
    """Measure what production runs (DEBUG off, cached templates, no debug extras), served
    over plain HTTP by the test client. Call before setup_django(); a variable already
    set wins."""
    for key, value in {
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",
    }.items():
        os.environ.setdefault(key, value)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        name = os.environ.get("BENCH_SQLITE_NAME", "workshop-bench.sqlite3")
        path = Path(tempfile.gettempdir()) / name
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def measure(fn: Callable[[], object], repeat: int = 200, warmup: int = 10) -> list[float]:
    """Milliseconds per call."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{name}_p50_ms: {statistics.median(ordered):.2f}")  # noqa: T201
    print(f"{name}_p95_ms: {p95:.2f}")  # noqa: T201
