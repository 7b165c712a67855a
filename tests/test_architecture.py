"""The layering the README promises, as rules that fail when broken.

channel → engine → flow → services → storage: handlers never reach storage,
flows read storage but write through ``bot/services``, services know no flows
or channels, storage knows no bot, no module takes another's ``_private`` name,
and no two modules import each other, however indirectly.

The import graph is built with ``ast`` from every import statement: module
level, inside functions, and under ``TYPE_CHECKING`` too (a type-only import
is still a dependency a reader must follow, and a type-only cycle is a circle
in the design even when Python tolerates it).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage")
# The runtime inside bot/flows: the engine owns the step's transaction, the conversation
# state, update claims and the person's record; the registry types Context.tx. Flows are
# everything else there.
RUNTIME = frozenset({"bot/flows/engine.py", "bot/flows/registry.py"})


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the repository
    line: int
    module: str  # the module imported from
    name: str | None  # the name taken from it (``from m import name``), None for ``import m``

    def __str__(self) -> str:
        what = f"from {self.module} import {self.name}" if self.name else f"import {self.module}"
        return f"{self.path}:{self.line}: {what}"


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


@cache
def _imports() -> tuple[Import, ...]:
    found = []
    for path in sorted(_modules().values()):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(rel, node.lineno, alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = _resolve(path, node)
                found += [Import(rel, node.lineno, module, alias.name) for alias in node.names]
    return tuple(found)


def _target(imp: Import) -> str | None:
    """The module of ours an import depends on: ``from bot.flows import form`` is bot.flows.form."""
    modules = _modules()
    if imp.name and f"{imp.module}.{imp.name}" in modules:
        return f"{imp.module}.{imp.name}"
    return imp.module if imp.module in modules else None


def _in(path: str, *folders: str) -> bool:
    return any(path.startswith(folder + "/") for folder in folders)


def _top(module: str) -> str:
    return module.split(".")[0]


def test_flows_import_no_transport() -> None:
    offenders = [
        str(i)
        for i in _imports()
        if _in(i.path, "bot/flows") and _top(i.module) in {"telegram", "httpx", "starlette", "uvicorn"}
    ]
    assert offenders == []


def test_storage_never_imports_bot() -> None:
    offenders = [str(i) for i in _imports() if _in(i.path, "storage") and _top(i.module) == "bot"]
    assert offenders == [], "storage imports bot"


def test_services_import_no_flows_or_handlers() -> None:
    offenders = [
        str(i)
        for i in _imports()
        if _in(i.path, "bot/services") and (_target(i) or "").startswith(("bot.flows", "bot.handlers"))
    ]
    assert offenders == [], "a service imports a flow or a handler"


def test_handlers_do_not_import_storage() -> None:
    offenders = {str(i) for i in _imports() if _in(i.path, "bot/handlers") and _top(i.module) == "storage"}
    assert offenders == set(), "a handler imports storage; go through the engine"


def test_no_module_takes_another_modules_private_name() -> None:
    offenders = [
        str(i) for i in _imports() if i.name and i.name.startswith("_") and i.name != "_" and _top(i.module) in PACKAGES
    ]  # ``_`` is gettext, public by convention
    assert offenders == [], "a module imports another module's _private name"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for imp in _imports():
        target = _target(imp)
        source = _module_of(ROOT / imp.path)
        if target and target != source:
            graph[source].add(target)
    cycles = _cycles(graph)
    assert cycles == [], "import cycles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE | re.MULTILINE)


@cache
def _storage_writes() -> dict[str, frozenset[str]]:
    """Per storage module, its write functions: whose SQL writes, or that call one of them."""
    found = {}
    for module, path in _modules().items():
        if _top(module) != "storage":
            continue
        functions = {
            node.name: node
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        }
        writes = {
            name
            for name, fn in functions.items()
            if any(
                isinstance(n, ast.Constant) and isinstance(n.value, str) and WRITE_SQL.search(n.value)
                for n in ast.walk(fn)
            )
        }
        grew = True
        while grew:
            calling = {
                name
                for name, fn in functions.items()
                if any(isinstance(n, ast.Name) and n.id in writes for n in ast.walk(fn))
            }
            grew = not calling <= writes
            writes |= calling
        found[module] = frozenset(writes)
    return found


def _flow_storage_writes() -> set[str]:
    writes = _storage_writes()
    offenders = set()
    for path in (ROOT / "bot" / "flows").rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        if rel in RUNTIME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name → storage module
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _top(alias.name) == "aiosqlite":
                        offenders.add(f"{rel}:{node.lineno}: import aiosqlite")
                    if alias.name in writes:
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                if _top(node.module) == "aiosqlite":
                    offenders.add(f"{rel}:{node.lineno}: from aiosqlite import ...")
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in writes:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    elif alias.name in writes.get(node.module, ()):
                        offenders.add(f"{rel}:{node.lineno}: from {node.module} import {alias.name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                module = aliases[node.value.id]
                if node.attr in writes[module]:
                    offenders.add(f"{rel}:{node.lineno}: {module}.{node.attr}")
    return offenders


def test_flows_write_only_through_services() -> None:
    offenders = _flow_storage_writes()
    assert offenders == set(), "a flow writes to storage or imports aiosqlite; call a bot/services function"


def test_write_functions_are_recognised() -> None:
    """The rule above can fail: storage's known writes are seen as writes."""
    writes = _storage_writes()
    assert "set_language" in writes["storage.users"]
    assert "get" not in writes["storage.users"]


def test_only_storage_speaks_sql() -> None:
    speaking = []
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if any(word in source for word in ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM")):
            speaking.append(str(path.relative_to(ROOT)))
    assert speaking == []


def test_the_cycle_finder_finds_a_circle() -> None:
    """The cycle rule can fail: a circle through three modules is reported, a chain is not."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_engine_knows_no_feature() -> None:
    """The engine routes by the registry's declarations (onboarding, home reply, cancelling
    command, expiry notice): it imports no feature module, names no flow or command, and
    finds nothing by name with getattr."""
    from bot.flows.features import build_registry

    registry = build_registry()
    names = set(registry.flows) | set(registry.commands) | set(registry.aliases)
    engine = ROOT / "bot" / "flows" / "engine.py"
    features = [
        str(i)
        for i in _imports()
        if i.path == "bot/flows/engine.py"
        and (_target(i) or "").startswith("bot.flows.")
        and _target(i) != "bot.flows.registry"
    ]
    tree = ast.parse(engine.read_text(encoding="utf-8"))
    named = sorted({n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in names})
    found_by_name = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in ("getattr", "hasattr")]
    assert (features, named, found_by_name) == ([], [], [])


def test_the_readme_tree_names_every_package_and_module_of_bot() -> None:
    """The README's "How the code is laid out" shows the code as it is: every package of
    ``bot/`` (as ``name/``) and every module directly in ``bot/`` (as ``name.py``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## How the code is laid out") :]
    tree = section[section.index("```") : section.index("```", section.index("```") + 3)]
    bot = ROOT / "bot"
    packages = {p.parent.name for p in bot.rglob("__init__.py") if p.parent != bot}
    folders = {p.name for p in bot.iterdir() if p.is_dir() and p.name != "__pycache__"}
    modules = {p.name for p in bot.glob("*.py")}
    missing = sorted(
        [f"{name}/" for name in packages | folders if f"{name}/" not in tree]
        + [name for name in modules if name not in tree]
    )
    assert missing == [], "the README's tree does not show " + ", ".join(missing)
