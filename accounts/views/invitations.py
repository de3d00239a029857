"""Invitations: the director sends and revokes them; the invited person accepts by link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from accounts.decorators import requires
from accounts.emails import send_templated
from accounts.forms import InvitationForm, JoinExistingForm, JoinNewForm
from accounts.middleware import SESSION_WORKSHOP_KEY
from accounts.models import Branch, Invitation, InvitationStatus, User
from accounts.services import (
    AccountError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
)
from accounts.views.common import MODEL_BACKEND, forbidden
from workshop.http import WorkshopRequest

# Accepting


def join(request: WorkshopRequest, invitation_token: str) -> HttpResponse:
    invitation = invitation_from_token(invitation_token)
    if invitation is None:
        raise Http404
    if request.user.is_authenticated and request.user.email != invitation.email:
        return forbidden(
            request,
            _("This invitation was sent to another address. Sign out to accept it."),
        )
    if not invitation.is_open:
        return render(request, "accounts/link_invalid.html", status=404)
    # The visitor may be anonymous: the invitation's workshop is the scope of this page.
    with scope(workshop=invitation.workshop):
        return _join(request, invitation)


def _join(request: WorkshopRequest, invitation: Invitation) -> HttpResponse:
    existing = User.objects.filter(email=invitation.email, is_pending=False).first()
    signed_in = request.user.is_authenticated
    if existing is None:
        form = JoinNewForm(
            request.POST or None,
            email=invitation.email,
            initial={"full_name": invitation.full_name},
        )
    elif signed_in:
        form = None
    else:
        form = JoinExistingForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        user = existing
        if existing is not None and not signed_in:
            user = authenticate(
                request, username=invitation.email, password=form.cleaned_data["password"]
            )
            if user is None:
                form.add_error("password", _("The e-mail / password pair is incorrect."))
        if form is None or not form.errors:
            try:
                membership = invitation_accept(
                    invitation=invitation,
                    user=user,
                    full_name=form.cleaned_data.get("full_name", "") if existing is None else "",
                    password=form.cleaned_data["password"] if existing is None else "",
                )
            except AccountError:
                return render(request, "accounts/link_invalid.html", status=404)
            if not signed_in:
                login(request, membership.user, backend=MODEL_BACKEND)
            request.session[SESSION_WORKSHOP_KEY] = membership.workshop_id
            messages.success(
                request, _("You have joined %(workshop)s.") % {"workshop": membership.workshop.name}
            )
            return redirect("home")
    return render(
        request,
        "accounts/join.html",
        {
            "invitation": invitation,
            "form": form,
            "existing": existing,
            "invited_branches": list(invitation.branches.all()),
        },
    )


# Sending and revoking (director)


def get_invitation_or_404(request: WorkshopRequest, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation.objects.for_workshop(request.workshop), pk=invitation_id)


def _join_link(request: WorkshopRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(
        reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})
    )


def _invitation_rows(request: WorkshopRequest) -> list[tuple[Invitation, str]]:
    invitations = (
        Invitation.objects.for_workshop(request.workshop)
        .prefetch_related("branches")
        .order_by("-created_at", "-id")
    )
    return [(invitation, _join_link(request, invitation)) for invitation in invitations]


@requires("accounts.manage_staff")
def invitations(request: WorkshopRequest) -> HttpResponse:
    active_branches = Branch.objects.for_workshop(request.workshop).filter(is_active=True)
    form = InvitationForm(request.POST or None, branches=active_branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = invitation_create(
            workshop=request.workshop,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            branches=list(data["branches"]),
            by=request.user,
        )
        if data["send_email"]:
            send_templated(
                "invitation",
                to=invitation.email,
                context={
                    "invitation": invitation,
                    "link": _join_link(request, invitation),
                    "by": request.user,
                },
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
        else:
            messages.success(request, _("Invitation created. Copy its link below."))
        return redirect("accounts:invitations")
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "rows": _invitation_rows(request)},
    )


@require_POST
@requires("accounts.manage_staff")
def invitation_revoke_view(request: WorkshopRequest, invitation_id: int) -> HttpResponse:
    invitation = get_invitation_or_404(request, invitation_id)
    if invitation.status == InvitationStatus.PENDING:
        invitation_revoke(invitation=invitation)
    if request.htmx:
        return render(
            request, "accounts/invitations.html#list", {"rows": _invitation_rows(request)}
        )
    messages.success(request, _("Invitation revoked."))
    return redirect("accounts:invitations")
