"""The cash desk's screens: the branch's shift, its entries and forms, the archive and
Z-reports, debts, field cash, and the money forms of an order (issue and pay, pay a
debt, prepayment, refund, cash taken on site).

Views are thin: they find the rows through tenant-scoped getters, validate the form and
call one service; the service decides and records.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import requires
from accounts.models import Branch, Membership
from accounts.permissions import role_can
from cashdesk import selectors, services
from cashdesk.forms import (
    CloseForm,
    DrawerForm,
    FieldCashForm,
    HandInForm,
    RefundForm,
    ReverseForm,
    SplitForm,
)
from cashdesk.models import ZERO, CashEntry, EntryKind, Method, Shift
from orders.models import Order
from orders.views.common import errors_to_form, get_order_or_404, int_or_none
from orders.workflow import Status, can_move
from workshop.http import WorkshopRequest
from workshop.lib.money import format_money

SESSION_BRANCH = "cashdesk_branch"


# ---------------------------------------------------------------- lookups


def _branches(request: WorkshopRequest) -> list[Branch]:
    return selectors.desk_branches(request.membership)


def current_branch(request: WorkshopRequest) -> tuple[Branch | None, list[Branch]]:
    """The branch whose drawer the page is about: asked for, remembered, or the first."""
    branches = _branches(request)
    wanted = int_or_none(request.GET.get("branch") or request.POST.get("branch"))
    if wanted is None:
        wanted = request.session.get(SESSION_BRANCH)
    branch = selectors.pick_branch(branches, wanted)
    if branch is not None and request.session.get(SESSION_BRANCH) != branch.pk:
        request.session[SESSION_BRANCH] = branch.pk
    return branch, branches


def get_shift_or_404(request: WorkshopRequest, shift_id: int) -> Shift:
    """This workshop's shift, in a branch the member works at."""
    shift = (
        Shift.objects.filter(
            workshop=request.workshop,
            pk=shift_id,
            branch__in=[b.pk for b in _branches(request)],
        )
        .select_related("branch", "opened_by__user", "closed_by__user")
        .first()
    )
    if shift is None:
        raise Http404
    return shift


def get_entry_or_404(request: WorkshopRequest, entry_id: int) -> CashEntry:
    entry = (
        CashEntry.objects.filter(
            workshop=request.workshop,
            pk=entry_id,
            branch__in=[b.pk for b in _branches(request)],
        )
        .select_related("branch", "order", "by__user", "holder__user", "counterpart__user")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def get_member_or_404(request: WorkshopRequest, membership_id: int) -> Membership:
    member = (
        Membership.objects.filter(workshop=request.workshop, pk=membership_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise Http404
    return member


def _no_branch(request: WorkshopRequest) -> HttpResponse:
    messages.error(request, _("You have not been given a branch yet. Ask the director."))
    return redirect("home")


def _desk_url(branch: Branch) -> str:
    return f"{reverse('cashdesk:desk')}?branch={branch.pk}"


def _done(request: WorkshopRequest, url: str) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ---------------------------------------------------------------- the shift page


def _shift_context(request: WorkshopRequest, shift: Shift, **extra) -> dict:
    summary = (
        selectors.shift_summary(shift)
        if shift.pk
        else selectors.ShiftSummary(opening_cash=shift.opening_cash)
    )
    page = (
        selectors.shift_entries(shift, int_or_none(request.GET.get("after"))) if shift.pk else None
    )
    return {"shift": shift, "summary": summary, "page": page, **extra}


@require_GET
@requires("cashdesk.view")
def desk(request: WorkshopRequest) -> HttpResponse:
    """The current branch's open shift: the drawer, its totals and entries, the buttons."""
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    shift = selectors.open_shift(branch) or selectors.pending_shift(branch)
    ctx = _shift_context(request, shift, branch=branch, branches=branches, live=True)
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/shift.html#rows", ctx)
    ctx["holders"] = (
        selectors.field_cash_holders(request.workshop)
        if role_can(request.membership.role, "cashdesk.hand_in")
        else []
    )
    return render(request, "cashdesk/shift.html", ctx)


@require_GET
@requires("cashdesk.view")
def shift_detail(request: WorkshopRequest, shift_id: int) -> HttpResponse:
    shift = get_shift_or_404(request, shift_id)
    if shift.is_open and not request.GET.get("after"):
        return redirect(_desk_url(shift.branch))
    ctx = _shift_context(request, shift, branch=shift.branch, live=False)
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/shift.html#rows", ctx)
    return render(request, "cashdesk/shift.html", ctx)


@require_GET
@requires("cashdesk.view")
def shift_list(request: WorkshopRequest) -> HttpResponse:
    """Past shifts of the branch, newest first: the archive."""
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    page = selectors.past_shifts(branch, int_or_none(request.GET.get("after")))
    ctx = {"branch": branch, "branches": branches, "page": page}
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/shifts.html#rows", ctx)
    return render(request, "cashdesk/shifts.html", ctx)


@require_GET
@requires("cashdesk.view")
def z_report(request: WorkshopRequest, shift_id: int) -> HttpResponse:
    """The printable report of a shift (an X-report while it is still open)."""
    shift = get_shift_or_404(request, shift_id)
    paper = "80mm" if request.GET.get("paper") == "80mm" else "a4"
    return render(
        request,
        "cashdesk/zreport.html",
        {
            "shift": shift,
            "summary": selectors.shift_summary(shift),
            "entry_count": CashEntry.objects.filter(workshop=request.workshop, shift=shift).count(),
            "paper": paper,
        },
    )


@requires("cashdesk.close_shift")
def shift_close(request: WorkshopRequest, shift_id: int) -> HttpResponse:
    """Count the drawer and close the shift; the next one opens at once."""
    shift = get_shift_or_404(request, shift_id)
    if not shift.is_open:
        messages.info(request, _("This shift is already closed."))
        return redirect("cashdesk:z_report", shift_id=shift.pk)
    # The newest entry first, then the figures: whatever the page shows includes it.
    seen = selectors.shift_last_entry(shift)
    data = request.POST if request.method == "POST" else None
    form = CloseForm(data, initial={"seen": seen})
    if data is not None and form.is_valid():
        try:
            closed, _next = services.shift_close(
                shift=shift,
                counted=form.cleaned_data["counted"],
                by=request.membership,
                key=form.cleaned_data["key"],
                seen=form.cleaned_data["seen"],
            )
        except ValidationError as exc:
            # Drawn again against the drawer as it is now, to count once more.
            fresh = data.copy()
            fresh["seen"] = str(selectors.shift_last_entry(shift))
            form = CloseForm(fresh)
            form.is_valid()
            errors_to_form(form, exc)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return redirect("cashdesk:z_report", shift_id=shift.pk)
        except services.CashError as exc:
            messages.error(request, exc.message)
            return redirect("cashdesk:z_report", shift_id=shift.pk)
        else:
            messages.success(
                request,
                _("Shift №%(number)s closed: counted %(counted)s, difference %(diff)s.")
                % {
                    "number": closed.number,
                    "counted": format_money(closed.counted_cash),
                    "diff": format_money(closed.difference),
                },
            )
            return redirect("cashdesk:z_report", shift_id=closed.pk)
    return render(
        request,
        "cashdesk/close.html",
        {"shift": shift, "summary": selectors.shift_summary(shift), "form": form},
    )


# ---------------------------------------------------------------- drawer entries


DRAWER_TITLES = {
    EntryKind.EXPENSE: _("Expense"),
    EntryKind.WITHDRAWAL: _("Withdraw cash"),
    EntryKind.DEPOSIT: _("Deposit cash"),
}


def _drawer_entry(request: WorkshopRequest, kind: str) -> HttpResponse:
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    expense = kind == EntryKind.EXPENSE
    form = DrawerForm(request.POST if request.method == "POST" else None, expense=expense)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if expense:
                order = None
                if data.get("order_number"):
                    order = (
                        Order.objects.visible_to(request.membership)
                        .alive()
                        .filter(number=data["order_number"])
                        .first()
                    )
                    if order is None:
                        raise ValidationError({"order_number": [_("No such order.")]})
                services.expense_record(
                    branch=branch,
                    amount=data["amount"],
                    by=request.membership,
                    key=data["key"],
                    category=data["category"],
                    method=data["method"],
                    comment=data["comment"],
                    order=order,
                )
            else:
                record = (
                    services.withdrawal_record
                    if kind == EntryKind.WITHDRAWAL
                    else services.deposit_record
                )
                record(
                    branch=branch,
                    amount=data["amount"],
                    by=request.membership,
                    key=data["key"],
                    comment=data["comment"],
                )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return redirect(_desk_url(branch))
        except services.CashError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(what)s recorded: %(amount)s.")
                % {"what": EntryKind(kind).label, "amount": format_money(data["amount"])},
            )
            return redirect(_desk_url(branch))
    shift = selectors.open_shift(branch) or selectors.pending_shift(branch)
    return render(
        request,
        "cashdesk/entry_form.html",
        {
            "form": form,
            "kind": kind,
            "title": DRAWER_TITLES[kind],
            "branch": branch,
            "branches": branches,
            "drawer_cash": services.drawer_cash(shift) if shift.pk else shift.opening_cash,
            "action": request.path,
        },
    )


@requires("cashdesk.expense")
def expense(request: WorkshopRequest) -> HttpResponse:
    return _drawer_entry(request, EntryKind.EXPENSE)


@requires("cashdesk.withdraw")
def withdrawal(request: WorkshopRequest) -> HttpResponse:
    return _drawer_entry(request, EntryKind.WITHDRAWAL)


@requires("cashdesk.withdraw")
def deposit(request: WorkshopRequest) -> HttpResponse:
    return _drawer_entry(request, EntryKind.DEPOSIT)


@requires("cashdesk.reverse")
def entry_reverse(request: WorkshopRequest, cash_entry_id: int) -> HttpResponse:
    """Correct an entry with a reversing one; the original stays, struck through."""
    entry = get_entry_or_404(request, cash_entry_id)
    back = (
        reverse("orders:card", kwargs={"order_number": entry.order.number})
        if entry.order_id
        else (_desk_url(entry.branch) if entry.shift_id else reverse("cashdesk:field_cash"))
    )
    form = ReverseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                entry=entry,
                by=request.membership,
                reason=form.cleaned_data["reason"],
                key=form.cleaned_data["key"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return redirect(back)
        except services.CashError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The entry is reversed."))
            return redirect(back)
    pair = []
    if entry.kind == EntryKind.HAND_IN:
        pair = list(
            CashEntry.objects.filter(workshop=request.workshop, key=entry.key)
            .exclude(pk=entry.pk)
            .select_related("holder__user", "counterpart__user")
        )
    return render(
        request,
        "cashdesk/reverse.html",
        {"entry": entry, "pair": pair, "form": form, "back": back},
    )


# ---------------------------------------------------------------- debts and field cash


@require_GET
@requires("cashdesk.money_lists")
def debts(request: WorkshopRequest) -> HttpResponse:
    page = selectors.debts(request.membership, int_or_none(request.GET.get("after")))
    ctx = {"page": page}
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/debts.html#rows", ctx)
    return render(request, "cashdesk/debts.html", ctx)


@require_GET
@requires("cashdesk.field_cash")
def field_cash(request: WorkshopRequest) -> HttpResponse:
    """Who holds how much cash taken on call-outs; technicians see their own."""
    everyone = role_can(request.membership.role, "cashdesk.field_cash_all")
    holders = selectors.field_cash_holders(request.workshop) if everyone else []
    holder = request.membership
    if everyone and request.GET.get("holder"):
        holder = get_member_or_404(request, int_or_none(request.GET.get("holder")) or 0)
    elif holders and not any(m.pk == holder.pk for m, _amount in holders):
        holder = holders[0][0]  # the desk wants to see who holds the most, not itself
    page = selectors.field_entries(request.workshop, holder, int_or_none(request.GET.get("after")))
    ctx = {
        "holders": holders,
        "holder": holder,
        "held": services.field_cash_held(holder),
        "page": page,
        "everyone": everyone,
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "cashdesk/field.html#rows", ctx)
    return render(request, "cashdesk/field.html", ctx)


@requires("cashdesk.hand_in")
def hand_in(request: WorkshopRequest, membership_id: int) -> HttpResponse:
    """A technician hands their field cash in at a branch's desk."""
    holder = get_member_or_404(request, membership_id)
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    held = services.field_cash_held(holder)
    data = request.POST if request.method == "POST" else None
    form = HandInForm(
        data, branches=branches, initial={"amount": held if held > 0 else None, "branch": branch.pk}
    )
    if data is not None and form.is_valid():
        into = form.cleaned_data["branch"]
        try:
            services.field_cash_hand_in(
                holder=holder,
                branch=into,
                amount=form.cleaned_data["amount"],
                by=request.membership,
                key=form.cleaned_data["key"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return redirect(_desk_url(into))
        except services.CashError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s handed in %(amount)s.")
                % {"name": holder.user, "amount": format_money(form.cleaned_data["amount"])},
            )
            return redirect(_desk_url(into))
    return render(request, "cashdesk/hand_in.html", {"holder": holder, "held": held, "form": form})


# ---------------------------------------------------------------- an order's money


class Mode:
    ISSUE = "issue"
    PAY = "pay"
    PREPAY = "prepayment"
    REFUND = "refund"
    FIELD = "field"


TITLES = {
    Mode.ISSUE: _("Issue order №%(number)s and take payment"),
    Mode.PAY: _("Payment on order №%(number)s"),
    Mode.PREPAY: _("Prepayment on order №%(number)s"),
    Mode.REFUND: _("Refund on order №%(number)s"),
    Mode.FIELD: _("Cash taken on site, order №%(number)s"),
}


def _order_form(request: WorkshopRequest, order: Order, mode: str, money, data=None):
    can = role_can(request.membership.role, "cashdesk.issue_with_debt")
    due = max(money.due, ZERO)
    initial = {"version": order.version}
    if mode in (Mode.ISSUE, Mode.PAY) and due:
        initial.update(total=due, cash=due)
    if mode == Mode.FIELD:
        initial.update(amount=due or None)
        return FieldCashForm(data, initial=initial)
    if mode == Mode.REFUND:
        return RefundForm(data, initial=initial)
    return SplitForm(
        data,
        initial=initial,
        with_total=mode in (Mode.ISSUE, Mode.PAY),
        # A debt needs someone to owe it: not for a walk-in sale.
        with_debt=mode == Mode.ISSUE and can and due > 0 and order.client_id is not None,
    )


def _available(order: Order, mode: str, money) -> str | None:
    """Why this money form does not apply to the order now, or None."""
    if order.is_deleted:
        return _("This order is deleted.")
    if mode == Mode.ISSUE and not can_move(order.status, Status.ISSUED):
        return _("An order in “%(status)s” cannot be issued.") % {
            "status": Status(order.status).label
        }
    # A payment settles an issued order's debt; before the issue the money is due but is
    # taken as a prepayment or by "Issue and take payment", so say that, not "nothing due".
    if mode == Mode.PAY and order.status != Status.ISSUED and money.due > 0:
        return _("Payment is taken when the order is issued; before that, take a prepayment.")
    if mode == Mode.PAY and money.due <= 0:
        return _("Nothing is due on this order.")
    if mode == Mode.PREPAY and order.status in (Status.ISSUED, Status.CANCELLED):
        return _("A prepayment is taken before the order is issued or cancelled.")
    if mode == Mode.REFUND and (order.status not in services.REFUNDABLE or money.paid <= 0):
        return _("Nothing can be refunded on this order.")
    if mode == Mode.FIELD and order.status not in services.FIELD_STATUSES:
        return _("Cash is taken in the field on a call-out, while on site.")
    return None


def _record(request: WorkshopRequest, order: Order, mode: str, form):
    data = form.cleaned_data
    common = {"order": order, "by": request.membership, "key": data["key"]}
    if mode in (Mode.ISSUE, Mode.PAY):
        return services.payment_take(
            **common,
            amounts=form.amounts(),
            version=data["version"],
            issue=mode == Mode.ISSUE,
            debt=bool(data.get("debt")),
            total=data.get("total"),
        )
    if mode == Mode.PREPAY:
        return services.prepayment_take(**common, amounts=form.amounts(), version=data["version"])
    if mode == Mode.REFUND:
        return services.refund_make(
            **common, amounts=form.amounts(), reason=data["reason"], version=data["version"]
        )
    return services.field_cash_take(**common, amount=data["amount"], version=data["version"])


SUCCESS = {
    Mode.ISSUE: _("Order №%(number)s issued; payment recorded."),
    Mode.PAY: _("Payment on order №%(number)s recorded."),
    Mode.PREPAY: _("Prepayment on order №%(number)s recorded."),
    Mode.REFUND: _("Refund on order №%(number)s recorded."),
    Mode.FIELD: _("Cash on order №%(number)s recorded as held by you."),
}


def _order_money_view(request: WorkshopRequest, order_number: int, mode: str) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    card = reverse("orders:card", kwargs={"order_number": order.number})
    money = selectors.order_money(order)
    data = request.POST if request.method == "POST" else None
    form = _order_form(request, order, mode, money, data)
    # A post goes to the service even when the form would not be offered now: it refuses
    # with the same words, and a resent form finds what its first submission recorded.
    unavailable = _available(order, mode, money) if data is None else None
    if data is not None and form.is_valid():
        try:
            _record(request, order, mode, form)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return _done(request, card)
        except services.StaleCard as exc:
            # Show the order as it is now, with what the person typed, to check again.
            order = get_order_or_404(request, order_number)
            money = selectors.order_money(order)
            fresh = data.copy()
            fresh["version"] = str(order.version)
            form = _order_form(request, order, mode, money, fresh)
            form.is_valid()
            form.add_error(None, exc.message)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.CashError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, SUCCESS[mode] % {"number": order.number})
            return _done(request, card)
    ctx = {
        "order": order,
        "money": money,
        "mode": mode,
        "form": form,
        "title": TITLES[mode] % {"number": order.number},
        "unavailable": unavailable,
        "card_url": card,
        "action": request.path,
        "paid_by_method": [(Method(m).label, v) for m, v in money.paid_by_method().items()],
    }
    template = "cashdesk/pay.html#form" if request.htmx else "cashdesk/pay.html"
    return render(request, template, ctx)


@requires("cashdesk.take_payment")
def order_issue(request: WorkshopRequest, order_number: int) -> HttpResponse:
    return _order_money_view(request, order_number, Mode.ISSUE)


@requires("cashdesk.take_payment")
def order_pay(request: WorkshopRequest, order_number: int) -> HttpResponse:
    return _order_money_view(request, order_number, Mode.PAY)


@requires("cashdesk.take_prepayment")
def order_prepayment(request: WorkshopRequest, order_number: int) -> HttpResponse:
    return _order_money_view(request, order_number, Mode.PREPAY)


@requires("cashdesk.refund")
def order_refund(request: WorkshopRequest, order_number: int) -> HttpResponse:
    return _order_money_view(request, order_number, Mode.REFUND)


@requires("cashdesk.field_cash")
def order_field_cash(request: WorkshopRequest, order_number: int) -> HttpResponse:
    return _order_money_view(request, order_number, Mode.FIELD)


@require_GET
@requires("cashdesk.refund")
def refund_find(request: WorkshopRequest) -> HttpResponse:
    """The desk's "Refund…" box: open the refund form of the order with that number."""
    number = int_or_none(request.GET.get("number"))
    try:
        order = get_order_or_404(request, number) if number else None
    except Http404:
        order = None
    if order is None:
        messages.error(request, _("No order with that number."))
        return redirect("cashdesk:desk")
    return redirect("cashdesk:order_refund", order_number=order.number)
