"""Where the cash desk plugs into orders: the move guard, card slots, client panel,
Work column and intake step (see orders/extensions.py)."""

from __future__ import annotations

from cashdesk import services
from orders.workflow import Status, register_guard


def register() -> None:
    register_guard(Status.ISSUED, services.issue_guard)
