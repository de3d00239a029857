"""Extension points of the order card: panels and actions other apps plug in.

Orders never imports the cash desk, documents or warehouse. Those apps call
`register_card_slot()` from their `AppConfig.ready()`, and the card renders every
slot the member may see with one loop per position:

- ``HEAD``: actions beside the status buttons (the cash desk's "Issue and take
  payment", which replaces the plain "→ Issued" move it guards in orders.workflow);
- ``SIDE``: panels in the side column, above the journal (payments made on the order);
- ``field(name)``: right under one field of the card form (a print button under the
  diagnosis once the diagnostic report can be printed).

A slot is a template (a name, or a compiled template object with `.render(context,
request)`) and a `context(order, request)` callable. The callable returns the
template's context, or None to show nothing for this order (the document whose data
is missing has no button). Slots are re-rendered with the card's in-place saves and
line changes, so a button appears as soon as the field that enables it is saved.

Keep the callables cheap: they run on every card render. A slot that needs rows of
its own app reads them with one query keyed by the order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accounts.permissions import PERMISSIONS, role_can

HEAD = "head"
SIDE = "side"
_FIELD = "field:"


def field(name: str) -> str:
    """The position right under the card form's field `name`."""
    return _FIELD + name


@dataclass(frozen=True)
class CardSlot:
    name: str  # namespaced: "cashdesk.payments"
    position: str
    template: Any
    context: Callable[[Any, Any], dict | None]
    permission: str | None = None
    weight: int = 100  # lower comes first within a position


_SLOTS: dict[str, CardSlot] = {}


def register_card_slot(
    name: str,
    *,
    position: str,
    template: Any,
    context: Callable[[Any, Any], dict | None],
    permission: str | None = None,
    weight: int = 100,
) -> CardSlot:
    """Add (or replace, by name) a panel or action on the order card."""
    if "." not in name:
        raise ValueError(f"Card slot {name!r} needs an app prefix, e.g. 'cashdesk.payments'.")
    if position not in (HEAD, SIDE) and not position.startswith(_FIELD):
        raise ValueError(f"Unknown card position {position!r}.")
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; add it to accounts/permissions.py.")
    slot = CardSlot(name, position, template, context, permission, weight)
    _SLOTS[name] = slot
    return slot


def unregister_card_slot(name: str) -> None:
    _SLOTS.pop(name, None)


def card_slots() -> list[CardSlot]:
    return sorted(_SLOTS.values(), key=lambda s: (s.weight, s.name))


class RenderedSlots:
    """The rendered slots of one card: `.head`, `.side`, and `.fields[name]`."""

    def __init__(self) -> None:
        self.head: list[SafeString] = []
        self.side: list[SafeString] = []
        self.fields: dict[str, list[SafeString]] = defaultdict(list)

    def after(self, field_name: str) -> list[SafeString]:
        return self.fields.get(field_name, [])


def render_card_slots(order, request) -> RenderedSlots:
    """Render every slot the member may see for `order`, grouped by position."""
    rendered = RenderedSlots()
    role = request.membership.role if request.membership else None
    for slot in card_slots():
        if slot.permission and not role_can(role, slot.permission):
            continue
        ctx = slot.context(order, request)
        if ctx is None:
            continue
        ctx = {"order": order, **ctx}
        if isinstance(slot.template, str):
            html = render_to_string(slot.template, ctx, request=request)
        else:
            html = slot.template.render(ctx, request)
        html = mark_safe(html)  # noqa: S308 -- our own autoescaped template output
        if slot.position == HEAD:
            rendered.head.append(html)
        elif slot.position == SIDE:
            rendered.side.append(html)
        else:
            rendered.fields[slot.position.removeprefix(_FIELD)].append(html)
    return rendered
