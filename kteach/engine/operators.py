"""Python's arithmetic operators as NumPy ufunc calls, for objects that are not arrays.

A Variable and a symbolic KerasTensor both answer ``x + y``, ``x @ W``, ``-x`` ... by calling
the NumPy ufunc with themselves as an operand; NumPy then hands the call to their
``__array_ufunc__``, which decides what it means (a recorded op, a graph node, or plain
arithmetic on the value).
"""
from __future__ import annotations

import numpy as np


class ArrayOperators:
    """``+ - * / @ **``, unary ``-`` and ``< <= > >=`` through the matching NumPy ufunc."""

    def __add__(self, other):
        return np.add(self, other)

    def __radd__(self, other):
        return np.add(other, self)

    def __sub__(self, other):
        return np.subtract(self, other)

    def __rsub__(self, other):
        return np.subtract(other, self)

    def __mul__(self, other):
        return np.multiply(self, other)

    def __rmul__(self, other):
        return np.multiply(other, self)

    def __truediv__(self, other):
        return np.true_divide(self, other)

    def __rtruediv__(self, other):
        return np.true_divide(other, self)

    def __matmul__(self, other):
        return np.matmul(self, other)

    def __rmatmul__(self, other):
        return np.matmul(other, self)

    def __pow__(self, other):
        return np.power(self, other)

    def __rpow__(self, other):
        return np.power(other, self)

    def __neg__(self):
        return np.negative(self)

    # Comparisons give bool arrays (a KerasTensor: a bool graph node). ``==`` and ``!=`` keep
    # Python's meaning (the same object), so these objects still work in sets and as keys.
    def __gt__(self, other):
        return np.greater(self, other)

    def __ge__(self, other):
        return np.greater_equal(self, other)

    def __lt__(self, other):
        return np.less(self, other)

    def __le__(self, other):
        return np.less_equal(self, other)
