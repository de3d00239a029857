"""The image installs the runtime only; development adds the test and lint tools on top."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported by tests, conftests and `make lint` only, never by the app.
DEV_ONLY = {"pytest", "pytest-django", "hypothesis", "factory-boy", "playwright", "ruff"}


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _names(lines: list[str]) -> set[str]:
    return {re.split(r"[\[=<>]", line, maxsplit=1)[0].lower() for line in lines}


def test_runtime_requirements_are_exact_pins_without_test_tools():
    runtime = _requirements("requirements.txt")
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line) for line in runtime), runtime
    assert _names(runtime) & DEV_ONLY == set()


def test_dev_requirements_add_the_tools_to_the_runtime():
    dev = _requirements("requirements-dev.txt")
    assert dev[0] == "-r requirements.txt"
    assert all("==" in line for line in dev[1:]), dev
    assert _names(dev[1:]) == DEV_ONLY


def test_the_image_installs_the_runtime_only_and_make_installs_both():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.findall(r"pip install[^\n]*", dockerfile) == ["pip install -r requirements.txt"]
    assert "requirements-dev" not in dockerfile
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = r"^\$\(VENV\)/\.installed: requirements\.txt requirements-dev\.txt$"
    assert re.search(stamp, makefile, re.MULTILINE)
    assert "install --quiet -r requirements-dev.txt" in makefile
