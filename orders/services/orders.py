"""Orders: created by the "+" forms, edited on the card, moved along the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership, Workshop
from accounts.permissions import role_can
from orders import extensions
from orders.fields import CLIENT_FIELDS, DEVICE_FIELDS, MONEY_FIELDS, ORDER_FIELDS, WORK_FIELDS
from orders.journal import Builtin
from orders.models import JournalEntry, Order, OrderCounter, OrderLine
from orders.services._core import (
    AlreadyCreated,
    Change,
    NotPermitted,
    OrderError,
    TransitionRefused,
    _apply,
    _bump,
    _check_correction,
    _check_works_in,
    _clean,
    _consume_correction,
    _journal_entry,
    _lock,
    _refuse_stale,
    _remember,
    _require,
    _sync,
    journal_record,
)
from orders.services.clients import _check_phone_free, _client_resolve, _device_resolve
from orders.services.lines import (
    TOTAL_FIELDS,
    _check_line_total,
    _line_values,
    _price_or_directory,
    _set_total,
    _snapshot_cost,
)
from orders.workflow import (
    CLOSED,
    HANDED_OVER,
    INITIAL_STATUS,
    ISSUED,
    Kind,
    Status,
    can_move,
    diagnostics_charged_after,
    guard_refusal,
)
from workshop.lib.phones import normalize_phone


def _locked_counter(workshop: Workshop) -> OrderCounter:
    try:
        with transaction.atomic():
            OrderCounter.objects.get_or_create(workshop=workshop)
    except IntegrityError:
        pass  # Another transaction created the counter first; it exists now.
    return OrderCounter.objects.select_for_update().get(workshop=workshop)


def _next_number(workshop: Workshop) -> int:
    """Take the next order number under a row lock: no gaps, no duplicates."""
    counter = _locked_counter(workshop)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def order_create(
    *,
    workshop: Workshop,
    branch: Branch,
    kind: str,
    by: Membership,
    client_data: Mapping[str, Any] | None,
    device_data: Mapping[str, Any] | None = None,
    order_data: Mapping[str, Any] | None = None,
    lines: Iterable[Mapping[str, Any]] = (),
    key: uuid.UUID | None = None,
) -> Order:
    """Create an order with its client, device and lines; it starts in its kind's status.

    `key` is the form's one-time key: if an order was already created with it, nothing is
    written and AlreadyCreated names that order. The check runs under the order-number
    lock, so two submissions racing each other are serialised and the second one sees
    the first's order.
    """
    kind = Kind(kind)
    if branch.workshop_id != workshop.pk:
        raise OrderError(_("Choose one of your branches."))
    if key is not None:
        _locked_counter(workshop)
        existing = Order.objects.filter(workshop=workshop, create_key=key).first()
        if existing is not None:
            raise AlreadyCreated(existing)
    client = None
    if client_data and (client_data.get("phone") or client_data.get("id")):
        client = _client_resolve(workshop=workshop, data=client_data, by=by)
    elif kind != Kind.SALE:
        raise ValidationError({"phone": [_("Enter the client's phone number.")]})
    device = None
    if client is not None and kind != Kind.SALE:
        device = _device_resolve(workshop=workshop, client=client, data=device_data)
    if kind == Kind.REPAIR and device is None:
        raise ValidationError({"device_type": [_("Describe the device being repaired.")]})

    order = Order(
        workshop=workshop,
        branch=branch,
        kind=kind,
        status=INITIAL_STATUS[kind],
        client=client,
        device=device,
        accepted_by=by,
        number=0,
        create_key=key,
    )
    _apply(order, order_data or {}, allowed=ORDER_FIELDS)
    _check_works_in(order.assignee, branch, "assignee")
    _clean(order, exclude=["workshop", "number"])
    order.number = _next_number(workshop)
    order.save()

    new_lines = []
    for line_data in lines:
        values = _line_values(line_data)
        _price_or_directory(workshop.pk, values)
        line = OrderLine(workshop=workshop, order=order, **values)
        _check_works_in(line.performer, branch, "performer")
        _clean(line, exclude=["workshop", "order"])
        _check_line_total(line)
        _snapshot_cost(line)
        new_lines.append(line)
    for line in new_lines:
        line.save()
        extensions.line_added(line=line, by=by)
    if new_lines:
        _set_total(order, new_lines)
        order.save(update_fields=list(TOTAL_FIELDS))

    journal_record(order=order, by=by, action=Builtin.CREATED)
    _remember(workshop, by, device=device, order=order, lines=new_lines)
    return order


# ---------------------------------------------------------------- the card


class _CardChange(NamedTuple):
    key: str  # the card's name of the field: "estimate", "client_phone"
    prefix: str  # "", "client_" or "device_"
    target: models.Model  # the locked order, or its client or device
    change: Change


def _card_part(locked: Order, key: str) -> tuple[str, models.Model | None, tuple[str, ...]]:
    """Which row a card field belongs to: (its prefix, the row, the fields it may set)."""
    if key.startswith("client_"):
        return "client_", locked.client, CLIENT_FIELDS
    if key.startswith("device_"):
        return "device_", locked.device, DEVICE_FIELDS
    return "", locked, ORDER_FIELDS


def _card_collect(locked: Order, data: Mapping[str, Any]) -> list[_CardChange]:
    """Set the card's values on the locked rows (nothing is saved); return the changes,
    in the order the card sent them."""
    changes = []
    for key, value in data.items():
        prefix, target, allowed = _card_part(locked, key)
        attr = key.removeprefix(prefix)
        if attr not in allowed:
            raise ValueError(f"order_update cannot set {key!r}")
        if target is None:
            continue
        if attr == "phone":
            try:
                value = normalize_phone((value or "").strip(), locked.workshop.country)
            except ValidationError as exc:
                raise ValidationError({key: exc.messages}) from exc
        found = _apply(target, {attr: value}, allowed=allowed)
        changes += [_CardChange(key, prefix, target, c) for c in found]
    return changes


def _check_card_changes(locked: Order, by: Membership, changes: list[_CardChange]) -> bool:
    """The changed values' own checks, then the card's field permissions, enforced here
    too: the desk (orders.edit) changes everything, technicians (orders.edit_work) only
    the work; amounts of an issued or cancelled order only in the one save of the
    director's open correction. Returns whether this save is that correction."""
    for c in changes:
        if c.key == "assignee":
            _check_works_in(c.change.new, locked.branch, "assignee")
        elif c.key == "client_phone":
            _check_phone_free(c.target, c.change.new, field=c.key)
    keys = {c.key for c in changes}
    if not role_can(by.role, "orders.edit") and not (
        role_can(by.role, "orders.edit_work") and keys <= WORK_FIELDS
    ):
        raise NotPermitted(_("You may change only the diagnosis, the partner and the notes."))
    return bool(keys & MONEY_FIELDS) and _check_correction(locked, by)


def _card_save(locked: Order, changes: list[_CardChange], extra: tuple[str, ...] = ()) -> None:
    """Validate every changed row (errors named as the card names its fields), save the
    client and device, and the order with its version moved on."""
    touched: dict[int, tuple[models.Model, str, list[str]]] = {}
    for c in changes:
        touched.setdefault(id(c.target), (c.target, c.prefix, []))[2].append(c.change.field)
    for target, prefix, _fields in touched.values():
        exclude = ["workshop"] + (["number", "client", "device"] if target is locked else [])
        try:
            _clean(target, exclude=exclude)
        except ValidationError as exc:
            raise ValidationError({f"{prefix}{k}": v for k, v in exc.message_dict.items()}) from exc
    for target, _prefix, fields in touched.values():
        if target is not locked:
            target.save(update_fields=fields)
    _bump(locked, *touched.get(id(locked), (locked, "", []))[2], *extra)


@transaction.atomic
def order_update(
    *, order: Order, data: Mapping[str, Any], version: int, by: Membership
) -> list[JournalEntry]:
    """Apply the card's fields if `version` is still current; return the journal entries.

    `data` holds order fields by name and client/device fields as `client_<name>` and
    `device_<name>`. A stale version raises StaleVersion listing what changed since.
    """
    locked = _lock(order)
    _refuse_stale(locked, version)
    changes = _card_collect(locked, data)
    if not changes:
        return []
    correcting = _check_card_changes(locked, by, changes)
    extra = _consume_correction(locked, correcting)
    if any(c.key == "diagnostic_cost" for c in changes):
        locked.total = locked.compute_total()
        extra += ("total",)
    _card_save(locked, changes, extra)
    entries = JournalEntry.objects.bulk_create(
        [
            _journal_entry(
                locked, by, Builtin.CHANGED, field=c.key, old=c.change.old, new=c.change.new
            )
            for c in changes
        ]
    )
    targets = {c.prefix for c in changes}
    _remember(
        locked.workshop,
        by,
        device=locked.device if "device_" in targets else None,
        order=locked if "" in targets else None,
    )
    _sync(order, locked)
    return entries


# ---------------------------------------------------------------- moves, delete, restore


@transaction.atomic
def order_transition(
    *,
    order: Order,
    to: str,
    by: Membership,
    version: int | None = None,
    check_guards: bool = True,
) -> Order:
    """Move the order along the workflow; refuse a move the table does not allow, one
    decided on an older version of the order, and handing over or cancelling (the
    front desk's and the cash desk's call) by anyone without orders.edit.

    A move into a status another app owns (workflow.register_guard) is refused with
    that app's message; the owning app does its step and then moves the order itself
    with `check_guards=False`, inside its own transaction."""
    locked = _lock(order)
    try:
        target = Status(to)
    except ValueError as exc:
        raise TransitionRefused(_("Unknown status.")) from exc
    _refuse_stale(locked, version)
    if target in HANDED_OVER:
        _require(by, "orders.edit", _("Only the front desk may issue or cancel an order."))
    if locked.is_deleted:
        raise TransitionRefused(_("This order is deleted."))
    if not can_move(locked.status, target):
        raise TransitionRefused(
            _("An order in “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": Status(locked.status).label, "to": target.label}
        )
    if check_guards and (refusal := guard_refusal(locked, target, by)):
        raise TransitionRefused(refusal)
    old = locked.status
    locked.status = target
    locked.status_changed_at = timezone.now()
    _mark_issue(locked, target, by)
    locked.diagnostics_charged = diagnostics_charged_after(old, target, locked.diagnostics_charged)
    locked.total = locked.compute_total()
    _bump(
        locked,
        "status",
        "status_changed_at",
        "issued_at",
        "issued_by",
        "diagnostics_charged",
        "total",
    )
    journal_record(
        order=locked, by=by, action=Builtin.TRANSITION, field="status", old=old, new=target.value
    )
    extensions.order_moved(order=locked, old_status=old, new_status=target, by=by)
    _sync(order, locked)
    return order


def _mark_issue(order: Order, target: Status, by: Membership) -> None:
    """Moving into an issued status records when and by whom; leaving one (no move does
    today, see workflow.TRANSITIONS) forgets it, so only issued orders carry an issue.
    The director's correction of an issued order is no move: it keeps both."""
    if target in ISSUED:
        order.issued_at = order.status_changed_at
        order.issued_by = by
    else:
        order.issued_at = None
        order.issued_by = None


CORRECTION_MAX_LENGTH = 500


@transaction.atomic
def order_correction_open(
    *, order: Order, reason: str, by: Membership, version: int | None = None
) -> Order:
    """Open the director's correction of an issued (or cancelled) order: the reason goes
    into the journal, and the lines and amounts take one more save, which closes it.
    Money already taken or to be returned is the cash desk's (a refund, an extra
    payment), recorded in its own ledger."""
    _require(by, "orders.edit_after_issue", _("Only the director may correct an issued order."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why the issued order is being corrected.")]})
    if len(reason) > CORRECTION_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("At most %(n)s characters.") % {"n": CORRECTION_MAX_LENGTH}]}
        )
    locked = _lock(order)
    _refuse_stale(locked, version)
    if locked.is_deleted:
        raise OrderError(_("This order is deleted."))
    if locked.status not in CLOSED:
        raise OrderError(_("Only an issued or cancelled order needs a correction."))
    locked.correction = reason
    _bump(locked, "correction")
    journal_record(order=locked, by=by, action=Builtin.CORRECTION, new=reason)
    _sync(order, locked)
    return order


def _set_deleted(order: Order, by: Membership, deleted: bool) -> None:
    locked = _lock(order)
    if locked.is_deleted == deleted:
        return
    locked.is_deleted = deleted
    _bump(locked, "is_deleted")
    journal_record(order=locked, by=by, action=Builtin.DELETED if deleted else Builtin.RESTORED)
    _sync(order, locked)


@transaction.atomic
def order_soft_delete(*, order: Order, by: Membership) -> None:
    _require(by, "orders.delete", _("Only the director may delete orders."))
    _set_deleted(order, by, True)


@transaction.atomic
def order_restore(*, order: Order, by: Membership) -> None:
    _require(by, "orders.delete", _("Only the director may restore orders."))
    _set_deleted(order, by, False)
