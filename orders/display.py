"""Values shown to people, formatted by the model field's type, in one place.

The journal stores raw, language-neutral text (ISO dates, plain decimals); this module
formats those and live values in the reader's language and time zone. The journal uses
it now, and the documents' sandbox context uses `format_value()` for its plain strings,
so a date or a sum reads the same on the card, in the journal and on a printed receipt.
The formatter is picked from the model field (MoneyField, DateField, DateTimeField,
choices), never from the field's name, so a new field is formatted without an edit here.
"""

from __future__ import annotations

import datetime
import functools
import html
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from orders.journal import Builtin
from orders.models import Client, Device, JournalEntry, Order, OrderLine
from orders.workflow import Status
from workshop.lib.money import MoneyField, format_money
from workshop.lib.phones import format_phone

# Card form fields named "<prefix>_<model field>" edit the order's client or device.
_PREFIXED = {"client_": Client, "device_": Device}


@functools.lru_cache(maxsize=1024)
def model_field(name: str, model: type[models.Model] = Order) -> models.Field | None:
    """The model field behind a card or line field name ("device_serial", "unit_price")."""
    for prefix, prefixed_model in _PREFIXED.items():
        if name.startswith(prefix):
            model, name = prefixed_model, name.removeprefix(prefix)
            break
    for candidate in (model, OrderLine) if model is Order else (model,):
        try:
            return candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def format_value(value: Any, field: models.Field | None = None) -> str:
    """A live value as people read it: money, dates, choices, people; "" for empty."""
    if value is None or value == "":
        return ""
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, MoneyField) or isinstance(value, Decimal):
        return format_money(Decimal(value))
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):  # journal entries written before values were stored raw
            value = timezone.make_aware(value)
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _parse(raw: str, field: models.Field | None) -> Any:
    if isinstance(field, MoneyField):
        return Decimal(raw)
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat(raw)
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(raw)
    return raw


def format_raw(name: str, raw: str, model: type[models.Model] = Order) -> str:
    """A stored journal value of field `name` in the reader's format; as stored if it
    does not parse (values written by older code)."""
    if not raw:
        return ""
    field = model_field(name, model)
    try:
        return format_value(_parse(raw, field), field)
    except (ValueError, ArithmeticError):
        return raw


def _line_summary(raw: str) -> str:
    """A line as the journal stores it on add and remove: "qty × price"."""
    try:
        quantity, price = raw.split(" × ")
        return f"{int(quantity)} × {format_money(Decimal(price))}"
    except (ValueError, ArithmeticError):
        return raw


def _status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


# Journal actions whose values are a whole line ("qty × price"), not one field.
_LINE_SUMMARIES = frozenset({Builtin.LINE_ADDED, Builtin.LINE_REMOVED})


def describe(entries: list[JournalEntry], labels: dict[str, str]) -> list[JournalEntry]:
    """Give journal entries their field labels and values in the reader's language."""
    for e in entries:
        e.field_label = labels.get(e.field, e.field)
        if e.field == "status":
            e.old_display, e.new_display = _status_label(e.old_value), _status_label(e.new_value)
        elif e.action in _LINE_SUMMARIES:
            e.old_display, e.new_display = _line_summary(e.old_value), _line_summary(e.new_value)
        else:
            model = OrderLine if e.action == Builtin.LINE_CHANGED else Order
            e.old_display = format_raw(e.field, e.old_value, model)
            e.new_display = format_raw(e.field, e.new_value, model)
    return entries


# ---------------------------------------------------------------- the Work list rows


@functools.lru_cache(maxsize=8192)
def phone_shown(e164: str) -> str:
    """A stored phone as people read it; parsed once per number and process (the Work
    page showed 50 and parsed each on every request)."""
    return format_phone(e164)


def truncated(text: str, length: int) -> str:
    """`truncatechars`: the text, or its first characters and "…" (Django's Truncator,
    called only when the text is longer, which is the rare case)."""
    if len(text) <= length:
        return text
    return Truncator(text).chars(length)


class _DateFormat:
    """`dateformat.format(value, fmt)` with the format split once (Django splits it on
    every call) and each value formatted once per page."""

    def __init__(self, fmt: str):
        self.pieces = [
            (bool(i % 2), piece if i % 2 else dateformat.re_escaped.sub(r"\1", piece))
            for i, piece in enumerate(dateformat.re_formatchars.split(str(fmt)))
            if piece
        ]
        self.seen: dict = {}

    def __call__(self, value) -> str:
        if value in self.seen:
            return self.seen[value]
        data = dateformat.DateFormat(value)
        text = "".join(str(getattr(data, p)()) if code else p for code, p in self.pieces)
        self.seen[value] = text
        return text


class _Units(dict):
    """timesince()'s unit strings ("%(num)d day" / "days"), each number translated once
    per language and process instead of through a lazy ngettext on every row."""

    class _Unit:
        def __init__(self, name: str):
            self.name = name

        def __mod__(self, values):
            return _unit_text(self.name, values["num"], get_language())

    def __init__(self):
        super().__init__((name, self._Unit(name)) for name in TIME_STRINGS)


@functools.lru_cache(maxsize=4096)
def _unit_text(name: str, num: int, language: str) -> str:
    return str(TIME_STRINGS[name] % {"num": num})


_WEEK, _DAY, _HOUR = 7 * 86400, 86400, 3600
_SINCE_UNITS = ("week", "day", "hour", "minute")


class _Since:
    """`timesince(value, now)` for many values. Under four weeks no month boundary can
    count (Django's months start at 28 days), so the text follows from the seconds
    alone and is built here from the same unit strings, two adjacent units at most, as
    Django does; older values go through Django's timesince. A test compares both."""

    def __init__(self, now):
        self.now = now
        self.units = _Units()
        self.language = get_language()
        self.comma = _(", ")

    def unit(self, name: str, num: int) -> str:
        return _unit_text(name, num, self.language).replace(" ", "\xa0")  # avoid_wrapping

    def __call__(self, value) -> str:
        delta = self.now - value
        since = delta.days * _DAY + delta.seconds
        if since >= 4 * _WEEK:
            return timesince(value, self.now, time_strings=self.units)
        if since < 60:  # the future too, as timesince says it
            return self.unit("minute", 0)
        parts = (since // _WEEK, since % _WEEK // _DAY, since % _DAY // _HOUR, since % _HOUR // 60)
        i = next(i for i, n in enumerate(parts) if n)
        text = self.unit(_SINCE_UNITS[i], parts[i])
        if i < 3 and parts[i + 1]:
            text += self.comma + self.unit(_SINCE_UNITS[i + 1], parts[i + 1])
        return text


@functools.lru_cache(maxsize=8192)
def _money(value: Decimal, language: str) -> str:
    return format_money(value)


def money_shown(value: Decimal) -> str:
    """A sum with two decimals and grouped thousands in the reader's language, a
    negative one with the minus sign (`format_money`, as the cash desk shows money);
    each sum formatted once per language and process."""
    return _money(value, get_language())


class _Urls:
    """A URL pattern ending in one integer, reversed once; each row appends its number."""

    def __init__(self, name: str, kwarg: str):
        url = reverse(name, kwargs={kwarg: 9})
        self.head, self.tail = url.rsplit("9", 1)

    def __call__(self, value: int) -> str:
        return f"{self.head}{int(value)}{self.tail}"


def work_rows_html(rows, *, columns, search: bool, clients_delete: bool, now) -> SafeString:
    """The Work list's rows (the <tr>s of its table; `selectors.WorkRow`s), rendered in
    Python.

    The template loop over 50 rows cost most of the page (a few thousand variable
    lookups, a reverse() and several filters per row); here the URLs are reversed once
    per page and each display value is computed once. Every value goes through
    conditional_escape (extension cells may be safe HTML, as in a template)."""
    e = html.escape  # our own plain strings; extension cells: conditional_escape
    card = _Urls("orders:card", "order_number")
    client_url = _Urls("orders:client", "client_id")
    short_date = _DateFormat(get_format("SHORT_DATE_FORMAT"))
    short_datetime = _DateFormat(get_format("SHORT_DATETIME_FORMAT"))
    full_datetime = _DateFormat(get_format("DATETIME_FORMAT"))
    since = _Since(now)
    language = since.language
    tz = timezone.get_current_timezone()  # once: localtime() looks it up on every call
    walk_in = e(_("walk-in"))
    numeric_cells = [' class="num"' if c.numeric else "" for c in columns]
    out = []
    for o in rows:
        href = card(o.number)
        client = o.client
        if client is not None:
            name = client.name
            if not client.is_deleted or clients_delete:
                shown = (
                    f'<a href="{client_url(o.client_id)}" class="client-link">'
                    f"{e(truncated(name or '—', 40))}</a>"
                )
            else:
                shown = e(truncated(name, 40))
            client_cell = (
                f'{shown}<br><span class="muted nowrap">{e(phone_shown(client.phone))}</span>'
            )
        else:
            client_cell = f'<span class="muted">{walk_in}</span>'
        device = ""
        if o.visit_at or o.address:
            visit = ""
            if o.visit_at:
                when = short_datetime(o.visit_at.astimezone(tz))
                visit = f"<strong>{e(when)}</strong>"
            if o.visit_at and o.address:
                visit += " · "
            device = f'<span class="visit nowrap">{visit}{e(truncated(o.address, 60))}</span><br>'
        if o.device_id:
            device += f"{e(truncated(o.device, 40))}<br>"
        if o.problem or device:
            device += f'<span class="muted">{e(truncated(o.problem, 60))}</span>'
        else:
            # A sale has no device, visit or problem: a dash, not an empty cell (and on a
            # phone not a label with nothing after it).
            device = '<span class="muted">—</span>'
        status = ""
        if search:
            status = (
                f'<span class="status status--{e(o.status)}">{e(o.get_status_display())}</span><br>'
            )
        if changed := o.status_changed_at:
            status += (
                f'<span class="muted nowrap" title="{e(full_datetime(changed.astimezone(tz)))}">'
                f"{e(since(changed))}</span>"
            )
        assignee = o.assignee_name
        late = getattr(o, "overdue_days", 0)
        if o.due_date:
            due = e(short_date(o.due_date))
            if late:
                text = ngettext("%(days)s day late", "%(days)s days late", late) % {"days": late}
                due += f"<br><small>{e(text)}</small>"
        else:
            due = '<span class="muted">—</span>'
        cells = [
            f'<tr class="is-link" data-href="{href}">',
            f'<td><a href="{href}"><strong>{o.number}</strong></a></td>',
            f'<td class="hide-sm nowrap">{e(short_date(o.created_at.astimezone(tz)))}</td>',
            f"<td>{client_cell}</td>",
            f"<td>{device}</td>",
            f"<td>{status}</td>",
            f"<td>{e(assignee or '—')}</td>",
            f'<td class="nowrap{" overdue" if late else ""}">{due}</td>',
            f'<td class="num">{e(_money(o.total, language))}</td>',
        ]
        for numeric, (_column, cell) in zip(numeric_cells, o.extra_cells, strict=True):
            cells.append(f"<td{numeric}>{conditional_escape(cell)}</td>")
        cells.append("</tr>")
        out.append("".join(cells))
    return mark_safe("\n".join(out))  # noqa: S308 (every value above is escaped)


def work_tabs_html(tabs, *, current, all_open: str, open_count: int, query: str) -> SafeString:
    """The Work page's tab links with their counts (the "All open" tab first), in
    Python like the rows: the template loop was a twentieth of the page. `query` is
    what every link carries after its tab (the branch, "mine"), already URL-encoded."""
    e = html.escape
    out = []
    for tab, label, count in [(all_open, _("All open"), open_count)] + [
        (t, t.label, n) for t, n in tabs
    ]:
        classes = "tab tab--all" if tab == all_open else "tab"
        here = tab == current
        if here:
            classes += " tab--current"
        if not count:
            classes += " tab--empty"
        badge = "badge badge--on" if count else "badge"
        out.append(
            f'<a class="{classes}" href="?tab={e(str(tab))}{query}"'
            + (' id="tab-all"' if tab == all_open else "")
            + (' aria-current="page"' if here else "")
            + f'>{e(str(label))} <span class="{badge}">{count}</span></a>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 (every value above is escaped)


@functools.lru_cache(maxsize=16)
def _line_labels(language: str) -> dict[str, str]:
    """The line row's cell headings (data-label, for the phone's stacked layout) and its
    button title, escaped, once per language."""
    names = {
        "kind": _("Type"),
        "name": _("Item"),
        "qty": _("Qty"),
        "price": _("Price"),
        "by": _("Performed / sold by"),
        "sum": _("Sum"),
        "edit": _("Edit the line"),
    }
    return {key: html.escape(str(text)) for key, text in names.items()}


def line_row_html(line, *, editable: bool, error=None) -> SafeString:
    """A read-only line of the card (its `.price_shown`, `.total_shown`,
    `.performer_name`, `.update_url` set by the card view), in Python like the Work
    rows: twenty lines through the template loop were most of a busy card's extra time.
    `error`: the message to show under this line (a refused edit or removal)."""
    e = html.escape
    label = _line_labels(get_language())
    pk = int(line.pk)
    button = ""
    if editable:
        button = (
            f'<a class="btn btn--small btn--edit-line" href="?edit={pk}#line-{pk}"'
            f' hx-get="{e(line.update_url)}" hx-target="#line-{pk}" hx-swap="outerHTML"'
            f' title="{label["edit"]}" aria-label="{label["edit"]}">✎</a>'
        )
    shown = ""
    if error is not None:
        shown = (
            '<div class="field__error line-row__error" role="alert">'
            f"{conditional_escape(error)}</div>"
        )
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<div class="line-row line-row--static" id="line-{pk}">'
        f'<span data-label="{label["kind"]}">{e(str(line.get_kind_display()))}</span>'
        f'<span data-label="{label["name"]}">{e(line.name)}</span>'
        f'<span class="num" data-label="{label["qty"]}">{e(str(localize(line.quantity)))}</span>'
        f'<span class="num" data-label="{label["price"]}">{e(line.price_shown)}</span>'
        f'<span data-label="{label["by"]}">{e(line.performer_name or "—")}</span>'
        f'<span class="num line-total" data-label="{label["sum"]}">{e(line.total_shown)}</span>'
        f'<span class="line-buttons">{button}</span>{shown}</div>'
    )


def journal_rows_html(entries) -> SafeString:
    """The card's journal entries (<li>s; `selectors.journal_page`'s, with `by_name`), as
    orders/_journal_entry.html renders each, in Python: a page of 30 entries was 30
    template includes, most of a busy card."""
    e = html.escape
    short = _DateFormat(get_format("SHORT_DATETIME_FORMAT"))
    full = _DateFormat(get_format("DATETIME_FORMAT"))
    someone = _("someone")
    out = []
    for entry in entries:
        at = timezone.localtime(entry.at)
        who = entry.by_name or someone  # selectors.journal_page reads the name alone
        out.append(
            f'<li class="journal__entry"><span class="journal__when" title="{e(full(at))}">'
            f"{e(short(at))}</span>\n"
            f'<span class="journal__who">{e(who)}</span>\n'
            f'<span class="journal__what">{conditional_escape(entry.what)}</span>\n</li>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
