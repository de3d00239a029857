"""Reads of orders that more than one view (or app) needs.

Views compose these; other apps (the cash desk's "issued today", the documents'
order read) call them instead of importing views. Each is a fixed number of queries,
independent of the number of orders.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Max
from django.utils import timezone

from accounts.models import Branch, Membership, short_name
from orders import search
from orders.models import Client, Device, JournalEntry, Order, OrderLine, device_label
from orders.workflow import (
    CLOSED,
    OPEN,
    TAB_ORDER,
    TAB_STATUS,
    TODAY_ONLY_STATUSES,
    Kind,
    Status,
    Tab,
)
from workshop.lib.paging import Page, keyset_page

WORK_PAGE_SIZE = 50
JOURNAL_PAGE_SIZE = 30


def branch_members(workshop, branches) -> dict[int, Membership]:
    """The active people who may be given an order of these branches, by id: one query."""
    members = (
        Membership.objects.active()
        .for_workshop(workshop)
        .working_in(branches)
        .select_related("user")
        .order_by("user__full_name", "id")
    )
    return {m.pk: m for m in members}


def start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def work_orders(membership: Membership, branch: Branch | None = None):
    """The live orders a member sees on the Work page, in one branch or all of theirs."""
    qs = Order.objects.visible_to(membership).alive()
    if branch is not None:
        qs = qs.filter(branch=branch)
    return qs


def tab_counts(qs) -> dict[Tab, int]:
    """Live work counted by status; today-only tabs (the cash desk) count today's only.

    Two grouped counts, each one index range on (workshop, status, status_changed_at).
    Written as one OR, SQLite walked the workshop's whole slice of the index and read
    every issued order of the history from the table (30-65 ms at 100k orders); joined
    by UNION ALL, PostgreSQL planned parallel workers (6-12 ms). Two queries: ~1 ms.
    """
    live = [s for s in TAB_STATUS.values() if s not in TODAY_ONLY_STATUSES]
    grouped = qs.values("status").annotate(n=Count("id")).order_by()
    by_status = {row["status"]: row["n"] for row in grouped.filter(status__in=live)}
    today = grouped.filter(status__in=TODAY_ONLY_STATUSES, status_changed_at__gte=start_of_today())
    by_status.update((row["status"], row["n"]) for row in today)
    return {tab: by_status.get(TAB_STATUS[tab], 0) for tab in TAB_ORDER}


def open_count(counts: dict[Tab, int]) -> int:
    """The "All open" tab's count, from the tab counts (no further query)."""
    return sum(n for tab, n in counts.items() if TAB_STATUS[tab] in OPEN)


def mark_overdue(orders, today) -> None:
    """Give each order `.overdue_days`: how many days its due date has passed (0 if not,
    or if the order is closed)."""
    for order in orders:
        due = order.due_date
        late = due is not None and due < today and order.status not in CLOSED
        order.overdue_days = (today - due).days if late else 0


# A Work list row's own columns of the order (see WorkRow and WORK_ROW_COLUMNS).
_ORDER_COLUMNS = (
    "id",
    "number",
    "kind",
    "status",
    "branch_id",
    "created_at",
    "status_changed_at",
    "visit_at",
    "address",
    "problem",
    "due_date",
    "total",
    "client_id",
    "device_id",
    "assignee_id",
)


class WorkClient:
    """The client of a Work list row: what the row shows of them."""

    __slots__ = ("name", "phone", "is_deleted")

    def __init__(self, name: str, phone: str, is_deleted: bool):
        self.name, self.phone, self.is_deleted = name, phone, is_deleted


class WorkRow:
    """One order of the Work list, read as a row of values, not as model instances: 50
    orders with their client, device and assignee were 250 instances, a third of the
    page's time. Work-column extensions receive these rows (`register_work_column`):
    `pk`/`id`, `number`, `kind`, `status`, `total`, `branch_id`, `client_id`,
    `device_id`, `assignee_id`, the dates, and `client` (name, phone, is_deleted) or None.
    """

    __slots__ = (
        *_ORDER_COLUMNS,
        "client",
        "device",
        "assignee_name",
        "overdue_days",
        "extra_cells",
    )

    @property
    def pk(self) -> int:
        return self.id

    def __eq__(self, other) -> bool:
        # The row of an order is that order: `rows == [order]` holds, as it did when the
        # list held Order instances (Model.__eq__ defers to this for a non-model).
        if isinstance(other, WorkRow | Order):
            return self.id == other.pk
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)  # as Model.__hash__: the primary key

    def get_status_display(self) -> str:
        # As Model.get_FOO_display: a value no longer among the choices shows as stored.
        return str(_STATUS_LABELS.get(self.status, self.status))


_STATUS_LABELS = dict(Status.choices)

# What a Work list row reads: the order's own columns (WorkRow's attributes of the same
# names), then its client's, device's and assignee's.
WORK_ROW_COLUMNS = (
    *_ORDER_COLUMNS,
    "client__name",
    "client__phone",
    "client__is_deleted",
    "device__device_type",
    "device__brand",
    "device__model",
    "assignee__user__full_name",
    "assignee__user__email",
)
_OWN = len(_ORDER_COLUMNS)


def _work_row(values: tuple) -> WorkRow:
    row = WorkRow()
    for column, value in zip(_ORDER_COLUMNS, values, strict=False):
        setattr(row, column, value)
    name, phone, client_deleted, device_type, brand, model, full_name, email = values[_OWN:]
    row.client = WorkClient(name, phone, client_deleted) if row.client_id else None
    row.device = device_label(device_type, brand, model) if row.device_id else None
    row.assignee_name = short_name(full_name, email) if row.assignee_id else ""
    row.overdue_days = 0
    row.extra_cells = []
    return row


def list_rows(qs, after: int | None, *, workshop=None) -> Page:
    """A page of the Work list (WorkRow), newest first. With `workshop` (the search),
    the page's ids are picked first on the (workshop, -id, ...) search index alone, and
    only those rows are then read with their client, device and assignee: the search
    tests every order on index columns, never reading the order history's rows."""
    if workshop is not None:
        ids = qs.order_by("-id")
        if after is not None:
            ids = ids.filter(id__lt=after)
        # A subquery with its LIMIT: the page's ids are picked on the index alone.
        qs = Order.objects.filter(workshop=workshop, pk__in=ids.values("pk")[: WORK_PAGE_SIZE + 1])
        after = None
    rows = qs.values_list(*WORK_ROW_COLUMNS)
    return keyset_page(rows, after=after, size=WORK_PAGE_SIZE, build=_work_row)


def search_orders(qs, q: str, workshop, *, with_deleted_clients: bool = False):
    """Orders by number, phone (or its last digits), any word of the client's name,
    serial (or its last digits), the device's type, brand or model, or words of the
    problem, diagnosis and notes, in every tab (cancelled too).

    The term is classified and only the index-backed lookups for its kind run; each
    hands the order filter its clients', devices' or orders' ids, or, for a common
    term, is tested on the newest orders as the page is read (orders.search), so the
    search never scans every client or the order history and never drops a match.
    """
    return search.search_orders(qs, q, workshop, with_deleted_clients=with_deleted_clients)


def journal_page(order: Order, before: int | None) -> Page:
    """A page of the order's journal, newest first."""
    # Who made each entry, by name only: an entry, its member and their user were three
    # model instances an entry, most of a 30-entry page.
    qs = JournalEntry.objects.filter(workshop=order.workshop, order=order).annotate(
        by_name=F("by__user__full_name")
    )
    return keyset_page(qs, after=before, size=JOURNAL_PAGE_SIZE)


def order_lines(order: Order) -> list[OrderLine]:
    """The order's lines in the order they were added, with who performed or sold each."""
    return list(
        OrderLine.objects.filter(workshop=order.workshop, order=order)
        .select_related("performer__user")
        .only(*_LINE_FIELDS)
        .order_by("id")
    )


# A line's own columns and, of its performer, what the card shows (the name; the
# e-mail for a short name): their other columns (password hashes, sign-in dates and their
# conversions) cost more than the lines themselves.
_LINE_FIELDS = (
    *(f.name for f in OrderLine._meta.concrete_fields),
    "performer__workshop",
    "performer__role",
    "performer__user",
    "performer__user__full_name",
    "performer__user__email",
)


def devices_with_orders(orders_qs, client: Client, *, devices: int, per_client: int = 100):
    """The client's newest `devices`, each with `.past_orders` from `orders_qs` (the
    orders the member may open): two queries."""
    found = list(
        Device.objects.filter(workshop=client.workshop, client=client).order_by("-id")[:devices]
    )
    by_id = {d.pk: d for d in found}
    for d in found:
        d.past_orders = []
    for order in orders_qs.filter(device_id__in=list(by_id)).order_by("-id")[:per_client]:
        by_id[order.device_id].past_orders.append(order)
    return found


# ---------------------------------------------------------------- the Today view

# An order waiting for a part longer than this many days is listed on the Today view.
WAITING_PART_DAYS = 3
TODAY_LIMIT = 50  # rows per section; the Work page's tabs hold the rest
READY_STATUSES = (Status.READY_NOTIFY, Status.READY_DELIVERY)


def _today_rows(qs, order_by: tuple[str, ...]) -> list[Order]:
    return list(
        qs.select_related("client", "device", "assignee__user").order_by(*order_by)[:TODAY_LIMIT]
    )


def today_sections(membership: Membership, *, now=None, waiting_days: int = WAITING_PART_DAYS):
    """The front desk's day: ready to hand out, due today or overdue (with the days late),
    today's call-outs, and orders waiting for a part longer than `waiting_days`. Four
    queries, whatever the number of orders."""
    now = timezone.localtime(now)
    today = now.date()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    base = Order.objects.visible_to(membership).alive()
    ready = _today_rows(base.filter(status__in=READY_STATUSES), ("status_changed_at", "id"))
    due = _today_rows(
        base.filter(status__in=OPEN, due_date__lte=today).exclude(status__in=READY_STATUSES),
        ("due_date", "id"),
    )
    mark_overdue(due, today)
    callouts = _today_rows(
        base.filter(kind=Kind.CALL_OUT, status__in=OPEN, visit_at__gte=start, visit_at__lt=end),
        ("visit_at", "id"),
    )
    waiting = _today_rows(
        base.filter(
            status=Status.WAITING_PART,
            status_changed_at__lt=now - timedelta(days=waiting_days),
        ),
        ("status_changed_at", "id"),
    )
    return {"ready": ready, "due": due, "callouts": callouts, "waiting": waiting}


def attach_client_counts(clients: list[Client], orders_qs) -> None:
    """Give a page of clients `.device_count`, `.order_count` (of `orders_qs`, the orders
    the member may open) and `.last_order_at`: two grouped queries."""
    ids = [c.pk for c in clients]
    for c in clients:
        c.device_count, c.order_count, c.last_order_at = 0, 0, None
    if not ids:
        return
    by_id = {c.pk: c for c in clients}
    devices = (
        Device.objects.filter(workshop=clients[0].workshop_id, client_id__in=ids)
        .values("client_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in devices:
        by_id[row["client_id"]].device_count = row["n"]
    orders = (
        orders_qs.filter(client_id__in=ids)
        .values("client_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by()
    )
    for row in orders:
        client = by_id[row["client_id"]]
        client.order_count, client.last_order_at = row["n"], row["last"]


def client_devices_and_orders(client: Client, orders_qs, *, devices: int, orders: int) -> dict:
    """The client's devices, each with `.client_orders`, and the orders with no listed
    device: two queries whatever the client's history."""
    found = list(
        Device.objects.filter(workshop=client.workshop_id, client=client).order_by("-id")[
            : devices + 1
        ]
    )
    more_devices = len(found) > devices
    found = found[:devices]
    rows = list(orders_qs.filter(client=client).order_by("-id")[: orders + 1])
    by_id = {d.pk: d for d in found}
    for d in found:
        d.client_orders = []
    other = []
    for order in rows[:orders]:
        device = by_id.get(order.device_id)
        (device.client_orders if device else other).append(order)
    return {
        "devices": found,
        "more_devices": more_devices,
        "other_orders": other,
        "more_orders": len(rows) > orders,
    }
