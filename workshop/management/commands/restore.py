"""Restore a backup written by `manage.py backup` into an empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from workshop import backup


class Command(BaseCommand):
    help = (
        "Restore FILE into the configured database, which must be empty (a new PostgreSQL "
        "database from createdb; for SQLite, no file or an empty one). Stop the app and the "
        "worker first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        connection = connections["default"]
        connection.close()  # SQLite: the file is replaced underneath this connection
        try:
            seconds = backup.restore(file, connection.settings_dict)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = backup.row_counts(connection.settings_dict)
        rows = sum(counts.values())
        self.stdout.write(
            f"restored: {file.name} into {connection.settings_dict['NAME']} "
            f"({len(counts)} tables, {rows} rows, {seconds:.1f} s)"
        )
