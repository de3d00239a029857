"""The workshop's people and their sign-ins (director)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.forms import MembershipForm
from accounts.models import Branch, Membership, SignInEvent
from accounts.services import membership_set_active, membership_update
from workshop.http import WorkshopRequest

SIGNIN_LOG_SIZE = 200


def get_membership_or_404(request: WorkshopRequest, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.for_workshop(request.workshop).select_related("user"),
        pk=membership_id,
    )


@requires("accounts.manage_staff")
def staff(request: WorkshopRequest) -> HttpResponse:
    members = (
        Membership.objects.for_workshop(request.workshop)
        .select_related("user")
        .prefetch_related("branches")
        .order_by("-is_active", "user__full_name", "id")
    )
    return render(request, "accounts/staff.html", {"members": members})


@requires("accounts.manage_staff")
def member_edit(request: WorkshopRequest, membership_id: int) -> HttpResponse:
    member = get_membership_or_404(request, membership_id)
    if member.pk == request.membership.pk:
        messages.error(request, _("You cannot change your own role."))
        return redirect("accounts:staff")
    form = MembershipForm(
        request.POST or None,
        branches=Branch.objects.for_workshop(request.workshop).filter(is_active=True),
        initial={"role": member.role, "branches": list(member.branches.all())},
    )
    if request.method == "POST" and form.is_valid():
        membership_update(
            membership=member,
            role=form.cleaned_data["role"],
            branches=list(form.cleaned_data["branches"]),
        )
        messages.success(request, _("%(name)s saved.") % {"name": member.user.full_name})
        return redirect("accounts:staff")
    return render(request, "accounts/member_edit.html", {"form": form, "member": member})


@require_POST
@requires("accounts.manage_staff")
def member_toggle(request: WorkshopRequest, membership_id: int) -> HttpResponse:
    member = get_membership_or_404(request, membership_id)
    if member.pk == request.membership.pk:
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("accounts:staff")
    membership_set_active(membership=member, active=not member.is_active)
    if member.is_active:
        messages.success(request, _("%(name)s is active again.") % {"name": member.user.full_name})
    else:
        messages.success(
            request, _("%(name)s is deactivated and signed out.") % {"name": member.user.full_name}
        )
    return redirect("accounts:staff")


@requires("accounts.view_signins")
def signins(request: WorkshopRequest) -> HttpResponse:
    # Current staff only: rows kept from someone's time here stop showing once they
    # leave (and show again if they come back).
    members = Membership.objects.for_workshop(request.workshop).filter(is_active=True)
    events = (
        SignInEvent.objects.for_workshop(request.workshop)
        .filter(user__in=members.values("user"))
        .select_related("user")[:SIGNIN_LOG_SIZE]
    )
    return render(
        request,
        "accounts/signins.html",
        {
            "events": events,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
