"""The function forms of the losses (``kteach.losses.mean_squared_error(y_true, y_pred)``):
per-sample values, computed by the matching class."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Loss
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError)


def _per_sample(cls: type[Loss], y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
    """``cls(**kwargs).call`` on the aligned arrays: the function form of a loss class."""
    loss = cls(**kwargs)
    return loss.call(*loss.align(y_true, y_pred))


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k (y_true - y_pred)^2`` (last axis). See :class:`MeanSquaredError`."""
    return _per_sample(MeanSquaredError, y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k |y_true - y_pred|`` (last axis). See :class:`MeanAbsoluteError`."""
    return _per_sample(MeanAbsoluteError, y_true, y_pred)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample binary cross-entropy. See :class:`BinaryCrossentropy`."""
    return _per_sample(BinaryCrossentropy, y_true, y_pred, from_logits=from_logits,
                       label_smoothing=label_smoothing, axis=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample categorical cross-entropy. See :class:`CategoricalCrossentropy`."""
    return _per_sample(CategoricalCrossentropy, y_true, y_pred, from_logits=from_logits,
                       label_smoothing=label_smoothing, axis=axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy with integer labels. See :class:`SparseCategoricalCrossentropy`."""
    return _per_sample(SparseCategoricalCrossentropy, y_true, y_pred, from_logits=from_logits,
                       ignore_class=ignore_class, axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    """Per-sample Huber loss. See :class:`Huber`."""
    return _per_sample(Huber, y_true, y_pred, delta=delta)


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k log(cosh(p - y))``. See :class:`LogCosh`."""
    return _per_sample(LogCosh, y_true, y_pred)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample squared error of ``log(1 + value)``. See :class:`MeanSquaredLogarithmicError`."""
    return _per_sample(MeanSquaredLogarithmicError, y_true, y_pred)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``100 mean_k |y - p| / |y|``. See :class:`MeanAbsolutePercentageError`."""
    return _per_sample(MeanAbsolutePercentageError, y_true, y_pred)


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k p - y log(p + eps)``. See :class:`Poisson`."""
    return _per_sample(Poisson, y_true, y_pred)


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``sum_k y log(y / p)``. See :class:`KLDivergence`."""
    return _per_sample(KLDivergence, y_true, y_pred)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Per-sample minus the cosine of the angle between y and p. See :class:`CosineSimilarity`."""
    return _per_sample(CosineSimilarity, y_true, y_pred, axis=axis)


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k max(1 - y p, 0)``. See :class:`Hinge`."""
    return _per_sample(Hinge, y_true, y_pred)


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k max(1 - y p, 0)^2``. See :class:`SquaredHinge`."""
    return _per_sample(SquaredHinge, y_true, y_pred)


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``max(neg - pos + 1, 0)``. See :class:`CategoricalHinge`."""
    return _per_sample(CategoricalHinge, y_true, y_pred)


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> np.ndarray:
    """Per-sample focal binary cross-entropy. See :class:`BinaryFocalCrossentropy`."""
    return _per_sample(BinaryFocalCrossentropy, y_true, y_pred,
                       apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                       from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample focal categorical cross-entropy. See :class:`CategoricalFocalCrossentropy`."""
    return _per_sample(CategoricalFocalCrossentropy, y_true, y_pred, alpha=alpha, gamma=gamma,
                       from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
