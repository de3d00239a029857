"""Backups of the database: SQLite through its online backup API, PostgreSQL with pg_dump.

A backup is one file in BACKUP_DIR named workshop-<vendor>-<UTC time>.<ext>, written
under a temporary name and renamed when complete, so a crash never leaves a file that
looks like a backup. Restoring goes into an empty database only: nothing is overwritten.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections
from django.db.backends.sqlite3._functions import register as register_django_functions

NAME = re.compile(r"^workshop-(sqlite|postgresql)-(\d{8}T\d{6}Z)\.(sqlite3\.gz|pgdump)$")
EXTENSIONS = {"sqlite": "sqlite3.gz", "postgresql": "pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Result:
    path: Path
    seconds: float
    size: int


def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def backup(directory: Path, *, using: str = "default", now: datetime | None = None) -> Result:
    """Write a consistent backup of the database into directory and return it."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in EXTENSIONS:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"workshop-{vendor}-{_stamp(now)}.{EXTENSIONS[vendor]}"
    partial = path.with_name(path.name + ".part")
    started = time.monotonic()
    try:
        if vendor == "sqlite":
            _backup_sqlite(connection, partial)
        else:
            _run(
                ["pg_dump", "--format=custom", "--compress=6", "--file", str(partial)],
                connection.settings_dict,
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Result(path, time.monotonic() - started, path.stat().st_size)


def _backup_sqlite(connection, partial: Path) -> None:
    # The online backup API copies a consistent snapshot while the app keeps writing
    # (WAL: readers do not block writers); a plain file copy could tear a page.
    connection.ensure_connection()
    snapshot = partial.with_name(partial.name + ".db")
    target = sqlite3.connect(snapshot)
    try:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
    try:
        with open(snapshot, "rb") as source, gzip.open(partial, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    finally:
        snapshot.unlink(missing_ok=True)


def restore(path: Path, settings_dict: dict) -> float:
    """Restore the backup into the (empty) database of settings_dict; return seconds."""
    match = NAME.match(path.name)
    if not match:
        raise BackupError(f"{path.name} is not a backup written by `manage.py backup`.")
    vendor = match.group(1)
    engine_vendor = "sqlite" if "sqlite" in settings_dict["ENGINE"] else "postgresql"
    if vendor != engine_vendor:
        raise BackupError(f"{path.name} is a {vendor} backup; this database is {engine_vendor}.")
    started = time.monotonic()
    if vendor == "sqlite":
        _restore_sqlite(path, Path(settings_dict["NAME"]))
    else:
        if table_count(settings_dict):
            raise BackupError(
                f"Database {settings_dict['NAME']!r} is not empty: restore into a new database "
                "(createdb) so nothing is overwritten."
            )
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                str(path),
            ],
            settings_dict,
        )
    return time.monotonic() - started


def _restore_sqlite(path: Path, target: Path) -> None:
    in_memory = str(target).startswith("file:")
    if (in_memory or target.exists()) and table_count({"ENGINE": "sqlite3", "NAME": str(target)}):
        raise BackupError(f"{target} is not empty: move it away first, nothing is overwritten.")
    if in_memory:
        raise BackupError("An in-memory database cannot be restored into; name a file.")
    partial = target.with_name(target.name + ".restoring")
    try:
        with gzip.open(path, "rb") as source, open(partial, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        check = sqlite3.connect(partial)
        # The schema's constraints may call the functions Django adds to SQLite (REVERSE...).
        register_django_functions(check)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path.name} does not hold a sound database.")
        finally:
            check.close()
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _run(command: list[str], settings_dict: dict) -> None:
    env = {**os.environ, **_pg_env(settings_dict)}
    if command[0] == "pg_dump":
        command = [*command, settings_dict["NAME"]]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (postgresql-client).") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()}") from exc


def _pg_env(settings_dict: dict) -> dict[str, str]:
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
    }
    return {key: str(value) for key, value in pairs.items() if value}


def _connect(settings_dict: dict):
    if "sqlite" in settings_dict["ENGINE"]:
        # A plain connection (Django's converts columns to Python types) and the shared
        # in-memory database of the test suite, named by URI.
        name = str(settings_dict["NAME"])
        return sqlite3.connect(name, uri=name.startswith("file:")), "sqlite"
    import psycopg

    return psycopg.connect(**_connect_kwargs(settings_dict)), "postgresql"


def _connect_kwargs(settings_dict: dict) -> dict:
    return {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }


def tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row[0] for row in cursor.fetchall())


def table_count(settings_dict: dict) -> int:
    connection, vendor = _connect(settings_dict)
    try:
        return len(tables(connection.cursor(), vendor))
    finally:
        connection.close()


def row_counts(settings_dict: dict) -> dict[str, int]:
    connection, vendor = _connect(settings_dict)
    try:
        cursor = connection.cursor()
        counts = {}
        for table in tables(cursor, vendor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - catalogue names
            counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        connection.close()


def fingerprint_cursor(cursor, vendor: str) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a SHA-256 of its rows in a fixed order."""
    result = {}
    for table in tables(cursor, vendor):
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
        rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        result[table] = (len(rows), digest)
    return result


def fingerprint(settings_dict: dict) -> dict[str, tuple[int, str]]:
    connection, vendor = _connect(settings_dict)
    try:
        return fingerprint_cursor(connection.cursor(), vendor)
    finally:
        connection.close()


def prune(directory: Path, *, daily: int, weekly: int) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days and `weekly` ISO weeks."""
    found = []
    for path in directory.iterdir():
        if match := NAME.match(path.name):
            found.append((datetime.strptime(match.group(2), "%Y%m%dT%H%M%SZ"), path))
    found.sort(reverse=True)
    keep: set[Path] = set()
    days: dict = {}
    weeks: dict = {}
    for when, path in found:
        days.setdefault(when.date(), path)
        weeks.setdefault(when.isocalendar()[:2], path)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    removed = [path for _when, path in found if path not in keep]
    for path in removed:
        path.unlink()
    return removed
