"""Reads of the cash ledger that views and other apps need, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import Branch, Membership, Workshop
from accounts.permissions import role_can
from cashdesk.models import ORDER_KINDS, ZERO, CashEntry, EntryKind, Method, OrderBalance, Shift
from orders.models import Order
from orders.workflow import Status
from workshop.lib.money import MoneyField
from workshop.lib.paging import Page, keyset_page

ENTRY_PAGE = 50
SHIFT_PAGE = 30
DEBT_PAGE = 50


# ---------------------------------------------------------------- branches


def desk_branches(membership: Membership) -> list[Branch]:
    """The branches whose drawers this member works at."""
    return list(membership.visible_branches())


def pick_branch(branches: list[Branch], wanted: int | None) -> Branch | None:
    """The branch asked for; else the one whose drawer moved last (one query); else the first."""
    chosen = next((b for b in branches if b.pk == wanted), None)
    if chosen is not None or not branches:
        return chosen or (branches[0] if branches else None)
    busiest = (
        Shift.objects.filter(
            workshop_id=branches[0].workshop_id, branch__in=[b.pk for b in branches]
        )
        .order_by("-id")
        .values_list("branch_id", flat=True)
        .first()
    )
    return next((b for b in branches if b.pk == busiest), branches[0])


# ---------------------------------------------------------------- shifts


def open_shift(branch: Branch) -> Shift | None:
    return (
        Shift.objects.filter(workshop_id=branch.workshop_id, branch=branch, closed_at__isnull=True)
        .select_related("opened_by__user")
        .first()
    )


def next_shift(branch: Branch) -> tuple[int, Decimal]:
    """The number and opening cash of the branch's next shift: the last count carries over
    (the shift of migrated prepayments was never counted and carries nothing)."""
    shifts = Shift.objects.filter(workshop_id=branch.workshop_id, branch=branch)
    top = shifts.order_by("-number").values_list("number", flat=True).first()
    last = shifts.filter(closed_at__isnull=False, counted_cash__isnull=False).order_by("-number")
    counted = last.values_list("counted_cash", flat=True).first()
    return (top or 0) + 1, counted if counted is not None else ZERO


def pending_shift(branch: Branch) -> Shift:
    """The shift the branch's next entry will open, unsaved: for showing an empty drawer."""
    number, opening = next_shift(branch)
    return Shift(workshop_id=branch.workshop_id, branch=branch, number=number, opening_cash=opening)


@dataclass
class ShiftSummary:
    opening_cash: Decimal
    by_method: dict[str, Decimal] = field(default_factory=dict)
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    by_employee: list[tuple[Membership | None, Decimal]] = field(default_factory=list)
    incoming: Decimal = ZERO
    outgoing: Decimal = ZERO
    difference: Decimal = ZERO

    @property
    def expected_cash(self) -> Decimal:
        return self.opening_cash + self.by_method.get(Method.CASH, ZERO)

    @property
    def cash_moved(self) -> Decimal:
        """Cash in and out during the shift, without the count's difference."""
        return self.by_method.get(Method.CASH, ZERO) - self.difference

    @property
    def counted_expected(self) -> Decimal:
        """The cash expected before the count's difference was recorded."""
        return self.expected_cash - self.difference

    def method_rows(self) -> list[tuple[str, Decimal]]:
        return [(m.label, self.by_method.get(m, ZERO)) for m in Method]

    def kind_rows(self) -> list[tuple[str, Decimal]]:
        return [(k.label, self.by_kind[k]) for k in EntryKind if k in self.by_kind]


def shift_summary(shift: Shift) -> ShiftSummary:
    """Totals of the shift's entries by method, by kind and by employee: two queries."""
    rows = (
        CashEntry.objects.filter(workshop_id=shift.workshop_id, shift=shift)
        .values("kind", "method", "by")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    summary = ShiftSummary(opening_cash=shift.opening_cash)
    by_person: dict[int | None, Decimal] = {}
    for row in rows:
        total = row["total"]
        summary.by_method[row["method"]] = summary.by_method.get(row["method"], ZERO) + total
        summary.by_kind[row["kind"]] = summary.by_kind.get(row["kind"], ZERO) + total
        if row["kind"] == EntryKind.DIFFERENCE:
            summary.difference += total
        else:
            by_person[row["by"]] = by_person.get(row["by"], ZERO) + total
            if total > 0:
                summary.incoming += total
            else:
                summary.outgoing += total
    summary.by_method = {m: v for m, v in summary.by_method.items() if v}
    summary.by_kind = {k: v for k, v in summary.by_kind.items() if v}
    people = {
        m.pk: m
        for m in Membership.objects.filter(
            workshop_id=shift.workshop_id, pk__in=[pk for pk in by_person if pk]
        ).select_related("user")
    }
    summary.by_employee = sorted(
        ((people.get(pk), total) for pk, total in by_person.items() if total),
        key=lambda item: (-abs(item[1]), str(item[0].user if item[0] else "")),
    )
    return summary


def shift_last_entry(shift: Shift) -> int:
    """The id of the shift's newest entry (0 for none): what a count was made against.
    Read it before the summary, so the figures shown include at least that entry."""
    last = (
        CashEntry.objects.filter(workshop_id=shift.workshop_id, shift=shift)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def _with_details(qs):
    return qs.select_related("by__user", "counterpart__user", "holder__user", "order").annotate(
        reversed_by=Subquery(
            CashEntry.objects.filter(workshop_id=OuterRef("workshop_id"), reverses=OuterRef("pk"))
            .order_by("id")
            .values("pk")[:1]
        )
    )


def shift_entries(shift: Shift, after: int | None = None) -> Page:
    """A page of the shift's entries, newest first, each knowing the entry reversing it."""
    qs = CashEntry.objects.filter(workshop_id=shift.workshop_id, shift=shift)
    return keyset_page(_with_details(qs), after=after, size=ENTRY_PAGE)


def past_shifts(branch: Branch, after: int | None = None) -> Page:
    qs = Shift.objects.filter(
        workshop_id=branch.workshop_id, branch=branch, closed_at__isnull=False
    ).select_related("closed_by__user")
    return keyset_page(qs, after=after, size=SHIFT_PAGE)


# ---------------------------------------------------------------- orders


@dataclass
class OrderMoney:
    total: Decimal
    paid: Decimal
    entries: list[CashEntry]

    @property
    def due(self) -> Decimal:
        return self.total - self.paid

    @property
    def overpaid(self) -> Decimal:
        return max(-self.due, ZERO)

    def paid_by_method(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for e in self.entries:
            if e.kind in ORDER_KINDS:
                out[e.method] = out.get(e.method, ZERO) + e.amount
        return {m: v for m, v in out.items() if v}


def order_money(order: Order) -> OrderMoney:
    """The order's total, what was paid (summed from its entries) and the entries: one query."""
    entries = list(
        _with_details(
            CashEntry.objects.filter(workshop_id=order.workshop_id, order=order)
        ).order_by("id")
    )
    paid = sum((e.amount for e in entries if e.kind in ORDER_KINDS), ZERO)
    return OrderMoney(total=order.total, paid=paid, entries=entries)


def paid_for(workshop: Workshop, order_ids: list[int]) -> dict[int, Decimal]:
    """What each of these orders was paid: one query."""
    rows = OrderBalance.objects.filter(workshop=workshop, order_id__in=order_ids).values_list(
        "order_id", "paid"
    )
    return dict(rows)


def _debts_qs(workshop: Workshop):
    paid = Subquery(
        OrderBalance.objects.filter(
            workshop_id=OuterRef("workshop_id"), order=OuterRef("pk")
        ).values("paid")[:1],
        output_field=MoneyField(),
    )
    return (
        Order.objects.filter(workshop=workshop, status=Status.ISSUED, is_deleted=False)
        .alias(paid_sum=Coalesce(paid, 0, output_field=MoneyField()))
        .filter(total__gt=F("paid_sum"))
    )


def debts(membership: Membership, after: int | None = None, *, client=None) -> Page:
    """Issued orders not paid in full, newest first, in the member's branches."""
    qs = _debts_qs(membership.workshop)
    if not role_can(membership.role, "accounts.all_branches"):
        qs = qs.filter(branch__in=membership.visible_branches().values("pk"))
    if client is not None:
        qs = qs.filter(client=client)
    page = keyset_page(
        qs.select_related("client", "branch").annotate(paid=F("paid_sum")),
        after=after,
        size=DEBT_PAGE,
    )
    for order in page.rows:
        order.due = order.total - order.paid
    return page


def client_debts(client, membership: Membership) -> list[Order]:
    """The client's unpaid issued orders (a client rarely has more than a few)."""
    return debts(membership, client=client).rows


# ---------------------------------------------------------------- field cash


def field_cash_holders(workshop: Workshop, *, holder: Membership | None = None) -> list:
    """Who holds how much field cash: [(member, amount)], largest first; one query each."""
    qs = CashEntry.objects.filter(workshop=workshop).in_field()
    if holder is not None:
        qs = qs.filter(holder=holder)
    rows = qs.values("holder").annotate(total=Sum("amount")).order_by()
    totals = {row["holder"]: row["total"] for row in rows if row["total"]}
    people = {
        m.pk: m
        for m in Membership.objects.filter(workshop=workshop, pk__in=list(totals)).select_related(
            "user"
        )
    }
    return sorted(
        ((people[pk], total) for pk, total in totals.items()),
        key=lambda item: (-item[1], str(item[0].user)),
    )


def field_entries(workshop: Workshop, holder: Membership, after: int | None = None) -> Page:
    qs = CashEntry.objects.filter(workshop=workshop, holder=holder).in_field()
    return keyset_page(_with_details(qs), after=after, size=ENTRY_PAGE)
