"""Comparisons and logic, as ``keras.ops``: equal, greater, logical_and, isnan, ...

Every op here answers yes or no for each number, so its result is a ``bool`` array with no
gradient: a small change of x does not change ``x > 0`` (its derivative is 0 wherever it
exists). These ops record nothing, even under a GradientTape, and give plain NumPy arrays.
Use them for masks: ``ops.where(x > 0, x, 0.1 * x)`` has a gradient through ``x``, just not
through the mask.

Two operands broadcast as in arithmetic, and a Python number takes the other operand's
dtype (``x > 0.1`` compares float32 with float32 0.1, not float64 0.1).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import binary_inputs, to_array


def equal(x1: Any, x2: Any) -> np.ndarray:
    """``x1 == x2`` elementwise (broadcasting)."""
    a, b = binary_inputs("equal", x1, x2)
    return np.equal(a, b)


def not_equal(x1: Any, x2: Any) -> np.ndarray:
    """``x1 != x2`` elementwise."""
    a, b = binary_inputs("not_equal", x1, x2)
    return np.not_equal(a, b)


def greater(x1: Any, x2: Any) -> np.ndarray:
    """``x1 > x2`` elementwise."""
    a, b = binary_inputs("greater", x1, x2)
    return np.greater(a, b)


def greater_equal(x1: Any, x2: Any) -> np.ndarray:
    """``x1 >= x2`` elementwise."""
    a, b = binary_inputs("greater_equal", x1, x2)
    return np.greater_equal(a, b)


def less(x1: Any, x2: Any) -> np.ndarray:
    """``x1 < x2`` elementwise."""
    a, b = binary_inputs("less", x1, x2)
    return np.less(a, b)


def less_equal(x1: Any, x2: Any) -> np.ndarray:
    """``x1 <= x2`` elementwise."""
    a, b = binary_inputs("less_equal", x1, x2)
    return np.less_equal(a, b)


def logical_and(x1: Any, x2: Any) -> np.ndarray:
    """True where both are true (a number is true when it is not 0)."""
    a, b = binary_inputs("logical_and", x1, x2)
    return np.logical_and(a, b)


def logical_or(x1: Any, x2: Any) -> np.ndarray:
    """True where at least one is true."""
    a, b = binary_inputs("logical_or", x1, x2)
    return np.logical_or(a, b)


def logical_xor(x1: Any, x2: Any) -> np.ndarray:
    """True where exactly one is true."""
    a, b = binary_inputs("logical_xor", x1, x2)
    return np.logical_xor(a, b)


def logical_not(x: Any) -> np.ndarray:
    """True where x is false (0)."""
    return np.logical_not(to_array(x, "logical_not"))


def isnan(x: Any) -> np.ndarray:
    """True where x is NaN ("not a number": 0/0, inf - inf, ...). Never for integers."""
    return np.isnan(to_array(x, "isnan"))


def isinf(x: Any) -> np.ndarray:
    """True where x is +inf or -inf."""
    return np.isinf(to_array(x, "isinf"))


def isfinite(x: Any) -> np.ndarray:
    """True where x is neither inf nor NaN: an ordinary number."""
    return np.isfinite(to_array(x, "isfinite"))


# What NumPy operators on a recorded Tensor turn into: ``x > 0`` is ``np.greater(x, 0)``.
NUMPY_UFUNCS = {np.equal: equal, np.not_equal: not_equal, np.greater: greater,
                np.greater_equal: greater_equal, np.less: less, np.less_equal: less_equal,
                np.logical_and: logical_and, np.logical_or: logical_or,
                np.logical_xor: logical_xor, np.logical_not: logical_not, np.isnan: isnan,
                np.isinf: isinf, np.isfinite: isfinite}
NUMPY_FUNCTIONS: dict = {}
TENSOR_METHODS: dict = {}
__all__ = ["equal", "greater", "greater_equal", "isfinite", "isinf", "isnan", "less",
           "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor",
           "not_equal"]
