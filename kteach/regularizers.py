"""Weight regularizers: a penalty on a weight's values that is added to the training loss.

``Dense(8, kernel_regularizer=L2(0.01))`` adds ``0.01·Σ W²`` to the loss that ``fit``
minimises and reports; the penalty is one of ``model.losses``. Each regularizer here is
two formulas side by side:

* ``reg(W)`` -> the penalty, a float (Keras' ``__call__``);
* ``reg.gradient(W)`` -> ``d penalty / d W``, same shape as ``W``, which training adds to the
  weight's gradient from backpropagation.

Names as ``keras.regularizers.get`` resolves them: ``'l1'``, ``'l2'``,
``'orthogonal_regularizer'`` and the class names. (``'l1_l2'`` is a function in Keras but not
a name ``get`` accepts; kteach says so and gives the fix.)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine.errors import InvalidArgumentError, ShapeError, unknown_name_error


def _non_negative(value: Any, name: str) -> float:
    """A penalty factor: a number >= 0 (Keras' check and message, with the fix)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or \
            not np.isfinite(value) or value < 0:
        raise InvalidArgumentError(
            f"Invalid value for argument {name}: expected a non-negative float.Received: "
            f"{name}={value} (a penalty factor scales the penalty added to the loss, so it "
            f"must be 0 or more; typical values are 0.0001 to 0.01).")
    return float(value)


def _as_float32(value: float) -> float:
    """Keras keeps some factors as float32 tensors, so their config shows the float32 value
    widened to float64 (``0.01`` -> ``0.009999999776482582``)."""
    return float(np.float32(value))


class Regularizer:
    """Base class: ``__call__(W)`` gives the penalty, ``gradient(W)`` its derivative."""

    math = ""   # the formula, for model.explain

    def __call__(self, w: Any) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__(w).")

    def gradient(self, w: Any) -> np.ndarray:
        """``d penalty / d w``. A learner's regularizer without it is trained through the
        tape (see :func:`kteach.utils.check_gradients`)."""
        raise NotImplementedError(
            f"{type(self).__name__} defines the penalty but not its gradient. Add "
            f"`def gradient(self, w): return ...` (same shape as w).")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``penalty = l1 · Σ |W|``; gradient ``l1 · sign(W)`` (0 where W is 0).

    It pushes every weight towards 0 by the same amount, so many become exactly 0.
    """

    math = "l1·Σ|W|"

    def __init__(self, l1: float = 0.01):
        self.l1 = _as_float32(_non_negative(l1, "l1"))

    def __call__(self, w):
        return float(self.l1 * np.sum(np.abs(w)))

    def gradient(self, w):
        w = np.asarray(w)
        return (self.l1 * np.sign(w)).astype(w.dtype)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``penalty = l2 · Σ W²``; gradient ``2 · l2 · W``.

    (No ½: Keras' L2 is ``l2·ΣW²``, so SGD with it shrinks W by ``2·lr·l2·W`` per step.)
    """

    math = "l2·ΣW²"

    def __init__(self, l2: float = 0.01):
        self.l2 = _non_negative(l2, "l2")

    def __call__(self, w):
        return float(self.l2 * np.sum(np.square(w)))

    def gradient(self, w):
        w = np.asarray(w)
        return (2.0 * self.l2 * w).astype(w.dtype)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``penalty = l1 · Σ |W| + l2 · Σ W²``; gradient ``l1 · sign(W) + 2 · l2 · W``.

    Both factors default to 0 (as Keras), so ``L1L2()`` adds nothing.
    """

    math = "l1·Σ|W| + l2·ΣW²"

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _non_negative(l1, "l1")
        self.l2 = _non_negative(l2, "l2")

    def __call__(self, w):
        return float(self.l1 * np.sum(np.abs(w)) + self.l2 * np.sum(np.square(w)))

    def gradient(self, w):
        w = np.asarray(w)
        return (self.l1 * np.sign(w) + 2.0 * self.l2 * w).astype(w.dtype)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns (``'columns'``) of a 2-D W to be
    orthogonal to each other.

    With ``N`` = W with each row scaled to length 1 (``n_i = w_i / |w_i|``), ``P = N·Nᵀ``
    (``P_ij = cos`` of the angle between rows i and j) and ``k`` rows::

        penalty = factor · ½ · Σ_{i≠j} |P_ij| / (k(k−1)/2)

    Backward, with ``c = factor · ½ / (k(k−1)/2)`` and ``G_ij = c · sign(P_ij)`` off the
    diagonal (0 on it): ``dN = 2 · G·N`` (G is symmetric), and through each row's
    normalisation ``dw_i = (dn_i − n_i (n_i·dn_i)) / |w_i|``. Columns: the same on Wᵀ.
    """

    MODES = ("rows", "columns")
    math = "factor·½·Σ_{i≠j}|cos(w_i, w_j)| / (k(k−1)/2)"

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _as_float32(_non_negative(factor, "factor"))
        if mode not in self.MODES:
            raise InvalidArgumentError(
                f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. '
                f"Received: mode={mode} ('rows' makes the rows of the kernel orthogonal, "
                f"'columns' its columns).")
        self.mode = mode

    def _rows(self, w) -> np.ndarray:
        w = np.asarray(w)
        if w.ndim != 2:
            raise ShapeError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape="
                f"{w.shape}. It works on a 2-D kernel such as Dense's (n_in, units).")
        return w if self.mode == "rows" else w.T

    def _parts(self, rows: np.ndarray):
        k = rows.shape[0]
        length = np.maximum(np.sqrt(np.sum(np.square(rows), axis=1, keepdims=True)), 1e-12)
        n = rows / length
        P = n @ n.T
        off = 1.0 - np.eye(k, dtype=rows.dtype)
        pairs = k * (k - 1) / 2.0
        c = self.factor * 0.5 / pairs if pairs else 0.0
        return n, length, P, off, c

    def __call__(self, w):
        n, length, P, off, c = self._parts(self._rows(w))
        return float(c * np.sum(np.abs(P * off)))

    def gradient(self, w):
        rows = self._rows(w)
        n, length, P, off, c = self._parts(rows)
        G = c * np.sign(P) * off
        dn = 2.0 * G @ n
        d_rows = (dn - n * np.sum(n * dn, axis=1, keepdims=True)) / length
        d = d_rows if self.mode == "rows" else d_rows.T
        return d.astype(np.asarray(w).dtype)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Lower-case aliases, as keras.regularizers has them.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = (L1, L2, L1L2, OrthogonalRegularizer)
# The names keras.regularizers.get resolves (checked against Keras 3.15.1).
_BY_NAME: dict[str, type] = {"l1": L1, "l2": L2, "orthogonal_regularizer": OrthogonalRegularizer,
                             **{cls.__name__: cls for cls in _CLASSES}}


def get(identifier: Any) -> Regularizer | None:
    """The regularizer for ``identifier``, as ``keras.regularizers.get``: None -> None, a name
    -> a new one with default factors, a config dict -> that regularizer, an instance or a
    callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise _unknown(identifier)
        return _BY_NAME[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    raise _unknown(repr(identifier))


def _unknown(name: str) -> Exception:
    if name == "l1_l2":
        return InvalidArgumentError(
            "Could not interpret regularizer identifier: l1_l2. Keras 3 has the function "
            "keras.regularizers.l1_l2 but does not resolve the string 'l1_l2'; write "
            "regularizers.L1L2(l1=0.01, l2=0.01) instead (its defaults are 0, so give both).")
    return unknown_name_error("regularizer", name, _BY_NAME)


def serialize(regularizer: Regularizer) -> dict:
    """``{"module": "keras.regularizers", "class_name": "L2", "config": {...},
    "registered_name": None}``, as Keras writes it."""
    from .saving.serialization import serialize_keras_object
    return serialize_keras_object(regularizer)


def deserialize(config: dict | str) -> Regularizer:
    """A regularizer from :func:`serialize`'s dict (or a name)."""
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = next((c for c in _CLASSES if c.__name__ == name), None)
    if cls is None:
        raise _unknown(str(config))
    return cls.from_config(dict(config.get("config") or {}))
