"""Clients and their devices: found by phone at intake, edited on their cards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Workshop
from orders.fields import CLIENT_FIELDS, DEVICE_FIELDS
from orders.models import Client, Device
from orders.services._core import (
    NotPermitted,
    _apply,
    _clean,
    _fields,
    _remember,
    _require,
    _sync,
)
from workshop.lib.phones import format_phone, normalize_phone


def client_find_by_phone(*, workshop: Workshop, phone: str) -> Client | None:
    """The workshop's (most recent, not deleted) client with this phone, typed in any form."""
    try:
        e164 = normalize_phone(phone, workshop.country)
    except ValidationError:
        return None
    return (
        Client.objects.filter(workshop=workshop, phone=e164, is_deleted=False)
        .order_by("-id")
        .first()
    )


def _typed(data: Mapping[str, Any], names) -> dict[str, str]:
    return {name: (data.get(name) or "").strip() for name in names}


def _keep_known(record: Client | Device, values: dict[str, str], allowed) -> Client | Device:
    """A returning client or device keeps what we knew unless the front desk typed
    something new."""
    changes = _apply(record, {n: v for n, v in values.items() if v}, allowed=allowed)
    if changes:
        _clean(record, exclude=["workshop"])
        record.save(update_fields=_fields(changes))
    return record


def _client_resolve(
    *, workshop: Workshop, data: Mapping[str, Any], by: Membership | None
) -> Client:
    """The client with the typed phone, updated with what was typed; or a new one.

    The id the lookup put in the form is used only while that client still has the typed
    phone: a page whose phone was retyped afterwards must not rename another person.
    An existing client's phone never changes here (that is the client card's job).
    """
    try:
        phone = normalize_phone(data.get("phone", ""), workshop.country)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    client = None
    if data.get("id"):
        chosen = Client.objects.filter(workshop=workshop, pk=data["id"], is_deleted=False).first()
        if chosen is not None and chosen.phone == phone:
            client = chosen
    if client is None:
        client = client_find_by_phone(workshop=workshop, phone=phone)
    values = _typed(data, (name for name in CLIENT_FIELDS if name != "phone"))
    if client is None:
        client = Client(workshop=workshop, phone=phone, **values)
        _clean(client, exclude=["workshop"])
        client.save()
        return client
    return _keep_known(client, values, CLIENT_FIELDS)


def _device_resolve(
    *, workshop: Workshop, client: Client, data: Mapping[str, Any] | None
) -> Device | None:
    data = data or {}
    values = _typed(data, DEVICE_FIELDS)
    device = None
    if data.get("id"):
        # A device chosen from the lookup must belong to this client; otherwise it is new.
        device = Device.objects.filter(workshop=workshop, client=client, pk=data["id"]).first()
    if device is None:
        if not any(values.values()):
            return None
        device = Device(workshop=workshop, client=client, **values)
        _clean(device, exclude=["workshop"])
        device.save()
        return device
    return _keep_known(device, values, DEVICE_FIELDS)


def _lock_client(client: Client) -> Client:
    return Client.objects.select_for_update().get(pk=client.pk, workshop_id=client.workshop_id)


def _set_deleted(client: Client, by: Membership, deleted: bool) -> None:
    locked = _lock_client(client)
    if locked.is_deleted != deleted:
        locked.is_deleted = deleted
        locked._history_user = by.user
        locked.save(update_fields=["is_deleted"])
    _sync(client, locked)


@transaction.atomic
def client_soft_delete(*, client: Client, by: Membership) -> None:
    _require(by, "clients.delete", _("Only the director may delete clients."))
    _set_deleted(client, by, True)


@transaction.atomic
def client_restore(*, client: Client, by: Membership) -> None:
    _require(by, "clients.delete", _("Only the director may restore clients."))
    _set_deleted(client, by, False)


def _as_seen(value: Any) -> str:
    """A stored value as a form showed it; browsers send line breaks back as CRLF."""
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


def _apply_record_edit(
    *,
    record: Client | Device,
    allowed_fields: tuple[str, ...],
    data: Mapping[str, Any],
    seen: Mapping[str, Any] | None,
    by: Membership,
    shown: Mapping[str, Any] | None = None,
) -> list[str]:
    """Set the fields the person changed on a locked row, refusing any field a colleague
    changed after the page was loaded (nothing is saved then); return the fields saved."""
    conflicts: dict[str, list[str]] = {}
    for name in data.keys() & (seen or {}).keys():
        shown_now = (shown or {}).get(name, getattr(record, name, None))
        if _as_seen(seen[name]) != _as_seen(shown_now):
            conflicts[name] = [
                _("Someone else changed this meanwhile to “%(value)s”. Check and save again.")
                % {"value": _as_seen(shown_now) or "—"}
            ]
    changed = _fields(_apply(record, data, allowed=allowed_fields))
    if conflicts:
        raise ValidationError(conflicts)
    if changed:
        _clean(record, exclude=["workshop", "client"])
        # simple_history records who saved; outside a request it cannot know.
        record._history_user = by.user
        record.save(update_fields=changed)
    return changed


def _check_phone_free(client: Client, phone: str, *, field: str) -> None:
    """Refuse a number another live client of the workshop already has, so the phone
    lookup keeps finding one person (the client card and the order card alike)."""
    other = (
        Client.objects.filter(workshop_id=client.workshop_id, phone=phone)
        .alive()
        .exclude(pk=client.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                field: [
                    _("Another client already has this number: %(name)s.")
                    % {"name": other.name or other.phone_display}
                ]
            }
        )


@transaction.atomic
def client_update(
    *,
    client: Client,
    data: Mapping[str, Any],
    by: Membership,
    seen: Mapping[str, Any] | None = None,
) -> list[str]:
    """Save a client's details typed on the client card; return the fields that changed.

    The phone is normalised; a number that another (not deleted) client of the workshop
    already has is refused, so the phone lookup keeps finding one person. `seen` holds the
    values the page showed: a field someone else changed since then is refused.
    """
    _require(by, "clients.edit", _("You may not change clients' details."))
    locked = _lock_client(client)
    if locked.is_deleted:
        raise NotPermitted(_("This client is deleted. Restore the client first."))
    data = dict(data)
    if "phone" in data:
        try:
            data["phone"] = normalize_phone(data["phone"], locked.workshop.country)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        _check_phone_free(locked, data["phone"], field="phone")
    shown = {"phone": format_phone(locked.phone)}
    changed = _apply_record_edit(
        record=locked, allowed_fields=CLIENT_FIELDS, data=data, seen=seen, by=by, shown=shown
    )
    _sync(client, locked)
    return changed


@transaction.atomic
def device_update(
    *,
    device: Device,
    data: Mapping[str, Any],
    by: Membership,
    seen: Mapping[str, Any] | None = None,
) -> list[str]:
    """Save a device's details typed on the device card; return the fields that changed."""
    _require(by, "clients.edit", _("You may not change devices' details."))
    locked = (
        Device.objects.select_for_update(of=("self",))
        .select_related("client", "workshop")
        .get(pk=device.pk, workshop_id=device.workshop_id)
    )
    if locked.client.is_deleted:
        raise NotPermitted(_("This client is deleted. Restore the client first."))
    changed = _apply_record_edit(
        record=locked, allowed_fields=DEVICE_FIELDS, data=data, seen=seen, by=by
    )
    if changed:
        _remember(locked.workshop, by, device=locked)
    _sync(device, locked)
    return changed
