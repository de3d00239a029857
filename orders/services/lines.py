"""An order's lines: services and goods, each change re-totalling the order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.permissions import role_can
from directories.models import Entry, clean_value
from directories.models import Kind as DirKind
from orders import extensions
from orders.fields import LINE_FIELDS
from orders.journal import Builtin
from orders.models import JournalEntry, Order, OrderLine
from orders.services._core import (
    NotPermitted,
    _apply,
    _bump,
    _check_correction,
    _check_works_in,
    _clean,
    _consume_correction,
    _fields,
    _journal_entry,
    _lock,
    _refuse_stale,
    _remember,
    _sync,
    journal_record,
)
from workshop.lib.money import CENT, MAX_AMOUNT, format_money
from workshop.lib.text import fold


def _line_values(data: Mapping[str, Any]) -> dict:
    values = {name: data[name] for name in LINE_FIELDS if name in data}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    return values


# The order's columns a change of its lines moves.
TOTAL_FIELDS = ("lines_total", "total")


def _directory_price(workshop_id: int, kind: str, name: str) -> Decimal | None:
    """The last price the directory remembers for a service or goods item of this name
    (followed to the entry it was merged into), or None."""
    dir_kind = DirKind.SERVICE if kind == OrderLine.LineKind.SERVICE else DirKind.GOODS
    key = fold(clean_value(name))
    if not key:
        return None
    entry = (
        Entry.objects.filter(workshop_id=workshop_id, kind=dir_kind, parent_key="", key=key)
        .select_related("merged_into")
        .first()
    )
    if entry is not None and entry.merged_into is not None:
        entry = entry.merged_into
    return entry.last_price if entry is not None else None


def _known_cost(workshop_id: int, kind: str, name: str, quantity: int) -> Decimal | None:
    """The cost snapshot of a goods line: the last cost known for goods of this name (the
    newest line of that name whose cost is known, per unit, for `quantity`), or None.
    The warehouse replaces it with its stock's cost when the product is stocked (its
    line hook runs right after the line is saved). One indexed query."""
    if kind != OrderLine.LineKind.GOODS or not name:
        return None
    last = (
        OrderLine.objects.filter(
            workshop_id=workshop_id, kind=OrderLine.LineKind.GOODS, name=name, cost__isnull=False
        )
        .order_by("-id")
        .values_list("cost", "quantity")
        .first()
    )
    if last is None or not last[1]:
        return None
    cost, of = last
    return (cost * quantity / of).quantize(CENT, rounding=ROUND_HALF_UP)


def _snapshot_cost(line: OrderLine) -> None:
    line.cost = _known_cost(line.workshop_id, line.kind, line.name, line.quantity or 0)


def _price_or_directory(workshop_id: int, values: dict, current: OrderLine | None = None) -> None:
    """A line sent without a price (None: the field was left empty) takes the directory's
    last price for its name; with none to take, it is refused rather than saved at 0,00.
    A zero price is an explicit choice (the forms' "free / warranty")."""
    if "unit_price" not in values or values["unit_price"] is not None:
        return
    kind = values.get("kind") or (current.kind if current else OrderLine.LineKind.SERVICE)
    name = values.get("name") or (current.name if current else "")
    price = _directory_price(workshop_id, kind, name)
    if price is None:
        raise ValidationError(
            {
                "unit_price": [
                    _("“%(name)s” has no price yet: enter one, or tick “free / warranty”.")
                    % {"name": name}
                ]
            }
        )
    values["unit_price"] = price


def _check_line_total(line: OrderLine) -> None:
    if line.total > MAX_AMOUNT:
        raise ValidationError(
            {
                "quantity": [
                    _("The line comes to more than any bill: at most %(limit)s.")
                    % {"limit": format_money(MAX_AMOUNT)}
                ]
            }
        )


def _set_total(order: Order, lines: Iterable[OrderLine]) -> None:
    """Sum the lines into the order, refusing a total no bill reaches (it would also
    overflow the column)."""
    total = sum((line.total for line in lines), Decimal("0.00"))
    if total > MAX_AMOUNT:
        raise ValidationError(
            _("The order would come to more than any bill: at most %(limit)s.")
            % {"limit": format_money(MAX_AMOUNT)}
        )
    order.lines_total = total
    order.total = order.compute_total()


def _recount(order: Order) -> None:
    _set_total(order, OrderLine.objects.filter(order=order))


def _summary(line: OrderLine) -> str:
    return f"{line.quantity} × {line.unit_price:.2f}"


def _check_line_rights(order: Order, by: Membership, kinds: Iterable[str]) -> bool:
    """Refuse a line change this person may not make; return whether it is the one save
    of the director's open correction of an issued order."""
    if order.is_deleted:
        raise NotPermitted(_("This order is deleted."))
    correcting = _check_correction(order, by)
    if not role_can(by.role, "orders.edit") and any(k != OrderLine.LineKind.SERVICE for k in kinds):
        raise NotPermitted(_("Technicians record work (services); goods are entered at the desk."))
    return correcting


def _check_own_line(by: Membership, *, current: OrderLine | None, values: dict) -> None:
    """Without orders.edit (technicians) a person records their own work: lines with
    themselves as performer, and they may not reprice, reassign or remove anyone's line
    but their own, nor change a price once the line is recorded."""
    if role_can(by.role, "orders.edit"):
        return
    if current is not None and current.performer_id != by.pk:
        raise NotPermitted(_("You may change only the lines you performed."))
    performer = values.get("performer", current.performer if current else None)
    if performer is None and current is None:
        values["performer"] = by
    elif getattr(performer, "pk", None) != by.pk:
        raise NotPermitted(
            _("Technicians record their own work: choose yourself as the performer.")
        )
    if (
        current is not None
        and "unit_price" in values
        and values["unit_price"] != current.unit_price
    ):
        raise NotPermitted(_("Only the front desk may change the price of a recorded line."))


@transaction.atomic
def line_add(
    *, order: Order, data: Mapping[str, Any], by: Membership, version: int | None = None
) -> OrderLine:
    """Add a line; `version` is the order version the person's screen showed."""
    locked = _lock(order)
    _refuse_stale(locked, version)
    values = _line_values(data)
    correcting = _check_line_rights(locked, by, [values.get("kind", OrderLine.LineKind.SERVICE)])
    _check_own_line(by, current=None, values=values)
    _check_works_in(values.get("performer"), locked.branch, "performer")
    _price_or_directory(locked.workshop_id, values)
    line = OrderLine(workshop_id=locked.workshop_id, order=locked, **values)
    _clean(line, exclude=["workshop", "order"])
    _check_line_total(line)
    _snapshot_cost(line)
    line.save()
    extensions.line_added(line=line, by=by)
    _recount(locked)
    _bump(locked, *TOTAL_FIELDS, *_consume_correction(locked, correcting))
    journal_record(
        order=locked, by=by, action=Builtin.LINE_ADDED, subject=line.name, new=_summary(line)
    )
    _remember(locked.workshop, by, lines=[line])
    _sync(order, locked)
    return line


@transaction.atomic
def line_update(
    *, line: OrderLine, data: Mapping[str, Any], by: Membership, version: int | None = None
) -> list[JournalEntry]:
    """Change a line; a `version` older than the order's is refused (StaleVersion), so a
    stale row never writes its old values over a colleague's newer ones."""
    locked = _lock(line.order)
    _refuse_stale(locked, version)
    current = OrderLine.objects.select_related("performer__user").get(pk=line.pk, order=locked)
    values = _line_values(data)
    correcting = _check_line_rights(locked, by, {current.kind, values.get("kind", current.kind)})
    _check_own_line(by, current=current, values=values)
    if values.get("performer") is not None and values["performer"].pk != current.performer_id:
        _check_works_in(values["performer"], locked.branch, "performer")
    subject, old_quantity = current.name, current.quantity
    _price_or_directory(locked.workshop_id, values, current)
    changes = _apply(current, values, allowed=LINE_FIELDS)
    if not changes:
        return []
    _clean(current, exclude=["workshop", "order"])
    _check_line_total(current)
    fields = _fields(changes)
    if {"kind", "name", "quantity"} & set(fields):
        # Other goods, or another quantity of them: a fresh snapshot (the warehouse's
        # hook below brings a stocked product's cost).
        _snapshot_cost(current)
        fields = [*fields, "cost"]
    current.save(update_fields=fields)
    extensions.line_changed(line=current, old_quantity=old_quantity, old_name=subject, by=by)
    _recount(locked)
    _bump(locked, *TOTAL_FIELDS, *_consume_correction(locked, correcting))
    entries = JournalEntry.objects.bulk_create(
        [
            _journal_entry(
                locked,
                by,
                Builtin.LINE_CHANGED,
                subject=subject,
                field=c.field,
                old=c.old,
                new=c.new,
            )
            for c in changes
        ]
    )
    _remember(locked.workshop, by, lines=[current])
    _sync(line.order, locked)
    return entries


@transaction.atomic
def line_remove(*, line: OrderLine, by: Membership, version: int | None = None) -> None:
    locked = _lock(line.order)
    _refuse_stale(locked, version)
    current = OrderLine.objects.get(pk=line.pk, order=locked)
    correcting = _check_line_rights(locked, by, [current.kind])
    _check_own_line(by, current=current, values={})
    extensions.line_removed(line=current, by=by)
    current.delete()
    _recount(locked)
    _bump(locked, *TOTAL_FIELDS, *_consume_correction(locked, correcting))
    journal_record(
        order=locked,
        by=by,
        action=Builtin.LINE_REMOVED,
        subject=current.name,
        old=_summary(current),
    )
    _sync(line.order, locked)
