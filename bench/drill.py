"""Fault drill: load against gunicorn on PostgreSQL, restart PostgreSQL, kill a worker.

Run by hand (`make drill`), never in CI: it needs root and the PostgreSQL server
tools, and it restarts a database. It uses a cluster of its own ("drill", port 5433,
created on first use, stopped at the end) so nobody else's database is touched.

    bench/drill.py [--seconds 60] [--requests 4000] [--users 8]

Gunicorn runs the production settings (DEBUG=0) on 127.0.0.1 only. Eight simulated
members sign in and loop over a mix: the Work page, a search, a card, the phone
lookup, the health check and creating orders (one in five). At 25 % of the run
PostgreSQL restarts (`pg_ctlcluster ... restart`), at 50 % one gunicorn worker is
killed (SIGKILL). An order whose answer was not a redirect to its card is sent once
more with the same one-time form key, as a person pressing Save again would.
Afterwards it prints `name: value` lines: requests, errors by kind, during and after
the outage, p50/p95/p99, the slowest answer during the outage, recovery time, and
the order checks: every order the client was told was created exists exactly once,
no order exists that the client saw fail without a clear answer (a 503 page), no
order without its client, device or journal, no gap in the numbers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG_VERSION = os.environ.get("DRILL_PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]
CLUSTER = "drill"
PG_PORT = int(os.environ.get("DRILL_PG_PORT", "5433"))
HTTP_PORT = int(os.environ.get("DRILL_HTTP_PORT", "8765"))
DB_NAME = "workshop_drill"
PASSWORD = "drill-password-2026"
TIMEOUT = 10  # seconds a request may take before the client gives up


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)


def pg_ready() -> bool:
    return (
        sh("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT), check=False).returncode == 0
    )


def ensure_cluster() -> None:
    clusters = sh("pg_lsclusters", "-h").stdout
    if not any(line.split()[:2] == [PG_VERSION, CLUSTER] for line in clusters.splitlines()):
        sh("pg_createcluster", PG_VERSION, CLUSTER, "-p", str(PG_PORT))
        hba = Path(f"/etc/postgresql/{PG_VERSION}/{CLUSTER}/pg_hba.conf")
        # Local drill only: trust on the loopback address, as the suite's cluster has.
        hba.write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
        )
    if not pg_ready():
        sh("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, CLUSTER, "start")
    for _ in range(30):
        if pg_ready():
            return
        time.sleep(0.5)
    raise SystemExit("the drill cluster did not start")


def app_env() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "BEHIND_PROXY": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}",
        "DB_CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def prepare(users: int) -> None:
    """A fresh database with the demo workshop and one manager per simulated member."""
    sh("dropdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "--if-exists", DB_NAME)
    sh("createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", DB_NAME)
    env = app_env()
    env["DB_STATEMENT_TIMEOUT_MS"] = "0"
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # Production serves hashed static files from the manifest, as the image builds it.
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PY, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    script = f"""
from django_scopes import scopes_disabled
from accounts.models import Branch, Membership, Role, User, Workshop
from accounts.demo import DEMO_WORKSHOP
with scopes_disabled():
    ws = Workshop.objects.get(name=DEMO_WORKSHOP)
    branches = list(Branch.objects.filter(workshop=ws))
    for i in range({users}):
        user = User.objects.create_user(f"drill{{i}}@example.com", {PASSWORD!r}, full_name=f"Drill {{i}}")
        user.set_pin("2468")
        user.save()
        m = Membership.objects.create(workshop=ws, user=user, role=Role.MANAGER)
        m.branches.set(branches, through_defaults=dict(workshop=ws))
"""
    subprocess.run([PY, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)


# ---------------------------------------------------------------- the client


@dataclass
class Sample:
    started: float  # seconds since the start of the run
    kind: str
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    seconds: float
    error: str = ""


@dataclass
class Attempt:
    marker: str
    key: str
    answers: list[int] = field(default_factory=list)
    number: int | None = None  # the card the client was redirected to


class Member:
    def __init__(self, index: int, run: Run):
        self.index = index
        self.run = run
        self.cookies: dict[str, str] = {}
        self.form: tuple[str, str] | None = None  # csrf token and branch of an open form

    def request(self, kind: str, method: str, path: str, body: dict | None = None):
        started = time.monotonic()
        headers = {
            "Host": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, text, location, error = 0, "", "", ""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=TIMEOUT)
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            status = response.status
            text = response.read().decode("utf-8", "replace")
            location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
        self.run.record(
            Sample(started - self.run.t0, kind, status, time.monotonic() - started, error)
        )
        return status, text, location

    def sign_in(self) -> None:
        status, page, location = self.request("login_page", "GET", "/accounts/sign-in/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise SystemExit(f"no sign-in form: {status} {location} {page[:300]}")
        token = match.group(1)
        status, _, _ = self.request(
            "login",
            "POST",
            "/accounts/sign-in/",
            {
                "username": f"drill{self.index}@example.com",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
        )
        if status != 302:
            raise SystemExit(f"drill{self.index} could not sign in ({status})")

    def create_order(self, n: int) -> None:
        # Every other order from a fresh form; the others from the page already open (as
        # a person keeps the "+" form), so saves also arrive while the database is away.
        if n % 20 == 0 or self.form is None:
            status, page, _ = self.request("new_form", "GET", "/orders/new/repair/")
            if status != 200:
                return
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            at = page.find('name="branch"')
            branch = re.search(r'value="(\d+)"', page[at:]) if at >= 0 else None
            if not token or not branch:
                return
            self.form = (token.group(1), branch.group(1))
        attempt = Attempt(marker=f"drill-{uuid.uuid4().hex}", key=str(uuid.uuid4()))
        body = {
            "csrfmiddlewaretoken": self.form[0],
            "form_key": attempt.key,
            "branch": self.form[1],
            "phone": f"+7 912 {self.index:03d} {n % 10000:04d}",
            "name": f"Клиент {self.index}-{n}",
            "device_type": "Ноутбук",
            "brand": "Lenovo",
            "model": "IdeaPad 5",
            "problem": attempt.marker,
            "estimate": "1500",
        }
        self.run.attempts.append(attempt)
        for _try in range(2):  # the second is the person pressing Save again
            status, _, location = self.request("create_order", "POST", "/orders/new/repair/", body)
            attempt.answers.append(status)
            if status == 302 and (match := re.fullmatch(r"/orders/(\d+)/", location)):
                attempt.number = int(match.group(1))
                self.run.orders_seen.append(attempt.number)
                return
            time.sleep(1)

    def loop(self) -> None:
        n = 0
        while not self.run.done():
            n += 1
            step = n % 10
            if step in (0, 5):
                self.create_order(n)
            elif step in (1, 6):
                self.request("work", "GET", "/orders/")
            elif step == 2:
                self.request("search", "GET", "/orders/?" + urlencode({"q": "Клиент"}))
            elif step in (3, 7) and self.run.orders_seen:
                number = self.run.orders_seen[(n * 7919) % len(self.run.orders_seen)]
                self.request("card", "GET", f"/orders/{number}/")
            elif step == 4:
                self.request(
                    "lookup",
                    "GET",
                    "/orders/lookup/?" + urlencode({"phone": f"+7 912 {self.index:03d} 0001"}),
                )
            elif step == 8:
                self.request("healthz", "GET", "/healthz")
            else:
                self.request("work", "GET", "/orders/?tab=all")


class Run:
    def __init__(self, seconds: float, limit: int):
        self.seconds = seconds
        self.limit = limit
        self.samples: list[Sample] = []
        self.attempts: list[Attempt] = []
        self.orders_seen: list[int] = []
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.events: dict[str, float] = {}

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def done(self) -> bool:
        return time.monotonic() - self.t0 > self.seconds or len(self.samples) >= self.limit

    def mark(self, name: str) -> None:
        self.events[name] = time.monotonic() - self.t0


def faults(run: Run, gunicorn: subprocess.Popen) -> None:
    while time.monotonic() - run.t0 < run.seconds * 0.25:
        time.sleep(0.1)
    run.mark("pg_restart_started")
    # A fast-shutdown restart: sessions are cut, the server is away for a moment.
    sh("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, CLUSTER, "restart", "-m", "fast")
    run.mark("pg_restart_returned")
    while not pg_ready():
        time.sleep(0.05)
    run.mark("pg_ready")
    while time.monotonic() - run.t0 < run.seconds * 0.5:
        time.sleep(0.1)
    children = sh("pgrep", "-P", str(gunicorn.pid), check=False).stdout.split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)
        run.mark("worker_killed")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def check_orders(run: Run) -> dict[str, int]:
    env = app_env()
    script = """
import json
from django_scopes import scopes_disabled
from orders.models import Order
from accounts.demo import DEMO_WORKSHOP
with scopes_disabled():
    rows = list(Order.objects.filter(workshop__name=DEMO_WORKSHOP, problem__startswith="drill-")
                .values("number", "problem", "client_id", "device_id"))
    journal = set(Order.objects.filter(workshop__name=DEMO_WORKSHOP, problem__startswith="drill-",
                  journal__isnull=False).values_list("number", flat=True).distinct())
    numbers = sorted(Order.objects.filter(workshop__name=DEMO_WORKSHOP).values_list("number", flat=True))
print(json.dumps({"rows": rows, "journal": sorted(journal), "numbers": numbers}))
"""
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    data = json.loads(out.strip().splitlines()[-1])
    by_marker = Counter(row["problem"] for row in data["rows"])
    numbers = data["numbers"]
    told_created = [a for a in run.attempts if a.number is not None]
    told_failed = [a for a in run.attempts if a.number is None]
    unclear = [a for a in told_failed if any(s not in (503,) for s in a.answers)]
    return {
        "orders_attempted": len(run.attempts),
        "orders_told_created": len(told_created),
        "orders_told_created_missing": sum(1 for a in told_created if by_marker[a.marker] == 0),
        "orders_duplicated": sum(1 for count in by_marker.values() if count > 1),
        "orders_told_failed": len(told_failed),
        "orders_told_failed_but_saved": sum(1 for a in told_failed if by_marker[a.marker]),
        "orders_unclear_failure_but_saved": sum(1 for a in unclear if by_marker[a.marker]),
        "orders_half_saved": sum(
            1
            for row in data["rows"]
            if not row["client_id"] or not row["device_id"] or row["number"] not in data["journal"]
        ),
        "order_number_gaps": (numbers[-1] - len(numbers)) if numbers else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the drill manages its own PostgreSQL cluster: run it as root")

    ensure_cluster()
    prepare(args.users)
    log = open(ROOT / "bench" / "drill-gunicorn.log", "w")  # noqa: SIM115
    gunicorn = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "workshop.wsgi:application",
            "--bind",
            f"127.0.0.1:{HTTP_PORT}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=app_env(),
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.1)
        run = Run(args.seconds, args.requests)
        members = [Member(i, run) for i in range(args.users)]
        for member in members:
            member.sign_in()
        run.samples.clear()
        run.t0 = time.monotonic()
        threads = [threading.Thread(target=m.loop) for m in members]
        threads.append(threading.Thread(target=faults, args=(run, gunicorn)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.mark("end")
        report(run)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        log.close()
        sh("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, CLUSTER, "stop", check=False)


def report(run: Run) -> None:
    samples = run.samples
    ok = [s for s in samples if 200 <= s.status < 400]
    bad = [s for s in samples if not 200 <= s.status < 400]
    start = run.events["pg_restart_started"]
    ready = run.events["pg_ready"]
    # The outage: from the restart until the first good answer to a database page after it.
    after = [s for s in ok if s.started >= start and s.kind != "healthz"]
    recovered = min((s.started + s.seconds for s in after), default=run.events["end"])
    during = [s for s in samples if start <= s.started <= recovered]
    later = [s for s in samples if s.started > recovered + 1]
    out = {
        "requests": len(samples),
        "requests_per_s": round(len(samples) / run.events["end"], 1),
        "errors": len(bad),
        "p50_ms": round(percentile([s.seconds for s in samples], 0.50) * 1000, 1),
        "p95_ms": round(percentile([s.seconds for s in samples], 0.95) * 1000, 1),
        "p99_ms": round(percentile([s.seconds for s in samples], 0.99) * 1000, 1),
        "pg_restart_s": round(run.events["pg_restart_returned"] - start, 2),
        "pg_down_s": round(ready - start, 2),
        "recovered_after_restart_s": round(recovered - start, 2),
        "recovered_after_pg_ready_s": round(recovered - ready, 2),
        "requests_during_outage": len(during),
        "errors_during_outage": sum(1 for s in during if not 200 <= s.status < 400),
        "slowest_during_outage_ms": round(max((s.seconds for s in during), default=0) * 1000, 1),
        "errors_after_recovery": sum(1 for s in later if not 200 <= s.status < 400),
        "worker_killed_at_s": round(run.events.get("worker_killed", -1), 2),
    }
    kinds = Counter(f"{s.kind}:{s.status or s.error}" for s in bad)
    for name, value in out.items():
        print(f"{name}: {value}")  # noqa: T201
    for name, count in sorted(kinds.items()):
        print(f"error[{name}]: {count}")  # noqa: T201
    statuses_during = Counter(s.status or s.error for s in during)
    print(f"answers_during_outage: {dict(statuses_during)}")  # noqa: T201
    if os.environ.get("DRILL_TIMELINE"):
        for second in range(int(run.events["end"]) + 1):
            here = Counter(
                f"{s.kind}:{s.status or s.error}" for s in samples if int(s.started) == second
            )
            print(f"t={second}: {dict(sorted(here.items()))}")  # noqa: T201
        print(run.events)  # noqa: T201
    for name, value in check_orders(run).items():
        print(f"{name}: {value}")  # noqa: T201


if __name__ == "__main__":
    main()
