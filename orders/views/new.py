"""The four "+" forms and the phone lookup that fills the client block."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from orders import extensions, selectors, services
from orders.fields import INTAKE_FIELDS
from orders.forms import (
    KIND_FIELDS,
    LineFormSet,
    OrderCreateForm,
)
from orders.models import Client, Device, OrderLine
from orders.views.common import (
    errors_to_form,
    int_or_none,
    visible_orders,
)
from orders.workflow import (
    Kind,
)
from workshop.http import WorkshopRequest
from workshop.lib.phones import format_phone

LOOKUP_DEVICES = 20

KIND_TITLES = {
    Kind.SALE: gettext_lazy("New sale"),
    Kind.PC_BUILD: gettext_lazy("New PC build"),
    Kind.CALL_OUT: gettext_lazy("New call-out"),
    Kind.REPAIR: gettext_lazy("New repair"),
}


def _preselected_branch(request: WorkshopRequest, branches) -> int | None:
    """The branch the person works in now (Membership.working_branch): the one they last
    chose, kept across sign-ins, else the first of their own, else the first they see."""
    chosen = request.membership.working_branch(branches)
    return chosen.pk if chosen is not None else None


def _create_forms(request: WorkshopRequest, kind: Kind, data=None):
    branches = list(request.membership.visible_branches())
    # People of the branches offered; the service refuses one outside the chosen branch.
    members = selectors.branch_members(request.workshop, branches)
    form = OrderCreateForm(
        data, kind=kind, workshop=request.workshop, branches=branches, members=members
    )
    if data is None and branches:
        form.fields["branch"].initial = str(_preselected_branch(request, branches))
    formset = None
    if kind in (Kind.SALE, Kind.PC_BUILD):
        formset = LineFormSet(
            data,
            prefix="lines",
            members=members,
            default_kind=OrderLine.LineKind.GOODS,
            seller=request.membership,
        )
    return form, formset, branches


class _StepRefused(Exception):
    """An intake step refused its part: the whole order is rolled back."""


def _create(request: WorkshopRequest, kind: Kind, form, formset, steps):
    """Create the order and run the other apps' intake steps, in the caller's transaction."""
    order = services.order_create(
        workshop=request.workshop,
        branch=form.cleaned_data["branch"],
        kind=kind,
        by=request.membership,
        client_data=form.client_data(),
        device_data=form.device_data(),
        order_data=form.order_data(),
        lines=formset.lines() if formset is not None else (),
        key=form.cleaned_data.get("form_key"),
    )
    for step in steps:
        try:
            step.step.save(order=order, form=step.form, by=request.membership)
        except ValidationError as exc:
            errors_to_form(step.form, exc)
            raise _StepRefused from exc
    return order


@requires("orders.create")
def order_new(request: WorkshopRequest, kind: str) -> HttpResponse:
    kind = Kind(kind)
    data = request.POST if request.method == "POST" else None
    form, formset, branches = _create_forms(request, kind, data)
    if not branches:
        messages.error(request, _("You have not been given a branch yet. Ask the director."))
        return redirect("home")
    steps = extensions.intake_steps(request, kind, data)
    if request.method == "POST":
        valid = form.is_valid() & (formset is None or formset.is_valid())
        # Every step's form is validated, so all their messages show at once.
        steps_valid = [step.form.is_valid() for step in steps]
        valid = valid and all(steps_valid)
        if valid:
            try:
                with transaction.atomic():
                    order = _create(request, kind, form, formset, steps)
            except _StepRefused:
                pass  # the step's form carries the message; nothing was saved
            except services.AlreadyCreated as exc:
                # A double click or a resent page: show the order the first press saved.
                messages.info(request, exc.message)
                return redirect("orders:card", order_number=exc.order.number)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except services.OrderError as exc:
                form.add_error(None, exc.message)
            else:
                request.membership.remember_branch(order.branch)
                messages.success(request, _("Order №%(number)s saved.") % {"number": order.number})
                return redirect("orders:card", order_number=order.number)
    client, devices = None, []
    branch_hint = ""
    if request.method != "POST" and int_or_none(request.GET.get("client")):
        # "+ order for this client" from the client card: the client block starts filled.
        chosen = Client.objects.filter(
            workshop=request.workshop, pk=int_or_none(request.GET["client"]), is_deleted=False
        ).first()
        if chosen is not None:
            form.initial.update(
                client_id=chosen.pk,
                phone=format_phone(chosen.phone),
                name=chosen.name,
                email=chosen.email,
                extra_phones=chosen.extra_phones,
            )
            branch_hint = _suggest_branch(request, form, chosen)
    client_id = form["client_id"].value()
    if client_id and int_or_none(client_id):
        client = Client.objects.filter(
            workshop=request.workshop, pk=int_or_none(client_id), is_deleted=False
        ).first()
        devices = _devices_with_orders(request, client) if client else []
    return render(
        request,
        "orders/new.html",
        {
            "kind": kind,
            "title": KIND_TITLES[kind],
            "form": form,
            "formset": formset,
            # The intake record (condition, accessories) is shown under the device.
            "order_fields": [
                form[n] for n in KIND_FIELDS[kind] if n in form.fields and n not in INTAKE_FIELDS
            ],
            "client": client,
            "devices": devices,
            "steps": [step.in_page(request) for step in steps],
            "branch_hint": branch_hint,
        },
    )


def _devices_with_orders(request: WorkshopRequest, client: Client) -> list[Device]:
    """The client's devices, each with its recent orders this member may open."""
    return selectors.devices_with_orders(
        visible_orders(request).alive(), client, devices=LOOKUP_DEVICES
    )


@require_GET
@requires("orders.create")
def client_lookup(request: WorkshopRequest) -> HttpResponse:
    """Leaving the phone field: fill the client's details and list their devices."""
    try:
        kind = Kind(request.GET.get("kind", Kind.REPAIR))
    except ValueError:
        kind = Kind.REPAIR
    data = request.GET.copy()
    client = services.client_find_by_phone(workshop=request.workshop, phone=data.get("phone", ""))
    if client is not None:
        data["client_id"] = str(client.pk)
        data["name"] = client.name
        data["email"] = client.email
        data["extra_phones"] = client.extra_phones
    else:
        if data.get("client_id"):
            # The details on screen were the previous client's: do not carry them over.
            for name in ("name", "email", "extra_phones"):
                data[name] = ""
        data["client_id"] = ""
    # Unbound, with what is known as initial values: the form is not being submitted, so
    # no "This field is required." under fields the person has not reached yet.
    form, _formset, _branches = _create_forms(request, kind)
    form.initial = {name: data.get(name, "") for name in form.fields if name != "branch"}
    branch_hint = _suggest_branch(request, form, client)
    # Show only the phone's own error here.
    phone_errors = []
    if (data.get("phone") or "").strip():
        try:
            form.fields["phone"].clean(data.get("phone"))
            form.cleaned_data = {"phone": data.get("phone")}
            form.clean_phone()
        except ValidationError as exc:
            phone_errors = exc.messages
    return render(
        request,
        "orders/new.html#client",
        {
            "kind": kind,
            "form": form,
            "client": client,
            "devices": _devices_with_orders(request, client) if client else [],
            "phone_errors": phone_errors,
            "looked_up": True,
            "branch_hint": branch_hint,
        },
    )


def _suggest_branch(request: WorkshopRequest, form, client: Client | None) -> str:
    """For a returning client, preselect the branch of their last order (one the person
    may choose); the words saying so, or "" when there is nothing to suggest."""
    if client is None or form.fields["branch"].widget.is_hidden:
        return ""
    last = visible_orders(request).filter(client=client).order_by("-id").first()
    if last is None or str(last.branch_id) not in form.branches:
        return ""
    form.fields["branch"].initial = str(last.branch_id)
    return _("Their last order (№%(number)s) was taken in %(branch)s: chosen for this one.") % {
        "number": last.number,
        "branch": form.branches[str(last.branch_id)].name,
    }
