from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """E-mail sign-in whose failure never says which half was wrong."""

    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The e-mail / password pair is incorrect."),
        "inactive": _("The e-mail / password pair is incorrect."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
