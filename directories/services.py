"""Writes to the directories: remembering typed values, renaming, merging, hiding, deleting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User, Workshop
from directories.models import PRICED_KINDS, VALUE_MAX_LENGTH, Entry, Kind, clean_value, fold
from workshop.lib.money import to_decimal


class DirectoryError(Exception):
    """A refused change to a directory; the message is meant for the user."""


@dataclass(frozen=True)
class _Item:
    kind: str
    value: str
    key: str
    parent: str
    parent_key: str
    price: Decimal | None

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.kind, self.parent_key, self.key)


def _item(kind: str, value: str, price=None, parent: str = "") -> _Item | None:
    if kind not in Kind.values:
        raise ValueError(f"Unknown directory kind {kind!r}")
    value = clean_value(value)
    key = fold(value)
    if not key:
        return None
    # Only models hang under a parent (their brand); other kinds ignore one if passed.
    parent = clean_value(parent) if kind == Kind.MODEL else ""
    price = to_decimal(price) if price is not None and kind in PRICED_KINDS else None
    return _Item(kind, value, key, parent, fold(parent), price)


def _user(by) -> User | None:
    """Accept a User or a Membership as the author of a change."""
    return getattr(by, "user", by)


def remember(
    *,
    workshop: Workshop,
    kind: str,
    value: str,
    price: Decimal | None = None,
    parent: str = "",
    by=None,
) -> Entry | None:
    """Remember one typed value; no-op (None) for empty or whitespace-only text.

    A value already known (compared by its folded key) keeps its first spelling; its use
    count and last-used time go up and, for services and goods, `price` becomes its last
    price. For Kind.MODEL, `parent` is the brand. A value that was merged into another
    entry counts for that entry, which is returned.
    """
    item = _item(kind, value, price, parent)
    if item is None:
        return None
    return _remember_items(workshop, [item], by)[item.ident]


def remember_many(
    *,
    workshop: Workshop,
    items: Iterable[Sequence],
    by=None,
) -> None:
    """Remember several values in one go, e.g. everything a saved order used.

    Each item is `(kind, value)`, optionally followed by a price and a parent:
    `(kind, value, price)` or `(kind, value, price, parent)`. Empty values are skipped;
    one SELECT finds the known ones, new ones are created in bulk.
    """
    parsed = [_item(*item) for item in items]
    parsed = [item for item in parsed if item is not None]
    if parsed:
        _remember_items(workshop, parsed, by)


def _remember_items(workshop: Workshop, items: list[_Item], by) -> dict[tuple, Entry]:
    # Several mentions of the same value in one save count once, with the first spelling
    # and the last price given.
    wanted: dict[tuple, _Item] = {}
    for item in items:
        previous = wanted.get(item.ident)
        if previous is not None:
            price = item.price if item.price is not None else previous.price
            item = _Item(**{**previous.__dict__, "price": price})
        wanted[item.ident] = item
    with transaction.atomic():
        try:
            # A savepoint: a concurrent insert of the same value rolls back only this try.
            with transaction.atomic():
                return _remember_once(workshop, wanted, by)
        except IntegrityError:
            # Someone else created one of these values between our SELECT and INSERT;
            # the second pass finds it and only bumps it.
            return _remember_once(workshop, wanted, by)


def _remember_once(workshop: Workshop, wanted: dict[tuple, _Item], by) -> dict[tuple, Entry]:
    now = timezone.now()
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, parent_key, key in wanted:
        groups.setdefault((kind, parent_key), []).append(key)
    condition = Q()
    for (kind, parent_key), keys in groups.items():
        condition |= Q(kind=kind, parent_key=parent_key, key__in=keys)
    found = {
        (entry.kind, entry.parent_key, entry.key): entry
        for entry in Entry.objects.filter(workshop=workshop)
        .filter(condition)
        .select_related("merged_into")
    }
    result: dict[tuple, Entry] = {}
    to_update: dict[int, tuple[Entry, _Item]] = {}
    to_create: list[Entry] = []
    for ident, item in wanted.items():
        entry = found.get(ident)
        if entry is None:
            entry = Entry(
                workshop=workshop,
                kind=item.kind,
                value=item.value,
                key=item.key,
                parent=item.parent,
                parent_key=item.parent_key,
                last_price=item.price,
                use_count=1,
                last_used_at=now,
            )
            to_create.append(entry)
        else:
            # A merged-away spelling keeps counting for the entry it was merged into.
            entry = entry.merged_into or entry
            to_update[entry.pk] = (entry, item)
        result[ident] = entry
    if to_update:
        counts = {}
        for entry, item in to_update.values():
            counts[entry.pk] = entry.use_count + 1
            entry.use_count = F("use_count") + 1
            entry.last_used_at = now
            if item.price is not None:
                entry.last_price = item.price
        # Use counts are bookkeeping, not edits: bulk_update keeps them out of the journal.
        Entry.objects.bulk_update(
            [entry for entry, _unused in to_update.values()],
            ["use_count", "last_used_at", "last_price"],
        )
        for entry, _unused in to_update.values():
            # What the row now holds, unless another save bumped it at the same moment.
            entry.use_count = counts[entry.pk]
    if to_create:
        bulk_create_with_history(to_create, Entry, default_user=_user(by))
    return result


def _check_value(value: str) -> tuple[str, str]:
    cleaned = clean_value(value)
    key = fold(cleaned)
    if not key:
        raise DirectoryError(_("Enter a value."))
    if len(" ".join(str(value).split())) > VALUE_MAX_LENGTH:
        raise DirectoryError(
            _("Keep it to %(limit)d characters or fewer.") % {"limit": VALUE_MAX_LENGTH}
        )
    return cleaned, key


def _set_user(entry: Entry, by) -> None:
    entry._history_user = _user(by)


def entry_rename(*, entry: Entry, value: str, by=None) -> Entry:
    """Give an entry a new spelling; refused if another entry already has that text."""
    cleaned, key = _check_value(value)
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(workshop=entry.workshop, pk=entry.pk)
        if key != entry.key:
            clash = Entry.objects.filter(
                workshop=entry.workshop, kind=entry.kind, parent_key=entry.parent_key, key=key
            ).first()
            if clash is not None:
                raise DirectoryError(
                    _("“%(value)s” is already in this directory; merge the two instead.")
                    % {"value": clash.value}
                )
        old_key = entry.key
        entry.value = cleaned
        entry.key = key
        entry.full_clean(exclude=["workshop", "merged_into"])
        _set_user(entry, by)
        entry.save()
        if entry.kind == Kind.BRAND and old_key != entry.key:
            _move_models(entry.workshop, from_key=old_key, to=entry, by=by)
    return entry


def entry_merge(*, source: Entry, target: Entry, by=None) -> Entry:
    """Fold `source` into `target`: it leaves the suggestions and its uses count for target.

    Orders keep the text they were saved with (they store text, not links); the source
    row stays, pointing at the target, so typing the old spelling counts for the target.
    """
    if source.workshop_id != target.workshop_id or source.kind != target.kind:
        raise DirectoryError(_("Only entries of the same directory can be merged."))
    if source.pk == target.pk:
        raise DirectoryError(_("Choose a different entry to merge into."))
    with transaction.atomic():
        locked = {
            e.pk: e
            for e in Entry.objects.select_for_update().filter(
                workshop=source.workshop, pk__in=[source.pk, target.pk]
            )
        }
        source, target = locked[source.pk], locked[target.pk]
        if target.merged_into_id is not None:
            raise DirectoryError(_("That entry was itself merged away; pick the one it went to."))
        if source.merged_into_id is not None:
            raise DirectoryError(_("This entry has already been merged."))
        target.use_count += source.use_count
        if source.last_used_at and (
            target.last_used_at is None or source.last_used_at > target.last_used_at
        ):
            target.last_used_at = source.last_used_at
            if source.last_price is not None:
                target.last_price = source.last_price
        if target.last_price is None:
            target.last_price = source.last_price
        _set_user(target, by)
        target.save()
        # Spellings merged into the source before now follow it to the target.
        for earlier in Entry.objects.filter(workshop=source.workshop, merged_into=source):
            earlier.merged_into = target
            _set_user(earlier, by)
            earlier.save()
        source.merged_into = target
        _set_user(source, by)
        source.save()
        if source.kind == Kind.BRAND:
            _move_models(source.workshop, from_key=source.key, to=target, by=by)
    return target


def _move_models(workshop: Workshop, *, from_key: str, to: Entry, by) -> None:
    """Models remembered under a renamed or merged brand follow it to its new spelling."""
    models = list(
        Entry.objects.filter(workshop=workshop, kind=Kind.MODEL, parent_key=from_key).order_by("id")
    )
    existing = {
        e.key: e
        for e in Entry.objects.filter(
            workshop=workshop, kind=Kind.MODEL, parent_key=to.key, key__in=[m.key for m in models]
        )
    }
    for model in models:
        twin = existing.get(model.key)
        if twin is not None and twin.pk != model.pk:
            if model.merged_into_id is None and twin.merged_into_id is None:
                entry_merge(source=model, target=twin, by=by)
            # The old brand's row stays (it still holds the spelling); only the key moves
            # would clash, so it keeps its parent.
            continue
        model.parent = to.value
        _set_user(model, by)
        model.save()


def entry_hide(*, entry: Entry, hidden: bool = True, by=None) -> Entry:
    """Stop (or start again) offering an entry while typing; it stays in the directory."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(workshop=entry.workshop, pk=entry.pk)
        if entry.is_hidden != hidden:
            entry.is_hidden = hidden
            _set_user(entry, by)
            entry.save()
    return entry


def entry_delete(*, entry: Entry, by=None) -> None:
    """Remove an entry for good (the journal keeps a record of it).

    Typing the value again later remembers it afresh; hide it to keep it out for good.
    """
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(workshop=entry.workshop, pk=entry.pk)
        # Spellings merged into it would otherwise lose their target silently.
        for earlier in Entry.objects.filter(workshop=entry.workshop, merged_into=entry):
            _set_user(earlier, by)
            earlier.delete()
        _set_user(entry, by)
        entry.delete()
