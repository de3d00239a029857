"""The workshop's branches (director)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.forms import BRANCH_NAME_TAKEN, BranchForm
from accounts.models import Branch
from accounts.services import BranchNameTaken, branch_save
from workshop.http import WorkshopRequest


def get_branch_or_404(request: WorkshopRequest, branch_id: int) -> Branch:
    return get_object_or_404(Branch.objects.for_workshop(request.workshop), pk=branch_id)


def _branch_save(form: BranchForm, branch: Branch) -> bool:
    """Save the form's branch; a name taken meanwhile becomes the same field error."""
    try:
        branch_save(branch=branch)
    except BranchNameTaken:
        form.add_error("name", BRANCH_NAME_TAKEN)
        return False
    return True


@requires("accounts.manage_branches")
def branches(request: WorkshopRequest) -> HttpResponse:
    form = BranchForm(request.POST or None, workshop=request.workshop)
    if request.method == "POST" and form.is_valid():
        branch = form.save(commit=False)
        branch.workshop = request.workshop
        if _branch_save(form, branch):
            messages.success(request, _("Branch %(name)s added.") % {"name": branch.name})
            return redirect("accounts:branches")
    return render(
        request,
        "accounts/branches.html",
        {"form": form, "branches": Branch.objects.for_workshop(request.workshop)},
    )


@requires("accounts.manage_branches")
def branch_edit(request: WorkshopRequest, branch_id: int) -> HttpResponse:
    branch = get_branch_or_404(request, branch_id)
    # The form writes the typed name onto the instance; the heading keeps the saved one.
    saved_name = branch.name
    form = BranchForm(request.POST or None, instance=branch, workshop=request.workshop)
    if request.method == "POST" and form.is_valid() and _branch_save(form, branch):
        messages.success(request, _("Branch saved."))
        return redirect("accounts:branches")
    return render(
        request,
        "accounts/branch_edit.html",
        {"form": form, "branch": branch, "saved_name": saved_name},
    )


@require_POST
@requires("accounts.manage_branches")
def branch_toggle(request: WorkshopRequest, branch_id: int) -> HttpResponse:
    branch = get_branch_or_404(request, branch_id)
    if (
        branch.is_active
        and not Branch.objects.for_workshop(request.workshop)
        .filter(is_active=True)
        .exclude(pk=branch.pk)
        .exists()
    ):
        messages.error(request, _("A workshop keeps at least one active branch."))
        return redirect("accounts:branches")
    branch.is_active = not branch.is_active
    branch.save(update_fields=["is_active"])
    return redirect("accounts:branches")
