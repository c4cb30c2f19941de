"""Hinge losses, the losses of maximum-margin classifiers: :class:`Hinge`,
:class:`SquaredHinge` and :class:`CategoricalHinge`."""
from __future__ import annotations

import numpy as np

from ..engine.errors import check_keywords
from .base import Loss, _sum_to_shape


def _hinge_labels(y_true: np.ndarray) -> np.ndarray:
    """Labels as -1/+1: if every label is 0 or 1 they become ``2y - 1``, else unchanged
    (Keras looks at the whole batch)."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(Loss):
    """The loss of a support vector machine, for labels -1/+1 (0/1 are turned into -1/+1)
    and raw scores ``p`` (no sigmoid). With the margin ``m = 1 - y p``::

        L = mean_k max(m, 0)
        dL/dp = -y [m > 0] / K

    A score on the right side by at least 1 costs nothing.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "hinge") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        m = 1.0 - _hinge_labels(y_true) * y_pred
        return np.mean(np.maximum(m, 0.0), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = _hinge_labels(y_true)
        m = 1.0 - y * y_pred
        return _sum_to_shape(-y * (m > 0) / y_pred.shape[-1], y_pred.shape)


class SquaredHinge(Loss):
    """:class:`Hinge` squared, which is smooth at the margin. With ``m = 1 - y p``
    (labels -1/+1; 0/1 are turned into -1/+1)::

        L = mean_k max(m, 0)^2
        dL/dp = -2 y max(m, 0) / K
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "squared_hinge") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        m = 1.0 - _hinge_labels(y_true) * y_pred
        return np.mean(np.maximum(m, 0.0) ** 2, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = _hinge_labels(y_true)
        m = 1.0 - y * y_pred
        return _sum_to_shape(-2.0 * y * np.maximum(m, 0.0) / y_pred.shape[-1], y_pred.shape)


class CategoricalHinge(Loss):
    """Multi-class hinge for one-hot targets and raw scores: the right class's score
    ``pos`` should beat the best wrong one ``neg`` by at least 1::

        pos = sum_k y_k p_k,   neg = max_k (1 - y_k) p_k,   L = max(neg - pos + 1, 0)
        dL/dp = [L > 0] · ((1 - y) * onehot(argmax_k (1 - y_k) p_k) - y)
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_hinge") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        pos = np.sum(y_true * y_pred, axis=-1)
        neg = np.max((1.0 - y_true) * y_pred, axis=-1)
        return np.maximum(neg - pos + 1.0, 0.0)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = np.broadcast_arrays(y_true, y_pred)
        wrong = (1.0 - y) * p
        best_wrong = np.eye(p.shape[-1], dtype=p.dtype)[np.argmax(wrong, axis=-1)]
        active = (self.call(y_true, y_pred) > 0)[..., None]
        return active * ((1.0 - y) * best_wrong - y)
