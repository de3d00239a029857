"""Earnings, salary rules and payroll: what each employee earned, by which rule, and paid.

- `settle(order)`: when an order is issued and paid in full (in whichever order the two
  happen) its lines are copied into an `Earning` with the cost of their goods; a later
  refund or reversed payment adds a negative `Earning` with the refunded share of each
  line (`follow_payment`). Both run inside the cash desk's transaction, under the
  order's lock, so the ledger and the earnings never disagree.
- `rule_add(...)`: a new salary rule for an employee from a date; earlier rules stay
  for the dates before it, so a change never rewrites a past payroll.
- `payroll_compute(...)`: the breakdown for a period, per employee, per order and rule;
  `payroll_close(...)` freezes it under a number; `payroll_pay(...)` pays an employee
  from a branch's shift as a salary cash entry.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership, Workshop
from cashdesk.models import (
    ZERO,
    CashEntry,
    CostSource,
    Earning,
    EarningKind,
    EarningLine,
    EntryKind,
    GoodsBasis,
    Method,
    OrderBalance,
    PayKind,
    Payout,
    Payroll,
    PayrollLine,
    SalaryRule,
)
from orders.models import Order, OrderLine
from orders.workflow import Status
from workshop.lib.money import CENT, MAX_AMOUNT, format_money

HUNDRED = Decimal("100")
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


class PayrollError(Exception):
    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_date(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        raise ValidationError({field: [_("Enter a date.")]})
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValidationError({field: [_("Enter a date between 2000 and 2100.")]})
    return value


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    start, end = check_date(start, "start"), check_date(end, "end")
    if end < start:
        raise ValidationError({"end": [_("The period ends before it starts.")]})
    return start, end


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the workshop's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# ---------------------------------------------------------------- earnings


def line_costs(order: Order, lines: list[OrderLine]) -> dict[int, tuple[Decimal | None, str]]:
    """The cost of each goods line: what its goods left stock at (the warehouse's
    movements, exact), else the cost snapshot the line carries (OrderLine.cost: the
    stock's average or the last cost known for that name when the line was written),
    else unknown (None: never counted as 0)."""
    goods = [ln for ln in lines if ln.kind == OrderLine.LineKind.GOODS]
    if not goods:
        return {}
    stock: dict[int, Decimal] = {}
    if apps.is_installed("warehouse"):
        from warehouse import services as warehouse_services

        stock = warehouse_services.line_costs(order)
    out: dict[int, tuple[Decimal | None, str]] = {}
    for ln in goods:
        if ln.pk in stock:
            out[ln.pk] = (money(stock[ln.pk]), CostSource.WAREHOUSE)
        elif ln.cost is not None:
            out[ln.pk] = (money(ln.cost), CostSource.LINE)
        else:
            out[ln.pk] = (None, CostSource.UNKNOWN)
    return out


def _paid(order: Order) -> Decimal:
    balance = OrderBalance.objects.filter(workshop_id=order.workshop_id, order=order).first()
    return balance.paid if balance is not None else ZERO


def settle(order: Order, entry: CashEntry | None = None) -> Earning | None:
    """Freeze the order's lines as earned, once, when it is issued and paid in full."""
    if order.status != Status.ISSUED or order.is_deleted:
        return None
    if Earning.objects.filter(
        workshop_id=order.workshop_id, order=order, kind=EarningKind.SETTLED
    ).exists():
        return None
    if _paid(order) < order.total:
        return None
    lines = list(OrderLine.objects.filter(workshop_id=order.workshop_id, order=order))
    costs = line_costs(order, lines)
    earning = Earning.objects.create(
        workshop_id=order.workshop_id,
        order=order,
        kind=EarningKind.SETTLED,
        branch_id=order.branch_id,
        assignee_id=order.assignee_id,
        entry=entry,
    )
    EarningLine.objects.bulk_create(
        [
            EarningLine(
                workshop_id=order.workshop_id,
                earning=earning,
                line=ln,
                kind=ln.kind,
                name=ln.name,
                quantity=ln.quantity,
                performer_id=ln.performer_id,
                amount=money(ln.unit_price * ln.quantity),
                cost=costs.get(ln.pk, (None, ""))[0],
                cost_source=costs.get(ln.pk, (None, ""))[1],
            )
            for ln in lines
        ]
    )
    return earning


def follow_payment(order: Order, delta: Decimal, entry: CashEntry) -> None:
    """After the order's paid sum moved by `delta`: settle it, or move its earning by the
    share of the bill that came back (a refund) or was paid again (a refund reversed)."""
    settled = (
        Earning.objects.filter(workshop_id=order.workshop_id, order=order, kind=EarningKind.SETTLED)
        .prefetch_related("lines")
        .first()
    )
    if settled is None:
        settle(order, entry)
        return
    if order.total <= 0 or delta == 0:
        return
    after = _paid(order)
    before = after - delta
    share = (min(max(after, ZERO), order.total) - min(max(before, ZERO), order.total)) / order.total
    if share == 0:
        return
    order_fee = 0
    if before > 0 >= after:
        order_fee = -1
    elif after > 0 >= before:
        order_fee = 1
    earning = Earning.objects.create(
        workshop_id=order.workshop_id,
        order=order,
        kind=EarningKind.REFUND,
        branch_id=order.branch_id,
        assignee_id=settled.assignee_id,
        settled=settled,
        entry=entry,
        order_fee=order_fee,
    )
    EarningLine.objects.bulk_create(
        [
            EarningLine(
                workshop_id=order.workshop_id,
                earning=earning,
                line_id=ln.line_id,
                kind=ln.kind,
                name=ln.name,
                quantity=ln.quantity,
                performer_id=ln.performer_id,
                amount=money(ln.amount * share),
                cost=None if ln.cost is None else money(ln.cost * share),
                cost_source=ln.cost_source,
            )
            for ln in settled.lines.all()
        ]
    )


def refresh_costs(order: Order) -> None:
    """Ask again for the cost of the settled goods lines nobody knew the cost of: the
    warehouse writes goods off in its own move hook, which may run after ours."""
    settled = (
        Earning.objects.filter(workshop_id=order.workshop_id, order=order, kind=EarningKind.SETTLED)
        .prefetch_related("lines")
        .first()
    )
    if settled is None:
        return
    # Unknown, or only the line's snapshot: the warehouse's write-off is exact.
    unknown = [
        ln
        for ln in settled.lines.all()
        if ln.kind == OrderLine.LineKind.GOODS
        and ln.cost_source != CostSource.WAREHOUSE
        and ln.line_id is not None
    ]
    if not unknown:
        return
    lines = list(
        OrderLine.objects.filter(
            workshop_id=order.workshop_id, pk__in=[ln.line_id for ln in unknown]
        )
    )
    costs = line_costs(order, lines)
    for ln in unknown:
        cost, source = costs.get(ln.line_id, (None, CostSource.UNKNOWN))
        if cost is None or (cost == ln.cost and source == ln.cost_source):
            continue
        EarningLine.objects.filter(workshop_id=order.workshop_id, pk=ln.pk).update(
            cost=cost, cost_source=source
        )
        # The refunded shares of that line carry the same share of its cost.
        shares = EarningLine.objects.filter(
            workshop_id=order.workshop_id, earning__settled=settled, line_id=ln.line_id
        ).exclude(cost_source=CostSource.WAREHOUSE)
        for share in shares:
            part = money(cost * share.amount / ln.amount) if ln.amount else ZERO
            EarningLine.objects.filter(workshop_id=order.workshop_id, pk=share.pk).update(
                cost=part, cost_source=source
            )


def order_moved(*, order: Order, old_status: str, new_status: str, by) -> None:
    """orders' move hook: an order issued with nothing left to pay is settled now; the
    costs of its goods are asked again once every hook of the move has run."""
    if new_status != Status.ISSUED or settle(order) is None:
        return
    workshop_id, pk = order.workshop_id, order.pk

    def again() -> None:
        from django_scopes import scope

        with scope(workshop=workshop_id):
            found = Order.objects.filter(workshop_id=workshop_id, pk=pk).first()
            if found is not None:
                refresh_costs(found)

    transaction.on_commit(again)


# ---------------------------------------------------------------- rules


def _percent(value: Any, field: str) -> Decimal:
    if value is None:
        return Decimal("0")
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value > HUNDRED:
        raise ValidationError({field: [_("A percentage is between 0 and 100.")]})
    if value != value.quantize(CENT):
        raise ValidationError({field: [_("At most two decimals, please.")]})
    return value


def _fixed(value: Any, field: str) -> Decimal:
    if value is None:
        return ZERO
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise ValidationError({field: [_("Enter an amount of zero or more.")]})
    return money(value)


@transaction.atomic
def rule_add(
    *,
    member: Membership,
    effective_from: dt.date,
    services_percent: Decimal | None = None,
    goods_percent: Decimal | None = None,
    goods_basis: str = GoodsBasis.MARGIN,
    per_order: Decimal | None = None,
    monthly_base: Decimal | None = None,
    by: Membership,
) -> SalaryRule:
    """The employee's pay from `effective_from` on (replacing a rule of that same day).

    A date inside a closed payroll is refused: that payroll is frozen and would no longer
    match its rules."""
    if member.workshop_id != by.workshop_id:
        raise ValidationError({"member": [_("No such employee.")]})
    effective_from = check_date(effective_from, "effective_from")
    if effective_from < local_date(member.created_at):
        raise ValidationError(
            {
                "effective_from": [
                    _("%(name)s joined on %(date)s: a rule cannot start before that.")
                    % {
                        "name": member.user.full_name or member.user.email,
                        "date": date_format(local_date(member.created_at), "SHORT_DATE_FORMAT"),
                    }
                ]
            }
        )
    last = last_closed(member.workshop)
    if last is not None and effective_from <= last.end:
        raise ValidationError(
            {
                "effective_from": [
                    _("Payroll №%(number)s is closed up to %(date)s: start the rule after it.")
                    % {
                        "number": last.number,
                        "date": date_format(last.end, "SHORT_DATE_FORMAT"),
                    }
                ]
            }
        )
    if goods_basis not in GoodsBasis.values:
        raise ValidationError({"goods_basis": [_("Choose what the goods percent is taken of.")]})
    rule = SalaryRule(
        workshop_id=member.workshop_id,
        member=member,
        effective_from=effective_from,
        services_percent=_percent(services_percent, "services_percent"),
        goods_percent=_percent(goods_percent, "goods_percent"),
        goods_basis=goods_basis,
        per_order=_fixed(per_order, "per_order"),
        monthly_base=_fixed(monthly_base, "monthly_base"),
        created_by=by,
    )
    rule.full_clean(exclude=["workshop", "member", "created_by"], validate_constraints=False)
    SalaryRule.objects.filter(
        workshop_id=member.workshop_id, member=member, effective_from=effective_from
    ).delete()
    rule.save()
    return rule


class Rules:
    """Every rule of the workshop, by employee, to answer "which rule on this day"."""

    def __init__(self, workshop: Workshop, members: list[int] | None = None):
        qs = SalaryRule.objects.filter(workshop=workshop).order_by("member_id", "effective_from")
        if members is not None:
            qs = qs.filter(member_id__in=members)
        self.by_member: dict[int, list[SalaryRule]] = defaultdict(list)
        for rule in qs:
            self.by_member[rule.member_id].append(rule)

    def at(self, member_id: int | None, day: dt.date) -> SalaryRule | None:
        found = None
        for rule in self.by_member.get(member_id, ()):
            if rule.effective_from > day:
                break
            found = rule
        return found


# ---------------------------------------------------------------- payroll


@dataclass
class PayLine:
    member_id: int
    kind: str
    rule: SalaryRule
    amount: Decimal
    basis: Decimal = ZERO
    rate: Decimal = Decimal("0")
    earning_id: int | None = None
    order_id: int | None = None
    order_number: int | None = None
    text: str = ""
    day: dt.date | None = None
    carried: bool = False  # earned before the period (a refund after the last close)

    @property
    def kind_label(self) -> str:
        return PayKind(self.kind).label


@dataclass
class EmployeePay:
    member: Membership
    lines: list[PayLine] = field(default_factory=list)
    paid: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def owed(self) -> Decimal:
        return max(self.total - self.paid, ZERO)

    def by_kind(self) -> list[tuple[str, Decimal]]:
        sums: dict[str, Decimal] = {}
        for ln in self.lines:
            sums[ln.kind] = sums.get(ln.kind, ZERO) + ln.amount
        return [(k.label, sums[k]) for k in PayKind if k in sums]


@dataclass
class PayrollSheet:
    start: dt.date
    end: dt.date
    employees: list[EmployeePay]
    payroll: Payroll | None = None

    @property
    def total(self) -> Decimal:
        return sum((e.total for e in self.employees), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((e.paid for e in self.employees), ZERO)

    def employee(self, member_id: int) -> EmployeePay | None:
        return next((e for e in self.employees if e.member.pk == member_id), None)


def last_closed(workshop: Workshop) -> Payroll | None:
    return Payroll.objects.filter(workshop=workshop).order_by("-number").first()


def _earning_lines(workshop: Workshop, start: dt.date, end: dt.date, previous: Payroll | None):
    """The earning lines this period pays: dated in it, and those dated before it that were
    recorded after the previous payroll closed (a refund of an order it had paid)."""
    in_period = Q(earning__at__gte=day_start(start))
    if previous is not None:
        in_period |= Q(earning__at__gte=previous.closed_at)
    claimed = PayrollLine.objects.filter(workshop=workshop, earning=OuterRef("earning"))
    return (
        EarningLine.objects.filter(
            workshop=workshop, earning__at__lt=day_start(end) + dt.timedelta(days=1)
        )
        .filter(in_period)
        .filter(~Exists(claimed))
        .select_related("earning", "earning__order", "earning__settled")
        .order_by("earning__at", "earning_id", "id")
    )


def _base_lines(rules: Rules, member_id: int, start: dt.date, end: dt.date) -> list[PayLine]:
    """The monthly base, day by day: each day earns base / days in its month, under the rule
    in effect that day; grouped into one line per rule and month."""
    segments: dict[tuple[int, int, int], list[dt.date]] = {}
    day = start
    while day <= end:
        rule = rules.at(member_id, day)
        if rule is not None and rule.monthly_base > 0:
            segments.setdefault((rule.pk, day.year, day.month), []).append(day)
        day += dt.timedelta(days=1)
    lines = []
    by_pk = {r.pk: r for r in rules.by_member.get(member_id, ())}
    for (rule_pk, year, month), days in segments.items():
        rule = by_pk[rule_pk]
        in_month = calendar.monthrange(year, month)[1]
        amount = money(rule.monthly_base * len(days) / in_month)
        lines.append(
            PayLine(
                member_id=member_id,
                kind=PayKind.BASE,
                rule=rule,
                amount=amount,
                basis=rule.monthly_base,
                rate=Decimal(len(days)),
                text=gettext("%(first)s–%(last)s: %(days)s of %(month_days)s days")
                % {
                    "first": date_format(days[0], "SHORT_DATE_FORMAT"),
                    "last": date_format(days[-1], "SHORT_DATE_FORMAT"),
                    "days": len(days),
                    "month_days": in_month,
                },
                day=days[0],
            )
        )
    return lines


def payroll_compute(
    workshop: Workshop, start: dt.date, end: dt.date, *, member: Membership | None = None
) -> PayrollSheet:
    """The breakdown of an open period, per employee: a fixed number of queries plus one
    row per earned line (the breakdown is what the director reads)."""
    start, end = check_period(start, end)
    previous = last_closed(workshop)
    rules = Rules(workshop)
    lines_qs = _earning_lines(workshop, start, end, previous)
    if member is not None:
        lines_qs = lines_qs.filter(Q(performer=member) | Q(earning__assignee=member))
    pay: dict[int, list[PayLine]] = defaultdict(list)
    seen_orders: set[int] = set()
    for ln in lines_qs:
        earning = ln.earning
        day = local_date(earning.at)
        carried = day < start
        number = earning.order.number
        # The fixed pay per issued order, once per settled order, to its assignee.
        if earning.kind == EarningKind.SETTLED and earning.pk not in seen_orders:
            seen_orders.add(earning.pk)
            rule = rules.at(earning.assignee_id, day)
            if rule is not None and rule.per_order > 0:
                pay[earning.assignee_id].append(
                    PayLine(
                        member_id=earning.assignee_id,
                        kind=PayKind.PER_ORDER,
                        rule=rule,
                        amount=rule.per_order,
                        basis=rule.per_order,
                        rate=Decimal("1"),
                        earning_id=earning.pk,
                        order_id=earning.order_id,
                        order_number=number,
                        text=gettext("Order №%(number)s issued") % {"number": number},
                        day=day,
                        carried=carried,
                    )
                )
        # A full refund takes the fixed pay back (at the rule of the day it was settled).
        if earning.order_fee and earning.pk not in seen_orders:
            seen_orders.add(earning.pk)
            rule = rules.at(earning.assignee_id, local_date(earning.settled.at))
            if rule is not None and rule.per_order > 0:
                refunded = earning.order_fee < 0
                pay[earning.assignee_id].append(
                    PayLine(
                        member_id=earning.assignee_id,
                        kind=PayKind.PER_ORDER,
                        rule=rule,
                        amount=rule.per_order * earning.order_fee,
                        basis=rule.per_order,
                        rate=Decimal(earning.order_fee),
                        earning_id=earning.pk,
                        order_id=earning.order_id,
                        order_number=number,
                        text=(
                            gettext("Order №%(number)s refunded")
                            if refunded
                            else gettext("Order №%(number)s paid again")
                        )
                        % {"number": number},
                        day=day,
                        carried=carried,
                    )
                )
        # A refund gives back at the rate the order was paid at, not today's.
        rated = local_date(earning.settled.at) if earning.settled_id else day
        rule = rules.at(ln.performer_id, rated)
        if rule is None:
            continue
        refund = earning.kind == EarningKind.REFUND
        if ln.kind == OrderLine.LineKind.SERVICE:
            rate, basis, kind, text = rule.services_percent, ln.amount, PayKind.SERVICES, ln.name
        else:
            rate, kind = rule.goods_percent, PayKind.GOODS
            if rule.goods_basis == GoodsBasis.PRICE:
                basis, text = ln.amount, ln.name
            elif ln.cost is None:
                basis, text = (
                    ZERO,
                    gettext("%(name)s (cost unknown: no margin counted)") % {"name": ln.name},
                )
            else:
                basis = ln.amount - ln.cost
                text = gettext("%(name)s (margin %(price)s − %(cost)s)") % {
                    "name": ln.name,
                    "price": format_money(ln.amount),
                    "cost": format_money(ln.cost),
                }
        if rate == 0:
            continue
        if refund:
            text = gettext("Refund: %(text)s") % {"text": text}
        pay[ln.performer_id].append(
            PayLine(
                member_id=ln.performer_id,
                kind=kind,
                rule=rule,
                amount=money(basis * rate / HUNDRED),
                basis=basis,
                rate=rate,
                earning_id=earning.pk,
                order_id=earning.order_id,
                order_number=number,
                text=text,
                day=day,
                carried=carried,
            )
        )
    member_ids = [member.pk] if member is not None else list(rules.by_member)
    for member_id in member_ids:
        pay[member_id].extend(_base_lines(rules, member_id, start, end))
    wanted = {member.pk} if member is not None else None
    return _sheet(
        workshop,
        start,
        end,
        {k: v for k, v in pay.items() if v and k and (wanted is None or k in wanted)},
    )


def _sheet(workshop, start, end, pay: dict[int, list], payroll: Payroll | None = None):
    people = {
        m.pk: m
        for m in Membership.objects.filter(workshop=workshop, pk__in=list(pay)).select_related(
            "user"
        )
    }
    paid: dict[int, Decimal] = {}
    if payroll is not None:
        # A payout that was reversed is not paid: its reversal counts with it (a salary
        # entry and its reversal both name the employee as the counterpart).
        ids = Payout.objects.filter(workshop=workshop, payroll=payroll).values("entry")
        rows = (
            CashEntry.objects.filter(workshop=workshop)
            .filter(Q(pk__in=ids) | Q(reverses__in=ids))
            .values("counterpart")
            .annotate(s=Sum("amount"))
            .order_by()
        )
        paid = {row["counterpart"]: -row["s"] for row in rows}
    employees = [
        EmployeePay(member=people[pk], lines=lines, paid=paid.get(pk, ZERO))
        for pk, lines in pay.items()
        if pk in people
    ]
    employees.sort(key=lambda e: (e.member.user.full_name or e.member.user.email).casefold())
    return PayrollSheet(start=start, end=end, employees=employees, payroll=payroll)


def payroll_sheet(payroll: Payroll) -> PayrollSheet:
    """A closed payroll as it was frozen, with what was paid out against it."""
    pay: dict[int, list[PayLine]] = defaultdict(list)
    rows = (
        PayrollLine.objects.filter(workshop_id=payroll.workshop_id, payroll=payroll)
        .select_related("rule", "order")
        .order_by("id")
    )
    for row in rows:
        pay[row.member_id].append(
            PayLine(
                member_id=row.member_id,
                kind=row.kind,
                rule=row.rule,
                amount=row.amount,
                basis=row.basis,
                rate=row.rate,
                earning_id=row.earning_id,
                order_id=row.order_id,
                order_number=row.order.number if row.order_id else None,
                text=row.text,
            )
        )
    return _sheet(payroll.workshop, payroll.start, payroll.end, dict(pay), payroll)


@transaction.atomic
def payroll_close(*, workshop: Workshop, start: dt.date, end: dt.date, by: Membership) -> Payroll:
    """Freeze the period's payroll under the next number. Periods follow each other:
    the next one starts the day after the last one ended, and none ends in the future."""
    from accounts.permissions import role_can

    if not role_can(by.role, "cashdesk.payroll"):
        raise PayrollError(_("Only the director closes a payroll."))
    start, end = check_period(start, end)
    Workshop.objects.select_for_update().get(pk=workshop.pk)  # one close at a time
    previous = last_closed(workshop)
    if previous is not None and start <= previous.end:
        raise PayrollError(
            _("Payroll №%(number)s already covers up to %(date)s: this period is closed.")
            % {"number": previous.number, "date": date_format(previous.end, "SHORT_DATE_FORMAT")}
        )
    if previous is not None and start != previous.end + dt.timedelta(days=1):
        raise ValidationError(
            {
                "start": [
                    _("The next payroll starts on %(date)s, the day after the last one ended.")
                    % {
                        "date": date_format(
                            previous.end + dt.timedelta(days=1), "SHORT_DATE_FORMAT"
                        )
                    }
                ]
            }
        )
    if end >= timezone.localdate():
        raise ValidationError({"end": [_("Close a period once it is over: it ends before today.")]})
    # Goods whose cost was not known when the order was settled: ask once more.
    pending = (
        _earning_lines(workshop, start, end, previous)
        .filter(kind=OrderLine.LineKind.GOODS, cost__isnull=True, line__isnull=False)
        .values_list("earning__order", flat=True)
        .order_by()
        .distinct()
    )
    for order in Order.objects.filter(workshop=workshop, pk__in=list(pending)):
        refresh_costs(order)
    sheet = payroll_compute(workshop, start, end)
    payroll = Payroll.objects.create(
        workshop=workshop,
        number=(previous.number if previous else 0) + 1,
        start=start,
        end=end,
        closed_by=by,
    )
    PayrollLine.objects.bulk_create(
        [
            PayrollLine(
                workshop=workshop,
                payroll=payroll,
                member_id=ln.member_id,
                kind=ln.kind,
                rule=ln.rule,
                earning_id=ln.earning_id,
                order_id=ln.order_id,
                text=ln.text[:300],
                basis=ln.basis,
                rate=ln.rate,
                amount=ln.amount,
            )
            for emp in sheet.employees
            for ln in emp.lines
        ]
    )
    return payroll


@transaction.atomic
def payroll_pay(
    *,
    payroll: Payroll,
    member: Membership,
    amount: Decimal,
    branch: Branch,
    by: Membership,
    key: uuid.UUID | None,
) -> CashEntry:
    """Pay the employee (part of) what this payroll owes them, in cash from the branch's
    shift: a salary entry of the ledger, never more than is owed."""
    from cashdesk import services

    services._require(by, "cashdesk.payroll", _("Only the director pays salaries."))
    if member.workshop_id != payroll.workshop_id or branch.workshop_id != payroll.workshop_id:
        raise ValidationError({"member": [_("No such employee.")]})
    amount = services.check_amount(amount)
    Payroll.objects.select_for_update().get(pk=payroll.pk, workshop_id=payroll.workshop_id)
    emp = payroll_sheet(payroll).employee(member.pk)
    owed = emp.owed if emp is not None else ZERO
    if amount > owed:
        raise ValidationError(
            {"amount": [_("Only %(owed)s is owed to them.") % {"owed": format_money(owed)}]}
        )
    entry = services._drawer_entry(
        branch=branch,
        by=by,
        key=key,
        kind=EntryKind.SALARY,
        method=Method.CASH,
        amount=-amount,
        comment=gettext("Payroll №%(number)s") % {"number": payroll.number},
        counterpart=member,
    )
    Payout.objects.create(
        workshop_id=payroll.workshop_id, payroll=payroll, member=member, entry=entry
    )
    return entry


def services_errors() -> tuple[type[Exception], ...]:
    """The refusals a payout may raise, for the view to show."""
    from cashdesk.services import CashError

    return (CashError, PayrollError)
