"""The area under the ROC or precision-recall curve, from confusion counts at many thresholds."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config
from ..engine.arrays import plain
from ..engine.errors import (check_keywords)
from .base import Metric, _divide_no_nan
from .confusion import _thresholds, confusion_counts


_CURVES = ("ROC", "PR")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """Area under the ROC curve (or the precision-recall curve), from counts at fixed
    thresholds.

    The thresholds are ``t_0 = -eps < t_1 < ... < t_{T-1} = 1 + eps`` (``T =
    num_thresholds``, evenly spaced in between, or ``[-eps] + sorted(thresholds) + [1 +
    eps]``). At each one, TP, FP, TN, FN are counted over all batches (see
    :func:`confusion_counts`), giving the points ``x_i, y_i``:

    * ``curve='ROC'``: ``x = FP / (FP + TN)`` (false-positive rate), ``y = TP / (TP + FN)``;
    * ``curve='PR'``:  ``x = TP / (TP + FN)`` (recall), ``y = TP / (TP + FP)`` (precision).

    ``AUC = sum_i (x_i - x_{i+1}) · h_i`` with ``h_i`` the mean of ``y_i, y_{i+1}``
    (``'interpolation'``), their minimum (``'minoring'``) or maximum (``'majoring'``). For
    PR with ``'interpolation'`` the precision between two points is interpolated as Davis
    and Goadrich (2006) describe (``_interpolated_pr_auc``). ``multi_label=True``: one AUC
    per output unit, then their mean (weighted by ``label_weights`` if given); otherwise
    every output counts as one more sample. ``from_logits=True`` applies a sigmoid first.
    """

    @check_keywords
    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        super().__init__(dtype=dtype, name=name)
        curve, summation_method = str(curve).upper(), str(summation_method).lower()
        if curve not in _CURVES:
            raise ValueError(f"Invalid `curve` argument value {curve!r}. kteach's AUC "
                             f"knows {', '.join(_CURVES)} (Keras also has PRGAIN).")
        if summation_method not in _SUMMATIONS:
            raise ValueError(f"Invalid `summation_method` argument value "
                             f"{summation_method!r}. Expected one of: {', '.join(_SUMMATIONS)}.")
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, 0.5))
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = config.epsilon()
        self._init_thresholds = thresholds
        self.thresholds_list = [0.0 - eps] + inner + [1.0 + eps]
        self.num_thresholds = num_thresholds
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights,
                                                                           np.float64)
        self.from_logits = from_logits
        self._built = False

    def _build(self, labels: int) -> None:
        shape = (self.num_thresholds, labels) if self.multi_label else (self.num_thresholds,)
        for count in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, count, self.add_variable(shape, "zeros", dtype="float64", name=count))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = np.asarray(plain(y_pred), np.float64)
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        if not self._built:
            self._build(int(np.prod(y_pred.shape[1:])) if y_pred.ndim > 1 else 1)
        y_true = np.asarray(plain(y_true), np.float64)
        if self.label_weights is not None and not self.multi_label:
            # each output column counts with its label weight
            sw = 1.0 if sample_weight is None else np.asarray(plain(sample_weight), np.float64)
            if np.ndim(sw) == 1:
                sw = np.reshape(sw, (-1,) + (1,) * (y_pred.ndim - 1))
            sample_weight = np.broadcast_to(sw * self.label_weights, y_pred.shape)
        counts = confusion_counts(y_true, y_pred, self.thresholds_list, sample_weight,
                                  multi_label=self.multi_label)
        for name, value in counts.items():
            getattr(self, name).assign_add(value.reshape(getattr(self, name).shape))

    def result(self) -> float:
        if not self._built:
            return 0.0
        tp, fp, tn, fn = (getattr(self, n).value for n in
                          ("true_positives", "false_positives", "true_negatives",
                           "false_negatives"))
        if self.curve == "PR" and self.summation_method == "interpolation":
            per_point = self._interpolated_pr_auc(tp, fp, fn)
        else:
            recall = _divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = _divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, _divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2.0
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            per_point = (x[:-1] - x[1:]) * heights
        return self._over_labels(per_point)

    @staticmethod
    def _interpolated_pr_auc(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
        """Between thresholds i and i+1, TP grows linearly with the number of predicted
        positives ``P = TP + FP``: ``TP = slope · P + intercept``. The area under the
        precision ``TP / P`` over recall ``TP / (TP + FN)`` between the two points is then
        ``slope · (dTP + intercept · log(P_i / P_{i+1})) / (TP + FN)``."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = _divide_no_nan(dtp, np.maximum(p[:-1] - p[1:], 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                              np.maximum(tp[1:] + fn[1:], 0))

    def _over_labels(self, per_point: np.ndarray) -> float:
        if not self.multi_label:
            return float(np.sum(per_point))
        by_label = np.sum(per_point, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_divide_no_nan(np.sum(by_label * self.label_weights),
                                    np.sum(self.label_weights)))

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(), "from_logits": self.from_logits}
        if self._init_thresholds is not None:
            config["thresholds"] = self.thresholds_list[1:-1]
        return config
