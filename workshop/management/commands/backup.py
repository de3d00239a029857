"""Write a backup of the database into BACKUP_DIR and prune old ones."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshop import backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API, gzip; PostgreSQL: pg_dump custom "
        "format) into BACKUP_DIR, then keep the newest of each of the last BACKUP_KEEP_DAILY "
        "days and BACKUP_KEEP_WEEKLY weeks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Default: BACKUP_DIR.")
        parser.add_argument("--no-prune", action="store_true", help="Keep every backup.")

    def handle(self, *args, dir: Path | None, no_prune: bool, **options) -> None:
        directory = dir or Path(settings.BACKUP_DIR)
        try:
            result = backup.backup(directory)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup: {result.path} ({result.size / 1_000_000:.1f} MB, {result.seconds:.1f} s)"
        )
        if not no_prune:
            removed = backup.prune(
                directory, daily=settings.BACKUP_KEEP_DAILY, weekly=settings.BACKUP_KEEP_WEEKLY
            )
            for path in removed:
                self.stdout.write(f"removed: {path.name}")
