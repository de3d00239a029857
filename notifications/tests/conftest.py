from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from notifications import sms
from orders import services as orders_services
from orders.workflow import Kind


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    settings.PUBLIC_BASE_URL = "https://status.example"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox):
    return _sms_outbox


@pytest.fixture
def order(workshop, branch, manager):
    """A repair of a client with a mobile phone and an e-mail."""
    return orders_services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "+79161234567", "name": "Ivan Petrov", "email": "ivan@example.com"},
        device_data={"device_type": "Laptop", "brand": "Lenovo", "model": "IdeaPad 5"},
        order_data={"problem": "Does not power on", "notes": "Secret staff note"},
    )


class FakeSmsRu:
    """A local stand-in for SMS.ru's /sms/send: records each request and answers from a
    script of responses (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, object, float]] = [(200, "ok", 0.0)]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/sms/send"

    def answer(self, *items) -> None:
        self.script = list(items)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(fields)
                index = min(len(fake.requests) - 1, len(fake.script) - 1)
                status, body, delay = fake.script[index]
                if delay:
                    threading.Event().wait(delay)
                if body == "ok":
                    body = {
                        "status": "OK",
                        "status_code": 100,
                        "sms": {
                            fields.get("to", ""): {
                                "status": "OK",
                                "status_code": 100,
                                "sms_id": f"000-{len(fake.requests)}",
                            }
                        },
                        "balance": 100.5,
                    }
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_smsru(settings):
    with FakeSmsRu() as fake:
        settings.SMS_BACKEND = "notifications.sms.SmsRuBackend"
        settings.SMSRU_API_ID = "test-key"
        settings.SMSRU_FROM = "Workshop"
        settings.SMSRU_URL = fake.url
        settings.SMS_TIMEOUT = 0.5
        yield fake
