"""Browser tests: the app on a live server, driven by Playwright in Debian's Chromium.

Never downloads a browser. Without /usr/bin/chromium the tests skip on a
developer's machine, but under CI=true a missing browser is an error.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


# The live server shares the test's one in-memory SQLite connection with every request
# thread; two threads on it at once (a page and its htmx requests) deadlocked a CI run.
# One request at a time: Django's handler answers "Connection: close" when the server is
# not threaded, so a kept-alive browser connection never starves the next one.
class _OneAtATimeServer(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        # Requests run in the live server's own thread, which already uses the overrides.
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _OneAtATimeServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Chromium is required in CI but was not found at {CHROMIUM}")
        pytest.skip(f"No Chromium at {CHROMIUM}; install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def new_page(browser, request, console_errors):
    """Open pages in fresh contexts; screenshot each of them if the test fails."""
    pages = []

    def open_page(locale: str = "en-US"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda msg: console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        pages.append(page)
        return page

    yield open_page
    failed = getattr(request.node, "report_call", None)
    for index, page in enumerate(pages):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"{request.node.name}-{index}.png"), full_page=True
            )
        page.context.close()


@pytest.fixture
def page(new_page):
    return new_page()
