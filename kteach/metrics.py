"""Metrics, as ``keras.metrics``: numbers that say how well the model does, over an epoch.

A metric sums up the batches seen so far, most often as an average. ``fit`` calls, for
every batch::

    metric.update_state(y_true, y_pred)   # add this batch
    metric.result()                       # the value over all batches so far

and ``metric.reset_state()`` at the start of each epoch. A metric keeps what it has seen in
state Variables made by ``add_variable``; a learner's own metric is a :class:`Metric` subclass
written exactly like the built-in ones (see its docstring). Most built-in metrics are a
per-sample function ``fn(y_true, y_pred) -> one value per sample`` averaged by :class:`Mean`,
so a batch of 32 samples counts 32 times and a last batch of 8 counts 8 times: the epoch's
value is the mean over all samples, whatever the batch size.

Nothing here needs a gradient (metrics are only looked at, never minimised), so a plain
function works as a metric: ``metrics=[my_fn]`` logs it under ``my_fn.__name__``. Return one
value per sample; a function that returns a single number per batch is averaged over batches
with every batch counting once -- as in Keras.

``metrics=['accuracy']`` (or ``'acc'``, any case) picks one of three accuracies from the
shapes of the targets and the outputs -- see :func:`get`. The metric keeps the name as
written, so ``'acc'`` is logged as ``acc``.

Beyond the averages of per-sample values there are metrics that keep counts and compute the
number from them at the end: the confusion counts (:class:`TruePositives` ...,
:class:`Precision`, :class:`Recall`, :class:`AUC`, :class:`F1Score`), :class:`R2Score`'s sums
and :class:`MeanIoU`'s confusion matrix. Their value over an epoch is therefore not the mean of
the batches' values -- exactly as in Keras.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from . import initializers, losses
from .engine import config
from .engine.arrays import plain
from .engine.errors import (KteachError, UnknownNameError, check_keywords,
                            unknown_name_error, warn_once)
from .engine.naming import snake_case, unique_name
from .engine.variable import Variable


class AccuracyNeedsShapesError(KteachError, ValueError):
    """``'accuracy'`` was asked for without the shapes that decide which accuracy it is."""


def _mean_over_trailing_axes(x: np.ndarray, start: int) -> np.ndarray:
    """Average ``x`` over its axes ``start, start+1, ...`` (unchanged if it has none)."""
    return x.mean(axis=tuple(range(start, x.ndim))) if x.ndim > start else x


# ----- base classes ------------------------------------------------------------------------
class MetricResultError(KteachError, TypeError, ValueError):
    """A metric's ``result()`` gave something that is not one number."""


_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")


def _overrides(obj: Any, method: str) -> bool:
    """Whether ``obj``'s class replaces :class:`Metric`'s ``method`` with its own."""
    return getattr(type(obj), method) is not getattr(Metric, method)


def _standard_shape(shape: Any) -> tuple[int, ...]:
    """``None`` or ``()`` -> a scalar; ``3`` -> ``(3,)``; a list or tuple -> a tuple of ints."""
    if shape is None:
        return ()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(n) for n in shape)


class Metric:
    """Base class of all metrics (``keras.metrics.Metric``).

    A metric keeps its running state in Variables and turns it into a number on demand.
    A subclass writes three methods, as in Keras 3::

        class Hits(kteach.metrics.Metric):
            def __init__(self, name="hits", **kwargs):
                super().__init__(name=name, **kwargs)
                self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")

            def update_state(self, y_true, y_pred, sample_weight=None):   # add one batch
                self.hits.assign_add(ops.sum(ops.cast(y_true == y_pred, "float32")))

            def result(self):                                             # the number so far
                return self.hits.value

    ``reset_state()`` (forget every batch) need not be written: the default puts every state
    variable back to zeros, as Keras 3 does. ``fit`` calls it at the start of each epoch,
    ``update_state`` for every batch, and ``result()`` for the logs, where the value becomes a
    Python float (``result`` may give a float, a 0-d array, a Tensor or a Variable).

    ``metric(y_true, y_pred)`` adds the batch and returns the new result. It hands
    ``update_state`` plain arrays even inside a ``GradientTape`` (the built-in metrics strip
    Tensors themselves), so no metric step lands on the tape: a metric is only looked at,
    never differentiated.
    """

    @check_keywords
    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"The name of a metric must be a string, not {name!r}.")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._dtype = self._standard_dtype(dtype)
        self._variables: list[Variable] = []   # made by add_variable, in order
        self._metrics: list[Metric] = []       # metrics kept as attributes (their state is ours)

    def _standard_dtype(self, dtype: Any) -> str:
        if dtype is None:
            return config.floatx()
        try:
            return str(np.dtype(dtype))
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}: {dtype!r} is not a dtype. Keras 3's Metric takes "
                f"(dtype=None, name=None) in that order (Keras 2 put the name first), so a name "
                f"given by position lands in dtype. Write super().__init__(name={dtype!r})."
            ) from None

    def __setattr__(self, key: str, value: Any) -> None:
        """Keep track of metrics stored as attributes (or in a list of them), as Keras does,
        so that their variables are part of this metric and reset with it."""
        if not key.startswith("_") and "_metrics" in self.__dict__:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Metric) and item is not self and \
                        all(item is not m for m in self._metrics):
                    self._metrics.append(item)
        object.__setattr__(self, key, value)

    def _check_init(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ did not call super().__init__(): write "
                f"super().__init__(name=name, **kwargs) as its first line.")

    # ----- state ------------------------------------------------------------------------------
    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None,
                     aggregation: str | None = "sum", name: str | None = None) -> Variable:
        """A new state Variable of this metric (never trained), e.g.
        ``self.add_variable(shape=(), initializer='zeros', name='total')``.

        ``initializer`` is a name (``'zeros'``, ``'ones'``...), an initializer object or any
        ``f(shape, dtype)`` (see :func:`kteach.initializers.get`); ``dtype`` defaults to
        ``floatx()``; ``aggregation`` says how copies on several devices would be combined
        (kteach runs on one device, so it is only checked and kept, as ``v.aggregation``).
        """
        self._check_init()
        if aggregation not in (None,) + _AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {', '.join(map(repr, _AGGREGATIONS))} "
                             f"or None, not {aggregation!r}.")
        if initializer is None:
            raise ValueError(f"{type(self).__name__}.add_variable needs an initializer, "
                             f"e.g. initializer='zeros' for a running count.")
        init = initializers.get(initializer)
        shape = _standard_shape(shape)
        dtype = str(np.dtype(dtype or config.floatx()))
        if name is None:  # unnamed variables are variable, variable_1, ... as in Keras
            name = "variable" + (f"_{len(self._variables)}" if self._variables else "")
        value = np.asarray(init(shape, dtype), dtype=dtype)
        if value.shape != shape:
            raise ValueError(f"The initializer of variable '{name}' of metric '{self.name}' "
                             f"made shape {value.shape}, not the requested {shape}.")
        v = Variable(value, name=name, path=f"{self.name}/{name}", trainable=False)
        v.aggregation = aggregation or "none"
        self._variables.append(v)
        return v

    def add_weight(self, shape: Any = (), initializer: Any = None, dtype: Any = None,
                   name: str | None = None) -> Variable:
        """The older name of :meth:`add_variable`. Keras 2's order, with the name first
        (``add_weight('tp', initializer='zeros')``), is understood too."""
        if isinstance(shape, str):
            shape, name = (), shape
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """The state: this metric's variables in the order they were made, then those of the
        metrics it keeps as attributes."""
        out = list(self.__dict__.get("_variables", []))
        for metric in self.__dict__.get("_metrics", []):
            out += [v for v in metric.variables if all(v is not o for o in out)]
        return out

    @property
    def dtype(self) -> str:
        return self._dtype

    # ----- what a subclass writes -------------------------------------------------------------
    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError(
            f"{type(self).__name__} must define update_state(self, y_true, y_pred, "
            f"sample_weight=None): add one batch to the metric's variables.")

    def result(self) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must define result(self): turn the variables into the "
            f"metric's value, e.g. return self.total.value / self.count.value.")

    def reset_state(self) -> None:
        """Forget every batch: each state variable back to zeros (zeros, whatever its
        initializer, as Keras 3 does).

        A metric written for Keras 2 overrides ``reset_states`` instead; then this calls that
        override, so that ``fit``'s reset at each epoch reaches it.
        """
        if _overrides(self, "reset_states") and not _overrides(self, "reset_state") \
                and not self.__dict__.get("_in_reset_states"):
            # The flag stops the loop if that override calls self.reset_state() in turn.
            self._in_reset_states = True
            try:
                self.reset_states()
            finally:
                self._in_reset_states = False
            return
        for v in self.variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def reset_states(self) -> None:
        """Keras 2's name of :meth:`reset_state` (calls it)."""
        if _overrides(self, "reset_state"):
            self.reset_state()
        else:  # the default reset, without looking for overrides again
            for v in self.variables:
                v.assign(np.zeros(v.shape, dtype=v.dtype))

    # ----- use --------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``update_state(*args, **kwargs)`` on plain arrays, then ``result()``."""
        self._check_init()
        self.update_state(*plain(list(args)), **{k: plain(v) for k, v in kwargs.items()})
        return self.result()

    def get_config(self) -> dict:
        """What rebuilds the metric: ``type(m)(**m.get_config())``."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def result_as_float(metric: Metric) -> float:
    """``metric.result()`` as a Python float, for the logs; a clear error when it is not
    one number (a string, a dict, None, an array of several values)."""
    value = metric.result()
    problem = None
    if isinstance(value, (str, bytes, dict)) or value is None:
        problem = f"a {type(value).__name__}" if value is not None else "None (no return?)"
    else:
        a = np.asarray(plain(value))
        if a.dtype.kind not in "biuf":
            problem = f"a {type(value).__name__} of dtype {a.dtype}"
        elif a.size != 1:
            problem = f"an array of shape {a.shape}"
    if problem is not None:
        fix = getattr(metric, "_one_number_fix", None)
        fix = fix() if fix else ("Return a float, a 0-d array or a Variable, e.g. "
                                 "`return self.total.value`.")
        raise MetricResultError(
            f"The metric '{metric.name}' ({type(metric).__name__}) returned {problem} from "
            f"result(); the logs need one number. {fix}")
    return float(a.reshape(()))


def _per_class_fix(metric: Metric) -> str:
    """What to write instead of a built-in metric that gives one value per class or per
    threshold (Keras 3 logs such arrays; kteach's logs hold one number per metric)."""
    name = type(metric).__name__
    if isinstance(metric, FBetaScore):
        return (f"{name}(average=None) gives one score per class; for the logs use "
                f"{name}(average='macro') (or 'micro', 'weighted'), and call result() "
                f"yourself to see the scores per class.")
    if isinstance(metric, R2Score):
        return ("R2Score(class_aggregation=None) gives one value per output column; for the "
                "logs use class_aggregation='uniform_average'.")
    return (f"{name}(thresholds=[...]) gives one value per threshold; for the logs use one "
            f"{name}(thresholds=t) per threshold, each with its own name.")


class Mean(Metric):
    """Weighted running mean: ``result = total / count``.

    ``update_state(values, sample_weight=None)``:

    * ``values`` of shape ``(n, ...)`` are first averaged to one value per sample ``v_i``;
      then ``total += sum_i v_i``, ``count += n``;
    * with ``sample_weight`` ``w``: ``total += sum_i w_i v_i``, ``count += sum_i w_i``;
    * a single number counts once (``count += 1``), or ``w`` times with ``sample_weight=w``.

    ``total`` and ``count`` are the metric's two variables (``m.variables``), kept in float64
    so that an epoch's mean keeps its digits (Keras keeps them in float32); ``m.total`` and
    ``m.count`` read them as floats. ``result()`` is 0.0 before any update.
    """

    @check_keywords
    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        self._total = self.add_variable((), "zeros", dtype="float64", name="total")
        self._count = self.add_variable((), "zeros", dtype="float64", name="count")

    @property
    def total(self) -> float:
        return float(self._total.value)

    @property
    def count(self) -> float:
        return float(self._count.value)

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        v = np.asarray(plain(values), dtype=np.float64)
        if sample_weight is None:
            v = _mean_over_trailing_axes(v, 1)
            self._total.assign_add(v.sum())
            self._count.assign_add(v.shape[0] if v.ndim >= 1 else 1.0)
            return
        w = np.asarray(plain(sample_weight), dtype=np.float64)
        v, w = losses.align_ranks(v, w)
        v = _mean_over_trailing_axes(v, w.ndim)  # values finer than the weights: average
        v, w = np.broadcast_arrays(v, w)
        self._total.assign_add(_mean_over_trailing_axes(v * w, 1).sum())
        self._count.assign_add(_mean_over_trailing_axes(w, 1).sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """A :class:`Mean` of ``fn(y_true, y_pred, **kwargs)``, one value per sample.

    ``update_state(y_true, y_pred, sample_weight=None)`` evaluates ``fn`` on the batch (as
    plain arrays, their ranks lined up first as Keras does: labels ``(n,)`` with an output
    ``(n, 1)`` become ``(n, 1)``) and adds the values as :meth:`Mean.update_state` does. The
    default name is ``fn``'s name.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or _name_of(fn), dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = losses.align_ranks(np.asarray(plain(y_true)), np.asarray(plain(y_pred)))
        values = self.fn(y_true, y_pred, **self.fn_kwargs)
        super().update_state(values, sample_weight=plain(sample_weight))

    def get_config(self) -> dict:
        """Name, dtype and ``fn``'s keyword arguments (``threshold``, ``from_logits``...);
        a wrapper made directly also names its ``fn``."""
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = _name_of(self.fn)
        return config


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


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.binary_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.categorical_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1) -> None:
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.sparse_categorical_crossentropy`."""

    @check_keywords
    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, ignore_class: int | None = None,
                 axis: int = -1) -> None:
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


# ----- more per-sample functions -----------------------------------------------------------
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


def _divide_no_nan(a: Any, b: Any) -> np.ndarray:
    """``a / b``, and 0 where ``b`` is 0 (Keras' ``divide_no_nan``)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    out = np.zeros(a.shape)
    np.divide(a, b, out=out, where=b != 0)
    return out


def _scalar_or_array(x: np.ndarray) -> Any:
    """A float for a single value (what the logs show), else the array."""
    x = np.asarray(x, dtype=np.float64)
    return float(x.reshape(())) if x.size == 1 and x.ndim <= 1 else x


# ----- sums, root mean square, percentages, top k ------------------------------------------
class Sum(Metric):
    """Running (weighted) sum of the values: ``total += sum_i w_i v_i`` (``w = 1`` without
    weights). Values finer than the weights are summed per sample first."""

    @check_keywords
    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable((), "zeros", dtype="float64", name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        v = np.asarray(plain(values), dtype=np.float64)
        if sample_weight is not None:
            w = np.asarray(plain(sample_weight), dtype=np.float64)
            v, w = losses.align_ranks(v, w)
            if v.ndim > w.ndim:
                v = v.sum(axis=tuple(range(w.ndim, v.ndim)))
            v = v * w
        self.total.assign_add(v.sum())

    def result(self) -> float:
        return float(self.total.value)


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


# ----- counts of the confusion matrix ------------------------------------------------------
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

    _one_number_fix = _per_class_fix

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

    _one_number_fix = _per_class_fix

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


# ----- F-scores ----------------------------------------------------------------------------
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

    _one_number_fix = _per_class_fix

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
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape "
                             f"(batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
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

    _one_number_fix = _per_class_fix

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
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred.shape} and "
                             f"y_true.shape={y_true.shape}.")
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


# ----- intersection over union -------------------------------------------------------------
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


# ----- names -------------------------------------------------------------------------------
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
        from .engine.errors import WrongTypeError
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


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from .engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
