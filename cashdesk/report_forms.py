"""Forms of employees' work, salaries, payroll and reports: they validate what people type;
cashdesk.payroll decides and records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cashdesk.forms import KeyedForm, amount_field
from cashdesk.models import GoodsBasis
from cashdesk.payroll import MAX_DATE, MIN_DATE
from cashdesk.reports import PERIOD_CHOICES, PeriodKey

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": _("Enter a date, for example 31.12.2026.")},
    )


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = date_field(_("From"), required=False)
    end = date_field(_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("period") == PeriodKey.CUSTOM or (
            not data.get("period") and (data.get("start") or data.get("end"))
        ):
            data["period"] = PeriodKey.CUSTOM
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Enter a date."))
            if not end:
                self.add_error("end", _("Enter a date."))
            for name in ("start", "end"):
                value = data.get(name)
                if value and not MIN_DATE <= value <= MAX_DATE:
                    self.add_error(name, _("Enter a date between 2000 and 2100."))
            if start and end and end < start:
                self.add_error("end", _("The period ends before it starts."))
        return data


def percent_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=6,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter a percentage, for example 40 or 12,5."),
            "max_digits": _("A percentage is between 0 and 100."),
            "max_whole_digits": _("A percentage is between 0 and 100."),
            "max_decimal_places": _("At most two decimals, please."),
        },
    )


class RuleForm(forms.Form):
    effective_from = date_field(_("Takes effect on"))
    services_percent = percent_field(_("Percent of services performed"))
    goods_percent = percent_field(_("Percent of goods sold"))
    goods_basis = forms.ChoiceField(
        label=_("Goods percent is taken"), choices=GoodsBasis.choices, initial=GoodsBasis.MARGIN
    )
    per_order = amount_field(_("Per issued order (as assignee)"))
    monthly_base = amount_field(_("Monthly base"))

    def clean(self):
        data = super().clean()
        for name in ("services_percent", "goods_percent"):
            value = data.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                self.add_error(name, _("A percentage is between 0 and 100."))
        return data


class PayrollCloseForm(forms.Form):
    start = date_field(_("From"))
    end = date_field(_("To"))


class PayoutForm(KeyedForm):
    member = forms.IntegerField(widget=forms.HiddenInput)
    amount = amount_field(_("Amount"), required=True)
    branch = forms.IntegerField(label=_("From the drawer of"), widget=forms.Select)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].widget.choices = [(b.pk, b.name) for b in branches]


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
