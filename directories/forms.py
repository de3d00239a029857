from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directories.models import VALUE_MAX_LENGTH
from directories.widgets import SuggestInput


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Starts with"), required=False)
    after_key = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    after_id = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_after_key(self) -> str | None:
        # An empty key is a real position only together with an id; absent means page one.
        value = self.cleaned_data.get("after_key")
        return value if "after_key" in self.data else None


class RenameForm(forms.Form):
    value = forms.CharField(label=_("New spelling"), max_length=VALUE_MAX_LENGTH)


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Merge into"),
        max_length=VALUE_MAX_LENGTH,
        help_text=_("Start typing and pick the entry that should stay."),
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].widget = SuggestInput(kind=kind)
