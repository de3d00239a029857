"""Excel files, streamed: rows go into the .xlsx as they are read, so a year of a big
workshop stays in little memory and takes seconds; typed cells, a bold header row,
frozen panes and sheet names in the reader's language. openpyxl reads them back in
the tests.

Every text cell is written as an inline string: a client's name such as
`=HYPERLINK(...)` stays inert text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

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

# The parts of an .xlsx (Office Open XML SpreadsheetML) around the sheets. Written here
# rather than by openpyxl: its writer serialises every cell through a pure-Python XML
# layer (lxml is not a dependency), which was most of a year's export (a minute and
# more for 100k entries); a row here is one string, streamed into the zip.
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Cell styles (cellXfs), by index: default, bold header, money, date, date and time, 0.0.
BOLD, MONEY_STYLE, DATE_STYLE, DATETIME_STYLE, DECIMAL_STYLE = 1, 2, 3, 4, 5
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="4">'
    f'<numFmt numFmtId="164" formatCode="{MONEY}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATE}"/>'
    f'<numFmt numFmtId="166" formatCode="{DATETIME}"/>'
    '<numFmt numFmtId="167" formatCode="0.0"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    _HEAD + f'<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"
_EPOCH = dt.datetime(1899, 12, 30)
_ROWS_PER_WRITE = 500


def _column(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>]")


def _text(value: str) -> str:
    """A text cell's content, escaped: always an inline string, so never a formula."""
    value = value[:32767]  # Excel's limit for a cell
    if _UNSAFE.search(value):
        value = _CONTROL.sub("", value).translate(_ESCAPE)
    if value[0].isspace() or value[-1].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


class _Sheet:
    """The typed cells of one sheet: text as text ("s", an inline string, never a
    formula, whatever it starts with), money as a number with two decimals, a moment as
    a local date and time, a day as a date, counts as plain numbers."""

    def __init__(self, columns: int, plain: set[int]):
        self.refs = [_column(i) for i in range(max(columns, 1) + 8)]
        self.plain = plain
        self.plain_now = False
        self.zone = timezone.get_current_timezone()

    def cell(self, ref: str, value, *, style: int = 0) -> str:
        if isinstance(value, str):
            s = f' s="{style}"' if style else ""
            return f'<c r="{ref}" t="inlineStr"{s}>{_text(value)}</c>'
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, Decimal):
            s = DECIMAL_STYLE if self.plain_now else MONEY_STYLE
            return f'<c r="{ref}" s="{s}"><v>{value}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value!r}</v></c>'
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.zone).replace(tzinfo=None)
            delta = value - _EPOCH
            serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
            return f'<c r="{ref}" s="{DATETIME_STYLE}"><v>{serial!r}</v></c>'
        if isinstance(value, dt.date):
            serial = (value - _EPOCH.date()).days
            return f'<c r="{ref}" s="{DATE_STYLE}"><v>{serial}</v></c>'
        return self.cell(ref, str(value), style=style)

    def row(self, number: int, values, *, style: int = 0) -> str:
        """One row's XML. The usual types are tested by exact type, inline (this loop
        runs a million times in a year's export); anything else goes through cell()."""
        cells = []
        refs, plain, text = self.refs, self.plain, _text
        for i, value in enumerate(values):
            if value is None or value == "":
                continue  # an empty cell, as openpyxl writes it
            if i >= len(refs):
                refs.append(_column(i))
            kind = type(value)
            if kind is str and not style:
                cells.append(f'<c r="{refs[i]}{number}" t="inlineStr">{text(value)}</c>')
            elif kind is int:
                cells.append(f'<c r="{refs[i]}{number}"><v>{value}</v></c>')
            elif kind is Decimal:
                s = DECIMAL_STYLE if i in plain else MONEY_STYLE
                cells.append(f'<c r="{refs[i]}{number}" s="{s}"><v>{value}</v></c>')
            else:
                self.plain_now = i in plain
                cells.append(self.cell(f"{refs[i]}{number}", value, style=style))
        return f'<row r="{number}">{"".join(cells)}</row>'


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class Book:
    """An .xlsx written as it goes: each sheet's rows stream into the zip as they come
    (a year of a big workshop never sits in memory), the workbook's parts at `save`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED)
        self.taken: set[str] = set()
        self.titles: list[str] = []

    def sheet(
        self, name: str, header: list[str], rows: Iterable[list], *, plain: set[int] = frozenset()
    ) -> str:
        title = sheet_title(name, self.taken)
        self.titles.append(title)
        sheet = _Sheet(len(header), set(plain))
        part = f"xl/worksheets/sheet{len(self.titles)}.xml"
        with self.zip.open(part, "w", force_zip64=True) as out:
            out.write(_SHEET_START.encode())
            out.write(sheet.row(1, [str(h) for h in header], style=BOLD).encode())
            chunk: list[str] = []
            for number, row in enumerate(rows, start=2):
                chunk.append(sheet.row(number, row))
                if len(chunk) >= _ROWS_PER_WRITE:
                    out.write("".join(chunk).encode())
                    chunk = []
            out.write(("".join(chunk) + _SHEET_END).encode())
        return title

    def save(self, path: Path | None = None) -> None:
        if not self.titles:
            self.sheet("-", [], [])
        n = len(self.titles)
        sheets = "".join(
            f'<sheet name="{_attr(t)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, t in enumerate(self.titles, start=1)
        )
        self.zip.writestr(
            "xl/workbook.xml",
            _HEAD
            + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _HEAD + f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        )
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.writestr(
            "_rels/.rels",
            _HEAD + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{main}.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        self.zip.writestr(
            "[Content_Types].xml",
            _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self.zip.close()
        if path is not None and Path(path) != self.path:
            self.path.replace(path)


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


def _names(workshop: Workshop) -> tuple[dict[int, str], dict[int, str]]:
    """Branch and employee names by id: two small queries instead of joins on every row."""
    branches = dict(Branch.objects.filter(workshop=workshop).values_list("pk", "name"))
    people = dict(Membership.objects.filter(workshop=workshop).values_list("pk", "user__full_name"))
    return branches, people


def entries_rows(workshop: Workshop, period: reports.Period, branch: Branch | None):
    """A period of the ledger as plain tuples from one query read in chunks (the
    database cursor: no model instances, no query per row, flat memory)."""
    qs = CashEntry.objects.filter(workshop=workshop, at__gte=period.since, at__lt=period.until)
    if branch is not None:
        qs = qs.filter(branch=branch)
    rows = qs.order_by("id").values_list(
        "pk",
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
    for pk, at, br, kind, method, amount, number, client, by, other, comment, rev in rows.iterator(
        chunk_size=CHUNK
    ):
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
