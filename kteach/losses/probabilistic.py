"""Losses for counts and distributions: :class:`Poisson` and :class:`KLDivergence`."""
from __future__ import annotations

import numpy as np

from ..engine import config
from ..engine.errors import check_keywords
from .base import Loss, _sum_to_shape


class Poisson(Loss):
    """For counts (``y`` = 0, 1, 2, ...) predicted as a rate ``p > 0``; the negative log
    likelihood of a Poisson distribution, without the constant ``log(y!)``::

        L = mean_k  p - y log(p + eps)
        dL/dp = (1 - y / (p + eps)) / K

    ``p`` must be positive: end the model with ``activation='softplus'`` or ``'exponential'``.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "poisson") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean(y_pred - y_true * np.log(y_pred + config.epsilon()), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        dp = 1.0 - y_true / (y_pred + config.epsilon())
        return _sum_to_shape(dp / dp.shape[-1], y_pred.shape)


class KLDivergence(Loss):
    """Kullback-Leibler divergence of the predicted distribution from the target one.

    Both are clipped into ``[eps, 1]`` first (``y_c``, ``p_c``); summed over the last axis::

        L = sum_k y_c log(y_c / p_c)
        dL/dp = -y_c / p_c          (0 where p was clipped)

    It is 0 when ``p = y`` and otherwise positive; for one-hot targets it equals the
    categorical cross-entropy (without its normalisation of ``p``).
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "kl_divergence") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        y_c, p_c = np.clip(y_true, eps, 1.0), np.clip(y_pred, eps, 1.0)
        return np.sum(y_c * np.log(y_c / p_c), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        y_c, p_c = np.clip(y_true, eps, 1.0), np.clip(y_pred, eps, 1.0)
        return _sum_to_shape(-y_c / p_c * (p_c == y_pred), y_pred.shape)
