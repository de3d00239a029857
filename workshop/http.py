"""A typed request, so every view signature says what it gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import Membership, User, Workshop


class WorkshopRequest(HttpRequest):
    user: User
    workshop: Workshop
    membership: Membership
    htmx: HtmxDetails
