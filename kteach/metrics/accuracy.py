"""Accuracies: the per-sample functions (``binary_accuracy`` ...) and the metrics that average
them, top-k included."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses
from ..engine import config
from ..engine.errors import (check_keywords)
from .base import MeanMetricWrapper


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where ``y_true == y_pred`` exactly, else 0.0 (shapes aligned first)."""
    y_pred = np.asarray(y_pred)
    y_true, y_pred = losses.align_ranks(np.asarray(y_true, dtype=y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(config.floatx())


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1.0 where ``(y_pred > threshold) == y_true``, per output unit.

    Strictly greater: with the default threshold an output of exactly 0.5 counts as class 0.
    Shape: ``y_pred``'s (after rank alignment); :class:`Mean` averages over the units.
    """
    y_true, y_pred = losses.align_ranks(np.asarray(y_true), np.asarray(y_pred))
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == predicted).astype(config.floatx())


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` over the last axis; shape ``(n, ...)``.

    For one-hot targets. Ties go to the first largest entry, as ``np.argmax`` does.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(config.floatx())


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where the label ``y_true`` equals ``argmax(y_pred)`` over the last axis.

    For integer labels of shape ``(n,)`` or ``(n, 1)``; the result has shape ``(n,)``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    predicted = np.argmax(y_pred, axis=-1)
    return (y_true == predicted).astype(config.floatx())


# ----- metric classes ----------------------------------------------------------------------
class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (for predicted labels, not scores).

    In ``compile(metrics=['accuracy'])`` the string means one of the three accuracies below,
    chosen from shapes (see :func:`get`); this class is only used when named as a class.
    """

    @check_keywords
    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """Fraction of outputs with ``(y_pred > threshold) == y_true``: for sigmoid outputs."""

    @check_keywords
    def __init__(self, name: str = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose largest output is the one-hot target's class."""

    @check_keywords
    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose largest output is at the integer label."""

    @check_keywords
    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1.0 where the one-hot target's class is among the ``k`` largest outputs.

    "Among the k largest" means: fewer than ``k`` outputs are strictly larger than the
    target's, so ties count in the target's favour (as Keras' ``in_top_k``).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> np.ndarray:
    """1.0 where the integer label is among the ``k`` largest outputs (see
    :func:`top_k_categorical_accuracy`). With ``from_sorted_ids=True``, ``y_pred`` holds
    class ids, best first, and a hit is the label among the first ``k`` of them."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    labels = y_true.astype(np.int64)
    if from_sorted_ids:
        return np.any(y_pred[..., :k] == labels[..., None], axis=-1).astype(config.floatx())
    return _in_top_k(labels, y_pred, k)


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """1.0 where ``1 + #{j : p_j > p_label} <= k``."""
    at_label = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    rank = 1 + np.sum(y_pred > at_label, axis=-1)
    return (rank <= k).astype(config.floatx())


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose one-hot class is among the ``k`` largest outputs."""

    @check_keywords
    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose integer label is among the ``k`` largest outputs."""

    @check_keywords
    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None, from_sorted_ids: bool = False) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
