"""Backup and restore times for a 100k-order workshop (and the demo), as `name: value`.

bench/bench_backup.py                                   # SQLite
BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_backup bench/bench_backup.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import setup_django  # noqa: E402

N = int(os.environ.get("BENCH_ORDERS", "100000"))


def main() -> None:
    os.environ.setdefault("BENCH_SQLITE_NAME", "workshop-bench-backup.sqlite3")
    setup_django()
    from django.db import connection
    from django_scopes import scopes_disabled

    from bench.bench_orders import build
    from workshop import backup

    started = time.monotonic()
    with scopes_disabled():
        build("Backup bench", N)
    print(f"build_{N}_orders_s: {time.monotonic() - started:.1f}")  # noqa: T201
    rows = sum(backup.row_counts(connection.settings_dict).values())
    print(f"rows: {rows}")  # noqa: T201

    directory = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    result = backup.backup(directory)
    print(f"backup_s: {result.seconds:.2f}")  # noqa: T201
    print(f"backup_mb: {result.size / 1_000_000:.1f}")  # noqa: T201

    target = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        target["NAME"] = str(directory / "restored.sqlite3")
        print(f"database_mb: {Path(connection.settings_dict['NAME']).stat().st_size / 1e6:.1f}")  # noqa: T201
    else:
        import psycopg

        target["NAME"] = f"{connection.settings_dict['NAME']}_restored"
        admin = backup._connect_kwargs({**target, "NAME": "postgres"})
        with psycopg.connect(**admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
            pg.execute(f'CREATE DATABASE "{target["NAME"]}"')
    seconds = backup.restore(result.path, target)
    print(f"restore_s: {seconds:.2f}")  # noqa: T201
    same = backup.row_counts(target) == backup.row_counts(connection.settings_dict)
    print(f"row_counts_identical: {same}")  # noqa: T201
    if connection.vendor != "sqlite":
        with psycopg.connect(**admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
