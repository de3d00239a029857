"""The order card: its form, lines, journal, version poll, moves, delete and restore."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from accounts.decorators import requires
from accounts.permissions import role_can
from orders import display, selectors, services
from orders.extensions import render_card_slots
from orders.forms import (
    CorrectionForm,
    LineForm,
    OrderCardForm,
    correction_open,
    line_initial,
)
from orders.models import JournalEntry, Order, OrderLine
from orders.views.common import (
    errors_to_form,
    get_line_or_404,
    get_order_or_404,
    int_or_none,
    order_members,
    permission_checker,
    posted_version,
    visible_orders,
)
from orders.workflow import (
    CLOSED,
    HANDED_OVER,
    Kind,
    Status,
    action_label,
    allowed,
    guarded,
    moves_in_order,
    tab_of,
)
from workshop.http import WorkshopRequest


def _field_labels() -> dict[str, str]:
    labels = {name: f.label for name, f in OrderCardForm.base_fields.items()}
    labels.update({name: f.label for name, f in LineForm.base_fields.items()})
    labels.update(assignee=_("Assignee"), performer=_("Performed / sold by"))
    # Entries written while the prepayment was typed on the card.
    labels.update(prepayment=_("Prepayment"))
    # Journal entries written while condition and accessories were the device's.
    labels.update(device_condition=labels["condition"], device_accessories=labels["accessories"])
    return labels


def describe(entries: list[JournalEntry]) -> list[JournalEntry]:
    """Give journal entries their labels and values in the reader's language."""
    return display.describe(entries, _field_labels())


def _journal_page(order: Order, before: int | None) -> dict:
    page = selectors.journal_page(order, before)
    more_href = ""
    if page.more:
        url = reverse("orders:journal", kwargs={"order_number": order.number})
        more_href = f"{url}?before={page.after}"
    entries = describe(page.rows)
    return {
        "entries": entries,
        "journal_html": display.journal_rows_html(entries),
        "journal_more": page.more,
        "journal_more_href": more_href,
    }


def _card_context(request, order: Order, form=None, *, members=None, **extra) -> dict:
    members = members if members is not None else order_members(order)
    can = permission_checker(request)
    if form is None:
        form = OrderCardForm(order=order, membership=request.membership, members=members, can=can)
    lines = selectors.order_lines(order)
    lines_locked = order.is_deleted or (order.status in CLOSED and not correction_open(order, can))
    lines_editable = not lines_locked and can("orders.edit_work")
    desk = can("orders.edit")
    me = request.membership
    own = None if desk else me
    # Lines are read-only rows; a line becomes a form only when it is edited (the GET of
    # its update URL, or ?edit=<line> without JS). `editor` marks the lines this member
    # may edit: one unbound LineForm, built once, whose fields say what they offer.
    editor = None
    editing = extra.pop("editing", None)
    if editing is None and request.method == "GET":
        editing = int_or_none(request.GET.get("edit"))
    edit_form = extra.pop("edit_form", None)
    line_forms = []
    for line in lines:
        allowed = _may_edit_line(line, lines_editable=lines_editable, desk=desk, me=me)
        if allowed and editor is None:
            editor = LineForm(members=members, own=own, price_locked=not desk)
        line_forms.append((line, editor if allowed else None))
        if allowed and line.pk == editing and edit_form is None:
            edit_form = _line_form(line, members=members, own=own, desk=desk)
    _line_display(order, line_forms, extra.get("line_error"))
    default_kind = (
        OrderLine.LineKind.GOODS
        if order.kind in (Kind.SALE, Kind.PC_BUILD)
        else OrderLine.LineKind.SERVICE
    )
    new_line = extra.pop("new_line", None) or LineForm(
        members=members,
        default_kind=default_kind,
        own=own,
        auto_id="newline_%s",
        initial={"performer": str(me.pk)},
    )
    if not desk:
        # Technicians record work; goods are entered at the front desk.
        new_line.fields["kind"].choices = [
            c for c in new_line.fields["kind"].choices if c[0] == OrderLine.LineKind.SERVICE
        ]
    transitions = [
        (s, action_label(order.status, s))
        for s in _moves(order.status)
        if (desk or s not in HANDED_OVER) and not guarded(s)
    ]
    context = {
        "order": order,
        "form": form,
        "line_forms": line_forms,
        "editing": editing if edit_form is not None else None,
        "edit_form": edit_form,
        "new_line": new_line,
        "lines_editable": lines_editable,
        **_journal_page(order, None),
        "transitions": transitions if not order.is_deleted else [],
        "tab": tab_of(order.status),
        "status_label": Status(order.status).label,
        # A sale or PC build in its first status ("Продажа", "Сборка ПК") would say its
        # kind twice: the title then drops the kind and the status chip says it once.
        "kind_in_title": str(Status(order.status).label) != str(order.get_kind_display()),
        "closed": order.status in CLOSED,
        "slots": render_card_slots(order, request),
        # "Correct issued order": offered to the director on a closed order.
        "correction_form": (
            extra.pop("correction_form", None) or CorrectionForm(auto_id="correction_%s")
        )
        if order.status in CLOSED and not order.is_deleted and can("orders.edit_after_issue")
        else None,
        # An in-place save of the card also refreshes the lines: their forms carry the
        # order version, which the save moved on.
        "in_place": request.method == "POST" and bool(request.htmx),
    }
    context.update(extra)
    return context


def _moves(status: str) -> list[Status]:
    """The card's move buttons in the button order (workflow.LIFE); a status missing
    from that table (a new one not yet placed there) gets its moves in the workflow's
    own order instead of a KeyError that would take the whole card down."""
    try:
        return moves_in_order(status)
    except KeyError:
        return [s for s in Status if s in allowed(status)]


def _may_edit_line(line: OrderLine, *, lines_editable: bool, desk: bool, me) -> bool:
    # Technicians edit only their own service lines; the rest they just read.
    return lines_editable and (
        desk or (line.kind == OrderLine.LineKind.SERVICE and line.performer_id == me.pk)
    )


def _line_form(line: OrderLine, *, members, own, desk: bool, data=None) -> LineForm:
    return LineForm(
        data,
        initial=line_initial(line),
        members=members,
        own=own,
        price_locked=not desk,
        default_kind=line.kind,
        auto_id=f"line{line.pk}_%s",
    )


class _LineUrls:
    """The line URLs of one order, reversed once; each line appends its id."""

    def __init__(self, order: Order):
        self.heads = {}
        for name in ("line_update", "line_remove"):
            url = reverse(f"orders:{name}", kwargs={"order_number": order.number, "line_id": 9})
            self.heads[name] = url.rsplit("9", 1)

    def __call__(self, name: str, line_id: int) -> str:
        head, tail = self.heads[name]
        return f"{head}{int(line_id)}{tail}"


def _line_display(order: Order, line_forms, line_error=None) -> None:
    """What a read-only line row shows, computed once per line: its URLs, sums, names,
    and the row itself (`row_html`; `line_error`: (line id, message) under that line)."""
    urls = _LineUrls(order)
    for line, editor in line_forms:
        line.update_url = urls("line_update", line.pk)
        line.remove_url = urls("line_remove", line.pk)
        line.price_shown = display.money_shown(line.unit_price)
        line.total_shown = display.money_shown(line.total)
        line.performer_name = line.performer.user.full_name if line.performer_id else ""
        error = line_error[1] if line_error and line_error[0] == line.pk else None
        line.row_html = display.line_row_html(line, editable=editor is not None, error=error)


@requires("orders.view")
def order_card(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    if request.method != "POST":
        return render(request, "orders/card.html", _card_context(request, order))
    if not role_can(request.membership.role, "orders.edit_work"):
        raise Http404
    members = order_members(order)
    form = OrderCardForm(
        request.POST,
        order=order,
        membership=request.membership,
        members=members,
        can=permission_checker(request),
    )
    version = posted_version(request)
    if version is None:
        return HttpResponseBadRequest(
            _("This form is out of date. Reload the order and try again.")
        )
    template = "orders/card.html#form" if request.htmx else "orders/card.html"
    if not form.is_valid():
        return render(request, template, _card_context(request, order, form, members=members))
    changes = form.changes()
    if not changes:
        ctx = _card_context(request, order, form, members=members, notice=_("Nothing to save."))
        return render(request, template, ctx)
    try:
        services.order_update(order=order, data=changes, version=version, by=request.membership)
    except services.StaleVersion as exc:
        # Keep the user's edits, show the latest values elsewhere, and let them save again.
        fresh = get_order_or_404(request, order_number)
        form = _rebase(form, fresh, request, members)
        describe(exc.entries)
        ctx = _card_context(request, fresh, form, members=members, conflict=exc)
        # htmx swaps only 2xx answers; a plain form post gets the honest 409.
        return render(request, template, ctx, status=200 if request.htmx else 409)
    except ValidationError as exc:
        errors_to_form(form, exc)
        return render(request, template, _card_context(request, order, form, members=members))
    except services.OrderError as exc:
        form.add_error(None, exc.message)
        return render(request, template, _card_context(request, order, form, members=members))
    fresh = get_order_or_404(request, order_number)
    ctx = _card_context(request, fresh, members=members, notice=_("Saved."), saved=True)
    return render(request, template, ctx)


def _as_posted(field, value) -> str:
    """A value as the browser would post the field: one string. A <select>'s widget
    formats its value as a list (["3"]), which posted back as data read as the choice
    "['3']" and showed a false "not one of the available choices" on an untouched field."""
    value = field.widget.format_value(field.prepare_value(value)) if value is not None else ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return value or ""


def _rebase(form: OrderCardForm, fresh: Order, request, members) -> OrderCardForm:
    """A form on the latest version carrying this user's own changes on top."""
    rebased = OrderCardForm(
        order=fresh, membership=request.membership, members=members, can=permission_checker(request)
    )
    data = {}
    for name, bound in rebased.fields.items():
        if name in form.changed_data:
            value = form.data.get(name, "")
        else:
            value = _as_posted(bound, rebased[name].value())
        data[name] = value
        data[f"initial-{name}"] = _as_posted(bound, rebased.initial.get(name))
    return OrderCardForm(
        data,
        order=fresh,
        membership=request.membership,
        members=members,
        can=permission_checker(request),
    )


@require_GET
@requires("orders.view")
def order_version(request: WorkshopRequest, order_number: int) -> HttpResponse:
    """Polled by the open card: empty while nothing changed, else who changed it."""
    order = (
        visible_orders(request)
        .filter(number=order_number)
        .only("pk", "version", "workshop_id")
        .first()
    )
    if order is None:
        raise Http404
    seen = int_or_none(request.GET.get("version")) or 0
    entries = []
    if order.version > seen:
        entries = list(
            JournalEntry.objects.filter(workshop=order.workshop, order=order, version__gt=seen)
            .select_related("by__user")
            .order_by("-id")[:5]
        )
    return render(
        request,
        "orders/card.html#freshness",
        {"order": order, "changed_by": entries, "seen": seen},
    )


@require_GET
@requires("orders.view")
def order_journal(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    page = _journal_page(order, int_or_none(request.GET.get("before")))
    return render(request, "orders/card.html#journal_rows", {"order": order, **page})


@require_POST
@requires("orders.transition")
def order_transition(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    version = posted_version(request)
    if version is None:
        return HttpResponseBadRequest(
            _("This form is out of date. Reload the order and try again.")
        )
    try:
        services.order_transition(
            order=order, to=request.POST.get("to", ""), by=request.membership, version=version
        )
    except services.OrderError as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=409)
        messages.error(request, exc.message)
        return redirect("orders:card", order_number=order.number)
    messages.success(
        request,
        _("Order №%(number)s: %(status)s.")
        % {"number": order.number, "status": Status(order.status).label},
    )
    # Back on the card the keyboard focus goes to its title with the new status (app.js),
    # not to the top of the page.
    url = reverse("orders:card", kwargs={"order_number": order.number}) + "#order-title"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _line_editor(request, order: Order, line: OrderLine) -> HttpResponse:
    """One line's editor row, for the card's "edit" of that line (htmx swaps its row)."""
    can = permission_checker(request)
    desk = can("orders.edit")
    locked = order.is_deleted or (order.status in CLOSED and not correction_open(order, can))
    editable = not locked and can("orders.edit_work")
    if not _may_edit_line(line, lines_editable=editable, desk=desk, me=request.membership):
        # As a refused save answers: the lines with the message (htmx: in place of the
        # whole lines block, not of the row), or the card with it.
        message = _("You may not change this line.")
        answer = _lines_refused(request, order.number, message, line_error=(line.pk, message))
        return reswap(retarget(answer, "#lines"), "outerHTML") if request.htmx else answer
    members = order_members(order)
    form = _line_form(line, members=members, own=None if desk else request.membership, desk=desk)
    _line_display(order, [(line, form)])
    context = {"order": order, "line": line, "lf": form}
    return render(request, "orders/_line_edit.html", context)


def _lines_response(request, order_number: int, **extra) -> HttpResponse:
    fresh = get_order_or_404(request, order_number)
    ctx = _card_context(request, fresh, lines_response=True, **extra)
    return render(request, "orders/card.html#lines", ctx)


def _lines_refused(request, order_number: int, message, **extra) -> HttpResponse:
    """A refused line change: the fragment with the message for htmx; a plain form post
    goes back to the card with the message (never a bare fragment as a page)."""
    if not request.htmx:
        messages.error(request, message)
        if extra.get("edit_form") is not None:
            # Without JS the card itself comes back with the line's editor still open,
            # holding what was typed and its errors.
            fresh = get_order_or_404(request, order_number)
            ctx = _card_context(
                request, fresh, editing=extra["editing"], edit_form=extra["edit_form"]
            )
            return render(request, "orders/card.html", ctx, status=400)
        return redirect("orders:card", order_number=order_number)
    return _lines_response(request, order_number, **extra)


def _lines_done(request, order_number: int) -> HttpResponse:
    if not request.htmx:
        messages.success(request, _("Lines saved."))
        return redirect("orders:card", order_number=order_number)
    return _lines_response(request, order_number)


def _stale_lines(request, order_number: int, exc: services.StaleVersion) -> HttpResponse:
    message = "{} {}".format(exc.message, _("The lines below are the latest: check and try again."))
    return _lines_refused(request, order_number, message, lines_notice=message)


def _no_version(request, order_number: int) -> HttpResponse:
    message = _("This form is out of date. Reload the order and try again.")
    if not request.htmx:
        return HttpResponseBadRequest(message)
    return _lines_response(request, order_number, lines_notice=message)


@require_POST
@requires("orders.edit_work")
def line_add(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    version = posted_version(request)
    if version is None:
        return _no_version(request, order_number)
    desk = role_can(request.membership.role, "orders.edit")
    form = LineForm(
        request.POST,
        members=order_members(order),
        own=None if desk else request.membership,
        auto_id="newline_%s",
    )
    if not form.is_valid():
        return _lines_refused(request, order_number, _form_errors(form), new_line=form)
    try:
        services.line_add(order=order, data=form.values(), by=request.membership, version=version)
    except services.StaleVersion as exc:
        return _stale_lines(request, order_number, exc)
    except (services.OrderError, ValidationError) as exc:
        form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
        return _lines_refused(request, order_number, _form_errors(form), new_line=form)
    return _lines_done(request, order_number)


def _form_errors(form) -> str:
    parts = [
        f"{form[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
        for f, e in form.errors.items()
    ]
    return "; ".join(parts)


@require_http_methods(["GET", "POST"])
@requires("orders.edit_work")
def line_update(request: WorkshopRequest, order_number: int, line_id: int) -> HttpResponse:
    """GET: the line as a form (the card shows lines read-only until one is edited);
    POST: save it."""
    order = get_order_or_404(request, order_number)
    line = get_line_or_404(order, line_id)
    if request.method == "GET":
        return _line_editor(request, order, line)
    version = posted_version(request)
    if version is None:
        return _no_version(request, order_number)
    desk = role_can(request.membership.role, "orders.edit")
    own = None if desk else request.membership
    # Built as the editor was (its kind's suggestions and prices), bound to what was typed.
    form = _line_form(line, members=order_members(order), own=own, desk=desk, data=request.POST)
    if not form.is_valid():
        errors = _form_errors(form)
        return _lines_refused(
            request,
            order_number,
            errors,
            line_error=(line.pk, errors),
            editing=line.pk,
            edit_form=form,
        )
    try:
        services.line_update(line=line, data=form.values(), by=request.membership, version=version)
    except services.StaleVersion as exc:
        return _stale_lines(request, order_number, exc)
    except (services.OrderError, ValidationError) as exc:
        message = getattr(exc, "message", None) or "; ".join(exc.messages)
        return _lines_refused(request, order_number, message, line_error=(line.pk, message))
    return _lines_done(request, order_number)


@require_POST
@requires("orders.edit_work")
def line_remove(request: WorkshopRequest, order_number: int, line_id: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    line = get_line_or_404(order, line_id)
    version = posted_version(request)
    if version is None:
        return _no_version(request, order_number)
    try:
        services.line_remove(line=line, by=request.membership, version=version)
    except services.StaleVersion as exc:
        return _stale_lines(request, order_number, exc)
    except services.OrderError as exc:
        return _lines_refused(request, order_number, exc.message, line_error=(line.pk, exc.message))
    return _lines_done(request, order_number)


@require_POST
@requires("orders.delete")
def order_delete(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    services.order_soft_delete(order=order, by=request.membership)
    messages.success(
        request,
        _("Order №%(number)s deleted. You can restore it from its card.")
        % {"number": order.number},
    )
    return redirect("orders:card", order_number=order.number)


@require_POST
@requires("orders.delete")
def order_restore(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    services.order_restore(order=order, by=request.membership)
    messages.success(request, _("Order №%(number)s restored.") % {"number": order.number})
    return redirect("orders:card", order_number=order.number)


@require_POST
@requires("orders.edit_after_issue")
def order_correct(request: WorkshopRequest, order_number: int) -> HttpResponse:
    """Open the director's correction of an issued order, with its reason in the journal."""
    order = get_order_or_404(request, order_number)
    version = posted_version(request)
    if version is None:
        return HttpResponseBadRequest(
            _("This form is out of date. Reload the order and try again.")
        )
    form = CorrectionForm(request.POST, auto_id="correction_%s")
    if form.is_valid():
        try:
            services.order_correction_open(
                order=order,
                reason=form.cleaned_data["reason"],
                by=request.membership,
                version=version,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.OrderError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Correction opened: the next save of the lines or amounts is recorded as it."),
            )
            return redirect("orders:card", order_number=order.number)
    fresh = get_order_or_404(request, order_number)
    ctx = _card_context(request, fresh, correction_form=form)
    return render(request, "orders/card.html", ctx, status=400)
