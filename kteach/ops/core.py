"""What every op shares: turning inputs into arrays, Keras' dtype rules, undoing broadcasting.

An op is written as a pair -- the forward computation and its vector-Jacobian product (vjp)
-- and ends with :func:`kteach.engine.arrays.record_op`::

    def multiply(x1, x2):
        '''Elementwise product ``y = x1 · x2`` (broadcasting).

        Backward: ``dx1 = dy · x2``, ``dx2 = dy · x1`` (each summed back to its shape).'''
        a, b = binary_inputs("multiply", x1, x2)
        y = a * b

        def vjp(dy):
            return unbroadcast(dy * b, a.shape), unbroadcast(dy * a, b.shape)

        return record_op("multiply", [x1, x2], y, vjp, f"y = x1·x2 : {shapes(a, b, y)}")

Inputs are recorded as the caller gave them (a Tensor, a Variable, an array or a number), so
the tape can tell which ones it follows; the computation uses plain arrays.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config
from ..engine.arrays import Tensor, plain, record_op, record_op_outputs  # noqa: F401 (re-export)
from ..engine.errors import KteachError, ShapeError
from ..engine.tensor import KerasTensor, format_shape
from ..engine.variable import Variable


class OpError(KteachError, TypeError):
    """An op was given something it cannot compute with (a string, a placeholder, ...)."""


def to_array(x: Any, op: str, arg: str = "x") -> np.ndarray:
    """``x`` as a NumPy array, by Keras 3's rules for new tensors.

    Arrays keep their dtype; Python floats (and lists of them) become ``floatx()`` (float32),
    Python ints ``int32``, bools ``bool``. A string, ``None`` or a symbolic ``Input`` tensor is
    refused with a message that names the op.
    """
    if isinstance(x, np.ndarray):
        return x.view(np.ndarray) if isinstance(x, Tensor) else x
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, KerasTensor):
        raise OpError(
            f"kteach.ops.{op} got the symbolic tensor {x.name} (from Input) as `{arg}`. "
            f"kteach's ops compute on numbers; use them inside a layer's call() or on NumPy "
            f"arrays, and build functional models from layers (e.g. layers.Lambda).")
    if x is None or isinstance(x, (str, bytes)):
        raise OpError(
            f"kteach.ops.{op} needs numbers for `{arg}`, but got {type(x).__name__} {x!r}. "
            f"Pass a NumPy array, a number or a list of numbers.")
    if isinstance(x, (bool, np.bool_)):
        return np.asarray(x)
    a = np.asarray(plain(x))
    if a.dtype.kind in "US" or a.dtype == object:
        raise OpError(
            f"kteach.ops.{op} needs numbers for `{arg}`, but got {type(x).__name__} with "
            f"values of dtype {a.dtype}. Pass a NumPy array of numbers.")
    if a.dtype == np.float64 and not isinstance(x, np.generic):
        return a.astype(config.floatx())
    if a.dtype == np.int64 and not isinstance(x, np.generic):
        return a.astype("int32")
    return a


def is_weak(x: Any) -> bool:
    """Python numbers take the dtype of the array they meet (``float32 array * 2.0`` stays
    float32), as in Keras and NumPy 2."""
    # np.float64 is a subclass of float, but a NumPy scalar has a dtype of its own
    return isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic))


def binary_inputs(op: str, x1: Any, x2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as arrays, with a Python number adopting the other operand's dtype, and
    shapes checked for broadcasting (a clear error names the op and both shapes)."""
    a = _operand(x1, x2, op, "x1")
    b = _operand(x2, x1, op, "x2")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(
            f"kteach.ops.{op} cannot broadcast shapes {format_shape(a.shape)} and "
            f"{format_shape(b.shape)}: from the right, each pair of sizes must be equal or "
            f"one of them 1. Reshape or transpose one operand.") from None
    return a, b


def _operand(x: Any, other: Any, op: str, arg: str) -> np.ndarray:
    if is_weak(x) and not is_weak(other):
        o = to_array(other, op, "x2" if arg == "x1" else "x1")
        if o.dtype.kind == "f" or (o.dtype.kind in "iu" and isinstance(x, int)):
            return np.asarray(x, dtype=o.dtype)
    return to_array(x, op, arg)


def float_result(y: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """``y`` as a float array: integers become ``floatx()``, and float64 only when an input
    was float64 (NumPy would promote ``int32 / int32`` to float64; Keras gives float32)."""
    y = np.asarray(y)
    if y.dtype.kind != "f":
        return y.astype(config.floatx())
    if y.dtype == np.float64 and not any(np.asarray(i).dtype == np.float64 for i in inputs):
        return y.astype(config.floatx())
    return y


def as_float(x: np.ndarray) -> np.ndarray:
    """Integer or bool input as ``floatx()``; floats unchanged."""
    return x if x.dtype.kind == "f" else x.astype(config.floatx())


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting in a backward pass: sum ``g`` over the axes that forward stretched
    to reach ``g.shape`` from ``shape`` (leading axes it added, and axes of size 1)."""
    g = np.asarray(g)
    if g.shape == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)


def check_axis(op: str, axis: Any, ndim: int) -> Any:
    """``axis`` (an int, a tuple of ints or None) checked against a rank-``ndim`` input."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise OpError(f"kteach.ops.{op}: axis must be an int or a tuple of ints, not {a!r}.")
        if not -ndim <= a < ndim:
            raise ShapeError(
                f"kteach.ops.{op}: axis {a} is out of range for an input of rank {ndim} "
                f"(valid axes are {-ndim} to {ndim - 1}, or None for all).")
    return tuple(int(a) for a in axes) if isinstance(axis, (tuple, list)) else int(axis)


def shapes(*arrays: Any) -> str:
    """``(4, 3), (3,) → (4, 3)``: the inputs' shapes, then the output's, for formulas."""
    *ins, out = [format_shape(np.shape(a)) for a in arrays]
    return f"{', '.join(ins)} → {out}"
