"""Extension points of the order card: panels and actions other apps plug in.

Orders never imports the cash desk, documents or warehouse. Those apps call
`register_card_slot()` from their `AppConfig.ready()`, and the card renders every
slot the member may see with one loop per position:

- ``HEAD``: actions beside the status buttons (the cash desk's "Issue and take
  payment", which replaces the plain "→ Issued" move it guards in orders.workflow);
- ``SIDE``: panels in the side column, above the journal (payments made on the order);
- ``field(name)``: right under one field of the card form (a print button under the
  diagnosis once the diagnostic report can be printed).

Besides the card: `register_client_slot()` (a panel on the client card: the debts),
`register_work_column()` (a column of the Work list in given tabs: paid and due on the
Cash desk tab) and `register_intake_step()` (a small form on the "+" forms, saved in
the same transaction as the new order: a prepayment taken at intake).

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
    _check(name, permission)
    if position not in (HEAD, SIDE) and not position.startswith(_FIELD):
        raise ValueError(f"Unknown card position {position!r}.")
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
        html = _render(slot.template, {"order": order, **ctx}, request)
        if slot.position == HEAD:
            rendered.head.append(html)
        elif slot.position == SIDE:
            rendered.side.append(html)
        else:
            rendered.fields[slot.position.removeprefix(_FIELD)].append(html)
    return rendered


# ---------------------------------------------------------------- the client card

_CLIENT_SLOTS: dict[str, CardSlot] = {}


def register_client_slot(
    name: str,
    *,
    template: Any,
    context: Callable[[Any, Any], dict | None],
    permission: str | None = None,
    weight: int = 100,
) -> CardSlot:
    """Add (or replace) a panel on the client card; `context(client, request)`."""
    _check(name, permission)
    slot = CardSlot(name, SIDE, template, context, permission, weight)
    _CLIENT_SLOTS[name] = slot
    return slot


def unregister_client_slot(name: str) -> None:
    _CLIENT_SLOTS.pop(name, None)


def render_client_slots(client, request) -> list[SafeString]:
    role = request.membership.role if request.membership else None
    rendered = []
    for slot in sorted(_CLIENT_SLOTS.values(), key=lambda s: (s.weight, s.name)):
        if slot.permission and not role_can(role, slot.permission):
            continue
        ctx = slot.context(client, request)
        if ctx is not None:
            rendered.append(_render(slot.template, {"client": client, **ctx}, request))
    return rendered


# ---------------------------------------------------------------- the Work list


@dataclass(frozen=True)
class WorkColumn:
    name: str
    label: Any
    tabs: frozenset | None  # None: every tab and the search results
    values: Callable[[Any, list], dict]  # (request, orders) -> {order pk: text}
    permission: str | None = None
    weight: int = 100
    numeric: bool = False


_WORK_COLUMNS: dict[str, WorkColumn] = {}


def register_work_column(
    name: str,
    *,
    label: Any,
    values: Callable[[Any, list], dict],
    tabs=None,
    permission: str | None = None,
    weight: int = 100,
    numeric: bool = False,
) -> WorkColumn:
    """Add a column to the Work list. `values(request, rows)` gets the page's rows
    (`orders.selectors.WorkRow`: pk, number, kind, status, total, the ids; not model
    instances) and returns their cells by order pk: one query per page, never one per
    row."""
    _check(name, permission)
    column = WorkColumn(
        name, label, frozenset(tabs) if tabs else None, values, permission, weight, numeric
    )
    _WORK_COLUMNS[name] = column
    return column


def unregister_work_column(name: str) -> None:
    _WORK_COLUMNS.pop(name, None)


def work_columns(request, tab, *, search: bool) -> list[WorkColumn]:
    """The extra columns shown in `tab` (or in the search results) to this member."""
    role = request.membership.role if request.membership else None
    return [
        c
        for c in sorted(_WORK_COLUMNS.values(), key=lambda c: (c.weight, c.name))
        if (c.tabs is None or (not search and tab in c.tabs))
        and (not c.permission or role_can(role, c.permission))
    ]


def attach_work_cells(request, columns: list[WorkColumn], orders: list) -> None:
    """Give each order `.extra_cells`: (column, its text) for each column, in order."""
    values = [(c, c.values(request, orders) if orders else {}) for c in columns]
    for order in orders:
        order.extra_cells = [(c, v.get(order.pk, "")) for c, v in values]


# ---------------------------------------------------------------- the "+" forms


@dataclass(frozen=True)
class IntakeStep:
    name: str
    kinds: frozenset
    form_class: Any  # form_class(data, prefix=..., request=..., kind=...)
    template: Any  # renders `form`
    save: Callable[..., None]  # save(order=, form=, by=), inside the order's transaction
    permission: str | None = None
    weight: int = 100

    @property
    def prefix(self) -> str:
        return self.name.replace(".", "-")


_INTAKE_STEPS: dict[str, IntakeStep] = {}


def register_intake_step(
    name: str,
    *,
    kinds,
    form_class: Any,
    template: Any,
    save: Callable[..., None],
    permission: str | None = None,
    weight: int = 100,
) -> IntakeStep:
    """Add a small form to the "+" forms of `kinds`. It is validated with the order's
    form; `save(order=, form=, by=)` runs right after the order is created, in the same
    transaction, so a refusal there saves neither."""
    _check(name, permission)
    step = IntakeStep(name, frozenset(kinds), form_class, template, save, permission, weight)
    _INTAKE_STEPS[name] = step
    return step


def unregister_intake_step(name: str) -> None:
    _INTAKE_STEPS.pop(name, None)


@dataclass
class BoundStep:
    step: IntakeStep
    form: Any

    def render(self, request) -> SafeString:
        return _render(self.step.template, {"form": self.form, "step": self.step}, request)

    def in_page(self, request) -> _RenderedInPlace:
        """The step rendered where the "+" page's template prints it, not before: the
        page's own context comes first, as a test client (or a debug toolbar) lists them."""
        return _RenderedInPlace(lambda: self.render(request))


class _RenderedInPlace:
    def __init__(self, render: Callable[[], SafeString]):
        self._render = render

    def __html__(self) -> SafeString:
        return self._render()

    __str__ = __html__


def intake_steps(request, kind, data=None) -> list[BoundStep]:
    """The intake steps of a "+" form of `kind` for this member, with their forms bound."""
    role = request.membership.role if request.membership else None
    return [
        BoundStep(step, step.form_class(data, prefix=step.prefix, request=request, kind=kind))
        for step in sorted(_INTAKE_STEPS.values(), key=lambda s: (s.weight, s.name))
        if kind in step.kinds and (not step.permission or role_can(role, step.permission))
    ]


# ---------------------------------------------------------------- shared


def _check(name: str, permission: str | None) -> None:
    if "." not in name:
        raise ValueError(f"Extension {name!r} needs an app prefix, e.g. 'cashdesk.payments'.")
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; add it to accounts/permissions.py.")


def _render(template: Any, ctx: dict, request) -> SafeString:
    if isinstance(template, str):
        html = render_to_string(template, ctx, request=request)
    else:
        html = template.render(ctx, request)
    return mark_safe(html)  # noqa: S308 -- our own autoescaped template output


# ---------------------------------------------------------------- hooks in orders' writes


@dataclass(frozen=True)
class LineHooks:
    name: str
    added: Callable[..., None] | None  # added(line=, by=)
    changed: Callable[..., None] | None  # changed(line=, old_quantity=, old_name=, by=)
    removed: Callable[..., None] | None  # removed(line=, by=), before the row is deleted


_LINE_HOOKS: dict[str, LineHooks] = {}
_MOVE_HOOKS: dict[str, Callable[..., None]] = {}


def register_line_hooks(name: str, *, added=None, changed=None, removed=None) -> LineHooks:
    """Let another app follow order lines (the warehouse reserves goods). The hooks run
    inside orders' own transaction, after the line is written (before it is deleted);
    a django ValidationError they raise refuses the change, shown by the field it names."""
    _check(name, None)
    hooks = LineHooks(name, added, changed, removed)
    _LINE_HOOKS[name] = hooks
    return hooks


def unregister_line_hooks(name: str) -> None:
    _LINE_HOOKS.pop(name, None)


def register_move_hook(name: str, hook: Callable[..., None]) -> None:
    """`hook(order=, old_status=, new_status=, by=)` after every status move, in the
    move's transaction (the warehouse writes off on issue; messages are queued on commit)."""
    _check(name, None)
    _MOVE_HOOKS[name] = hook


def unregister_move_hook(name: str) -> None:
    _MOVE_HOOKS.pop(name, None)


def line_added(*, line, by) -> None:
    for hooks in _LINE_HOOKS.values():
        if hooks.added:
            hooks.added(line=line, by=by)


def line_changed(*, line, old_quantity, old_name, by) -> None:
    for hooks in _LINE_HOOKS.values():
        if hooks.changed:
            hooks.changed(line=line, old_quantity=old_quantity, old_name=old_name, by=by)


def line_removed(*, line, by) -> None:
    for hooks in _LINE_HOOKS.values():
        if hooks.removed:
            hooks.removed(line=line, by=by)


def order_moved(*, order, old_status, new_status, by) -> None:
    for hook in _MOVE_HOOKS.values():
        hook(order=order, old_status=old_status, new_status=new_status, by=by)


# ---------------------------------------------------------------- the Today view

_TODAY_PANELS: dict[str, CardSlot] = {}


def register_today_panel(
    name: str,
    *,
    context: Callable[[Any], dict | None],
    template: Any = "orders/_today_panel.html",
    permission: str | None = None,
    weight: int = 100,
) -> CardSlot:
    """Add (or replace) a panel on the Today view; `context(request)` returns the
    template's context or None to show nothing. The default template shows a `title`,
    `rows` of (label, value) and an optional `link` (url, text)."""
    _check(name, permission)
    slot = CardSlot(
        name, SIDE, template, lambda _order, request: context(request), permission, weight
    )
    _TODAY_PANELS[name] = slot
    return slot


def unregister_today_panel(name: str) -> None:
    _TODAY_PANELS.pop(name, None)


def render_today_panels(request) -> list[SafeString]:
    role = request.membership.role if request.membership else None
    rendered = []
    for slot in sorted(_TODAY_PANELS.values(), key=lambda s: (s.weight, s.name)):
        if slot.permission and not role_can(role, slot.permission):
            continue
        ctx = slot.context(None, request)
        if ctx is not None:
            rendered.append(_render(slot.template, ctx, request))
    return rendered
