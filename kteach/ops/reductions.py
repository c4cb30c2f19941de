"""Reductions, as ``keras.ops``: sum, mean, max, ... over ``axis`` (None: every axis)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import check_axis, record_op, shapes, to_array


def _kept(g: np.ndarray, shape: tuple, axis: Any, keepdims: bool) -> np.ndarray:
    """A reduced gradient with the reduced axes put back as size 1, ready to broadcast."""
    if keepdims or axis is None:
        return np.reshape(g, (1,) * len(shape)) if axis is None else g
    axes = axis if isinstance(axis, tuple) else (axis,)
    return np.expand_dims(g, tuple(a % len(shape) for a in axes))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 (Keras' name)
    """``y = Σ x`` over ``axis``.  Backward: ``dx = dy`` copied to every summed position."""
    a = to_array(x, "sum")
    axis = check_axis("sum", axis, a.ndim)
    y = np.sum(a, axis=axis, keepdims=keepdims)

    def vjp(dy):
        return (np.broadcast_to(_kept(dy, a.shape, axis, keepdims), a.shape).astype(dy.dtype),)

    return record_op("sum", [x], y, vjp, f"y = Σ x (axis={axis}) : {shapes(a, y)}")


def _sum_like_numpy(x: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                    keepdims: bool = False) -> Any:
    return sum(x, axis=axis, keepdims=keepdims)


NUMPY_UFUNCS: dict = {}
NUMPY_FUNCTIONS = {np.sum: _sum_like_numpy}
TENSOR_METHODS = {"sum": _sum_like_numpy}
__all__ = ["sum"]
