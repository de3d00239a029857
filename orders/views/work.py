"""The Work page: tabs with counts, keyset "load more", search in every tab."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from accounts.models import Branch
from accounts.permissions import role_can
from orders.models import Client, Device, Order
from orders.views.common import (
    int_or_none,
    search_query,
)
from orders.workflow import (
    TAB_ORDER,
    TAB_STATUS,
    TODAY_ONLY_STATUSES,
    Tab,
)
from workshop.http import WorkshopRequest

PAGE_SIZE = 50


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _base_orders(request: WorkshopRequest, branch: Branch | None):
    qs = Order.objects.visible_to(request.membership).alive()
    if branch is not None:
        qs = qs.filter(branch=branch)
    return qs


def _tab_counts(qs) -> dict[Tab, int]:
    """Live work counted by status; the cash desk tab counts today's issues only.

    Two grouped counts, each one index range on (workshop, status, status_changed_at).
    Written as one OR, SQLite walked the workshop's whole slice of the index and read
    every issued order of the history from the table (30-65 ms at 100k orders); joined
    by UNION ALL, PostgreSQL planned parallel workers (6-12 ms). Two queries: ~1 ms.
    """
    live = [s for s in TAB_STATUS.values() if s not in TODAY_ONLY_STATUSES]
    grouped = qs.values("status").annotate(n=Count("id")).order_by()
    by_status = {row["status"]: row["n"] for row in grouped.filter(status__in=live)}
    today = grouped.filter(status__in=TODAY_ONLY_STATUSES, status_changed_at__gte=_start_of_today())
    by_status.update((row["status"], row["n"]) for row in today)
    return {tab: by_status.get(TAB_STATUS[tab], 0) for tab in TAB_ORDER}


def _list_rows(qs, after: int | None, *, workshop=None):
    """A page of the list, newest first. With `workshop` (the search), the page's ids
    are picked first on the (workshop, -id, ...) search index alone, and only those
    rows are then read with their client, device and assignee: the search tests every
    order on index columns, never reading the order history's rows."""
    qs = qs.order_by("-id")
    if after:
        qs = qs.filter(id__lt=after)
    if workshop is not None:
        ids = qs.values("pk")[: PAGE_SIZE + 1]
        qs = Order.objects.filter(workshop=workshop, pk__in=ids).order_by("-id")
    rows = list(qs.select_related("client", "device", "assignee__user")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    return rows[:PAGE_SIZE], more


def search_orders(qs, q: str, workshop, *, with_deleted_clients: bool = False):
    """Orders by number, phone, any word of the client's name, or serial, in every tab
    (cancelled too).

    Clients and devices are matched first on their own columns, as subqueries the
    database plans with the orders' (workshop, client) and (workshop, device) indexes, so
    the search never scans the order history and never drops a match past a cap.
    """
    q = q.strip()
    condition = Q(pk__in=[])
    bare = q.lstrip("№#")
    # isascii: "²" is a digit to str.isdigit() but not to int().
    if bare.isascii() and bare.isdigit() and len(bare) <= 9:
        condition |= Q(number=int(bare))
    clients = Client.objects.filter(workshop=workshop).search(q, workshop.country)
    if not with_deleted_clients:
        clients = clients.alive()
    condition |= Q(client_id__in=clients.values("pk"))
    if q:
        devices = Device.objects.filter(workshop=workshop, serial=q)
        condition |= Q(device_id__in=devices.values("pk"))
    return qs.filter(condition)


@require_GET
@requires("orders.view")
def work(request: WorkshopRequest) -> HttpResponse:
    membership = request.membership
    all_branches = role_can(membership.role, "accounts.all_branches")
    branches = list(membership.visible_branches()) if all_branches else []
    branch = None
    branch_id = int_or_none(request.GET.get("branch"))
    if branch_id:
        branch = next((b for b in branches if b.pk == branch_id), None)
    base = _base_orders(request, branch)
    q = search_query(request)
    try:
        tab = Tab(request.GET.get("tab", ""))
    except ValueError:
        tab = None
    if q:
        qs = search_orders(
            base,
            q,
            request.workshop,
            with_deleted_clients=role_can(membership.role, "clients.delete"),
        )
    else:
        counts = None
        if tab is None:
            counts = _tab_counts(base)
            tab = next((t for t in TAB_ORDER if counts[t]), Tab.QUEUE)
        qs = base.in_tab(tab)
    rows, more = _list_rows(
        qs, int_or_none(request.GET.get("after")), workshop=request.workshop if q else None
    )
    context = {
        "tab": tab,
        "q": q,
        "rows": rows,
        "more": more,
        "next_after": rows[-1].pk if rows else None,
        "branches": branches,
        "branch": branch,
        "now": timezone.now(),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "orders/work.html#rows", context)
    if request.htmx and request.htmx.target == "work-list":
        return render(request, "orders/work.html#list", context)
    context["counts"] = counts if (not q and counts is not None) else _tab_counts(base)
    context["tabs"] = [(t, context["counts"][t]) for t in TAB_ORDER]
    return render(request, "orders/work.html", context)
