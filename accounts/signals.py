"""Sign-in bookkeeping: the one-session rule and the workshop's sign-in log."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.models import SignInOutcome
from accounts.services import session_take_over, signin_record
from accounts.throttle import client_ip
from workshop.lib.text import normalize_email


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="accounts.user_logged_in")
def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_take_over(user=user, session_key=request.session.session_key)
    signin_record(
        email=user.email,
        ip=client_ip(request),
        user_agent=_agent(request),
        outcome=SignInOutcome.SUCCESS,
    )


@receiver(user_login_failed, dispatch_uid="accounts.user_login_failed")
def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get("username")
    if request is None or not email:
        return
    # axes' receiver runs first (its app is listed earlier) and marks a throttled request.
    throttled = getattr(request, "axes_locked_out", False)
    signin_record(
        email=normalize_email(email),
        ip=client_ip(request),
        user_agent=_agent(request),
        outcome=SignInOutcome.LOCKED if throttled else SignInOutcome.FAILURE,
    )
