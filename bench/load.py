"""Load: gunicorn with production settings on 127.0.0.1, a counter's mix, 1/10/50 users.

Prints, for each number of concurrent users: requests/s, p50/p95/p99 (ms), errors (any
answer but the expected status, or a failed connection), and the same for the Work page
alone. Afterwards it checks that every order the load created exists exactly once (each
"+" submission carries its own marker in the problem, and a resubmission of the same
page must find the same order).

Bounded: each level stops at BENCH_LOAD_REQUESTS requests (default 20 per user, at least
200) or 60 s, whichever comes first; gunicorn is stopped by its pid at the end.

`bench/load.py --work` (or BENCH_LOAD_MIX=work): the Work page (Queue tab, 50 rows) alone,
every request, for its requests/s and p95 (issue 14's target: >= 150 req/s with 4 sync
workers on 2 cores, p95 <= 100 ms at 10 users, 0 errors).

The mix (per 100 requests): 40 Work page, 15 order card, 10 phone lookup, 15 search
(phone, name word, number, serial tail, model, text), 10 "+" pages with a new order
created, 10 the same "+" page submitted a second time (a double click: no new order).

Uses the data of bench/run.py (run it first, or this builds it): the same SQLite file
or BENCH_DATABASE_URL. Gunicorn: 4 sync workers (BENCH_WORKERS), port 8197
(BENCH_PORT). `--work` runs `hey` (Debian's package: `apt-get install hey`) when it is
installed, 2,000 requests a level (200 per user past 10); the mix, which fills and
submits forms, is Python threads with one keep-alive connection each.
"""

from __future__ import annotations

import html.parser
import http.client
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
os.environ.setdefault("BENCH_SQLITE_NAME", "workshop-bench-run.sqlite3")
PORT = int(os.environ.get("BENCH_PORT", "8197"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
LEVELS = [int(x) for x in os.environ.get("BENCH_LOAD_USERS", "1,10,50").split(",")]
BOUND_S = 60
RUN = uuid.uuid4().hex[:8]
SECRET = "bench-only-secret-key-bench-only-secret-key-0123456789"
WORK_ONLY = "--work" in sys.argv or os.environ.get("BENCH_LOAD_MIX") == "work"


class Form(html.parser.HTMLParser):
    """The fields of the page's form whose action is `action` (names and values)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self._select = action, False, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (
                a.get("action", "") in ("", self.action) and a.get("method", "").lower() == "post"
            )
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self.fields.setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif (
            tag == "option"
            and self._select
            and (self._select not in self.fields or "selected" in a)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


def django_env(database_url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "BENCH_STATIC_ROOT": static_root,
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{PORT}",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }


def prepare():
    """Data (run.py's builder), a signed-in session per bench user, and the URLs."""
    sys.path.insert(0, str(HERE))
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", SECRET)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    from common import setup_django

    setup_django()
    from django.conf import settings
    from django.test import Client as HttpClient
    from django_scopes import scopes_disabled
    from run import LARGE, build_all

    from orders.models import Client, Device, Order

    sites, _directories = build_all()
    workshop, director, last = sites[LARGE]
    with scopes_disabled():
        if not director.user.pin_hash:
            director.user.set_pin("1234")
            director.user.save()
        http = HttpClient()
        http.force_login(director.user)
        session = http.cookies[settings.SESSION_COOKIE_NAME].value
        clients = list(Client.objects.filter(workshop=workshop).order_by("-id")[:200])
        devices = {d.client_id: d for d in Device.objects.filter(client__in=clients)}
        numbers = list(
            Order.objects.filter(workshop=workshop)
            .order_by("-id")
            .values_list("number", flat=True)[:200]
        )
    searches = [
        *(c.phone for c in clients[:20]),
        "Клиент 5",
        *(str(n) for n in numbers[:20]),
        *(devices[c.pk].serial[-7:] for c in clients[:20] if c.pk in devices),
        "iPhone",
        "экран",
    ]
    return settings.DATABASES["default"], workshop, session, clients, numbers, searches


class User(threading.Thread):
    def __init__(self, level, deadline, budget, session, data, results, lock):
        super().__init__(daemon=True)
        self.deadline, self.budget, self.session = deadline, budget, session
        self.data, self.results, self.lock = data, results, lock
        self.rng = random.Random()
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def request(self, method, path, body=None, expect=(200,)):
        headers = {"Cookie": f"sessionid={self.session}", "Host": f"127.0.0.1:{PORT}"}
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{PORT}"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
            headers["Cookie"] += f"; csrftoken={self.csrf}"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            answer = self.conn.getresponse()
            content = answer.read()
            status = answer.status
            location = answer.getheader("Location", "")
            cookie = answer.getheader("Set-Cookie", "") or ""
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            status, content, location, cookie = 0, b"", "", ""
        elapsed = (time.perf_counter() - start) * 1000
        if "csrftoken=" in cookie:
            self.csrf = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
        return status, content, location, elapsed, status in expect

    def record(self, kind, elapsed, ok):
        with self.lock:
            self.results.append((kind, elapsed, ok))

    def run(self):
        clients, numbers, searches = self.data
        self.csrf = ""
        while time.monotonic() < self.deadline:
            with self.lock:
                if self.budget[0] <= 0:
                    return
                self.budget[0] -= 1
            roll = 0.0 if WORK_ONLY else self.rng.random()
            if roll < 0.40:
                *_, elapsed, ok = self.request("GET", "/orders/?tab=queue")
                self.record("work", elapsed, ok)
            elif roll < 0.55:
                n = self.rng.choice(numbers)
                *_, elapsed, ok = self.request("GET", f"/orders/{n}/")
                self.record("card", elapsed, ok)
            elif roll < 0.65:
                phone = urllib.parse.quote(self.rng.choice(clients).phone)
                *_, elapsed, ok = self.request("GET", f"/orders/lookup/?phone={phone}&kind=repair")
                self.record("lookup", elapsed, ok)
            elif roll < 0.80:
                q = urllib.parse.quote(self.rng.choice(searches))
                *_, elapsed, ok = self.request("GET", f"/orders/?q={q}")
                self.record("search", elapsed, ok)
            else:
                self.create_order()

    def create_order(self):
        path = "/orders/new/repair/"
        status, content, _loc, elapsed, ok = self.request("GET", path)
        self.record("new_page", elapsed, ok)
        if not ok:
            return
        form = Form(path)
        form.feed(content.decode())
        fields = form.fields
        marker = f"load-{RUN}-{uuid.uuid4().hex[:12]}"
        i = self.rng.randrange(10**6)
        fields.update(
            phone=f"+7999{i:07d}",
            name=f"Нагрузка {i}",
            device_type="Смартфон",
            problem=marker,
        )
        fields.pop("client_id", None)
        fields.pop("device_id", None)
        self.csrf = self.csrf or fields.get("csrfmiddlewaretoken", "")
        for attempt in ("create", "resubmit"):
            status, content, location, elapsed, ok = self.request(
                "POST", path, body=fields, expect=(302,)
            )
            self.record(attempt, elapsed, ok and "/orders/" in location)
            with self.lock:
                self.created.setdefault(marker, []).append(location if ok else f"{status}")
            if not ok:
                return


def percentile(ordered, q):
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def say(name, value):
    text = f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}"
    print(text, flush=True)  # noqa: T201


def main():
    for line in __doc__.split("\n\n")[1:3]:
        for text in line.splitlines():
            print(f"# {text}", flush=True)  # noqa: T201
    database, workshop, session, clients, numbers, searches = prepare()
    from django.db import connection

    url = os.environ["DATABASE_URL"]
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = django_env(url, static_root)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=env, check=True, cwd=ROOT,
    )  # fmt: skip
    pidfile = Path(tempfile.gettempdir()) / f"bench-load-{PORT}.pid"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")), "workshop.wsgi:application",
            "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{PORT}", "--pid", str(pidfile),
            "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /healthz")
        say("database", connection.vendor)
        say("workers", WORKERS)
        say("mix", "work page only" if WORK_ONLY else "counter")
        created: dict[str, list[str]] = {}
        if WORK_ONLY and shutil.which("hey"):
            for users in LEVELS:
                hey_level(users, session)
            return
        for users in LEVELS:
            budget = [int(os.environ.get("BENCH_LOAD_REQUESTS", max(200, 20 * users)))]
            results: list = []
            lock = threading.Lock()
            started = time.monotonic()
            deadline = started + BOUND_S
            threads = [
                User(users, deadline, budget, session, (clients, numbers, searches), results, lock)
                for _ in range(users)
            ]
            for t in threads:
                t.created = created
                t.start()
            for t in threads:
                t.join(BOUND_S + 35)
            took = time.monotonic() - started
            times = sorted(r[1] for r in results)
            work = sorted(r[1] for r in results if r[0] == "work")
            errors = sum(1 for r in results if not r[2])
            say(f"load_{users}_requests", len(results))
            say(f"load_{users}_seconds", took)
            say(f"load_{users}_rps", len(results) / took)
            for q, name in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
                say(f"load_{users}_{name}_ms", percentile(times, q))
            say(f"load_{users}_work_p50_ms", percentile(work, 0.5))
            say(f"load_{users}_work_p95_ms", percentile(work, 0.95))
            say(f"load_{users}_errors", errors)
        check_created(workshop, created)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def hey_level(users: int, session: str) -> None:
    """The Work page alone through `hey` (a compiled load tool, apt install hey): the
    client's own CPU stays off the two cores the server has, which a Python client's
    threads are not."""
    count = int(os.environ.get("BENCH_LOAD_REQUESTS", max(2000, 200 * users)))
    out = subprocess.run(
        [
            # A redirect (to sign-in or the lock screen) is an error, not a Work page.
            "hey", "-n", str(count), "-c", str(users), "-t", "20", "-disable-redirects",
            "-H", f"Cookie: sessionid={session}",
            f"http://127.0.0.1:{PORT}/orders/?tab=queue",
        ],
        capture_output=True, text=True, check=True, timeout=BOUND_S * 3,
    ).stdout  # fmt: skip
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    say("load_tool", "hey")
    say(f"load_{users}_requests", count)
    say(f"load_{users}_rps", float(rps.group(1)) if rps else "?")
    for q in ("50", "95", "99"):
        found = re.search(rf"\s{q}% in ([\d.]+) secs", out)
        say(f"load_{users}_work_p{q}_ms", float(found.group(1)) * 1000 if found else "?")
    ok = sum(int(n) for n in re.findall(r"\[200\]\s+(\d+) responses", out))
    say(f"load_{users}_errors", count - ok)


def check_created(workshop, created):
    """Every marker: one order, and both submissions of its page led to that order."""
    from django_scopes import scopes_disabled

    from orders.models import Order

    with scopes_disabled():
        found = {}
        for problem, number in Order.objects.filter(
            workshop=workshop, problem__startswith=f"load-{RUN}-"
        ).values_list("problem", "number"):
            found.setdefault(problem, []).append(number)
    duplicated = sum(1 for numbers in found.values() if len(numbers) > 1)
    lost = sum(
        1
        for marker, answers in created.items()
        if marker not in found and any("/orders/" in a for a in answers)
    )
    split = sum(
        1 for answers in created.values() if len({a for a in answers if "/orders/" in a}) > 1
    )
    say("orders_created", len(found))
    say("orders_duplicated", duplicated)
    say("orders_lost", lost)
    say("resubmits_sent_elsewhere", split)


if __name__ == "__main__":
    main()
