"""Which kteach op a NumPy operator, function or method on a recorded Tensor turns into.

While a tape records, ``a + b`` is ``np.add(a, b)``, which NumPy hands to the Tensor, which
looks it up here and calls :func:`kteach.ops.add`. Operators on a Variable work the same way.
A NumPy name missing here still computes, but is not recorded (a warning says so).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import arrays
from . import arithmetic, linalg, reductions, shape


def _method_sum(x: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                keepdims: bool = False) -> Any:
    return reductions.sum(x, axis=axis, keepdims=keepdims)


def _method_reshape(x: Any, *shape_: Any, order: str = "C") -> Any:
    return shape.reshape(x, shape_[0] if len(shape_) == 1 else shape_)


def register() -> None:
    """Fill the engine's tables (called once, when kteach.ops is imported)."""
    arrays.UFUNCS.update({
        np.add: arithmetic.add,
        np.subtract: arithmetic.subtract,
        np.multiply: arithmetic.multiply,
        np.true_divide: arithmetic.divide,
        np.exp: arithmetic.exp,
        np.matmul: linalg.matmul,
    })
    arrays.FUNCTIONS.update({
        np.sum: _method_sum,
        np.reshape: lambda a, newshape=None, order="C", shape=None: shape_reshape(a, newshape, shape),
    })
    arrays.METHODS.update({
        "__getitem__": shape.getitem,
        "sum": _method_sum,
        "reshape": _method_reshape,
    })


def shape_reshape(a: Any, newshape: Any, shape_kw: Any) -> Any:
    return shape.reshape(a, newshape if newshape is not None else shape_kw)
