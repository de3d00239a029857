"""What the public status page may show, and nothing else.

The page gets only this dict: the workshop and branch (name, address, phone, hours), the
order number, the device, the status in the client's words with its date, the estimate,
the amount due and the approval state. No client name or phone, no notes, no staff.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.context import message_context
from orders import display
from orders.workflow import Status

# Statuses in the words a client understands (the staff's words say "notify" and "tab").
PUBLIC_WORDS: dict[Status, object] = {
    Status.SALE: _("Purchase"),
    Status.PC_BUILD: _("We are assembling your computer"),
    Status.CALL_OUT: _("A technician's visit is booked"),
    Status.ON_SITE: _("The technician is with you"),
    Status.QUEUE: _("Accepted, waiting for a technician"),
    Status.IN_WORK: _("Being repaired"),
    Status.READY_NOTIFY: _("Ready: you can collect it"),
    Status.READY_DELIVERY: _("Ready: we will arrange the delivery"),
    Status.OUT_FOR_DELIVERY: _("On its way to you"),
    Status.DIAGNOSTICS: _("Diagnostics"),
    Status.WAITING_PART: _("Waiting for a part"),
    Status.AT_PARTNER: _("At our partner's service"),
    Status.REFUSED: _("Not repaired: you can collect the device"),
    Status.ISSUED: _("Collected"),
    Status.CANCELLED: _("Cancelled"),
}


def _amount(raw: str) -> str:
    try:
        return display.format_value(Decimal(raw)) if raw else ""
    except InvalidOperation:
        return raw


def public_facts(link) -> dict:
    order = link.order
    config = services.settings_for(order.workshop)
    context = message_context(order, hours=config.hours)
    status = Status(order.status)
    return {
        "workshop": context["workshop"]["name"],
        "branch": {
            "name": context["branch"]["name"],
            "address": context["branch"]["address"],
            "phone": context["branch"]["phone"],
            "hours": config.hours,
        },
        "number": order.number,
        "device": context["device"]["name"],
        "status": PUBLIC_WORDS[status],
        "status_code": status.value,
        "status_at": timezone.localtime(order.status_changed_at),
        "estimate": context["order"]["estimate"],
        "due": context["order"]["due"],
        "currency": context["currency"],
        "approval": {
            "enabled": config.approval_enabled,
            "waiting": config.approval_enabled and services.waits_for_approval(link, order),
            "approved_at": timezone.localtime(link.approved_at) if link.approved_at else None,
            "approved_estimate": _amount(link.approved_estimate),
        },
    }
