"""The Work page: tabs with counts, keyset "load more", search in every tab."""

from __future__ import annotations

import html

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from accounts.permissions import role_can
from orders import display, extensions, selectors
from orders.views.common import (
    int_or_none,
    search_query,
)
from orders.workflow import OPEN, TAB_ORDER, Tab
from workshop.http import WorkshopRequest

ALL_OPEN = "all"  # the "All open" tab: every order not yet issued or cancelled


def _more_href(q: str, tab, branch, after, mine: bool) -> str:
    params = {"q": q} if q else {"tab": tab}
    if branch:
        params["branch"] = branch.pk
    if mine:
        params["mine"] = 1
    params["after"] = after
    return f"{reverse('orders:work')}?{urlencode(params)}"


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
    base = selectors.work_orders(membership, branch)
    # "Mine": the orders given to this person (a technician's own queue).
    mine = request.GET.get("mine") == "1"
    if mine:
        base = base.filter(assignee=membership)
    q = search_query(request)
    all_open = request.GET.get("tab") == ALL_OPEN
    try:
        tab = ALL_OPEN if all_open else Tab(request.GET.get("tab", ""))
    except ValueError:
        tab = None
    if q:
        qs = selectors.search_orders(
            base,
            q,
            request.workshop,
            with_deleted_clients=role_can(membership.role, "clients.delete"),
        )
    else:
        counts = None
        if tab is None:
            counts = selectors.tab_counts(base)
            tab = next((t for t in TAB_ORDER if counts[t]), Tab.QUEUE)
        qs = base.filter(status__in=OPEN) if all_open else base.in_tab(tab)
    page = selectors.list_rows(
        qs, int_or_none(request.GET.get("after")), workshop=request.workshop if q else None
    )
    columns = extensions.work_columns(request, tab, search=bool(q))
    extensions.attach_work_cells(request, columns, page.rows)
    selectors.mark_overdue(page.rows, timezone.localdate())
    now = timezone.now()
    context = {
        "columns": columns,
        "colspan": 8 + len(columns),
        "all_open": ALL_OPEN,
        "mine": mine,
        "tab": tab,
        "q": q,
        "rows": page.rows,
        "rows_html": display.work_rows_html(
            page.rows,
            columns=columns,
            search=bool(q),
            clients_delete=role_can(membership.role, "clients.delete"),
            now=now,
        ),
        "more": page.more,
        "next_after": page.after,
        "more_href": _more_href(q, tab, branch, page.after, mine) if page.more else "",
        "branches": branches,
        "branch": branch,
        "now": now,
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "orders/work.html#rows", context)
    if request.htmx and request.htmx.target == "work-list":
        return render(request, "orders/work.html#list", context)
    context["counts"] = counts if (not q and counts is not None) else selectors.tab_counts(base)
    context["tabs"] = [(t, context["counts"][t]) for t in TAB_ORDER]
    context["open_count"] = selectors.open_count(context["counts"])
    # Each tab link keeps the branch and "mine"; a search is in no tab.
    keep = (f"&branch={branch.pk}" if branch else "") + ("&mine=1" if mine else "")
    context["tabs_html"] = display.work_tabs_html(
        context["tabs"],
        current=None if q else tab,
        all_open=ALL_OPEN,
        open_count=context["open_count"],
        query=html.escape(keep),
    )
    return render(request, "orders/work.html", context)
