"""Every write to clients, devices, orders and lines: atomic, validated, journaled.

Each function is keyword-only, runs in one transaction, calls `full_clean()` before
saving, writes a `JournalEntry` per changed field with the order version it produced,
and tells the directories what was typed (`remember`/`remember_many`) so pick lists
fill themselves. Failures raise `OrderError` (or Django's `ValidationError` for field
input) and leave nothing half-saved.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership, MembershipBranch, Role, Workshop
from accounts.permissions import role_can
from directories import services as directory_services
from directories.models import Kind as DirKind
from orders.models import Client, Device, JournalEntry, Order, OrderCounter, OrderLine
from orders.workflow import (
    CLOSED,
    HANDED_OVER,
    INITIAL_STATUS,
    Kind,
    Status,
    can_move,
    guard_refusal,
)
from workshop.lib.money import MAX_AMOUNT, format_money
from workshop.lib.phones import format_phone, normalize_phone

Action = JournalEntry.Action

CLIENT_FIELDS = ("name", "phone", "extra_phones", "email", "notes")
DEVICE_FIELDS = ("device_type", "brand", "model", "serial", "condition", "accessories", "notes")
ORDER_FIELDS = (
    "problem",
    "diagnosis",
    "notes",
    "diagnostic_cost",
    "estimate",
    "prepayment",
    "partner",
    "assignee",
    "due_date",
    "address",
    "visit_at",
)
MONEY_FIELDS = frozenset({"diagnostic_cost", "estimate", "prepayment"})
# Fields a technician may edit: the work, not the front desk's data or money.
WORK_FIELDS = frozenset({"diagnosis", "partner", "notes"})
LINE_FIELDS = ("kind", "name", "quantity", "unit_price", "performer")
# Moves that hand the order over or close it: they need orders.edit.


# A refused save lists at most this many changes made since, then "and N more".
CONFLICT_ENTRIES = 20


class OrderError(Exception):
    """A refused operation; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = message


class AlreadyCreated(OrderError):
    """The "+" form with this key was already saved; `order` is what it created."""

    def __init__(self, order: Order):
        super().__init__(_("Order №%(number)s was already saved.") % {"number": order.number})
        self.order = order


class TransitionRefused(OrderError):
    pass


class NotPermitted(OrderError):
    pass


class StaleVersion(OrderError):
    """The order moved on since the user opened it; nothing was saved."""

    def __init__(self, *, current_version: int, entries: list[JournalEntry], more: int = 0):
        super().__init__(
            _("Someone else saved this order while you were editing it. Nothing was saved.")
        )
        self.current_version = current_version
        self.entries = entries  # the first CONFLICT_ENTRIES changes since
        self.more = more  # how many further changes were not listed


# ---------------------------------------------------------------- helpers


def _display(value: Any) -> str:
    """The journal's stored form of a field value: raw, language-neutral text that
    views.describe() formats in the reader's language and time zone."""
    if value is None:
        return ""
    if isinstance(value, Membership):
        return str(value.user)
    if isinstance(value, datetime.datetime):
        # Stored raw (ISO 8601 with its offset); describe() formats it for the reader.
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Membership) or isinstance(new, Membership):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if isinstance(old, str) or isinstance(new, str):
        return (old or "") == (new or "")
    return old == new


def _journal(
    order: Order,
    by: Membership | None,
    action: str,
    *,
    field: str = "",
    subject: str = "",
    old: Any = "",
    new: Any = "",
) -> JournalEntry:
    return JournalEntry(
        workshop_id=order.workshop_id,
        order=order,
        version=order.version,
        by=by,
        action=action,
        field=field,
        subject=subject,
        old_value=_display(old),
        new_value=_display(new),
    )


def _clean(obj, *, exclude: Iterable[str] = ()) -> None:
    # Uniqueness is the database's job (order numbers are allocated under a lock).
    obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def _remember(workshop: Workshop, by: Membership | None, *, device=None, order=None, lines=()):
    """Feed the self-filling pick lists with what was typed: one call per save."""
    items: list[tuple] = []
    if device is not None:
        items += [(DirKind.DEVICE_TYPE, device.device_type), (DirKind.BRAND, device.brand)]
        items.append((DirKind.MODEL, device.model, None, device.brand))
        items.append((DirKind.CONDITION, device.condition))
        items += [(DirKind.ACCESSORY, part) for part in device.accessories.split(",")]
    if order is not None:
        items += [(DirKind.PROBLEM, order.problem), (DirKind.PARTNER, order.partner)]
    for line in lines:
        kind = DirKind.SERVICE if line.kind == OrderLine.LineKind.SERVICE else DirKind.GOODS
        items.append((kind, line.name, line.unit_price))
    items = [item for item in items if item[1] and item[1].strip()]
    if items:
        directory_services.remember_many(workshop=workshop, items=items, by=by)


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


def _require(by: Membership, permission: str, message) -> None:
    if not role_can(by.role, permission):
        raise NotPermitted(message)


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


def _recount(order: Order) -> None:
    _set_total(order, OrderLine.objects.filter(order=order))


def _bump(order: Order, *extra_fields: str) -> None:
    order.version += 1
    order.updated_at = timezone.now()
    order.save(update_fields=["version", "updated_at", *extra_fields])


def _stale(locked: Order, version: int) -> StaleVersion:
    """The refusal of a save made from version `version`, listing what happened since."""
    qs = JournalEntry.objects.filter(
        workshop_id=locked.workshop_id, order=locked, version__gt=version
    ).order_by("id")
    since = list(qs.select_related("by__user")[: CONFLICT_ENTRIES + 1])
    more = qs.count() - CONFLICT_ENTRIES if len(since) > CONFLICT_ENTRIES else 0
    return StaleVersion(current_version=locked.version, entries=since[:CONFLICT_ENTRIES], more=more)


def _refuse_stale(locked: Order, version: int | None) -> None:
    """Refuse a write decided on an older view of the order. `None` means the caller
    read the order in this same request (no screen in between), so there is nothing
    to compare."""
    if version is not None and locked.version != version:
        raise _stale(locked, version)


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("client", "device", "assignee__user")
        .get(pk=order.pk, workshop_id=order.workshop_id)
    )


# ---------------------------------------------------------------- people


def branch_members(workshop: Workshop, branches: Iterable[Branch]) -> dict[int, Membership]:
    """The active people who may be given an order of these branches: those who work in
    one of them, and the directors (who see every branch). One query."""
    members = (
        Membership.objects.active()
        .for_workshop(workshop)
        .filter(Q(role=Role.DIRECTOR) | Q(branches__in=[b.pk for b in branches]))
        .distinct()
        .select_related("user")
        .order_by("user__full_name", "id")
    )
    return {m.pk: m for m in members}


def works_in(member: Membership, branch: Branch) -> bool:
    if member.role == Role.DIRECTOR:
        return member.is_active and member.workshop_id == branch.workshop_id
    return (
        member.is_active
        and MembershipBranch.objects.filter(
            workshop_id=branch.workshop_id, membership=member, branch=branch
        ).exists()
    )


def _check_works_in(member: Membership | None, branch: Branch, field: str) -> None:
    """Someone who does not work in the order's branch could not even open it."""
    if member is not None and not works_in(member, branch):
        raise ValidationError(
            {
                field: [
                    _("%(name)s does not work in the branch %(branch)s.")
                    % {"name": member.user, "branch": branch.name}
                ]
            }
        )


# ---------------------------------------------------------------- clients


def client_find_by_phone(*, workshop: Workshop, phone: str) -> Client | None:
    """The workshop's (most recent, not deleted) client with this phone, typed in any form."""
    try:
        e164 = normalize_phone(phone, workshop.country)
    except ValidationError:
        return None
    return (
        Client.objects.filter(workshop=workshop, phone=e164, is_deleted=False)
        .order_by("-id")
        .first()
    )


def _client_resolve(
    *, workshop: Workshop, data: Mapping[str, Any], by: Membership | None
) -> Client:
    """The client with the typed phone, updated with what was typed; or a new one.

    The id the lookup put in the form is used only while that client still has the typed
    phone: a page whose phone was retyped afterwards must not rename another person.
    An existing client's phone never changes here (that is the client card's job).
    """
    try:
        phone = normalize_phone(data.get("phone", ""), workshop.country)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    client = None
    if data.get("id"):
        chosen = Client.objects.filter(workshop=workshop, pk=data["id"], is_deleted=False).first()
        if chosen is not None and chosen.phone == phone:
            client = chosen
    if client is None:
        client = client_find_by_phone(workshop=workshop, phone=phone)
    values = {name: (data.get(name) or "").strip() for name in CLIENT_FIELDS if name != "phone"}
    if client is None:
        client = Client(workshop=workshop, phone=phone, **values)
        _clean(client, exclude=["workshop"])
        client.save()
        return client
    # Returning client: keep what we knew unless the front desk typed something new.
    changed = [n for n, v in values.items() if v and v != getattr(client, n)]
    for name in changed:
        setattr(client, name, values[name])
    if changed:
        _clean(client, exclude=["workshop"])
        client.save(update_fields=changed)
    return client


def client_soft_delete(*, client: Client, by: Membership) -> None:
    _require(by, "clients.delete", _("Only the director may delete clients."))
    client.is_deleted = True
    client._history_user = by.user
    client.save(update_fields=["is_deleted"])


def client_restore(*, client: Client, by: Membership) -> None:
    _require(by, "clients.delete", _("Only the director may restore clients."))
    client.is_deleted = False
    client._history_user = by.user
    client.save(update_fields=["is_deleted"])


def _as_seen(value: Any) -> str:
    """A stored value as a form showed it; browsers send line breaks back as CRLF."""
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


def _apply_record_edit(
    *,
    record: Client | Device,
    allowed_fields: Iterable[str],
    data: Mapping[str, Any],
    seen: Mapping[str, Any] | None,
    by: Membership,
    shown: Mapping[str, Any] | None = None,
) -> list[str]:
    """Set the fields the person changed on a locked row, refusing any field a colleague
    changed after the page was loaded (nothing is saved then); return the fields saved."""
    changed: list[str] = []
    conflicts: dict[str, list[str]] = {}
    for name, new in data.items():
        if name not in allowed_fields:
            raise ValueError(f"cannot set {name!r} on {type(record).__name__}")
        new = (new or "").strip() if isinstance(new, str) or new is None else new
        current = getattr(record, name)
        shown_now = (shown or {}).get(name, current)
        if seen is not None and name in seen and _as_seen(seen[name]) != _as_seen(shown_now):
            conflicts[name] = [
                _("Someone else changed this meanwhile to “%(value)s”. Check and save again.")
                % {"value": _as_seen(shown_now) or "—"}
            ]
        if not _same(current, new):
            setattr(record, name, new)
            changed.append(name)
    if conflicts:
        raise ValidationError(conflicts)
    if changed:
        _clean(record, exclude=["workshop", "client"])
        # simple_history records who saved; outside a request it cannot know.
        record._history_user = by.user
        record.save(update_fields=changed)
    return changed


def _check_phone_free(client: Client, phone: str, *, field: str) -> None:
    """Refuse a number another live client of the workshop already has, so the phone
    lookup keeps finding one person (the client card and the order card alike)."""
    other = (
        Client.objects.filter(workshop_id=client.workshop_id, phone=phone)
        .alive()
        .exclude(pk=client.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                field: [
                    _("Another client already has this number: %(name)s.")
                    % {"name": other.name or other.phone_display}
                ]
            }
        )


@transaction.atomic
def client_update(
    *,
    client: Client,
    data: Mapping[str, Any],
    by: Membership,
    seen: Mapping[str, Any] | None = None,
) -> list[str]:
    """Save a client's details typed on the client card; return the fields that changed.

    The phone is normalised; a number that another (not deleted) client of the workshop
    already has is refused, so the phone lookup keeps finding one person. `seen` holds the
    values the page showed: a field someone else changed since then is refused.
    """
    _require(by, "clients.edit", _("You may not change clients' details."))
    locked = Client.objects.select_for_update().get(pk=client.pk, workshop_id=client.workshop_id)
    if locked.is_deleted:
        raise NotPermitted(_("This client is deleted. Restore the client first."))
    data = dict(data)
    if "phone" in data:
        try:
            data["phone"] = normalize_phone(data["phone"], locked.workshop.country)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        _check_phone_free(locked, data["phone"], field="phone")
    shown = {"phone": format_phone(locked.phone)}
    changed = _apply_record_edit(
        record=locked, allowed_fields=CLIENT_FIELDS, data=data, seen=seen, by=by, shown=shown
    )
    for f in Client._meta.concrete_fields:
        setattr(client, f.attname, getattr(locked, f.attname))
    return changed


@transaction.atomic
def device_update(
    *,
    device: Device,
    data: Mapping[str, Any],
    by: Membership,
    seen: Mapping[str, Any] | None = None,
) -> list[str]:
    """Save a device's details typed on the device card; return the fields that changed."""
    _require(by, "clients.edit", _("You may not change devices' details."))
    locked = (
        Device.objects.select_for_update(of=("self",))
        .select_related("client", "workshop")
        .get(pk=device.pk, workshop_id=device.workshop_id)
    )
    if locked.client.is_deleted:
        raise NotPermitted(_("This client is deleted. Restore the client first."))
    changed = _apply_record_edit(
        record=locked, allowed_fields=DEVICE_FIELDS, data=data, seen=seen, by=by
    )
    if changed:
        _remember(locked.workshop, by, device=locked)
    for f in Device._meta.concrete_fields:
        setattr(device, f.attname, getattr(locked, f.attname))
    return changed


def _device_resolve(
    *, workshop: Workshop, client: Client, data: Mapping[str, Any] | None
) -> Device | None:
    data = data or {}
    values = {name: (data.get(name) or "").strip() for name in DEVICE_FIELDS}
    device = None
    if data.get("id"):
        # A device chosen from the lookup must belong to this client; otherwise it is new.
        device = Device.objects.filter(workshop=workshop, client=client, pk=data["id"]).first()
    if device is None:
        if not any(values.values()):
            return None
        device = Device(workshop=workshop, client=client, **values)
        _clean(device, exclude=["workshop"])
        device.save()
        return device
    changed = [n for n, v in values.items() if v and v != getattr(device, n)]
    for name in changed:
        setattr(device, name, values[name])
    if changed:
        _clean(device, exclude=["workshop"])
        device.save(update_fields=changed)
    return device


# ---------------------------------------------------------------- orders


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
    for name, value in (order_data or {}).items():
        if name not in ORDER_FIELDS:
            raise ValueError(f"order_create cannot set {name!r}")
        setattr(order, name, value)
    _check_works_in(order.assignee, branch, "assignee")
    _clean(order, exclude=["workshop", "number"])
    order.number = _next_number(workshop)
    order.save()

    new_lines = []
    for line_data in lines:
        line = OrderLine(workshop=workshop, order=order, **_line_values(line_data))
        _check_works_in(line.performer, branch, "performer")
        _clean(line, exclude=["workshop", "order"])
        _check_line_total(line)
        new_lines.append(line)
    for line in new_lines:
        line.save()
    if new_lines:
        _set_total(order, new_lines)
        order.save(update_fields=["lines_total"])

    _journal(order, by, Action.CREATED).save()
    _remember(workshop, by, device=device, order=order, lines=new_lines)
    return order


def _line_values(data: Mapping[str, Any]) -> dict:
    values = {name: data[name] for name in LINE_FIELDS if name in data}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    return values


@transaction.atomic
def order_update(
    *, order: Order, data: Mapping[str, Any], version: int, by: Membership
) -> list[JournalEntry]:
    """Apply the card's fields if `version` is still current; return the journal entries.

    `data` holds order fields by name and client/device fields as `client_<name>` and
    `device_<name>`. A stale version raises StaleVersion listing what changed since.
    """
    locked = _lock(order)
    if locked.version != version:
        raise _stale(locked, version)

    changes: list[tuple[Any, str, str, Any, Any]] = []  # (object, field, journal key, old, new)
    for name, new in data.items():
        if name.startswith("client_"):
            target, attr = locked.client, name.removeprefix("client_")
            allowed_names = CLIENT_FIELDS
        elif name.startswith("device_"):
            target, attr = locked.device, name.removeprefix("device_")
            allowed_names = DEVICE_FIELDS
        else:
            target, attr, allowed_names = locked, name, ORDER_FIELDS
        if attr not in allowed_names:
            raise ValueError(f"order_update cannot set {name!r}")
        if target is None:
            continue
        if isinstance(new, str):
            new = new.strip()
        if attr == "phone":
            try:
                new = normalize_phone(new, locked.workshop.country)
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from exc
        old = getattr(target, attr)
        if not _same(old, new):
            if attr == "assignee" and target is locked:
                _check_works_in(new, locked.branch, "assignee")
            if attr == "phone":
                _check_phone_free(target, new, field=name)
            changes.append((target, attr, name, old, new))

    if not changes:
        return []
    _check_card_rights(locked, by, [key for _t, _a, key, _o, _n in changes])

    touched: dict[int, tuple[Any, list[str]]] = {}
    for target, attr, _key, _old, new in changes:
        setattr(target, attr, new)
        touched.setdefault(id(target), (target, []))[1].append(attr)
    for target, _attrs in touched.values():
        exclude = ["workshop"] + (["number", "client", "device"] if target is locked else [])
        try:
            _clean(target, exclude=exclude)
        except ValidationError as exc:
            prefix = (
                "" if target is locked else ("client_" if target is locked.client else "device_")
            )
            raise ValidationError({f"{prefix}{k}": v for k, v in exc.message_dict.items()}) from exc
    for target, attrs in touched.values():
        if target is not locked:
            target.save(update_fields=attrs)
    order_attrs = touched.get(id(locked), (locked, []))[1]
    _bump(locked, *order_attrs)

    entries = JournalEntry.objects.bulk_create(
        [
            _journal(locked, by, Action.CHANGED, field=key, old=old, new=new)
            for _t, _a, key, old, new in changes
        ]
    )
    device_changed = any(t is locked.device for t, *_ in changes)
    _remember(
        locked.workshop,
        by,
        device=locked.device if device_changed else None,
        order=locked if any(t is locked for t, *_ in changes) else None,
    )
    _sync(order, locked)
    return entries


def _check_card_rights(order: Order, by: Membership, keys: Iterable[str]) -> None:
    """The card's field permissions, enforced here too: the desk (orders.edit) changes
    everything, technicians (orders.edit_work) only the work; amounts of an issued or
    cancelled order are the director's (orders.edit_after_issue)."""
    keys = set(keys)
    if not role_can(by.role, "orders.edit") and not (
        role_can(by.role, "orders.edit_work") and keys <= WORK_FIELDS
    ):
        raise NotPermitted(_("You may change only the diagnosis, the partner and the notes."))
    if order.status in CLOSED and keys & MONEY_FIELDS:
        _require(
            by,
            "orders.edit_after_issue",
            _("Only the director may change amounts after the order is issued or cancelled."),
        )


def _sync(order: Order, locked: Order) -> None:
    """Copy the saved state onto the caller's instance."""
    for f in Order._meta.concrete_fields:
        setattr(order, f.attname, getattr(locked, f.attname))
    for name in ("client", "device", "assignee"):
        if Order._meta.get_field(name).is_cached(locked):
            setattr(order, name, getattr(locked, name))


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
    _bump(locked, "status", "status_changed_at")
    _journal(locked, by, Action.TRANSITION, field="status", old=old, new=target.value).save()
    _sync(order, locked)
    return order


@transaction.atomic
def order_soft_delete(*, order: Order, by: Membership) -> None:
    _require(by, "orders.delete", _("Only the director may delete orders."))
    locked = _lock(order)
    if locked.is_deleted:
        return
    locked.is_deleted = True
    _bump(locked, "is_deleted")
    _journal(locked, by, Action.DELETED).save()
    _sync(order, locked)


@transaction.atomic
def order_restore(*, order: Order, by: Membership) -> None:
    _require(by, "orders.delete", _("Only the director may restore orders."))
    locked = _lock(order)
    if not locked.is_deleted:
        return
    locked.is_deleted = False
    _bump(locked, "is_deleted")
    _journal(locked, by, Action.RESTORED).save()
    _sync(order, locked)


# ---------------------------------------------------------------- lines


def _check_line_rights(order: Order, by: Membership, kinds: Iterable[str]) -> None:
    if order.is_deleted:
        raise NotPermitted(_("This order is deleted."))
    if order.status in CLOSED:
        _require(
            by,
            "orders.edit_after_issue",
            _("Only the director may change the lines of an issued or cancelled order."),
        )
    if not role_can(by.role, "orders.edit") and any(k != OrderLine.LineKind.SERVICE for k in kinds):
        raise NotPermitted(_("Technicians record work (services); goods are entered at the desk."))


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
    _check_line_rights(locked, by, [values.get("kind", OrderLine.LineKind.SERVICE)])
    _check_own_line(by, current=None, values=values)
    _check_works_in(values.get("performer"), locked.branch, "performer")
    line = OrderLine(workshop_id=locked.workshop_id, order=locked, **values)
    _clean(line, exclude=["workshop", "order"])
    _check_line_total(line)
    line.save()
    _recount(locked)
    _bump(locked, "lines_total")
    _journal(
        locked,
        by,
        Action.LINE_ADDED,
        subject=line.name,
        new=f"{line.quantity} × {line.unit_price:.2f}",
    ).save()
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
    _check_line_rights(locked, by, {current.kind, values.get("kind", current.kind)})
    _check_own_line(by, current=current, values=values)
    if values.get("performer") is not None and values["performer"].pk != current.performer_id:
        _check_works_in(values["performer"], locked.branch, "performer")
    changes = [
        (name, getattr(current, name), new)
        for name, new in values.items()
        if not _same(getattr(current, name), new)
    ]
    if not changes:
        return []
    subject = current.name
    for name, _old, new in changes:
        setattr(current, name, new)
    _clean(current, exclude=["workshop", "order"])
    _check_line_total(current)
    current.save(update_fields=[name for name, _o, _n in changes])
    _recount(locked)
    _bump(locked, "lines_total")
    entries = JournalEntry.objects.bulk_create(
        [
            _journal(locked, by, Action.LINE_CHANGED, subject=subject, field=name, old=old, new=new)
            for name, old, new in changes
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
    _check_line_rights(locked, by, [current.kind])
    _check_own_line(by, current=current, values={})
    current.delete()
    _recount(locked)
    _bump(locked, "lines_total")
    _journal(
        locked,
        by,
        Action.LINE_REMOVED,
        subject=current.name,
        old=f"{current.quantity} × {current.unit_price:.2f}",
    ).save()
    _sync(line.order, locked)
