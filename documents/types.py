"""The document types: what each is called, what paper it goes on, which data it may
use and which it requires before it can be printed.

The rules read `Facts`, a few plain values gathered once per card render (one query
for the lines), so the card's buttons cost the same however many documents exist.
A rule returns the missing items as sentences; no missing item means printable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.workflow import Kind, Status


class DocType(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance receipt")
    DIAGNOSTIC = "diagnostic", _("Diagnostic report")
    SALES_RECEIPT = "sales_receipt", _("Sales receipt")
    WORK_ACT = "work_act", _("Act of completed work")
    WARRANTY = "warranty", _("Warranty card")
    REFUSAL = "refusal", _("Refusal sheet")
    LABEL = "label", _("Device label")


class Paper(models.TextChoices):
    A4 = "a4", _("A4 sheet")
    RECEIPT = "receipt80", _("Receipt roll, 80 mm")
    LABEL = "label58x40", _("Label, 58 × 40 mm")


@dataclass(frozen=True)
class Facts:
    """What the required-data rules look at, read from one order."""

    kind: str
    status: str
    has_device: bool
    problem: str
    diagnosis: str
    diagnostic_cost_set: bool
    lines: int
    goods_lines: int
    warranty: str
    was_refused: bool


Rule = Callable[[Facts], list[str]]


def _acceptance(f: Facts) -> list[str]:
    missing = []
    if f.kind not in (Kind.REPAIR, Kind.PC_BUILD):
        missing.append(str(_("It is printed for repairs and PC builds.")))
    if not f.has_device:
        missing.append(str(_("Fill in the device.")))
    if not f.problem.strip():
        missing.append(str(_("Fill in the problem / request.")))
    return missing


def _diagnostic(f: Facts) -> list[str]:
    missing = []
    if not f.diagnosis.strip():
        missing.append(str(_("Fill in the diagnosis / conclusion.")))
    if not f.diagnostic_cost_set:
        missing.append(str(_("Fill in the diagnostic cost.")))
    return missing


def _sales_receipt(f: Facts) -> list[str]:
    return [] if f.goods_lines else [str(_("Add at least one goods line."))]


def _work_act(f: Facts) -> list[str]:
    # An act records work done: a counter sale has one only when it sold a service too
    # (setting up the phone it sold); for goods alone its paper is the sales receipt.
    if f.kind == Kind.SALE and f.lines == f.goods_lines:
        return [str(_("It is printed for work done: a sale needs a service line."))]
    return [] if f.lines else [str(_("Add at least one line (a service or goods)."))]


def _warranty(f: Facts) -> list[str]:
    missing = []
    if f.status != Status.ISSUED:
        missing.append(str(_("It is printed once the order is issued.")))
    if not f.warranty.strip():
        missing.append(str(_("Fill in a warranty period on the order or its lines.")))
    return missing


def _refusal(f: Facts) -> list[str]:
    if f.status == Status.REFUSED or f.was_refused:
        return []
    return [str(_("It is printed for refused repairs."))]


def _label(f: Facts) -> list[str]:
    missing = []
    if f.kind == Kind.SALE:
        missing.append(str(_("It is printed for a device taken in.")))
    elif not f.has_device:
        missing.append(str(_("Fill in the device.")))
    return missing


@dataclass(frozen=True)
class DocumentType:
    key: DocType
    paper: Paper
    requires: Rule
    # Where its button sits on the order card: under a card field, or "lines", "head".
    place: str
    # The groups of variables it may use (see documents/variables.py).
    uses: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return self.key.label

    def missing(self, facts: Facts) -> list[str]:
        return self.requires(facts)


_COMMON = ("workshop", "branch", "document", "order", "client", "device", "today", "currency")
_MONEY = ("lines", "goods", "services", "totals", "payments")

TYPES: dict[str, DocumentType] = {
    t.key: t
    for t in (
        DocumentType(DocType.ACCEPTANCE, Paper.A4, _acceptance, "problem", _COMMON),
        DocumentType(DocType.DIAGNOSTIC, Paper.A4, _diagnostic, "diagnosis", _COMMON),
        DocumentType(DocType.SALES_RECEIPT, Paper.A4, _sales_receipt, "lines", _COMMON + _MONEY),
        DocumentType(DocType.WORK_ACT, Paper.A4, _work_act, "lines", _COMMON + _MONEY),
        DocumentType(DocType.WARRANTY, Paper.A4, _warranty, "head", _COMMON + _MONEY),
        DocumentType(DocType.REFUSAL, Paper.A4, _refusal, "head", _COMMON + _MONEY),
        DocumentType(DocType.LABEL, Paper.LABEL, _label, "problem", _COMMON),
    )
}


def get_type(key: str) -> DocumentType | None:
    return TYPES.get(key)
