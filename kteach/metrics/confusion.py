"""Counts of the confusion matrix (:class:`TruePositives` ...) and what is computed from them:
:class:`Precision` and :class:`Recall`."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses
from ..engine.arrays import plain
from ..engine.errors import (check_keywords)
from .base import Metric, _divide_no_nan, _per_threshold_fix, _scalar_or_array


def confusion_counts(y_true: Any, y_pred: Any, thresholds: Any, sample_weight: Any = None,
                     top_k: int | None = None, class_id: int | None = None,
                     multi_label: bool = False) -> dict[str, np.ndarray]:
    """Weighted counts of true/false positives/negatives at each threshold ``t``.

    An output counts as a predicted positive when ``p > t`` (strictly); a target is a
    positive when it is not 0. ``top_k``: only each row's ``k`` largest outputs may be
    positive. ``class_id``: look only at that column. Every output of every sample counts
    once (times its sample's weight); the counts have shape ``(T,)``, or ``(T, labels)``
    with ``multi_label=True`` (one column per output unit).
    """
    y_true, y_pred = losses.align_ranks(np.asarray(plain(y_true), np.float64),
                                        np.asarray(plain(y_pred), np.float64))
    w = np.ones(y_pred.shape)
    if sample_weight is not None:
        sw = np.asarray(plain(sample_weight), np.float64)
        if sw.ndim == 1 and y_pred.ndim > 1:
            sw = sw.reshape(sw.shape + (1,) * (y_pred.ndim - 1))
        w = np.broadcast_to(sw, y_pred.shape)
    if top_k is not None:
        order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :top_k]
        keep = np.zeros(y_pred.shape, bool)
        np.put_along_axis(keep, order, True, axis=-1)
        y_pred = np.where(keep, y_pred, -np.inf)
    if class_id is not None:
        y_true, y_pred, w = (a[..., class_id:class_id + 1] for a in (y_true, y_pred, w))
    positive = y_true != 0
    # rows: what is summed over; columns: what is counted apart (one column unless multi_label)
    columns = int(np.prod(y_pred.shape[1:])) if multi_label and y_pred.ndim > 1 else 1
    positive, y_pred, w = (np.reshape(a, (-1, columns)) for a in (positive, y_pred, w))
    t = np.asarray(thresholds, np.float64).reshape(-1, 1, 1)
    predicted = y_pred[None] > t                       # (T, rows, columns)
    counts = {"true_positives": w * (predicted & positive),
              "false_positives": w * (predicted & ~positive),
              "true_negatives": w * (~predicted & ~positive),
              "false_negatives": w * (~predicted & positive)}
    return {k: v.sum(axis=1) if multi_label else v.sum(axis=(1, 2)) for k, v in counts.items()}


def _thresholds(thresholds: Any, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    values = list(np.atleast_1d(np.asarray(thresholds, np.float64)))
    bad = [t for t in values if not 0.0 <= t <= 1.0]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad[0]}. A "
                         f"threshold is compared with y_pred, which for a sigmoid output is "
                         f"a probability; for logits, apply a sigmoid first.")
    return [float(t) for t in values]


class _ConfusionCount(Metric):
    """Base of :class:`TruePositives` ... : one count per threshold, summed over batches."""

    _count: str = ""

    _one_number_fix = _per_threshold_fix

    @check_keywords
    def __init__(self, thresholds: Any = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros",
                                             dtype="float64", name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight)
        self.accumulator.assign_add(counts[self._count].reshape(-1))

    def result(self) -> Any:
        return _scalar_or_array(self.accumulator.value)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted count of outputs with ``p > threshold`` whose target is 1 (default
    threshold 0.5; a list of thresholds gives one count per threshold)."""
    _count = "true_positives"


class FalsePositives(_ConfusionCount):
    """Weighted count of outputs with ``p > threshold`` whose target is 0."""
    _count = "false_positives"


class TrueNegatives(_ConfusionCount):
    """Weighted count of outputs with ``p <= threshold`` whose target is 0."""
    _count = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """Weighted count of outputs with ``p <= threshold`` whose target is 1."""
    _count = "false_negatives"


class Precision(Metric):
    """Of the outputs predicted positive (``p > threshold``), the fraction that are:
    ``TP / (TP + FP)`` over all batches (0 before any positive prediction).

    ``thresholds``: default 0.5, or a list (then one precision per threshold). ``top_k``:
    only each row's ``k`` largest outputs count as predicted (then the default threshold
    lets all of them through). ``class_id``: only that output column.
    """

    _counts = ("true_positives", "false_positives")

    _one_number_fix = _per_threshold_fix

    @check_keywords
    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        if thresholds is None and top_k is not None:
            self.thresholds = [-np.inf]           # every one of the top k is a prediction
        else:
            self.thresholds = _thresholds(thresholds, 0.5)
        for count in self._counts:
            setattr(self, count, self.add_variable((len(self.thresholds),), "zeros",
                                                   dtype="float64", name=count))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  top_k=self.top_k, class_id=self.class_id)
        for count in self._counts:
            getattr(self, count).assign_add(counts[count].reshape(-1))

    def result(self) -> Any:
        tp, fp = self.true_positives.value, self.false_positives.value
        return _scalar_or_array(_divide_no_nan(tp, tp + fp))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Recall(Precision):
    """Of the outputs whose target is 1, the fraction predicted positive:
    ``TP / (TP + FN)`` over all batches. Arguments as :class:`Precision`."""

    _counts = ("true_positives", "false_negatives")

    def result(self) -> Any:
        tp, fn = self.true_positives.value, self.false_negatives.value
        return _scalar_or_array(_divide_no_nan(tp, tp + fn))
