"""Text folding for search keys and comparisons, in one place.

Python does the folding, so Cyrillic, "ё" and case behave identically on SQLite (whose
LIKE folds ASCII only) and PostgreSQL (whose LIKE folds nothing): stored keys and typed
search terms go through the same function.
"""

from __future__ import annotations

import re
import unicodedata

# fold() caps keys here: NFKC and casefold can lengthen text ("ß" → "ss", "㎒" → "mhz").
KEY_MAX_LENGTH = 400
# Upper bound of a prefix range: no folded key contains this code point (fold() drops it).
LAST_CHAR = "\U0010ffff"
# Anything that is not a letter or digit separates words: "Мамин-Сибиряк",
# "ООО «Ромашка»" and "O'Brien" are found by each of their parts.
_NOT_WORD = re.compile(r"[\W_]+")


def drop_unsafe(text: str) -> str:
    """Drop control characters (PostgreSQL refuses NUL), lone surrogates and U+10FFFF."""
    return "".join(
        ch
        for ch in text
        if ch.isspace() or (unicodedata.category(ch) not in {"Cc", "Cs"} and ch != LAST_CHAR)
    )


def fold(text: str | None) -> str:
    """The search key: NFKC + casefold, "ё" read as "е", spaces collapsed, capped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", drop_unsafe(str(text)))
    text = unicodedata.normalize("NFKC", text.casefold())
    text = text.replace("ё", "е")
    return " ".join(text.split())[:KEY_MAX_LENGTH]


def fold_words(text: str | None) -> str:
    """fold(), with words split by anything that is not a letter or digit."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def normalize_email(email: str | None) -> str:
    """An e-mail address as stored and compared: trimmed and lower-cased whole.

    Lower-casing the local part too is deliberate: people type their address in any
    case, and no mail provider our users meet treats the cases as different boxes.
    """
    return (email or "").strip().lower()
