"""Form widget: a text input that suggests this workshop's remembered values as you type."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from directories.models import VALUE_MAX_LENGTH, Kind


class SuggestInput(forms.TextInput):
    """Text input with as-you-type prefix suggestions from this workshop's directory.

    SuggestInput(kind=Kind.BRAND)
    SuggestInput(kind=Kind.MODEL, narrow_by="brand")     # form field holding the brand
    SuggestInput(kind=Kind.SERVICE, price_field="price")  # choosing fills that field too

    Sibling fields are found by name in the same form and with the same prefix as this
    input (`lines-3-name` → `lines-3-price`), so it works inside formsets and in rows
    cloned from an empty form. The behaviour is in static/js/directories.js.
    """

    template_name = "directories/widgets/suggest.html"

    def __init__(
        self,
        kind: str,
        *,
        narrow_by: str | None = None,
        price_field: str | None = None,
        attrs: dict | None = None,
    ) -> None:
        if kind not in Kind.values:
            raise ValueError(f"Unknown directory kind {kind!r}")
        super().__init__(attrs)
        self.kind = kind
        self.narrow_by = narrow_by
        self.price_field = price_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id') or name}-suggestions"
        extra = {
            "autocomplete": "off",
            "role": "combobox",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": list_id,
            "data-suggest": self.kind,
            "hx-get": reverse("directories:suggest", kwargs={"kind": self.kind}),
            # No filter expressions: htmx runs with allowEval off (CSP).
            "hx-trigger": "input changed delay:150ms, focus",
            "hx-target": "next .suggest__list",
            "hx-swap": "innerHTML",
            # A newer keystroke waits for the request in flight, and only the newest is
            # sent then (it reads the field as it is): "replace" aborted the focus
            # request at the first keystroke, which htmx reports as a console error.
            "hx-sync": "this:queue last",
        }
        widget_attrs.setdefault("maxlength", str(VALUE_MAX_LENGTH))
        if self.narrow_by:
            extra["data-suggest-narrow"] = self.narrow_by
        if self.price_field:
            extra["data-suggest-price"] = self.price_field
        for attr, attr_value in extra.items():
            widget_attrs.setdefault(attr, attr_value)
        context["widget"]["list_id"] = list_id
        return context
