"""Which message fires when: the workflow events and reminders a workshop can map.

The one place that ties orders' statuses to messages. A move into a status in
STATUS_EVENTS queues that event; ACCEPTED and CALL_OUT_BOOKED come from the "+" form,
ESTIMATE from the card's "send the estimate" button, and the reminders from the
periodic run (notifications.services.reminders_run).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.workflow import Kind, Status


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Event(models.TextChoices):
    ACCEPTED = "accepted", _("Order accepted")
    ESTIMATE = "estimate", _("Diagnosis done: the estimate")
    WAITING_PART = "waiting_part", _("Waiting for a part")
    READY = "ready", _("Ready to collect")
    READY_DELIVERY = "ready_delivery", _("Ready for delivery")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    CALL_OUT_BOOKED = "call_out_booked", _("Call-out booked")
    CALL_OUT_TOMORROW = "call_out_tomorrow", _("Call-out tomorrow (reminder)")
    NOT_COLLECTED = "not_collected", _("Ready but not collected (reminder)")
    OVERDUE = "overdue", _("Past the due date (to the assignee)")


# A move into one of these statuses queues the event.
STATUS_EVENTS: dict[Status, Event] = {
    Status.WAITING_PART: Event.WAITING_PART,
    Status.READY_NOTIFY: Event.READY,
    Status.READY_DELIVERY: Event.READY_DELIVERY,
    Status.OUT_FOR_DELIVERY: Event.OUT_FOR_DELIVERY,
    Status.ISSUED: Event.ISSUED,
    Status.REFUSED: Event.REFUSED,
}
# A sale is handed over at the counter: nobody needs a message about it.
SILENT_KINDS: frozenset[Kind] = frozenset({Kind.SALE})

# Events whose message goes to the order's assignee (staff), by e-mail only.
STAFF_EVENTS: frozenset[Event] = frozenset({Event.OVERDUE})
REMINDERS: frozenset[Event] = frozenset(
    {Event.CALL_OUT_TOMORROW, Event.NOT_COLLECTED, Event.OVERDUE}
)


def event_for_move(kind: str, new_status: str) -> Event | None:
    if kind in SILENT_KINDS:
        return None
    return STATUS_EVENTS.get(Status(new_status))


def channels_of(event: Event) -> tuple[Channel, ...]:
    return (Channel.EMAIL,) if event in STAFF_EVENTS else tuple(Channel)
