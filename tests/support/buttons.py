"""Every button label the code can build from a catalog, found by reading the source.

A label is the second argument (or ``label=``) of an ``Option(...)`` call, or the
return value of a ``*_label`` function, when it is a ``_()``, ``pgettext()`` or
``ngettext()`` call with literal strings (or a name bound to such strings via ``N_``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


@dataclass(frozen=True)
class ButtonText:
    where: str  # file:line, for the failure message
    context: str | None
    singular: str
    plural: str | None = None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _translated(node: ast.expr, where: str) -> list[ButtonText]:
    """The catalog texts a label expression can show (looking through f-strings, '+' and 'x if c else y')."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _translated(node.func.value, where)
    if isinstance(node, ast.Lambda):
        return _translated(node.body, where)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name, args = node.func.id, [_literal(a) for a in node.args]
        if name in ("_", "gettext", "N_") and args and args[0] is not None:
            return [ButtonText(where, None, args[0])]
        if name == "pgettext" and len(args) >= 2 and args[0] is not None and args[1] is not None:
            return [ButtonText(where, args[0], args[1])]
        if name == "ngettext" and len(args) >= 2 and args[0] is not None and args[1] is not None:
            return [ButtonText(where, None, args[0], args[1])]
    if isinstance(node, ast.BinOp):
        return _translated(node.left, where) + _translated(node.right, where)
    if isinstance(node, ast.IfExp):
        return _translated(node.body, where) + _translated(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        found = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                found += _translated(value.value, where)
        return found
    return []


def _assigned(scope: ast.AST, name: str) -> list[ast.expr]:
    """What a local name is set to in its function, for ``label = _(...) ...; Option(key, label)``."""
    return [
        node.value
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def _n_dicts(tree: ast.Module) -> list[ast.expr]:
    """Module-level ``{key: N_("..."), ...}`` tables: the answer choices, tracks and kinds shown on buttons."""
    values: list[ast.expr] = []
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if (
            isinstance(value, ast.Dict)
            and value.values
            and all(
                isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "N_" for v in value.values
            )
        ):
            values += value.values
    return values


# Tables of N_ texts that are shown in running text, never on a button (the web console's
# labels name statuses, decisions and refusals on its pages, not on chat buttons).
NOT_BUTTONS = {"bot/reference/texts.py", "bot/flows/link.py", "bot/web/labels.py"}
# Functions named *_label whose texts are shown in running text.
NOT_BUTTON_FUNCTIONS = {"segment_label"}


def catalog_button_texts(bot_dir: Path = BOT_DIR) -> list[ButtonText]:
    found: list[ButtonText] = []
    for path in sorted(bot_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = str(path.relative_to(bot_dir.parent))
        if relative not in NOT_BUTTONS:
            for value in _n_dicts(tree):
                found += _translated(value, f"{relative}:{value.lineno}")
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in ast.walk(tree):
            where = f"{relative}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                labels = [k.value for k in node.keywords if k.arg in ("label", "shortcut")]
                if isinstance(node.func, ast.Name) and node.func.id == "Option":
                    labels += node.args[1:2]
                for label in labels:
                    found += _translated(label, where)
                    if isinstance(label, ast.Name):
                        scope = next((f for f in functions if node in ast.walk(f)), tree)
                        for value in _assigned(scope, label.id):
                            found += _translated(value, where)
            elif (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.endswith("_label")
                and node.name not in NOT_BUTTON_FUNCTIONS
            ):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        found += _translated(ret.value, where)
    return found
