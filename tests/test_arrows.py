"""The apps' import arrows point one way (CONVENTIONS "The house").

accounts imports no other app; directories uses accounts; orders uses accounts and
directories; cashdesk, documents and warehouse use orders (the cash desk may use the
warehouse's services). Other apps reach orders only through its public modules, and
orders reaches them only through its extension points. Tests are free to import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "directories", "orders", "cashdesk", "documents", "warehouse", "notifications")
# What each app may import of the others.
ALLOWED = {
    "accounts": set(),
    "directories": {"accounts"},
    "orders": {"accounts", "directories"},
    "cashdesk": {"accounts", "directories", "orders", "warehouse"},
    "documents": {"accounts", "directories", "orders"},
    "warehouse": {"accounts", "directories", "orders"},
    "notifications": {"accounts", "directories", "orders", "documents"},
}


def imports_of(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports only: ours are)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def wrong_arrows(root: Path = ROOT) -> list[str]:
    problems = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            for target in sorted(imports_of(path) & set(APPS)):
                if target != app and target not in ALLOWED[app]:
                    problems.append(f"{relative} imports {target}")
    return problems


def test_arrows_point_one_way():
    assert wrong_arrows() == []


def test_arrows_catch_a_wrong_import(tmp_path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "bad.py").write_text("from cashdesk.models import CashEntry\n")
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "bad.py").write_text("import orders.models\n")
    assert wrong_arrows(tmp_path) == [
        "accounts/bad.py imports orders",
        "orders/bad.py imports cashdesk",
    ]


def test_arrows_table_knows_every_project_app(settings):
    """A new app must get its row above (workshop is the project: settings, urls, lib)."""
    ours = {a for a in settings.INSTALLED_APPS if (ROOT / a / "apps.py").exists()}
    assert ours - {"workshop"} <= set(APPS)
