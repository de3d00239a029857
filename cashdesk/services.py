"""Every write to the cash ledger: atomic, locked, idempotent, journaled.

Each function is keyword-only and runs in one transaction. Locks are always taken in
the same order, so two operations never wait for each other in a circle:

1. the order row (`Order ... select_for_update`), when the money is an order's; a
   reversal of an entry without an order locks that entry's rows instead;
2. the person holding field cash (their membership row), for field cash;
3. the branch row, which stands for the branch's drawer: whoever holds it may read
   and change the open shift. A payment and the close of the shift it would land in
   are therefore serialised: the payment is either in the closed shift's count or in
   the next shift, never in both and never lost.

Every operation carries the one-time key of the form that asked for it. The key is
checked under the first lock, and `(workshop, key, seq)` is unique as a backstop, so a
double click, a resent form or the back button record the operation once
(`AlreadyRecorded` names what the first submission recorded).

Amounts are `Decimal`s with at most two places, positive, at most MAX_AMOUNT; refusals
raise `ValidationError` (keyed by the form field) or `CashError`, and leave nothing
recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership
from accounts.permissions import role_can
from cashdesk import payroll, selectors
from cashdesk.models import (
    ORDER_KINDS,
    ZERO,
    CashEntry,
    EntryKind,
    ExpenseCategory,
    Method,
    OrderBalance,
    Shift,
)
from orders import services as order_services
from orders.models import Order
from orders.workflow import CLOSED, Kind, Status, can_move
from workshop.lib.money import CENT, MAX_AMOUNT, format_money

# Statuses whose money may be given back: issued orders, and prepayments of repairs
# the customer refused or orders that were cancelled.
REFUNDABLE: frozenset[str] = frozenset({Status.ISSUED, Status.REFUSED, Status.CANCELLED})
# Where a technician takes money at the customer's.
FIELD_STATUSES: frozenset[str] = frozenset({Status.ON_SITE})
COMMENT_MAX = 500

Amounts = Mapping[str, Decimal | None]


class CashError(Exception):
    """A refused operation; `message` is shown to the user."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


class NotPermitted(CashError):
    pass


class StaleCard(CashError):
    """The order changed since the form was opened (its lines, its status)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This order was changed since you opened it; its amount may be different now. "
                "Nothing was recorded: check the order and try again."
            )
        )


class AlreadyRecorded(CashError):
    """This form was already submitted; `entries` are what the first submission recorded."""

    def __init__(self, entries: list[CashEntry]):
        super().__init__(_("This was already recorded; it was not recorded a second time."))
        self.entries = entries


# ---------------------------------------------------------------- checks


def _require(by: Membership, permission: str, message: Any) -> None:
    if not role_can(by.role, permission):
        raise NotPermitted(message)


def check_amount(value: Any, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """A positive amount in kopecks, at most MAX_AMOUNT; a ValidationError on `field`."""
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise ValidationError({field: [_("Enter an amount, for example 1500 or 1500,50.")]})
    value = Decimal(value)
    if not value.is_finite():
        raise ValidationError({field: [_("Enter an amount, for example 1500 or 1500,50.")]})
    if value != value.quantize(CENT):
        raise ValidationError({field: [_("Amounts go down to kopecks: at most two decimals.")]})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: [_("Enter an amount greater than zero.")]})
    if value > MAX_AMOUNT:
        raise ValidationError(
            {field: [_("That is more than any bill: at most %(limit)s.") % _limit()]}
        )
    return value.quantize(CENT)


def _limit() -> dict:
    return {"limit": format_money(MAX_AMOUNT)}


def check_split(amounts: Amounts, *, allow_zero: bool = False) -> dict[str, Decimal]:
    """The split by method without empty parts, each part checked; its sum under the limit."""
    split: dict[str, Decimal] = {}
    for method, value in amounts.items():
        if method not in Method.values:
            raise ValueError(f"unknown payment method {method!r}")
        if value is None or value == 0:
            continue
        split[method] = check_amount(value, method)
    total = sum(split.values(), ZERO)
    if total > MAX_AMOUNT:
        raise ValidationError(
            {"total": [_("That is more than any bill: at most %(limit)s.") % _limit()]}
        )
    if not split and not allow_zero:
        raise ValidationError({"total": [_("Enter the amount in at least one method.")]})
    return split


def _reason(text: str | None, field: str = "reason", *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Say why: the reason stays with the entry.")]})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            {field: [_("At most %(n)s characters, please.") % {"n": COMMENT_MAX}]}
        )
    return text


# ---------------------------------------------------------------- locks and shifts


def _lock_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("branch")
        .get(pk=order.pk, workshop_id=order.workshop_id)
    )


def _lock_branch(branch: Branch) -> Branch:
    return Branch.objects.select_for_update().get(pk=branch.pk, workshop_id=branch.workshop_id)


def _lock_member(member: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, workshop_id=member.workshop_id)
    )


def _open_shift(branch: Branch, by: Membership | None) -> Shift:
    """The branch's open shift, opened now if there is none. Call with the branch locked."""
    shift = Shift.objects.filter(
        workshop_id=branch.workshop_id, branch=branch, closed_at__isnull=True
    ).first()
    if shift is not None:
        return shift
    number, opening = selectors.next_shift(branch)
    shift = Shift(
        workshop_id=branch.workshop_id,
        branch=branch,
        number=number,
        opened_by=by,
        opening_cash=opening,
    )
    shift.full_clean(exclude=["workshop"], validate_unique=False, validate_constraints=False)
    shift.save()
    return shift


def shift_open(*, branch: Branch, by: Membership) -> Shift:
    """The branch's open shift; one opens by itself when there is none."""
    with transaction.atomic():
        return _open_shift(_lock_branch(branch), by)


def drawer_cash(shift: Shift) -> Decimal:
    """The cash that should be in the drawer now: what it opened with plus cash entries."""
    moved = CashEntry.objects.filter(
        workshop_id=shift.workshop_id, shift=shift, method=Method.CASH
    ).aggregate(s=Sum("amount"))["s"]
    return shift.opening_cash + (moved or ZERO)


def field_cash_held(member: Membership) -> Decimal:
    held = (
        CashEntry.objects.filter(workshop_id=member.workshop_id, holder=member)
        .in_field()
        .aggregate(s=Sum("amount"))["s"]
    )
    return held or ZERO


def order_paid(order: Order) -> Decimal:
    balance = OrderBalance.objects.filter(workshop_id=order.workshop_id, order=order).first()
    return balance.paid if balance is not None else ZERO


def _paid_by_method(order: Order) -> dict[str, Decimal]:
    rows = (
        CashEntry.objects.filter(workshop_id=order.workshop_id, order=order)
        .for_orders()
        .values("method")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return {row["method"]: row["s"] for row in rows}


def _seen(workshop_id: int, key: uuid.UUID) -> None:
    """Refuse a key already used: the form was submitted before."""
    existing = list(
        CashEntry.objects.filter(workshop_id=workshop_id, key=key).order_by("seq", "id")
    )
    if existing:
        raise AlreadyRecorded(existing)


def _check_stale(locked: Order, version: int | None) -> None:
    if version is not None and locked.version != version:
        raise StaleCard()


def _record(entries: list[CashEntry]) -> list[CashEntry]:
    """Validate and insert one operation's entries; move the orders' paid sums with them."""
    for seq, entry in enumerate(entries):
        entry.seq = seq
        entry.full_clean(
            exclude=["workshop", "branch", "shift", "holder", "by", "order", "reverses"],
            validate_unique=False,
            validate_constraints=False,
        )
    try:
        with transaction.atomic():
            for entry in entries:
                entry.save()
    except IntegrityError:
        # The unique key is the backstop of the check under the lock (see the docstring):
        # a twin submission that got past it finds the first one's entries here.
        _seen(entries[0].workshop_id, entries[0].key)
        # cashentry_reversed_once is the backstop of the "already reversed" check.
        reversed_ids = [e.reverses_id for e in entries if e.reverses_id is not None]
        if (
            reversed_ids
            and CashEntry.objects.filter(
                workshop_id=entries[0].workshop_id, reverses__in=reversed_ids
            ).exists()
        ):
            raise CashError(_("This entry is already reversed.")) from None
        raise
    deltas: dict[int, Decimal] = {}
    for entry in entries:
        if entry.order_id is not None and entry.kind in ORDER_KINDS:
            deltas[entry.order_id] = deltas.get(entry.order_id, ZERO) + entry.amount
    for order_id, delta in deltas.items():
        _move_balance(entries[0].workshop_id, order_id, delta)
        last = [e for e in entries if e.order_id == order_id][-1]
        # What employees earned follows the order's money (cashdesk/payroll.py).
        payroll.follow_payment(last.order, delta, last)
    return entries


def _move_balance(workshop_id: int, order_id: int, delta: Decimal) -> None:
    """Add `delta` to the order's stored paid sum; the order row is locked by the caller."""
    balance = OrderBalance.objects.filter(workshop_id=workshop_id, order_id=order_id).first()
    if balance is None:
        balance = OrderBalance(workshop_id=workshop_id, order_id=order_id, paid=ZERO)
    balance.paid = balance.paid + delta
    balance.save()


def _entry(
    *,
    by: Membership | None,
    branch: Branch,
    kind: str,
    method: str,
    amount: Decimal,
    key: uuid.UUID,
    shift: Shift | None = None,
    holder: Membership | None = None,
    **extra: Any,
) -> CashEntry:
    return CashEntry(
        workshop_id=branch.workshop_id,
        branch=branch,
        kind=kind,
        method=method,
        amount=amount,
        shift=shift,
        holder=holder,
        by=by,
        key=key,
        at=timezone.now(),
        **extra,
    )


def _journal(order: Order, by: Membership, action: str, entries: list[CashEntry], **kw) -> None:
    """One line in the order's journal for one user action: the amounts by method."""
    split = ", ".join(f"{e.method} {abs(e.amount):.2f}" for e in entries)
    order_services.journal_record(order=order, by=by, action=action, new=split, **kw)


def _key(key: uuid.UUID | None) -> uuid.UUID:
    # A caller without a form (the demo, a test) gets a fresh key: idempotency is the
    # form's promise, not something a program needs.
    return key if key is not None else uuid.uuid4()


# ---------------------------------------------------------------- orders


def order_money(order: Order) -> tuple[Decimal, Decimal, Decimal]:
    """(total, paid, due) of the order; due is negative when more was paid."""
    paid = order_paid(order)
    return order.total, paid, order.total - paid


@transaction.atomic
def payment_take(
    *,
    order: Order,
    amounts: Amounts,
    by: Membership,
    key: uuid.UUID | None,
    version: int | None,
    issue: bool = False,
    debt: bool = False,
    total: Decimal | None = None,
) -> list[CashEntry]:
    """Take a payment on the order, split by method; with `issue`, hand it over too.

    Issuing takes what is due. Less than that is allowed only with `debt` and the
    cashdesk.issue_with_debt permission (the rest stays as the order's debt); more is
    refused. Without `issue` it pays (part of) an issued order's debt. `total`, when
    given, is what the person meant the split to come to. The entries and the move to
    "issued" are one transaction: a failure in either leaves neither.
    """
    _require(by, "cashdesk.take_payment", _("Only the front desk takes payments."))
    key = _key(key)
    locked = _lock_order(order)
    _seen(locked.workshop_id, key)
    if issue and locked.status == Status.ISSUED and not any(amounts.values()):
        # Issuing a paid-up order writes no entry to find its key by: an issue with
        # nothing to take, sent again once the order is issued, is done already.
        raise AlreadyRecorded([])
    _check_stale(locked, version)
    if locked.is_deleted:
        raise CashError(_("This order is deleted."))
    split = check_split(amounts, allow_zero=issue)
    taken = sum(split.values(), ZERO)
    if total is not None and check_amount(total, "total", allow_zero=True) != taken:
        raise ValidationError(
            {
                "total": [
                    _("The methods add up to %(split)s, not %(total)s.")
                    % {"split": format_money(taken), "total": format_money(total)}
                ]
            }
        )
    paid = order_paid(locked)
    due = locked.total - paid
    if issue:
        if not can_move(locked.status, Status.ISSUED):
            raise CashError(
                _("An order in “%(status)s” cannot be issued.")
                % {"status": Status(locked.status).label}
            )
    elif locked.status != Status.ISSUED:
        raise CashError(
            _("Payment is taken when the order is issued; before that, take a prepayment.")
        )
    elif due <= 0:
        raise CashError(_("Nothing is due on this order: it is paid in full."))
    if taken > 0 and due <= 0:
        raise ValidationError({"total": [_("Nothing is due on this order: it is paid in full.")]})
    if taken > due:
        raise ValidationError(
            {
                "total": [
                    _("That is more than is due: %(due)s.") % {"due": format_money(max(due, ZERO))}
                ]
            }
        )
    if issue and taken < due:
        if not debt:
            raise ValidationError(
                {
                    "total": [
                        _("%(rest)s would stay unpaid. Take the whole amount due.")
                        % {"rest": format_money(due - taken)}
                    ]
                }
            )
        _require(
            by,
            "cashdesk.issue_with_debt",
            _("Only the director may issue an order with part of it unpaid."),
        )
    entries: list[CashEntry] = []
    if split:
        branch = _lock_branch(locked.branch)
        shift = _open_shift(branch, by)
        entries = _record(
            [
                _entry(
                    by=by,
                    branch=branch,
                    shift=shift,
                    kind=EntryKind.PAYMENT,
                    method=method,
                    amount=value,
                    key=key,
                    order=locked,
                )
                for method, value in split.items()
            ]
        )
    if issue:
        order_services.order_transition(
            order=locked, to=Status.ISSUED, by=by, version=version, check_guards=False
        )
        # Every hook of the move has run (the warehouse's write-off too): the goods'
        # costs are known now.
        payroll.refresh_costs(locked)
    if entries:
        _journal(locked, by, "cashdesk.payment", entries)
    if issue and taken < due:
        order_services.journal_record(
            order=locked, by=by, action="cashdesk.debt", new=f"{due - taken:.2f}"
        )
    _sync(order, locked)
    return entries


@transaction.atomic
def prepayment_take(
    *,
    order: Order,
    amounts: Amounts,
    by: Membership,
    key: uuid.UUID | None,
    version: int | None = None,
) -> list[CashEntry]:
    """Take a prepayment on an order not yet handed over (at intake or on its card)."""
    _require(by, "cashdesk.take_prepayment", _("Only the front desk takes prepayments."))
    key = _key(key)
    locked = _lock_order(order)
    _seen(locked.workshop_id, key)
    _check_stale(locked, version)
    if locked.is_deleted:
        raise CashError(_("This order is deleted."))
    if locked.status in CLOSED:
        raise CashError(_("A prepayment is taken before the order is issued or cancelled."))
    split = check_split(amounts)
    branch = _lock_branch(locked.branch)
    shift = _open_shift(branch, by)
    entries = _record(
        [
            _entry(
                by=by,
                branch=branch,
                shift=shift,
                kind=EntryKind.PREPAYMENT,
                method=method,
                amount=value,
                key=key,
                order=locked,
            )
            for method, value in split.items()
        ]
    )
    _journal(locked, by, "cashdesk.prepayment", entries)
    _sync(order, locked)
    return entries


@transaction.atomic
def refund_make(
    *,
    order: Order,
    amounts: Amounts,
    by: Membership,
    key: uuid.UUID | None,
    reason: str,
    version: int | None = None,
) -> list[CashEntry]:
    """Give money back on an order, by method: never more than was paid in that method."""
    _require(by, "cashdesk.refund", _("Only the director may make refunds."))
    key = _key(key)
    locked = _lock_order(order)
    _seen(locked.workshop_id, key)
    _check_stale(locked, version)
    if locked.status not in REFUNDABLE:
        raise CashError(_("Money is refunded on issued orders, or on refused or cancelled ones."))
    reason = _reason(reason)
    split = check_split(amounts)
    by_method = _paid_by_method(locked)
    for method, value in split.items():
        paid = by_method.get(method, ZERO)
        if value > paid:
            raise ValidationError(
                {
                    method: [
                        _("Only %(paid)s was paid on this order by %(method)s.")
                        % {"paid": format_money(max(paid, ZERO)), "method": Method(method).label}
                    ]
                }
            )
    # Each method's sum can stay positive while the order's total does not (a payment by
    # one method reversed after a refund by it): never give back more than is paid.
    paid_total = sum(by_method.values(), ZERO)
    if sum(split.values(), ZERO) > paid_total:
        raise ValidationError(
            {
                list(split)[-1]: [
                    _("Only %(paid)s is paid on this order in all: a refund cannot be more.")
                    % {"paid": format_money(max(paid_total, ZERO))}
                ]
            }
        )
    branch = _lock_branch(locked.branch)
    shift = _open_shift(branch, by)
    _check_drawer(shift, -split.get(Method.CASH, ZERO), field=Method.CASH)
    entries = _record(
        [
            _entry(
                by=by,
                branch=branch,
                shift=shift,
                kind=EntryKind.REFUND,
                method=method,
                amount=-value,
                key=key,
                order=locked,
                comment=reason,
            )
            for method, value in split.items()
        ]
    )
    _journal(locked, by, "cashdesk.refund", entries, subject=reason[:200])
    _sync(order, locked)
    return entries


def _sync(order: Order, locked: Order) -> None:
    """Copy the saved order (status, version) onto the caller's instance."""
    for f in Order._meta.concrete_fields:
        setattr(order, f.attname, getattr(locked, f.attname))


# Set while the demo seed replays history from before the cash desk (see demo.py).
_HISTORY_REPLAY: ContextVar[bool] = ContextVar("cashdesk_history_replay", default=False)


@contextmanager
def replaying_history() -> Iterator[None]:
    """Let plain moves to "issued" through: orders' demo issues orders as if before the
    cash desk existed; the cash desk's demo then records their money."""
    token = _HISTORY_REPLAY.set(True)
    try:
        yield
    finally:
        _HISTORY_REPLAY.reset(token)


def issue_guard(order: Order, to: str, by: Membership | None) -> str | None:
    """Refuse a plain move to "issued" while money is due: the cash desk takes it first."""
    if _HISTORY_REPLAY.get():
        return None
    if order.total - order_paid(order) > 0:
        return str(_("Take the payment first: use “Issue and take payment”."))
    return None


# ---------------------------------------------------------------- the drawer


def _check_drawer(shift: Shift, cash_delta: Decimal, *, field: str = "amount") -> None:
    """Refuse taking out more cash than the drawer holds."""
    if cash_delta >= 0:
        return
    held = drawer_cash(shift)
    if held + cash_delta < 0:
        raise ValidationError(
            {
                field: [
                    _("The drawer holds only %(cash)s in cash.")
                    % {"cash": format_money(max(held, ZERO))}
                ]
            }
        )


def _drawer_entry(
    *,
    branch: Branch,
    by: Membership,
    key: uuid.UUID | None,
    kind: str,
    method: str,
    amount: Decimal,
    comment: str = "",
    category: str = "",
    order: Order | None = None,
    counterpart: Membership | None = None,
) -> CashEntry:
    key = _key(key)
    locked = _lock_branch(branch)
    _seen(locked.workshop_id, key)
    shift = _open_shift(locked, by)
    if method == Method.CASH:
        _check_drawer(shift, amount)
    return _record(
        [
            _entry(
                by=by,
                branch=locked,
                shift=shift,
                kind=kind,
                method=method,
                amount=amount,
                key=key,
                comment=comment,
                category=category,
                order=order,
                counterpart=counterpart,
            )
        ]
    )[0]


@transaction.atomic
def expense_record(
    *,
    branch: Branch,
    amount: Decimal,
    by: Membership,
    key: uuid.UUID | None,
    category: str,
    method: str = Method.CASH,
    comment: str = "",
    order: Order | None = None,
) -> CashEntry:
    """Money spent from the branch's desk (a part bought, optionally for an order)."""
    _require(by, "cashdesk.expense", _("Only the director records expenses."))
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    if method not in Method.values:
        raise ValidationError({"method": [_("Choose how it was paid.")]})
    if order is not None and order.workshop_id != branch.workshop_id:
        raise ValidationError({"order": [_("No such order.")]})
    amount = check_amount(amount)
    entry = _drawer_entry(
        branch=branch,
        by=by,
        key=key,
        kind=EntryKind.EXPENSE,
        method=method,
        amount=-amount,
        comment=_reason(comment, "comment", required=False),
        category=category,
        order=order,
    )
    if order is not None:
        _journal(order, by, "cashdesk.expense", [entry], subject=entry.comment[:200])
    return entry


@transaction.atomic
def withdrawal_record(
    *, branch: Branch, amount: Decimal, by: Membership, key: uuid.UUID | None, comment: str = ""
) -> CashEntry:
    """Cash taken out of the drawer (to the bank, to the safe)."""
    _require(by, "cashdesk.withdraw", _("Only the director withdraws cash."))
    return _drawer_entry(
        branch=branch,
        by=by,
        key=key,
        kind=EntryKind.WITHDRAWAL,
        method=Method.CASH,
        amount=-check_amount(amount),
        comment=_reason(comment, "comment", required=False),
    )


@transaction.atomic
def deposit_record(
    *, branch: Branch, amount: Decimal, by: Membership, key: uuid.UUID | None, comment: str = ""
) -> CashEntry:
    """Cash put into the drawer (change for the day)."""
    _require(by, "cashdesk.withdraw", _("Only the director deposits cash."))
    return _drawer_entry(
        branch=branch,
        by=by,
        key=key,
        kind=EntryKind.DEPOSIT,
        method=Method.CASH,
        amount=check_amount(amount),
        comment=_reason(comment, "comment", required=False),
    )


@transaction.atomic
def shift_close(
    *,
    shift: Shift,
    counted: Decimal,
    by: Membership,
    key: uuid.UUID | None = None,
    seen: int | None = None,
) -> tuple[Shift, Shift]:
    """Count the drawer: record the difference, archive the shift, open the next one.

    Returns (the closed shift, the new open one). Closing a closed shift is refused.
    `seen` is the newest entry the count was made against (the close page's): cash
    recorded after it is refused, not booked as over or short.
    """
    _require(by, "cashdesk.close_shift", _("Only the director closes the shift."))
    key = _key(key)
    counted = check_amount(counted, "counted", allow_zero=True)
    branch = _lock_branch(shift.branch)
    _seen(branch.workshop_id, key)
    locked = Shift.objects.get(pk=shift.pk, workshop_id=shift.workshop_id)
    if not locked.is_open:
        raise CashError(_("This shift is already closed."))
    if seen is not None:
        meanwhile = CashEntry.objects.filter(
            workshop_id=locked.workshop_id, shift=locked, method=Method.CASH, pk__gt=seen
        ).aggregate(s=Sum("amount"), n=Count("pk"))
        if meanwhile["n"]:
            raise ValidationError(
                {
                    "counted": [
                        _("%(amount)s was recorded while you counted; count again.")
                        % {"amount": format_money(meanwhile["s"])}
                    ]
                }
            )
    expected = drawer_cash(locked)
    if counted != expected:
        _record(
            [
                _entry(
                    by=by,
                    branch=branch,
                    shift=locked,
                    kind=EntryKind.DIFFERENCE,
                    method=Method.CASH,
                    amount=counted - expected,
                    key=key,
                    comment=str(_("over") if counted > expected else _("short")),
                )
            ]
        )
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.expected_cash = expected
    locked.counted_cash = counted
    locked.save(update_fields=["closed_at", "closed_by", "expected_cash", "counted_cash"])
    following = _open_shift(branch, by)
    for f in Shift._meta.concrete_fields:
        setattr(shift, f.attname, getattr(locked, f.attname))
    return locked, following


# ---------------------------------------------------------------- field cash


@transaction.atomic
def field_cash_take(
    *,
    order: Order,
    amount: Decimal,
    by: Membership,
    key: uuid.UUID | None,
    version: int | None = None,
) -> CashEntry:
    """Cash the person took at the customer's on a call-out: held by them, in no drawer."""
    _require(by, "cashdesk.field_cash", _("You may not take money."))
    key = _key(key)
    locked = _lock_order(order)
    _seen(locked.workshop_id, key)
    _check_stale(locked, version)
    if locked.is_deleted:
        raise CashError(_("This order is deleted."))
    if locked.kind != Kind.CALL_OUT or locked.status not in FIELD_STATUSES:
        raise CashError(_("Cash is taken in the field on a call-out, while on site."))
    amount = check_amount(amount)
    due = locked.total - order_paid(locked)
    if amount > due:
        raise ValidationError(
            {
                "amount": [
                    _("That is more than is due: %(due)s.") % {"due": format_money(max(due, ZERO))}
                ]
            }
        )
    holder = _lock_member(by)
    entry = _record(
        [
            _entry(
                by=by,
                branch=locked.branch,
                holder=holder,
                kind=EntryKind.PAYMENT,
                method=Method.CASH,
                amount=amount,
                key=key,
                order=locked,
            )
        ]
    )[0]
    _journal(locked, by, "cashdesk.field_payment", [entry])
    _sync(order, locked)
    return entry


@transaction.atomic
def field_cash_hand_in(
    *,
    holder: Membership,
    branch: Branch,
    amount: Decimal,
    by: Membership,
    key: uuid.UUID | None,
) -> tuple[CashEntry, CashEntry]:
    """Field cash handed in at a branch's desk: out of the holder's hands, into the drawer."""
    _require(by, "cashdesk.hand_in", _("Field cash is handed in at the front desk."))
    if holder.workshop_id != branch.workshop_id:
        raise ValidationError({"holder": [_("No such person.")]})
    key = _key(key)
    locked_holder = _lock_member(holder)
    _seen(branch.workshop_id, key)
    amount = check_amount(amount)
    held = field_cash_held(locked_holder)
    if amount > held:
        raise ValidationError(
            {
                "amount": [
                    _("%(name)s holds only %(held)s.")
                    % {"name": locked_holder.user, "held": format_money(max(held, ZERO))}
                ]
            }
        )
    locked_branch = _lock_branch(branch)
    shift = _open_shift(locked_branch, by)
    out, into = _record(
        [
            _entry(
                by=by,
                branch=locked_branch,
                holder=locked_holder,
                kind=EntryKind.HAND_IN,
                method=Method.CASH,
                amount=-amount,
                key=key,
            ),
            _entry(
                by=by,
                branch=locked_branch,
                shift=shift,
                kind=EntryKind.HAND_IN,
                method=Method.CASH,
                amount=amount,
                key=key,
                counterpart=locked_holder,
            ),
        ]
    )
    return out, into


# ---------------------------------------------------------------- reversals


@transaction.atomic
def entry_reverse(
    *, entry: CashEntry, by: Membership, reason: str, key: uuid.UUID | None
) -> list[CashEntry]:
    """Correct an entry with its mirror image: same kind and method, opposite sign,
    naming the entry it reverses. A hand-in is reversed as the pair it was."""
    _require(by, "cashdesk.reverse", _("Only the director may reverse entries."))
    key = _key(key)
    reason = _reason(reason)
    order = None
    if entry.order_id is not None:
        order = _lock_order(Order(pk=entry.order_id, workshop_id=entry.workshop_id))
    else:
        # No order row to queue on: two reversals of this entry queue on its own rows
        # (both of a hand-in's pair) before the "already reversed" check below.
        list(
            CashEntry.objects.select_for_update()
            .filter(workshop_id=entry.workshop_id, key=entry.key)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    _seen(entry.workshop_id, key)
    current = CashEntry.objects.select_related("branch", "holder").get(
        pk=entry.pk, workshop_id=entry.workshop_id
    )
    if current.is_reversal:
        raise CashError(_("A reversal cannot be reversed; record the entry again instead."))
    if current.kind == EntryKind.DIFFERENCE:
        raise CashError(_("A count difference is part of a closed shift; it cannot be reversed."))
    group = [current]
    if current.kind == EntryKind.HAND_IN:
        group = list(
            CashEntry.objects.filter(workshop_id=current.workshop_id, key=current.key)
            .select_related("branch", "holder")
            .order_by("seq")
        )
    if CashEntry.objects.filter(
        workshop_id=current.workshop_id, reverses__in=[e.pk for e in group]
    ).exists():
        raise CashError(_("This entry is already reversed."))
    if order is not None and current.kind in ORDER_KINDS and order_paid(order) - current.amount < 0:
        raise CashError(_("The order would be paid less than nothing: reverse its refunds first."))
    if order is not None and current.kind in (EntryKind.PAYMENT, EntryKind.PREPAYMENT):
        # The total can stay positive while this method's does not: what was refunded by
        # card must not outlive the card payment it gave back.
        paid = _paid_by_method(order).get(current.method, ZERO)
        if paid - current.amount < 0:
            raise CashError(
                _(
                    "Only %(paid)s is paid on this order by %(method)s now: "
                    "reverse its refunds by %(method)s first."
                )
                % {"paid": format_money(max(paid, ZERO)), "method": Method(current.method).label}
            )
    holders = sorted({e.holder_id for e in group if e.holder_id is not None})
    for holder_id in holders:
        holder = _lock_member(Membership(pk=holder_id, workshop_id=current.workshop_id))
        taken = sum((e.amount for e in group if e.holder_id == holder_id), ZERO)
        if field_cash_held(holder) - taken < 0:
            raise CashError(
                _("%(name)s has already handed this cash in: reverse the hand-in first.")
                % {"name": holder.user}
            )
    branch = _lock_branch(current.branch)
    shift = None
    if any(e.shift_id is not None for e in group):
        shift = _open_shift(branch, by)
        cash_out = -sum(
            (e.amount for e in group if e.shift_id is not None and e.method == Method.CASH), ZERO
        )
        _check_drawer(shift, cash_out, field="reason")
    reversals = _record(
        [
            _entry(
                by=by,
                branch=branch,
                shift=shift if e.shift_id is not None else None,
                holder=e.holder if e.shift_id is None else None,
                kind=e.kind,
                method=e.method,
                amount=-e.amount,
                key=key,
                comment=reason,
                category=e.category,
                order_id=e.order_id,
                counterpart_id=e.counterpart_id,
                reverses=e,
            )
            for e in group
        ]
    )
    if order is not None:
        _journal(order, by, "cashdesk.reversal", reversals, subject=reason[:200])
    return reversals
