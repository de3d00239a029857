"""Create (or bring up to date) the demo workshop. Safe to run twice."""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scope, scopes_disabled

from cashdesk.services import replaying_history

# Each app may have a `demo.seed(ctx)`; they run in the order of the app arrows.
DEMO_APPS = ["accounts", "directories", "orders", "cashdesk", "documents", "warehouse"]


class Command(BaseCommand):
    help = "Create the demo workshop with its director, branches, staff and sample data."

    def handle(self, *args, **options) -> None:
        ctx: dict = {}
        # replaying_history: orders' demo issues two orders with a plain move, as history
        # from before the cash desk; the cash desk's demo then records their money.
        with transaction.atomic(), scopes_disabled(), replaying_history():
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                workshop = ctx.get("workshop")
                if workshop is None:
                    module.seed(ctx)
                else:
                    with scope(workshop=workshop):
                        module.seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo workshop ready: {ctx['workshop'].name}"))
        for line in ctx.get("logins", []):
            self.stdout.write(f"  {line}")
