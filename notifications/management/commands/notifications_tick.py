"""Queue the due reminders and send the messages whose time has come (cron or a timer,
every few minutes: `manage.py notifications_tick`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Queue due reminders and send the messages that are due."

    def handle(self, *args, **options) -> None:
        done = services.tick()
        self.stdout.write(f"reminders: {done['reminders']}, messages tried: {done['tried']}")
