"""Regression losses: squared, absolute, Huber, log-cosh, logarithmic and percentage errors,
and the cosine similarity. Each gives one value per sample; its ``gradient`` is written by hand
next to its ``call``.
"""
from __future__ import annotations

import numpy as np

from ..engine import config
from ..engine.errors import check_keywords
from .base import Loss, _sum_to_shape


class MeanSquaredError(Loss):
    """``L = mean_k (y_pred - y_true)^2`` over the last axis; ``dL/dp = 2 (p - y) / K``.

    ``y_true`` may broadcast against ``y_pred`` (Keras allows it silently, e.g. targets
    ``(32, 10)`` with an output ``(32, 1)``); the gradient then sums over the stretched axis.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean((y_pred - y_true) ** 2, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(2.0 * e / e.shape[-1], y_pred.shape)


class MeanAbsoluteError(Loss):
    """``L = mean_k |y_pred - y_true|``; ``dL/dp = sign(p - y) / K`` (0 where p == y)."""

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(y_pred - y_true), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(np.sign(e) / e.shape[-1], y_pred.shape)


# ----- more regression losses --------------------------------------------------------------
# Each one below is ``L = mean_k e(y_k, p_k)`` over the last axis (or a sum, where said), so
# its gradient is ``de/dp / K``; ``_sum_to_shape`` undoes a broadcast of y_true, as for MSE.

class Huber(Loss):
    """Squared error near the target, absolute error far from it (Keras' ``huber``).

    With ``e = p - y`` and ``d = delta``::

        L = mean_k  { 0.5 e^2              if |e| <= d
                    { d |e| - 0.5 d^2      otherwise
        dL/dp = { e, or d sign(e) } / K

    The two pieces meet at ``|e| = d`` with the same value and slope, so a few wild
    outliers pull on the model with a force of at most ``d`` (MSE pulls with ``2 e``).
    Keras 3's ``get_config()`` leaves ``delta`` out (so a saved Huber comes back with
    delta=1.0); kteach's keeps it.
    """

    _config_keys = ("delta",)

    @check_keywords
    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size",
                 name: str = "huber_loss") -> None:
        super().__init__(name=name, reduction=reduction)
        self.delta = float(delta)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e, d = y_pred - y_true, self.delta
        return np.mean(np.where(np.abs(e) <= d, 0.5 * e ** 2, d * np.abs(e) - 0.5 * d ** 2),
                       axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e, d = y_pred - y_true, self.delta
        de = np.where(np.abs(e) <= d, e, d * np.sign(e))
        return _sum_to_shape(de / e.shape[-1], y_pred.shape)


class LogCosh(Loss):
    """``L = mean_k log(cosh(e))``, ``e = p - y``: about ``e^2 / 2`` for small errors and
    ``|e| - log 2`` for large ones (a smooth Huber). ``dL/dp = tanh(e) / K``.

    Computed as ``e + softplus(-2 e) - log 2``, which never overflows (cosh would, for
    ``|e|`` above about 710).
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "log_cosh") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return np.mean(e + np.logaddexp(0.0, -2.0 * e) - np.log(2.0), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(np.tanh(e) / e.shape[-1], y_pred.shape)


class MeanSquaredLogarithmicError(Loss):
    """Squared error of ``log(1 + value)``: relative errors count, not absolute ones.

    With ``a = log(max(p, eps) + 1)`` and ``b = log(max(y, eps) + 1)``::

        L = mean_k (a - b)^2
        dL/dp = 2 (a - b) / (p + 1) / K      (0 where p < eps: there max() is constant)
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_logarithmic_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        a, b = np.log(np.maximum(y_pred, eps) + 1.0), np.log(np.maximum(y_true, eps) + 1.0)
        return np.mean((a - b) ** 2, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        a, b = np.log(np.maximum(y_pred, eps) + 1.0), np.log(np.maximum(y_true, eps) + 1.0)
        da = 2.0 * (a - b) / (np.maximum(y_pred, eps) + 1.0) * (y_pred >= eps)
        return _sum_to_shape(da / da.shape[-1], y_pred.shape)


class MeanAbsolutePercentageError(Loss):
    """Absolute error as a percentage of the target::

        L = 100 · mean_k |y - p| / max(|y|, eps)
        dL/dp = 100 · sign(p - y) / max(|y|, eps) / K

    A target near 0 makes the loss huge (divided by at most ``eps`` = 1e-7): use it only
    for targets well away from zero.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_percentage_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        return 100.0 * np.mean(np.abs(y_true - y_pred) / scale, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        dp = 100.0 * np.sign(y_pred - y_true) / scale
        return _sum_to_shape(dp / y_pred.shape[-1], y_pred.shape)


class CosineSimilarity(Loss):
    """Minus the cosine of the angle between ``y`` and ``p`` along ``axis``: -1 when they
    point the same way, 0 when at right angles, 1 when opposite.

    With ``n(x) = max(||x||, eps)``, ``u = y / n(y)`` and ``v = p / n(p)``::

        L = -sum_k u_k v_k
        dL/dp = -(u - (u·v) v) / ||p||        (only the direction of p matters)
        dL/dp = -u / eps                       when ||p|| < eps (a zero vector)

    Keras 3's ``get_config()`` leaves ``axis`` out; kteach's keeps it.
    """

    _config_keys = ("axis",)

    @check_keywords
    def __init__(self, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "cosine_similarity") -> None:
        super().__init__(name=name, reduction=reduction)
        self.axis = axis

    def _unit(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(x / n(x), n(x))`` along ``self.axis``."""
        n = np.maximum(np.sqrt(np.sum(x * x, axis=self.axis, keepdims=True)), config.epsilon())
        return x / n, n

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        (u, _), (v, _) = self._unit(y_true), self._unit(y_pred)
        return -np.sum(u * v, axis=self.axis)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        (u, _), (v, n) = self._unit(y_true), self._unit(y_pred)
        u = np.broadcast_to(u, v.shape)
        projected = np.where(n > config.epsilon(), np.sum(u * v, axis=self.axis, keepdims=True), 0)
        return -(u - projected * v) / n
