"""Shape ops, as ``keras.ops``: reshape, indexing, joining and splitting arrays."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.errors import ShapeError
from ..engine.tensor import format_shape
from .core import plain, record_op, shapes, to_array


def reshape(x: Any, newshape: Any) -> Any:
    """The same numbers in a new shape (one size may be -1).  Backward: reshape ``dy`` back."""
    a = to_array(x, "reshape")
    shape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    try:
        y = np.reshape(a, shape)
    except ValueError:
        raise ShapeError(
            f"kteach.ops.reshape cannot put the {a.size} numbers of shape "
            f"{format_shape(a.shape)} into shape {format_shape(shape)}: the sizes must "
            f"multiply to {a.size} (one of them may be -1).") from None

    def vjp(dy):
        return (np.reshape(dy, a.shape),)

    return record_op("reshape", [x], y, vjp, f"y = reshape(x) : {shapes(a, y)}")


def getitem(x: Any, key: Any) -> Any:
    """``y = x[key]`` (what ``tensor[key]`` does).  Backward: ``dy`` scattered back into
    zeros of ``x``'s shape, added up where an index repeats."""
    a = to_array(x, "getitem")
    key = plain(key)
    y = a[key]

    def vjp(dy):
        dx = np.zeros(a.shape, dtype=dy.dtype)
        np.add.at(dx, key, dy)
        return (dx,)

    return record_op("getitem", [x], y, vjp, f"y = x[...] : {shapes(a, y)}")


def _reshape_method(x: Any, *shape: Any, order: str = "C") -> Any:
    return reshape(x, shape[0] if len(shape) == 1 else shape)


def _reshape_like_numpy(a: Any, newshape: Any = None, order: str = "C", shape: Any = None) -> Any:
    return reshape(a, newshape if newshape is not None else shape)


NUMPY_UFUNCS: dict = {}
NUMPY_FUNCTIONS = {np.reshape: _reshape_like_numpy}
TENSOR_METHODS = {"__getitem__": getitem, "reshape": _reshape_method}
__all__ = ["getitem", "reshape"]
