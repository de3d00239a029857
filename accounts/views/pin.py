"""The PIN: setting and changing it, locking the screen and unlocking it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import lock as pin_lock
from accounts.forms import PinChangeForm, PinSetForm, UnlockForm
from workshop.http import WorkshopRequest


@login_required
def pin_set(request: WorkshopRequest) -> HttpResponse:
    if request.user.pin_hash:
        return redirect("accounts:pin_change")
    form = PinSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.user.set_pin(form.cleaned_data["pin"])
        request.user.save(update_fields=["pin_hash"])
        messages.success(request, _("PIN set. Use it to unlock the screen."))
        return redirect("home")
    return render(request, "accounts/pin_set.html", {"form": form, "membership": None})


@login_required
def pin_change(request: WorkshopRequest) -> HttpResponse:
    form = PinChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.user.set_pin(form.cleaned_data["pin"])
        request.user.save(update_fields=["pin_hash"])
        messages.success(request, _("Your PIN has been changed."))
        return redirect("home")
    return render(request, "accounts/pin_change.html", {"form": form})


@login_required
def lock(request: WorkshopRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.pin_hash:
            pin_lock.lock_session(request, pin_lock.safe_next(request, request.POST.get("next")))
        return redirect("accounts:lock")
    if not pin_lock.is_locked(request):
        return redirect("home")
    return render(request, "accounts/lock.html", {"form": UnlockForm(), "membership": None})


@require_POST
@login_required
def unlock(request: WorkshopRequest) -> HttpResponse:
    if not pin_lock.is_locked(request):
        return redirect("home")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/lock.html", {"form": form, "membership": None})
    attempt = pin_lock.unlock_attempt(user=request.user, pin=form.cleaned_data["pin"])
    if attempt.unlocked:
        return redirect(pin_lock.unlock_session(request))
    if not attempt.left:
        logout(request)
        messages.warning(request, _("Three wrong PINs: sign in with your password."))
        return redirect("accounts:login")
    form.add_error("pin", _("Wrong PIN. Attempts left: %(left)d.") % {"left": attempt.left})
    return render(request, "accounts/lock.html", {"form": form, "membership": None})


@require_POST
@login_required
def activity(request: WorkshopRequest) -> HttpResponse:
    """The page's script reports typing and clicks here, so a long form does not lock."""
    return HttpResponse(status=204)
