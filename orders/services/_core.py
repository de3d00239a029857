"""The versioned, journaled row: errors, locks, versions, the change-applier, the journal."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership, Workshop
from accounts.permissions import role_can
from directories import services as directory_services
from directories.models import Kind as DirKind
from orders.journal import get_action
from orders.models import JournalEntry, Order, OrderLine
from orders.workflow import CLOSED

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


# ---------------------------------------------------------------- values


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
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if isinstance(old, str) or isinstance(new, str):
        return (old or "") == (new or "")
    return old == new


class Change(NamedTuple):
    field: str
    old: Any
    new: Any


def _apply(
    record: models.Model, values: Mapping[str, Any], *, allowed: Iterable[str]
) -> list[Change]:
    """Set on `record` the values that differ from what it holds; return the changes.

    Any name outside `allowed` is a programming error (a form can never set the
    workshop or the version). Text is stripped, and an empty value of a text column
    is "". Nothing is saved: the caller cleans and saves with `update_fields`.
    """
    allowed = set(allowed)
    changes = []
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"cannot set {name!r} on {type(record).__name__}")
        new = value.strip() if isinstance(value, str) else value
        field = record._meta.get_field(name)
        if new is None and field.empty_strings_allowed and not field.null:
            new = ""
        old = getattr(record, name)
        if not _same(old, new):
            setattr(record, name, new)
            changes.append(Change(name, old, new))
    return changes


def _fields(changes: Iterable[Change]) -> list[str]:
    return [c.field for c in changes]


def _clean(obj, *, exclude: Iterable[str] = ()) -> None:
    # Uniqueness is the database's job (order numbers are allocated under a lock).
    obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def _sync(instance: models.Model, saved: models.Model) -> None:
    """Copy the saved state (and the related rows it loaded) onto the caller's instance."""
    for f in saved._meta.concrete_fields:
        setattr(instance, f.attname, getattr(saved, f.attname))
        if f.many_to_one and f.is_cached(saved):
            setattr(instance, f.name, getattr(saved, f.name))


# ---------------------------------------------------------------- rights and people


def _require(by: Membership, permission: str, message) -> None:
    if not role_can(by.role, permission):
        raise NotPermitted(message)


def _check_correction(order: Order, by: Membership) -> bool:
    """Whether this write to the lines or amounts of a closed (issued or cancelled) order
    is the one save of the director's open correction; refuse it otherwise. Returns
    False for an order that is not closed (nothing to consume)."""
    if order.status not in CLOSED:
        return False
    if not role_can(by.role, "orders.edit_after_issue"):
        raise NotPermitted(
            _("This order is issued: its lines and amounts can no longer be changed.")
        )
    if not order.correction:
        raise NotPermitted(
            _(
                "This order is issued: its lines and amounts are closed. To change them, "
                "use “Correct issued order” and give the reason."
            )
        )
    return True


def _consume_correction(order: Order, correcting: bool) -> tuple[str, ...]:
    """Close the correction its one save used; the fields to save with the order."""
    if not correcting:
        return ()
    order.correction = ""
    return ("correction",)


def _check_works_in(member: Membership | None, branch: Branch, field: str) -> None:
    """Someone who does not work in the order's branch could not even open it."""
    if member is None:
        return
    if not Membership.objects.filter(pk=member.pk, is_active=True).working_in([branch]).exists():
        raise ValidationError(
            {
                field: [
                    _("%(name)s does not work in the branch %(branch)s.")
                    % {"name": member.user, "branch": branch.name}
                ]
            }
        )


def _remember(workshop: Workshop, by: Membership | None, *, device=None, order=None, lines=()):
    """Feed the self-filling pick lists with what was typed: one call per save."""
    items: list[tuple] = []
    if device is not None:
        items += [(DirKind.DEVICE_TYPE, device.device_type), (DirKind.BRAND, device.brand)]
        items.append((DirKind.MODEL, device.model, None, device.brand))
    if order is not None:
        items += [(DirKind.PROBLEM, order.problem), (DirKind.PARTNER, order.partner)]
        items.append((DirKind.CONDITION, order.condition))
        items += [(DirKind.ACCESSORY, part) for part in order.accessories.split(",")]
    for line in lines:
        kind = DirKind.SERVICE if line.kind == OrderLine.LineKind.SERVICE else DirKind.GOODS
        items.append((kind, line.name, line.unit_price))
    items = [item for item in items if item[1] and item[1].strip()]
    if items:
        directory_services.remember_many(workshop=workshop, items=items, by=by)


# ---------------------------------------------------------------- versions


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("client", "device", "assignee__user")
        .get(pk=order.pk, workshop_id=order.workshop_id)
    )


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


# ---------------------------------------------------------------- the journal


def _journal_entry(
    order: Order, by: Membership | None, action: str, *, old: Any = "", new: Any = "", **text: str
) -> JournalEntry:
    """An unsaved journal line (for bulk_create); `text` is its field and subject."""
    get_action(action)  # refuse an action nobody registered
    entry = JournalEntry(
        workshop_id=order.workshop_id,
        order=order,
        version=order.version,
        by=by,
        action=action,
        old_value=_display(old),
        new_value=_display(new),
        **text,
    )
    _clean(entry, exclude=["workshop", "order", "by"])
    return entry


@transaction.atomic
def journal_record(
    *,
    order: Order,
    by: Membership | None,
    action: str,
    field: str = "",
    subject: str = "",
    old: Any = "",
    new: Any = "",
) -> JournalEntry:
    """Write one line of the order's journal, stamped with the order's version.

    `action` is a name registered in orders.journal ("cashdesk.payment"); an unknown
    one raises orders.journal.UnknownAction. `subject` says what the action was about
    (a line's name, a document's title), `field` the order field it concerns, and
    `old`/`new` the values, stored raw (amounts as "1500.00", dates in ISO form) for
    the card to format in the reader's language.
    """
    entry = _journal_entry(order, by, action, field=field, subject=subject, old=old, new=new)
    entry.save()
    return entry
