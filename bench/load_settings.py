"""bench/load.py's gunicorn: the production settings with static files collected into a
temporary folder (BENCH_STATIC_ROOT), so the load never writes into the work tree."""

import os

from workshop.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
