"""Intersection over union for segmentation: :class:`MeanIoU`."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.arrays import plain
from ..engine.errors import (check_keywords)
from .base import Metric, _divide_no_nan


class MeanIoU(Metric):
    """Mean intersection-over-union of the classes, from a confusion matrix over all batches.

    ``cm[i, j]`` counts (weighted) values with target class ``i`` predicted as ``j``. Per
    class ``c``: ``IoU_c = cm[c, c] / (sum_j cm[c, j] + sum_i cm[i, c] - cm[c, c])`` (the
    true positives over true positives + false positives + false negatives); the result is
    the mean over the classes that appear at all (a zero denominator leaves the class out).

    Targets and predictions are integer class ids (any shape); ``sparse_y_true=False`` /
    ``sparse_y_pred=False`` take the argmax over ``axis`` first (one-hot targets, softmax
    outputs). Values outside ``0..num_classes-1``, and ``ignore_class``, are left out. As in
    Keras, the matrix is counted in ``dtype`` (default ``'int32'``), so float sample weights
    are truncated to whole numbers.
    """

    @check_keywords
    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(dtype=dtype or "int32", name=name)
        self.num_classes, self.ignore_class = int(num_classes), ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((self.num_classes, self.num_classes), "zeros",
                                          dtype=self.dtype, name="total_confusion_matrix")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = np.asarray(plain(y_true)), np.asarray(plain(y_pred))
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        t, p = y_true.reshape(-1).astype(self.dtype), y_pred.reshape(-1).astype(self.dtype)
        w = np.ones(t.shape) if sample_weight is None else \
            np.broadcast_to(np.asarray(plain(sample_weight)).reshape(-1), t.shape)
        w = w.astype(self.dtype)
        C = self.num_classes
        keep = (t >= 0) & (t < C) & (p >= 0) & (p < C)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        cm = np.zeros((C, C), self.dtype)
        np.add.at(cm, (t[keep].astype(np.int64), p[keep].astype(np.int64)), w[keep])
        self.total_cm.assign_add(cm)

    def result(self) -> float:
        cm = np.asarray(self.total_cm.value, np.float64)
        tp = np.diag(cm)
        denominator = cm.sum(axis=0) + cm.sum(axis=1) - tp
        valid = denominator > 1e-9
        iou = _divide_no_nan(tp, denominator)
        return float(_divide_no_nan(np.sum(iou * valid), np.sum(valid)))

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
