"""Resolve the signed-in member's workshop once per request and run the view in its scope."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_scopes import scope

from accounts import lock
from accounts.models import Membership
from accounts.services import SIGNED_OUT_ELSEWHERE

SESSION_WORKSHOP_KEY = "workshop_id"


def active_memberships(request: HttpRequest) -> list[Membership]:
    """All the user's active memberships, in one query, remembered on the request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    # MemberBackend loads them with the user; other paths (tests, force_login) query here.
    cached = getattr(request, "_active_memberships", None)
    if cached is None:
        cached = getattr(user, "active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(user=request.user)
            .select_related("workshop")
            .order_by("id")
        )
        request._active_memberships = cached
    return cached


def current_membership(request: HttpRequest) -> Membership | None:
    memberships = active_memberships(request)
    wanted = request.session.get(SESSION_WORKSHOP_KEY) if memberships else None
    for membership in memberships:
        if membership.workshop_id == wanted:
            return membership
    return memberships[0] if memberships else None


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


# Reachable whatever the lock or PIN state: public pages, sign-out, the health check.
OPEN_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:register",
    "accounts:register_sent",
    "accounts:confirm",
    "accounts:join",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "healthz",
}
LOCK_URL_NAMES = {"accounts:lock", "accounts:unlock"}
PIN_SETUP_URL_NAMES = {"accounts:pin_set"}
# The page script's activity ping gets a status, not a page: 423 means "show the lock".
ACTIVITY_URL_NAME = "accounts:activity"

# A check answers the request itself, or returns None to let the next one look at it.
Check = Callable[[HttpRequest, "str | None"], "HttpResponse | None"]


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def _send_to(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        # htmx would swap the target page into a fragment; make the browser go there instead.
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _to_sign_in_signed_out_elsewhere(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request, _("You were signed out because your account signed in on another device.")
    )
    return _send_to(request, reverse("accounts:login"))


def _to_lock_screen(request: HttpRequest, name: str | None) -> HttpResponse:
    if name == ACTIVITY_URL_NAME:
        return HttpResponse(status=423)
    return _send_to(request, reverse("accounts:lock"))


# Checks on every request


def signed_out_elsewhere(request: HttpRequest, name: str | None) -> HttpResponse | None:
    """A session ended by a sign-in on another device is told why, once."""
    if request.user.is_authenticated or not request.session.get(SIGNED_OUT_ELSEWHERE):
        return None
    request.session.flush()
    return _to_sign_in_signed_out_elsewhere(request)


def session_replaced(request: HttpRequest, name: str | None) -> HttpResponse | None:
    """Belt and braces for the one-session rule: the session was replaced but its row survived."""
    user = request.user
    if not user.is_authenticated or user.session_key in ("", request.session.session_key):
        return None
    logout(request)
    return _to_sign_in_signed_out_elsewhere(request)


# Checks on a signed-in person's request for a page that is not open to everyone


def screen_locked(request: HttpRequest, name: str | None) -> HttpResponse | None:
    if not lock.is_locked(request) or name in LOCK_URL_NAMES:
        return None
    return _to_lock_screen(request, name)


def pin_missing(request: HttpRequest, name: str | None) -> HttpResponse | None:
    """Everyone sets a PIN before anything else, so the screen can always be locked."""
    if request.user.pin_hash or name in PIN_SETUP_URL_NAMES or lock.is_locked(request):
        return None
    if name == ACTIVITY_URL_NAME:
        return HttpResponse(status=204)
    return _send_to(request, reverse("accounts:pin_set"))


def idle_lock(request: HttpRequest, name: str | None) -> HttpResponse | None:
    if name in LOCK_URL_NAMES or lock.is_locked(request) or not lock.idle_too_long(request):
        return None
    lock.lock_session(request, lock.return_path(request))
    return _to_lock_screen(request, name)


def activity_stamp(request: HttpRequest, name: str | None) -> HttpResponse | None:
    # The lock screen is not activity: it must not postpone anything.
    if not lock.is_locked(request):
        lock.stamp_activity(request)
    return None


SESSION_CHECKS: tuple[Check, ...] = (signed_out_elsewhere, session_replaced)
LOCK_CHECKS: tuple[Check, ...] = (screen_locked, pin_missing, idle_lock, activity_stamp)


class SessionGuardMiddleware:
    """One session per user, the PIN lock and the idle lock, after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name = _url_name(request)
        checks = SESSION_CHECKS
        if request.user.is_authenticated and name not in OPEN_URL_NAMES:
            checks += LOCK_CHECKS
        for check in checks:
            response = check(request, name)
            if response is not None:
                return response
        return self.get_response(request)
