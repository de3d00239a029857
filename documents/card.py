"""The documents' buttons on the order card, plugged in through orders.extensions.

Each button sits under what enables it: the acceptance receipt and the device label
under the problem, the diagnostic report under the diagnosis (once it and the
diagnostic cost are filled), the sales receipt and the act under the lines, the
warranty card and the refusal sheet beside the status. A document whose data is
missing has no button. The facts behind them are read once per card render (one
query; two for an issued order), and the printed copies only for issued orders.
"""

from __future__ import annotations

from django.urls import reverse

from documents.context import facts_for
from documents.selectors import copies_for
from documents.types import TYPES, Facts
from orders import extensions
from orders.workflow import Status

_CACHE_ATTR = "_documents_facts"


def _facts(order, request) -> Facts:
    """Facts of this order version, shared by the slots of one card render."""
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE_ATTR, cache)
    key = (order.pk, order.version, order.status, order.lines_total)
    if key not in cache:
        cache[key] = facts_for(order)
    return cache[key]


def _buttons(order, request, place: str) -> list[dict]:
    facts = _facts(order, request)
    return [
        {
            "key": doc.key,
            "title": doc.title,
            "url": reverse(
                "documents:print_screen",
                kwargs={"order_number": order.number, "doc_type": doc.key},
            ),
        }
        for doc in TYPES.values()
        if doc.place == place and not doc.missing(facts)
    ]


def _slot(place: str):
    def context(order, request):
        if order.is_deleted:
            return None
        buttons = _buttons(order, request, place)
        return {"buttons": buttons, "place": place} if buttons else None

    return context


def _side(order, request):
    """Under the lines: the sales receipt and the act, and the copies kept as printed."""
    if order.is_deleted:
        return None
    buttons = _buttons(order, request, "lines")
    copies = copies_for(order) if order.status == Status.ISSUED else []
    if not buttons and not copies:
        return None
    return {"buttons": buttons, "place": "lines", "copies": copies}


def register() -> None:
    buttons = "documents/_card_buttons.html"
    for place in ("problem", "diagnosis"):
        extensions.register_card_slot(
            f"documents.{place}",
            position=extensions.field(place),
            template=buttons,
            context=_slot(place),
            permission="documents.print",
        )
    extensions.register_card_slot(
        "documents.head",
        position=extensions.HEAD,
        template=buttons,
        context=_slot("head"),
        permission="documents.print",
        weight=200,
    )
    extensions.register_card_slot(
        "documents.lines",
        position=extensions.SIDE,
        template="documents/_card_side.html",
        context=_side,
        permission="documents.print",
        weight=50,
    )
