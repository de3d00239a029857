"""A small stocked catalogue in both branches, through the services: receipts with
costs, a transfer, and the demo orders' goods lines holding their products."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.models import Membership, Role
from orders.models import Order, OrderLine
from orders.workflow import CLOSED
from warehouse import services
from warehouse.models import Product
from warehouse.services import Row
from workshop.lib.audit import acting_as

D = Decimal

# name, SKU, barcode, category, price, serial-tracked
CATALOGUE = [
    ("Оперативная память DDR4 8 ГБ", "RAM-D4-8", "4601000000017", "Память", "2490", False),
    ("Оперативная память DDR4 16 ГБ", "RAM-D4-16", "4601000000024", "Память", "3990", False),
    ("SSD 512 ГБ", "SSD-512", "4601000000031", "Накопители", "3990", False),
    ("SSD 1 ТБ", "SSD-1T", "4601000000048", "Накопители", "6490", False),
    ("Видеокарта RTX 4060", "GPU-4060", "4601000000055", "Видеокарты", "32990", True),
    ("Зарядное устройство USB-C 65 Вт", "CHG-C65", "4601000000062", "Зарядки", "1990", False),
    ("Зарядное устройство USB-C", "CHG-C20", "4601000000079", "Зарядки", "1490", False),
    ("Экран iPhone 12", "SCR-IP12", "4601000000086", "Экраны", "8900", False),
    ("Экран Galaxy A52", "SCR-A52", "4601000000093", "Экраны", "6900", False),
    ("Аккумулятор Galaxy A52", "BAT-A52", "4601000000109", "Аккумуляторы", "2100", False),
    ("Термопаста Arctic MX-4", "TP-MX4", "4601000000116", "Расходники", "690", False),
    ("Мышь Logitech M185", "MS-M185", "4601000000123", "Периферия", "990", False),
]
# (SKU, quantity, cost) received in each branch
CENTRAL = [
    ("RAM-D4-8", 6, "1700"),
    ("RAM-D4-16", 4, "2800"),
    ("SSD-512", 5, "2700"),
    ("SSD-1T", 4, "4600"),
    ("CHG-C65", 3, "1200"),
    ("CHG-C20", 6, "800"),
    ("SCR-IP12", 2, "6100"),
    ("SCR-A52", 1, "4700"),
    ("BAT-A52", 3, "1300"),
    ("TP-MX4", 10, "350"),
    ("MS-M185", 5, "520"),
]
NORTH = [
    ("RAM-D4-8", 2, "1750"),
    ("SSD-512", 2, "2750"),
    ("CHG-C65", 2, "1250"),
    ("TP-MX4", 4, "360"),
]
GPU_SERIALS = ["RTX4060-A1B2C3", "RTX4060-D4E5F6"]
# A low-stock threshold in the central branch for a few of them.
THRESHOLDS = {"SCR-A52": 2, "BAT-A52": 2, "SSD-1T": 2}


def seed(ctx: dict) -> None:
    workshop = ctx["workshop"]
    if Product.objects.filter(workshop=workshop).exists():
        return
    staff = {m.role: m for m in Membership.objects.filter(workshop=workshop).select_related("user")}
    director, manager = staff[Role.DIRECTOR], staff[Role.MANAGER]
    central, north = ctx["branches"]["Central"], ctx["branches"]["North"]
    products = {}
    with acting_as(manager.user):
        for name, sku, barcode, category, price, serial in CATALOGUE:
            products[sku] = services.product_create(
                workshop=workshop,
                by=manager,
                data={
                    "name": name,
                    "sku": sku,
                    "barcode": barcode,
                    "category": category,
                    "price": D(price),
                    "serial_tracked": serial,
                },
            )
        services.receipt_post(
            branch=central,
            by=manager,
            supplier="ООО «Компьютерные комплектующие»",
            supplier_number="УПД-1024",
            rows=[Row(products[s], D(q), D(c)) for s, q, c in CENTRAL]
            + [Row(products["GPU-4060"], D(2), D("27500"), GPU_SERIALS)],
        )
    with acting_as(director.user):
        services.receipt_post(
            branch=north,
            by=director,
            supplier="ИП Сидоров",
            supplier_number="17",
            rows=[Row(products[s], D(q), D(c)) for s, q, c in NORTH],
        )
        services.transfer_post(
            branch=central, to_branch=north, by=director, rows=[Row(products["SSD-1T"], D(1))]
        )
        for sku, n in THRESHOLDS.items():
            services.threshold_set(
                product=products[sku], branch=central, min_quantity=D(n), by=director
            )
    # The demo orders' goods lines hold what they name (the PC build's SSD and GPU, the sale).
    for order in Order.objects.filter(workshop=workshop).exclude(status__in=CLOSED).order_by("id"):
        for line in OrderLine.objects.filter(workshop=workshop, order=order, kind="goods"):
            line.order = order
            try:
                reservation = services.reserve_for_line(line=line, by=manager)
            except (ValidationError, services.WarehouseError):
                # A line that cannot hold stock stays as text, as before the warehouse.
                continue
            if reservation is not None and reservation.product.serial_tracked:
                services.serial_assign(
                    order=order, line_id=line.pk, serial=GPU_SERIALS[0], by=manager
                )
    ctx.setdefault("logins", []).append("warehouse: a stocked catalogue in both branches")
