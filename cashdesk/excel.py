"""Excel files (openpyxl, write-only: rows go to disk as they are written, so a year of a
big workshop stays in little memory): typed cells, a bold header row, frozen panes and
sheet names in the reader's language. Rows come from the database as plain tuples read
in chunks, with names looked up from small dictionaries: no model instance and no
query per row.

Every text cell stays text: openpyxl turns a string that starts with "=" into a
formula, and a client's name such as `=HYPERLINK(...)` must stay inert.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from accounts.models import Branch, Membership, Workshop
from cashdesk import payroll as payroll_mod
from cashdesk import reports
from cashdesk.models import CashEntry, EntryKind, Method, Payroll, Shift

MONEY = "#,##0.00"
DATE = "DD.MM.YYYY"
DATETIME = "DD.MM.YYYY HH:MM"
CHUNK = 2000
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
# Control characters Excel refuses inside a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_title(name: str, taken: set[str]) -> str:
    title = _BAD_SHEET.sub(" ", str(name)).strip()[:31] or "Sheet"
    base, n = title, 2
    while title.casefold() in taken:
        suffix = f" {n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


# ---------------------------------------------------------------- the file

# Values openpyxl would not keep as plain text: a formula ("=…") or an error code.
_NOT_TEXT = frozenset(ERROR_CODES)


class _Cells:
    """Typed cells for one sheet: money as a number with two decimals, a moment as a
    local date and time, a day as a date, counts as plain numbers, text as text.

    Plain values (ints, ordinary text) go to openpyxl as they are, which writes them
    without a cell object each; a styled cell is made only where a format is needed.
    Text is always text: a client's name such as `=HYPERLINK(...)` is written as an
    explicit string cell, never a formula."""

    def __init__(self, ws, plain: set[int]):
        self.ws = ws
        self.plain = plain
        self.zone = timezone.get_current_timezone()

    def styled(self, value, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def value(self, i: int, value):
        kind = type(value)
        if kind is str:
            if _CONTROL.search(value):
                value = _CONTROL.sub("", value)
            if value[:1] == "=" or value in _NOT_TEXT:
                cell = WriteOnlyCell(self.ws, value=value)
                cell.data_type = "s"
                return cell
            return value
        if kind is int or value is None:
            return value
        if kind is Decimal:
            # A rate (2.75 %), a quantity (1.5 kg) or days keep every decimal they have
            # (Excel's General format); money always shows two.
            return value if i in self.plain else self.styled(value, MONEY)
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.zone).replace(tzinfo=None)
            return self.styled(value, DATETIME)
        if isinstance(value, dt.date):
            return self.styled(value, DATE)
        if isinstance(value, bool | float):
            return value
        if isinstance(value, str):  # a str subclass (a SafeString, a lazy label's text)
            return self.value(i, str.__str__(value))
        return self.value(i, str(value))

    def row(self, values) -> list:
        value = self.value
        return [value(i, v) for i, v in enumerate(values)]


class Book:
    """An .xlsx written by openpyxl in write-only mode: each sheet's rows go to a
    temporary file as they come, so a year of a big workshop never sits in memory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.wb = Workbook(write_only=True)
        self.taken: set[str] = set()

    def sheet(
        self, name: str, header: list[str], rows: Iterable[list], *, plain: set[int] = frozenset()
    ) -> str:
        title = sheet_title(name, self.taken)
        ws = self.wb.create_sheet(title)
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for text in header:
            cell = WriteOnlyCell(ws, value=_CONTROL.sub("", str(text)))
            cell.data_type = "s"
            cell.font = bold
            head.append(cell)
        ws.append(head)
        cells = _Cells(ws, set(plain))
        for row in rows:
            ws.append(cells.row(row))
        return title

    def save(self) -> None:
        if not self.wb.worksheets:
            self.wb.create_sheet("-")
        self.wb.save(self.path)


# ---------------------------------------------------------------- what can be exported


def _iter(qs) -> Iterator:
    """Rows in batches by primary key: memory stays flat whatever the database driver
    does with cursors (without server-side cursors `.iterator()` fetches everything)."""
    last = None
    while True:
        batch = qs.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch[:CHUNK])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def _iter_values(qs, *fields: str) -> Iterator[tuple]:
    """The same, as plain tuples (the first field is the primary key): no model
    instances for the big sheets."""
    last = None
    while True:
        batch = qs.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch.values_list("pk", *fields)[:CHUNK])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _names(workshop: Workshop) -> tuple[dict[int, str], dict[int, str]]:
    """Branch and employee names by id: two small queries instead of joins on every row."""
    branches = dict(Branch.objects.filter(workshop=workshop).values_list("pk", "name"))
    people = dict(Membership.objects.filter(workshop=workshop).values_list("pk", "user__full_name"))
    return branches, people


def entries_rows(workshop: Workshop, period: reports.Period, branch: Branch | None):
    """A period of the ledger as plain tuples read in primary-key batches: no model
    instances, no query per row, flat memory on either database."""
    qs = CashEntry.objects.filter(workshop=workshop, at__gte=period.since, at__lt=period.until)
    if branch is not None:
        qs = qs.filter(branch=branch)
    rows = _iter_values(
        qs,
        "at",
        "branch_id",
        "kind",
        "method",
        "amount",
        "order__number",
        "order__client__name",
        "by_id",
        "counterpart_id",
        "comment",
        "reverses_id",
    )
    kinds = {k: str(v) for k, v in EntryKind.choices}
    methods = {k: str(v) for k, v in Method.choices}
    branches, people = _names(workshop)
    for pk, at, br, kind, method, amount, number, client, by, other, comment, rev in rows:
        yield (
            pk,
            at,
            branches.get(br, ""),
            kinds.get(kind, kind),
            methods.get(method, method),
            amount,
            number,
            client or "",
            people.get(by, "") if by else "",
            people.get(other, "") if other else "",
            comment,
            rev,
        )


def add_entries(book: Book, workshop, period, branch) -> None:
    book.sheet(
        _("Cash entries"),
        [
            _("No."),
            _("Time"),
            _("Branch"),
            _("Kind"),
            _("Method"),
            _("Amount"),
            _("Order"),
            _("Client"),
            _("Employee"),
            _("Paid to / handed in by"),
            _("Comment"),
            _("Reverses"),
        ],
        entries_rows(workshop, period, branch),
        plain={0, 6, 11},
    )


def add_shifts(book: Book, workshop, period, branch) -> None:
    from cashdesk.selectors import shift_summary

    qs = (
        Shift.objects.filter(
            workshop=workshop, opened_at__lt=period.until, closed_at__gte=period.since
        )
        .select_related("branch", "closed_by__user")
        .order_by("branch_id", "number")
    )
    if branch is not None:
        qs = qs.filter(branch=branch)

    def rows():
        for s in _iter(qs):
            summary = shift_summary(s)  # the Z-report's figures, two queries a shift
            yield [
                s.branch.name,
                s.number,
                s.opened_at,
                s.closed_at,
                s.closed_by.user.full_name if s.closed_by_id else "",
                s.opening_cash,
                *[summary.by_method.get(m, Decimal("0.00")) for m in Method],
                summary.incoming,
                summary.outgoing,
                s.expected_cash,
                s.counted_cash,
                s.difference,
            ]

    book.sheet(
        _("Shifts"),
        [
            _("Branch"),
            _("Shift"),
            _("Opened"),
            _("Closed"),
            _("Closed by"),
            _("Cash at opening"),
            *[str(m.label) for m in Method],
            _("In"),
            _("Out"),
            _("Expected cash"),
            _("Counted cash"),
            _("Difference"),
        ],
        rows(),
        plain={1},
    )


def add_payroll(book: Book, workshop, period, branch, payroll_id: int | None = None) -> None:
    if payroll_id is not None:
        sheet = payroll_mod.payroll_sheet(Payroll.objects.get(workshop=workshop, pk=payroll_id))
    else:
        sheet = payroll_mod.payroll_compute(workshop, period.start, period.end)
    book.sheet(
        _("Payroll"),
        [_("Employee"), _("Total"), _("Paid out"), _("Owed")],
        (
            [e.member.user.full_name or e.member.user.email, e.total, e.paid, e.owed]
            for e in sheet.employees
        ),
    )
    book.sheet(
        _("Payroll lines"),
        [_("Employee"), _("What"), _("Order"), _("Text"), _("Basis"), _("Rate"), _("Amount")],
        (
            [
                e.member.user.full_name or e.member.user.email,
                ln.kind_label,
                ln.order_number,
                ln.text,
                ln.basis,
                ln.rate,
                ln.amount,
            ]
            for e in sheet.employees
            for ln in e.lines
        ),
        plain={2, 5},
    )


def add_report(book: Book, name: str, workshop, period, branch) -> None:
    for series in reports.report(name, workshop, period, branch):
        money = series.money
        rows = [*series.rows, *([series.total] if series.total else [])]
        plain = {i for i in range(1, len(series.columns)) if i not in money}
        book.sheet(series.title, series.columns, rows, plain=plain)


def add_work(book: Book, workshop, period, branch, member=None) -> None:
    rows = reports.work(workshop, period, branch, member=member)
    book.sheet(
        _("Employees' work"),
        [
            _("Employee"),
            _("Services"),
            _("Services, sum"),
            _("Goods"),
            _("Goods, sum"),
            _("Orders accepted"),
            _("Orders issued"),
            _("Intake to issue, days"),
        ],
        (
            [
                r.member.user.full_name or r.member.user.email,
                r.services_count,
                r.services_sum,
                r.goods_count,
                r.goods_sum,
                r.accepted,
                r.issued,
                reports._days(r.lead) if r.lead is not None else None,
            ]
            for r in rows
        ),
        plain={1, 3, 5, 6, 7},
    )


EXPORTS = {
    "entries": (lambda: _("Cash entries"), add_entries),
    "shifts": (lambda: _("Shifts"), add_shifts),
    "payroll": (lambda: _("Payroll"), add_payroll),
    "work": (lambda: _("Employees' work"), add_work),
    **{
        f"report:{key}": (
            (lambda t=title: str(t)),
            (lambda b, w, p, br, k=key: add_report(b, k, w, p, br)),
        )
        for key, (title, _builders) in reports.REPORTS.items()
    },
}


def build(
    what: str, workshop: Workshop, period: reports.Period, branch: Branch | None, path: Path, **kw
) -> None:
    book = Book(path)
    EXPORTS[what][1](book, workshop, period, branch, **kw)
    book.save()
