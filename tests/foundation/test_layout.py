"""The house's plan holds: no import runs in a circle (between modules, or between the domain
packages of `handlers/`), `handlers/` never imports a chat platform's library, and no module
or class has outgrown its room."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "models", "scheduler", "config")
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "botbuilder", "botframework")
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module `module` imports, anywhere in it (functions and TYPE_CHECKING included)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".strip(".")
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        is_package = path.name == "__init__.py"
        graph[name] = {
            target
            for target in _imported(tree, name, is_package)
            if target in modules and target != name
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _without_parent_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A module importing from its own package's `__init__` is not a circle of ours: drop the
    edges from a package to the modules inside it that Python itself implies."""
    return {
        module: {t for t in targets if not t.startswith(f"{module}.")}
        for module, targets in graph.items()
    }


def test_no_import_runs_in_a_circle() -> None:
    graph = _without_parent_packages(_graph())
    assert len(graph) > 100, "the scan found too few modules to be trusted"
    assert _cycles(graph) == []


def test_the_domains_of_handlers_import_one_way() -> None:
    def domain(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if parts[0] == "handlers" and len(parts) > 2 else None

    domains: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        source = domain(module)
        if source is None:
            continue
        domains.setdefault(source, set()).update(
            target_domain
            for target in targets
            if (target_domain := domain(target)) not in (None, source)
        )
    assert {"core", "support", "roster", "reports", "privacy", "chat"} <= set(domains)
    assert _cycles(domains) == []
    assert domains["core"] == set() and domains["safety"] == set()


def test_handlers_never_import_a_chat_platforms_library() -> None:
    for name, path in _modules().items():
        if not name.startswith("handlers"):
            continue
        tree = ast.parse(path.read_text())
        imported = set(_imported(tree, name, path.name == "__init__.py"))
        assert not [m for m in imported if m.startswith(PLATFORM_LIBRARIES)], name


@pytest.mark.parametrize("package", ["handlers", "bot"])
def test_no_module_or_class_has_outgrown_its_room(package: str) -> None:
    for name, path in _modules().items():
        if not name.startswith(package):
            continue
        source = path.read_text()
        assert source.count("\n") <= MAX_MODULE_LINES, f"{name}: {source.count(chr(10))} lines"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= MAX_CLASS_LINES, f"{name}.{node.name}: {length} lines"


def test_every_domain_package_says_what_it_holds() -> None:
    for path in sorted((ROOT / "handlers").glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        assert docstring and len(docstring) > 60, path.parent.name
