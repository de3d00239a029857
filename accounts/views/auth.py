"""Signing in and out, password reset and change, home and switching workshops."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.emails import send_later
from accounts.forms import ChangePasswordForm, PasswordResetForm, SetPasswordForm, SignInForm
from accounts.middleware import SESSION_WORKSHOP_KEY
from accounts.models import Membership, Role
from accounts.services import session_take_over
from accounts.throttle import mail_allowed
from accounts.views.common import forbidden
from workshop.http import WorkshopRequest

# Signing in and out


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership is None:
            # Signed in but no longer a member anywhere: without this, sign-in and home
            # would redirect to each other.
            logout(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not Membership.objects.active().filter(user=user).exists():
            form.add_error(
                None, _("Your account is not active in any workshop. Ask your director.")
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class SignOutView(auth_views.LogoutView):
    pass


# Home and workshops


@requires("accounts.view_home")
def home(request: WorkshopRequest) -> HttpResponse:
    membership = request.membership
    if membership.role != Role.DIRECTOR:
        # Front-desk staff start their day on the Today view (orders, by URL name only).
        return redirect("orders:today")
    colleagues = (
        Membership.objects.active()
        .for_workshop(request.workshop)
        .select_related("user")
        .prefetch_related("branches")
        .order_by("user__full_name", "id")
    )
    return render(
        request,
        "accounts/home.html",
        {
            "branches": membership.visible_branches(),
            "colleagues": colleagues,
        },
    )


@require_POST
@login_required
def switch_workshop(request: WorkshopRequest) -> HttpResponse:
    workshop_id = request.POST.get("workshop", "")
    if not workshop_id.isascii() or not workshop_id.isdigit() or len(workshop_id) > 18:
        # A missing, non-numeric or out-of-range id is a 404 like a foreign one, not a 500.
        raise Http404
    membership = get_object_or_404(
        Membership.objects.active(), user=request.user, workshop_id=int(workshop_id)
    )
    request.session[SESSION_WORKSHOP_KEY] = membership.workshop_id
    return redirect("home")


# Password reset and change


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Counted for unknown addresses too, and the letter rendered either way: neither
        # the limit nor the work tells which addresses have accounts.
        allowed = mail_allowed(self.request, form.cleaned_data["email"])
        outbox = form.save(
            request=self.request,
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
        )
        send_later(outbox if allowed else [])
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                uid = urlsafe_base64_decode(kwargs["uidb64"]).decode()
            except (TypeError, ValueError, UnicodeDecodeError):
                uid = None
            if uid != str(request.user.pk):
                return forbidden(request, _("You are signed in as another person. Sign out first."))
        return super().dispatch(request, *args, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        # Django keeps this session (a new key) and the new password hash ends every other one.
        response = super().form_valid(form)
        session_take_over(user=self.request.user, session_key=self.request.session.session_key)
        messages.success(self.request, _("Your password has been changed."))
        return response
