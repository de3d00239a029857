"""A message's sandbox context: the documents' context of the order (the same
functional variables), plus what only messages have: the branch's opening hours."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone, translation

from documents import variables
from documents.context import order_context
from documents.words import amount_in_words
from orders import display

GROUPS = tuple(variables.GROUPS)
EXTRA = [("branch.hours", "opening hours")]
SAMPLE_TOTAL = Decimal("4700.00")  # the documents' sample order's total
SAMPLE_PREPAID = Decimal("1000.00")


def schema() -> dict:
    tree = variables.schema_for(GROUPS)
    tree["branch"]["hours"] = None
    return tree


def message_context(order, *, hours: str = "") -> dict:
    context = order_context(
        order,
        {"title": "", "number": str(order.number), "date": ""},
        payments_listed=False,
    )
    context["document"]["date"] = context["today"]
    context["branch"]["hours"] = hours
    if context["order"]["due"] in (display.format_value(Decimal("0.00")), ""):
        # Nothing owed prints nothing, so "[[Amount due: {order.due}]]" is cut.
        context["order"]["due"] = ""
    return context


def sample_message_context(workshop, *, hours: str = "") -> dict:
    from documents.samples import sample_context
    from documents.types import TYPES

    context = sample_context(workshop, next(iter(TYPES.values())))
    context["branch"]["hours"] = hours or "10:00–20:00"
    # The documents' sample is paid in full (a sales receipt), so "Ready: [[amount due
    # {order.due}]]" previewed as "amount due 0,00": a message's sample owes the rest
    # after a prepayment, as a ready repair does.
    paid, due = SAMPLE_PREPAID, SAMPLE_TOTAL - SAMPLE_PREPAID
    currency, lang = workshop.currency or "RUB", translation.get_language() or "ru"
    context["order"].update(
        paid=display.format_value(paid),
        paid_in_words=amount_in_words(paid, currency, lang),
        due=display.format_value(due),
    )
    context.setdefault("today", timezone.localdate().isoformat())
    return context
