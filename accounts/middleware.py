"""Resolve the signed-in member's workshop once per request and run the view in its scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_scopes import scope

from accounts.models import Membership

SESSION_WORKSHOP_KEY = "workshop_id"


def current_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.active().filter(user=request.user).select_related("workshop")
    wanted = request.session.get(SESSION_WORKSHOP_KEY)
    membership = None
    if wanted is not None:
        membership = memberships.filter(workshop_id=wanted).first()
    if membership is None:
        membership = memberships.order_by("id").first()
    return membership


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request)
        request.membership = membership
        request.workshop = membership.workshop if membership else None
        if membership is None:
            # No scope: any tenant-model query in an anonymous request raises ScopeError.
            return self.get_response(request)
        with scope(workshop=membership.workshop):
            return self.get_response(request)
