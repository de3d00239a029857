"""The "ready but not collected" panel on the Today view, plugged in through
orders.extensions: the orders to call about, each one click from its card."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from notifications import services
from orders import extensions
from orders.models import Order

PANEL_ROWS = 10


def today_context(request) -> dict:
    """The member's oldest uncollected orders: two queries (the workshop's settings, the rows)."""
    days = services.settings_for(request.workshop).not_collected_days
    now = timezone.now()
    visible = Order.objects.visible_to(request.membership).values("pk")
    orders = list(
        services.not_collected(request.workshop, now=now, days=days)
        .filter(pk__in=visible)
        .select_related("assignee__user")[: PANEL_ROWS + 1]
    )
    for order in orders:
        order.days_waiting = (now - order.status_changed_at).days
    return {
        "orders": orders[:PANEL_ROWS],
        "more": len(orders) > PANEL_ROWS,
        "days": days,
        "list_url": reverse("notifications:uncollected"),
    }


def register() -> None:
    extensions.register_today_panel(
        "notifications.uncollected",
        context=today_context,
        template="notifications/_today_uncollected.html",
        permission="orders.view",
        weight=20,
    )
