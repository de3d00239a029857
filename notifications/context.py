"""A message's sandbox context: the documents' context of the order (the same
functional variables), plus what only messages have: the branch's opening hours."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from documents import variables
from documents.context import order_context
from orders import display

GROUPS = tuple(variables.GROUPS)
EXTRA = [("branch.hours", "opening hours")]


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
    context.setdefault("today", timezone.localdate().isoformat())
    return context
