"""The Today view ("Сегодня"): the front desk's day on one page, each row a link to its card."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from orders import extensions, selectors
from workshop.http import WorkshopRequest


@require_GET
@requires("orders.view")
def today(request: WorkshopRequest) -> HttpResponse:
    now = timezone.localtime()
    sections = selectors.today_sections(request.membership, now=now)
    return render(
        request,
        "orders/today.html",
        {
            **sections,
            "now": now,
            "waiting_days": selectors.WAITING_PART_DAYS,
            "panels": extensions.render_today_panels(request),
        },
    )
