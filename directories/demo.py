"""A starter set of pick-list values for the demo workshop, as a Russian repair shop types them."""

from __future__ import annotations

from decimal import Decimal

from directories.models import Entry, Kind
from directories.services import remember_many

DEVICE_TYPES = [
    "Ноутбук", "Смартфон", "Планшет", "Системный блок", "Моноблок", "Монитор",
    "Принтер", "МФУ", "Игровая приставка", "Телевизор", "Роутер", "Смарт-часы",
]  # fmt: skip
BRANDS_AND_MODELS = {
    "Apple": ["iPhone 11", "iPhone 12", "iPhone 13 Pro", "MacBook Air M1", "MacBook Pro 13", "iPad 9"],
    "Samsung": ["Galaxy A52", "Galaxy S21", "Galaxy S22 Ultra", "Galaxy Tab A8", "Galaxy A12"],
    "Xiaomi": ["Redmi Note 10", "Redmi Note 12 Pro", "Poco X3 Pro", "Mi 11 Lite"],
    "Huawei": ["P30 Lite", "MateBook D15", "Nova 9"],
    "Lenovo": ["IdeaPad 3 15", "ThinkPad T480", "Legion 5", "IdeaPad Gaming 3"],
    "ASUS": ["VivoBook 15", "TUF Gaming F15", "ROG Strix G15", "ZenBook 14"],
    "Acer": ["Aspire 5", "Nitro 5", "Swift 3"],
    "HP": ["Pavilion 15", "250 G8", "LaserJet Pro M404", "Victus 16"],
    "Dell": ["Inspiron 3511", "Latitude 5490", "Vostro 3500"],
    "Honor": ["X8", "MagicBook 14", "50 Lite"],
    "Canon": ["PIXMA G3411", "i-SENSYS MF3010"],
    "Sony": ["PlayStation 4 Slim", "PlayStation 5"],
}  # fmt: skip
SERVICES = [
    ("Диагностика", "500"),
    ("Чистка от пыли с заменой термопасты", "1500"),
    ("Замена экрана", "2500"),
    ("Замена аккумулятора", "1200"),
    ("Замена разъёма зарядки", "1800"),
    ("Установка Windows", "1500"),
    ("Восстановление данных", "3000"),
    ("Ремонт цепи питания", "3500"),
    ("Замена клавиатуры", "1200"),
    ("Прошивка", "1000"),
    ("Чистка после залития", "2000"),
    ("Замена матрицы ноутбука", "2000"),
    ("Реболл чипа", "4500"),
]
GOODS = [
    ("Термопаста Arctic MX-4", "450"),
    ("SSD 512 ГБ Kingston", "3900"),
    ("Аккумулятор для iPhone 11", "2200"),
    ("Дисплей Samsung Galaxy A52 (OLED)", "6500"),
    ("Клавиатура Lenovo IdeaPad 3", "1700"),
    ("Разъём USB Type-C", "300"),
    ("Оперативная память DDR4 8 ГБ", "2100"),
    ("Защитное стекло", "500"),
    ("Блок питания 65 Вт", "1600"),
]
CONDITIONS = [
    "Б/у, потёртости на корпусе",
    "Царапины на экране",
    "Скол на углу корпуса",
    "Трещина на дисплее",
    "Следы вскрытия",
    "Следы залития",
    "Без видимых повреждений",
]
ACCESSORIES = [
    "Зарядное устройство",
    "Кабель USB",
    "Чехол",
    "Сумка",
    "Коробка",
    "SIM-карта",
    "Стилус",
]
PROBLEMS = [
    "Не включается",
    "Не заряжается",
    "Греется и выключается",
    "Разбит экран",
    "Залит жидкостью",
    "Не работает клавиатура",
    "Нет изображения",
    "Медленно работает",
    "Не ловит сеть",
    "Шумит вентилятор",
    "Синий экран (BSOD)",
]
PARTNERS = ["ООО «Микроремонт»", "Сервис-центр «Пайка Pro»", "ИП Соколов (BGA-ремонт)"]


def seed(ctx: dict) -> None:
    """Remember the starter values once: a rerun would bump their use counts, so a
    workshop that already has entries is left as it is."""
    workshop = ctx["workshop"]
    if Entry.objects.filter(workshop=workshop).exists():
        return
    items: list[tuple] = [(Kind.DEVICE_TYPE, v) for v in DEVICE_TYPES]
    for brand, models in BRANDS_AND_MODELS.items():
        items.append((Kind.BRAND, brand))
        items.extend((Kind.MODEL, model, None, brand) for model in models)
    items.extend((Kind.SERVICE, name, Decimal(price)) for name, price in SERVICES)
    items.extend((Kind.GOODS, name, Decimal(price)) for name, price in GOODS)
    items.extend((Kind.CONDITION, v) for v in CONDITIONS)
    items.extend((Kind.ACCESSORY, v) for v in ACCESSORIES)
    items.extend((Kind.PROBLEM, v) for v in PROBLEMS)
    items.extend((Kind.PARTNER, v) for v in PARTNERS)
    remember_many(workshop=workshop, items=items)
