from __future__ import annotations

from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    """The project package as an app: it owns cross-app commands such as seed_demo."""

    name = "workshop"
    verbose_name = "Workshop"
