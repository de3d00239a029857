"""A sample order with every field filled, for checking a template when it is saved.

Built from unsaved model instances through the same context builder as real orders,
so it has exactly the keys a real order has; nothing here touches the database.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Branch, Membership, User, Workshop
from documents.context import build_context, document_meta, has_field
from documents.types import DocumentType
from orders.models import Client, Device, Order, OrderLine
from orders.workflow import Kind, Status


def sample_context(workshop: Workshop, doc: DocumentType) -> dict:
    now = timezone.now()
    person = Membership(user=User(full_name="Мария Смирнова", email="sample@example.com"))
    branch = Branch(name="Центральный", address="ул. Ленина, 1", phone="+7 900 000-00-00")
    client = Client(name="Иван Петров", phone="+79123456789", email="ivan@example.com")
    device = Device(
        device_type="Ноутбук",
        brand="Lenovo",
        model="IdeaPad 5",
        serial="PF2ABC12",
    )
    taken_in = {"condition": "Царапины на крышке", "accessories": "Зарядное устройство"}
    order = Order(
        workshop=Workshop(name=workshop.name, currency=workshop.currency),
        branch=branch,
        number=1042,
        kind=Kind.REPAIR,
        status=Status.ISSUED,
        client=client,
        device=device,
        problem="Не включается",
        diagnosis="Неисправен контроллер питания",
        diagnostic_cost=Decimal("500.00"),
        estimate=Decimal("4500.00"),
        lines_total=Decimal("4700.00"),
        due_date=(now + timedelta(days=3)).date(),
        address="ул. Мира, 5",
        visit_at=now,
        accepted_by=person,
        assignee=person,
        created_at=now,
    )
    for name, value in taken_in.items():  # on the order, or (before) on the device
        setattr(order if has_field(Order, name) else device, name, value)
    if has_field(Order, "total"):
        order.total = order.lines_total
    order.warranty = "3 месяца"
    lines = [
        OrderLine(
            kind=OrderLine.LineKind.SERVICE,
            name="Замена контроллера",
            quantity=1,
            unit_price=Decimal("3500.00"),
            performer=person,
        ),
        OrderLine(
            kind=OrderLine.LineKind.GOODS,
            name="Контроллер питания",
            quantity=2,
            unit_price=Decimal("600.00"),
            performer=person,
        ),
    ]
    for line in lines:
        line.warranty = "3 месяца"
    payments = [{"kind": "payment", "method": "cash", "amount": Decimal("4700.00"), "at": now}]
    return build_context(
        order,
        lines=lines,
        payments=payments,
        paid=Decimal("4700.00"),
        document=document_meta(doc, number="1042", date=now),
        now=now,
    )
