"""Amounts in words, as Russian receipts and acts print them:
"Четыре тысячи двести рублей 00 копеек".

The whole units in words (num2words), the minor units as two digits, each followed by
the currency's word in the right plural form.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

# Currency words: (one, few, many) for Russian; (one, many) for English.
_RU = {
    "RUB": (("рубль", "рубля", "рублей"), ("копейка", "копейки", "копеек")),
    "USD": (("доллар", "доллара", "долларов"), ("цент", "цента", "центов")),
    "EUR": (("евро", "евро", "евро"), ("цент", "цента", "центов")),
    "BYN": (
        ("белорусский рубль", "белорусских рубля", "белорусских рублей"),
        ("копейка", "копейки", "копеек"),
    ),
    "KZT": (("тенге", "тенге", "тенге"), ("тиын", "тиына", "тиынов")),
}
_EN = {
    "RUB": (("rouble", "roubles"), ("kopeck", "kopecks")),
    "USD": (("dollar", "dollars"), ("cent", "cents")),
    "EUR": (("euro", "euros"), ("cent", "cents")),
    "BYN": (("Belarusian rouble", "Belarusian roubles"), ("kopeck", "kopecks")),
    "KZT": (("tenge", "tenge"), ("tiyn", "tiyn")),
}


def russian_plural(n: int, forms: tuple[str, str, str]) -> str:
    """The form of a noun after the number n: 1 рубль, 2 рубля, 5 рублей, 11 рублей."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _split(amount: Decimal) -> tuple[int, int]:
    cents = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return divmod(cents, 100)


def amount_in_words(
    amount: Decimal | int | str | None, currency: str = "RUB", lang: str = "ru"
) -> str:
    """The amount in words with its currency; "" for no amount."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(str(amount))
    whole, minor = _split(amount)
    minus = amount < 0
    if lang.startswith("ru"):
        units, subunits = _RU.get(currency, (None, None))
        words = num2words(whole, lang="ru")
        if minus:
            words = "минус " + words
        if units is None:
            text = f"{words} {currency} {minor:02d}"
        else:
            text = (
                f"{words} {russian_plural(whole, units)} "
                f"{minor:02d} {russian_plural(minor, subunits)}"
            )
    else:
        units, subunits = _EN.get(currency, (None, None))
        words = num2words(whole, lang="en").replace(",", "")
        if minus:
            words = "minus " + words
        if units is None:
            text = f"{words} {currency} {minor:02d}"
        else:
            text = (
                f"{words} {units[0] if whole == 1 else units[1]} "
                f"{minor:02d} {subunits[0] if minor == 1 else subunits[1]}"
            )
    return text[:1].upper() + text[1:]
