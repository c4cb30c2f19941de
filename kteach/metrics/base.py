"""The base classes of every metric: :class:`Metric` (state Variables, update, result, reset),
:class:`Mean`, :class:`Sum` and :class:`MeanMetricWrapper` (a per-sample function averaged over
the samples seen), with the small helpers the metric families share. See :mod:`kteach.metrics`.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from .. import initializers, losses
from ..engine import config
from ..engine.arrays import plain
from ..engine.errors import (KteachError, check_keywords)
from ..engine.naming import snake_case, unique_name
from ..engine.variable import Variable, standard_shape



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
        shape = standard_shape(shape)
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


def _per_threshold_fix(metric: Metric) -> str:
    """What to write instead of a confusion-count metric that gives one value per threshold
    (Keras 3 logs such arrays; kteach's logs hold one number per metric). The F-scores and
    R2Score say their own fix (their ``_one_number_fix``)."""
    name = type(metric).__name__
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


def _check_two_dimensional(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Keras' error for a metric that needs ``(batch_size, output_dim)`` arrays."""
    if y_pred.ndim != 2 or y_true.ndim != 2:
        raise ValueError(f"{name} expects 2D inputs with shape (batch_size, output_dim). "
                         f"Received input shapes: y_pred.shape={y_pred.shape} and "
                         f"y_true.shape={y_true.shape}.")


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
