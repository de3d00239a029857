"""Forms of the warehouse. They validate what people type; the services decide and record.

Product fields take what a person or a barcode scanner types: a barcode, an SKU or the
product's exact name (static/js/warehouse.js looks a scanned code up on Enter and fills
the name in). Every document form carries a one-time `key`: submitting the same page
twice records once.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directories.models import Kind as DirKind
from directories.widgets import SuggestInput
from orders.forms import MoneyFormField
from warehouse import services
from warehouse.models import CODE_MAX, NAME_MAX, Product, Unit
from warehouse.quantity import to_quantity
from workshop.lib.money import MAX_AMOUNT

ROWS = 5


def cost_field(label, *, required: bool = True) -> forms.DecimalField:
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
            "required": _("Enter the cost per unit."),
            "max_value": _("That is more than any bill."),
            "min_value": _("A cost cannot be negative."),
            "max_decimal_places": _("Amounts go down to kopecks: at most two decimals."),
            "max_digits": _("That is more than any bill."),
            "max_whole_digits": _("That is more than any bill."),
            "invalid": _("Enter an amount, for example 1500 or 1500,50."),
        },
    )


class QuantityInput(forms.TextInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class QuantityField(forms.CharField):
    """A quantity as typed (`2`, `1,5`); the product's unit is checked by the service."""

    widget = QuantityInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            number = to_quantity(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a quantity, for example 2 or 1,5.")) from None
        return number


class KeyedForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": _("Reload.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())


class ProductInput(forms.TextInput):
    """A product field: typed or scanned (barcode + Enter)."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "data-wh-product": "",
                "maxlength": str(NAME_MAX),
                "placeholder": _("Scan or type a barcode, SKU or name"),
                **(attrs or {}),
            }
        )


class ProductChoice(forms.CharField):
    """Resolves to one of the workshop's products, or says clearly it knows none such."""

    widget = ProductInput

    def __init__(self, *, workshop=None, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX)
        super().__init__(**kwargs)
        self.workshop = workshop

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        product = services.product_lookup(workshop=self.workshop, text=text)
        if product is None:
            raise ValidationError(
                _("No product with this barcode, SKU or name: “%(text)s”."), params={"text": text}
            )
        return product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "sku",
            "barcode",
            "category",
            "unit",
            "price",
            "serial_tracked",
            "is_active",
        ]
        widgets = {
            "name": SuggestInput(kind=DirKind.GOODS, price_field="price"),
            "sku": forms.TextInput(attrs={"autocomplete": "off", "maxlength": CODE_MAX}),
            "barcode": forms.TextInput(
                attrs={"autocomplete": "off", "inputmode": "numeric", "data-wh-code": ""}
            ),
        }

    price = cost_field(_("sale price"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].label = _("Sale price")
        self.fields["unit"].choices = Unit.choices

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class RowForm(forms.Form):
    product = ProductChoice(label=_("Product"), required=False)
    quantity = QuantityField(label=_("Qty"), required=False)
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("For serial-numbered goods: one per unit, separated by spaces or commas."),
    )

    def __init__(self, *args, workshop=None, with_cost=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].workshop = workshop
        if with_cost:
            self.fields["cost"] = cost_field(_("Cost per unit"), required=False)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label))
            if name != "product":
                field.widget.attrs.setdefault("placeholder", str(field.label))

    def clean(self):
        data = super().clean()
        if data.get("product") is None:
            if not self.has_changed() or not any(
                data.get(f) for f in ("quantity", "serials", "cost")
            ):
                return data
            if "product" not in self.errors:
                self.add_error("product", _("Choose the product for this row."))
            return data
        serials = [s for s in (data.get("serials") or "").replace(",", " ").split() if s]
        data["serial_list"] = serials
        if data.get("quantity") is None:
            data["quantity"] = Decimal(len(serials) or 1)
        try:
            data["quantity"] = services.check_quantity(data["quantity"], data["product"])
        except ValidationError as exc:
            self.add_error("quantity", exc.messages)
        if "cost" in self.fields and data.get("cost") is None:
            self.add_error("cost", _("Enter the cost per unit."))
        return data

    def row(self) -> services.Row | None:
        d = self.cleaned_data
        if d.get("product") is None:
            return None
        return services.Row(d["product"], d["quantity"], d.get("cost"), d.get("serial_list", []))


class BaseRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[int, services.Row]]:
        """(form index, row) of the filled rows."""
        return [(i, f.row()) for i, f in enumerate(self.forms) if f.row() is not None]


RowFormSet = forms.formset_factory(RowForm, formset=BaseRowFormSet, extra=ROWS, max_num=200)


class ReceiptForm(KeyedForm):
    supplier = forms.CharField(
        label=_("Supplier"),
        required=False,
        max_length=200,
        widget=SuggestInput(kind=DirKind.PARTNER),
    )
    supplier_number = forms.CharField(
        label=_("Supplier's document №"), required=False, max_length=100
    )


class TransferForm(KeyedForm):
    # The list offers the other branches; a posted id of the same branch reaches the
    # service, which says why that cannot be.
    to_branch = forms.IntegerField(
        label=_("To branch"), error_messages={"required": _("Choose the branch it goes to.")}
    )

    def __init__(self, *args, branches, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {b.pk: b for b in branches}
        self.fields["to_branch"].widget = forms.Select(
            choices=[("", "—")] + [(b.pk, b.name) for b in branches if b.pk != current.pk]
        )

    def clean_to_branch(self):
        branch = self.branches.get(self.cleaned_data["to_branch"])
        if branch is None:
            raise ValidationError(_("Choose the branch it goes to."))
        return branch


class WriteOffForm(KeyedForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.REASON_MAX,
        error_messages={"required": _("Say why: the reason stays with the write-off.")},
    )


class SupplierReturnForm(KeyedForm):
    supplier = forms.CharField(
        label=_("Supplier"),
        max_length=200,
        widget=SuggestInput(kind=DirKind.PARTNER),
        error_messages={"required": _("Name the supplier the goods go back to.")},
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=services.REASON_MAX)


class CountForm(KeyedForm):
    """One optional field per product of the sheet: left empty, it is not counted."""

    def __init__(self, *args, stocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.stocks = stocks
        for stock in stocks:
            self.fields[f"c{stock.product_id}"] = QuantityField(
                label=stock.product.name, required=False
            )

    def counted(self) -> dict:
        return {
            s.product: self.cleaned_data[f"c{s.product_id}"]
            for s in self.stocks
            if self.cleaned_data.get(f"c{s.product_id}") is not None
        }

    def bound_rows(self):
        return [(s, self[f"c{s.product_id}"]) for s in self.stocks]


class ThresholdForm(forms.Form):
    min_quantity = QuantityField(label=_("Low-stock threshold"), required=False)


class SettingsForm(forms.Form):
    allow_negative = forms.BooleanField(
        label=_("Allow selling more than is in stock"), required=False
    )


class SerialForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-wh-code": ""}),
        error_messages={"required": _("Scan or type the serial number.")},
    )


class PartForm(forms.Form):
    """A PC build's part from stock: becomes a goods line that holds it."""

    product = ProductChoice(label=_("Part"))
    quantity = forms.IntegerField(
        label=_("Qty"),
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].workshop = workshop
