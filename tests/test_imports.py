"""Imports point one way: every kteach module imports on its own in a fresh interpreter, the
module-level imports form no cycle, and an import at a call site that points back up the
engine's order says why on its line."""
import ast
import functools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kteach"
ROOT = PACKAGE.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def module_level_imports(body: list) -> list:
    """The import statements that run when the module is imported: at the top level, and in
    top-level ``if``/``try`` blocks (not ``if TYPE_CHECKING:``, which never runs)."""
    found = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and not _type_checking_only(node):
            found += module_level_imports(node.body) + module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            found += module_level_imports(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                found += module_level_imports(handler.body)
    return found


def imported_modules(name: str, node: ast.AST) -> set[str]:
    """The kteach modules an import statement in module ``name`` loads (``from . import x``
    counts as the submodule ``x`` when there is one, else as the package)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in MODULES}
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    if node.level:
        parts = package.split(".")[:len(package.split(".")) - node.level + 1]
        base = ".".join(parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    targets = {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
    return {t for t in targets if t in MODULES and t != name}


@functools.lru_cache(maxsize=None)
def import_graph() -> dict[str, set[str]]:
    """Module -> the kteach modules it imports when it is imported."""
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = set().union(*[imported_modules(name, n)
                                    for n in module_level_imports(tree.body)])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle ``[a, b, ..., a]`` of the graph, or None (a depth-first walk)."""
    on_path: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        on_path.append(node)
        for nxt in sorted(graph[node]):
            if nxt in on_path:
                return on_path[on_path.index(nxt):] + [nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        on_path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_module_level_imports_form_no_cycle():
    graph = import_graph()
    assert graph["kteach.engine.graph"] >= {"kteach.engine.layer", "kteach.engine.tensor"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_engine_has_one_order():
    """The engine's modules sorted so that each imports (at module level) only earlier ones;
    an import inside a function that reaches back to a later module carries a comment
    saying why it is there and not at the top."""
    graph = import_graph()
    engine = sorted(n for n in graph if n.startswith("kteach.engine."))
    undocumented = []
    for name in engine:
        lines = MODULES[name].read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        top = set(module_level_imports(tree.body))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or node in top:
                continue
            for target in imported_modules(name, node):
                if name in reaches(graph, target) and "#" not in lines[node.lineno - 1] \
                        and "#" not in lines[node.lineno - 2]:
                    undocumented.append(f"{name}:{node.lineno} imports {target}")
    assert undocumented == []


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a fresh process per module")
def test_every_module_imports_first_in_a_fresh_interpreter():
    """Importing ``kteach.a.b`` first runs ``kteach/__init__.py`` first: so a fresh ``import
    kteach`` brings up every module it loads in the one order there is, and each other module
    (widgets, viz, exercises ...) is imported first in a child forked just after it, which is
    where a fresh ``import kteach.widgets.lab`` would be at that point."""
    result = _run(f"""
        import importlib, os, sys, traceback
        import kteach
        loaded = {{m for m in sys.modules if m.startswith("kteach")}}
        lazy = sorted(set({sorted(MODULES)!r}) - loaded)
        assert "kteach.viz.diagram" in lazy and "kteach.engine.graph" not in lazy, lazy
        failed = []
        for name in lazy:
            pid = os.fork()
            if pid == 0:
                try:
                    importlib.import_module(name)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            if os.waitpid(pid, 0)[1] != 0:
                failed.append(name)
        print(len(loaded), "with kteach,", len(lazy), "on their own; failed:", failed)
    """)
    assert result.returncode == 0 and "failed: []" in result.stdout, result.stdout + result.stderr


def test_a_model_finds_its_diagram_without_importing_viz_itself():
    result = _run("""
        import sys
        import kteach
        from kteach import layers
        assert "kteach.viz" not in sys.modules     # import kteach stays free of it
        model = kteach.Sequential([kteach.Input((3,)), layers.Dense(2)])
        assert model._repr_mimebundle_() is None   # the default: Keras' one-line repr
        kteach.config.set_model_display("diagram")
        bundle, metadata = model._repr_mimebundle_()
        print(sorted(bundle))
    """)
    assert result.returncode == 0, result.stderr
    assert "image/svg+xml" in result.stdout
