"""What to say when a Keras name is missing from kteach: ``kteach.layers.Conv3D``.

``keras_names.json`` (next to this file) lists the public names of the Keras 3 modules that
kteach mirrors; ``tests/fixtures/make_keras_names.py`` writes it from a real Keras 3. Each of
kteach's public modules ends with::

    def __getattr__(name):
        raise missing_name(__name__, name, globals())

Python calls a module's ``__getattr__`` only for a name the module does not have, so this
costs nothing for the names that work. The error is a :class:`MissingNameError`, an
``AttributeError`` -- ``hasattr(kteach.layers, "Conv3D")`` is simply ``False`` -- whose
message says one of two things:

* the name is in Keras 3:  ``kteach does not have keras.layers.Conv3D (Keras 3 does).`` and
  the closest names kteach has (``Conv2D``, ``Conv1D``);
* the name is not in Keras either: most likely a typo, so ``Did you mean 'Dense'?``.
"""
from __future__ import annotations

import functools
import json
import sys
import types
from pathlib import Path
from typing import Any

from .errors import KteachError, closest


class MissingNameError(KteachError, AttributeError):
    """A module of kteach does not have this name (an AttributeError, so ``hasattr`` and
    ``getattr(module, name, default)`` work as usual)."""


class MissingNameImportError(KteachError, ImportError):
    """``from kteach.layers import Conv3D``: the same message as :class:`MissingNameError`."""


@functools.lru_cache(maxsize=None)
def keras_names() -> dict[str, frozenset[str]]:
    """``{'keras.layers': {'Dense', 'Conv3D', ...}, ...}``, read once from the JSON file."""
    data = json.loads((Path(__file__).with_name("keras_names.json")).read_text("utf-8"))
    return {module: frozenset(names) for module, names in data["modules"].items()}


def keras_module(kteach_module: str) -> str:
    """``'kteach.layers'`` -> ``'keras.layers'``, ``'kteach'`` -> ``'keras'``."""
    return "keras" + kteach_module[len("kteach"):]


def own_names(module_name: str, namespace: dict[str, Any]) -> list[str]:
    """The public names of a kteach module: its ``__all__`` if it has one, else what it
    defines itself (not ``np``, ``Any`` or other names it merely imports)."""
    if "__all__" in namespace:
        return sorted(namespace["__all__"])
    out = []
    for n, value in namespace.items():
        if n.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if getattr(value, "__module__", None) == module_name:
            out.append(n)
    return sorted(out)


def missing_name(module_name: str, name: str, namespace: dict[str, Any]) -> MissingNameError:
    """The error for ``getattr(<module_name>, name)`` when the module's ``namespace``
    (its ``globals()``) lacks ``name``. Return it; the caller raises it."""
    plain = f"module {module_name!r} has no attribute {name!r}"
    if name.startswith("__"):  # Python and tools probe these (__path__, __wrapped__ ...)
        return MissingNameError(plain)
    has = own_names(module_name, namespace)
    near = closest(name, has)
    keras = keras_module(module_name)
    if name in keras_names().get(keras, ()):
        if near:
            hint = "The closest names kteach has: " + ", ".join(f"{module_name}.{n}"
                                                              for n in near) + "."
        else:  # nothing looks alike: list the names of the same kind (classes or functions)
            kind = [n for n in has if n[:1].isupper() == name[:1].isupper()]
            hint = (f"kteach has: {', '.join(kind)}." if 0 < len(kind) <= 30
                    else f"dir({module_name}) lists what kteach has.")
        if module_name != "kteach":
            hint += (f" Or write it yourself: help({module_name}) shows how the built-in ones "
                     f"are made.")
        return MissingNameError(f"kteach does not have {keras}.{name} (Keras 3 does). {hint}")
    if near:
        return MissingNameError(
            f"{plain}. Did you mean " + " or ".join(repr(n) for n in near) + "? "
            "(Names are case-sensitive, as in Keras.)")
    return MissingNameError(
        f"{plain}, and Keras 3's {keras} does not have it either. dir({module_name}) lists "
        f"what kteach has.")


class _KerasNameFinder:
    """The last entry of ``sys.meta_path``: asked only after every real finder has failed.

    ``from kteach.layers import Conv3D`` first asks ``kteach.layers`` for the attribute (our
    ``__getattr__`` says no), then, because ``kteach.layers`` is a package, tries to import
    a submodule ``kteach.layers.Conv3D``; Python would then raise a bare "cannot import
    name". For a Keras 3 name that kteach lacks, this finder raises an ImportError with the
    same message as ``kteach.layers.Conv3D`` would. (From a plain module such as
    ``kteach.activations`` Python asks no finder, so there the message stays Python's own.)
    Every other name is left alone (``None``: "not mine").
    """

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> None:
        parent, _, name = fullname.rpartition(".")
        module = sys.modules.get(parent)
        if module is None or not parent.startswith("kteach") or name.startswith("_"):
            return None
        if name in vars(module) or name not in keras_names().get(keras_module(parent), ()):
            return None
        raise MissingNameImportError(str(missing_name(parent, name, vars(module))))


if not any(isinstance(f, _KerasNameFinder) for f in sys.meta_path):
    sys.meta_path.append(_KerasNameFinder())
