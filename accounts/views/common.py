"""What the accounts screens share."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The backend a person is signed in with after a link proved who they are.
MODEL_BACKEND = "accounts.backends.MemberBackend"


def forbidden(request, message: str) -> HttpResponse:
    return render(
        request, "accounts/message.html", {"title": _("Not for you"), "text": message}, status=403
    )
