from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from documents.engine.sandbox import MAX_SOURCE
from notifications.models import Rule, Settings

SMS_MAX = 1000  # characters of an SMS template (at most some 15 parts once rendered)


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send"), required=False)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(label=_("Message text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, channel: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        limit = (
            SMS_MAX
            if channel == "sms"
            else min(MAX_SOURCE, Rule._meta.get_field("body").max_length)
        )
        self.fields["body"].max_length = limit
        self.fields["body"].validators.append(MaxLengthValidator(limit))
        self.fields["body"].widget.attrs["maxlength"] = limit
        if channel == "sms":
            del self.fields["subject"]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Settings
        fields = [
            "language",
            "quiet_from",
            "quiet_until",
            "not_collected_days",
            "hours",
            "approval_enabled",
        ]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_not_collected_days(self):
        days = self.cleaned_data["not_collected_days"]
        if not 1 <= days <= 365:
            raise forms.ValidationError(_("Between 1 and 365 days."))
        return days


class ConsentForm(forms.Form):
    sms = forms.BooleanField(label=_("SMS"), required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False)
