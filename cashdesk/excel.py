"""Excel files (openpyxl, write-only: rows go to disk as they are written, so a year of a
big workshop stays in little memory): typed cells, a bold header row, frozen panes and
sheet names in the reader's language.

Every text cell is written as text explicitly: openpyxl turns a string that starts with
"=" into a formula, and a client's name such as `=HYPERLINK(...)` must stay inert.
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
from openpyxl.styles import Font

from accounts.models import Branch, Workshop
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


def _cell(ws, value):
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = DATETIME
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE
    elif isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = MONEY
    elif isinstance(value, bool | int | float) or value is None:
        cell = WriteOnlyCell(ws, value=value)
    else:
        cell = WriteOnlyCell(ws, value=_CONTROL.sub("", str(value)))
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _number(ws, value):
    """A count or a plain number (not money)."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, Decimal):
        cell.number_format = "0.0"
    return cell


def sheet_title(name: str, taken: set[str]) -> str:
    title = _BAD_SHEET.sub(" ", str(name)).strip()[:31] or "Sheet"
    base, n = title, 2
    while title.casefold() in taken:
        suffix = f" {n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


class Book:
    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.taken: set[str] = set()

    def sheet(
        self, name: str, header: list[str], rows: Iterable[list], *, plain: set[int] = frozenset()
    ):
        ws = self.wb.create_sheet(sheet_title(name, self.taken))
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for title in header:
            c = _cell(ws, title)
            c.font = bold
            head.append(c)
        ws.append(head)
        for row in rows:
            ws.append([_number(ws, v) if i in plain else _cell(ws, v) for i, v in enumerate(row)])
        return ws

    def save(self, path: Path) -> None:
        if not self.wb.worksheets:
            self.wb.create_sheet("-")
        self.wb.save(path)


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


def entries_rows(workshop: Workshop, period: reports.Period, branch: Branch | None):
    qs = (
        CashEntry.objects.filter(workshop=workshop, at__gte=period.since, at__lt=period.until)
        .select_related("branch", "by__user", "counterpart__user", "order__client")
        .order_by("id")
    )
    if branch is not None:
        qs = qs.filter(branch=branch)
    kinds, methods = dict(EntryKind.choices), dict(Method.choices)
    for e in _iter(qs):
        yield [
            e.pk,
            e.at,
            e.branch.name,
            str(kinds.get(e.kind, e.kind)),
            str(methods.get(e.method, e.method)),
            e.amount,
            e.order.number if e.order_id else None,
            (e.order.client.name if e.order_id and e.order.client_id else ""),
            (e.by.user.full_name if e.by_id else ""),
            (e.counterpart.user.full_name if e.counterpart_id else ""),
            e.comment,
            e.reverses_id,
        ]


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
    book = Book()
    EXPORTS[what][1](book, workshop, period, branch, **kw)
    book.save(path)
