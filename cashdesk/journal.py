"""The cash desk's lines in the order journal: one per user action, in the reader's words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cashdesk.models import Method
from orders.journal import register_action
from workshop.lib.money import format_money

ACTIONS = {
    "cashdesk.payment": _("took a payment"),
    "cashdesk.prepayment": _("took a prepayment"),
    "cashdesk.field_payment": _("took cash on site"),
    "cashdesk.refund": _("made a refund"),
    "cashdesk.reversal": _("reversed a cash entry"),
    "cashdesk.expense": _("recorded an expense for the order"),
    "cashdesk.debt": _("issued the order with a debt"),
}


def split_display(raw: str) -> str:
    """ "cash 3000.00, card 1200.00" as the reader reads it: "Cash 3 000,00, Card 1 200,00"."""
    parts = []
    for part in (raw or "").split(", "):
        method, _sep, amount = part.partition(" ")
        try:
            label = Method(method).label
            parts.append(f"{label} {format_money(Decimal(amount))}")
        except (ValueError, InvalidOperation):
            parts.append(part)
    return ", ".join(p for p in parts if p)


def _describe(entry) -> str:
    label = ACTIONS.get(entry.action, entry.action)
    if entry.action == "cashdesk.debt":
        try:
            amount = format_money(Decimal(entry.new_value))
        except InvalidOperation:
            amount = entry.new_value
        return format_html("{}: {}", label, amount)
    words = format_html("{}: {}", label, split_display(entry.new_value))
    if entry.subject:
        words = format_html("{} ({})", words, entry.subject)
    return words


def register() -> None:
    for name, label in ACTIONS.items():
        register_action(name, label, describe=_describe)
