"""Linear algebra, as ``keras.ops``: matmul, dot, tensordot, einsum, transpose."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.errors import ShapeError
from ..engine.tensor import format_shape
from .core import record_op, shapes, to_array, unbroadcast


def matmul(x1: Any, x2: Any) -> Any:
    """Matrix product ``y = x1 @ x2`` (batched over leading axes, which broadcast).

    Shapes: ``(..., n, k) @ (..., k, m) → (..., n, m)``; a 1-D operand is a vector.
    Backward: ``dx1 = dy @ x2ᵀ``, ``dx2 = x1ᵀ @ dy`` (transposing the last two axes).
    """
    a, b = to_array(x1, "matmul", "x1"), to_array(x2, "matmul", "x2")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError("kteach.ops.matmul needs arrays of rank 1 or more, got a scalar; use "
                         "kteach.ops.multiply for a number times an array.")
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        raise ShapeError(
            f"kteach.ops.matmul: the last axis of x1 {format_shape(a.shape)} must match the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis of x2 {format_shape(b.shape)} "
            f"({a.shape[-1]} ≠ {b.shape[0 if b.ndim == 1 else -2]}). Transpose one of them, "
            f"or check which comes first: (n, k) @ (k, m).")
    y = np.matmul(a, b)

    def vjp(dy):
        a2 = a[None, :] if a.ndim == 1 else a        # vectors as (1, k) and (k, 1) matrices
        b2 = b[:, None] if b.ndim == 1 else b
        g = dy
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        da = np.matmul(g, np.swapaxes(b2, -1, -2))
        db = np.matmul(np.swapaxes(a2, -1, -2), g)
        da = da.reshape(da.shape[:-2] + (a.shape[-1],)) if a.ndim == 1 else da
        db = db.reshape(db.shape[:-2] + (b.shape[0],)) if b.ndim == 1 else db
        return unbroadcast(da, a.shape), unbroadcast(db, b.shape)

    return record_op("matmul", [x1, x2], y, vjp, f"y = x1 @ x2 : {shapes(a, b, y)}")


NUMPY_UFUNCS = {np.matmul: matmul}
NUMPY_FUNCTIONS: dict = {}
TENSOR_METHODS: dict = {}
__all__ = ["matmul"]
