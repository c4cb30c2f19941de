"""Metrics by name: :func:`get` (with Keras' rule for ``'accuracy'``), :func:`check_identifier`
and the aliases."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.errors import KteachError, UnknownNameError, unknown_name_error
from ..engine.naming import snake_case
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                       SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy)
from .auc import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion import (FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,
                        TruePositives)
from .fscore import F1Score, FBetaScore
from .probabilistic import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .regression import (MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                         R2Score, RootMeanSquaredError)


class AccuracyNeedsShapesError(KteachError, ValueError):
    """``'accuracy'`` was asked for without the shapes that decide which accuracy it is."""


_CLASSES = [Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, Mean, Sum, RootMeanSquaredError,
            MeanAbsolutePercentageError, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
            AUC, F1Score, FBetaScore, R2Score]
# MeanIoU is left out on purpose: Keras 3 resolves no string to it ('mean_io_u' fails there).
ALIASES = {"mse": MeanSquaredError, "MSE": MeanSquaredError,
           "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
           "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError}
# As Keras 3: class names, the same in snake_case, and the aliases (all case-sensitive).
_BY_NAME: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{snake_case(cls.__name__): cls for cls in _CLASSES},
    **ALIASES,
}
_KERAS_ONLY = {
    "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", "msle", "MSLE",
    "kl_divergence", "KLDivergence", "poisson", "Poisson", "hinge", "Hinge",
    "squared_hinge", "SquaredHinge", "categorical_hinge", "CategoricalHinge",
    "cosine_similarity", "CosineSimilarity", "log_cosh_error", "LogCoshError",
}


def _shape(x: Any) -> tuple:
    """The shape of an array (or of anything with ``.shape``, such as a symbolic tensor)."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def accuracy_for_shapes(y_true_shape: tuple, y_pred_shape: tuple) -> type[Metric]:
    """Keras 3's rule for ``'accuracy'``, from shapes only (the loss plays no part):

    1. the output's last axis has size 1            -> :class:`BinaryAccuracy`;
    2. else the targets have fewer axes than the output, or a last axis of size 1
       (integer labels)                              -> :class:`SparseCategoricalAccuracy`;
    3. else (one-hot targets)                        -> :class:`CategoricalAccuracy`.
    """
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def get(identifier: Any, y_true: Any = None, y_pred: Any = None) -> Metric:
    """The :class:`Metric` for one entry of ``compile(metrics=[...])``.

    * ``'accuracy'`` / ``'acc'`` (any case): chosen from the shapes of ``y_true`` and
      ``y_pred`` (arrays, or anything with ``.shape``; only the shapes are used) by
      :func:`accuracy_for_shapes`, and named as written;
    * other names (case-sensitive, as Keras): class names (``'MeanSquaredError'``), the
      same in snake_case (``'mean_squared_error'``, ``'binary_accuracy'``) and the aliases
      ``mse MSE mae MAE bce BCE`` -- a new metric named as written (``'mse'`` logs ``mse``);
    * a :class:`Metric` -> itself; a Metric subclass -> a new instance;
    * any other callable ``fn(y_true, y_pred)`` -> a :class:`MeanMetricWrapper` named after
      it (a kteach loss object works too, counting each batch once).

    Unknown names raise :class:`~kteach.engine.errors.UnknownNameError` (a ValueError).
    """
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        if y_true is None or y_pred is None:
            raise AccuracyNeedsShapesError(
                f"metrics.get({identifier!r}) needs y_true and y_pred: {identifier!r} means "
                f"binary, sparse categorical or categorical accuracy depending on their "
                f"shapes. Pass them, or name the metric you mean: 'binary_accuracy', "
                f"'sparse_categorical_accuracy' or 'categorical_accuracy'.")
        return accuracy_for_shapes(_shape(y_true), _shape(y_pred))(name=identifier)
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise unknown_name_error("metric", str(identifier), _known_names())


def check_identifier(identifier: Any) -> None:
    """Refuse a ``compile(metrics=[...])`` entry that can never work, at compile time: an
    unknown name (with a did-you-mean) or something that is neither a name, a Metric nor a
    function. ``'accuracy'`` is fine: which accuracy it is waits for the data's shapes."""
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return
    if isinstance(identifier, str):
        _from_name(identifier)
    elif not (isinstance(identifier, Metric) or callable(identifier)):
        from ..engine.errors import WrongTypeError
        raise WrongTypeError(f"compile(metrics=...) takes metric names, Metric objects or functions "
                        f"fn(y_true, y_pred); got {type(identifier).__name__} {identifier!r:.60}.")


def _known_names() -> list[str]:
    """The names listed in messages: snake_case names and aliases (class names work too)."""
    return [n for n in _BY_NAME if n in ALIASES or not n[0].isupper()] + ["acc"]


def _from_name(name: str) -> Metric:
    if name in _BY_NAME:
        return _BY_NAME[name](name=name)
    if name in _KERAS_ONLY:
        raise UnknownNameError(
            f"Could not interpret metric identifier: {name}. Keras 3 has this metric but "
            f"kteach does not implement it. Pass a function fn(y_true, y_pred) that returns "
            f"one value per sample, or use one of: {', '.join(sorted(_known_names()))}.")
    raise unknown_name_error("metric", name, _known_names())
