"""Clients, their devices, orders and order lines, plus the order journal and number counter."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import TenantModel, TenantQuerySet, tenant_manager
from accounts.permissions import role_can
from orders.journal import NAME_MAX_LENGTH, render_entry
from orders.workflow import TAB_STATUS, Kind, Status, Tab
from workshop.lib.money import MAX_AMOUNT, MoneyField
from workshop.lib.phones import format_phone
from workshop.lib.text import KEY_MAX_LENGTH, fold_words

MAX_QUANTITY = 100_000
# Ten years: a longer warranty is a typing slip.
MAX_WARRANTY_DAYS = 3650

# Dates outside this range are typing slips (a year "0001" or "20266"). Year 1 also
# breaks time-zone arithmetic and lies outside PostgreSQL's timestamp range, which
# turned into 500s on save and on every list showing the order.
MIN_YEAR, MAX_YEAR = 2000, 2100


def validate_year(value) -> None:
    if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
        raise ValidationError(
            _("Enter a date between the years %(min)s and %(max)s."),
            code="year_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


NAME_KEY_MAX_LENGTH = 1 + KEY_MAX_LENGTH


fold = fold_words  # the name-search fold, re-exported for the search code and tests


def name_key(name: str | None) -> str:
    """The stored search key of a name: its folded words, each preceded by one space.

    Why this shape: a search term folded the same way and prefixed with a space,
    `name_key__contains=" " + fold(term)`, matches where any word of the name begins
    ("петров" finds "Иван Петров", "ива" finds it too, "ван" does not). Python does
    the folding, so Cyrillic, "ё" and case behave identically on SQLite (whose LIKE
    folds ASCII only) and PostgreSQL (whose LIKE folds nothing). A `LIKE '% term%'`
    cannot use a B-tree index, so the database reads the workshop's slice of the
    (workshop, name_folded) index and filters it: short keys, one workshop, a few
    milliseconds for tens of thousands of clients, with no database extension
    (pg_trgm) that SQLite could not match.
    """
    folded = fold(name)[:KEY_MAX_LENGTH].rstrip()
    return " " + folded if folded else ""


# A phone-like search term: digits and the punctuation people type in numbers.
_PHONE_LIKE = re.compile(r"[+\d\s()\-.]+")
MIN_PHONE_DIGITS = 4
MAX_SEARCH_WORDS = 5


class ClientQuerySet(TenantQuerySet):
    def alive(self) -> ClientQuerySet:
        return self.filter(is_deleted=False)

    def search(self, term: str, region: str) -> ClientQuerySet:
        """Clients whose name has words starting with every word typed (any order), or
        whose phone matches (in any written form, or by its last digits), or whose
        e-mail starts with the term; the term is classified first, so a phone-like term
        tests only the phone (orders.search.search_clients)."""
        from orders.search import search_clients

        return search_clients(self, term or "", region)


class Client(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    # name_key(name): " иван петров", searched by word start (see name_key).
    name_folded = models.CharField(max_length=NAME_KEY_MAX_LENGTH, editable=False, default="")
    phone = models.CharField(
        _("phone"), max_length=20, help_text=_("Stored in international form, e.g. +79123456789.")
    )
    extra_phones = models.CharField(_("other phones"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["name_folded"])
    objects = tenant_manager(ClientQuerySet)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [
            models.Index(fields=["workshop", "phone"], name="client_phone_idx"),
            models.Index(fields=["workshop", "name_folded"], name="client_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone_display

    def save(self, *args, **kwargs):
        # A derived column, kept in step with the name wherever the client is saved.
        self.name_folded = name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


def device_label(device_type: str, brand: str, model: str) -> str:
    """A device as lists show it: "Phone Apple iPhone 12", or "Device" if nothing is known."""
    return " ".join(p for p in (device_type, brand, model) if p) or str(_("Device"))


class Device(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="devices")
    device_type = models.CharField(_("device type"), max_length=100, blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number / IMEI"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [
            models.Index(fields=["workshop", "client"], name="device_client_idx"),
            models.Index(fields=["workshop", "serial"], name="device_serial_idx"),
        ]

    def __str__(self) -> str:
        return device_label(self.device_type, self.brand, self.model)


class OrderQuerySet(TenantQuerySet):
    def alive(self) -> OrderQuerySet:
        return self.filter(is_deleted=False)

    def visible_to(self, membership) -> OrderQuerySet:
        """Who may view all branches (the director) sees every order; others see the
        orders of their branches."""
        qs = self.filter(workshop=membership.workshop)
        if role_can(membership.role, "accounts.all_branches"):
            return qs
        return qs.filter(branch__in=membership.visible_branches().values("pk"))

    def in_tab(self, tab: Tab) -> OrderQuerySet:
        return self.filter(status=TAB_STATUS[tab])


class Order(TenantModel):
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
        verbose_name=_("client"),
    )
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
        verbose_name=_("device"),
    )
    problem = models.TextField(_("problem / request"), blank=True, max_length=5000)
    # What was handed in, and in what state: the order's own record, so editing a later
    # order of the same device never rewrites what an earlier one says.
    condition = models.CharField(_("condition / appearance"), max_length=500, blank=True)
    accessories = models.CharField(_("accessories"), max_length=500, blank=True)
    diagnosis = models.TextField(_("diagnosis / conclusion"), blank=True, max_length=5000)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    diagnostic_cost = MoneyField(_("diagnostic cost"), null=True, blank=True)
    estimate = MoneyField(_("estimate"), null=True, blank=True)
    # History only: prepayments are the cash desk's ledger entries now (its migration moved
    # these values there); nothing writes this column any more.
    prepayment = MoneyField(_("prepayment"), null=True, blank=True)
    # Sum of the lines, kept by the line services so lists never aggregate.
    lines_total = MoneyField(_("lines total"), default=Decimal("0.00"), editable=False)
    # Whether the diagnostic cost is charged: while the repair is refused, and after the
    # refused device is handed back (workflow.diagnostics_charged_after).
    diagnostics_charged = models.BooleanField(default=False, editable=False)
    # What the client pays: the lines, plus the diagnostic cost when it is charged. Kept
    # by the services in the same transaction as either changes (orders.services).
    total = MoneyField(_("total"), default=Decimal("0.00"), editable=False)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    accepted_by = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
        editable=False,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, validators=[validate_year])
    address = models.CharField(_("call-out address"), max_length=300, blank=True)
    visit_at = models.DateTimeField(
        _("visit time"), null=True, blank=True, validators=[validate_year]
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # The reason of the director's open "correct issued order": while it is set, the
    # lines and amounts of an issued (or cancelled) order take one more save, which
    # clears it (orders.services.order_correction_open).
    correction = models.CharField(_("correction"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    # When and by whom the order was handed over as issued (orders.services.order_transition);
    # empty for every other status. A director's correction after issue keeps them: the
    # order was still handed over then. The reports and the payroll count issues by these.
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        editable=False,
    )
    # The warranty the workshop gives on a repair or a sale, in days; the documents'
    # warranty card prints it.
    warranty_days = models.PositiveSmallIntegerField(
        _("warranty, days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WARRANTY_DAYS)],
    )
    is_deleted = models.BooleanField(_("deleted"), default=False)
    # The one-time key of the "+" form that created the order: a second submission of the
    # same page (a double click, a resent POST) finds this order instead of making another.
    create_key = models.UUIDField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["lines_total", "total", "create_key"])
    # Scoped like every tenant model, with the chainable queryset above.
    objects = tenant_manager(OrderQuerySet)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="order_number_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="order_version_gte_1"),
            models.UniqueConstraint(
                fields=["workshop", "create_key"], name="order_create_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "status", "-id"], name="order_status_idx"),
            # The tab counts: live statuses, and issued today only; is_deleted last, so
            # both counts are read from the index alone (it was a table row per order).
            models.Index(
                fields=["workshop", "status", "status_changed_at", "is_deleted"],
                name="order_status_age_idx",
            ),
            # The search: the newest orders tested on these columns alone (see
            # views.work._list_rows); without it each one was read from the table.
            models.Index(
                fields=["workshop", "-id", "is_deleted", "branch", "number", "client", "device"],
                name="order_search_idx",
            ),
            models.Index(fields=["workshop", "client"], name="order_client_idx"),
            models.Index(fields=["workshop", "device"], name="order_device_idx"),
            # The reports' orders issued in a period, grouped by kind or assignee with
            # their intake time: read from this index alone (SQLite covers by it).
            models.Index(
                fields=[
                    "workshop",
                    "issued_at",
                    "is_deleted",
                    "branch",
                    "kind",
                    "assignee",
                    "created_at",
                ],
                name="order_issued_idx",
            ),
            # The reports' orders taken in during a period, by kind, status, acceptor.
            models.Index(
                fields=["workshop", "created_at", "is_deleted", "branch", "kind", "status"],
                name="order_created_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"№{self.number}"

    @property
    def diagnostic_charge(self) -> Decimal:
        """The diagnostic cost as part of the total: all of it while charged, else 0."""
        if self.diagnostics_charged and self.diagnostic_cost:
            return self.diagnostic_cost
        return Decimal("0.00")

    def compute_total(self) -> Decimal:
        return self.lines_total + self.diagnostic_charge

    @property
    def balance_due(self) -> Decimal:
        """The bill less the prepayment typed before the cash desk existed; the cash desk
        knows what was really paid (its OrderBalance) and shows that on the card."""
        return self.total - (self.prepayment or Decimal("0.00"))


class OrderLine(TenantModel):
    class LineKind(models.TextChoices):
        SERVICE = "service", _("Service")
        GOODS = "goods", _("Goods")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(
        _("type"), max_length=10, choices=LineKind.choices, default=LineKind.SERVICE
    )
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    unit_price = MoneyField(
        _("price"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(MAX_AMOUNT)],
    )
    performer = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed / sold by"),
    )
    # What the goods of the line cost the workshop (the whole line), a snapshot taken
    # when the line is written: the stock's average cost when the product is stocked (the
    # warehouse hands it in through orders' line hooks), else the last cost known for the
    # goods of that name; replaced by the actual write-off cost when the warehouse writes
    # the goods off at issue. Empty (unknown) when nobody knows, never a silent 0.
    cost = MoneyField(_("cost"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # The cost is derived data the services and the warehouse keep; not an edit.
    history = HistoricalRecords(excluded_fields=["cost"])

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["workshop", "order"], name="orderline_order_idx"),
            # The last cost known for a goods name (services.lines._known_cost).
            models.Index(
                fields=["workshop", "kind", "name"],
                condition=models.Q(cost__isnull=False),
                name="orderline_cost_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderCounter(TenantModel):
    """The last order number of a workshop; locked while a number is taken, so no gaps."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop"], name="order_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}: {self.last_number}"


class JournalEntry(TenantModel):
    """One line of an order's journal: who did what to the order, and when.

    Written only through orders.services.journal_record(), with the order version it
    produced, so a refused stale save can list exactly what happened since. `action`
    names an action registered in orders/journal.py (orders' own, or another app's
    such as "cashdesk.payment"), which also gives its words; the module's docstring
    tells which trail an app writes.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="journal")
    version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=NAME_MAX_LENGTH)
    subject = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workshop", "order", "-id"], name="journal_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} v{self.version} {self.action} {self.field}"

    @property
    def what(self):
        """The action in words, through its registered description."""
        return render_entry(self)
