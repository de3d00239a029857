from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.emails import render_templated
from accounts.models import Branch, Role, User, branch_name_key
from accounts.permissions import role_can
from accounts.services import PasswordChecksPaused, Signup, password_check
from accounts.throttle import SignInPaused, counted_password_check, paused_message
from workshop.lib.text import normalize_email

# The User and Invitation columns hold 254 characters; forms.EmailField accepts up to 320,
# and a longer address would fail at full_clean() or in the database (a 500) instead of
# here, next to the field.
EMAIL_MAX_LENGTH = 254

PIN_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9]{4,8}",
    "maxlength": "8",
}


class SignInForm(AuthenticationForm):
    """E-mail sign-in whose failure never says which half was wrong."""

    username = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The e-mail / password pair is incorrect."),
        "inactive": _("The e-mail / password pair is incorrect."),
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


def _validate_new_password(form: forms.Form, email: str) -> None:
    """Run the password validators on `password`, comparing it with the person's details."""
    password = form.cleaned_data.get("password")
    if not password:
        return
    user = User(email=email, full_name=form.cleaned_data.get("full_name", ""))
    try:
        password_validation.validate_password(password, user)
    except forms.ValidationError as exc:
        form.add_error("password", exc)


def new_password_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A phrase of a few words is easy to remember."),
    )


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    workshop_name = forms.CharField(
        label=_("Workshop name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    password = new_password_field()

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        _validate_new_password(self, cleaned.get("email", ""))
        return cleaned


class ConfirmForm(forms.Form):
    """Finishing a registration asks for its password, so only who chose it can confirm.

    Each try counts as a sign-in attempt for the address (django-axes): guessing here
    pauses as guessing on the sign-in page does.
    """

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request: HttpRequest, signup: Signup, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.signup = signup

    @property
    def paused(self) -> bool:
        return self.has_error("password", code="paused")

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        try:
            correct = counted_password_check(
                self.request,
                email=self.signup.user.email,
                check=lambda: self.signup.check_password(password),
            )
        except SignInPaused:
            raise forms.ValidationError(paused_message(), code="paused") from None
        if not correct:
            raise forms.ValidationError(
                _("This is not the password you chose when registering."), code="wrong"
            )
        return password


class JoinNewForm(forms.Form):
    """Joining as a person new to the app: the name is filled in; choose a password."""

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = new_password_field(_("Choose a password"))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        _validate_new_password(self, self.email)
        return cleaned


class JoinExistingForm(forms.Form):
    """Joining with an account the person already has: their current password."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class BranchChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Branch) -> str:
        return obj.name


class RoleBranchesForm(forms.Form):
    """Role and branches: a role that does not work in every branch needs at least one."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MANAGER)
    branches = BranchChoiceField(
        label=_("Branches"), queryset=Branch.objects.none(), required=False
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = branches

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and not role_can(role, "accounts.all_branches") and not cleaned.get("branches"):
            self.add_error("branches", _("Choose at least one branch for this role."))
        return cleaned


class InvitationForm(RoleBranchesForm):
    email = forms.EmailField(label=_("E-mail"), max_length=EMAIL_MAX_LENGTH)
    full_name = forms.CharField(label=_("Name"), max_length=200)
    send_email = forms.BooleanField(
        label=_("Send the invitation by e-mail"), required=False, initial=True
    )
    field_order = ["email", "full_name", "role", "branches", "send_email"]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class MembershipForm(RoleBranchesForm):
    """A member's role and branches, as the director changes them."""


BRANCH_NAME_TAKEN = _("A branch with this name already exists.")


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["name", "address", "phone"]

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        # Compared in Python, not with name__iexact: SQLite folds only ASCII letters, and a
        # workshop has a handful of branches.
        others = Branch.objects.for_workshop(self.workshop).exclude(pk=self.instance.pk)
        key = branch_name_key(name)
        if any(branch_name_key(other) == key for other in others.values_list("name", flat=True)):
            raise forms.ValidationError(BRANCH_NAME_TAKEN, code="taken")
        return name


def _clean_pin(value: str) -> str:
    value = value.strip()
    if not value.isdigit() or not 4 <= len(value) <= 8 or not value.isascii():
        raise forms.ValidationError(_("A PIN is 4 to 8 digits."), code="pin")
    return value


def _check_own_password(user: User, password: str) -> str:
    try:
        correct = password_check(user=user, password=password)
    except PasswordChecksPaused as paused:
        raise forms.ValidationError(
            ngettext_lazy(
                "Too many wrong passwords. Try again in %(minutes)d minute.",
                "Too many wrong passwords. Try again in %(minutes)d minutes.",
                "minutes",
            ),
            code="paused",
            params={"minutes": paused.minutes},
        ) from None
    if not correct:
        raise forms.ValidationError(_("The password is incorrect."), code="wrong")
    return password


class PinSetForm(forms.Form):
    pin = forms.CharField(label=_("New PIN"), widget=forms.PasswordInput(attrs=PIN_ATTRS))
    pin_again = forms.CharField(
        label=_("The same PIN again"), widget=forms.PasswordInput(attrs=PIN_ATTRS)
    )

    def clean_pin(self) -> str:
        return _clean_pin(self.cleaned_data["pin"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pin") and cleaned.get("pin") != cleaned.get("pin_again", "").strip():
            self.add_error("pin_again", _("The two PINs differ."))
        return cleaned


class PinChangeForm(PinSetForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "pin", "pin_again"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        return _check_own_password(self.user, self.cleaned_data["password"])


class UnlockForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"), widget=forms.PasswordInput(attrs={**PIN_ATTRS, "autofocus": True})
    )


class PasswordResetForm(DjangoPasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def save(  # type: ignore[override]
        self,
        *,
        request: HttpRequest,
        use_https: bool = False,
        token_generator: PasswordResetTokenGenerator = default_token_generator,
        **_django_options,
    ) -> list[EmailMessage]:
        """Render the reset e-mail for the address and return what to send.

        An unknown address is rendered too, for a stand-in user, and then dropped, so the
        request does the same work either way; the view queues what is returned as one
        task (accounts.emails.send_later), so no SMTP round trip shows either.
        """
        email = self.cleaned_data["email"]
        users = [(user, True) for user in self.get_users(email)] or [(User(email=email), False)]
        site = get_current_site(request)
        outbox = []
        for user, known in users:
            context = {
                "email": user.email,
                "domain": site.domain,
                "site_name": site.name,
                "uid": urlsafe_base64_encode(force_bytes(User._meta.pk.value_to_string(user))),
                "user": user,
                "token": token_generator.make_token(user),
                "protocol": "https" if use_https else "http",
            }
            message = render_templated("password-reset", to=user.email, context=context)
            if known:
                outbox.append(message)
        return outbox


class SetPasswordForm(DjangoSetPasswordForm):
    """Django's form; its inputs already carry autocomplete="new-password"."""


class ChangePasswordForm(PasswordChangeForm):
    """Django's form: old password (current-password), new twice (new-password).

    The old password is checked with the same limit as on the PIN change form.
    """

    def clean_old_password(self) -> str:
        return _check_own_password(self.user, self.cleaned_data["old_password"])
