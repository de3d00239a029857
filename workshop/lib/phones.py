"""Phone numbers: stored as E.164 (`+79123456789`), typed however people type them.

A number without a country code is read in the workshop's country (`Workshop.country`),
so in Russia `8 (912) 345-67-89`, `912 345 67 89` and `+7 912 345 67 89` are one client.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Longer input is not a phone number; phonenumbers itself gives up at 250 characters.
MAX_INPUT_LENGTH = 64


def normalize_phone(raw: str, region: str = "RU") -> str:
    """Return the number in E.164, or raise ValidationError with a message for the user."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(
            _("This does not look like a phone number: it is too long."), code="too_long"
        )
    try:
        number = phonenumbers.parse(text, (region or "RU").upper())
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("This does not look like a phone number. Example: +7 912 345-67-89."),
            code="invalid",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("The number %(number)s does not exist: check the digits and the country code."),
            params={"number": text},
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str, region: str = "RU") -> str | None:
    """E.164, or None when the text is not a valid number (for lookups and search)."""
    try:
        return normalize_phone(raw, region)
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """Human form of a stored number: `+7 912 345-67-89`."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
