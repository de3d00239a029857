"""Backup and restore: the drill on the demo workshop, refusals, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from workshop import backup

pytestmark = pytest.mark.django_db(transaction=True)

# The demo has them all; the drill fails if any of them came back empty.
MUST_HAVE_ROWS = [
    "orders_order",
    "orders_orderline",
    "orders_historicalorder",
    "cashdesk_cashentry",
    "warehouse_movement",
]


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same engine as the suite's, dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings_dict
        return
    import psycopg

    name = f"{settings_dict['NAME']}_restore_drill"
    admin = {**settings_dict, "NAME": "postgres"}
    with psycopg.connect(**backup._connect_kwargs(admin), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    settings_dict["NAME"] = name
    yield settings_dict
    with psycopg.connect(**backup._connect_kwargs(admin), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore_drill_gives_identical_tables(tmp_path, fresh_database):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = backup.fingerprint(connection.settings_dict)
    assert all(before[table][0] > 0 for table in MUST_HAVE_ROWS), before

    result = backup.backup(tmp_path / "backups")
    assert backup.NAME.match(result.path.name)
    assert list((tmp_path / "backups").iterdir()) == [result.path]  # no partial file left
    backup.restore(result.path, fresh_database)

    after = backup.fingerprint(fresh_database)
    assert after == before


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    result = backup.backup(tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(result.path))


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    stray = tmp_path / "dump.sql"
    stray.write_text("DROP TABLE orders_order;")
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(stray))


def test_backup_command_writes_and_prunes(tmp_path, settings):
    settings.BACKUP_KEEP_DAILY = 1
    settings.BACKUP_KEEP_WEEKLY = 1
    old = tmp_path / f"workshop-{connection.vendor}-20200106T030000Z.x"
    old.write_text("not ours by name: kept")
    call_command("backup", "--dir", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    [written] = [p for p in tmp_path.iterdir() if backup.NAME.match(p.name)]
    assert written.stat().st_size > 0
    assert old.exists()


def _touch(directory: Path, when: datetime) -> Path:
    path = directory / f"workshop-sqlite-{when:%Y%m%dT%H%M%SZ}.sqlite3.gz"
    path.write_bytes(b"")
    return path


def test_prune_keeps_seven_daily_and_four_weekly(tmp_path):
    # Two backups a day for 60 days, newest first.
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    paths = [_touch(tmp_path, start - timedelta(hours=12 * n)) for n in range(120)]
    removed = backup.prune(tmp_path, daily=7, weekly=4)
    kept = sorted((p for p in paths if p.exists()), reverse=True)
    # The newest of each of the last 7 days (the 23:00 ones) ...
    assert kept[:7] == [paths[2 * n] for n in range(7)]
    # ... and of each of the 4 newest ISO weeks: 30 Nov (a Monday) and 29 Nov are among
    # the days, 22 and 15 Nov are added.
    assert [p.name[16:24] for p in kept[7:]] == ["20261122", "20261115"]
    assert len(removed) == 111
