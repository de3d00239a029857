"""A test-only app that writes to order journals the way the cash desk and documents do.

Registered by the `journal_extension` fixture of orders/tests/test_journal.py, never in
settings: it proves the open journal, not a feature.
"""

from __future__ import annotations

from django.utils.html import format_html

from orders import journal

PRINTED = "journalext.printed"
PAYMENT = "journalext.payment"


def _printed(entry) -> str:
    return format_html("printed the document <q>{}</q>", entry.subject)


def register() -> None:
    journal.register_action(PRINTED, "printed a document", describe=_printed)
    journal.register_action(PAYMENT, "took a payment")


def unregister() -> None:
    for name in (PRINTED, PAYMENT):
        journal.unregister_action(name)
