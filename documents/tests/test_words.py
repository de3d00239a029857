"""Amounts in words, against examples written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from documents.words import amount_in_words, russian_plural

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "amount, words",
    [
        ("4200.00", "Четыре тысячи двести рублей 00 копеек"),
        ("0", "Ноль рублей 00 копеек"),
        ("1", "Один рубль 00 копеек"),
        ("2.01", "Два рубля 01 копейка"),
        ("5.02", "Пять рублей 02 копейки"),
        ("11.11", "Одиннадцать рублей 11 копеек"),
        ("21.21", "Двадцать один рубль 21 копейка"),
        ("22.05", "Двадцать два рубля 05 копеек"),
        ("112.12", "Сто двенадцать рублей 12 копеек"),
        ("1001", "Одна тысяча один рубль 00 копеек"),
        ("2000", "Две тысячи рублей 00 копеек"),
        ("1500.50", "Одна тысяча пятьсот рублей 50 копеек"),
        ("12345.67", "Двенадцать тысяч триста сорок пять рублей 67 копеек"),
        ("1000000", "Один миллион рублей 00 копеек"),
        ("2500000", "Два миллиона пятьсот тысяч рублей 00 копеек"),
        (
            "999999999.99",
            "Девятьсот девяносто девять миллионов девятьсот девяносто девять "
            "тысяч девятьсот девяносто девять рублей 99 копеек",
        ),
    ],
)
def test_words_russian_roubles(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_words_rounds_to_kopecks():
    assert amount_in_words(Decimal("10.005")) == "Десять рублей 01 копейка"


def test_words_other_currencies_and_english():
    assert amount_in_words(Decimal("3.01"), "USD") == "Три доллара 01 цент"
    assert amount_in_words(Decimal("4200"), "RUB", "en") == (
        "Four thousand two hundred roubles 00 kopecks"
    )
    assert amount_in_words(Decimal("1.01"), "USD", "en") == "One dollar 01 cent"
    assert amount_in_words(Decimal("7"), "XYZ") == "Семь XYZ 00"


def test_words_empty_amount_is_empty():
    assert amount_in_words(None) == ""


@pytest.mark.parametrize(
    "n, form",
    [
        (1, "рубль"),
        (2, "рубля"),
        (4, "рубля"),
        (5, "рублей"),
        (11, "рублей"),
        (12, "рублей"),
        (14, "рублей"),
        (21, "рубль"),
        (22, "рубля"),
        (25, "рублей"),
        (101, "рубль"),
        (111, "рублей"),
        (0, "рублей"),
    ],
)
def test_words_russian_plural(n, form):
    assert russian_plural(n, ("рубль", "рубля", "рублей")) == form
