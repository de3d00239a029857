"""The order journal's actions: a registry other apps add to, and the words for each.

## The audit story: three trails, one job each

- **An app's own ledger is the truth of what it counts.** The cash desk's cash
  entries and the warehouse's stock movements are append-only rows: a correction
  is a reversing row that names the one it reverses, a total is a sum of rows. The
  ledger is its own history: no django-simple-history on it, no journal line per
  row of it.
- **The order journal (`JournalEntry`) says in words what people did to an order**,
  for the people at its card: one line per user action (a field changed, a move, a
  line added, a payment taken, a document printed), with who, when and the order
  version it produced, so a refused stale save can list exactly what happened since.
  It is append-only and written only through `orders.services.journal_record()`
  (the orders services call it next to every change they make). Values are stored
  raw and language-neutral; the card renders them in the reader's language and
  time zone.
- **django-simple-history keeps every saved version of the rows people edit**
  (clients, devices, orders, order lines, directory entries), with the user. The
  client, device and directory-entry pages show it, diffing consecutive records
  with `diff_against()`. It does not see `QuerySet.update()` or `bulk_*`: write
  audited models through `save()` or the `*_with_history` helpers. A client's
  details typed on the order card are both an order-journal line (they happened on
  that order) and a history record of the client; typed on the client card they
  are history only.

So a new app that acts on an order writes, in one transaction, its own ledger row
and **one** order-journal line through `journal_record(action="<app>.<verb>")`;
never `JournalEntry` directly. `journal_record()` does not move the order's version:
a change to the order itself goes through an orders service, which does.

## Registering an action

Call `register_action()` from the app's `AppConfig.ready()`, with a name prefixed by
the app (`"cashdesk.payment"`, `"documents.printed"`), a lazy label ("took a
payment"), and optionally `describe(entry)`, which returns the entry's words (text,
or HTML built with `format_html`; it runs on every journal render, so no queries).
Without it the journal shows the label followed by the entry's subject, field and
values. `journal_record()` refuses a name nobody registered; an old entry whose app
is gone shows its stored name rather than breaking the card.

The actions orders writes itself are registered below under their historical,
unprefixed names (`Builtin`), which are what existing rows store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from orders.models import JournalEntry

NAME_MAX_LENGTH = 64  # JournalEntry.action
_NAMESPACED = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*")
# A changed field's values are cut to this many characters in the journal.
VALUE_CHARS = 120


class Builtin(StrEnum):
    """The actions orders writes itself; the names stored before actions were open."""

    CREATED = "created"
    CHANGED = "changed"
    TRANSITION = "transition"
    LINE_ADDED = "line_added"
    LINE_CHANGED = "line_changed"
    LINE_REMOVED = "line_removed"
    DELETED = "deleted"
    RESTORED = "restored"
    CORRECTION = "correction"  # the director opened a correction of an issued order


class UnknownAction(LookupError):
    pass


@dataclass(frozen=True)
class JournalAction:
    name: str
    label: Any  # lazy text, in the reader's language when rendered
    describe: Callable[[JournalEntry], str] | None = None


_ACTIONS: dict[str, JournalAction] = {}


def register_action(
    name: str, label: Any, *, describe: Callable[[JournalEntry], str] | None = None
) -> JournalAction:
    """Add (or replace, by name) an action other apps write to order journals."""
    if len(name) > NAME_MAX_LENGTH or not _NAMESPACED.fullmatch(name):
        raise ValueError(
            f"Journal action {name!r} needs an app prefix, e.g. 'cashdesk.payment' "
            f"(lowercase, at most {NAME_MAX_LENGTH} characters)."
        )
    return _register(name, label, describe)


def unregister_action(name: str) -> None:
    if name in {b.value for b in Builtin}:
        raise ValueError(f"{name!r} is one of orders' own journal actions.")
    _ACTIONS.pop(name, None)


def get_action(name: str) -> JournalAction:
    """The registered action `name`; UnknownAction if no app registered it."""
    try:
        return _ACTIONS[name]
    except KeyError:
        raise UnknownAction(
            f"Unknown journal action {name!r}; register it with "
            "orders.journal.register_action() in your AppConfig.ready()."
        ) from None


def render_entry(entry: JournalEntry) -> SafeString:
    """The entry's action in words, as HTML (values escaped)."""
    action = _ACTIONS.get(entry.action)
    if action is None:
        return conditional_escape(entry.action)  # written by an app that is gone
    if action.describe is None:
        return _label_and_details(entry, action)
    return conditional_escape(action.describe(entry))


def _register(name: str, label: Any, describe) -> JournalAction:
    action = JournalAction(name, label, describe)
    _ACTIONS[name] = action
    return action


# The card's describe() gives entries their labels and values in the reader's format;
# an entry rendered without it shows the stored ones.


def field_label(entry: JournalEntry) -> str:
    return getattr(entry, "field_label", None) or entry.field


def old_display(entry: JournalEntry) -> str:
    return getattr(entry, "old_display", entry.old_value)


def new_display(entry: JournalEntry) -> str:
    return getattr(entry, "new_display", entry.new_value)


def _label_and_details(entry: JournalEntry, action: JournalAction) -> SafeString:
    words = conditional_escape(action.label)
    if entry.subject:
        words = format_html("{} “{}”", words, entry.subject)
    if entry.field:
        words = format_html("{}, <em>{}</em>", words, field_label(entry))
    old, new = old_display(entry), new_display(entry)
    if old and new:
        return format_html('{}: <q class="old">{}</q> → <q class="new">{}</q>', words, old, new)
    if old or new:
        return format_html("{}: <q>{}</q>", words, old or new)
    return words


def _cut(value: str) -> str:
    value = value or "—"
    # Truncator only for the rare long value: it costs more than the rest of an entry.
    return value if len(value) <= VALUE_CHARS else Truncator(value).chars(VALUE_CHARS)


def _changed(entry: JournalEntry) -> SafeString:
    return format_html(
        '{} <em>{}</em>: <q class="old">{}</q> → <q class="new">{}</q>',
        gettext("changed"),
        field_label(entry),
        _cut(old_display(entry)),
        _cut(new_display(entry)),
    )


def _transition(entry: JournalEntry) -> SafeString:
    return format_html(
        "{} <q>{}</q> → <q>{}</q>", gettext("moved"), old_display(entry), new_display(entry)
    )


def _line_changed(entry: JournalEntry) -> SafeString:
    return format_html(
        '{}, <em>{}</em>: <q class="old">{}</q> → <q class="new">{}</q>',
        gettext("changed the line “%(name)s”") % {"name": entry.subject},
        field_label(entry),
        old_display(entry) or "—",
        new_display(entry) or "—",
    )


def _line_added(entry: JournalEntry) -> SafeString:
    words = gettext("added the line “%(name)s”") % {"name": entry.subject}
    return format_html("{} ({})", words, entry.new_value)


def _line_removed(entry: JournalEntry) -> SafeString:
    words = gettext("removed the line “%(name)s”") % {"name": entry.subject}
    return format_html("{} ({})", words, entry.old_value)


def _correction(entry: JournalEntry) -> SafeString:
    return format_html(
        "{}: <q>{}</q>", gettext("opened a correction of the issued order"), entry.new_value
    )


_register(Builtin.CREATED, _("created the order"), None)
_register(Builtin.CHANGED, _("changed"), _changed)
_register(Builtin.TRANSITION, _("moved"), _transition)
_register(Builtin.LINE_ADDED, _("added a line"), _line_added)
_register(Builtin.LINE_CHANGED, _("changed a line"), _line_changed)
_register(Builtin.LINE_REMOVED, _("removed a line"), _line_removed)
_register(Builtin.DELETED, _("deleted the order"), None)
_register(Builtin.RESTORED, _("restored the order"), None)
_register(Builtin.CORRECTION, _("opened a correction"), _correction)
