"""The layering the README promises: flows know no transport, storage knows no bot."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_flows_import_no_transport() -> None:
    offenders = {
        p: n & {"telegram", "httpx", "starlette", "uvicorn"} for p, n in _imports(ROOT / "bot" / "flows").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_storage_never_imports_bot() -> None:
    offenders = {p for p, names in _imports(ROOT / "storage").items() if "bot" in names}
    assert offenders == set()


def test_only_storage_speaks_sql() -> None:
    speaking = []
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if any(word in source for word in ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM")):
            speaking.append(str(path.relative_to(ROOT)))
    assert speaking == []
