"""Throttling: sign-in failures with django-axes, and the letters accounts send.

Sign-in is throttled so nobody can lock a colleague out. Axes compares one number with one
limit: the largest failure count over the lockout parameters (the IP, and the e-mail + IP
pair). We want 10 per IP but 5 per pair, so the handler scales the pair count onto the IP
scale before axes compares it. A password typed anywhere else before an account exists
(confirming a registration) counts under the same rules: counted_password_check().

Registration and password reset send mail to any address typed in, so the letters are
limited per address and per client IP (mail_allowed()).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from workshop.lib.text import normalize_email


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The e-mail as the sign-in form reads it, so "A@x" and "a@x " count as one.

    From the credentials when there are any: Django's authenticate() names it "username",
    axes' own calls (a successful sign-in) the user model's field, "email". The posted
    field is the fallback, so a form that posts another "username" (the confirmation page
    has one for password managers) cannot move its failures onto someone else's count.
    """
    credentials = credentials or {}
    raw = (
        credentials.get("username")
        or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        or request.POST.get("username")
    )
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


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def paused_message() -> str:
    return _("Too many failed attempts. Sign-in is paused for %(minutes)d minutes.") % {
        "minutes": cooloff_minutes()
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The sign-in page again, with a message that names neither the account nor the rule.

    A page that already answered 429 in its own words (the registration confirmation) is
    kept as it is.
    """
    from accounts.forms import SignInForm

    if original_response is not None and original_response.status_code == 429:
        return original_response
    return render(
        request,
        "accounts/login.html",
        {
            "form": SignInForm(request, initial={"username": username_from_request(request)}),
            "throttled": paused_message(),
        },
        status=429,
    )


class SignInPaused(Exception):
    """Axes has paused sign-in for this IP, or for this e-mail from this IP."""


def counted_password_check(request: HttpRequest, *, email: str, check: Callable[[], bool]) -> bool:
    """Run `check` (is the typed password right?) as if it were a sign-in for `email`.

    Refused with SignInPaused while axes pauses the IP or the (e-mail, IP) pair, without
    checking; a wrong password is a sign-in failure for axes, and one that reaches the
    limit raises SignInPaused too. For passwords checked outside authenticate(), which
    would otherwise be free guesses.
    """
    credentials = {"username": normalize_email(email)}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise SignInPaused
    if check():
        return True
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        raise SignInPaused
    return False


# Account mail


def mail_allowed(request: HttpRequest, email: str) -> bool:
    """Take one letter from the client IP's budget and the address's; False if either is spent.

    Call it for every valid request, known address or not, so that the count (and the time
    it takes) says nothing about which addresses have accounts.
    """
    return _take_slot(
        f"ip:{client_ip(request) or '-'}", settings.ACCOUNT_MAIL_PER_IP
    ) and _take_slot(f"to:{normalize_email(email)}", settings.ACCOUNT_MAIL_PER_ADDRESS)


def _take_slot(subject: str, limit: int) -> bool:
    """One of `limit` slots of the current window, by cache.add(), which only one caller wins.

    Counting with add() rather than incr() keeps parallel requests from sharing a number:
    the database cache's incr() is a read and a write, add() an insert of a unique key.
    """
    cache = caches["throttle"]
    seconds = int(settings.ACCOUNT_MAIL_WINDOW.total_seconds())
    window = int(time.time()) // seconds
    # Keyed by an HMAC: the cache table holds no address or IP in clear.
    digest = salted_hmac("accounts.mail", subject).hexdigest()[:32]
    keys = [f"mail:{digest}:{window}:{slot}" for slot in range(limit)]
    taken = cache.get_many(keys)
    return any(key not in taken and cache.add(key, 1, timeout=seconds) for key in keys)
