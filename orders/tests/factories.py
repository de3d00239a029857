from __future__ import annotations

from decimal import Decimal

import factory

from orders.models import Client, Device, Order, OrderLine
from orders.workflow import Kind, Status


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    phone = factory.Sequence(lambda n: f"+7912{n:07d}")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    client = factory.SubFactory(ClientFactory)
    workshop = factory.SelfAttribute("client.workshop")
    device_type = "Laptop"
    brand = "Lenovo"
    model = "IdeaPad 5"
    serial = factory.Sequence(lambda n: f"SN{n:06d}")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order straight in the database (numbers from a sequence, not the counter)."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: n + 1)
    kind = Kind.REPAIR
    status = Status.QUEUE
    client = factory.SubFactory(ClientFactory, workshop=factory.SelfAttribute("..workshop"))
    device = factory.SubFactory(
        DeviceFactory,
        client=factory.SelfAttribute("..client"),
        workshop=factory.SelfAttribute("..workshop"),
    )
    problem = "Does not turn on"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    workshop = factory.SelfAttribute("order.workshop")
    name = "Screen replacement"
    quantity = 1
    unit_price = Decimal("1500.00")
