"""The messages panel on the order card and the consent panel on the client card,
plugged in through orders.extensions; the "notify the client" step of the "+" forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import links, services
from notifications.events import Event
from notifications.models import Message
from orders import extensions
from orders.workflow import CLOSED, Kind, Status

LOG_SIZE = 20


def _order_panel(order, request):
    if order.is_deleted:
        return None
    link = links.live_link(order)
    log = list(
        Message.objects.filter(workshop_id=order.workshop_id, order=order).order_by("-id")[
            :LOG_SIZE
        ]
    )
    return {
        "link": link,
        "link_url": links.url_of(link.token) if link else "",
        "log": log,
        "can_ask_estimate": order.estimate is not None
        and order.status not in CLOSED
        and order.status in (Status.DIAGNOSTICS, Status.QUEUE, Status.IN_WORK),
        "waiting": services.waits_for_approval(link, order),
    }


def _client_panel(client, request):
    return {"consent": services.consent_for(client)}


class NotifyForm(forms.Form):
    notify = forms.BooleanField(
        label=_("Tell the client the order is accepted"), required=False, initial=True
    )

    def __init__(self, data=None, *, prefix=None, request=None, kind=None):
        super().__init__(data, prefix=prefix)


class _StepTemplate:
    def render(self, context, request):
        from django.template.loader import render_to_string

        return render_to_string("notifications/_intake.html", context, request=request)


def intake_save(*, order, form, by) -> None:
    """Queue "accepted" (or "call-out booked") with the new order, on its commit."""
    if not form.cleaned_data.get("notify"):
        return
    event = Event.CALL_OUT_BOOKED if order.kind == Kind.CALL_OUT else Event.ACCEPTED
    links.link_for(order)
    services.event_queue(order=order, event=event, by=by)


def register() -> None:
    extensions.register_card_slot(
        "notifications.messages",
        position=extensions.SIDE,
        template="notifications/_card_messages.html",
        context=_order_panel,
        permission="orders.view",
        weight=150,
    )
    extensions.register_client_slot(
        "notifications.consent",
        template="notifications/_client_consent.html",
        context=_client_panel,
        permission="clients.view",
        weight=150,
    )
    extensions.register_intake_step(
        "notifications.notify",
        kinds={Kind.REPAIR, Kind.PC_BUILD, Kind.CALL_OUT},
        form_class=NotifyForm,
        template=_StepTemplate(),
        save=intake_save,
        permission="orders.create",
        weight=200,
    )
    extensions.register_move_hook("notifications.messages", services.on_move)
