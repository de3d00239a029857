"""Registering a workshop and confirming it from the e-mailed link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.emails import render_templated, send_later
from accounts.forms import ConfirmForm, RegistrationForm
from accounts.services import (
    AccountError,
    TooManySignups,
    invitation_token,
    registration_confirm,
    registration_start,
    signup_from_token,
)
from accounts.throttle import mail_allowed
from accounts.views.common import MODEL_BACKEND, forbidden
from workshop.http import WorkshopRequest


def register(request: WorkshopRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The same answer for every address, limited or not: what happened stays in the
        # mailbox (and no letter at all once the address or this IP has had its share).
        answer = reverse("accounts:register_sent")
        if not mail_allowed(request, data["email"]):
            make_password(data["password"])  # the work a registration does
            send_later([])
            return redirect(answer)
        try:
            template, context = registration_start(
                email=data["email"],
                full_name=data["full_name"],
                workshop_name=data["workshop_name"],
                password=data["password"],
            )
        except TooManySignups:
            send_later([])
            return redirect(answer)
        message = render_templated(template, to=data["email"], context=_letter(request, context))
        send_later([message])
        return redirect(answer)
    return render(request, "accounts/register.html", {"form": form})


def _letter(request: WorkshopRequest, context: dict) -> dict:
    """The registration letter's links, absolute."""
    context["sign_in_url"] = request.build_absolute_uri(reverse("accounts:login"))
    context["reset_url"] = request.build_absolute_uri(reverse("accounts:password_reset"))
    if "token" in context:
        context["confirm_url"] = request.build_absolute_uri(
            reverse("accounts:confirm", kwargs={"signup_token": context["token"]})
        )
    context["join_links"] = [
        (
            invitation,
            request.build_absolute_uri(
                reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})
            ),
        )
        for invitation in context["invitations"]
    ]
    return context


def register_sent(request: WorkshopRequest) -> HttpResponse:
    return render(request, "accounts/register_sent.html")


def confirm(request: WorkshopRequest, signup_token: str) -> HttpResponse:
    try:
        signup = signup_from_token(signup_token)
    except AccountError:
        return render(request, "accounts/link_invalid.html", status=404)
    user = signup.user
    if request.user.is_authenticated and request.user.pk != user.pk:
        return forbidden(request, _("You are signed in as another person. Sign out first."))
    form = ConfirmForm(request.POST or None, request=request, signup=signup)
    if request.method == "POST" and form.is_valid():
        try:
            registration_confirm(signup=signup)
        except AccountError:
            return render(request, "accounts/link_invalid.html", status=404)
        user.refresh_from_db()
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, _("Welcome! Your workshop is ready."))
        return redirect("home")
    return render(
        request,
        "accounts/confirm.html",
        {"form": form, "signup": signup},
        # 429 as on the sign-in page; the lockout handler keeps this page (accounts.throttle).
        status=429 if form.paused else 200,
    )
