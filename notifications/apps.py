"""Customers' messages (e-mail, SMS), the public order-status page and reminders.

An app of its own, downstream of both orders and documents: its message templates run
in the documents' sandbox and sanitiser, and orders may not import documents, so the
messages cannot live in orders; documents is about printing, not about sending.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import card, journal, today

        card.register()
        journal.register()
        today.register()
