"""Elementwise arithmetic, as ``keras.ops``: each op's forward, then its vjp.

Broadcasting follows NumPy; each backward sums the gradient back to its input's shape with
:func:`~kteach.ops.core.unbroadcast`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import binary_inputs, float_result, record_op, shapes, to_array, unbroadcast


def add(x1: Any, x2: Any) -> Any:
    """``y = x1 + x2``.  Backward: ``dx1 = dy``, ``dx2 = dy`` (summed to their shapes)."""
    a, b = binary_inputs("add", x1, x2)
    y = np.add(a, b)

    def vjp(dy):
        return unbroadcast(dy, a.shape), unbroadcast(dy, b.shape)

    return record_op("add", [x1, x2], y, vjp, f"y = x1 + x2 : {shapes(a, b, y)}")


def subtract(x1: Any, x2: Any) -> Any:
    """``y = x1 - x2``.  Backward: ``dx1 = dy``, ``dx2 = -dy``."""
    a, b = binary_inputs("subtract", x1, x2)
    y = np.subtract(a, b)

    def vjp(dy):
        return unbroadcast(dy, a.shape), unbroadcast(-dy, b.shape)

    return record_op("subtract", [x1, x2], y, vjp, f"y = x1 - x2 : {shapes(a, b, y)}")


def multiply(x1: Any, x2: Any) -> Any:
    """``y = x1 · x2``.  Backward: ``dx1 = dy · x2``, ``dx2 = dy · x1``."""
    a, b = binary_inputs("multiply", x1, x2)
    y = np.multiply(a, b)

    def vjp(dy):
        return unbroadcast(dy * b, a.shape), unbroadcast(dy * a, b.shape)

    return record_op("multiply", [x1, x2], y, vjp, f"y = x1·x2 : {shapes(a, b, y)}")


def divide(x1: Any, x2: Any) -> Any:
    """``y = x1 / x2`` (always a float).  Backward: ``dx1 = dy / x2``, ``dx2 = -dy · y / x2``."""
    a, b = binary_inputs("divide", x1, x2)
    y = float_result(np.true_divide(a, b), a, b)

    def vjp(dy):
        return unbroadcast(dy / b, a.shape), unbroadcast(-dy * y / b, b.shape)

    return record_op("divide", [x1, x2], y, vjp, f"y = x1 / x2 : {shapes(a, b, y)}")


def exp(x: Any) -> Any:
    """``y = eˣ``.  Backward: ``dx = dy · y``."""
    a = to_array(x, "exp")
    y = float_result(np.exp(a), a)

    def vjp(dy):
        return (dy * y,)

    return record_op("exp", [x], y, vjp, f"y = exp(x) : {shapes(a, y)}")


# What NumPy operators and functions on a recorded Tensor turn into (see dispatch.py).
NUMPY_UFUNCS = {np.add: add, np.subtract: subtract, np.multiply: multiply,
                np.true_divide: divide, np.exp: exp}
NUMPY_FUNCTIONS: dict = {}
TENSOR_METHODS: dict = {}
__all__ = ["add", "divide", "exp", "multiply", "subtract"]
