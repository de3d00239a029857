from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from accounts import middleware as guard
from accounts.decorators import requires
from accounts.emails import RedirectThenSend, render_templated, send_templated
from accounts.forms import (
    BRANCH_NAME_TAKEN,
    BranchForm,
    ChangePasswordForm,
    ConfirmForm,
    InvitationForm,
    JoinExistingForm,
    JoinNewForm,
    MembershipForm,
    PasswordResetForm,
    PinChangeForm,
    PinSetForm,
    RegistrationForm,
    SetPasswordForm,
    SignInForm,
    UnlockForm,
)
from accounts.models import (
    Branch,
    Invitation,
    InvitationStatus,
    Membership,
    SignInEvent,
    User,
)
from accounts.services import (
    AccountError,
    BranchNameTaken,
    branch_save,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    membership_set_active,
    membership_update,
    pin_attempt_count,
    pin_failures_reset,
    registration_confirm,
    registration_start,
    session_take_over,
    signup_from_token,
)
from workshop.http import WorkshopRequest

MAX_PIN_FAILURES = 3
SIGNIN_LOG_SIZE = 200
MODEL_BACKEND = "accounts.backends.MemberBackend"


def _forbidden(request, message: str) -> HttpResponse:
    return render(
        request, "accounts/message.html", {"title": _("Not for you"), "text": message}, status=403
    )


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


@requires("accounts.view_home")
def home(request: WorkshopRequest) -> HttpResponse:
    membership = request.membership
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


# Registration


def register(request: WorkshopRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template, context = registration_start(
            email=data["email"],
            full_name=data["full_name"],
            workshop_name=data["workshop_name"],
            password=data["password"],
        )
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
                    reverse(
                        "accounts:join", kwargs={"invitation_token": invitation_token(invitation)}
                    )
                ),
            )
            for invitation in context["invitations"]
        ]
        message = render_templated(template, to=data["email"], context=context)
        # The same answer for every address: whether it is known stays in the mailbox.
        return RedirectThenSend(reverse("accounts:register_sent"), outbox=[message])
    return render(request, "accounts/register.html", {"form": form})


def register_sent(request: WorkshopRequest) -> HttpResponse:
    return render(request, "accounts/register_sent.html")


def confirm(request: WorkshopRequest, signup_token: str) -> HttpResponse:
    try:
        user, workshop_name = signup_from_token(signup_token)
    except AccountError:
        return render(request, "accounts/link_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != user.pk:
        return _forbidden(request, _("You are signed in as another person. Sign out first."))
    form = ConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            registration_confirm(user=user, workshop_name=workshop_name)
        except AccountError:
            return render(request, "accounts/link_invalid.html", status=404)
        user.refresh_from_db()
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, _("Welcome! Your workshop is ready."))
        return redirect("home")
    return render(
        request,
        "accounts/confirm.html",
        {"form": form, "pending_user": user, "workshop_name": workshop_name},
    )


# Invitations: accepting


def join(request: WorkshopRequest, invitation_token: str) -> HttpResponse:
    invitation = invitation_from_token(invitation_token)
    if invitation is None:
        raise Http404
    if request.user.is_authenticated and request.user.email != invitation.email:
        return _forbidden(
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
            request.session[guard.SESSION_WORKSHOP_KEY] = membership.workshop_id
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


# Password reset and change


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        outbox = form.save(
            request=self.request,
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
        )
        return RedirectThenSend(self.get_success_url(), outbox=outbox)


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
                return _forbidden(
                    request, _("You are signed in as another person. Sign out first.")
                )
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


# PIN


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


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@login_required
def lock(request: WorkshopRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.pin_hash:
            guard.lock_session(request, _safe_next(request, request.POST.get("next")))
        return redirect("accounts:lock")
    if not request.session.get(guard.LOCKED):
        return redirect("home")
    return render(request, "accounts/lock.html", {"form": UnlockForm(), "membership": None})


@require_POST
@login_required
def unlock(request: WorkshopRequest) -> HttpResponse:
    if not request.session.get(guard.LOCKED):
        return redirect("home")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/lock.html", {"form": form, "membership": None})
    # Count the attempt before checking it: each request gets its own number from the
    # row, so firing many guesses at once still checks at most MAX_PIN_FAILURES of them.
    failures = pin_attempt_count(user=request.user)
    if failures <= MAX_PIN_FAILURES and request.user.check_pin(form.cleaned_data["pin"]):
        pin_failures_reset(user=request.user)
        next_url = _safe_next(request, request.session.get(guard.LOCK_NEXT))
        for key in (guard.LOCKED, guard.LOCK_NEXT):
            request.session.pop(key, None)
        return redirect(next_url)
    if failures >= MAX_PIN_FAILURES:
        logout(request)
        messages.warning(request, _("Three wrong PINs: sign in with your password."))
        return redirect("accounts:login")
    form.add_error(
        "pin",
        _("Wrong PIN. Attempts left: %(left)d.") % {"left": MAX_PIN_FAILURES - failures},
    )
    return render(request, "accounts/lock.html", {"form": form, "membership": None})


@require_POST
@login_required
def activity(request: WorkshopRequest) -> HttpResponse:
    """The page's script reports typing and clicks here, so a long form does not lock."""
    return HttpResponse(status=204)


# Workshops


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
    request.session[guard.SESSION_WORKSHOP_KEY] = membership.workshop_id
    return redirect("home")


# Branches (director)


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


# Staff (director)


def get_membership_or_404(request: WorkshopRequest, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.for_workshop(request.workshop).select_related("user"),
        pk=membership_id,
    )


def _active_branches(request: WorkshopRequest):
    return Branch.objects.for_workshop(request.workshop).filter(is_active=True)


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
        branches=_active_branches(request),
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


# Invitations (director)


def get_invitation_or_404(request: WorkshopRequest, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation.objects.for_workshop(request.workshop), pk=invitation_id)


def _invitation_rows(request: WorkshopRequest) -> list[tuple[Invitation, str]]:
    invitations = (
        Invitation.objects.for_workshop(request.workshop)
        .prefetch_related("branches")
        .order_by("-created_at", "-id")
    )
    return [
        (
            invitation,
            request.build_absolute_uri(
                reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})
            ),
        )
        for invitation in invitations
    ]


@requires("accounts.manage_staff")
def invitations(request: WorkshopRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, branches=_active_branches(request))
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
            link = request.build_absolute_uri(
                reverse("accounts:join", kwargs={"invitation_token": invitation_token(invitation)})
            )
            send_templated(
                "invitation",
                to=invitation.email,
                context={"invitation": invitation, "link": link, "by": request.user},
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


# Sign-in log (director)


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
