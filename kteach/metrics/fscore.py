"""F-scores: :class:`FBetaScore` and :class:`F1Score`."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config
from ..engine.arrays import plain
from ..engine.errors import (check_keywords)
from .base import Metric, _check_two_dimensional


_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score per class, from counts over all batches (2-D data: samples x classes).

    Outputs become 0/1 predictions: ``p > threshold``, or, with ``threshold=None``, 1 for
    each row's largest output. Then, per class (with ``e = eps``)::

        precision = TP / (TP + FP + e),   recall = TP / (TP + FN + e)
        F = (1 + b^2) · precision · recall / (b^2 · precision + recall + e)

    ``b = beta`` > 1 weighs recall more, < 1 precision more. ``average``: ``None`` gives one
    score per class (an array), ``'macro'`` their mean, ``'weighted'`` their mean weighted by
    each class's number of positives, ``'micro'`` the score of the counts summed over classes.
    """

    def _one_number_fix(self) -> str:
        """The fix when result() is not one number (average=None), for the logs' error."""
        name = type(self).__name__
        return (f"{name}(average=None) gives one score per class; for the logs use "
                f"{name}(average='macro') (or 'micro', 'weighted'), and call result() "
                f"yourself to see the scores per class.")

    @check_keywords
    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score",
                 dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        if average not in _AVERAGES:
            raise ValueError(f"Invalid `average` argument value {average!r}. Expected one of: "
                             f"None, 'micro', 'macro', 'weighted'.")
        if not (isinstance(beta, (int, float)) and beta > 0):
            raise ValueError(f"`beta` should be a float greater than 0, got {beta!r}.")
        if threshold is not None and not (isinstance(threshold, (int, float))
                                          and 0 < threshold <= 1):
            raise ValueError(f"`threshold` should be a float in the range (0, 1], got "
                             f"{threshold!r}; or None for 'the largest output of each row'.")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self._built = False

    def _build(self, num_classes: int) -> None:
        shape = () if self.average == "micro" else (num_classes,)
        for n in ("true_positives", "false_positives", "false_negatives",
                  "intermediate_weights"):
            setattr(self, n, self.add_variable(shape, "zeros", dtype="float64", name=n))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = np.asarray(plain(y_true), np.float64)
        y_pred = np.asarray(plain(y_pred), np.float64)
        _check_two_dimensional(type(self).__name__, y_true, y_pred)
        if not self._built:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(np.float64)
        w = 1.0 if sample_weight is None else \
            np.asarray(plain(sample_weight), np.float64).reshape(-1, 1)
        axis = None if self.average == "micro" else 0
        self.true_positives.assign_add(np.sum(predicted * y_true * w, axis=axis))
        self.false_positives.assign_add(np.sum(predicted * (1 - y_true) * w, axis=axis))
        self.false_negatives.assign_add(np.sum((1 - predicted) * y_true * w, axis=axis))
        self.intermediate_weights.assign_add(np.sum(y_true * w, axis=axis))

    def result(self) -> Any:
        if not self._built:
            return 0.0
        e, b2 = config.epsilon(), self.beta ** 2
        tp, fp, fn = self.true_positives.value, self.false_positives.value, \
            self.false_negatives.value
        precision, recall = tp / (tp + fp + e), tp / (tp + fn + e)
        f = (1 + b2) * precision * recall / (b2 * precision + recall + e)
        if self.average == "weighted":
            support = self.intermediate_weights.value
            return float(np.sum(f * support / (np.sum(support) + e)))
        if self.average is not None:
            return float(np.mean(f))
        return np.asarray(f)

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """:class:`FBetaScore` with ``beta = 1``: the harmonic mean of precision and recall,
    ``2 · precision · recall / (precision + recall)``."""

    @check_keywords
    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
