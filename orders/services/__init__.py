"""Every write to clients, devices, orders and lines: atomic, locked, validated, journaled.

Each function is keyword-only, runs in one transaction on rows it locked first, calls
`full_clean()` before saving, writes a `JournalEntry` per changed order field with the
order version it produced, and tells the directories what was typed
(`remember`/`remember_many`) so pick lists fill themselves. Failures raise `OrderError`
(or Django's `ValidationError` for field input) and leave nothing half-saved.

Callers use `from orders import services; services.order_update(...)`; the modules
are `_core` (errors, locks, versions, the change-applier, the journal writer),
`clients`, `orders` and `lines`. Other apps write to an order's journal through
`journal_record()` (see orders/journal.py for which trail an app writes).
"""

from __future__ import annotations

from orders.services._core import (
    CONFLICT_ENTRIES,
    AlreadyCreated,
    NotPermitted,
    OrderError,
    StaleVersion,
    TransitionRefused,
    journal_record,
)
from orders.services.clients import (
    client_find_by_phone,
    client_restore,
    client_soft_delete,
    client_update,
    device_update,
)
from orders.services.lines import line_add, line_remove, line_update
from orders.services.orders import (
    order_correction_open,
    order_create,
    order_restore,
    order_soft_delete,
    order_transition,
    order_update,
)

__all__ = [
    "CONFLICT_ENTRIES",
    "AlreadyCreated",
    "NotPermitted",
    "OrderError",
    "StaleVersion",
    "TransitionRefused",
    "client_find_by_phone",
    "client_restore",
    "client_soft_delete",
    "client_update",
    "device_update",
    "journal_record",
    "line_add",
    "line_remove",
    "line_update",
    "order_correction_open",
    "order_create",
    "order_restore",
    "order_soft_delete",
    "order_transition",
    "order_update",
]
