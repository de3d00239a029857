"""SMS: counting parts, and a small backend interface (console, test, SMS.ru).

SMS_BACKEND names the backend class; `get_backend()` builds it from settings. A backend's
`send(phone, text)` returns the provider's message id, or raises SmsError with a reason
and whether trying again later can help (a timeout, a provider outage) or not (a wrong
number, no money on the account, a bad key).
"""

from __future__ import annotations

import json
import logging
import math
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# GSM 03.38: the basic set counts 1, the extension table 2 (an escape and the character).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Parts:
    encoding: str  # "GSM-7" or "UCS-2"
    length: int  # characters as the network counts them (septets or UTF-16 units)
    parts: int
    per_part: int

    @property
    def left(self) -> int:
        """Characters left in the last part."""
        return self.parts * self.per_part - self.length if self.length else self.per_part


def count_parts(text: str) -> Parts:
    """How many SMS `text` takes: 160/153 GSM-7 characters, or 70/67 UTF-16 units once
    any character (Cyrillic, an emoji) is outside the GSM alphabet."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if length <= single:
        return Parts(encoding, length, 1 if length else 0, single)
    return Parts(encoding, length, math.ceil(length / multi), multi)


class SmsError(Exception):
    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Development: the SMS goes to the terminal."""

    def send(self, phone: str, text: str) -> str:
        sys.stdout.write(f"SMS to {phone}:\n{text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return "console"


# The test backend's sent messages, like django.core.mail.outbox.
outbox: list[dict] = []


class LocmemBackend(BaseSmsBackend):
    """Tests: messages land in `notifications.sms.outbox`."""

    def send(self, phone: str, text: str) -> str:
        outbox.append({"phone": phone, "text": text})
        return f"test-{len(outbox)}"


class SmsRuBackend(BaseSmsBackend):
    """SMS.ru's HTTP API (https://sms.ru/api/send): a POST with the API key, the number
    and the text; the JSON answer has a status per number.

    Settings: SMSRU_API_ID (the key), SMSRU_FROM (an approved sender name, optional),
    SMSRU_URL (the endpoint; tests point it at a local server), SMS_TIMEOUT (seconds),
    SMSRU_TEST (1: SMS.ru checks the request and sends nothing).
    """

    # SMS.ru status codes that mean "not now" rather than "never".
    RETRY_CODES = frozenset({220, 230, 231, 232, 500, 501, 502, 503})

    def __init__(self) -> None:
        self.api_id = getattr(settings, "SMSRU_API_ID", "")
        self.sender = getattr(settings, "SMSRU_FROM", "")
        self.url = getattr(settings, "SMSRU_URL", "https://sms.ru/sms/send")
        self.timeout = float(getattr(settings, "SMS_TIMEOUT", 10))
        self.test = bool(getattr(settings, "SMSRU_TEST", False))

    def send(self, phone: str, text: str) -> str:
        if not self.api_id:
            raise SmsError("SMSRU_API_ID is not set", retry=False)
        number = phone.lstrip("+")
        fields = {"api_id": self.api_id, "to": number, "msg": text, "json": "1"}
        if self.sender:
            fields["from"] = self.sender
        if self.test:
            fields["test"] = "1"
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS.ru answered HTTP {exc.code}", retry=exc.code >= 500) from exc
        except TimeoutError as exc:
            raise SmsError("SMS.ru did not answer in time", retry=True) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"SMS.ru is unreachable: {exc}", retry=True) from exc
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise SmsError("SMS.ru answered something that is not JSON", retry=True) from exc
        if answer.get("status") != "OK":
            code = _code(answer)
            raise SmsError(_reason(answer, code), retry=code in self.RETRY_CODES)
        item = (answer.get("sms") or {}).get(number) or {}
        if item.get("status") != "OK":
            code = _code(item)
            raise SmsError(_reason(item, code), retry=code in self.RETRY_CODES)
        return str(item.get("sms_id") or "")


def _code(answer: dict) -> int:
    try:
        return int(answer.get("status_code") or 0)
    except (TypeError, ValueError):
        return 0


def _reason(answer: dict, code: int) -> str:
    text = str(answer.get("status_text") or "error")[:200]
    return f"SMS.ru {code}: {text}"


def get_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", "notifications.sms.ConsoleBackend")
    return import_string(path)()
