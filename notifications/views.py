"""The director's event map, the order card's actions, consent, the uncollected list,
and the public order-status page."""

from __future__ import annotations

import contextlib

from csp.constants import NONE, SELF
from csp.decorators import csp
from django.contrib import messages
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope, scopes_disabled

from accounts.decorators import requires
from accounts.throttle import client_ip
from documents import problems as problem_text
from documents import rendering
from notifications import links, services
from notifications.context import sample_message_context, schema
from notifications.events import Channel, Event, channels_of
from notifications.forms import ConsentForm, RuleForm, SettingsForm
from notifications.models import Message, StatusLink
from notifications.public import public_facts
from notifications.sms import count_parts
from orders.views.clients import get_client_or_404
from orders.views.common import get_order_or_404
from workshop.http import WorkshopRequest

# ---------------------------------------------------------------- the map


@require_http_methods(["GET", "POST"])
@requires("notifications.manage")
def event_map(request: WorkshopRequest) -> HttpResponse:
    config = services.settings_for(request.workshop)
    form = SettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.workshop = request.workshop
        saved.full_clean()
        saved.save()
        messages.success(request, _("Message settings saved."))
        return redirect("notifications:map")
    rules = services.rules_for(request.workshop)
    rows = [
        {
            "event": event,
            "cells": [(channel, rules.get((event.value, channel.value))) for channel in Channel],
            "channels": channels_of(event),
        }
        for event in Event
    ]
    return render(request, "notifications/map.html", {"rows": rows, "form": form})


class _NoRule(Exception):
    """The request names no cell of the map at all."""


def _rule_key(request) -> tuple[Event, Channel]:
    data = request.POST if request.method == "POST" else request.GET
    if not data.get("event") and not data.get("channel"):
        raise _NoRule
    try:
        event, channel = Event(data.get("event", "")), Channel(data.get("channel", ""))
    except ValueError:
        raise Http404 from None
    if channel not in channels_of(event):
        raise Http404
    return event, channel


def _preview(request, channel: str, body: str) -> dict:
    context = sample_message_context(
        request.workshop, hours=services.settings_for(request.workshop).hours
    )
    checked = rendering.check_source(body, schema(), [context])
    problems = [problem_text.message(p) for p in checked.problems]
    text = None
    if not checked.errors:
        text, render_problems = rendering.render_text(body, context)
        problems += [problem_text.message(p) for p in render_problems]
    parts = count_parts(text) if text is not None and channel == Channel.SMS else None
    # HTML warnings do not matter in a plain-text message; errors do.
    shown = [p for p in problems if p.is_error] if channel == Channel.SMS else problems
    return {"text": text, "parts": parts, "problems": shown, "channel": channel}


@require_http_methods(["GET", "POST"])
@requires("notifications.manage")
def rule_edit(request: WorkshopRequest) -> HttpResponse:
    try:
        event, channel = _rule_key(request)
    except _NoRule:
        return redirect("notifications:map")
    rule = services.rule_for(request.workshop, event, channel)
    initial = {"enabled": rule.enabled, "subject": rule.subject, "body": rule.body}
    if request.method == "POST" and "reset" in request.POST:
        default = services.default_rule(
            request.workshop, event, channel, services.settings_for(request.workshop).language
        )
        initial = {"enabled": rule.enabled, "subject": default.subject, "body": default.body}
        form = RuleForm(initial=initial, channel=channel)
        preview = _preview(request, channel, default.body)
    else:
        form = RuleForm(request.POST or None, initial=initial, channel=channel)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            preview = _preview(request, channel, data["body"])
            if not any(p.is_error for p in preview["problems"]) and preview["text"] is not None:
                services.rule_save(
                    workshop=request.workshop,
                    event=event,
                    channel=channel,
                    enabled=data["enabled"],
                    subject=data.get("subject", ""),
                    body=data["body"],
                )
                messages.success(request, _("Saved."))
                return redirect("notifications:map")
            form.add_error("body", _("The text has a problem; see below."))
        if preview is None:
            preview = _preview(request, channel, form["body"].value() or "")
    return render(
        request,
        "notifications/rule.html",
        {"event": event, "channel": channel, "form": form, "preview": preview},
    )


@require_POST
@requires("notifications.manage")
def rule_preview(request: WorkshopRequest) -> HttpResponse:
    """The text rendered with the sample order as it is typed, with its SMS count."""
    try:
        event, channel = _rule_key(request)
    except _NoRule:
        return HttpResponse(status=400)
    body = (request.POST.get("body") or "")[:20_000]
    return render(
        request,
        "notifications/rule.html#preview",
        {"event": event, "channel": channel, "preview": _preview(request, channel, body)},
    )


# ---------------------------------------------------------------- the order card


def _back(order) -> HttpResponse:
    return redirect("orders:card", order_number=order.number)


@require_POST
@requires("notifications.send")
def link_regenerate(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    links.link_regenerate(order=order)
    messages.success(request, _("A new status link was made; the old one no longer works."))
    return _back(order)


@require_POST
@requires("notifications.send")
def link_revoke(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    links.link_revoke(order=order)
    messages.success(request, _("The status link no longer works."))
    return _back(order)


@require_POST
@requires("notifications.send")
def estimate_send(request: WorkshopRequest, order_number: int) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    try:
        services.estimate_request(order=order, by=request.membership)
    except services.NotificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The estimate is on its way to the client."))
    return _back(order)


@require_POST
@requires("notifications.send")
def message_retry(request: WorkshopRequest, message_id: int) -> HttpResponse:
    found = Message.objects.filter(workshop=request.workshop, pk=message_id).first()
    if found is None:
        raise Http404
    order = get_order_or_404(request, found.order.number)
    try:
        services.message_retry(message=found, by=request.membership)
    except services.NotificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message is queued again."))
    return _back(order)


# ---------------------------------------------------------------- the client card


@require_POST
@requires("clients.edit")
def consent(request: WorkshopRequest, client_id: int) -> HttpResponse:
    client = get_client_or_404(request, client_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        services.consent_set(
            client=client,
            sms_ok=form.cleaned_data["sms"],
            email_ok=form.cleaned_data["email"],
            by=request.membership,
        )
        messages.success(request, _("The client's choice of messages is saved."))
    return redirect("orders:client", client_id=client.pk)


# ---------------------------------------------------------------- the front desk


@requires("orders.view")
def uncollected(request: WorkshopRequest) -> HttpResponse:
    from orders.models import Order

    visible = Order.objects.visible_to(request.membership).values("pk")
    orders = list(services.not_collected(request.workshop).filter(pk__in=visible)[:200])
    now = timezone.now()
    for order in orders:
        order.days_waiting = (now - order.status_changed_at).days
    return render(
        request,
        "notifications/uncollected.html",
        {"orders": orders, "days": services.settings_for(request.workshop).not_collected_days},
    )


# ---------------------------------------------------------------- the public page

# Nothing but our stylesheet and the approval form posting to itself.
PUBLIC_CSP = {
    "default-src": [NONE],
    "script-src": [NONE],
    "style-src": [SELF],
    "img-src": [SELF],
    "font-src": [NONE],
    "connect-src": [NONE],
    "frame-src": [NONE],
    "form-action": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
}
PUBLIC_LIMIT = 30  # requests per IP and window
PUBLIC_WINDOW = 600  # seconds


def _throttled(request) -> bool:
    ip = client_ip(request) or "unknown"
    cache = caches["throttle"]
    key = f"notifications:status:{ip}"
    cache.add(key, 0, PUBLIC_WINDOW)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PUBLIC_WINDOW)
        hits = 1
    return hits > PUBLIC_LIMIT


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: never sent to another site ("no-referrer" would make
    # the browser send "Origin: null" with the approval form, which CSRF refuses).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _live_link(token: str) -> StatusLink:
    """The live link with this token, of any workshop; the same 404 for every miss."""
    if not (20 <= len(token) <= 64):
        raise Http404
    with scopes_disabled():
        found = list(
            StatusLink.objects.filter(token=token, revoked_at__isnull=True)
            .select_related("order", "order__workshop", "order__branch", "order__device")
            .filter(order__is_deleted=False)[:2]
        )
    if len(found) != 1:
        raise Http404
    return found[0]


def _not_found(request) -> HttpResponse:
    return _public(render(request, "notifications/status_missing.html", status=404))


@never_cache
@csp(PUBLIC_CSP)
@require_http_methods(["GET", "HEAD"])
def status_page(request, status_token: str) -> HttpResponse:
    """The client's page: no login, the allowed fields only (notifications.public)."""
    if _throttled(request):
        return _public(render(request, "notifications/status_missing.html", status=429))
    token = status_token
    try:
        link = _live_link(token)
    except Http404:
        return _not_found(request)
    with scope(workshop=link.workshop):
        facts = public_facts(link)
    return _public(render(request, "notifications/status.html", {"facts": facts, "token": token}))


@never_cache
@csp(PUBLIC_CSP)
@require_POST
def status_approve(request, status_token: str) -> HttpResponse:
    if _throttled(request):
        return _public(render(request, "notifications/status_missing.html", status=429))
    token = status_token
    try:
        link = _live_link(token)
    except Http404:
        return _not_found(request)
    with scope(workshop=link.workshop):
        if not services.settings_for(link.workshop).approval_enabled:
            return _not_found(request)
        # Approved already, or nothing to approve: the page says how things stand.
        with contextlib.suppress(services.NotificationError):
            services.estimate_approve(link=link, ip=client_ip(request))
    return _public(redirect("status", status_token=token))
