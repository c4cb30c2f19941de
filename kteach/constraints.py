"""Weight constraints: a function applied to a weight after every optimizer update.

``Dense(8, kernel_constraint=MaxNorm(2.0))``: after each step of ``fit``, the kernel is
replaced by ``MaxNorm(2.0)(kernel)``. A constraint is not part of the loss and has no
gradient; it projects the weight back into the allowed set.

Norms are taken along ``axis`` (default 0, as Keras): for a Dense kernel ``(n_in, units)``
that is the vector of incoming weights of each unit; for a Conv2D kernel ``(kh, kw, c_in,
c_out)`` use ``axis=[0, 1, 2]``. ``ε = 1e-7`` (Keras' ``epsilon()``) keeps a zero column
from dividing by 0.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine.errors import InvalidArgumentError, unknown_name_error

EPSILON = 1e-7


def _norms(w: np.ndarray, axis: Any) -> np.ndarray:
    """``|w|`` along ``axis``, kept as size-1 axes so it broadcasts against ``w``."""
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    try:
        return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))
    except np.exceptions.AxisError:
        raise InvalidArgumentError(
            f"axis {axis} is out of bounds for array of dimension {w.ndim}: the constraint's "
            f"axis must name axes of the weight (shape {w.shape}); for a Dense kernel use "
            f"axis=0, for a Conv2D kernel axis=[0, 1, 2].") from None


class Constraint:
    """Base class: ``__call__(w)`` returns the constrained weight (a new array)."""

    def __call__(self, w: Any) -> np.ndarray:
        return np.asarray(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Columns longer than ``max_value`` are scaled down to it; shorter ones stay.

    ``w ← w · clip(|w|, 0, max_value) / (ε + |w|)`` with ``|w|`` along ``axis``.
    """

    def __init__(self, max_value: float = 2, axis: Any = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Column lengths are moved into ``[min_value, max_value]``, ``rate`` of the way.

    ``desired = rate · clip(|w|, min_value, max_value) + (1 − rate) · |w|``,
    ``w ← w · desired / (ε + |w|)``.
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(w.dtype)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become 0: ``w ← w · [w ≥ 0]``."""

    def __call__(self, w):
        w = np.asarray(w)
        return (w * (w >= 0)).astype(w.dtype)


class UnitNorm(Constraint):
    """Every column gets length 1: ``w ← w / (ε + |w|)`` along ``axis``."""

    def __init__(self, axis: Any = 0):
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


# Lower-case aliases, as keras.constraints has them.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

_CLASSES = (MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
_BY_NAME: dict[str, type] = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
                             "unit_norm": UnitNorm, **{cls.__name__: cls for cls in _CLASSES}}


def get(identifier: Any) -> Constraint | None:
    """The constraint for ``identifier``, as ``keras.constraints.get``: None -> None, a name
    -> a new one with Keras' defaults, a config dict -> that constraint, an instance or a
    callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise unknown_name_error("constraint", identifier, _BY_NAME)
        return _BY_NAME[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise unknown_name_error("constraint", repr(identifier), _BY_NAME)


def serialize(constraint: Constraint) -> dict:
    """``{"module": "keras.constraints", "class_name": ..., "config": ..., ...}``."""
    from .saving.serialization import serialize_keras_object
    return serialize_keras_object(constraint)


def deserialize(config: dict | str) -> Constraint:
    """A constraint from :func:`serialize`'s dict (or a name)."""
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = next((c for c in _CLASSES if c.__name__ == name), None)
    if cls is None:
        raise unknown_name_error("constraint", str(config), _BY_NAME)
    return cls.from_config(dict(config.get("config") or {}))
