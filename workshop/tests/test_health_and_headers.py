from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_database_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_security_headers_on_every_response(client):
    response = client.get("/accounts/sign-in/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_htmx_served_locally_with_eval_off(client):
    html = client.get("/accounts/sign-in/").content.decode()
    assert '/static/js/htmx.min.js"' in html
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert "<script>" not in html and "style=" not in html


def _production_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "production-secret-key-that-is-long-and-random-1234567890",
        ALLOWED_HOSTS="workshop.example.com",
        CSRF_TRUSTED_ORIGINS="https://workshop.example.com",
        DJANGO_SETTINGS_MODULE="workshop.settings",
    )
    return env


def test_check_deploy_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["True", "True", "True", "Lax", "True", "True"], result.stderr


def test_production_refuses_missing_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_settings_default_to_production_when_debug_is_not_set():
    env = _production_env()
    del env["DEBUG"]
    result = _settings_in_subprocess(env)
    assert result.stdout.split() == ["False", "True", "True"], result.stderr
    del env["SECRET_KEY"]
    refused = _settings_in_subprocess(env)
    assert refused.returncode != 0
    assert "Environment variable SECRET_KEY is required." in refused.stderr


def test_debug_is_development_only_when_asked_for():
    env = {**_production_env(), "DEBUG": "1"}
    del env["SECRET_KEY"]
    result = _settings_in_subprocess(env)
    assert result.stdout.split() == ["True", "False", "False"], result.stderr


def test_the_image_is_production_and_make_run_is_development():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    env_block = re.search(r"^ENV (.*?)(?<!\\)$", dockerfile, re.MULTILINE | re.DOTALL)
    assert env_block and re.search(r"\bDEBUG=0\b", env_block.group(1))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: export DEBUG \?= 1$", makefile, re.MULTILINE)


def test_healthz_answers_probes_on_any_host_over_http(client, settings):
    settings.ALLOWED_HOSTS = ["workshop.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


def test_pages_vary_on_htmx_request(director_client):
    response = director_client.get("/")
    assert "HX-Request" in response.headers["Vary"]


def test_templates_carry_no_inline_script_style_or_handlers():
    """The CSP forbids them; catching them here is kinder than a blank button in production."""
    import re

    pattern = re.compile(r"style=|<script(?![^>]*\bsrc=)|\bon[a-z]+=\"|hx-on", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
