"""The weights file of Keras 3: ``model.weights.h5`` (inside a ``.keras`` zip, or on its own as
``x.weights.h5``).

An HDF5 file (written with h5py, as Keras does) that mirrors the model's object tree. Each object
that owns variables gets a group ``<path>/vars`` whose datasets ``0``, ``1``, ... are its
variables in creation order, and whose attribute ``name`` is the object's name. The facts below
were read from files that Keras 3.15.1 wrote (``tests/test_keras_interop.py`` checks them
against real Keras):

* the model itself: ``vars`` (no datasets; attribute ``name`` = the model's name);
* a Sequential's or functional model's layers: ``layers/<class>/vars``, where ``<class>`` is
  the *class* name in snake case, numbered in ``model.layers`` order: ``layers/dense``,
  ``layers/dense_1``, ``layers/dropout`` ... (never the layer's own name, which may differ
  between two copies of the same model). A functional model's ``InputLayer``s count
  (``layers/input_layer``); a Sequential's ``layers`` has none. A nested model is its own tree:
  ``layers/sequential/layers/dense/vars``;
* a shared layer is written once, at the first place it is met;
* a recurrent layer keeps its weights in its cell: ``layers/lstm/cell/vars/0..2`` (kernel,
  recurrent kernel, bias), next to an empty ``layers/lstm/vars``;
* ``Bidirectional``: ``.../forward_layer/cell/vars`` and ``.../backward_layer/cell/vars``;
  ``TimeDistributed``: ``.../layer/vars``;
* a subclassed model or a learner's layer: its attributes by attribute name
  (``d1/vars``; a list ``self.blocks`` is ``blocks/dense``, ``blocks/dense_1``);
* the optimizer (after ``compile``): ``optimizer/vars/0`` the step count (int32),
  ``optimizer/vars/1`` the learning rate (float32), then its slot arrays (Adam: m and v of each
  weight in turn); metrics are not saved.

Loading walks the kteach model the same way, reads every array first and checks counts and
shapes; only when everything fits are the weights assigned, so a failed load changes nothing.
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Iterator

import numpy as np

from ..engine.layer import Layer
from ..engine.naming import snake_case
from ..engine.variable import Variable


class SavingError(ValueError):
    """A file that cannot be saved or loaded, with the file's name and the reason."""


# ===== the object tree, as Keras walks it ========================================================
class _Cell:
    """Keras keeps a recurrent layer's weights in a ``cell`` object; kteach keeps them in the
    layer. This stands in for the cell so that the paths come out as Keras'."""

    def __init__(self, layer: Layer):
        self.layer = layer
        self.name = getattr(layer, "_cell_name", snake_case(type(layer).__name__) + "_cell")


# kteach's own bookkeeping attributes: never part of the saved tree
_INTERNAL = {"_tracked", "_weights", "_losses", "_inbound_nodes", "_graph", "_output_spec",
             "_trace", "_objective", "_compile_args", "history", "_input_specs"}


def keras_class_name(obj: Any) -> str:
    """The class name Keras would give ``obj``: a graph ``Model`` is ``Functional``."""
    from ..models.functional import Model
    from ..models.sequential import Sequential
    if isinstance(obj, Model) and not isinstance(obj, Sequential) and \
            getattr(obj, "_graph", None) is not None and not type(obj)._subclassed():
        return "Functional" if type(obj) is Model else type(obj).__name__
    return type(obj).__name__


def _children(obj: Any) -> list[tuple[str, Any]]:
    """The (attribute name, object) pairs below ``obj`` in Keras' tree, in Keras' order."""
    from ..layers.recurrent import RecurrentLayer
    from ..layers.wrappers import Bidirectional, TimeDistributed
    from ..models.functional import Model
    if isinstance(obj, _Cell):
        return []
    if isinstance(obj, RecurrentLayer):
        return [("cell", _Cell(obj))]
    if isinstance(obj, Bidirectional):
        return [("backward_layer", obj.backward_layer), ("forward_layer", obj.forward_layer)]
    if isinstance(obj, TimeDistributed):
        return [("layer", obj.layer)]
    out: list[tuple[str, Any]] = []
    if isinstance(obj, Model) and obj._graph is not None:
        out.append(("layers", list(obj.layers)))
    for attr in sorted(vars(obj)):
        if attr in _INTERNAL or attr.startswith("__"):
            continue
        value = vars(obj)[attr]
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, Layer) or (isinstance(value, (list, tuple)) and value
                                        and all(isinstance(v, Layer) for v in value)):
            out.append((attr, value))
    if isinstance(obj, Model) and getattr(obj, "optimizer", None) is not None:
        out.append(("optimizer", obj.optimizer))
    return out


def _own_variables(obj: Any) -> list[Variable]:
    from ..layers.recurrent import RecurrentLayer
    from ..layers.wrappers import Bidirectional, TimeDistributed
    if isinstance(obj, _Cell):
        return list(obj.layer._weights)
    if isinstance(obj, (RecurrentLayer, Bidirectional, TimeDistributed)):
        return []
    return list(getattr(obj, "_weights", []))


def walk(model: Any) -> Iterator[tuple[str, Any, list]]:
    """Yield ``(path, object, variables)`` for every object of the tree, each object once.
    The optimizer comes as ``("optimizer", optimizer, None)``: its arrays are read apart."""
    seen: set[int] = set()
    alive: list = []   # keep the stand-in cells alive, so that no two share an id()

    def visit(obj: Any, path: str) -> Iterator[tuple[str, Any, list]]:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        alive.append(obj)
        from ..optimizers import Optimizer
        if isinstance(obj, Optimizer):
            yield path, obj, None
            return
        yield path, obj, _own_variables(obj)
        for attr, child in _children(obj):
            where = f"{path}/{attr}" if path else attr
            if isinstance(child, list):
                used: dict[str, int] = {}
                for item in child:
                    base = snake_case(keras_class_name(item))
                    n = used.get(base, -1) + 1
                    used[base] = n
                    yield from visit(item, f"{where}/{base}" if n == 0 else f"{where}/{base}_{n}")
            else:
                yield from visit(child, where)

    yield from visit(model, "")


def _vars_group(path: str) -> str:
    return f"{path}/vars" if path else "vars"


def _describe(obj: Any) -> str:
    if isinstance(obj, _Cell):
        return f"the cell of layer '{obj.layer.name}'"
    if getattr(obj, "_graph", None) is not None or type(obj).__name__ == "Sequential":
        return f"model '{obj.name}'"
    return f"layer '{obj.name}'"


def _require_built(model: Any, filename: str) -> None:
    if not getattr(model, "built", False):
        raise SavingError(
            f"Model '{model.name}' has not been built yet, so it has no weights to save or "
            f"load ({filename!r}). Give its first layer an input shape "
            f"(keras.Input(shape=(...)) first) or call it on data (model.predict(x)) first.")


# ===== writing ==================================================================================
def write(model: Any, h5: Any) -> None:
    """Write ``model``'s tree into the open h5py file ``h5``."""
    for path, obj, variables in walk(model):
        group = h5.create_group(_vars_group(path))
        group.attrs["name"] = obj.name
        arrays = obj.variables if variables is None else [v.value for v in variables]
        for i, a in enumerate(arrays):
            group.create_dataset(str(i), data=np.asarray(a))


# ===== reading ==================================================================================
def _datasets(group: Any) -> list[np.ndarray]:
    keys = sorted((k for k in group.keys() if k.isdigit()), key=int)
    return [group[k][()] for k in keys]


def read(model: Any, h5: Any, filename: str, skip_mismatch: bool = False) -> None:
    """Load the weights (and the optimizer's state, if both have one) from ``h5`` into
    ``model``. Every array is checked before any is assigned."""
    _require_built(model, filename)
    plan: list[tuple[Variable, np.ndarray]] = []
    optimizer_arrays = None
    used: set[str] = set()
    for path, obj, variables in walk(model):
        key = _vars_group(path)
        if variables is None:   # the optimizer
            if key in h5:
                optimizer_arrays = _datasets(h5[key])
                used.add(key)
            continue
        if key not in h5:
            if not variables:
                continue    # a layer without weights: nothing to miss
            raise SavingError(_missing_message(filename, obj, path, variables, h5))
        used.add(key)
        arrays = _datasets(h5[key])
        if len(arrays) != len(variables):
            if skip_mismatch:
                warnings.warn(f"Skipping {_describe(obj)} ({path}): " + _count_message(
                    filename, obj, path, variables, arrays), stacklevel=3)
                continue
            raise SavingError(_count_message(filename, obj, path, variables, arrays))
        for v, a in zip(variables, arrays):
            if tuple(v.shape) != tuple(a.shape):
                if skip_mismatch:
                    break
                raise SavingError(
                    f"Cannot load {filename!r}: the weights of {_describe(obj)} do not fit. "
                    f"Its weight '{v.name}' ({v.path}) has shape {tuple(v.shape)}, but the "
                    f"file holds shape {tuple(a.shape)} at '{key}'. The file was saved from a "
                    f"model with a different architecture (e.g. other units, filters or "
                    f"input size): build the same model as the one saved, or load the whole "
                    f"model with kteach.saving.load_model if the file is a .keras file.")
        else:
            plan.extend(zip(variables, arrays))
    extra = _unused_weights(h5, used)
    if extra and not skip_mismatch:
        raise SavingError(
            f"Cannot load {filename!r}: the file holds weights that model '{model.name}' has no "
            f"place for: {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}. It was saved "
            f"from a model with more (or other) layers. Build the same model as the one saved "
            f"(model.summary() of both should list the same layers).")
    for v, a in plan:
        v.assign(a)
    if optimizer_arrays is not None and getattr(model, "optimizer", None) is not None:
        load_optimizer(model, optimizer_arrays, filename)


def _count_message(filename, obj, path, variables, arrays) -> str:
    names = [v.name for v in variables]
    return (f"Cannot load {filename!r}: {_describe(obj)} expected {len(variables)} "
            f"variables {names}, but the file holds {len(arrays)} at '{_vars_group(path)}'. The "
            f"file was saved from a model with a different architecture.")


def _missing_message(filename, obj, path, variables, h5) -> str:
    top = sorted(h5.keys())
    return (f"Cannot load {filename!r}: it has no weights for {_describe(obj)} (Keras' path "
            f"'{_vars_group(path)}', {len(variables)} variables). The file's top-level groups "
            f"are {top}. It was saved from a model with other layers; build the same model as "
            f"the one saved.")


def _unused_weights(h5: Any, used: set[str]) -> list[str]:
    """Datasets of layer variables in the file that no part of the model read."""
    found: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if name.endswith("/vars") or name == "vars":
            if name not in used and len(obj.keys()) and not name.startswith("optimizer"):
                found.append(name)
    h5.visititems(visit)
    return found


def load_optimizer(model: Any, arrays: list[np.ndarray], filename: str) -> None:
    """Put the saved optimizer state into ``model.optimizer``: step count, learning rate and
    every slot array. When the counts differ, warn and keep the optimizer as it is (Keras)."""
    opt = model.optimizer
    scheduled = opt.learning_rate_schedule is not None   # then no learning-rate variable (Keras)
    first_slot = 1 if scheduled else 2
    if len(arrays) > first_slot:
        opt.build(model.trainable_weights)
    current = opt.variables
    if len(arrays) != len(current):
        warnings.warn(
            f"Skipping variable loading for optimizer '{opt.name}' from {filename!r}, because it "
            f"has {len(current)} variables whereas the saved optimizer has {len(arrays)} "
            f"variables. Training goes on with a fresh optimizer state.", stacklevel=3)
        return
    for slot, a in zip(current[first_slot:], arrays[first_slot:]):
        if slot.shape != a.shape:
            warnings.warn(f"Skipping variable loading for optimizer '{opt.name}' from "
                          f"{filename!r}: a saved slot has shape {a.shape}, the optimizer's "
                          f"has {slot.shape}.", stacklevel=3)
            return
    opt.iterations = int(arrays[0])
    if not scheduled:
        opt.learning_rate = float(arrays[1])
    for slot, a in zip(current[first_slot:], arrays[first_slot:]):
        slot[...] = a


# ===== files ====================================================================================
def h5py_module():
    """h5py, imported on first use so that ``import kteach`` stays fast."""
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency
        raise ImportError("Saving and loading need h5py (Keras 3 uses it too): "
                          "pip install h5py") from None
    return h5py


def check_hdf5(filepath: str) -> None:
    """A clear error for a path that is missing, a folder, or not an HDF5 file."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}. Check the path (the current "
                                f"folder is {os.getcwd()!r}).")
    if os.path.isdir(filepath):
        raise SavingError(f"{filepath!r} is a folder, not a weights file.")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head != b"\x89HDF\r\n\x1a\n":
        what = "a zip archive (a .keras file?)" if head[:2] == b"PK" else (
            "empty" if not head else "not an HDF5 file")
        raise SavingError(
            f"Cannot load {filepath!r}: it is {what}, not a weights file written by "
            f"model.save_weights() (an HDF5 file). It may be truncated or damaged; save it "
            f"again.")


def refuse_legacy(h5: Any, filename: str) -> None:
    """Keras 2's ``.h5`` format (``model_weights``, ``layer_names``) is not Keras 3's."""
    if "model_weights" in h5 or "layer_names" in h5.attrs or "keras_version" in h5.attrs:
        raise SavingError(
            f"{filename!r} is in Keras 2's legacy HDF5 format (model.save('m.h5') in Keras 2 "
            f"or tf.keras), which kteach does not read. kteach reads Keras 3's formats: open "
            f"the file in Keras and save it again with model.save('m.keras') or "
            f"model.save_weights('m.weights.h5').")


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    """``model.save_weights('x.weights.h5')``: the weights file alone (no config)."""
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    from .files import atomic_write, may_overwrite
    _require_built(model, filepath)
    if not may_overwrite(filepath, overwrite):
        return
    h5py = h5py_module()

    def fill(tmp: str) -> None:
        with h5py.File(tmp, "w") as h5:
            write(model, h5)
    atomic_write(filepath, fill)


def load_weights(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights(...)`` from a ``.weights.h5`` file or a ``.keras`` file."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        from .keras_file import load_weights_from_zip
        load_weights_from_zip(model, filepath, skip_mismatch)
        return
    if not filepath.endswith(".weights.h5"):
        if filepath.endswith(".h5") or filepath.endswith(".hdf5"):
            check_hdf5(filepath)
            h5py = h5py_module()
            with h5py.File(filepath, "r") as h5:
                refuse_legacy(h5, filepath)
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         f"supports V3 `.keras` files and `.weights.h5` files.")
    check_hdf5(filepath)
    h5py = h5py_module()
    try:
        h5 = h5py.File(filepath, "r")
    except OSError as error:
        raise SavingError(f"Cannot load {filepath!r}: h5py cannot read it ({error}). The file "
                          f"may be truncated or damaged; save it again.") from None
    with h5:
        refuse_legacy(h5, filepath)
        read(model, h5, filepath, skip_mismatch)
