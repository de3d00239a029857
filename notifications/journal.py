"""The order journal's lines written by notifications."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import display
from orders.journal import register_action


def _amount(raw: str) -> str:
    try:
        return display.format_value(Decimal(raw))
    except (InvalidOperation, TypeError):
        return raw


def _approved(entry):
    return format_html(
        "{} <q>{}</q> (IP {})",
        gettext("the client approved the estimate on the status page"),
        _amount(entry.new_value),
        entry.subject or "—",
    )


def _sent(entry):
    return format_html(
        "{} <q>{}</q>", gettext("sent the estimate to the client"), _amount(entry.new_value)
    )


def register() -> None:
    register_action("notifications.estimate_sent", _("sent the estimate"), describe=_sent)
    register_action(
        "notifications.estimate_approved", _("the client approved the estimate"), describe=_approved
    )
