"""Every variable a document template can use, with what it means.

This list is the one description of the sandbox context: documents/context.py builds
exactly these keys (a test holds them together), the edit page's reference lists them
with this order's values, and the save-time check reports any other name as unknown.
A path ending in ``[]`` is a list; the names under it are the fields of each item.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LINE_FIELDS = [
    ("number", _("Line number, 1, 2, 3…")),
    ("kind", _("Service or goods")),
    ("name", _("Item")),
    ("quantity", _("Quantity")),
    ("price", _("Price")),
    ("total", _("Sum of the line")),
    ("performer", _("Performed / sold by")),
    ("warranty", _("Warranty period of the line")),
]

GROUPS: dict[str, list[tuple[str, object]]] = {
    "workshop": [("workshop.name", _("Workshop name"))],
    "branch": [
        ("branch.name", _("Branch")),
        ("branch.address", _("Branch address")),
        ("branch.phone", _("Branch phone")),
    ],
    "document": [
        ("document.title", _("Document title")),
        ("document.number", _("Document number (the order number; -2, -3 for later versions)")),
        ("document.date", _("Date printed")),
    ],
    "order": [
        ("order.number", _("Order number")),
        ("order.date", _("Date accepted")),
        ("order.kind", _("Kind of order")),
        ("order.status", _("Status")),
        ("order.problem", _("Problem / request")),
        ("order.diagnosis", _("Diagnosis / conclusion")),
        ("order.diagnostic_cost", _("Diagnostic cost")),
        ("order.diagnostic_cost_in_words", _("Diagnostic cost in words")),
        ("order.estimate", _("Estimate")),
        ("order.total", _("Total of the lines")),
        ("order.total_in_words", _("Total in words")),
        ("order.paid", _("Paid")),
        ("order.paid_in_words", _("Paid in words")),
        ("order.due", _("Balance due")),
        ("order.due_date", _("Due date")),
        ("order.accepted_by", _("Accepted by")),
        ("order.assignee", _("Assignee")),
        ("order.address", _("Call-out address")),
        ("order.visit_at", _("Visit time")),
        ("order.warranty", _("Warranty period")),
        ("order.qr", _('QR code of the order number (an image: <img src="{order.qr}">)')),
        ("order.status_url", _("Link to the order's status page for the client")),
        ("order.status_qr", _('QR code of the status page link (<img src="{order.status_qr}">)')),
    ],
    "client": [
        ("client.name", _("Client")),
        ("client.phone", _("Client's phone")),
        ("client.email", _("Client's e-mail")),
    ],
    "device": [
        ("device.name", _("Device: type, brand and model")),
        ("device.type", _("Device type")),
        ("device.brand", _("Brand")),
        ("device.model", _("Model")),
        ("device.serial", _("Serial number / IMEI")),
        ("device.condition", _("Condition / appearance")),
        ("device.accessories", _("Accessories")),
    ],
    "today": [("today", _("Today's date"))],
    "currency": [("currency", _("Currency sign"))],
    "lines": [(f"lines[].{name}", label) for name, label in LINE_FIELDS],
    "goods": [(f"goods[].{name}", label) for name, label in LINE_FIELDS],
    "services": [(f"services[].{name}", label) for name, label in LINE_FIELDS],
    "totals": [
        ("totals.goods", _("Total of the goods")),
        ("totals.goods_in_words", _("Total of the goods in words")),
        ("totals.services", _("Total of the services")),
        ("totals.services_in_words", _("Total of the services in words")),
    ],
    "payments": [
        ("payments[].kind", _("Payment kind")),
        ("payments[].method", _("Payment method")),
        ("payments[].amount", _("Amount paid")),
        ("payments[].date", _("Date paid")),
    ],
}


def variables_for(groups: tuple[str, ...]) -> list[tuple[str, object]]:
    return [item for group in groups for item in GROUPS[group]]


def schema_for(groups: tuple[str, ...]) -> dict:
    """The engine's schema (documents/engine/names.py) of these groups' variables."""
    schema: dict = {}
    for path, _label in variables_for(groups):
        node = schema
        parts = path.split(".")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part.endswith("[]"):
                node = node.setdefault(part[:-2], [{}])[0]
            elif last:
                node[part] = None
            else:
                node = node.setdefault(part, {})
    return schema


def pick(context: dict, groups: tuple[str, ...]) -> dict:
    """Only the top-level names these groups offer (a label gets no payments)."""
    names = {path.split(".")[0].removesuffix("[]") for path, _label in variables_for(groups)}
    return {key: value for key, value in context.items() if key in names}


def value_at(context: dict, path: str):
    """This order's value of a variable, for the reference; lists show their first item."""
    node = context
    for part in path.split("."):
        if part.endswith("[]"):
            items = node.get(part[:-2]) or []
            if not items:
                return ""
            node = items[0]
        else:
            node = node.get(part, "") if isinstance(node, dict) else ""
    return node
