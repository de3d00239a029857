"""The order workflow: statuses, the Work page tabs, and the allowed transitions, as data.

Everything that needs to know "where can this order go next" reads this module: the
card's buttons, the server's check in `services.order_transition`, the journal, and
the test that walks every (from, to) pair.

Tabs, in the spec's order of urgency (each status lives in exactly one tab;
``cancelled`` lives in none and is found only by search):

 1. Sales            sale
 2. PC builds        pc_build
 3. Call-outs        call_out
 4. On site          on_site
 5. Queue            queue
 6. In work          in_work
 7. Ready: notify    ready_notify
 8. Ready: delivery  ready_delivery
 9. Out for delivery out_for_delivery
10. Diagnostics      diagnostics
11. Waiting for part waiting_part
12. At partner       at_partner
13. Refused          refused
14. Cash desk        issued

Transitions (from → allowed targets):

    sale             → issued | cancelled
    pc_build         → ready_notify | ready_delivery | cancelled
    call_out         → on_site | cancelled
    on_site          → issued | queue (device taken to the office) | refused
    queue            → diagnostics | in_work | refused | cancelled
    diagnostics      → in_work | waiting_part | at_partner | refused
    in_work          → waiting_part | at_partner | ready_notify | ready_delivery
                       | diagnostics | refused
    waiting_part     → in_work | refused
    at_partner       → in_work | ready_notify | ready_delivery | refused
    ready_notify     → issued | ready_delivery | in_work
    ready_delivery   → out_for_delivery | ready_notify
    out_for_delivery → issued | ready_notify
    refused          → issued (device returned) | queue (the customer changed their mind)
    issued           → (none: corrections after issue are the cash desk's reversals)
    cancelled        → (none)

Refinements over the issue's table: a queued repair may be cancelled (entered by
mistake, the customer left before work started), and "ready: delivery" may go back
to "ready: notify" (the customer decides to come in person).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SALE = "sale", _("Sale")
    PC_BUILD = "pc_build", _("PC build")
    CALL_OUT = "call_out", _("Call-out")
    REPAIR = "repair", _("Repair")


class Status(models.TextChoices):
    SALE = "sale", _("Sale")
    PC_BUILD = "pc_build", _("PC build")
    CALL_OUT = "call_out", _("Call-out booked")
    ON_SITE = "on_site", _("On site")
    QUEUE = "queue", _("Queue")
    IN_WORK = "in_work", _("In work")
    READY_NOTIFY = "ready_notify", _("Ready: notify")
    READY_DELIVERY = "ready_delivery", _("Ready: delivery")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    WAITING_PART = "waiting_part", _("Waiting for a part")
    AT_PARTNER = "at_partner", _("At a partner")
    REFUSED = "refused", _("Refused")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class Tab(models.TextChoices):
    """The Work page tabs, in the order they are shown (most urgent first)."""

    SALES = "sales", _("Sales")
    PC_BUILDS = "pc_builds", _("PC builds")
    CALL_OUTS = "call_outs", _("Call-outs")
    ON_SITE = "on_site", _("On site")
    QUEUE = "queue", _("Queue")
    IN_WORK = "in_work", _("In work")
    READY_NOTIFY = "ready_notify", _("Ready: notify")
    READY_DELIVERY = "ready_delivery", _("Ready: delivery")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    WAITING_PART = "waiting_part", _("Waiting for a part")
    AT_PARTNER = "at_partner", _("At a partner")
    REFUSED = "refused", _("Refused")
    CASH_DESK = "cash_desk", _("Cash desk")


TAB_ORDER: tuple[Tab, ...] = tuple(Tab)

# One status per tab; cancelled orders are in no tab.
TAB_STATUS: dict[Tab, Status] = {
    Tab.SALES: Status.SALE,
    Tab.PC_BUILDS: Status.PC_BUILD,
    Tab.CALL_OUTS: Status.CALL_OUT,
    Tab.ON_SITE: Status.ON_SITE,
    Tab.QUEUE: Status.QUEUE,
    Tab.IN_WORK: Status.IN_WORK,
    Tab.READY_NOTIFY: Status.READY_NOTIFY,
    Tab.READY_DELIVERY: Status.READY_DELIVERY,
    Tab.OUT_FOR_DELIVERY: Status.OUT_FOR_DELIVERY,
    Tab.DIAGNOSTICS: Status.DIAGNOSTICS,
    Tab.WAITING_PART: Status.WAITING_PART,
    Tab.AT_PARTNER: Status.AT_PARTNER,
    Tab.REFUSED: Status.REFUSED,
    Tab.CASH_DESK: Status.ISSUED,
}
STATUS_TAB: dict[Status, Tab] = {status: tab for tab, status in TAB_STATUS.items()}

# The status a new order of each kind starts in.
INITIAL_STATUS: dict[Kind, Status] = {
    Kind.SALE: Status.SALE,
    Kind.PC_BUILD: Status.PC_BUILD,
    Kind.CALL_OUT: Status.CALL_OUT,
    Kind.REPAIR: Status.QUEUE,
}

S = Status
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    S.SALE: (S.ISSUED, S.CANCELLED),
    S.PC_BUILD: (S.READY_NOTIFY, S.READY_DELIVERY, S.CANCELLED),
    S.CALL_OUT: (S.ON_SITE, S.CANCELLED),
    S.ON_SITE: (S.ISSUED, S.QUEUE, S.REFUSED),
    S.QUEUE: (S.DIAGNOSTICS, S.IN_WORK, S.REFUSED, S.CANCELLED),
    S.DIAGNOSTICS: (S.IN_WORK, S.WAITING_PART, S.AT_PARTNER, S.REFUSED),
    S.IN_WORK: (
        S.WAITING_PART,
        S.AT_PARTNER,
        S.READY_NOTIFY,
        S.READY_DELIVERY,
        S.DIAGNOSTICS,
        S.REFUSED,
    ),
    S.WAITING_PART: (S.IN_WORK, S.REFUSED),
    S.AT_PARTNER: (S.IN_WORK, S.READY_NOTIFY, S.READY_DELIVERY, S.REFUSED),
    S.READY_NOTIFY: (S.ISSUED, S.READY_DELIVERY, S.IN_WORK),
    S.READY_DELIVERY: (S.OUT_FOR_DELIVERY, S.READY_NOTIFY),
    S.OUT_FOR_DELIVERY: (S.ISSUED, S.READY_NOTIFY),
    S.REFUSED: (S.ISSUED, S.QUEUE),
    S.ISSUED: (),
    S.CANCELLED: (),
}
del S

# Status groups: nobody else spells a list of statuses.
# Closed: the order has left the workshop's hands; lines and money are frozen after it.
CLOSED: frozenset[Status] = frozenset({Status.ISSUED, Status.CANCELLED})
# Open: everything still in the workshop's hands (the Work page's "All open" tab).
OPEN: frozenset[Status] = frozenset(Status) - CLOSED
# Handed over: moving here hands the device (or goods) back; the front desk does it.
HANDED_OVER: frozenset[Status] = frozenset({Status.ISSUED, Status.CANCELLED})
# Issued: handed over to the client as done (the reports' "orders issued"; the order
# records when and by whom, Order.issued_at / issued_by). A cancelled order is handed
# over too, but nothing was issued.
ISSUED: frozenset[Status] = frozenset({Status.ISSUED})


# The diagnostic cost follows the usual rule of Russian workshops: it is charged when
# the repair is refused and free when the repair is done. Moving into "refused" starts
# charging it, going back to work (refused → queue) stops, and handing the refused
# device back (refused → issued) keeps it.
def diagnostics_charged_after(old: str, new: str, charged: bool) -> bool:
    """Whether the diagnostic cost is part of the total after a move from `old` to `new`."""
    if new == Status.REFUSED:
        return True
    if old == Status.REFUSED and new not in HANDED_OVER:
        return False
    return charged


# Tabs that count only today's orders: the cash desk tab shows what was issued today,
# the rest of its history is found by search.
TODAY_ONLY_TABS: frozenset[Tab] = frozenset({Tab.CASH_DESK})
TODAY_ONLY_STATUSES: frozenset[Status] = frozenset(TAB_STATUS[t] for t in TODAY_ONLY_TABS)


# Button captions where the bare status name would read oddly as an action.
ACTION_LABELS: dict[tuple[Status, Status], str] = {
    (Status.ON_SITE, Status.QUEUE): _("Take the device to the office"),
    (Status.REFUSED, Status.ISSUED): _("Device returned"),
    (Status.REFUSED, Status.QUEUE): _("Back to the queue"),
}


# Moves that need another app's step first. An app that owns a step (the cash desk:
# money is taken before "issued") registers a guard here from its AppConfig.ready();
# orders never imports it. A guard is `guard(order, to, by) -> str | None`: None lets
# the plain move through, a message refuses it (the card then offers the app's own
# action, registered in orders.extensions, instead of the plain button).
MoveGuard = Callable[[Any, Status, Any], "str | None"]
_GUARDS: dict[Status, list[MoveGuard]] = {}


def register_guard(to: Status, guard: MoveGuard) -> None:
    """Make every plain move to `to` ask `guard` first."""
    if guard not in _GUARDS.setdefault(Status(to), []):
        _GUARDS[Status(to)].append(guard)


def unregister_guard(to: Status, guard: MoveGuard) -> None:
    if guard in _GUARDS.get(Status(to), []):
        _GUARDS[Status(to)].remove(guard)


def guard_refusal(order, to: str, by) -> str | None:
    """The first registered guard's refusal of a plain move of `order` to `to`, or None."""
    for guard in _GUARDS.get(Status(to), ()):
        refusal = guard(order, Status(to), by)
        if refusal:
            return refusal
    return None


def guarded(to: str) -> bool:
    """Whether some app owns the step into `to` (then it provides the button, too)."""
    return bool(_GUARDS.get(Status(to)))


def allowed(from_status: str) -> tuple[Status, ...]:
    """The statuses an order in `from_status` may move to (empty for unknown statuses)."""
    try:
        return TRANSITIONS[Status(from_status)]
    except ValueError:
        return ()


# The order of the card's move buttons: the usual next step first, then the other steps
# forward along an order's life, then the steps back, then the exits (refused, cancelled).
LIFE: tuple[Status, ...] = (
    Status.SALE,
    Status.PC_BUILD,
    Status.CALL_OUT,
    Status.ON_SITE,
    Status.QUEUE,
    Status.DIAGNOSTICS,
    Status.IN_WORK,
    Status.WAITING_PART,
    Status.AT_PARTNER,
    Status.READY_NOTIFY,
    Status.READY_DELIVERY,
    Status.OUT_FOR_DELIVERY,
    Status.REFUSED,  # here only to rank where a refused order stands: before issue
    Status.ISSUED,
)
EXITS: frozenset[Status] = frozenset({Status.REFUSED, Status.CANCELLED})
USUAL_NEXT: dict[Status, Status] = {
    Status.SALE: Status.ISSUED,
    Status.PC_BUILD: Status.READY_NOTIFY,
    Status.CALL_OUT: Status.ON_SITE,
    Status.ON_SITE: Status.ISSUED,
    Status.QUEUE: Status.DIAGNOSTICS,
    Status.DIAGNOSTICS: Status.IN_WORK,
    Status.IN_WORK: Status.READY_NOTIFY,
    Status.WAITING_PART: Status.IN_WORK,
    Status.AT_PARTNER: Status.IN_WORK,
    Status.READY_NOTIFY: Status.ISSUED,
    Status.READY_DELIVERY: Status.OUT_FOR_DELIVERY,
    Status.OUT_FOR_DELIVERY: Status.ISSUED,
    Status.REFUSED: Status.ISSUED,
}


def moves_in_order(from_status: str) -> list[Status]:
    """`allowed(from_status)` in the card's order: usual next, forward, back, exits."""
    here = Status(from_status)
    rank = {s: i for i, s in enumerate(LIFE)}
    now = rank.get(here, len(LIFE))

    def key(to: Status) -> tuple[int, int]:
        if to == USUAL_NEXT.get(here):
            return (0, 0)
        if to in EXITS:
            return (3, 0 if to == Status.REFUSED else 1)
        if rank[to] > now:
            return (1, rank[to])
        return (2, -rank[to])

    return sorted(allowed(from_status), key=key)


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in allowed(from_status)


def tab_of(status: str) -> Tab | None:
    """The Work page tab an order in `status` is shown in; None for cancelled."""
    return STATUS_TAB.get(Status(status))


def action_label(from_status: str, to_status: str) -> str:
    return ACTION_LABELS.get((Status(from_status), Status(to_status))) or Status(to_status).label
