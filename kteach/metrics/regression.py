"""Regression metrics: mean squared and absolute errors, their root and percentage forms,
and :class:`R2Score`."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses
from ..engine.arrays import plain
from ..engine.errors import (check_keywords,
                             warn_once)
from .base import Mean, MeanMetricWrapper, Metric, _check_two_dimensional, _scalar_or_array


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.mean_squared_error` over all samples."""

    @check_keywords
    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.mean_absolute_error` over all samples."""

    @check_keywords
    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt(mean of (p - y)^2)`` over every sample seen: a :class:`Mean` of the squared
    errors (per sample), square-rooted in ``result``. Same unit as the targets."""

    @check_keywords
    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = losses.align_ranks(np.asarray(plain(y_true), np.float64),
                                            np.asarray(plain(y_pred), np.float64))
        super().update_state((y_pred - y_true) ** 2, sample_weight=plain(sample_weight))

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.mean_absolute_percentage_error`."""

    @check_keywords
    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


# ----- R^2 ---------------------------------------------------------------------------------
_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """Coefficient of determination per output column, from sums over all batches.

    With weights ``w`` (1 if not given), per column::

        mean = sum(w y) / sum(w)
        SS_tot = sum(w y^2) - sum(w y) · mean       SS_res = sum(w (y - p)^2)
        R^2 = 1 - SS_res / SS_tot                   (0 where that is infinite)

    1 is a perfect fit, 0 is as good as always predicting the mean. ``class_aggregation``:
    ``'uniform_average'`` (mean over columns), ``'variance_weighted_average'`` (weighted by
    ``SS_tot``) or ``None`` (one value per column). ``num_regressors = k`` > 0 gives the
    adjusted ``1 - (1 - R^2)(n - 1)/(n - k - 1)``, ``n`` = number of values seen.
    """

    def _one_number_fix(self) -> str:
        """The fix when result() is not one number (class_aggregation=None)."""
        return ("R2Score(class_aggregation=None) gives one value per output column; for the "
                "logs use class_aggregation='uniform_average'.")

    @check_keywords
    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score", dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`: "
                             f"{class_aggregation!r}. Expected one of None, "
                             f"'uniform_average', 'variance_weighted_average'.")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`: {num_regressors}; "
                             f"it must be 0 or more.")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._built = False

    def _build(self, columns: int) -> None:
        for n in ("squared_sum", "sum", "total_mse", "count"):
            setattr(self, n, self.add_variable((columns,), "zeros", dtype="float64", name=n))
        self.num_samples = self.add_variable((), "zeros", dtype="int64", name="num_samples")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = losses.align_ranks(np.asarray(plain(y_true), np.float64),
                                            np.asarray(plain(y_pred), np.float64))
        _check_two_dimensional("R2Score", y_true, y_pred)
        if not self._built:
            self._build(y_pred.shape[-1])
        w = np.ones(()) if sample_weight is None else np.asarray(plain(sample_weight), np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape)
        self.sum.assign_add(np.sum(w * y_true, axis=0))
        self.squared_sum.assign_add(np.sum(w * y_true ** 2, axis=0))
        self.total_mse.assign_add(np.sum(w * (y_true - y_pred) ** 2, axis=0))
        self.count.assign_add(np.sum(w, axis=0))
        self.num_samples.assign_add(y_true.size)

    def result(self) -> Any:
        if not self._built:
            return 0.0
        total_sum, count = self.sum.value, self.count.value
        ss_tot = self.squared_sum.value - total_sum * (total_sum / count)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = 1.0 - self.total_mse.value / ss_tot
        r2 = np.where(np.isinf(r2), 0.0, r2)
        if self.class_aggregation == "uniform_average":
            r2 = np.mean(r2)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = np.sum(ss_tot * r2) / np.sum(ss_tot)
        n, k = int(self.num_samples.value), self.num_regressors
        if k:
            if k >= n - 1:
                warn_once(f"R2Score(num_regressors={k}) has seen only {n} values, so the "
                          f"adjusted R^2 is undefined; showing the standard R^2.",
                          key="r2_adjusted")
            else:
                r2 = 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1)
        return _scalar_or_array(r2) if np.ndim(r2) == 0 else np.asarray(r2)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
