"""Forms of the cash desk. They validate what people type; the services decide and record.

Every form carries a one-time `key` (a UUID made when the page is drawn): submitting
the same page twice records once (cashdesk.services). Forms that act on an order carry
the order `version` the page showed, so a payment decided on a stale card is refused.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cashdesk.models import ExpenseCategory, Method
from orders.forms import MoneyFormField
from workshop.lib.money import MAX_AMOUNT

REASON_MAX = 500


def amount_field(label, *, required: bool = False, **kwargs) -> forms.DecimalField:
    """An amount typed as people type it (`3 500,50`), in kopecks, never negative."""
    return MoneyFormField(
        label=label,
        required=required,
        decimal_places=2,
        max_digits=11,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter an amount."),
            "max_value": _("That is more than any bill: at most %(limit_value)s."),
            "min_value": _("An amount cannot be negative."),
            "max_decimal_places": _("Amounts go down to kopecks: at most two decimals."),
            "max_digits": _("That is more than any bill."),
            "max_whole_digits": _("That is more than any bill."),
            "invalid": _("Enter an amount, for example 1500 or 1500,50."),
        },
        **kwargs,
    )


def reason_field(label, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX,
        error_messages={"required": _("Say why: the reason stays with the entry.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class KeyedForm(forms.Form):
    """A form with its one-time key, made fresh for each page drawn."""

    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": _("Reload.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["key"].initial = uuid.uuid4()


class OrderForm(KeyedForm):
    """An action on an order: the version its card showed travels with the form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SplitForm(OrderForm):
    """An amount split across methods (3 000 cash + 1 200 card): the parts must add up."""

    total = amount_field(_("Taken now"))
    cash = amount_field(Method.CASH.label)
    card = amount_field(Method.CARD.label)
    transfer = amount_field(Method.TRANSFER.label)
    debt = forms.BooleanField(
        label=_("Issue with the rest as the client's debt"), required=False, initial=False
    )

    def __init__(self, *args, with_total: bool = True, with_debt: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_total:
            del self.fields["total"]
        if not with_debt:
            del self.fields["debt"]

    def amounts(self) -> dict[str, Decimal | None]:
        return {m: self.cleaned_data.get(m) for m in Method.values}

    @property
    def method_fields(self) -> list:
        return [self[m] for m in Method.values]


class RefundForm(SplitForm):
    reason = reason_field(_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_total=False, **kwargs)


class FieldCashForm(OrderForm):
    amount = amount_field(_("Cash taken"), required=True)


class DrawerForm(KeyedForm):
    """Expense, withdrawal or deposit at one branch's desk."""

    amount = amount_field(_("Amount"), required=True)
    method = forms.ChoiceField(label=_("Paid by"), choices=Method.choices, initial=Method.CASH)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *ExpenseCategory.choices],
        required=True,
        error_messages={"required": _("Choose a category.")},
    )
    order_number = forms.IntegerField(
        label=_("For order №"),
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    comment = reason_field(_("Comment"), required=False)

    def __init__(self, *args, expense: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not expense:
            for name in ("method", "category", "order_number"):
                del self.fields[name]


class CloseForm(KeyedForm):
    """The count, with the newest entry the page showed: money recorded after it was not
    in the expected figure the director counted against."""

    counted = amount_field(_("Cash counted in the drawer"), required=True)
    seen = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2**63 - 1,
        error_messages={"required": _("Reload.")},
    )


class ReverseForm(KeyedForm):
    reason = reason_field(_("Why it is reversed"))


class HandInForm(KeyedForm):
    amount = amount_field(_("Amount handed in"), required=True)
    branch = forms.ChoiceField(label=_("Into the drawer of"))

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {str(b.pk): b for b in branches}
        self.fields["branch"].choices = [(pk, b.name) for pk, b in self.branches.items()]

    def clean_branch(self):
        return self.branches[self.cleaned_data["branch"]]


class IntakePrepaymentForm(forms.Form):
    """The prepayment taken on the "+" forms, saved in the new order's transaction."""

    amount = amount_field(_("Amount"))
    # Not required: a "+" form posted without this step (no prepayment) stays valid.
    method = forms.ChoiceField(
        label=_("Paid by"), choices=Method.choices, initial=Method.CASH, required=False
    )

    def __init__(self, data=None, *, prefix, request, kind):
        super().__init__(data, prefix=prefix)

    def clean_method(self):
        return self.cleaned_data.get("method") or Method.CASH
