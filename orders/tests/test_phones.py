from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from workshop.lib.phones import format_phone, normalize_phone, try_normalize_phone

# Russian mobile numbers 9XX XXX XX XX, in operator codes that are allocated.
ru_mobile = st.builds(
    lambda code, rest: code + rest,
    st.sampled_from(["903", "905", "912", "915", "916", "925", "926", "985", "999"]),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)
separators = st.sampled_from(["", " ", "-", " - ", ".", "  "])


def spell(digits: str, prefix: str, sep: str, brackets: bool) -> str:
    code, rest = digits[:3], digits[3:]
    code = f"({code})" if brackets else code
    return f"{prefix}{sep}{code}{sep}{rest[:3]}{sep}{rest[3:5]}{sep}{rest[5:]}"


@given(
    ru_mobile,
    st.sampled_from(["+7", "8", "+7 ", "7", ""]),
    separators,
    st.booleans(),
    st.sampled_from(["", " ", "\t"]),
)
def test_phones_any_spelling_of_a_russian_mobile_is_one_number(digits, prefix, sep, brackets, pad):
    typed = pad + spell(digits, prefix, sep, brackets) + pad
    assert normalize_phone(typed, "RU") == f"+7{digits}"


@given(ru_mobile)
def test_phones_normalising_is_idempotent_and_formats_back(digits):
    e164 = normalize_phone(digits, "RU")
    assert normalize_phone(e164, "RU") == e164
    assert normalize_phone(format_phone(e164), "DE") == e164


@given(st.text(max_size=300))
def test_phones_any_text_is_a_number_or_a_clear_validation_error(text):
    try:
        result = normalize_phone(text, "RU")
    except ValidationError as exc:
        assert exc.messages and all(m for m in exc.messages)
    else:
        assert result.startswith("+") and result[1:].isdigit()
        assert try_normalize_phone(text, "RU") == result


def test_phones_region_decides_numbers_without_a_country_code():
    assert normalize_phone("030 12345678", "DE") == "+493012345678"
    assert normalize_phone("+7 495 123-45-67", "DE") == "+74951234567"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a phone number."),
        ("   ", "Enter a phone number."),
        ("12", "The number 12 does not exist: check the digits and the country code."),
        ("телефон", "This does not look like a phone number. Example: +7 912 345-67-89."),
        ("😀😀😀", "This does not look like a phone number. Example: +7 912 345-67-89."),
        ("9" * 10_000, "This does not look like a phone number: it is too long."),
    ],
)
def test_phones_bad_input_gets_a_clear_message(typed, message):
    with pytest.raises(ValidationError) as info:
        normalize_phone(typed, "RU")
    assert info.value.messages == [message]
