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
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orders.journal import Builtin
from orders.models import Client, Device, JournalEntry, Order, OrderLine
from orders.workflow import Status
from workshop.lib.money import MoneyField, format_money

# Card form fields named "<prefix>_<model field>" edit the order's client or device.
_PREFIXED = {"client_": Client, "device_": Device}


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
