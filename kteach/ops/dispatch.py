"""Which kteach op a NumPy operator, function or method on a recorded Tensor turns into.

While a tape records, ``a + b`` is ``np.add(a, b)``, which NumPy hands to the Tensor, which
looks it up in the engine's tables and calls :func:`kteach.ops.add`. Operators on a Variable
work the same way. Each ops module lists its own entries in ``NUMPY_UFUNCS``,
``NUMPY_FUNCTIONS`` and ``TENSOR_METHODS``; a NumPy name missing from them still computes,
but is not recorded (a warning says so).
"""
from __future__ import annotations

from types import ModuleType

from ..engine import arrays


def register(modules: list[ModuleType]) -> None:
    """Fill the engine's tables from the modules' own (called when kteach.ops is imported)."""
    for module in modules:
        arrays.UFUNCS.update(module.NUMPY_UFUNCS)
        arrays.FUNCTIONS.update(module.NUMPY_FUNCTIONS)
        arrays.METHODS.update(module.TENSOR_METHODS)
