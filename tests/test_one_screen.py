"""The one-screen promise of DESIGN.md, kept true by a test.

"Every layer's forward and backward pass fits on one screen, with its formula in the
docstring." For each layer class of ``kteach.layers`` this reads the source of the module the
class was defined in (found from ``cls.__module__``, so a module inside a package counts the
same) and, with ``ast``, checks that

* the class body starts with its docstring, then (optionally) ``__init__``, then ``forward``,
  then ``backward`` -- only plain class attributes (``_config_keys = ...``) may stand between
  them, no other method;
* from the last line of the docstring to the last line of ``backward`` is at most
  ``SCREEN_LINES`` lines, so formula, forward and backward are read together.

A class that does not write its own ``forward`` and ``backward`` must be named in
``NO_OWN_PASS`` with the reason; a class named there that does write them fails, so the list
cannot go stale. The classes that the exported ones inherit their pass from (``_Conv``,
``_Pooling``, ...) and every other layer class defined in a module under ``kteach.layers``
that writes a ``forward`` or ``backward`` are measured by the same rule.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
from functools import cache
from pathlib import Path

import pytest

import kteach.layers
from kteach.engine.layer import Layer

SCREEN_LINES = 80

# Layer classes that do not write their own forward and backward, and why that is fine
# (exported ones, and SpatialDropout1D/2D, defined in noise.py and about to be exported).
NO_OWN_PASS: dict[str, str] = {
    # Same pass as a parent; the subclass only fixes the rank or the defaults of the config.
    "Conv1D": "inherits _Conv's forward/backward; only sets rank 1",
    "Conv2D": "inherits _Conv's forward/backward; only sets rank 2",
    "Conv1DTranspose": "inherits _ConvTranspose's forward/backward; only sets rank 1",
    "Conv2DTranspose": "inherits _ConvTranspose's forward/backward; only sets rank 2",
    "MaxPooling1D": "inherits _Pooling's forward/backward; only sets rank and 'max'",
    "MaxPooling2D": "inherits _Pooling's forward/backward; only sets rank and 'max'",
    "AveragePooling1D": "inherits _Pooling's forward/backward; only sets rank and 'average'",
    "AveragePooling2D": "inherits _Pooling's forward/backward; only sets rank and 'average'",
    "GlobalMaxPooling1D": "inherits _GlobalPooling's forward/backward; only sets rank, 'max'",
    "GlobalMaxPooling2D": "inherits _GlobalPooling's forward/backward; only sets rank, 'max'",
    "GlobalAveragePooling2D": "inherits _GlobalPooling's forward/backward; sets rank, 'average'",
    "Minimum": "inherits Maximum's forward/backward; only flips the comparison",
    "RandomRotation": "inherits _AffineAugmentation's pass; only defines the sampled transform",
    "RandomTranslation": "inherits _AffineAugmentation's pass; only defines the sampled transform",
    "RandomZoom": "inherits _AffineAugmentation's pass; only defines the sampled transform",
    "SpatialDropout1D": "inherits Dropout's forward/backward; only draws one mask per channel",
    "SpatialDropout2D": "inherits Dropout's forward/backward; only draws one mask per channel",
    # Noise layers draw their own noise in forward; backward is _Noise's dy·mask.
    "GaussianNoise": "writes forward (adds noise); backward dx = dy is _Noise's",
    "GaussianDropout": "writes forward (draws the mask); backward dx = dy·mask is _Noise's",
    "AlphaDropout": "writes forward (draws the mask); backward dx = a·dy·mask is _Noise's",
    # No hand-written pass at all.
    "Lambda": "call-only layer: its gradient comes from the tape replaying the call",
    "StringLookup": "uses _IndexLookup's forward and backward (no gradient: a lookup of tokens)",
    "IntegerLookup": "uses _IndexLookup's forward and backward (no gradient: a lookup of integers)",
}


# ----- finding the classes and their source -------------------------------------------------
def _layer_modules() -> list:
    """Every module under kteach.layers, imported (a package's modules too)."""
    modules = [kteach.layers]
    for info in pkgutil.walk_packages(kteach.layers.__path__, "kteach.layers."):
        modules.append(importlib.import_module(info.name))
    return modules


def _in_layer_module(cls: type) -> bool:
    return cls.__module__.startswith("kteach.layers.")


def _exported_classes() -> list[type]:
    """The layer classes behind kteach.layers' public names, each once (aliases folded)."""
    found: dict[int, type] = {}
    names = getattr(kteach.layers, "__all__", None) or [n for n in dir(kteach.layers)
                                                        if not n.startswith("_")]
    for name in names:
        obj = getattr(kteach.layers, name)
        if inspect.isclass(obj) and issubclass(obj, Layer) and _in_layer_module(obj):
            found.setdefault(id(obj), obj)
    return sorted(found.values(), key=lambda c: c.__name__)


@cache
def _module_tree(module_name: str) -> tuple[str, ast.Module]:
    path = Path(sys.modules[module_name].__file__)
    return str(path), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _class_node(cls: type) -> tuple[str, ast.ClassDef]:
    """The ``class`` statement of ``cls`` in its module's source (top level, by name)."""
    path, tree = _module_tree(cls.__module__)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return path, node
    raise AssertionError(f"{path}: no top-level `class {cls.__name__}` found although "
                         f"{cls.__module__}.{cls.__name__} exists; define layer classes at the "
                         f"top level of their module so they can be read (and measured).")


def _methods(node: ast.ClassDef) -> dict[str, ast.AST]:
    return {s.name: s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _writes_pass(cls: type) -> bool:
    methods = _methods(_class_node(cls)[1])
    return "forward" in methods or "backward" in methods


def _measured_classes() -> list[type]:
    """Layer classes whose own source has a forward or a backward: the exported ones, what
    they inherit from in kteach.layers, and any other layer class of a layer module."""
    found: dict[int, type] = {}
    candidates = list(_exported_classes())
    for cls in list(candidates):
        candidates += [base for base in cls.__mro__[1:] if _in_layer_module(base)]
    for module in _layer_modules():
        candidates += [obj for obj in vars(module).values()
                       if inspect.isclass(obj) and issubclass(obj, Layer)
                       and obj.__module__ == module.__name__]
    for cls in candidates:
        if _writes_pass(cls):
            found.setdefault(id(cls), cls)
    return sorted(found.values(), key=lambda c: (c.__module__, c.__name__))


# ----- the measurement ----------------------------------------------------------------------
def _first_line(stmt: ast.AST) -> int:
    """Where a statement starts, decorators included."""
    return min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])


def one_screen_problems(cls: type) -> tuple[list[str], int | None]:
    """What keeps ``cls`` from reading docstring → __init__ → forward → backward on one screen,
    and the measured distance (docstring end to backward end), for the failure message."""
    path, node = _class_node(cls)
    where = f"{path}: class {cls.__name__} (line {node.lineno})"
    body = node.body
    if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        return [(f"{where} has no docstring; start the class with one that states the "
                 f"shapes, the formula and the backward formula.")], None
    doc_end = body[0].end_lineno
    methods = _methods(node)
    problems = []
    wanted = [name for name in ("__init__", "forward", "backward") if name in methods]
    lines = {name: methods[name].lineno for name in wanted}
    if wanted != sorted(wanted, key=lines.get):
        order = ", ".join(f"{name} (line {lines[name]})" for name in sorted(wanted, key=lines.get))
        problems.append(f"{where}: the methods stand as {order}; put them in the order "
                        f"__init__, forward, backward, right after the docstring.")
    pass_names = [name for name in ("forward", "backward") if name in methods]
    first_pass = min(methods[name].lineno for name in pass_names)
    between = [s for s in body[1:] if _first_line(s) < first_pass
               and isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               and s.name != "__init__"]
    if between:
        names = ", ".join(f"{s.name} (line {s.lineno})" for s in between)
        problems.append(f"{where}: {names} stand(s) between the docstring (ends line {doc_end}) "
                        f"and the pass (line {first_pass}); move them below backward.")
    last = methods["backward"] if "backward" in methods else methods["forward"]
    distance = last.end_lineno - doc_end
    if distance > SCREEN_LINES:
        problems.append(
            f"{where}: {distance} lines from the end of the docstring (line {doc_end}) to the "
            f"end of {last.name} (line {last.end_lineno}), more than one screen "
            f"({SCREEN_LINES}). Shorten __init__/forward/backward: move argument checks and "
            f"shape bookkeeping into helpers placed after backward (or into module "
            f"functions), keeping the formula's lines in forward and backward.")
    return problems, distance


# ----- the tests ----------------------------------------------------------------------------
def _param(cls: type):
    return pytest.param(cls, id=f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}")


@pytest.mark.parametrize("cls", [_param(c) for c in _measured_classes()])
def test_forward_and_backward_fit_on_one_screen(cls):
    problems, _ = one_screen_problems(cls)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cls", [_param(c) for c in _exported_classes()])
def test_every_exported_layer_writes_its_pass_or_says_why_not(cls):
    path, node = _class_node(cls)
    methods = _methods(node)
    own = [name for name in ("forward", "backward") if name in methods]
    if cls.__name__ in NO_OWN_PASS:
        assert own != ["forward", "backward"], (
            f"{path}: class {cls.__name__} (line {node.lineno}) now writes its own forward "
            f"and backward, but NO_OWN_PASS in tests/test_one_screen.py still excuses it "
            f"({NO_OWN_PASS[cls.__name__]!r}); delete that entry.")
    else:
        assert own == ["forward", "backward"], (
            f"{path}: class {cls.__name__} (line {node.lineno}) writes "
            f"{' and '.join(own) or 'neither forward nor backward'} itself. Write both, "
            f"with the formula in the docstring, or add it to NO_OWN_PASS in "
            f"tests/test_one_screen.py with the reason (e.g. 'inherits X's pass unchanged').")


def test_no_own_pass_names_real_classes():
    """Every excused name is a layer class of some module under kteach.layers (exported or
    about to be), so a renamed or deleted class does not leave its excuse behind."""
    known = {obj.__name__ for module in _layer_modules() for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, Layer) and _in_layer_module(obj)}
    unknown = sorted(set(NO_OWN_PASS) - known)
    assert not unknown, (f"NO_OWN_PASS in tests/test_one_screen.py names {unknown}, which no "
                         f"module under kteach.layers defines (any more); delete those entries.")


def test_the_measure_sees_a_long_or_misordered_class(tmp_path, monkeypatch):
    """The check itself can fail: a class padded past a screen, or with a helper above its
    forward, is reported with file, class, lines and distance."""
    source = ('from kteach.engine.layer import Layer\n'
              'class Long(Layer):\n    """y = x."""\n'
              '    def helper(self):\n        pass\n'
              '    def forward(self, x, training=False):\n'
              + "        x = x\n" * SCREEN_LINES +
              '        return x, None\n'
              '    def backward(self, cache, dy):\n        return dy, []\n')
    (tmp_path / "kteach_long_layer.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("kteach_long_layer")
    problems, distance = one_screen_problems(module.Long)
    assert distance == SCREEN_LINES + 6
    assert any("helper (line 4)" in p for p in problems)
    assert any(f"{distance} lines" in p and "kteach_long_layer.py" in p for p in problems)
