"""Settings of the test suite (pytest.ini): the development configuration, always.

workshop/settings.py reads DEBUG when it is imported and defaults to production, which
redirects every request to HTTPS and wants a real key. Tests run the development set-up
whatever the shell exports; the production settings are tested in subprocesses
(workshop/tests/test_health_and_headers.py). pytest-django still runs each test with
settings.DEBUG = False, as Django's test runner does.
"""

import os

os.environ["DEBUG"] = "1"
# Production cuts a PostgreSQL statement at 15 s; the suite's race tests wait on row
# locks on purpose, so on a busy machine they get more room (a hang still ends).
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "120000")

from workshop.settings import *  # noqa: E402, F403

# Tasks run inside the request, so tests see their effects (mail.outbox) at once; the
# tests of the queue itself switch to the database backend and run the worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The rate limits count in the process-wide cache, which tests do not clear; their own
# tests (workshop/tests/test_limits.py) put the production values back.
RATE_LIMITS_IN_PRODUCTION = RATE_LIMITS  # noqa: F405
RATE_LIMITS = {}

# Production caches pieces of the page chrome (settings.CACHES["fragments"]; DEBUG turns
# it off for `make run`): the suite caches them as production does, so a piece missing
# something from its key shows in the tests of the pages that differ by it.
CACHES["fragments"]["BACKEND"] = "django.core.cache.backends.locmem.LocMemCache"  # noqa: F405
