"""Screens of employees' work, salary rules, payroll, the director's reports and Excel
exports. Thin, as the desk's views: tenant-scoped lookups, a form, one service or read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from accounts.decorators import requires
from accounts.models import Branch, Membership
from accounts.permissions import role_can
from cashdesk import charts, exports, payroll, reports
from cashdesk.excel import EXPORTS
from cashdesk.models import Export, ExportStatus, Payroll, SalaryRule
from cashdesk.report_forms import PayoutForm, PayrollCloseForm, PeriodForm, RuleForm
from cashdesk.views import get_member_or_404
from orders.views.common import errors_to_form, int_or_none
from workshop.http import WorkshopRequest
from workshop.lib.money import format_money
from workshop.lib.paging import keyset_page

ORDERS_PAGE = 50


# ---------------------------------------------------------------- period and branch


def _period(request: WorkshopRequest) -> tuple[reports.Period, PeriodForm]:
    """The period asked for in the query string; this month when it does not make sense
    (the form then says why)."""
    form = PeriodForm(request.GET or None)
    period = reports.named_period(reports.PeriodKey.MONTH)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["period"] == reports.PeriodKey.CUSTOM:
            try:
                period = reports.custom_period(data["start"], data["end"])
            except ValidationError as exc:
                errors_to_form(form, exc)
        elif data["period"]:
            period = reports.named_period(data["period"])
    if not form.is_bound:
        form = PeriodForm(initial={"period": period.key})
    return period, form


def _branch(request: WorkshopRequest) -> tuple[Branch | None, list[Branch]]:
    """The branch asked for among the member's; None means every branch they see (only
    for those who see them all; the others get their first)."""
    branches = list(request.membership.visible_branches())
    wanted = int_or_none(request.GET.get("branch"))
    chosen = next((b for b in branches if b.pk == wanted), None)
    if chosen is None and not request.membership.sees_all_branches and branches:
        chosen = branches[0]
    return chosen, branches


def _query(period: reports.Period, branch: Branch | None, **extra: Any) -> str:
    parts = [period.query()]
    if branch is not None:
        parts.append(f"branch={branch.pk}")
    parts += [f"{k}={v}" for k, v in extra.items() if v is not None]
    return "&".join(parts)


def _context(request, period, form, branch, branches, **extra) -> dict:
    return {
        "period": period,
        "period_form": form,
        "branch": branch,
        "branches": branches,
        "all_branches": request.membership.sees_all_branches,
        "query": _query(period, branch),
        **extra,
    }


# ---------------------------------------------------------------- employees' work


@require_GET
@requires("cashdesk.work")
def work(request: WorkshopRequest) -> HttpResponse:
    """Each employee's work in the period; a technician sees their own line only."""
    period, form = _period(request)
    branch, branches = _branch(request)
    everyone = role_can(request.membership.role, "cashdesk.work_all")
    rows = reports.work(
        request.workshop, period, branch, member=None if everyone else request.membership
    )
    if not everyone and not rows:
        rows = [reports.WorkRow(member=request.membership)]
    return render(
        request,
        "cashdesk/work.html",
        _context(request, period, form, branch, branches, rows=rows, everyone=everyone),
    )


@require_GET
@requires("cashdesk.work")
def work_orders(request: WorkshopRequest, work_member_id: int) -> HttpResponse:
    """The orders behind one figure of the employees' work."""
    everyone = role_can(request.membership.role, "cashdesk.work_all")
    member = get_member_or_404(request, work_member_id)
    if not everyone and member.pk != request.membership.pk:
        # One's own figures only: the same figure of one's own work.
        own = reverse("cashdesk:work_orders", kwargs={"work_member_id": request.membership.pk})
        return redirect(f"{own}?{request.GET.urlencode()}")
    what = request.GET.get("what")
    if what not in reports.WORK_KINDS:
        what = "services"
    period, form = _period(request)
    branch, branches = _branch(request)
    qs = reports.work_orders(request.workshop, period, branch, member, what).select_related(
        "client", "branch"
    )
    page = keyset_page(qs, after=int_or_none(request.GET.get("after")), size=ORDERS_PAGE)
    ctx = _context(
        request,
        period,
        form,
        branch,
        branches,
        member=member,
        what=what,
        page=page,
        titles=dict(_work_titles()),
    )
    ctx["more_query"] = _query(period, branch, what=what, after=page.after)
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/work_orders.html#rows", ctx)
    return render(request, "cashdesk/work_orders.html", ctx)


def _work_titles():
    return [
        ("services", _("Services performed")),
        ("goods", _("Goods sold")),
        ("accepted", _("Orders accepted")),
        ("issued", _("Orders issued")),
    ]


# ---------------------------------------------------------------- salary rules


@require_GET
@requires("cashdesk.payroll")
def salary(request: WorkshopRequest) -> HttpResponse:
    """Everyone's rule in effect today, with a link to their rules' history."""
    members = list(
        Membership.objects.filter(workshop=request.workshop, is_active=True).select_related("user")
    )
    rules = payroll.Rules(request.workshop)
    today = timezone.localdate()
    rows = [(m, rules.at(m.pk, today), rules.by_member.get(m.pk, [])) for m in members]
    return render(request, "cashdesk/salary.html", {"rows": rows})


@requires("cashdesk.payroll")
def salary_member(request: WorkshopRequest, salary_member_id: int) -> HttpResponse:
    """One employee's rules by date, and a form for a new one from a date."""
    member = get_member_or_404(request, salary_member_id)
    data = request.POST if request.method == "POST" else None
    form = RuleForm(data, initial={"effective_from": timezone.localdate()})
    if data is not None and form.is_valid():
        try:
            payroll.rule_add(member=member, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("cashdesk:salary_member", salary_member_id=member.pk)
    rules = list(
        SalaryRule.objects.filter(workshop=request.workshop, member=member).order_by(
            "-effective_from"
        )
    )
    return render(
        request, "cashdesk/salary_member.html", {"member": member, "rules": rules, "form": form}
    )


# ---------------------------------------------------------------- payroll


def _next_period() -> tuple[dt.date, dt.date]:
    """Last month; or, after a closed payroll, from the day after it to the end of its month."""
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


@require_GET
@requires("cashdesk.payroll")
def payroll_page(request: WorkshopRequest) -> HttpResponse:
    """The open period's payroll as it would be closed now, and the closed ones."""
    last = payroll.last_closed(request.workshop)
    start, end = _next_period()
    if last is not None:
        start = last.end + dt.timedelta(days=1)
        end = max(end, start)
    form = PayrollCloseForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    sheet = None
    try:
        sheet = payroll.payroll_compute(request.workshop, start, end)
    except ValidationError as exc:
        errors_to_form(form, exc)
    closed = list(
        Payroll.objects.filter(workshop=request.workshop)
        .select_related("closed_by__user")
        .order_by("-number")[:24]
    )
    return render(
        request,
        "cashdesk/payroll.html",
        {"form": form, "sheet": sheet, "closed": closed, "start": start, "end": end},
    )


@require_POST
@requires("cashdesk.payroll")
def payroll_close(request: WorkshopRequest) -> HttpResponse:
    form = PayrollCloseForm(request.POST)
    if form.is_valid():
        try:
            closed = payroll.payroll_close(
                workshop=request.workshop,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                by=request.membership,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except payroll.PayrollError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Payroll №%(number)s is closed.") % {"number": closed.number}
            )
            return redirect("cashdesk:payroll_detail", payroll_id=closed.pk)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("cashdesk:payroll")


def get_payroll_or_404(request: WorkshopRequest, payroll_id: int) -> Payroll:
    found = (
        Payroll.objects.filter(workshop=request.workshop, pk=payroll_id)
        .select_related("closed_by__user")
        .first()
    )
    if found is None:
        raise Http404
    return found


@requires("cashdesk.payroll")
def payroll_detail(request: WorkshopRequest, payroll_id: int) -> HttpResponse:
    """A closed payroll as frozen, with a payout form per employee still owed."""
    closed = get_payroll_or_404(request, payroll_id)
    branches = list(request.membership.visible_branches())
    failed: dict[int, PayoutForm] = {}
    if request.method == "POST":
        form = PayoutForm(request.POST, branches=branches)
        if form.is_valid():
            data = form.cleaned_data
            member = get_member_or_404(request, data["member"])
            branch = next((b for b in branches if b.pk == data["branch"]), None)
            try:
                if branch is None:
                    raise ValidationError({"branch": [_("Choose a branch.")]})
                payroll.payroll_pay(
                    payroll=closed,
                    member=member,
                    amount=data["amount"],
                    branch=branch,
                    by=request.membership,
                    key=data["key"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            except payroll.services_errors() as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(amount)s paid to %(name)s.")
                    % {"amount": format_money(data["amount"]), "name": member.user.full_name},
                )
                return redirect("cashdesk:payroll_detail", payroll_id=closed.pk)
        failed[int_or_none(request.POST.get("member")) or 0] = form
    sheet = payroll.payroll_sheet(closed)
    rows = []
    for emp in sheet.employees:
        form = failed.get(emp.member.pk) or PayoutForm(
            initial={"member": emp.member.pk, "amount": emp.owed, "key": _uuid()},
            branches=branches,
        )
        rows.append((emp, form))
    return render(
        request, "cashdesk/payroll_detail.html", {"payroll": closed, "sheet": sheet, "rows": rows}
    )


def _uuid():
    import uuid

    return uuid.uuid4()


# ---------------------------------------------------------------- reports


REPORT_TITLES = [(key, title) for key, (title, _b) in reports.REPORTS.items()]


@require_GET
@requires("cashdesk.reports")
def report(request: WorkshopRequest) -> HttpResponse:
    """One of the director's reports: its charts above its tables."""
    name = request.GET.get("report")
    if name not in reports.REPORTS:
        name = "revenue"
    period, form = _period(request)
    branch, branches = _branch(request)
    series = reports.report(name, request.workshop, period, branch)
    blocks = [(s, charts.for_series(s), _cells(s)) for s in series]
    ctx = _context(
        request,
        period,
        form,
        branch,
        branches,
        name=name,
        blocks=blocks,
        titles=REPORT_TITLES,
        title=reports.REPORTS[name][0],
    )
    ctx["query"] = _query(period, branch)
    return render(request, "cashdesk/report.html", ctx)


def _cell(value, money: bool) -> str:
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if money:
        return format_money(value)
    if isinstance(value, int | Decimal):
        return number_format(value, force_grouping=True)
    return str(value)


def _cells(series) -> tuple[list[list[str]], list[str] | None]:
    """The table's text, formatted here: a year by day is 365 rows, and the template
    engine's loops over them cost more than the report's queries."""
    rows = [[_cell(v, i in series.money) for i, v in enumerate(row)] for row in series.rows]
    total = (
        [_cell(v, i in series.money) for i, v in enumerate(series.total)] if series.total else None
    )
    return rows, total


# ---------------------------------------------------------------- exports


EXPORT_PERMISSION = {
    "entries": "cashdesk.reports",
    "shifts": "cashdesk.reports",
    "payroll": "cashdesk.payroll",
    "work": "cashdesk.work",
}


@require_POST
@requires("cashdesk.reports")
def export_start(request: WorkshopRequest) -> HttpResponse:
    """Queue an Excel file of what the page shows; its page shows when it is ready."""
    what = request.POST.get("what", "")
    if what not in EXPORTS:
        messages.error(request, _("Choose what to export."))
        return redirect("cashdesk:report")
    permission = EXPORT_PERMISSION.get(what, "cashdesk.reports")
    if not role_can(request.membership.role, permission):
        return HttpResponse(status=403)
    form = PeriodForm(request.POST)
    period = reports.named_period(reports.PeriodKey.MONTH)
    if form.is_valid():
        data = form.cleaned_data
        if data["period"] == reports.PeriodKey.CUSTOM:
            period = reports.custom_period(data["start"], data["end"])
        elif data["period"]:
            period = reports.named_period(data["period"])
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(request.POST.get("back") or "cashdesk:report")
    branches = list(request.membership.visible_branches())
    wanted = int_or_none(request.POST.get("branch"))
    branch = next((b for b in branches if b.pk == wanted), None)
    if branch is None and not request.membership.sees_all_branches and branches:
        branch = branches[0]
    payroll_id = None
    if what == "payroll" and request.POST.get("payroll"):
        payroll_id = get_payroll_or_404(request, int_or_none(request.POST.get("payroll")) or 0).pk
    member_id = None
    if what == "work" and not role_can(request.membership.role, "cashdesk.work_all"):
        member_id = request.membership.pk
    export = exports.export_request(
        by=request.membership,
        what=what,
        period=period,
        branch=branch,
        payroll_id=payroll_id,
        member_id=member_id,
    )
    return redirect("cashdesk:export", export_id=export.pk)


def get_export_or_404(request: WorkshopRequest, export_id: int) -> Export:
    found = Export.objects.filter(
        workshop=request.workshop, pk=export_id, requested_by=request.membership
    ).first()
    if found is None:
        raise Http404
    return found


@require_GET
@requires("cashdesk.reports")
def export_status(request: WorkshopRequest, export_id: int) -> HttpResponse:
    """The export's page: a spinner that polls until the file is ready, then the link."""
    export = get_export_or_404(request, export_id)
    ctx = {"export": export, "title": EXPORTS[export.what][0]()}
    if request.htmx:
        response = render(request, "cashdesk/export.html#status", ctx)
        if export.status != ExportStatus.QUEUED:
            response = HttpResponseStopPolling(response.content)
        return response
    return render(request, "cashdesk/export.html", ctx)


@require_GET
@requires("cashdesk.reports")
def export_download(request: WorkshopRequest, export_id: int) -> HttpResponse:
    export = get_export_or_404(request, export_id)
    if export.status != ExportStatus.DONE:
        return redirect("cashdesk:export", export_id=export.pk)
    path = Path(settings.MEDIA_ROOT) / export.file
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_url(export: Export) -> str:
    return reverse("cashdesk:export", kwargs={"export_id": export.pk})
