"""The field policy: which fields of clients, devices, orders and lines a screen may set.

The services refuse any other field (a form can never set `workshop`, `version` or
the status), the forms build their fields from these lists, and the card's rights
read the groups below. A new editable field is added here once.
"""

from __future__ import annotations

CLIENT_FIELDS = ("name", "phone", "extra_phones", "email", "notes")
# The device keeps what does not change between visits; what was handed in, and in what
# state, is the order's (INTAKE_FIELDS), so a later order never rewrites an earlier one's.
DEVICE_FIELDS = ("device_type", "brand", "model", "serial", "notes")
INTAKE_FIELDS = ("condition", "accessories")
ORDER_FIELDS = (
    "problem",
    *INTAKE_FIELDS,
    "diagnosis",
    "notes",
    "diagnostic_cost",
    "estimate",
    "partner",
    "assignee",
    "due_date",
    "address",
    "visit_at",
    "warranty_days",
)
LINE_FIELDS = ("kind", "name", "quantity", "unit_price", "performer")

# Amounts: after the order is issued or cancelled (workflow.CLOSED) nobody changes them,
# nor the lines, except in the one save of a correction the director opened with a
# reason (orders.edit_after_issue, services.order_correction_open).
MONEY_FIELDS = frozenset({"diagnostic_cost", "estimate"})
# Order.prepayment is no longer typed: prepayments are money, recorded by the cash desk
# as ledger entries (its migration moved the typed values there). The column stays,
# read-only, for the history of orders created before.
# Fields a technician may edit: the work, not the front desk's data or money.
WORK_FIELDS = frozenset({"diagnosis", "partner", "notes"})
