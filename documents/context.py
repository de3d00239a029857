"""The sandbox context of a document: plain strings, numbers, lists and dicts made from
one order, its client, device, lines and payments, the workshop and the branch.

Read through the ORM here, in the web request; what leaves this module is only plain
values (documents/variables.py lists every key), formatted for people by
orders.display.format_value, the one formatter the card and the journal use too.
No model instance, queryset, setting or request ever reaches a template.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache
from importlib import import_module
from typing import Any

import segno
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import ngettext

from documents.types import DocumentType, Facts
from documents.words import amount_in_words
from orders import display
from orders.models import JournalEntry, Order, OrderLine
from orders.workflow import Status

ZERO = Decimal("0.00")
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴"}


def fmt(value: Any, model=None, name: str | None = None) -> str:
    """A value as people read it, by its model field's type (money, dates, choices)."""
    field = None
    if model is not None and name is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
    return display.format_value(value, field)


def _person(membership) -> str:
    if membership is None:
        return ""
    return membership.user.full_name or membership.user.email


def has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def device_detail(order: Order, name: str) -> str:
    """The device's condition or accessories as taken in: read in this one place, so
    moving them from the device onto the order is a one-line change."""
    if has_field(Order, name):
        return getattr(order, name) or ""
    return (getattr(order.device, name, "") or "") if order.device else ""


def warranty_text(obj) -> str:
    """A warranty period as printed: the order's `warranty_days` ("90 days"), or a
    `warranty` text or `warranty_months` number where an order or a line has one (the
    document samples do); "" when none is set."""
    value = getattr(obj, "warranty", None)
    if value not in (None, ""):
        return str(value)
    days = getattr(obj, "warranty_days", None)
    if days:
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    months = getattr(obj, "warranty_months", None)
    if months:
        return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}
    return ""


def _lines_warranty(lines) -> str:
    periods = list(dict.fromkeys(w for w in (warranty_text(line) for line in lines) if w))
    return "; ".join(periods)


def order_warranty(order: Order, lines) -> str:
    return warranty_text(order) or _lines_warranty(lines)


@lru_cache(maxsize=512)
def qr_data_uri(text: str) -> str:
    """A QR code (never a Micro QR, which phone cameras do not read) as an SVG data URI."""
    return segno.make_qr(text).svg_data_uri(scale=4, border=2)


def status_url(order: Order) -> str:
    """The order's public status page, when the notifications app is installed (it owns
    the links; documents never imports it)."""
    if not apps.is_installed("notifications"):
        return ""
    return import_module("notifications.links").status_url(order)


def _payments(order: Order, *, listed: bool = True) -> tuple[list[dict], Decimal]:
    """The order's payments as {kind, method, amount, at} and what was paid in all.

    From the cash desk when it is installed (its selectors' `order_payments`/`order_paid`,
    or `order_money`; only the sum, `paid_for`, when the document lists no payments);
    without it, the prepayment recorded on the order.
    """
    if apps.is_installed("cashdesk"):
        try:
            selectors = import_module("cashdesk.selectors")
        except ImportError:
            selectors = None
        if selectors is not None and not listed and hasattr(selectors, "paid_for"):
            return [], selectors.paid_for(order.workshop, [order.pk]).get(order.pk, ZERO)
        if selectors is not None and hasattr(selectors, "order_payments"):
            rows = list(selectors.order_payments(order))
            if hasattr(selectors, "order_paid"):
                paid = selectors.order_paid(order)
            else:
                paid = sum((r["amount"] for r in rows), ZERO)
            return rows, paid
        if selectors is not None and hasattr(selectors, "order_money"):
            money = selectors.order_money(order)
            kinds = getattr(import_module("cashdesk.models"), "ORDER_KINDS", None)
            rows = [
                {
                    "kind": entry.get_kind_display(),
                    "method": entry.get_method_display(),
                    "amount": entry.amount,
                    "at": entry.at,
                }
                for entry in money.entries
                if kinds is None or entry.kind in kinds
            ]
            return rows, money.paid
    prepayment = getattr(order, "prepayment", None)
    if prepayment:
        return [{"kind": "", "method": "", "amount": prepayment, "at": None}], prepayment
    return [], ZERO


def _line(line: OrderLine, number: int) -> dict:
    return {
        "number": number,
        "kind": fmt(line.kind, OrderLine, "kind"),
        "name": line.name,
        "quantity": line.quantity,
        "price": fmt(line.unit_price, OrderLine, "unit_price"),
        "total": fmt(line.total, OrderLine, "unit_price"),
        "performer": _person(line.performer),
        "warranty": warranty_text(line),
    }


def _bill(order: Order, lines_total: Decimal) -> Decimal:
    bill = getattr(order, "total", None) if has_field(Order, "total") else None
    return bill if isinstance(bill, Decimal) else lines_total


def _money(amount: Decimal | None) -> str:
    return display.format_value(amount) if amount is not None else ""


def _local_date(value: datetime.datetime | None) -> str:
    return fmt(timezone.localdate(value)) if value else ""


def document_meta(doc_type: DocumentType, *, number: str, date: datetime.datetime) -> dict:
    return {"title": str(doc_type.title), "number": number, "date": _local_date(date)}


def build_context(
    order: Order,
    *,
    lines: list[OrderLine],
    payments: list[dict],
    paid: Decimal,
    document: dict,
    now: datetime.datetime | None = None,
) -> dict:
    """The whole context (every group of documents/variables.py) as plain values."""
    lang = translation.get_language() or "ru"
    currency = order.workshop.currency or "RUB"

    def words(amount: Decimal | None) -> str:
        return amount_in_words(amount, currency, lang) if amount is not None else ""

    goods = [ln for ln in lines if ln.kind == OrderLine.LineKind.GOODS]
    services = [ln for ln in lines if ln.kind != OrderLine.LineKind.GOODS]
    goods_total = sum((ln.total for ln in goods), ZERO)
    services_total = sum((ln.total for ln in services), ZERO)
    total = order.lines_total if order.lines_total is not None else ZERO
    device = order.device
    client = order.client
    branch = order.branch
    link = status_url(order)
    return {
        "workshop": {"name": order.workshop.name},
        "branch": {
            "name": branch.name if branch else "",
            "address": branch.address if branch else "",
            "phone": branch.phone if branch else "",
        },
        "document": document,
        "order": {
            "number": order.number,
            "date": _local_date(order.created_at),
            "kind": fmt(order.kind, Order, "kind"),
            "status": fmt(order.status, Order, "status"),
            "problem": order.problem,
            "diagnosis": order.diagnosis,
            "diagnostic_cost": _money(order.diagnostic_cost),
            "diagnostic_cost_in_words": words(order.diagnostic_cost),
            "estimate": _money(order.estimate),
            "total": _money(total),
            "total_in_words": words(total),
            # Nothing paid prints nothing, so "[[Prepaid: {order.paid}]]" is cut.
            "paid": _money(paid) if paid else "",
            "paid_in_words": words(paid) if paid else "",
            # What is still owed on the bill (orders' total: the lines plus diagnostics
            # charged on a refusal, where it has one), not just on the lines.
            "due": _money(_bill(order, total) - paid),
            "due_date": fmt(order.due_date, Order, "due_date"),
            "accepted_by": _person(order.accepted_by),
            "assignee": _person(order.assignee),
            "address": order.address,
            "visit_at": fmt(order.visit_at, Order, "visit_at"),
            "warranty": order_warranty(order, lines),
            "qr": qr_data_uri(str(order.number)),
            "status_url": link,
            "status_qr": qr_data_uri(link) if link else "",
        },
        "client": {
            "name": client.name if client else "",
            "phone": client.phone_display if client else "",
            "email": client.email if client else "",
        },
        "device": {
            "name": str(device) if device else "",
            "type": device.device_type if device else "",
            "brand": device.brand if device else "",
            "model": device.model if device else "",
            "serial": device.serial if device else "",
            "condition": device_detail(order, "condition"),
            "accessories": device_detail(order, "accessories"),
        },
        "today": _local_date(now or timezone.now()),
        "currency": CURRENCY_SIGNS.get(currency, currency),
        "lines": [_line(ln, i) for i, ln in enumerate(lines, 1)],
        "goods": [_line(ln, i) for i, ln in enumerate(goods, 1)],
        "services": [_line(ln, i) for i, ln in enumerate(services, 1)],
        "totals": {
            "goods": _money(goods_total),
            "goods_in_words": words(goods_total),
            "services": _money(services_total),
            "services_in_words": words(services_total),
        },
        "payments": [
            {
                "kind": str(p.get("kind") or ""),
                "method": str(p.get("method") or ""),
                "amount": _money(p.get("amount")),
                "date": _local_date(p.get("at")),
            }
            for p in payments
        ],
    }


def order_lines(order: Order) -> list[OrderLine]:
    return list(
        OrderLine.objects.filter(workshop_id=order.workshop_id, order=order)
        .select_related("performer__user")
        .order_by("id")
    )


def order_context(order: Order, document: dict, *, payments_listed: bool = True) -> dict:
    """The context of a real order: its lines and payments read here (a few queries)."""
    lines = order_lines(order)
    payments, paid = _payments(order, listed=payments_listed)
    return build_context(order, lines=lines, payments=payments, paid=paid, document=document)


def facts_for(order: Order) -> Facts:
    """What the required-data rules need, in one query (two for an issued order)."""
    line_warranty = (
        Count("id", filter=~Q(warranty="") & Q(warranty__isnull=False))
        if has_field(OrderLine, "warranty")
        else None
    )
    aggregates = {
        "n": Count("id"),
        "goods": Count("id", filter=Q(kind=OrderLine.LineKind.GOODS)),
    }
    if line_warranty is not None:
        aggregates["warranty"] = line_warranty
    counts = OrderLine.objects.filter(workshop_id=order.workshop_id, order=order).aggregate(
        **aggregates
    )
    warranty = warranty_text(order) or ("✓" if counts.get("warranty") else "")
    was_refused = order.status == Status.ISSUED and (
        JournalEntry.objects.filter(
            workshop_id=order.workshop_id,
            order=order,
            action="transition",
            old_value=Status.REFUSED,
            new_value=Status.ISSUED,
        ).exists()
    )
    return Facts(
        kind=order.kind,
        status=order.status,
        has_device=order.device_id is not None,
        problem=order.problem or "",
        diagnosis=order.diagnosis or "",
        diagnostic_cost_set=order.diagnostic_cost is not None,
        lines=counts["n"],
        goods_lines=counts["goods"],
        warranty=warranty,
        was_refused=was_refused,
    )
