"""Where the warehouse plugs into orders (orders/extensions.py, orders/workflow.py).

Now: the guard on "issued" (a serial-numbered unit must be chosen first) and the order
card's stock panel (what each goods line holds, serial pickers, a PC build's parts).
Once orders offers line and status hooks, `register()` connects them to
`services.reserve_for_line`, `line_changed`, `release_for_line` and `order_moved`.
"""

from __future__ import annotations

from orders.workflow import Status


def issue_guard(order, to, by) -> str | None:
    from warehouse import services

    return services.issue_refusal(order)


def register() -> None:
    from orders.workflow import register_guard

    register_guard(Status.ISSUED, issue_guard)
