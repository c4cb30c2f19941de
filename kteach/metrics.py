"""Metrics, as ``keras.metrics``: numbers that say how well the model does, over an epoch.

A metric is a small running average. ``fit`` calls, for every batch::

    metric.update_state(y_true, y_pred)   # add this batch
    metric.result()                       # the average over all batches so far (a float)

and ``metric.reset_state()`` at the start of each epoch. Most metrics are a per-sample
function ``fn(y_true, y_pred) -> one value per sample`` averaged by :class:`Mean`, so a batch
of 32 samples counts 32 times and a last batch of 8 counts 8 times: the epoch's value is the
mean over all samples, whatever the batch size.

Nothing here needs a gradient (metrics are only looked at, never minimised), so a plain
function works as a metric: ``metrics=[my_fn]`` logs it under ``my_fn.__name__``. Return one
value per sample; a function that returns a single number per batch is averaged over batches
with every batch counting once -- as in Keras.

``metrics=['accuracy']`` (or ``'acc'``, any case) picks one of three accuracies from the
shapes of the targets and the outputs -- see :func:`get`. The metric keeps the name as
written, so ``'acc'`` is logged as ``acc``.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from . import losses
from .engine import config
from .engine.errors import (KteachError, UnknownNameError, check_keywords,
                            unknown_name_error)
from .engine.naming import snake_case, unique_name


class AccuracyNeedsShapesError(KteachError, ValueError):
    """``'accuracy'`` was asked for without the shapes that decide which accuracy it is."""


def _mean_over_trailing_axes(x: np.ndarray, start: int) -> np.ndarray:
    """Average ``x`` over its axes ``start, start+1, ...`` (unchanged if it has none)."""
    return x.mean(axis=tuple(range(start, x.ndim))) if x.ndim > start else x


# ----- base classes ------------------------------------------------------------------------
class Metric:
    """Base class of all metrics (``keras.metrics.Metric``).

    Subclasses write ``update_state(y_true, y_pred, sample_weight=None)`` (add one batch),
    ``result() -> float`` and ``reset_state()`` (forget everything). Calling a metric,
    ``metric(y_true, y_pred)``, adds the batch and returns the new result.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or unique_name(snake_case(type(self).__name__))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_state().")

    def result(self) -> float:
        raise NotImplementedError(f"{type(self).__name__} must define result().")

    def reset_state(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define reset_state().")

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """Weighted running mean: ``result = total / count``.

    ``update_state(values, sample_weight=None)``:

    * ``values`` of shape ``(n, ...)`` are first averaged to one value per sample ``v_i``;
      then ``total += sum_i v_i``, ``count += n``;
    * with ``sample_weight`` ``w``: ``total += sum_i w_i v_i``, ``count += sum_i w_i``;
    * a single number counts once (``count += 1``), or ``w`` times with ``sample_weight=w``.

    The training loop tracks the loss this way: ``tracker.update_state(batch_loss,
    sample_weight=batch_size)``, so the epoch loss is the mean over samples. ``result()``
    is 0.0 before any update.
    """

    def __init__(self, name: str = "mean") -> None:
        super().__init__(name=name)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        v = np.asarray(values, dtype=np.float64)
        if sample_weight is None:
            v = _mean_over_trailing_axes(v, 1)
            self.total += float(v.sum())
            self.count += float(v.shape[0]) if v.ndim >= 1 else 1.0
            return
        w = np.asarray(sample_weight, dtype=np.float64)
        v, w = losses.align_ranks(v, w)
        v = _mean_over_trailing_axes(v, w.ndim)  # values finer than the weights: average
        v, w = np.broadcast_arrays(v, w)
        self.total += float(_mean_over_trailing_axes(v * w, 1).sum())
        self.count += float(_mean_over_trailing_axes(w, 1).sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """A :class:`Mean` of ``fn(y_true, y_pred, **kwargs)``, one value per sample.

    ``update_state(y_true, y_pred, sample_weight=None)`` evaluates ``fn`` on the batch and
    adds the values as :meth:`Mean.update_state` does. The default name is ``fn``'s name.
    """

    def __init__(self, fn: Callable, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name or _name_of(fn))
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self.fn(y_true, y_pred, **self.fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)


def _name_of(fn: Any) -> str:
    """The name Keras logs a callable under: its ``name``, else its ``__name__`` (or class
    name) in snake_case, without characters that cannot be in a name."""
    if isinstance(getattr(fn, "name", None), str):
        return fn.name
    raw = getattr(fn, "__name__", type(fn).__name__)
    return snake_case(re.sub(r"\W+", "", raw))


# ----- per-sample functions ----------------------------------------------------------------
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
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(config.floatx())


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
    def __init__(self, name: str = "accuracy") -> None:
        super().__init__(accuracy, name=name)


class BinaryAccuracy(MeanMetricWrapper):
    """Fraction of outputs with ``(y_pred > threshold) == y_true``: for sigmoid outputs."""

    @check_keywords
    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose largest output is the one-hot target's class."""

    @check_keywords
    def __init__(self, name: str = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name=name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Fraction of samples whose largest output is at the integer label."""

    @check_keywords
    def __init__(self, name: str = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name=name)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.mean_squared_error` over all samples."""

    @check_keywords
    def __init__(self, name: str = "mean_squared_error") -> None:
        super().__init__(losses.mean_squared_error, name=name)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.mean_absolute_error` over all samples."""

    @check_keywords
    def __init__(self, name: str = "mean_absolute_error") -> None:
        super().__init__(losses.mean_absolute_error, name=name)


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.binary_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "binary_crossentropy", from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:
        super().__init__(losses.binary_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.categorical_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "categorical_crossentropy", from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1) -> None:
        super().__init__(losses.categorical_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.sparse_categorical_crossentropy`."""

    @check_keywords
    def __init__(self, name: str = "sparse_categorical_crossentropy",
                 from_logits: bool = False, ignore_class: int | None = None,
                 axis: int = -1) -> None:
        super().__init__(losses.sparse_categorical_crossentropy, name=name,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


# ----- names -------------------------------------------------------------------------------
_CLASSES = [Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy]
ALIASES = {"mse": MeanSquaredError, "MSE": MeanSquaredError,
           "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy}
# As Keras 3: class names, the same in snake_case, and the aliases (all case-sensitive).
_BY_NAME: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{snake_case(cls.__name__): cls for cls in _CLASSES},
    **ALIASES,
}
_KERAS_ONLY = {
    "auc", "AUC", "precision", "Precision", "recall", "Recall", "root_mean_squared_error",
    "RootMeanSquaredError", "top_k_categorical_accuracy", "TopKCategoricalAccuracy",
    "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy",
    "mean_absolute_percentage_error", "MeanAbsolutePercentageError", "mape", "MAPE",
    "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", "msle", "MSLE",
    "kl_divergence", "KLDivergence", "poisson", "Poisson", "hinge", "Hinge",
    "squared_hinge", "SquaredHinge", "categorical_hinge", "CategoricalHinge",
    "cosine_similarity", "CosineSimilarity", "log_cosh_error", "LogCoshError", "r2_score",
    "R2Score", "f1_score", "F1Score", "f_beta_score", "FBetaScore", "true_positives",
    "TruePositives", "true_negatives", "TrueNegatives", "false_positives", "FalsePositives",
    "false_negatives", "FalseNegatives", "mean_io_u", "MeanIoU", "io_u", "IoU",
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
