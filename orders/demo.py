"""Demo clients, devices and orders in every tab, written through the services (journaled)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, Role
from orders import services
from orders.journal import Builtin
from orders.models import Client, Device, JournalEntry, Order, OrderLine
from orders.workflow import HANDED_OVER, Kind, Status
from workshop.lib.audit import acting_as

SERVICE, GOODS = OrderLine.LineKind.SERVICE, OrderLine.LineKind.GOODS

CLIENTS = [
    ("Алексей Смирнов", "+7 912 345-67-01"),
    ("Мария Иванова", "+7 916 200-11-02"),
    ("Дмитрий Кузнецов", "+7 903 555-44-03"),
    ("Елена Попова", "+7 925 123-98-04"),
    ("Сергей Васильев", "+7 985 777-12-05"),
    ("Наталья Соколова", "+7 999 010-20-06"),
    ("Андрей Морозов", "+7 905 432-10-07"),
    ("Ольга Новикова", "+7 915 321-00-08"),
]
DEVICES = [
    ("Ноутбук", "Lenovo", "IdeaPad 5", "PF2K8X1Q", "потёртости на крышке", "зарядка"),
    ("Смартфон", "Apple", "iPhone 12", "356789104512345", "трещина на экране", "чехол"),
    ("Ноутбук", "ASUS", "VivoBook 15", "M3N0CV12", "без видимых повреждений", "зарядка, сумка"),
    ("Смартфон", "Samsung", "Galaxy A52", "352093114578901", "царапины", ""),
    ("Системный блок", "HP", "Pavilion", "CZC1234XYZ", "пыльный", "кабель питания"),
    ("Планшет", "Xiaomi", "Pad 5", "XM5P000123", "скол в углу", "чехол"),
]
# (kind, status to walk to, client, device or None, problem, lines)
ORDERS = [
    (Kind.SALE, Status.SALE, 0, None, "", [(GOODS, "Мышь Logitech M185", 1, "990")]),
    (
        Kind.PC_BUILD,
        Status.PC_BUILD,
        5,
        None,
        "Игровой ПК до 100 000 ₽",
        [(GOODS, "Видеокарта RTX 4060", 1, "32990"), (GOODS, "SSD 1 ТБ", 1, "6490")],
    ),
    (Kind.CALL_OUT, Status.CALL_OUT, 6, None, "Не работает Wi-Fi роутер", []),
    (
        Kind.CALL_OUT,
        Status.ON_SITE,
        7,
        None,
        "Настройка принтера",
        [(SERVICE, "Выезд мастера", 1, "1000")],
    ),
    (Kind.REPAIR, Status.QUEUE, 0, 0, "Не включается", []),
    (
        Kind.REPAIR,
        Status.IN_WORK,
        1,
        1,
        "Замена экрана",
        [(SERVICE, "Замена дисплея", 1, "3500"), (GOODS, "Дисплей iPhone 12", 1, "8900")],
    ),
    (
        Kind.REPAIR,
        Status.READY_NOTIFY,
        2,
        2,
        "Чистка и замена термопасты",
        [(SERVICE, "Чистка системы охлаждения", 1, "1500")],
    ),
    (
        Kind.REPAIR,
        Status.READY_DELIVERY,
        4,
        4,
        "Не загружается Windows",
        [(SERVICE, "Установка Windows", 1, "2000")],
    ),
    (
        Kind.REPAIR,
        Status.OUT_FOR_DELIVERY,
        3,
        3,
        "Быстро садится батарея",
        [(SERVICE, "Замена аккумулятора", 1, "1200"), (GOODS, "Аккумулятор Galaxy A52", 1, "2100")],
    ),
    (Kind.REPAIR, Status.DIAGNOSTICS, 5, 5, "Не заряжается", []),
    (
        Kind.REPAIR,
        Status.WAITING_PART,
        1,
        1,
        "Не работает Face ID",
        [(SERVICE, "Диагностика", 1, "500")],
    ),
    (Kind.REPAIR, Status.AT_PARTNER, 2, 2, "Залит жидкостью", [(SERVICE, "Диагностика", 1, "500")]),
    (
        Kind.REPAIR,
        Status.REFUSED,
        4,
        4,
        "Не включается после грозы",
        [(SERVICE, "Диагностика", 1, "500")],
    ),
    (
        Kind.REPAIR,
        Status.ISSUED,
        0,
        0,
        "Шумит вентилятор",
        [(SERVICE, "Замена вентилятора", 1, "1800")],
    ),
    (Kind.SALE, Status.ISSUED, 3, None, "", [(GOODS, "Зарядное устройство USB-C", 1, "1490")]),
]
# The shortest walk through the workflow to each target status.
PATHS = {
    Status.ON_SITE: [Status.ON_SITE],
    Status.IN_WORK: [Status.IN_WORK],
    Status.READY_NOTIFY: [Status.IN_WORK, Status.READY_NOTIFY],
    Status.READY_DELIVERY: [Status.IN_WORK, Status.READY_DELIVERY],
    Status.OUT_FOR_DELIVERY: [Status.IN_WORK, Status.READY_DELIVERY, Status.OUT_FOR_DELIVERY],
    Status.DIAGNOSTICS: [Status.DIAGNOSTICS],
    Status.WAITING_PART: [Status.DIAGNOSTICS, Status.WAITING_PART],
    Status.AT_PARTNER: [Status.DIAGNOSTICS, Status.AT_PARTNER],
    Status.REFUSED: [Status.DIAGNOSTICS, Status.REFUSED],
}


def _path(kind: Kind, target: Status) -> list[Status]:
    if target == Status.ISSUED:
        return (
            [Status.ISSUED]
            if kind == Kind.SALE
            else [Status.IN_WORK, Status.READY_NOTIFY, Status.ISSUED]
        )
    return PATHS.get(target, [])


def seed(ctx: dict) -> None:
    workshop = ctx["workshop"]
    if Order.objects.filter(workshop=workshop).exists():
        return
    staff = {m.role: m for m in Membership.objects.filter(workshop=workshop).select_related("user")}
    manager, tech = staff[Role.MANAGER], staff[Role.TECHNICIAN]
    branch = ctx["branches"]["Central"]
    devices_by_client: dict[int, object] = {}
    now = timezone.now()
    for i, (kind, target, client_no, device_no, problem, lines) in enumerate(ORDERS):
        name, phone = CLIENTS[client_no]
        device_data = None
        if device_no is not None:
            device_type, brand, model, serial, condition, accessories = DEVICES[device_no]
            device_data = {
                "id": devices_by_client.get((client_no, device_no)),
                "device_type": device_type,
                "brand": brand,
                "model": model,
                "serial": serial,
            }
        order_data = {"problem": problem}
        if device_no is not None:
            order_data.update(condition=condition, accessories=accessories)
        if kind != Kind.SALE:
            order_data["assignee"] = tech
        if kind == Kind.CALL_OUT:
            order_data.update(address="ул. Ленина, 12, кв. 4", visit_at=now + timedelta(days=1))
        if kind == Kind.REPAIR:
            order_data.update(estimate=Decimal("3000"), due_date=(now + timedelta(days=3)).date())
        with acting_as(manager.user):
            order = services.order_create(
                workshop=workshop,
                branch=branch,
                kind=kind,
                by=manager,
                client_data={"phone": phone, "name": name},
                device_data=device_data,
                order_data=order_data,
                lines=[
                    {
                        "kind": line_kind,
                        "name": line_name,
                        "quantity": qty,
                        "unit_price": Decimal(price),
                        "performer": tech if line_kind == SERVICE else manager,
                    }
                    for line_kind, line_name, qty, price in lines
                ],
            )
        if order.device_id:
            devices_by_client[(client_no, device_no)] = order.device_id
        for step in _path(kind, target):
            actor = manager if step in HANDED_OVER else tech
            with acting_as(actor.user):
                services.order_transition(order=order, to=step, by=actor)
        if target == Status.DIAGNOSTICS:
            with acting_as(tech.user):
                services.order_update(
                    order=order,
                    data={"diagnosis": "Неисправен разъём питания, требуется замена"},
                    version=order.version,
                    by=tech,
                )
        _back_date(
            order,
            created=now - timedelta(days=len(ORDERS) - i, hours=i),
            last_move=now - timedelta(hours=3 * (len(ORDERS) - i)),
        )
    ctx.setdefault("logins", []).append("orders: demo orders in every tab")


def _back_date(order: Order, *, created, last_move) -> None:
    """Spread the demo over the last weeks so dates and "in status for" look lived in:
    the order's journal runs from `created` to `last_move` (its last move), the order is
    in its status since that move, a repair is due a week after intake, and its client and
    device are no younger than their first order.

    QuerySet.update() and bulk_update() bypass simple_history on purpose: these back-dated
    timestamps are demo staging, not a change anyone made, so they get no history."""
    entries = list(JournalEntry.objects.filter(workshop=order.workshop, order=order).order_by("id"))
    moves = [e for e in entries if e.action == Builtin.TRANSITION]
    span = last_move - created
    at, done = created, 0
    for entry in entries:
        if entry.action == Builtin.TRANSITION:  # the moves evenly up to the last one
            done += 1
            at = created + span * (done / len(moves))
        entry.at = at  # the rest at intake or with the move they followed
    JournalEntry.objects.bulk_update(entries, ["at"])
    changed = {
        "created_at": created,
        "updated_at": entries[-1].at if entries else created,
        "status_changed_at": moves[-1].at if moves else created,
    }
    if order.kind == Kind.REPAIR:
        changed["due_date"] = timezone.localtime(created + timedelta(days=7)).date()
    Order.objects.filter(pk=order.pk).update(**changed)
    # An issued order was issued at its last move (the reports count issues by it).
    Order.objects.filter(pk=order.pk, issued_at__isnull=False).update(
        issued_at=changed["status_changed_at"]
    )
    if order.client_id:
        Client.objects.filter(pk=order.client_id, created_at__gt=created).update(created_at=created)
    if order.device_id:
        Device.objects.filter(pk=order.device_id, created_at__gt=created).update(created_at=created)
