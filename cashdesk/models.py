"""The cash ledger: append-only entries, per-branch shifts, and each order's paid sum.

Every movement of money is one `CashEntry`: signed (in is positive, out is negative),
exact (integer kopecks through `MoneyField`), with its branch, its shift (or, for cash a
technician took on a call-out, the person holding it), the employee who recorded it,
the order it belongs to, and the one-time key of the form that made it. Entries are
never changed or removed: a correction is a reversing entry of the same kind and the
opposite sign that names the entry it reverses (once; a unique constraint says so).

Totals are sums of entries. The one stored running total, `OrderBalance.paid`, is
written in the same transaction as every entry that changes it, and a property-based
test proves it always equals the sum.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantModel, TenantQuerySet, tenant_manager
from workshop.lib.money import MoneyField

ZERO = Decimal("0.00")


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    PREPAYMENT = "prepayment", _("Prepayment")
    REFUND = "refund", _("Refund")
    EXPENSE = "expense", _("Expense")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    DEPOSIT = "deposit", _("Deposit")
    SALARY = "salary", _("Salary payout")
    HAND_IN = "hand_in", _("Field cash hand-in")
    DIFFERENCE = "difference", _("Count difference")


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Transfer")


class ExpenseCategory(models.TextChoices):
    PARTS = "parts", _("Parts bought")
    CONSUMABLES = "consumables", _("Consumables")
    DELIVERY = "delivery", _("Delivery and transport")
    PREMISES = "premises", _("Rent and utilities")
    OTHER = "other", _("Other")


# The kinds that count towards what an order has been paid (and what can be refunded).
ORDER_KINDS: frozenset[str] = frozenset({EntryKind.PAYMENT, EntryKind.PREPAYMENT, EntryKind.REFUND})
# Money in (positive) and money out (negative) by kind; hand-ins and count differences
# go either way, reversals have the opposite sign of their kind.
INCOMING: frozenset[str] = frozenset({EntryKind.PAYMENT, EntryKind.PREPAYMENT, EntryKind.DEPOSIT})
OUTGOING: frozenset[str] = frozenset(
    {EntryKind.REFUND, EntryKind.EXPENSE, EntryKind.WITHDRAWAL, EntryKind.SALARY}
)


class AppendOnlyError(Exception):
    """Someone tried to change or remove a ledger row."""


class CashEntryQuerySet(TenantQuerySet):
    """The ledger's queryset: reading and adding only."""

    def update(self, **kwargs):
        raise AppendOnlyError("Cash entries are never changed; add a reversing entry instead.")

    def delete(self):
        raise AppendOnlyError("Cash entries are never deleted; add a reversing entry instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Cash entries are never changed; add a reversing entry instead.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Cash entries are never changed; add a reversing entry instead.")

    def in_drawer(self) -> CashEntryQuerySet:
        return self.filter(shift__isnull=False)

    def in_field(self) -> CashEntryQuerySet:
        return self.filter(shift__isnull=True)

    def for_orders(self) -> CashEntryQuerySet:
        return self.filter(kind__in=ORDER_KINDS)


class Shift(TenantModel):
    """One branch's cash drawer between two counts. Open until closed; then read-only."""

    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    number = models.PositiveIntegerField(_("number"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # Null when the shift opened by itself for the first entry of a migration.
    opened_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The cash counted when the previous shift closed: the drawer starts with it.
    opening_cash = MoneyField(_("cash at opening"), default=ZERO)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Snapshots taken at the close, for the archive list and the Z-report.
    expected_cash = MoneyField(_("expected cash"), null=True, blank=True)
    counted_cash = MoneyField(_("counted cash"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("cash shift")
        verbose_name_plural = _("cash shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "branch", "number"], name="shift_number_unique"
            ),
            # One open shift per branch: a second "open" races into this constraint.
            models.UniqueConstraint(
                fields=["workshop", "branch"],
                condition=models.Q(closed_at__isnull=True),
                name="shift_one_open_per_branch",
            ),
        ]
        indexes = [models.Index(fields=["workshop", "branch", "-id"], name="shift_branch_idx")]

    def __str__(self) -> str:
        return f"{self.branch_id} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def difference(self) -> Decimal | None:
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class CashEntry(TenantModel):
    """One movement of money. Append-only: see the module docstring."""

    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    # Signed: money in is positive, money out negative.
    amount = MoneyField(_("amount"))
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    # The drawer it is in; null for field cash, which `holder` holds instead.
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    holder = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who recorded it (took the payment, paid the expense). Null only for migrated rows
    # whose order had nobody recorded as accepting it.
    by = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("employee"),
    )
    # The other person: the technician handing cash in, the employee paid a salary.
    counterpart = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=ExpenseCategory.choices, blank=True
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    # The one-time key of the form (one user action); `seq` numbers its entries (a split
    # payment has one per method, a hand-in a pair).
    key = models.UUIDField(editable=False)
    seq = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = tenant_manager(CashEntryQuerySet)

    class Meta:
        verbose_name = _("cash entry")
        verbose_name_plural = _("cash entries")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "key", "seq"], name="cashentry_key_unique"),
            models.UniqueConstraint(
                fields=["workshop", "reverses"],
                condition=models.Q(reverses__isnull=False),
                name="cashentry_reversed_once",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="cashentry_amount_not_zero"),
            models.CheckConstraint(
                condition=models.Q(shift__isnull=False, holder__isnull=True)
                | models.Q(shift__isnull=True, holder__isnull=False),
                name="cashentry_drawer_or_holder",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "shift", "-id"], name="cashentry_shift_idx"),
            models.Index(fields=["workshop", "order", "-id"], name="cashentry_order_idx"),
            models.Index(fields=["workshop", "holder", "-id"], name="cashentry_holder_idx"),
            # Reports and exports read a period of the ledger.
            models.Index(fields=["workshop", "at"], name="cashentry_at_idx"),
            # Covers the reports' grouped sums over a period: read from the index alone.
            models.Index(
                fields=["workshop", "at", "kind", "branch", "method", "amount"],
                name="cashentry_report_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.method})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Cash entries are never changed; add a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Cash entries are never deleted; add a reversing entry instead.")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def in_field(self) -> bool:
        return self.shift_id is None


class OrderBalance(TenantModel):
    """What an order has been paid: the sum of its payment, prepayment and refund entries.

    Written only by cashdesk.services, in the transaction that adds the entries, under
    the order's row lock.
    """

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    paid = MoneyField(_("paid"), default=ZERO)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop", "order"], name="orderbalance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.paid}"


# ---------------------------------------------------------------- earnings and payroll
#
# What employees earned is frozen when an order is both issued and paid in full (an
# `Earning` of kind "settled", with a copy of its lines, their performer and the cost of
# their goods), and moved back by later refunds or reversed payments on it (an `Earning`
# of kind "refund" whose lines carry the refunded share, negative). Payroll reads only
# these rows, so a later edit of the order never changes what was earned, and a closed
# payroll (its `PayrollLine`s) is never rewritten: a refund lands in the next one.


class EarningKind(models.TextChoices):
    SETTLED = "settled", _("Issued and paid")
    REFUND = "refund", _("Refund")


class CostSource(models.TextChoices):
    WAREHOUSE = "warehouse", _("Stock")
    DIRECTORY = "directory", _("Goods directory")  # earlier earnings only
    LINE = "line", _("Cost on the order line")
    UNKNOWN = "unknown", _("Unknown")


class Earning(TenantModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=EarningKind.choices)
    at = models.DateTimeField(default=timezone.now)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    # The order's assignee when it was settled: the fixed pay per issued order is theirs.
    assignee = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A refund's share is paid back at the rule of the day the order was settled.
    settled = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The cash entry that made it (the last payment, the refund); none for a free order.
    entry = models.ForeignKey(
        CashEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A refund that took the order's paid sum to zero takes back the fixed pay per issued
    # order (-1); a reversal of it that paid the order again gives it back (+1).
    order_fee = models.SmallIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "order"],
                condition=models.Q(kind="settled"),
                name="earning_settled_once",
            )
        ]
        indexes = [
            models.Index(fields=["workshop", "at"], name="earning_at_idx"),
            models.Index(fields=["workshop", "order"], name="earning_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id}"


class EarningLine(TenantModel):
    earning = models.ForeignKey(Earning, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10)  # OrderLine.LineKind
    name = models.CharField(max_length=200)
    quantity = models.IntegerField(default=1)
    performer = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Signed: negative on a refund. `cost` is None when nobody knows what the goods cost.
    amount = MoneyField(default=ZERO)
    cost = MoneyField(null=True, blank=True)
    cost_source = models.CharField(max_length=10, choices=CostSource.choices, blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [
            # An earning's lines, and (covering) the reports' sums of a period's lines.
            models.Index(
                fields=["workshop", "earning", "kind", "performer", "amount", "cost", "quantity"],
                name="earningline_report_idx",
            ),
            models.Index(fields=["workshop", "performer"], name="earningline_performer_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost is None else self.amount - self.cost


class GoodsBasis(models.TextChoices):
    MARGIN = "margin", _("of the margin (price − cost)")
    PRICE = "price", _("of the sale price")


class SalaryRule(TenantModel):
    """How one employee is paid from a date on; a later rule replaces it from its date."""

    member = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employee"),
    )
    effective_from = models.DateField(_("takes effect on"))
    services_percent = models.DecimalField(
        _("percent of services"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    goods_percent = models.DecimalField(
        _("percent of goods"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    goods_basis = models.CharField(
        _("goods percent is taken"),
        max_length=10,
        choices=GoodsBasis.choices,
        default=GoodsBasis.MARGIN,
    )
    per_order = MoneyField(_("per issued order (assignee)"), default=ZERO)
    monthly_base = MoneyField(_("monthly base"), default=ZERO)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("salary rule")
        verbose_name_plural = _("salary rules")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "member", "effective_from"], name="salaryrule_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(services_percent__gte=0, services_percent__lte=100)
                & models.Q(goods_percent__gte=0, goods_percent__lte=100),
                name="salaryrule_percent_range",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "member", "effective_from"], name="salaryrule_idx")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} from {self.effective_from}"


class Payroll(TenantModel):
    """A closed payroll period: numbered, frozen in its lines."""

    number = models.PositiveIntegerField(_("number"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    closed_at = models.DateTimeField(_("closed"), default=timezone.now)
    closed_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")

    objects = tenant_manager()

    class Meta:
        verbose_name = _("payroll")
        verbose_name_plural = _("payrolls")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="payroll_number_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="payroll_dates"
            ),
        ]
        indexes = [models.Index(fields=["workshop", "-end"], name="payroll_end_idx")]

    def __str__(self) -> str:
        return f"№{self.number} {self.start}–{self.end}"


class PayKind(models.TextChoices):
    SERVICES = "services", _("Services")
    GOODS = "goods", _("Goods")
    PER_ORDER = "per_order", _("Issued order")
    BASE = "base", _("Monthly base")


class PayrollLine(TenantModel):
    """One figure of a closed payroll: an order's line under a rule, or a month's base."""

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="lines")
    member = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=PayKind.choices)
    rule = models.ForeignKey(SalaryRule, on_delete=models.PROTECT, related_name="+")
    earning = models.ForeignKey(
        Earning, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=300, blank=True)
    basis = MoneyField(default=ZERO)
    rate = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    amount = MoneyField(default=ZERO)

    objects = tenant_manager()

    class Meta:
        indexes = [
            models.Index(fields=["workshop", "payroll", "member"], name="payrollline_idx"),
            models.Index(fields=["workshop", "earning"], name="payrollline_earning_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Payout(TenantModel):
    """A salary cash entry paid against a closed payroll to one employee."""

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="payouts")
    member = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(CashEntry, on_delete=models.PROTECT, related_name="+")

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["workshop", "payroll", "member"], name="payout_idx")]

    def __str__(self) -> str:
        return f"{self.payroll_id} {self.member_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Export(TenantModel):
    """An Excel file built in the background (a big period); downloaded when ready."""

    what = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=10, default="en")
    requested_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default="queued")
    file = models.CharField(max_length=300, blank=True)  # a path under MEDIA_ROOT
    filename = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["workshop", "requested_by", "-id"], name="export_idx")]

    def __str__(self) -> str:
        return f"{self.what} {self.status}"
