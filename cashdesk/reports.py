"""Reads for employees' work and the director's reports: grouped queries, a fixed number
per report whatever the number of orders, on the ledger (revenue), the earnings (margin,
who sold what) and the orders (taken in, issued, by kind and tab)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Membership, Workshop
from cashdesk.models import ORDER_KINDS, ZERO, CashEntry, EarningKind, EarningLine, Method
from cashdesk.payroll import check_period, day_start
from cashdesk.selectors import _debts_qs
from orders.models import Order, OrderLine
from orders.workflow import Kind, Status, tab_of
from workshop.lib.money import MoneyField

TOP = 10


# ---------------------------------------------------------------- periods


class PeriodKey:
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    LAST_MONTH = "last_month"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_CHOICES = [
    (PeriodKey.TODAY, _("Today")),
    (PeriodKey.WEEK, _("This week")),
    (PeriodKey.MONTH, _("This month")),
    (PeriodKey.LAST_MONTH, _("Last month")),
    (PeriodKey.YEAR, _("This year")),
    (PeriodKey.CUSTOM, _("Custom")),
]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    key: str = PeriodKey.CUSTOM

    @property
    def since(self) -> dt.datetime:
        return day_start(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first moment after the period."""
        return day_start(self.end + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def months(self) -> list[dt.date]:
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return out

    def query(self) -> str:
        if self.key != PeriodKey.CUSTOM:
            return f"period={self.key}"
        return f"period=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"


def named_period(key: str, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    if key == PeriodKey.TODAY:
        return Period(today, today, key)
    if key == PeriodKey.WEEK:
        return Period(today - dt.timedelta(days=today.weekday()), today, key)
    if key == PeriodKey.LAST_MONTH:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end, key)
    if key == PeriodKey.YEAR:
        return Period(today.replace(month=1, day=1), today, key)
    return Period(today.replace(day=1), today, PeriodKey.MONTH)


def custom_period(start: dt.date | None, end: dt.date | None) -> Period:
    """A period the person typed; ValidationError for reversed or out-of-range dates."""
    start, end = check_period(start, end)
    if (end - start).days > 366 * 5:
        from django.core.exceptions import ValidationError

        raise ValidationError({"end": [_("A report covers at most five years.")]})
    return Period(start, end, PeriodKey.CUSTOM)


# ---------------------------------------------------------------- filters


def _entries(workshop: Workshop, period: Period, branch: Branch | None):
    qs = CashEntry.objects.filter(workshop=workshop, at__gte=period.since, at__lt=period.until)
    return qs.filter(branch=branch) if branch is not None else qs


def _earning_lines(workshop: Workshop, period: Period, branch: Branch | None):
    qs = EarningLine.objects.filter(
        workshop=workshop, earning__at__gte=period.since, earning__at__lt=period.until
    )
    return qs.filter(earning__branch=branch) if branch is not None else qs


def _orders(workshop: Workshop, branch: Branch | None):
    qs = Order.objects.filter(workshop=workshop, is_deleted=False)
    return qs.filter(branch=branch) if branch is not None else qs


def _issued(workshop: Workshop, period: Period, branch: Branch | None):
    """Orders issued in the period, by the time they were handed over (Order.issued_at,
    set only while an order is issued; its index covers these reads)."""
    return _orders(workshop, branch).filter(issued_at__gte=period.since, issued_at__lt=period.until)


# ---------------------------------------------------------------- local days, fast

# SQLite has no time zones: Django's TruncDate there calls a Python function for every
# row (seconds for a year of a big workshop). Grouping by the stored UTC hour is plain
# SQL; each of the at most 8,784 hours of a year is then turned into its local day here.
# PostgreSQL truncates in the database.


def _hour_groups() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def by_local_day(qs, field: str, **aggregates) -> list[tuple[dt.date, dict]]:
    """`qs` grouped by the local day of `field`: [(day, {name: value})], summed."""
    if not _hour_groups():
        rows = qs.annotate(_day=TruncDate(field)).values("_day").annotate(**aggregates).order_by()
        return [(r.pop("_day"), r) for r in rows]
    # A zone half an hour off UTC (India) needs minutes; whole-hour zones, hours.
    whole = timezone.localtime().utcoffset().total_seconds() % 3600 == 0
    size = 13 if whole else 16
    rows = qs.annotate(_hour=Substr(field, 1, size)).values("_hour").annotate(**aggregates)
    zone = timezone.get_current_timezone()
    out: dict[dt.date, dict] = {}
    for r in rows.order_by():
        # Sliced by hand: strptime and Django's localtime cost more than the query here.
        h = r.pop("_hour")
        minute = int(h[14:16]) if size == 16 else 0
        hour = dt.datetime(
            int(h[0:4]), int(h[5:7]), int(h[8:10]), int(h[11:13]), minute, tzinfo=dt.UTC
        )
        day = hour.astimezone(zone).date()
        into = out.setdefault(day, {})
        for key, value in r.items():
            into[key] = value if key not in into or into[key] is None else into[key] + (value or 0)
    return list(out.items())


def by_local_month(qs, field: str, **aggregates) -> list[tuple[dt.date, dict]]:
    months: dict[dt.date, dict] = {}
    for day, values in by_local_day(qs, field, **aggregates):
        into = months.setdefault(day.replace(day=1), {})
        for key, value in values.items():
            into[key] = value if key not in into or into[key] is None else into[key] + (value or 0)
    return list(months.items())


LEAD = ExpressionWrapper(F("issued_at") - F("created_at"), output_field=DurationField())


def lead_sum() -> Sum:
    """The summed intake → issue time; on SQLite in days by julianday() (plain SQL: a
    duration there is a Python function per row)."""
    if not _hour_groups():
        return Sum(LEAD)
    days = Func(F("issued_at"), function="julianday", output_field=FloatField()) - Func(
        F("created_at"), function="julianday", output_field=FloatField()
    )
    return Sum(ExpressionWrapper(days, output_field=FloatField()))


def as_duration(value) -> dt.timedelta | None:
    if value is None or isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(days=float(value))


# ---------------------------------------------------------------- employees' work


@dataclass
class WorkRow:
    member: Membership
    services_count: int = 0
    services_sum: Decimal = ZERO
    goods_count: int = 0
    goods_sum: Decimal = ZERO
    accepted: int = 0
    issued: int = 0
    lead: dt.timedelta | None = None

    @property
    def lead_days(self) -> Decimal | None:
        return None if self.lead is None else _days(self.lead)


def work(
    workshop: Workshop, period: Period, branch: Branch | None, *, member: Membership | None = None
) -> list[WorkRow]:
    """Each employee's services performed and goods sold (issued and paid, net of refunds),
    orders accepted and issued (as assignee) and their average intake → issue: 4 queries."""
    rows: dict[int, WorkRow] = {}
    people: dict[int, Membership] = {
        m.pk: m
        for m in Membership.objects.filter(workshop=workshop).select_related("user")
        if member is None or m.pk == member.pk
    }

    def row(pk: int | None) -> WorkRow | None:
        if pk not in people:
            return None
        if pk not in rows:
            rows[pk] = WorkRow(member=people[pk])
        return rows[pk]

    lines = (
        _earning_lines(workshop, period, branch)
        .values("performer", "kind")
        .annotate(
            n=Count("id", filter=Q(earning__kind=EarningKind.SETTLED)),
            s=Coalesce(Sum("amount"), 0, output_field=MoneyField()),
        )
        .order_by()
    )
    for item in lines:
        r = row(item["performer"])
        if r is None:
            continue
        if item["kind"] == OrderLine.LineKind.SERVICE:
            r.services_count += item["n"]
            r.services_sum += item["s"]
        else:
            r.goods_count += item["n"]
            r.goods_sum += item["s"]
    accepted = (
        _orders(workshop, branch)
        .filter(created_at__gte=period.since, created_at__lt=period.until)
        .values("accepted_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in accepted:
        r = row(item["accepted_by"])
        if r is not None:
            r.accepted = item["n"]
    issued = (
        _issued(workshop, period, branch)
        .values("assignee")
        .annotate(n=Count("id"), lead=lead_sum())
        .order_by()
    )
    for item in issued:
        r = row(item["assignee"])
        lead = as_duration(item["lead"])
        if r is not None:
            r.issued = item["n"]
            r.lead = lead / item["n"] if lead is not None and item["n"] else None
    return sorted(rows.values(), key=lambda r: (r.member.user.full_name or "").casefold())


WORK_KINDS = ("services", "goods", "accepted", "issued")


def work_orders(
    workshop: Workshop, period: Period, branch: Branch | None, member: Membership, what: str
):
    """The orders behind one figure of the employees' work, as a queryset of orders."""
    if what in ("services", "goods"):
        kind = OrderLine.LineKind.SERVICE if what == "services" else OrderLine.LineKind.GOODS
        ids = _earning_lines(workshop, period, branch).filter(performer=member, kind=kind)
        return _orders(workshop, None).filter(pk__in=ids.values("earning__order"))
    if what == "accepted":
        return _orders(workshop, branch).filter(
            accepted_by=member, created_at__gte=period.since, created_at__lt=period.until
        )
    return _issued(workshop, period, branch).filter(assignee=member)


# ---------------------------------------------------------------- the director's reports


@dataclass
class Series:
    """Rows of one report: (label, values...) with the column titles; `chart` names the
    column a chart draws, if any."""

    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    money: set[int] = field(default_factory=set)  # indexes of money columns
    chart: int | None = None
    chart_kind: str = "columns"  # "columns" (by day) or "bars" (by name)
    total: list | None = None


def _zero_fill(days: list, found: dict, width: int) -> list[list]:
    return [[d, *found.get(d, [ZERO] * width)] for d in days]


def revenue_by_day(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """Money taken on orders (payments and prepayments less refunds) per day: 1 query."""
    rows = by_local_day(
        _entries(workshop, period, branch).filter(kind__in=ORDER_KINDS), "at", s=Sum("amount")
    )
    found = {day: [r["s"]] for day, r in rows}
    s = Series(
        title=str(_("Revenue by day")),
        columns=[str(_("Day")), str(_("Revenue"))],
        rows=_zero_fill(period.days(), found, 1),
        money={1},
        chart=1,
    )
    s.total = [str(_("Total")), sum((r[1] for r in s.rows), ZERO)]
    return s


MARGIN = {
    "sales": Coalesce(Sum("amount"), 0, output_field=MoneyField()),
    "cost_sum": Coalesce(Sum("cost"), 0, output_field=MoneyField()),
    "unknown": Coalesce(
        Sum("amount", filter=Q(kind=OrderLine.LineKind.GOODS, cost__isnull=True)),
        0,
        output_field=MoneyField(),
    ),
}


def _margin(qs, group: str):
    return qs.values(group).annotate(**MARGIN).order_by()


def revenue_by_month(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """Per month: money taken (ledger) and the margin of what was issued and paid
    (earnings: sales less the cost of goods; goods of unknown cost apart): 2 queries."""
    taken = by_local_month(
        _entries(workshop, period, branch).filter(kind__in=ORDER_KINDS), "at", s=Sum("amount")
    )
    money_in = {m: r["s"] for m, r in taken}
    margin = dict(by_local_month(_earning_lines(workshop, period, branch), "earning__at", **MARGIN))
    s = Series(
        title=str(_("Revenue and margin by month")),
        columns=[
            str(_("Month")),
            str(_("Revenue")),
            str(_("Sales issued")),
            str(_("Cost of goods")),
            str(_("Margin")),
            str(_("Goods of unknown cost")),
        ],
        money={1, 2, 3, 4, 5},
        chart=1,
        chart_kind="months",
    )
    for m in period.months():
        r = margin.get(m)
        sales, cost, unknown = (
            (r["sales"], r["cost_sum"], r["unknown"]) if r else (ZERO, ZERO, ZERO)
        )
        # The margin of what has a known cost; goods of unknown cost are shown apart.
        s.rows.append([m, money_in.get(m, ZERO), sales, cost, sales - unknown - cost, unknown])
    s.total = [str(_("Total"))] + [sum((row[i] for row in s.rows), ZERO) for i in range(1, 6)]
    return s


def revenue_by_branch(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    rows = (
        _entries(workshop, period, branch)
        .filter(kind__in=ORDER_KINDS)
        .values("branch")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    names = dict(Branch.objects.filter(workshop=workshop).values_list("pk", "name"))
    s = Series(
        title=str(_("Revenue by branch")),
        columns=[str(_("Branch")), str(_("Revenue"))],
        rows=sorted(([names.get(r["branch"], "?"), r["s"]] for r in rows), key=lambda r: -r[1]),
        money={1},
        chart=1,
        chart_kind="bars",
    )
    s.total = [str(_("Total")), sum((r[1] for r in s.rows), ZERO)]
    return s


def revenue_by_method(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    rows = (
        _entries(workshop, period, branch)
        .filter(kind__in=ORDER_KINDS)
        .values("method")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    found = {r["method"]: r["s"] for r in rows}
    s = Series(
        title=str(_("Revenue by payment method")),
        columns=[str(_("Method")), str(_("Revenue"))],
        rows=[[str(m.label), found.get(m.value, ZERO)] for m in Method],
        money={1},
        chart=1,
        chart_kind="bars",
    )
    s.total = [str(_("Total")), sum((r[1] for r in s.rows), ZERO)]
    return s


def revenue_by_employee(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """What each employee performed and sold, issued and paid, and its margin: 2 queries."""
    rows = _margin(_earning_lines(workshop, period, branch), "performer")
    people = {
        m.pk: m.user.full_name or m.user.email
        for m in Membership.objects.filter(workshop=workshop).select_related("user")
    }
    s = Series(
        title=str(_("Revenue by employee")),
        columns=[
            str(_("Employee")),
            str(_("Sales issued")),
            str(_("Cost of goods")),
            str(_("Margin")),
            str(_("Goods of unknown cost")),
        ],
        money={1, 2, 3, 4},
        chart=1,
        chart_kind="bars",
    )
    for r in rows:
        name = people.get(r["performer"], str(_("Nobody named")))
        sales, cost, unknown = r["sales"], r["cost_sum"], r["unknown"]
        s.rows.append([name, sales, cost, sales - unknown - cost, unknown])
    s.rows.sort(key=lambda r: -r[1])
    s.total = [str(_("Total"))] + [sum((row[i] for row in s.rows), ZERO) for i in range(1, 5)]
    return s


def orders_per_day(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    taken = by_local_day(
        _orders(workshop, branch).filter(created_at__gte=period.since, created_at__lt=period.until),
        "created_at",
        n=Count("id"),
    )
    issued = by_local_day(_issued(workshop, period, branch), "issued_at", n=Count("id"))
    t = {day: r["n"] for day, r in taken}
    i = {day: r["n"] for day, r in issued}
    s = Series(
        title=str(_("Orders taken in and issued per day")),
        columns=[str(_("Day")), str(_("Taken in")), str(_("Issued"))],
        rows=[[d, t.get(d, 0), i.get(d, 0)] for d in period.days()],
        chart=1,
    )
    s.total = [str(_("Total")), sum(t.values()), sum(i.values())]
    return s


def orders_by_kind(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """Orders taken in during the period by kind and the tab they are in now: 1 query."""
    rows = (
        _orders(workshop, branch)
        .filter(created_at__gte=period.since, created_at__lt=period.until)
        .values("kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        tab = tab_of(r["status"])
        where = str(tab.label) if tab is not None else str(Status(r["status"]).label)
        if r["status"] == Status.ISSUED:
            where = str(Status.ISSUED.label)
        counts[(str(Kind(r["kind"]).label), where)] += r["n"]
    s = Series(
        title=str(_("Orders by kind and current tab")),
        columns=[str(_("Kind")), str(_("Now in")), str(_("Orders"))],
        rows=[[k, w, n] for (k, w), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1]))],
    )
    s.total = [str(_("Total")), "", sum(counts.values())]
    return s


def lead_time(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """Average time from intake to issue of the orders issued in the period, by kind."""
    rows = (
        _issued(workshop, period, branch)
        .values("kind")
        .annotate(n=Count("id"), lead=lead_sum())
        .order_by()
    )
    s = Series(
        title=str(_("Average time from intake to issue")),
        columns=[str(_("Kind")), str(_("Orders issued")), str(_("Average, days"))],
    )
    n_all, lead_all = 0, dt.timedelta()
    for r in sorted(rows, key=lambda r: str(Kind(r["kind"]).label)):
        lead = as_duration(r["lead"]) or dt.timedelta()
        n_all += r["n"]
        lead_all += lead
        s.rows.append([str(Kind(r["kind"]).label), r["n"], _days(lead / r["n"])])
    s.total = [str(_("Total")), n_all, _days(lead_all / n_all) if n_all else Decimal("0.0")]
    return s


def _days(delta: dt.timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def top_lines(workshop: Workshop, period: Period, branch: Branch | None, kind: str) -> Series:
    rows = (
        _earning_lines(workshop, period, branch)
        .filter(kind=kind)
        .values("name")
        .annotate(q=Sum("quantity", filter=Q(earning__kind=EarningKind.SETTLED)), s=Sum("amount"))
        .order_by("-s", "name")[:TOP]
    )
    title = _("Top services") if kind == OrderLine.LineKind.SERVICE else _("Top goods")
    return Series(
        title=str(title),
        columns=[str(_("Name")), str(_("Quantity")), str(_("Sum"))],
        rows=[[r["name"], r["q"] or 0, r["s"]] for r in rows],
        money={2},
        chart=2,
        chart_kind="bars",
    )


def debts(workshop: Workshop, period: Period, branch: Branch | None) -> Series:
    """Open debts now (whatever the period): issued orders not paid in full, by branch."""
    qs = _debts_qs(workshop)
    if branch is not None:
        qs = qs.filter(branch=branch)
    rows = (
        qs.values("branch")
        .annotate(n=Count("id"), total=Sum("total"), paid=Sum("paid_sum"))
        .order_by()
    )
    names = dict(Branch.objects.filter(workshop=workshop).values_list("pk", "name"))
    s = Series(
        title=str(_("Open debts")),
        columns=[str(_("Branch")), str(_("Orders")), str(_("Due"))],
        money={2},
    )
    for r in rows:
        s.rows.append(
            [names.get(r["branch"], "?"), r["n"], (r["total"] or ZERO) - (r["paid"] or ZERO)]
        )
    s.total = [str(_("Total")), sum(r[1] for r in s.rows), sum((r[2] for r in s.rows), ZERO)]
    return s


REPORTS = {
    "revenue": (_("Revenue by day"), [revenue_by_day, revenue_by_method, revenue_by_branch]),
    "margin": (_("Revenue and margin by month"), [revenue_by_month]),
    "employees": (_("Revenue by employee"), [revenue_by_employee]),
    "orders": (_("Orders"), [orders_per_day, orders_by_kind, lead_time]),
    "top": (
        _("Top services and goods"),
        [
            lambda w, p, b: top_lines(w, p, b, OrderLine.LineKind.SERVICE),
            lambda w, p, b: top_lines(w, p, b, OrderLine.LineKind.GOODS),
        ],
    ),
    "debts": (_("Open debts"), [debts]),
}


def report(name: str, workshop: Workshop, period: Period, branch: Branch | None) -> list[Series]:
    return [build(workshop, period, branch) for build in REPORTS[name][1]]
