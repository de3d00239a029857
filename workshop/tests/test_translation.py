"""The Russian catalogue is complete and compiled: users are Russian-speaking workshops."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES"


def _entries() -> list[dict]:
    entries, current, key = [], {"flags": "", "msgid": "", "msgstr": []}, None
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if key is not None:
                entries.append(current)
            current, key = {"flags": "", "msgid": "", "msgstr": []}, None
        elif line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ")):
            key = "msgid" if line.startswith("msgid ") else "plural"
            if key == "msgid":
                current["msgid"] = ast.literal_eval(line.split(" ", 1)[1])
        elif re.match(r"msgstr(\[\d\])? ", line):
            key = "msgstr"
            current["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and key == "msgid":
            current["msgid"] += ast.literal_eval(line)
        elif line.startswith('"') and key == "msgstr":
            current["msgstr"][-1] += ast.literal_eval(line)
    return [e for e in entries if e["msgid"]]


def test_russian_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = _entries()
    assert len(entries) > 400
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []


def test_russian_plural_entries_have_every_form():
    """Russian has four plural forms here (the header's nplurals); an entry with three
    makes msgfmt --check refuse the catalogue."""
    header = (LOCALE / "django.po").read_text(encoding="utf-8")
    nplurals = int(re.search(r"nplurals=(\d+)", header).group(1))
    short = [e["msgid"] for e in _entries() if 1 < len(e["msgstr"]) < nplurals]
    assert short == []


def test_russian_catalogue_is_compiled_and_newer_than_its_source():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    assert mo.exists()
    with translation.override("ru"):
        assert translation.gettext("The e-mail / password pair is incorrect.") != (
            "The e-mail / password pair is incorrect."
        )
    assert mo.stat().st_size > po.stat().st_size / 4


@pytest.mark.django_db
def test_pages_follow_the_browsers_language():
    client = Client()
    assert "Войти" in client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Sign in" in client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
