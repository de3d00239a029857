"""WeasyPrint reads nothing but our static files and data: images: a local listener
records any request that gets out."""

from __future__ import annotations

import base64
import http.server
import threading
from pathlib import Path

import pytest

from documents.engine import api
from documents.engine.pdf import html_to_pdf
from documents.engine.pool import WorkerPool

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STATIC_ROOTS = [str(ROOT / "static"), str(ROOT / "documents" / "static")]
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b5d0b80000000049454e44ae426082"
    )
).decode()


@pytest.fixture
def listener():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 -- the http.server API
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def hostile_page(base: str) -> str:
    return f"""<!doctype html><html><head>
    <link rel="stylesheet" href="{base}/sheet.css">
    <link rel="stylesheet" href="/static/documents/paper.css">
    <style>
      @import url("{base}/import.css");
      @font-face {{ font-family: Evil; src: url({base}/font.woff); }}
      body {{ background: url({base}/background.png); font-family: Evil; }}
    </style></head><body>
    <p>Квитанция</p>
    <img src="{base}/image.png"><img src="{base}/redirect">
    <img src="file:///etc/passwd"><img src="/static/../../../../etc/passwd">
    <img src="//127.0.0.1:1/x.png"><img src="relative.png">
    <img src="data:image/png;base64,{PIXEL}">
    <iframe src="{base}/frame"></iframe><object data="{base}/object"></object>
    </body></html>"""


def test_pdf_makes_no_request_in_process(listener):
    base, hits = listener
    data, refused = html_to_pdf(hostile_page(base), STATIC_ROOTS)
    assert data.startswith(b"%PDF")
    assert hits == []
    assert any(url.startswith(base) for url in refused)
    assert "file:///etc/passwd" in refused


def test_pdf_makes_no_request_from_the_worker(listener):
    base, hits = listener
    pool = WorkerPool(static_roots=STATIC_ROOTS)
    try:
        answer = pool.run({"op": "pdf", "page": hostile_page(base)}, 10)
    finally:
        pool.close()
    assert base64.b64decode(answer["pdf"]).startswith(b"%PDF")
    assert hits == []
    assert f"{base}/image.png" in answer["refused"]


def test_pdf_of_a_sanitised_hostile_template_requests_nothing(listener):
    base, hits = listener
    source = (
        f'<p style="background: url({base}/style.png)">x</p><img src="{base}/img.png">'
        f'<link rel="stylesheet" href="{base}/a.css"><img src=x onerror=alert(1)>'
    )
    body = api.render(source, {})["html"]
    data, refused = html_to_pdf(f"<html><body>{body}</body></html>", STATIC_ROOTS)
    assert data.startswith(b"%PDF")
    assert (hits, refused) == ([], [])  # nothing outside was even left to refuse


def test_pdf_reads_our_static_stylesheet_and_data_images():
    page = (
        '<html><head><link rel="stylesheet" href="/static/documents/paper.css"></head>'
        f'<body><img src="data:image/png;base64,{PIXEL}"></body></html>'
    )
    data, refused = html_to_pdf(page, STATIC_ROOTS)
    assert data.startswith(b"%PDF")
    assert refused == []
