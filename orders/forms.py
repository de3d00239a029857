"""Forms of the four "+" pages, the order card and its lines. They validate; services save."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from directories.models import Kind as DirKind
from directories.widgets import SuggestInput
from orders.fields import (
    CLIENT_FIELDS,
    DEVICE_FIELDS,
    INTAKE_FIELDS,
    MONEY_FIELDS,
    ORDER_FIELDS,
    WORK_FIELDS,
)
from orders.models import MAX_QUANTITY, MAX_WARRANTY_DAYS, Order, OrderLine, validate_year
from orders.workflow import CLOSED, Kind
from workshop.lib.money import MAX_AMOUNT, format_money
from workshop.lib.phones import format_phone, normalize_phone

TEXT_MAX = 5000
MONEY_TEXT = re.compile(r"[-+]?[0-9]*\.?[0-9]*")


class MoneyFormField(forms.DecimalField):
    """Amounts typed as people type them: `3 500,50`, `3500.50`, `3 500`."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
            # Decimal() would take "1e5" or "NaN"; a person typing an amount never means that.
            if value and not MONEY_TEXT.fullmatch(value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def money_field(label, **kwargs) -> forms.DecimalField:
    return MoneyFormField(
        label=label,
        required=False,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "max_value": _("That is more than any bill: at most %(limit_value)s."),
            "min_value": _("An amount cannot be negative."),
            "invalid": _("Enter an amount, for example 1500 or 1500,50."),
        },
        **kwargs,
    )


def due_date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[validate_year],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def visit_at_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        validators=[validate_year],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def text_area(label, *, required=False, rows=3, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def suggest(
    label, kind, *, max_length=100, required=False, help_text="", **widget_kwargs
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=SuggestInput(kind=kind, **widget_kwargs),
    )


class MemberChoiceField(forms.ChoiceField):
    """A choice of the workshop's people from a list loaded once per page, not per field."""

    def __init__(self, *, members: dict[int, Membership], **kwargs):
        choices = [("", "—")] + [(str(pk), str(m.user)) for pk, m in members.items()]
        super().__init__(choices=choices, required=False, **kwargs)
        self.members = members

    def clean(self, value):
        value = super().clean(value)
        return self.members[int(value)] if value else None

    def prepare_value(self, value):
        if isinstance(value, Membership):
            return str(value.pk)
        return value

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")


def phone_clean(value: str, region: str, *, required: bool) -> str:
    if not (value or "").strip():
        if required:
            raise ValidationError(_("Enter the client's phone number."))
        return ""
    return normalize_phone(value, region)


# Which of the order fields each "+" form shows.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SALE: ("notes",),
    Kind.PC_BUILD: ("problem", "estimate", "due_date", "assignee", "notes"),
    Kind.CALL_OUT: ("address", "visit_at", "problem", "assignee", "estimate", "notes"),
    Kind.REPAIR: (
        "problem",
        *INTAKE_FIELDS,
        "estimate",
        "diagnostic_cost",
        "due_date",
        "assignee",
        "notes",
    ),
}
# Which of the order fields each kind's card shows (the "+" form's and the work done on
# it), in the card's rows. A field of another kind that holds a value is still shown,
# so nothing typed before is hidden.
# The warranty is given on what is handed over as done: a repair or a sale (the
# documents' warranty card prints it).
CARD_KIND_FIELDS: dict[str, frozenset[str]] = {
    Kind.SALE: frozenset({"warranty_days", "notes"}),
    Kind.PC_BUILD: frozenset(KIND_FIELDS[Kind.PC_BUILD]),
    Kind.CALL_OUT: frozenset({*KIND_FIELDS[Kind.CALL_OUT], "diagnosis"}),
    Kind.REPAIR: frozenset({*KIND_FIELDS[Kind.REPAIR], "diagnosis", "partner", "warranty_days"}),
}
CARD_ROWS: tuple[tuple[str, ...], ...] = (
    ("address", "visit_at"),
    ("problem",),
    ("diagnosis",),
    ("diagnostic_cost", "estimate"),
    ("assignee", "due_date", "partner"),
    ("warranty_days",),
    ("notes",),
)

# What the front desk types about the client and the device at intake (the "+" forms,
# the order card): the records' fields (orders.fields.CLIENT_FIELDS / DEVICE_FIELDS)
# without their notes, which are edited on the client's and the device's own cards.
INTAKE_CLIENT_FIELDS = tuple(n for n in CLIENT_FIELDS if n != "notes")
INTAKE_DEVICE_FIELDS = tuple(n for n in DEVICE_FIELDS if n != "notes")


def device_fields(prefix: str = "") -> dict[str, forms.Field]:
    """The device's intake fields with their self-filling pick lists, declared once for
    the "+" repair form, the order card (prefix "device_") and the device card."""
    return {
        f"{prefix}device_type": suggest(_("Device type"), DirKind.DEVICE_TYPE),
        f"{prefix}brand": suggest(_("Brand"), DirKind.BRAND),
        f"{prefix}model": suggest(_("Model"), DirKind.MODEL, narrow_by=f"{prefix}brand"),
        f"{prefix}serial": forms.CharField(
            label=_("Serial number / IMEI"), max_length=100, required=False
        ),
    }


def intake_fields() -> dict[str, forms.Field]:
    """What was handed in and in what state: the order's fields (orders.fields.INTAKE_FIELDS),
    declared once for the "+" repair form and the order card."""
    return {
        "condition": suggest(_("Condition / appearance"), DirKind.CONDITION, max_length=500),
        "accessories": suggest(
            _("Accessories"),
            DirKind.ACCESSORY,
            max_length=500,
            help_text=_("Comma-separated: charger, case"),
        ),
    }


def client_fields(prefix: str = "", *, name_required: bool = True) -> dict[str, forms.Field]:
    """The client's fields, declared once for the "+" forms (the name is asked for only
    for a new client, see clean()), the order card (prefix "client_") and the client card."""
    return {
        f"{prefix}name": forms.CharField(
            label=_("Client name"), max_length=200, required=name_required
        ),
        f"{prefix}phone": forms.CharField(
            label=_("Phone"),
            max_length=64,
            error_messages={"required": _("Enter the client's phone number.")},
            widget=forms.TextInput(
                attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}
            ),
        ),
        f"{prefix}email": forms.EmailField(label=_("E-mail"), max_length=254, required=False),
        f"{prefix}extra_phones": forms.CharField(
            label=_("Other phones"),
            max_length=200,
            required=False,
            help_text=_("Any text: “wife +7 916 …, work 22-33-44”."),
        ),
    }


class _DeviceBlock:
    device_prefix = ""

    def device_block(self) -> list:
        """The device's bound fields in their one layout (templates/orders/_device_fields.html)."""
        names = [self.device_prefix + n for n in device_fields()]
        return [self[n] for n in names if n in self.fields]

    def intake_block(self) -> list:
        """The order's intake record (condition, accessories), shown under the device."""
        return [self[n] for n in INTAKE_FIELDS if n in self.fields]


# Form bases carrying those fields (a declarative form collects its bases' fields).
DeviceFields = type("DeviceFields", (_DeviceBlock, forms.Form), device_fields())
CardDeviceFields = type(
    "CardDeviceFields",
    (_DeviceBlock, forms.Form),
    {**device_fields("device_"), "device_prefix": "device_"},
)
IntakeClientFields = type("IntakeClientFields", (forms.Form,), client_fields(name_required=False))
ClientFields = type("ClientFields", (forms.Form,), client_fields())
CardClientFields = type("CardClientFields", (forms.Form,), client_fields("client_"))


IntakeFields = type("IntakeFields", (forms.Form,), intake_fields())


class OrderCreateForm(IntakeClientFields, DeviceFields, IntakeFields):
    """The fields of one "+" form; `kind` decides which ones it keeps."""

    branch = forms.ChoiceField(label=_("Branch"))
    # One-time key of this page: submitting it twice creates one order (see order_create).
    form_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    client_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    device_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    problem = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=TEXT_MAX,
        widget=SuggestInput(kind=DirKind.PROBLEM),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    visit_at = visit_at_field(_("Visit time"))
    estimate = money_field(_("Estimate"))
    diagnostic_cost = money_field(
        _("Diagnostic cost"),
        help_text=_("Charged only if the repair is refused; free when the repair is done."),
    )
    due_date = due_date_field(_("Due date"))
    notes = text_area(_("Notes"), rows=2)

    def __init__(self, *args, kind: str, workshop, branches, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = Kind(kind)
        self.workshop = workshop
        self.branches = {str(b.pk): b for b in branches}
        self.fields["branch"].choices = [(pk, b.name) for pk, b in self.branches.items()]
        if len(self.branches) == 1:
            self.fields["branch"].widget = forms.HiddenInput()
            self.fields["branch"].initial = next(iter(self.branches))
        self.fields["assignee"] = MemberChoiceField(label=_("Assignee"), members=members)
        keep = {"branch", "form_key", *INTAKE_CLIENT_FIELDS, "client_id", *KIND_FIELDS[self.kind]}
        if not self.is_bound:
            self.fields["form_key"].initial = uuid.uuid4()
        if self.kind == Kind.REPAIR:
            keep |= {"device_id", *INTAKE_DEVICE_FIELDS}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if self.kind == Kind.SALE:
            self.fields["phone"].required = False
            self.fields["phone"].help_text = _("Optional for a sale.")
        else:
            self.fields["name"].required = True
        if self.kind == Kind.REPAIR:
            self.fields["problem"].required = True
        if self.kind == Kind.PC_BUILD:
            self.fields["problem"].label = _("What to build")
            self.fields["problem"].widget = forms.Textarea(attrs={"rows": 3})
        self.fields["phone"].widget.attrs.update(
            {
                # Leaving the phone field looks the client up and fills the block in place.
                "hx-get": reverse("orders:lookup"),
                "hx-trigger": "change",
                "hx-target": "#client-block",
                "hx-swap": "outerHTML",
                "hx-include": "#client-block",
                "hx-vals": json.dumps({"kind": self.kind.value}),
                "hx-sync": "this:replace",
            }
        )
        if self.kind == Kind.CALL_OUT:
            self.fields["address"].required = True
            self.fields["visit_at"].required = True
            self.fields["problem"].label = _("Reason for the visit")

    def clean_phone(self) -> str:
        return phone_clean(
            self.cleaned_data.get("phone", ""),
            self.workshop.country,
            required=self.fields["phone"].required,
        )

    @property
    def branch_name(self) -> str:
        """The preselected (or posted) branch's name, for the heading of the form."""
        value = self["branch"].value()
        branch = self.branches.get(str(value)) if value else None
        return branch.name if branch else ""

    def clean_branch(self):
        return self.branches[self.cleaned_data["branch"]]

    def full_clean(self) -> None:
        super().full_clean()
        if "branch" in self.errors and self.fields["branch"].widget.is_hidden:
            # The hidden branch went stale (the person was moved while the form was open):
            # show the field with its error and the branches the person has now.
            self.fields["branch"].widget = forms.Select(choices=self.fields["branch"].choices)
            self.errors["branch"] = self.error_class(
                [_("You no longer work in the branch this form was opened for. Choose a branch.")]
            )

    def clean(self):
        data = super().clean()
        if self.kind == Kind.REPAIR and not any(
            (data.get(n) or "").strip() for n in ("device_type", "brand", "model")
        ):
            self.add_error("device_type", _("Say what the device is: its type, brand or model."))
        if self.kind == Kind.SALE and (data.get("name") or "").strip() and not data.get("phone"):
            self.add_error("phone", _("A client needs a phone number; or leave the name empty."))
        if self.kind == Kind.SALE and data.get("phone") and not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the client's name, or leave the phone empty."))
        return data

    def client_data(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("phone"):
            return None
        return {
            "id": d.get("client_id"),
            "phone": d["phone"],
            "name": d.get("name", ""),
            "email": d.get("email", ""),
            "extra_phones": d.get("extra_phones", ""),
        }

    def device_data(self) -> dict | None:
        if self.kind != Kind.REPAIR:
            return None
        d = self.cleaned_data
        return {"id": d.get("device_id"), **{n: d.get(n, "") for n in INTAKE_DEVICE_FIELDS}}

    def order_data(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in KIND_FIELDS[self.kind]}


class LineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=OrderLine.LineKind.choices)
    name = forms.CharField(
        label=_("Item"),
        max_length=200,
        widget=SuggestInput(kind=DirKind.SERVICE, price_field="unit_price"),
    )
    quantity = forms.IntegerField(
        label=_("Qty"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"min_value": _("At least 1.")},
    )
    unit_price = money_field(_("Price"))
    # A zero price is a decision, not a forgotten field: warranty or goodwill work.
    free = forms.BooleanField(label=_("Free / warranty"), required=False)

    def __init__(
        self,
        *args,
        members,
        default_kind=OrderLine.LineKind.SERVICE,
        own: Membership | None = None,
        price_locked: bool = False,
        seller: Membership | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if own is not None:
            # Technicians record their own work: the performer is always themselves.
            members = {own.pk: own}
        self.fields["performer"] = MemberChoiceField(
            label=_("Performed / sold by"), members=members
        )
        if seller is not None and seller.pk in members:
            # Whoever fills the form in is usually the one selling; one choice fewer.
            self.fields["performer"].initial = seller.pk
        if price_locked:
            # A recorded line's price is the front desk's; the posted value is ignored.
            self.fields["unit_price"].disabled = True
        self.fields["kind"].initial = default_kind
        if default_kind == OrderLine.LineKind.GOODS:
            self.fields["name"].widget = SuggestInput(kind=DirKind.GOODS, price_field="unit_price")
        self.fields["name"].widget.attrs["maxlength"] = "200"
        for field in self.fields.values():
            # Rows show no visible labels; screen readers still get one per input.
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self):
        data = super().clean()
        if data.get("free"):
            data["unit_price"] = Decimal("0.00")
        elif data.get("unit_price") == 0 and "unit_price" in self.changed_data:
            self.add_error(
                "unit_price", _("A price of 0 needs “free / warranty” ticked; or enter the price.")
            )
        quantity, price = data.get("quantity"), data.get("unit_price")
        if quantity and price and quantity * price > MAX_AMOUNT:
            self.add_error(
                "quantity",
                _("The line comes to more than any bill: at most %(limit)s.")
                % {"limit": format_money(MAX_AMOUNT)},
            )
        return data

    def has_changed(self) -> bool:
        # An untouched row with its preselected type and seller is still an empty row.
        return any(name not in ("kind", "performer", "free") for name in self.changed_data)

    def values(self) -> dict:
        return {
            n: self.cleaned_data[n] for n in ("kind", "name", "quantity", "unit_price", "performer")
        }


def line_initial(line: OrderLine) -> dict:
    return {
        "kind": line.kind,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "performer": str(line.performer_id or ""),
    }


MAX_LINES = 100  # lines on one "+" form


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, members, default_kind, seller: Membership | None = None, **kwargs):
        self.members = members
        self.default_kind = default_kind
        self.seller = seller
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"members": self.members, "default_kind": self.default_kind, "seller": self.seller}

    def lines(self) -> list[dict]:
        return [f.values() for f in self.forms if f.has_changed() and f.cleaned_data.get("name")]

    def full_clean(self) -> None:
        super().full_clean()
        # A negative or inconsistent count builds no forms, and a sale would be saved with
        # its typed lines silently dropped: refuse a tampered management form outright.
        if self.is_bound and self.management_form.is_valid():
            counts = self.management_form.cleaned_data
            total, initial = counts["TOTAL_FORMS"], counts["INITIAL_FORMS"]
            if total < 0 or initial < 0 or initial > total:
                self._non_form_errors.append(
                    ValidationError(
                        _(
                            "The lines of this form arrived garbled. Reload the page and enter them again."
                        ),
                        code="tampered",
                    )
                )


LineFormSet = forms.formset_factory(
    # absolute_max: a posted TOTAL_FORMS of a million is refused, not built (it took 5.5 s).
    LineForm,
    formset=BaseLineFormSet,
    extra=3,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


# ---------------------------------------------------------------- the card


class OrderCardForm(CardClientFields, CardDeviceFields, IntakeFields):
    """The order card as one form. Fields the member may not change are disabled, so
    Django ignores whatever is posted for them. Each field carries its loaded value in a
    hidden input, so only the fields this person actually changed are saved."""

    problem = text_area(_("Problem / request"))
    diagnosis = text_area(_("Diagnosis / conclusion"))
    notes = text_area(_("Notes"), rows=2)
    diagnostic_cost = money_field(_("Diagnostic cost"))
    estimate = money_field(_("Estimate"))
    partner = suggest(_("Partner"), DirKind.PARTNER, max_length=200)
    due_date = due_date_field(_("Due date"))
    address = forms.CharField(label=_("Call-out address"), max_length=300, required=False)
    visit_at = visit_at_field(_("Visit time"))
    warranty_days = forms.IntegerField(
        label=_("Warranty, days"),
        required=False,
        min_value=1,
        max_value=MAX_WARRANTY_DAYS,
        help_text=_("Printed on the warranty card; empty: no warranty."),
        error_messages={
            "invalid": _("Enter the warranty as a whole number of days."),
            "min_value": _("A warranty is at least one day; leave it empty for none."),
            "max_value": _("At most %(limit_value)s days (ten years)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, order: Order, membership, members, can, **kwargs):
        kwargs.setdefault("initial", card_initial(order))
        super().__init__(*args, **kwargs)
        self.order = order
        self.fields["assignee"] = MemberChoiceField(label=_("Assignee"), members=members)
        if "diagnostic_cost" in self.fields:
            self.fields["diagnostic_cost"].help_text = (
                _("In the total: the repair was refused, so diagnostics is charged.")
                if order.diagnostics_charged
                else _("Not in the total: diagnostics is free when the repair is done.")
            )
        shown = CARD_KIND_FIELDS[order.kind]
        for name in [n for row in CARD_ROWS for n in row]:
            if name not in shown and getattr(order, name) in (None, ""):
                del self.fields[name]
        if order.client_id is None:
            for name in [n for n in self.fields if n.startswith("client_")]:
                del self.fields[name]
        if order.device_id is None:
            for name in [n for n in self.fields if n.startswith("device_")]:
                del self.fields[name]
            if order.kind != Kind.REPAIR or not (order.condition or order.accessories):
                for name in INTAKE_FIELDS:
                    del self.fields[name]
        may_edit = can("orders.edit")
        may_edit_work = can("orders.edit_work")
        money_closed = order.status in CLOSED and not correction_open(order, can)
        for name, field in self.fields.items():
            field.show_hidden_initial = True
            field.disabled = (
                order.is_deleted
                or (not may_edit and not (may_edit_work and name in WORK_FIELDS))
                or (money_closed and name in MONEY_FIELDS)
            )

    @property
    def editable(self) -> bool:
        return any(not f.disabled for f in self.fields.values())

    def order_rows(self) -> list[list]:
        """The order's bound fields this kind's card shows, in the card's rows."""
        rows = [[self[n] for n in row if n in self.fields] for row in CARD_ROWS]
        return [row for row in rows if row]

    def clean_client_phone(self) -> str:
        return phone_clean(
            self.cleaned_data.get("client_phone", ""), self.order.workshop.country, required=True
        )

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


def correction_open(order: Order, can) -> bool:
    """Whether this person may make the one save of the open correction of a closed order."""
    return bool(order.correction) and can("orders.edit_after_issue")


class CorrectionForm(forms.Form):
    """The director's "Correct issued order": why the closed lines and amounts reopen."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say why the issued order is being corrected.")},
    )


def card_initial(order: Order) -> dict:
    data = {name: getattr(order, name) for name in ORDER_FIELDS if name != "assignee"}
    data["assignee"] = str(order.assignee_id or "")
    if order.client_id:
        data.update({f"client_{n}": getattr(order.client, n) for n in INTAKE_CLIENT_FIELDS})
        data["client_phone"] = format_phone(order.client.phone)
    if order.device_id:
        data.update({f"device_{n}": getattr(order.device, n) for n in INTAKE_DEVICE_FIELDS})
    return data


# ---------------------------------------------------------------- clients and devices


class _RecordForm(forms.Form):
    """A client's or a device's details. Like the card, each field carries the value it was
    loaded with, so only what this person changed is saved and a colleague's edit of
    another field is never overwritten."""

    def __init__(self, *args, editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
            field.disabled = not editable

    @property
    def editable(self) -> bool:
        return any(not f.disabled for f in self.fields.values())

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def seen(self) -> dict:
        """The values this person saw when the page was loaded, for the changed fields."""
        return {
            name: self.fields[name].widget.value_from_datadict(
                self.data, self.files, self.add_initial_prefix(name)
            )
            for name in self.changed_data
        }


class ClientForm(ClientFields, _RecordForm):
    notes = text_area(_("Notes"), rows=3)

    def __init__(self, *args, client, **kwargs):
        kwargs.setdefault("initial", client_initial(client))
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_phone(self) -> str:
        return phone_clean(
            self.cleaned_data.get("phone", ""), self.client.workshop.country, required=True
        )


def client_initial(client) -> dict:
    return {
        "name": client.name,
        "phone": format_phone(client.phone),
        "extra_phones": client.extra_phones,
        "email": client.email,
        "notes": client.notes,
    }


class DeviceForm(DeviceFields, _RecordForm):
    notes = text_area(_("Notes"), rows=3)

    def __init__(self, *args, device, **kwargs):
        kwargs.setdefault("initial", {name: getattr(device, name) for name in DEVICE_FIELDS})
        super().__init__(*args, **kwargs)
        self.device = device

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            (data.get(n) or "").strip() for n in ("device_type", "brand", "model")
        ):
            self.add_error("device_type", _("Say what the device is: its type, brand or model."))
        return data
