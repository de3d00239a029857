"""Clients and devices: the client list, the client card and the device card.

The hierarchy Client → Device → Orders, so the front desk can answer "what was done
to this device before"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import requires
from accounts.permissions import role_can
from orders import selectors, services
from orders.fields import CLIENT_FIELDS, DEVICE_FIELDS
from orders.forms import ClientForm, DeviceForm, client_initial
from orders.models import Client, Device
from orders.views.common import errors_to_form, int_or_none, search_query, visible_orders
from workshop.http import WorkshopRequest
from workshop.lib.paging import keyset_page
from workshop.lib.phones import format_phone

CLIENT_PAGE = 50
DEVICE_LIMIT = 100
ORDER_LIMIT = 300
HISTORY_LIMIT = 20


# ---------------------------------------------------------------- lookups


def _sees_deleted(request: WorkshopRequest) -> bool:
    """Deleted clients are the director's to see and restore; for everyone else they are gone."""
    return role_can(request.membership.role, "clients.delete")


def visible_clients(request: WorkshopRequest):
    qs = Client.objects.filter(workshop=request.workshop)
    return qs if _sees_deleted(request) else qs.alive()


def get_client_or_404(request: WorkshopRequest, client_id: int) -> Client:
    """This workshop's client; a deleted one only for the director."""
    client = visible_clients(request).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client


def get_device_or_404(request: WorkshopRequest, device_id: int) -> Device:
    qs = Device.objects.filter(workshop=request.workshop, pk=device_id).select_related("client")
    if not _sees_deleted(request):
        qs = qs.filter(client__is_deleted=False)
    device = qs.first()
    if device is None:
        raise Http404
    return device


# ---------------------------------------------------------------- the client list


@require_GET
@requires("clients.view")
def client_list(request: WorkshopRequest) -> HttpResponse:
    q = search_query(request)
    deleted_only = _sees_deleted(request) and request.GET.get("deleted") == "1"
    qs = visible_clients(request)
    if deleted_only:
        qs = qs.filter(is_deleted=True)
    if q:
        qs = qs.search(q, request.workshop.country)
    after = int_or_none(request.GET.get("after"))
    page = keyset_page(qs, after=after, size=CLIENT_PAGE)
    selectors.attach_client_counts(page.rows, visible_orders(request))
    context = {
        "q": q,
        "rows": page.rows,
        "more": page.more,
        "next_after": page.after,
        "deleted_only": deleted_only,
    }
    if request.htmx and after:
        return render(request, "orders/clients.html#rows", context)
    if request.htmx and request.htmx.target == "client-list":
        return render(request, "orders/clients.html#list", context)
    return render(request, "orders/clients.html", context)


# ---------------------------------------------------------------- history


def _history(record, fields: tuple[str, ...], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The latest changes of a client or device from django-simple-history: one query.

    Each record is diffed against the one before it, so an entry lists exactly the
    fields that save changed, in the form's order.
    """
    records = list(
        record.history.select_related("history_user").order_by("-history_id")[: HISTORY_LIMIT + 1]
    )
    entries = []
    for rec, prev in zip(records[:HISTORY_LIMIT], [*records[1:], None], strict=False):
        entry: dict[str, Any] = {"at": rec.history_date, "by": rec.history_user, "changes": []}
        if rec.history_type == "+":
            entry["action"] = "created"
        elif prev is None:
            entry["action"] = "changed"  # the record before it is older than this page
        elif getattr(prev, "is_deleted", False) != getattr(rec, "is_deleted", False):
            entry["action"] = "deleted" if rec.is_deleted else "restored"
        else:
            entry["action"] = "changed"
            delta = {c.field: c for c in rec.diff_against(prev, included_fields=fields).changes}
            entry["changes"] = [
                (labels[name], *_shown(name, delta[name].old, delta[name].new))
                for name in fields
                if name in delta
            ]
            if not entry["changes"]:
                continue
        entries.append(entry)
    return entries


def _shown(name: str, *values: str) -> tuple[str, ...]:
    return tuple(format_phone(v) for v in values) if name == "phone" else values


def _labels(form_class) -> dict[str, str]:
    return {name: f.label for name, f in form_class.base_fields.items()}


# ---------------------------------------------------------------- the client card


def _client_context(request: WorkshopRequest, client: Client, form=None, **extra) -> dict:
    editable = role_can(request.membership.role, "clients.edit") and not client.is_deleted
    context = {
        "client": client,
        "form": form or ClientForm(client=client, editable=editable),
        "history": _history(client, CLIENT_FIELDS, _labels(ClientForm)),
        **selectors.client_devices_and_orders(
            client, visible_orders(request), devices=DEVICE_LIMIT, orders=ORDER_LIMIT
        ),
    }
    context.update(extra)
    return context


def _rebased(form_class, form, initial: dict, **kwargs):
    """A form on the record's current values carrying this person's own changes on top,
    so after a refused save their edits are kept and saving again applies them."""
    fresh = form_class(initial=initial, **kwargs)
    data = {}
    for name, field in fresh.fields.items():
        current = field.widget.format_value(initial.get(name)) or ""
        data[name] = form.data.get(name, "") if name in form.changed_data else current
        data[fresh.add_initial_prefix(name)] = current
    return form_class(data, initial=initial, **kwargs)


def _save_record(
    request: WorkshopRequest,
    *,
    record: Client | Device,
    kind: str,
    form_class,
    template: str,
    context,
    update,
    refetch,
    initial_of,
    editable: bool,
    saved_message: str,
) -> HttpResponse:
    """The POST half of the client and device cards: save what this person changed, or
    show why not, keeping their edits on top of the latest values after a refusal."""
    if not role_can(request.membership.role, "clients.edit"):
        raise PermissionDenied("clients.edit")
    page = f"{template}#form" if request.htmx else template
    form = form_class(request.POST, editable=editable, **{kind: record})
    if not form.is_valid():
        return render(request, page, context(request, record, form))
    changes = form.changes()
    if not changes:
        notice = _("Nothing to save.") if editable else _("Restore the client first.")
        return render(request, page, context(request, record, form, notice=notice))
    try:
        update(**{kind: record}, data=changes, seen=form.seen(), by=request.membership)
    except ValidationError as exc:
        fresh = refetch()
        form = _rebased(form_class, form, initial_of(fresh), editable=editable, **{kind: fresh})
        errors_to_form(form, exc)
        return render(request, page, context(request, fresh, form))
    except services.OrderError as exc:
        form.add_error(None, exc.message)
        return render(request, page, context(request, record, form))
    if not request.htmx:
        messages.success(request, saved_message)
        return redirect(f"orders:{kind}", **{f"{kind}_id": record.pk})
    return render(request, page, context(request, record, notice=_("Saved."), saved=True))


@requires("clients.view")
def client_card(request: WorkshopRequest, client_id: int) -> HttpResponse:
    client = get_client_or_404(request, client_id)
    if request.method != "POST":
        return render(request, "orders/client.html", _client_context(request, client))
    return _save_record(
        request,
        record=client,
        kind="client",
        form_class=ClientForm,
        template="orders/client.html",
        context=_client_context,
        update=services.client_update,
        refetch=lambda: get_client_or_404(request, client_id),
        initial_of=client_initial,
        editable=not client.is_deleted,
        saved_message=_("Client saved."),
    )


@require_POST
@requires("clients.delete")
def client_delete(request: WorkshopRequest, client_id: int) -> HttpResponse:
    client = get_client_or_404(request, client_id)
    services.client_soft_delete(client=client, by=request.membership)
    messages.success(
        request,
        _("Client deleted: no longer found by phone or in the lists. You can restore them here."),
    )
    back = int_or_none(request.POST.get("order"))
    if back:
        return redirect("orders:card", order_number=back)
    return redirect("orders:client", client_id=client.pk)


@require_POST
@requires("clients.delete")
def client_restore(request: WorkshopRequest, client_id: int) -> HttpResponse:
    client = get_client_or_404(request, client_id)
    services.client_restore(client=client, by=request.membership)
    messages.success(request, _("Client restored."))
    if request.POST.get("next") == "list":
        return redirect("orders:clients")
    return redirect("orders:client", client_id=client.pk)


# ---------------------------------------------------------------- the device card


def _device_context(request: WorkshopRequest, device: Device, form=None, **extra) -> dict:
    editable = role_can(request.membership.role, "clients.edit") and not device.client.is_deleted
    orders = list(visible_orders(request).filter(device=device).order_by("-id")[: ORDER_LIMIT + 1])
    context = {
        "device": device,
        "client": device.client,
        "form": form or DeviceForm(device=device, editable=editable),
        "orders": orders[:ORDER_LIMIT],
        "more_orders": len(orders) > ORDER_LIMIT,
        "history": _history(device, DEVICE_FIELDS, _labels(DeviceForm)),
    }
    context.update(extra)
    return context


@requires("clients.view")
def device_card(request: WorkshopRequest, device_id: int) -> HttpResponse:
    device = get_device_or_404(request, device_id)
    if request.method != "POST":
        return render(request, "orders/device.html", _device_context(request, device))
    return _save_record(
        request,
        record=device,
        kind="device",
        form_class=DeviceForm,
        template="orders/device.html",
        context=_device_context,
        update=services.device_update,
        refetch=lambda: get_device_or_404(request, device_id),
        initial_of=lambda fresh: {name: getattr(fresh, name) for name in DEVICE_FIELDS},
        editable=not device.client.is_deleted,
        saved_message=_("Device saved."),
    )
