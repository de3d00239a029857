"""bench/load.py's gunicorn: the production settings with static files collected into a
temporary folder (BENCH_STATIC_ROOT), so the load never writes into the work tree, and
no per-member rate limits: every virtual user shares one signed-in member (one session
per member), so the limits would throttle 50 users as if they were one person typing."""

import os

from workshop.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
RATE_LIMITS: dict = {}
