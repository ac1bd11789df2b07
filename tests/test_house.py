"""The house rules, read from the source: who may take an org's lock, who imports whom, no import circle."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from mock_server.domain.store import OrgStore

PACKAGE = Path(__file__).resolve().parent.parent / "mock_server"
# Kustomer's rules know nothing of the web, the wire schemas, the stores or the mock's own machinery
DOMAIN_MAY_NOT_IMPORT = ("flask", "werkzeug", "marshmallow", "mock_server.schemas", "mock_server.api",
                         "mock_server.control", "mock_server.store", "mock_server.webhooks", "mock_server.state")
# function-local imports inside the layers, each loaded late on purpose (and why)
LAZY = {
    ("mock_server.control.views.service", "mock_server.control.openapi"): "apispec stays off the boot path",
    ("mock_server.control.snapshot", "mock_server.errors"): "only a --state-file at boot needs them",
    ("mock_server.control.snapshot", "mock_server.state"): "only a --state-file at boot needs them",
    ("mock_server.serving", "mock_server.state"): "the state's parts import serving for its environ keys",
}
ENTRY_POINTS = ("mock_server", "mock_server.cli", "mock_server.testing", "mock_server.client",
                "mock_server.pytest_plugin", "mock_server.__main__")


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()


def _targets(module: str, node: ast.AST) -> list[str]:
    """The modules an import statement loads (a `from pkg import sub` names the submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module if _is_package(module) else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    source = ".".join(filter(None, (base if node.level else "", node.module or "")))
    subs = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in MODULES]
    return subs or [source]


def _imports(module: str, tree: ast.Module) -> tuple[list[str], list[str]]:
    """(imports run at load time, imports inside functions); typing-only imports are neither."""
    top, local = [], []

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                (local if in_function else top).extend(_targets(module, child))
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))
    walk(tree, False)
    return top, local


IMPORTS = {name: _imports(name, tree) for name, tree in MODULES.items()}


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_nothing_outside_the_org_takes_its_lock():
    offenders = []
    for name, tree in MODULES.items():
        if name == "mock_server.domain.org":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("lock", "_lock") and not (
                    isinstance(node.value, ast.Name) and node.value.id == "self"):
                offenders.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


@pytest.mark.parametrize("module", sorted(n for n in MODULES if n.startswith("mock_server.domain")))
def test_the_domain_imports_no_web_schema_store_or_machinery(module):
    top, local = IMPORTS[module]
    assert [t for t in top + local if _within(t, DOMAIN_MAY_NOT_IMPORT)] == []


def test_only_the_control_wing_imports_the_fault_hook_and_the_journal():
    wired_by = {"mock_server"}   # create_app puts them in the pipeline
    offenders = [(name, target) for name, (top, local) in IMPORTS.items() for target in top + local
                 if target in ("mock_server.control.faults", "mock_server.control.journal")
                 and not _within(name, ("mock_server.control",)) and name not in wired_by]
    assert offenders == []


def test_no_function_local_import_inside_the_layers_but_the_lazy_ones():
    # entry points load their parts late so `kustomer-mock --help` and the pytest plugin stay quick
    offenders = [(name, target) for name, (_, local) in IMPORTS.items() for target in local
                 if target.startswith("mock_server") and name != "mock_server"
                 and not _within(name, ENTRY_POINTS[1:]) and (name, target) not in LAZY]
    assert offenders == []


def test_no_import_circle():
    graph = {name: {t for t in top if t in MODULES and t != name} for name, (top, _) in IMPORTS.items()}
    # a package's __init__ importing its own submodules is how a package is built, not a circle
    graph = {name: {t for t in targets if not (_is_package(t) and name.startswith(t + "."))}
             for name, targets in graph.items()}
    assert _circles(graph) == []


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
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
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("store_class", ["mock_server.store.memory.MemoryStore", "mock_server.store.redis.RedisStore"])
def test_every_store_implements_the_whole_store_interface(store_class):
    module, _, name = store_class.rpartition(".")
    implementation = getattr(importlib.import_module(module), name)
    wanted = {n for n, member in vars(OrgStore).items() if inspect.isfunction(member) and not n.startswith("_")}
    missing = {n for n in wanted if not callable(getattr(implementation, n, None))}
    assert missing == set()
    for method in wanted:   # the same parameters, so a caller written against one store works on the other
        assert list(inspect.signature(getattr(implementation, method)).parameters) == \
            list(inspect.signature(getattr(OrgStore, method)).parameters), method
