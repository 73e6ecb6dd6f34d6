"""The shape of the package, as issue 18 asks: no import cycles among toolkit modules, and ``toolkit.cli`` is a
leaf that nothing else imports and that imports no spreadsheet library.

Imports are read from the source (every ``import`` and ``from … import`` anywhere in a module, inside functions
too: a lazy import still closes a cycle when it runs). Imports under ``if TYPE_CHECKING:`` are left out: they
never run, and exist only for annotations.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import toolkit

ROOT = Path(toolkit.__file__).resolve().parent
SPREADSHEET_LIBRARIES = ("openpyxl", "xlsxwriter", "python_calamine")


def _module_name(path: Path) -> str:
    parts = ["toolkit", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under an ``if TYPE_CHECKING:`` block."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


@cache
def _imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(toolkit modules ``module`` imports, top-level names of the outside packages it imports)."""
    modules = _modules()
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    inside: set[str] = set()
    outside: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            submodules = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in modules]
            names_only = len(submodules) < len(node.names)
            targets = submodules + ([origin] if names_only or not submodules else [])
        else:
            continue
        for target in targets:
            if target.split(".")[0] != "toolkit":
                outside.add(target.split(".")[0])
                continue
            while target not in modules and "." in target:  # ``import toolkit.a.b`` of a name inside a module
                target = target.rpartition(".")[0]
            if target != module:
                inside.add(target)
    return frozenset(inside), frozenset(outside)


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph = {m: sorted(_imports(m)[0]) for m in _modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _in_cli(module: str) -> bool:
    return module == "toolkit.cli" or module.startswith("toolkit.cli.")


def test_the_graph_reader_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    """The reader of imports finds an import inside a function and leaves out one under TYPE_CHECKING."""
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\ndef f():\n    import b\n")
    names = {alias.name for node in _runtime_nodes(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert names == {"b"}


def test_no_import_cycles_among_toolkit_modules() -> None:
    """No module reaches itself through the imports that run (module-level and lazy alike)."""
    assert _cycles() == []


def test_only_cli_imports_cli() -> None:
    """``toolkit.cli`` is the terminal's layer: no module of the package imports it but ``python -m toolkit``'s
    ``__main__``, the other way in to the same command."""
    outside = [m for m in _modules() if not _in_cli(m) and m != "toolkit.__main__"]
    offenders = {m: sorted(t for t in _imports(m)[0] if _in_cli(t)) for m in outside}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_cli_imports_no_spreadsheet_library() -> None:
    """``toolkit.cli`` parses and presents: reading and writing workbooks is the library's, behind ``toolkit.api``."""
    cli_modules = [m for m in _modules() if _in_cli(m)]
    assert cli_modules, "toolkit.cli should be a package"
    offenders = {m: sorted(set(_imports(m)[1]) & set(SPREADSHEET_LIBRARIES)) for m in cli_modules}
    assert {m: libs for m, libs in offenders.items() if libs} == {}
