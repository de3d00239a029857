"""The director's reports over a year of a big workshop, and its Excel export's memory.

Builds (once, reused) a workshop with BENCH_REPORT_ORDERS (default 100,000) orders issued
over the last 365 days, each with a payment in the ledger and a settled earning with a
service and a goods line, beside a 1,000-order workshop built the same way. Prints:

- report_<name>_year_<size>_p50_ms: each report page (test client, whole stack) for the
  year, for both sizes, and their ratio;
- export_entries_year_seconds / _cpu_seconds / _peak_mb: the Excel file of a year's
  cash entries built as the worker builds it (openpyxl write-only), its wall and
  CPU time, and the peak resident memory of a child process doing only that.

BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> runs it on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("BENCH_SQLITE_NAME", "workshop-bench-reports.sqlite3")
# Production settings (cached templates, no debug extras), as bench/run.py measures.
from common import measure, report, setup_django, use_production_settings  # noqa: E402

use_production_settings()

LARGE = int(os.environ.get("BENCH_REPORT_ORDERS", "100000"))
SMALL = 1_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
NAME = "Bench reports {}"


def build(n: int):
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Branch, Membership, Role, User, Workshop
    from cashdesk.models import CashEntry, Earning, EarningLine, Shift
    from orders.models import Order

    with scopes_disabled():
        found = Workshop.objects.filter(name=NAME.format(n)).first()
        if found is not None:
            return found, Membership.objects.get(workshop=found, role=Role.DIRECTOR)
        with transaction.atomic():
            ws = Workshop.objects.create(name=NAME.format(n))
            branches = [Branch.objects.create(workshop=ws, name=f"B{i}") for i in range(2)]
            user = User.objects.create_user(email=f"director{n}@bench.test", password="x")
            director = Membership.objects.create(workshop=ws, user=user, role=Role.DIRECTOR)
            people = [director] + [
                Membership.objects.create(
                    workshop=ws,
                    user=User.objects.create_user(email=f"t{i}-{n}@bench.test", password="x"),
                    role=Role.TECHNICIAN,
                )
                for i in range(8)
            ]
            shifts = [
                Shift.objects.create(workshop=ws, branch=b, number=1, opened_by=director)
                for b in branches
            ]
            rng = random.Random(n)
            now = timezone.now()
            step = 5000
            for start in range(0, n, step):
                count = min(step, n - start)
                times = [
                    now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(count)
                ]
                orders = Order.objects.bulk_create(
                    [
                        Order(
                            workshop=ws,
                            branch=branches[i % 2],
                            number=start + i + 1,
                            kind=("repair", "sale", "pc_build", "call_out")[i % 4],
                            status="issued",
                            lines_total=Decimal("3000.00"),
                            total=Decimal("3000.00"),
                            accepted_by=people[i % 9],
                            assignee=people[(i + 1) % 9],
                            created_at=times[i] - dt.timedelta(hours=rng.randint(1, 200)),
                            status_changed_at=times[i],
                            issued_at=times[i],
                            issued_by=people[i % 9],
                        )
                        for i in range(count)
                    ]
                )
                CashEntry.objects.bulk_create(
                    [
                        CashEntry(
                            workshop=ws,
                            branch=o.branch,
                            shift=shifts[i % 2],
                            kind="payment",
                            method=("cash", "card", "transfer")[i % 3],
                            amount=Decimal("3000.00"),
                            by=director,
                            order=o,
                            at=times[i],
                            comment='=HYPERLINK("x")' if i % 97 == 0 else "",
                            key=uuid.uuid4(),
                        )
                        for i, o in enumerate(orders)
                    ]
                )
                earnings = Earning.objects.bulk_create(
                    [
                        Earning(
                            workshop=ws,
                            order=o,
                            kind="settled",
                            branch=o.branch,
                            assignee=o.assignee,
                            at=times[i],
                        )
                        for i, o in enumerate(orders)
                    ]
                )
                EarningLine.objects.bulk_create(
                    [
                        EarningLine(
                            workshop=ws,
                            earning=e,
                            kind=kind,
                            name=f"{kind} {i % 40}",
                            performer=people[i % 9],
                            amount=Decimal("1500.00"),
                            cost=Decimal("900.00") if kind == "goods" and i % 3 else None,
                        )
                        for i, e in enumerate(earnings)
                        for kind in ("service", "goods")
                    ]
                )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return ws, director


def export_child(workshop_id: int) -> None:
    """In a child process: build a year's cash entries file; print time and peak memory."""
    from django.utils import timezone
    from django_scopes import scope

    from accounts.models import Workshop
    from cashdesk import excel, reports

    today = timezone.localdate()
    period = reports.Period(today - dt.timedelta(days=365), today)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-export-{workshop_id}.xlsx"
    with scope(workshop=workshop_id):
        ws = Workshop.objects.get(pk=workshop_id)
        start, cpu = time.perf_counter(), time.process_time()
        excel.build("entries", ws, period, None, path)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export_entries_year_seconds: {seconds:.1f}")  # noqa: T201
    # CPU time as well: on a busy machine the wall clock mostly measures the neighbours.
    print(f"export_entries_year_cpu_seconds: {cpu:.1f}")  # noqa: T201
    print(f"export_entries_year_peak_mb: {peak_mb:.0f}")  # noqa: T201
    print(f"export_entries_year_file_mb: {path.stat().st_size / 1e6:.1f}")  # noqa: T201
    path.unlink()


def main() -> None:
    setup_django()
    if len(sys.argv) > 2 and sys.argv[1] == "--export":
        export_child(int(sys.argv[2]))
        return
    from django.test import Client
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from cashdesk import reports

    sites = {size: build(size) for size in (SMALL, LARGE)}
    today = timezone.localdate()
    start = (today - dt.timedelta(days=365)).isoformat()
    query = f"period=custom&start={start}&end={today.isoformat()}"
    results = {}
    for size, (_ws, director) in sites.items():
        client = Client()
        with scopes_disabled():
            user = director.user
            if not user.pin_hash:  # a member without a PIN is sent to set one first
                user.set_pin("1234")
                user.save()
            client.force_login(user)
        for name in reports.REPORTS:
            url = f"/cashdesk/reports/?report={name}&{query}"
            assert client.get(url).status_code == 200
            samples = measure(
                lambda url=url, client=client: client.get(url), repeat=REPEAT, warmup=2
            )
            report(f"report_{name}_year_{size}", samples)
            results[(name, size)] = sorted(samples)[len(samples) // 2]
    for name in reports.REPORTS:
        print(f"report_{name}_year_ratio: {results[(name, LARGE)] / results[(name, SMALL)]:.1f}")  # noqa: T201
    env = dict(os.environ)
    subprocess.run(
        [sys.executable, __file__, "--export", str(sites[LARGE][0].pk)], check=True, env=env
    )


if __name__ == "__main__":
    main()
