"""Sign-in throttling with django-axes, configured so nobody can lock a colleague out.

Axes compares one number with one limit: the largest failure count over the lockout
parameters (the IP, and the e-mail + IP pair). We want 10 per IP but 5 per pair, so the
handler scales the pair count onto the IP scale before axes compares it.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from workshop.lib.text import normalize_email


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The e-mail as the sign-in form reads it, so "A@x" and "a@x " count as one."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return normalize_email(raw) or None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxy saw when one is configured.

    With N trusted proxies, each appends the address it received from, so the client is
    the N-th entry from the right. Entries further left are whatever the client sent.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


class WorkshopAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        ip_attempts, pair_attempts = self.get_user_attempts(request, credentials)
        ip_failures = ip_attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        pair_failures = pair_attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        scale = settings.AXES_FAILURE_LIMIT / settings.AXES_PAIR_FAILURE_LIMIT
        return max(ip_failures, int(pair_failures * scale))

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On success, forget only this e-mail's failures from this address.

        Axes' own reset deletes every attempt matching any lockout parameter, and one of
        ours is the bare IP: signing in to one's own account would wipe the count of
        guesses at a colleague's from the same address, so the guessing never paused.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The sign-in page again, with a message that names neither the account nor the rule."""
    from accounts.forms import SignInForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/login.html",
        {
            "form": SignInForm(request, initial={"username": username_from_request(request)}),
            "throttled": _("Too many failed attempts. Sign-in is paused for %(minutes)d minutes.")
            % {"minutes": minutes},
        },
        status=429,
    )
