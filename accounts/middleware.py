"""Resolve the signed-in member's workshop once per request and run the view in its scope."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_scopes import scope

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


# Session keys of the PIN lock. A session without them is unlocked and active.
LOCKED = "pin_locked"
LOCK_NEXT = "pin_lock_next"
ACTIVITY = "last_activity"
# Rewrite the activity stamp at most this often, not on every request.
ACTIVITY_RESOLUTION_SECONDS = 30
DEFAULT_LOCK_MINUTES = 15

# Reachable whatever the lock or PIN state: public pages, sign-out, static files.
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


def lock_session(request: HttpRequest, next_url: str) -> None:
    # Locking an already locked session changes nothing, so pressing "Lock" on the lock
    # screen cannot reset anything. The wrong-PIN count (on the user row) is cleared only
    # by the right PIN or a new sign-in.
    if request.session.get(LOCKED):
        return
    request.session[LOCKED] = True
    request.session[LOCK_NEXT] = next_url


def _return_path(request: HttpRequest) -> str:
    """The page to come back to after unlocking: this one, or for htmx the page it came from."""
    if request.method == "GET" and not getattr(request, "htmx", False):
        return request.get_full_path()
    current = getattr(request, "htmx", None) and request.htmx.current_url_abs_path
    return current or reverse("home")


class SessionGuardMiddleware:
    """One session per user, the PIN lock and the idle lock, after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        session = request.session
        if not request.user.is_authenticated:
            if session.get(SIGNED_OUT_ELSEWHERE):
                session.flush()
                messages.warning(
                    request,
                    _("You were signed out because your account signed in on another device."),
                )
                return _send_to(request, reverse("accounts:login"))
            return self.get_response(request)

        if request.user.session_key and request.user.session_key != session.session_key:
            # Belt and braces: the session was replaced but its row survived.
            logout(request)
            messages.warning(
                request,
                _("You were signed out because your account signed in on another device."),
            )
            return _send_to(request, reverse("accounts:login"))

        name = _url_name(request)
        if name in OPEN_URL_NAMES:
            return self.get_response(request)

        if session.get(LOCKED):
            if name in LOCK_URL_NAMES:
                return self.get_response(request)
            if name == "accounts:activity":
                return HttpResponse(status=423)
            return _send_to(request, reverse("accounts:lock"))

        if not request.user.pin_hash and name not in PIN_SETUP_URL_NAMES:
            if name == "accounts:activity":
                return HttpResponse(status=204)
            return _send_to(request, reverse("accounts:pin_set"))

        now = int(time.time())
        last = session.get(ACTIVITY)
        workshop = getattr(request, "workshop", None)
        minutes = workshop.lock_after_minutes if workshop else DEFAULT_LOCK_MINUTES
        if last is not None and now - last > minutes * 60 and name not in LOCK_URL_NAMES:
            lock_session(request, _return_path(request))
            if name == "accounts:activity":
                return HttpResponse(status=423)
            return _send_to(request, reverse("accounts:lock"))

        if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[ACTIVITY] = now
        return self.get_response(request)
