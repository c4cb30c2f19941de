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
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from . import initializers, losses
from .engine import config
from .engine.arrays import plain
from .engine.errors import (KteachError, UnknownNameError, check_keywords,
                            unknown_name_error)
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
        raise MetricResultError(
            f"The metric '{metric.name}' ({type(metric).__name__}) returned {problem} from "
            f"result(); the logs need one number. Return a float, a 0-d array or a Variable, "
            f"e.g. `return self.total.value`.")
    return float(a.reshape(()))


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
