"""The PIN lock: the session state of a locked screen, the idle clock and the wrong-PIN count.

A session without the LOCKED key is unlocked. The wrong-PIN count lives on the user row,
not in the session, so parallel unlock requests are counted one by one; it is cleared by
the right PIN or a new sign-in (services.session_take_over).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User, Workshop

# Session keys.
LOCKED = "pin_locked"
LOCK_NEXT = "pin_lock_next"
ACTIVITY = "last_activity"
# Rewrite the activity stamp at most this often, not on every request.
ACTIVITY_RESOLUTION_SECONDS = 30
DEFAULT_LOCK_MINUTES = 15
# Wrong PINs in a row that end the session.
MAX_PIN_FAILURES = 3


def is_locked(request: HttpRequest) -> bool:
    return bool(request.session.get(LOCKED))


def lock_after_seconds(workshop: Workshop | None) -> int:
    minutes = workshop.lock_after_minutes if workshop else DEFAULT_LOCK_MINUTES
    return minutes * 60


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` if it points back into this site, otherwise home."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def return_path(request: HttpRequest) -> str:
    """The page to come back to after unlocking: this one, or for htmx the page it came from."""
    if request.method == "GET" and not getattr(request, "htmx", False):
        return request.get_full_path()
    current = getattr(request, "htmx", None) and request.htmx.current_url_abs_path
    return current or reverse("home")


def lock_session(request: HttpRequest, next_url: str) -> None:
    # Locking an already locked session changes nothing, so pressing "Lock" on the lock
    # screen cannot reset anything (nor buy more PIN guesses: the count is on the user).
    if is_locked(request):
        return
    request.session[LOCKED] = True
    request.session[LOCK_NEXT] = next_url


def unlock_session(request: HttpRequest) -> str:
    """Unlock and return where to go: the page the lock interrupted."""
    next_url = safe_next(request, request.session.get(LOCK_NEXT))
    for key in (LOCKED, LOCK_NEXT):
        request.session.pop(key, None)
    return next_url


def idle_too_long(request: HttpRequest, now: int | None = None) -> bool:
    last = request.session.get(ACTIVITY)
    now = int(time.time()) if now is None else now
    return last is not None and now - last > lock_after_seconds(getattr(request, "workshop", None))


def stamp_activity(request: HttpRequest, now: int | None = None) -> None:
    now = int(time.time()) if now is None else now
    last = request.session.get(ACTIVITY)
    if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
        request.session[ACTIVITY] = now


# The wrong-PIN count


def pin_attempt_count(*, user: User) -> int:
    """Count one unlock attempt and return its number since the last unlock.

    The increment is one UPDATE, so concurrent attempts each get a distinct number
    (the row lock serialises them on PostgreSQL, the write lock on SQLite).
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(pin_failures=F("pin_failures") + 1)
        user.pin_failures = User.objects.values_list("pin_failures", flat=True).get(pk=user.pk)
    return user.pin_failures


def pin_failures_reset(*, user: User) -> None:
    user.pin_failures = 0
    User.objects.filter(pk=user.pk).update(pin_failures=0)


@dataclass(frozen=True)
class UnlockAttempt:
    unlocked: bool
    # Wrong PINs left before the session ends; 0 means it must end now.
    left: int


def unlock_attempt(*, user: User, pin: str) -> UnlockAttempt:
    """Check a PIN against the lock's rules.

    The attempt is counted before the PIN is checked: each request gets its own number
    from the row, so firing many guesses at once still checks at most MAX_PIN_FAILURES.
    """
    failures = pin_attempt_count(user=user)
    if failures <= MAX_PIN_FAILURES and user.check_pin(pin):
        pin_failures_reset(user=user)
        return UnlockAttempt(unlocked=True, left=MAX_PIN_FAILURES)
    return UnlockAttempt(unlocked=False, left=max(0, MAX_PIN_FAILURES - failures))
