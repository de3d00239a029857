"""The warehouse's objects in the victim workshop, for the tenancy sweep (tests/tenancy.py)."""

from __future__ import annotations

from decimal import Decimal

from warehouse import services
from warehouse.models import Product
from warehouse.services import Row

SAMPLES = {
    "product_id": lambda v: v.extra["product"].pk,
    "document_id": lambda v: v.extra["document"].pk,
}


def build(victim) -> None:
    product = Product(workshop=victim.workshop, name="Victim SSD", barcode="2000000000001")
    product.save()
    document = services.receipt_post(
        branch=victim.branch,
        by=victim.manager,
        rows=[Row(product, Decimal("2"), Decimal("100"))],
        supplier="Victim Supplier",
    )
    victim.extra.update(product=product, document=document)
