"""The cash desk's objects in the victim workshop, for the tenancy sweep (tests/tenancy.py)."""

from __future__ import annotations

from decimal import Decimal

from cashdesk import services

SAMPLES = {
    "shift_id": lambda v: v.extra["shift"].pk,
    "cash_entry_id": lambda v: v.extra["cash_entry"].pk,
}


def build(victim) -> None:
    # A prepayment on the victim's order (orders' samples built it), then a closed shift
    # and an entry in the open one: every id an outsider might try.
    order = victim.extra["order"]
    services.prepayment_take(
        order=order, amounts={"cash": Decimal("1000")}, by=victim.manager, key=None
    )
    shift = services.shift_open(branch=victim.branch, by=victim.director)
    closed, _next = services.shift_close(shift=shift, counted=Decimal("1000"), by=victim.director)
    entry = services.deposit_record(
        branch=victim.branch, amount=Decimal("50"), by=victim.director, key=None
    )
    victim.extra.update(shift=closed, cash_entry=entry, open_shift=_next)
