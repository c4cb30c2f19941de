"""Focal cross-entropies: cross-entropies that weigh down the outputs already predicted well."""
from __future__ import annotations

import numpy as np

from ..engine.errors import check_keywords
from .base import Loss, _clip, _clipped, _log_softmax, _same_shape, _sigmoid
from .crossentropy import _check_smoothing


class BinaryFocalCrossentropy(Loss):
    """Binary cross-entropy that down-weights the easy outputs (Lin et al., 2017).

    With ``q = p`` (or ``sigmoid(x)`` for ``from_logits=True``), ``q_c = clip(q, eps,
    1 - eps)``, the cross-entropy ``b = -(y log q_c + (1 - y) log(1 - q_c))``, the
    probability of the right answer ``p_t = y q + (1 - y)(1 - q)`` and ``g = gamma``::

        L = mean_k  w · (1 - p_t)^g · b        w = y a + (1 - y)(1 - a) with
                                                apply_class_balancing=True (a = alpha), else 1
        dL/dq = w · ( -g (1 - p_t)^(g-1) (2y - 1) b  +  (1 - p_t)^g · db/dq ) / K
        db/dq = -y / q_c + (1 - y) / (1 - q_c)          (0 where q was clipped)
        dL/dx = dL/dq · q (1 - q)                        (from_logits=True)

    ``gamma=0`` gives the plain (balanced) binary cross-entropy. ``label_smoothing = s``:
    ``y <- y (1 - s) + s / 2`` first. ``axis`` is the averaged axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing",
                    "alpha", "gamma")

    @check_keywords
    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_focal_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.apply_class_balancing = apply_class_balancing
        self.alpha, self.gamma = alpha, gamma
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _parts(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(y, q, w, focal, b)`` with the averaged axis last (names as in the docstring)."""
        _same_shape("binary_focal_crossentropy", y_true, y_pred)
        y, p = np.moveaxis(y_true, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)
        s = self.label_smoothing
        y = y * (1.0 - s) + 0.5 * s if s else y
        q = _sigmoid(p) if self.from_logits else p
        q_c = _clipped(q)
        b = -(y * np.log(q_c) + (1.0 - y) * np.log(1.0 - q_c))
        p_t = y * q + (1.0 - y) * (1.0 - q)
        w = y * self.alpha + (1.0 - y) * (1.0 - self.alpha) if self.apply_class_balancing else 1.0
        return y, q, w, 1.0 - p_t, b

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        _, _, w, one_minus_pt, b = self._parts(y_true, y_pred)
        return np.mean(w * one_minus_pt ** self.gamma * b, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, q, w, one_minus_pt, b = self._parts(y_true, y_pred)
        g = self.gamma
        q_c, inside = _clip(q)
        db_dq = (-y / q_c + (1.0 - y) / (1.0 - q_c)) * inside
        dfocal_dq = -g * one_minus_pt ** (g - 1.0) * (2.0 * y - 1.0) if g else 0.0
        dq = w * (dfocal_dq * b + one_minus_pt ** g * db_dq) / q.shape[-1]
        if self.from_logits:
            dq = dq * q * (1.0 - q)
        return np.moveaxis(dq, -1, self.axis)


class CategoricalFocalCrossentropy(Loss):
    """Categorical cross-entropy that down-weights the classes already predicted well.

    With ``s = p`` (or ``softmax(x)`` for ``from_logits=True``), normalised and clipped as in
    :class:`CategoricalCrossentropy`: ``q = clip(s / sum(s), eps, 1 - eps)``; ``a = alpha``,
    ``g = gamma``; summed over the class axis::

        L = sum_k  a (1 - q_k)^g · (-y_k log q_k)
        dL/dq_k = a ( g (1 - q_k)^(g-1) y_k log q_k  -  (1 - q_k)^g y_k / q_k )
                                                              (0 where q was clipped)
        dL/ds_j = (dL/dq_j - sum_k dL/dq_k q_k) / sum(s)       (through s / sum(s))
        dL/dx_j = s_j (dL/ds_j - sum_k dL/ds_k s_k)            (through softmax)

    ``gamma=0`` gives ``alpha`` times the plain categorical cross-entropy.
    ``label_smoothing = s``: ``y <- y (1 - s) + s / C`` first. ``axis`` is the class axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    @check_keywords
    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _parts(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(y, s, q, inside)`` with the class axis last."""
        _same_shape("categorical_focal_crossentropy", y_true, y_pred)
        y, p = np.moveaxis(y_true, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + self.label_smoothing / y.shape[-1]
        s = np.exp(_log_softmax(p)) if self.from_logits else p
        q, inside = _clip(s / s.sum(axis=-1, keepdims=True))
        return y, s, q, inside

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, _, q, _ = self._parts(y_true, y_pred)
        return np.sum(self.alpha * (1.0 - q) ** self.gamma * (-y * np.log(q)), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, s, q, inside = self._parts(y_true, y_pred)
        a, g = self.alpha, self.gamma
        dfocal = g * (1.0 - q) ** (g - 1.0) * y * np.log(q) if g else 0.0
        dq = a * (dfocal - (1.0 - q) ** g * y / q) * inside
        S = s.sum(axis=-1, keepdims=True)
        ds = (dq - np.sum(dq * s / S, axis=-1, keepdims=True)) / S
        if self.from_logits:
            ds = s * (ds - np.sum(ds * s, axis=-1, keepdims=True))
        return np.moveaxis(ds, -1, self.axis)
