"""Documents' objects in the victim workshop, for the tenancy sweep (tests/tenancy.py)."""

from __future__ import annotations

from documents.models import DocumentCopy
from documents.types import DocType, Paper

SAMPLES = {
    "doc_type": lambda v: DocType.ACCEPTANCE.value,
    "copy_id": lambda v: v.extra["document_copy"].pk,
}


def build(victim) -> None:
    order = victim.extra["order"]  # built by orders' samples, which run first
    copy = DocumentCopy.objects.create(
        workshop=victim.workshop,
        order=order,
        doc_type=DocType.ACCEPTANCE,
        version=1,
        number=str(order.number),
        printed_by=victim.manager,
        html="<p>Victim's secret receipt</p>",
        paper=Paper.A4,
        data_hash="0" * 64,
    )
    victim.extra["document_copy"] = copy
