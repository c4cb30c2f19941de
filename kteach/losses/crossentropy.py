"""Cross-entropies: binary (sigmoid outputs), categorical (softmax outputs, one-hot targets)
and sparse categorical (softmax outputs, integer labels)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.errors import DataError, ShapeError, check_keywords, warn_once
from .base import Loss, _clip, _clipped, _log_softmax, _move_axis, _same_shape, _sigmoid


class BinaryCrossentropy(Loss):
    """Cross-entropy of independent yes/no outputs (sigmoid units).

    With probabilities ``p`` (``from_logits=False``), ``p_c = clip(p, eps, 1 - eps)``::

        L = mean_k  -[ y log p_c + (1 - y) log(1 - p_c) ]     (log(1 - p_c) as log1p(-p_c))
        dL/dp = ( -y / p_c + (1 - y) / (1 - p_c) ) / K      (0 where p was clipped)

    With logits ``x`` (``from_logits=True``), stable for any x::

        L = mean_k  max(x, 0) - x y + log(1 + e^-|x|)
        dL/dx = ( sigmoid(x) - y ) / K

    ``label_smoothing = s`` first moves the targets towards 1/2: ``y <- y (1 - s) + s / 2``.
    ``axis`` is the axis averaged over (``K`` = its size). y_true and y_pred must have the
    same shape (after the usual rank alignment).
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    @check_keywords
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _targets(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """Shape check, smoothing, and the averaged axis moved to the end."""
        _same_shape("binary_crossentropy", y_true, y_pred)
        s = self.label_smoothing
        y = y_true * (1.0 - s) + 0.5 * s if s else y_true
        return _move_axis(y, self.axis, -1), _move_axis(y_pred, self.axis, -1)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        if self.from_logits:
            x = p
            e = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        else:
            p_c = _clipped(p)
            e = -(y * np.log(p_c) + (1.0 - y) * np.log1p(-p_c))  # log1p as torch: exact near 1
        return np.mean(e, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        K = p.shape[-1]
        if self.from_logits:
            dp = (_sigmoid(p) - y) / K
        else:
            p_c, inside = _clip(p)
            dp = (-y / p_c + (1.0 - y) / (1.0 - p_c)) * inside / K
        return _move_axis(dp, -1, self.axis)


def _check_smoothing(s: float) -> float:
    if not 0.0 <= s <= 1.0:
        raise ValueError(f"label_smoothing must be between 0 and 1, got {s}. "
                         f"0.1 is a common choice; 0 turns smoothing off.")
    return s


# ----- categorical crossentropy ------------------------------------------------------------
def _cce_value(y: np.ndarray, p: np.ndarray, from_logits: bool) -> np.ndarray:
    """``-sum_k y_k log q_k`` over the last axis, ``q`` = softmax(p) or clipped p / sum(p)."""
    if from_logits:
        log_q = _log_softmax(p)
    else:
        q_c = _clipped(p / p.sum(axis=-1, keepdims=True))
        log_q = np.log(q_c)
    return -(y * log_q).sum(axis=-1)


def _cce_gradient(y: np.ndarray, p: np.ndarray, from_logits: bool) -> np.ndarray:
    """Derivative of :func:`_cce_value` summed over samples, with respect to ``p``.

    Logits: ``softmax(x) * sum_k y_k - y``. Probabilities, with ``S = sum_k p_k``,
    ``q = p / S``, ``g = dL/dq_c = -y / q_c`` (0 where q was clipped) and
    ``dq_k / dp_j = (delta_kj - q_k) / S``:  ``dL/dp_j = (g_j - sum_k g_k q_k) / S``.
    """
    if from_logits:
        return np.exp(_log_softmax(p)) * y.sum(axis=-1, keepdims=True) - y
    S = p.sum(axis=-1, keepdims=True)
    q = p / S
    q_c, inside = _clip(q)
    g = -y / q_c * inside
    return (g - (g * q).sum(axis=-1, keepdims=True)) / S


class CategoricalCrossentropy(Loss):
    """Cross-entropy between one-hot targets and a distribution over classes (softmax).

    With probabilities ``p`` (``from_logits=False``) the outputs are first normalised and
    clipped, as Keras does: ``q = clip(p / sum_k p_k, eps, 1 - eps)``. With logits ``x``,
    ``q = softmax(x)`` (computed as a stable log-softmax, no clipping). Then::

        L = -sum_k y_k log q_k
        dL/dx = softmax(x) * sum_k y_k - y                    (logits)
        dL/dp_j = (g_j - sum_k g_k q_k) / sum_k p_k,  g = -y / q   (probabilities, see
                                                                   _cce_gradient)

    ``label_smoothing = s``: ``y <- y (1 - s) + s / C`` for ``C`` classes. ``axis`` is the
    class axis. y_true and y_pred must have the same shape; for integer labels use
    :class:`SparseCategoricalCrossentropy`.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    @check_keywords
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _targets(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        _same_shape("categorical_crossentropy", y_true, y_pred)
        y, p = _move_axis(y_true, self.axis, -1), _move_axis(y_pred, self.axis, -1)
        if p.shape[-1] == 1:
            warn_once(
                f"categorical_crossentropy got y_pred of shape {y_pred.shape}, with a single "
                f"unit on the class axis. A distribution over one class is always 1, so this "
                f"loss is always about 0 and the model learns nothing. For two classes use "
                f"one sigmoid unit with loss='binary_crossentropy' (or Dense(2, "
                f"activation='softmax') with one-hot targets).", key="cce_one_unit")
        s = self.label_smoothing
        if s:
            y = y * (1.0 - s) + s / y.shape[-1]
        return y, p

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        return _cce_value(y, p, self.from_logits)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        return _move_axis(_cce_gradient(y, p, self.from_logits), -1, self.axis)


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class labels instead of one-hot rows.

    ``y_true`` holds labels ``0 .. C-1`` with shape ``y_pred.shape`` minus the class axis
    (a trailing axis of size 1, as in ``(n, 1)``, is dropped). The loss is exactly
    :class:`CategoricalCrossentropy` of the one-hot labels: ``L = -log q[label]``.

    ``ignore_class`` (Keras: leave out samples with that label and average over the rest)
    is not supported; to leave samples out, give them ``sample_weight=0`` (note that the
    average then still divides by the number of all samples).
    """

    _config_keys = ("from_logits", "ignore_class")

    sparse_targets = True

    @check_keywords
    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        if ignore_class is not None:
            raise ValueError(
                f"kteach's SparseCategoricalCrossentropy does not support "
                f"ignore_class={ignore_class!r}. To leave those samples out of the loss, "
                f"pass sample_weight=0 for them (fit(..., sample_weight=w)) and keep "
                f"ignore_class=None.")
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def align(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`Loss.align`, then a size-1 label axis in place of the class axis goes."""
        y_true, y_pred = super().align(y_true, y_pred)
        if y_true.ndim == y_pred.ndim and y_true.shape[self.axis] == 1:
            y_true = np.squeeze(y_true, axis=self.axis)
        return y_true, y_pred

    def _one_hot(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """(one-hot targets, outputs), both with the class axis last."""
        p = _move_axis(y_pred, self.axis, -1)
        if np.shape(y_true) != p.shape[:-1]:
            raise ShapeError(
                f"sparse_categorical_crossentropy needs one integer label per sample: "
                f"y_true.shape should be {p.shape[:-1]} for y_pred.shape={y_pred.shape}, but "
                f"got {np.shape(y_true)}. If your targets are one-hot rows, use "
                f"categorical_crossentropy, or turn them into labels with "
                f"np.argmax(y, axis=-1).")
        labels = _labels(y_true, p.shape[-1])
        return np.eye(p.shape[-1], dtype=p.dtype)[labels], p

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._one_hot(y_true, y_pred)
        return _cce_value(y, p, self.from_logits)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._one_hot(y_true, y_pred)
        return _move_axis(_cce_gradient(y, p, self.from_logits), -1, self.axis)


def _labels(y_true: Any, num_classes: int) -> np.ndarray:
    """Integer labels from ``y_true``; a :class:`DataError` unless all are in 0..C-1."""
    y = np.asarray(y_true)
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y) & (y == np.floor(y))):
            raise DataError(
                "sparse_categorical_crossentropy needs whole-number class labels in y_true, "
                "but it holds fractions. If y_true holds probabilities or one-hot rows, use "
                "categorical_crossentropy.")
    labels = y.astype(np.int64)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise DataError(
            f"Label {bad.flat[0]} is out of range: the output has {num_classes} classes, so "
            f"labels must be 0 to {num_classes - 1}. If your labels start at 1, subtract 1; "
            f"otherwise give the last layer more units.")
    return labels
