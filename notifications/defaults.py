"""The texts a workshop starts with, in Russian and English, usable as they are.

Written in the documents' functional syntax: ``{order.number}`` prints a value and
``[[ … ]]`` drops its content when a variable inside is empty. SMS texts are short:
one Cyrillic SMS holds 70 characters (UCS-2), a long one 67 per part.
"""

from __future__ import annotations

from notifications.events import Channel, Event

E, S = Channel.EMAIL, Channel.SMS

# event -> (enabled by default on e-mail, on SMS)
ENABLED: dict[Event, tuple[bool, bool]] = {
    Event.ACCEPTED: (True, False),
    Event.ESTIMATE: (True, True),
    Event.WAITING_PART: (True, False),
    Event.READY: (True, True),
    Event.READY_DELIVERY: (True, False),
    Event.OUT_FOR_DELIVERY: (True, True),
    Event.ISSUED: (True, False),
    Event.REFUSED: (True, False),
    Event.CALL_OUT_BOOKED: (True, True),
    Event.CALL_OUT_TOMORROW: (True, True),
    Event.NOT_COLLECTED: (True, True),
    Event.OVERDUE: (True, False),
}

_SIGN_RU = "\n\n{workshop.name}[[, {branch.address}]][[, тел. {branch.phone}]]"
_SIGN_EN = "\n\n{workshop.name}[[, {branch.address}]][[, phone {branch.phone}]]"

TEXTS: dict[str, dict[Event, dict[str, tuple[str, str]]]] = {
    "ru": {
        Event.ACCEPTED: {
            E: (
                "Заказ №{order.number} принят",
                "Здравствуйте! Мы приняли [[{device.name} ]]в ремонт, заказ №{order.number}."
                "\nСтатус заказа: {order.status_url}" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} принят. Статус: {order.status_url}"),
        },
        Event.ESTIMATE: {
            E: (
                "Заказ №{order.number}: диагностика завершена",
                "Диагностика [[{device.name} ]]завершена.[[\nЗаключение: {order.diagnosis}]]"
                "[[\nСтоимость ремонта: {order.estimate} {currency}]]"
                "\nСогласовать ремонт можно на странице заказа: {order.status_url}" + _SIGN_RU,
            ),
            S: (
                "",
                "Заказ №{order.number}: ремонт[[ {order.estimate} {currency}]]. "
                "Согласовать: {order.status_url}",
            ),
        },
        Event.WAITING_PART: {
            E: (
                "Заказ №{order.number}: ждём запчасть",
                "Для ремонта [[{device.name} ]]заказана запчасть; сообщим, когда она придёт."
                "\nСтатус заказа: {order.status_url}" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number}: ждём запчасть. {order.status_url}"),
        },
        Event.READY: {
            E: (
                "Заказ №{order.number} готов",
                "[[{device.name}: ]]ремонт завершён, можно забирать.[[\nК оплате: {order.due} "
                "{currency}]][[\nЧасы работы: {branch.hours}]]" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} готов.[[ К оплате {order.due} {currency}.]]"),
        },
        Event.READY_DELIVERY: {
            E: (
                "Заказ №{order.number} готов к доставке",
                "[[{device.name}: ]]ремонт завершён, мы свяжемся с вами, чтобы договориться "
                "о доставке.[[\nК оплате: {order.due} {currency}]]" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} готов, скоро привезём."),
        },
        Event.OUT_FOR_DELIVERY: {
            E: (
                "Заказ №{order.number} в пути",
                "Курьер везёт вам [[{device.name}]].[[\nК оплате: {order.due} {currency}]]"
                + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} в пути к вам.[[ К оплате {order.due} {currency}.]]"),
        },
        Event.ISSUED: {
            E: (
                "Заказ №{order.number} выдан",
                "Спасибо, что выбрали нас! [[Гарантия: {order.warranty}.]]" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} выдан. Спасибо!"),
        },
        Event.REFUSED: {
            E: (
                "Заказ №{order.number}: ремонт не выполнен",
                "К сожалению, ремонт [[{device.name} ]]не выполнен.[[\nЗаключение: "
                "{order.diagnosis}]]\nУстройство можно забрать.[[\nК оплате: {order.due} "
                "{currency}]]" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number}: ремонт не выполнен, устройство можно забрать."),
        },
        Event.CALL_OUT_BOOKED: {
            E: (
                "Выезд мастера: заказ №{order.number}",
                "Мастер приедет[[ {order.visit_at}]][[ по адресу {order.address}]]."
                "\nСтатус заказа: {order.status_url}" + _SIGN_RU,
            ),
            S: ("", "Выезд мастера[[ {order.visit_at}]], заказ №{order.number}."),
        },
        Event.CALL_OUT_TOMORROW: {
            E: (
                "Завтра приедет мастер",
                "Напоминаем: мастер приедет[[ {order.visit_at}]][[ по адресу {order.address}]]."
                + _SIGN_RU,
            ),
            S: ("", "Напоминаем: мастер приедет[[ {order.visit_at}]]."),
        },
        Event.NOT_COLLECTED: {
            E: (
                "Заказ №{order.number} ждёт вас",
                "[[{device.name} ]]готов и ждёт вас.[[\nК оплате: {order.due} {currency}]]"
                "[[\nЧасы работы: {branch.hours}]]" + _SIGN_RU,
            ),
            S: ("", "Заказ №{order.number} готов и ждёт вас.[[ Тел. {branch.phone}]]"),
        },
        Event.OVERDUE: {
            E: (
                "Просрочен заказ №{order.number}",
                "Срок заказа №{order.number}[[ ({device.name})]] — {order.due_date}, "
                "он ещё не готов.[[\nСтатус: {order.status}]]",
            ),
            S: ("", "Просрочен заказ №{order.number}."),
        },
    },
    "en": {
        Event.ACCEPTED: {
            E: (
                "Order #{order.number} accepted",
                "Hello! We have taken [[your {device.name} ]]in for repair, order "
                "#{order.number}.\nOrder status: {order.status_url}" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} accepted. Status: {order.status_url}"),
        },
        Event.ESTIMATE: {
            E: (
                "Order #{order.number}: diagnosis done",
                "The diagnosis [[of your {device.name} ]]is done.[[\nFinding: {order.diagnosis}]]"
                "[[\nRepair cost: {order.estimate} {currency}]]"
                "\nYou can approve the repair on the order page: {order.status_url}" + _SIGN_EN,
            ),
            S: (
                "",
                "Order #{order.number}: repair[[ {order.estimate} {currency}]]. "
                "Approve: {order.status_url}",
            ),
        },
        Event.WAITING_PART: {
            E: (
                "Order #{order.number}: waiting for a part",
                "A part for [[your {device.name}]] is on order; we will let you know when it "
                "arrives.\nOrder status: {order.status_url}" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number}: waiting for a part. {order.status_url}"),
        },
        Event.READY: {
            E: (
                "Order #{order.number} is ready",
                "[[{device.name}: ]]the repair is done, you can collect it.[[\nAmount due: "
                "{order.due} {currency}]][[\nOpening hours: {branch.hours}]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} is ready.[[ Due {order.due} {currency}.]]"),
        },
        Event.READY_DELIVERY: {
            E: (
                "Order #{order.number} is ready for delivery",
                "[[{device.name}: ]]the repair is done; we will call you to arrange the "
                "delivery.[[\nAmount due: {order.due} {currency}]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} is ready, we will deliver it soon."),
        },
        Event.OUT_FOR_DELIVERY: {
            E: (
                "Order #{order.number} is on its way",
                "Our courier is bringing [[your {device.name}]].[[\nAmount due: {order.due} "
                "{currency}]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} is on its way.[[ Due {order.due} {currency}.]]"),
        },
        Event.ISSUED: {
            E: (
                "Order #{order.number} collected",
                "Thank you for choosing us! [[Warranty: {order.warranty}.]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} collected. Thank you!"),
        },
        Event.REFUSED: {
            E: (
                "Order #{order.number}: not repaired",
                "Unfortunately [[your {device.name} ]]could not be repaired.[[\nFinding: "
                "{order.diagnosis}]]\nYou can collect the device.[[\nAmount due: {order.due} "
                "{currency}]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number}: not repaired, you can collect the device."),
        },
        Event.CALL_OUT_BOOKED: {
            E: (
                "Technician's visit: order #{order.number}",
                "Our technician will come[[ on {order.visit_at}]][[ to {order.address}]]."
                "\nOrder status: {order.status_url}" + _SIGN_EN,
            ),
            S: ("", "Technician's visit[[ {order.visit_at}]], order #{order.number}."),
        },
        Event.CALL_OUT_TOMORROW: {
            E: (
                "Our technician comes tomorrow",
                "A reminder: our technician will come[[ on {order.visit_at}]][[ to "
                "{order.address}]]." + _SIGN_EN,
            ),
            S: ("", "Reminder: our technician comes[[ {order.visit_at}]]."),
        },
        Event.NOT_COLLECTED: {
            E: (
                "Order #{order.number} is waiting for you",
                "[[Your {device.name} ]]is ready and waiting for you.[[\nAmount due: "
                "{order.due} {currency}]][[\nOpening hours: {branch.hours}]]" + _SIGN_EN,
            ),
            S: ("", "Order #{order.number} is ready and waiting.[[ Phone {branch.phone}]]"),
        },
        Event.OVERDUE: {
            E: (
                "Order #{order.number} is overdue",
                "Order #{order.number}[[ ({device.name})]] was due on {order.due_date} and "
                "is not ready yet.[[\nStatus: {order.status}]]",
            ),
            S: ("", "Order #{order.number} is overdue."),
        },
    },
}


def default_text(language: str, event: Event, channel: str) -> tuple[str, str]:
    texts = TEXTS.get(language) or TEXTS["ru"]
    return texts[Event(event)][Channel(channel)]


def default_enabled(event: Event, channel: str) -> bool:
    email, sms = ENABLED[Event(event)]
    return email if channel == Channel.EMAIL else sms
