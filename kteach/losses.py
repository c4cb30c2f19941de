"""Loss functions with their gradients, as ``keras.losses``.

A loss compares the targets ``y_true`` with the model's output ``y_pred`` and gives one number
per sample, ``L_i``; training minimises their (weighted) mean. Every built-in loss here comes
as a pair you can read side by side:

* ``call(y_true, y_pred)``     -> ``L``, one value per sample: shape ``y_pred.shape[:-1]``
  (the last axis -- classes or output units -- is summed or averaged away);
* ``gradient(y_true, y_pred)`` -> ``dL = d(sum_i L_i) / d y_pred``, shape ``y_pred.shape``,
  worked out by hand.

Calling a loss object, ``loss(y_true, y_pred, sample_weight=None)``, first lines up the ranks
the way Keras does (targets of shape ``(n,)`` work with a ``Dense(1)`` output of shape
``(n, 1)``), then reduces ``L`` to one float. The default reduction,
``'sum_over_batch_size'``, is ``sum_i(L_i * w_i) / n`` -- the plain mean when there are no
weights. :meth:`Loss.value_and_gradient` gives that float together with its gradient, which is
what a training step needs. Inside ``with kteach.GradientTape() as tape:`` (a custom training
loop) the call is one step on the tape and returns a 0-d Tensor, so
``tape.gradient(loss, model.trainable_weights)`` reaches the weights through it.

Your own loss, three ways (as in Keras, the first two need no gradient)::

    def my_loss(y_true, y_pred):                    # 1. a function, written with kteach.ops
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class MyLoss(kteach.losses.Loss):               # 2. a subclass that writes only call
        def call(self, y_true, y_pred):
            return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class MyHandMadeLoss(kteach.losses.Loss):       # 3. ... and its gradient, by hand
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 2, axis=-1)
        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    model.compile(optimizer="sgd", loss=my_loss)    # or loss=MyLoss(), loss=MyHandMadeLoss()

For 1 and 2 the gradient comes from a tape (:mod:`kteach.engine.tape`): ``call`` runs with
``y_pred`` as a Tensor the tape follows, so every ``kteach.ops`` step (and every NumPy
operator or function that has a kteach op) is recorded and walked back. A function is wrapped
in a :class:`LossFunctionWrapper`. For 3, ``L_i`` must depend only on sample ``i`` (so the
gradient of a weighted mean is the per-sample gradient times the weight); check your
``gradient`` against :func:`numerical_gradient`.

Names, as in Keras, are case-sensitive: ``'mse'``, ``'MSE'``, ``'mean_squared_error'`` and
``'MeanSquaredError'`` all work; ``'Mse'`` and ``'cce'`` do not. The aliases are Keras 3's:
``mse mae mape msle kld bce`` and the same in capitals (``'logcosh'`` and ``'huber_loss'``
are refused, as there, although Huber's default name is ``'huber_loss'``).

The families: regression (:class:`MeanSquaredError`, :class:`MeanAbsoluteError`,
:class:`Huber`, :class:`LogCosh`, :class:`MeanSquaredLogarithmicError`,
:class:`MeanAbsolutePercentageError`, :class:`CosineSimilarity`), counts and distributions
(:class:`Poisson`, :class:`KLDivergence`), cross-entropies (:class:`BinaryCrossentropy`,
:class:`CategoricalCrossentropy`, :class:`SparseCategoricalCrossentropy` and the focal
:class:`BinaryFocalCrossentropy`, :class:`CategoricalFocalCrossentropy`) and margins
(:class:`Hinge`, :class:`SquaredHinge`, :class:`CategoricalHinge`).

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps = kteach.engine.config.epsilon()``,
1e-7) before the logarithm, exactly like Keras with the torch or JAX backend; where a value
was clipped its gradient is 0. With ``from_logits=True`` the stable formulas are used and
nothing is clipped.

Four deliberate differences from Keras 3: ``Huber.get_config()`` keeps ``delta`` and
``CosineSimilarity.get_config()`` keeps ``axis`` (Keras leaves them out, so they are lost on
saving); the function forms (``binary_crossentropy`` ...) line up ranks themselves, as the
loss classes do, instead of raising a shape error;
``SparseCategoricalCrossentropy(ignore_class=...)`` is refused (see its docstring); and
``get(my_function)`` returns the function wrapped in a :class:`LossFunctionWrapper` (Keras
returns the function itself and wraps it later, in ``compile``).
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from . import ops
from .engine import config
from .engine import tape as tapes
from .engine.arrays import Tensor, plain, record_op
from .engine.errors import (DataError, KteachError, ShapeError, UnknownNameError,
                            check_keywords, did_you_mean, unknown_name_error, warn_once)
from .engine.naming import snake_case, unique_name
from .engine.tensor import format_shape

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class NoGradientError(KteachError, TypeError):
    """The gradient of a loss cannot be found: it returned something that is not an array,
    or computed its value in a way the tape cannot follow back to ``y_pred``."""


# ----- small helpers -----------------------------------------------------------------------
def align_ranks(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make ``a`` and ``b`` the same rank when they differ by a trailing axis of size 1.

    ``(n,)`` with ``(n, 1)`` -> both ``(n, 1)`` (a rank-1 array gains the axis); otherwise the
    size-1 axis is dropped: ``(n, t)`` with ``(n, t, 1)`` -> both ``(n, t)``. Any other pair
    is returned unchanged. This is the rule Keras applies before every loss and metric.
    """
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1:
            b = b[:, None]
        else:
            a = a[..., 0]
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1:
            a = a[:, None]
        else:
            b = b[..., 0]
    return a, b


def _sum_to_shape(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum ``g`` over the axes that ``shape`` had stretched."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _clip(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(p_c, inside)``: ``p_c = clip(p, eps, 1 - eps)``; ``inside`` is 1 where p was kept.

    The clip is the identity where ``inside`` (d p_c / d p = 1) and a constant elsewhere
    (derivative 0). The bounds themselves count as inside, as in torch.
    """
    eps = config.epsilon()
    p_c = np.clip(p, eps, 1.0 - eps)
    return p_c, (p_c == p).astype(p.dtype)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), written so that neither branch overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis: ``x - max - log(sum(exp(x - max)))``."""
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _same_shape(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Raise a :class:`ShapeError` that explains the usual cause when the shapes differ."""
    if y_true.shape == y_pred.shape:
        return
    hint = ""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] > 1 and y_pred.shape[-1] == 1:
        hint = (f" The targets look one-hot encoded with {y_true.shape[-1]} classes but the "
                f"model has 1 output unit: use Dense({y_true.shape[-1]}, "
                f"activation='softmax') with categorical_crossentropy.")
    elif y_true.ndim + 1 == y_pred.ndim:
        hint = (" The targets look like integer class labels: use "
                "sparse_categorical_crossentropy, or one-hot encode them with "
                "kteach.utils.to_categorical.")
    raise ShapeError(
        f"{name} needs y_true and y_pred of the same shape, but got "
        f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}.{hint}")


# ----- the base class ----------------------------------------------------------------------
class Loss:
    """Base class of all losses (``keras.losses.Loss``).

    Subclasses write ``call`` (per-sample values) and may write ``gradient`` (its derivative,
    by hand); without ``gradient`` the tape finds it from ``call``. This class does the rank
    alignment, the sample weights and the reduction.

    Args:
        name: used in messages and on the tape; default the class name in snake_case.
        reduction: how ``__call__`` turns the per-sample values ``L`` (weights ``w``, 1 when
            not given) into one number:
            ``'sum_over_batch_size'`` (default) and ``'mean'``: ``sum(L * w) / L.size``;
            ``'sum'``: ``sum(L * w)``;
            ``'mean_with_sample_weight'``: ``sum(L * w) / sum(w)``;
            ``'none'`` or ``None``: the array ``L * w`` itself.
            (``L.size`` counts the values of ``L * w``, after ``w`` has broadcast.)
    """

    sparse_targets: bool = False  # True when y_true holds class indices (one axis fewer)

    @check_keywords
    def __init__(self, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size") -> None:
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = _check_reduction(reduction)

    # The attributes a built-in loss's config holds on top of name and reduction (Keras' keys).
    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict:
        """The constructor's arguments, with Keras 3's keys."""
        return {"name": self.name, "reduction": self.reduction,
                **{key: getattr(self, key) for key in self._config_keys}}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Per-sample losses ``L``, shape ``y_pred.shape[:-1]``. Subclasses write this."""
        raise NotImplementedError(
            f"{type(self).__name__} must define call(self, y_true, y_pred) returning one "
            f"loss value per sample (shape y_pred.shape[:-1]).")

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """``d(sum_i L_i) / d y_pred``, shape ``y_pred.shape``.

        The built-in losses write this by hand. For a subclass that writes only ``call``,
        this runs ``call`` under a tape and walks it back (see :meth:`_on_tape`).
        """
        _, vjp = self._on_tape(y_true, y_pred, ops.sum)
        return vjp(np.ones((), np.asarray(y_pred).dtype))

    def writes_gradient(self) -> bool:
        """Whether this loss has a hand-written ``gradient`` (else the tape finds it)."""
        return type(self).gradient is not Loss.gradient

    def align(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Targets and outputs as arrays of matching rank, ready for ``call``/``gradient``.

        ``y_pred`` becomes float (``floatx()`` unless already float); ``y_true`` takes its
        dtype (integer labels stay integers for sparse losses), then :func:`align_ranks`.
        """
        y_pred = config.as_float(y_pred)
        y_true = np.asarray(y_true)
        if not self.sparse_targets:
            y_true = y_true.astype(y_pred.dtype)
        y_true, y_pred = align_ranks(y_true, y_pred)
        if not self.sparse_targets:
            try:
                np.broadcast_shapes(y_true.shape, y_pred.shape)
            except ValueError:
                _same_shape(self.name, y_true, y_pred)   # the message explains the usual cause
        return y_true, y_pred

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The reduced loss: a float (an array for ``reduction='none'``).

        While a tape records and follows ``y_pred`` (``with GradientTape() as tape: loss =
        loss_fn(y, model(x))``), the loss is one entry on that tape and comes back as a
        Tensor (0-d, or per sample for ``'none'``) that ``tape.gradient`` can start from.
        """
        tape = tapes.current()
        if tape is not None and tape.follows(y_pred):
            return self._record(tape, y_true, y_pred, sample_weight)
        with tapes.paused():  # a constant loss under a tape: nothing to record
            y_true, y_pred = self.align(y_true, y_pred)
            value = self._reduce(self._values(self.call(y_true, y_pred)), sample_weight)
        value = np.asarray(plain(value))
        return value if self.reduction in ("none", None) else float(value)

    def value_and_gradient(self, y_true: Any, y_pred: Any,
                           sample_weight: Any = None) -> tuple[float, np.ndarray]:
        """``(loss, d loss / d y_pred)`` for the reduced loss that ``__call__`` returns.

        ``y_pred`` should be the model's output as is; the gradient has its shape (after
        rank alignment of a ``(n,)`` output to ``(n, 1)``) and dtype.
        """
        if self.reduction in ("none", None):
            raise ValueError(
                f"Loss {self.name!r} has reduction={self.reduction!r}, which gives one value "
                f"per sample; a training step needs a single number. Use the default "
                f"reduction='sum_over_batch_size' (or 'sum').")
        value, vjp = self._value_and_vjp(plain(y_true), plain(y_pred), sample_weight)
        return float(value), vjp(np.ones((), value.dtype))

    # ----- how the value and its gradient are found ------------------------------------------
    def _value_and_vjp(self, y_true: Any, y_pred: Any, sample_weight: Any) -> tuple[np.ndarray, Any]:
        """The reduced loss (an array) and ``vjp(dv)`` -> ``dv · d loss / d y_pred``, shaped
        like ``y_pred`` as given: by hand when the loss writes ``gradient``, else by tape."""
        output_shape = np.shape(y_pred)
        y_true, y_pred = self.align(y_true, y_pred)
        if self.writes_gradient():
            value, vjp = self._by_hand(y_true, y_pred, sample_weight)
        else:
            value, vjp = self._on_tape(y_true, y_pred, lambda L: self._reduce(L, sample_weight))

        def vjp_as_given(dv: np.ndarray) -> np.ndarray:
            return np.reshape(vjp(dv), output_shape).astype(y_pred.dtype, copy=False)

        return np.asarray(plain(value)), vjp_as_given

    def _by_hand(self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: Any):
        """Value and vjp from the hand-written ``gradient``.

        The loss is ``sum_i c_i L_i`` with ``c_i = w_i / divisor`` (``w_i`` for
        ``'none'``); since ``L_i`` depends only on sample ``i``, its gradient is
        ``gradient(y_true, y_pred)`` scaled by ``dv · c_i`` along each sample's class axis.
        """
        L = self._values(self.call(y_true, y_pred))
        value = self._reduce(L, sample_weight)
        L, w, d = self._weighting(L, sample_weight)
        c = w if d is None else w / d
        shape = np.broadcast_shapes(L.shape, w.shape)

        def vjp(dv: np.ndarray) -> np.ndarray:
            c_i = np.broadcast_to(dv * c, shape)
            if c_i.ndim > 0:  # spread each sample's factor along its class axis
                c_i = np.expand_dims(c_i, getattr(self, "axis", -1) % y_pred.ndim)
            return self.gradient(y_true, y_pred) * c_i

        return value, vjp

    def _on_tape(self, y_true: np.ndarray, y_pred: np.ndarray, reduce: Any):
        """Value and vjp from a tape: ``reduce(call(y_true, p))`` is computed while a tape of
        its own records, with ``p`` a Tensor of ``y_pred`` that the tape follows; the vjp
        walks that tape back from the value to ``p``."""
        p = np.asarray(y_pred).view(Tensor)
        with tapes.Tape(watch_accessed_variables=False) as tape:
            tape.watch(p)
            value = reduce(self._values(self.call(y_true, p)))
        if not tape.follows(value):
            raise NoGradientError(self._no_gradient_message(tape))

        def vjp(dv: np.ndarray) -> np.ndarray:
            seed = np.broadcast_to(np.asarray(dv, value.dtype), np.shape(value))
            with tapes.paused():
                g = tape.backprop([(value, seed)]).get(id(p))
            return np.zeros(p.shape, p.dtype) if g is None else g  # e.g. only through round()

        return value, vjp

    def _record(self, tape: Any, y_true: Any, y_pred: Any, sample_weight: Any) -> Any:
        """The loss as one entry on ``tape`` (inputs ``y_true, y_pred``), whose vjp is the
        loss's own: hand-written, or its inner tape walked back. Returns the Tensor."""
        with tapes.paused():
            value, vjp = self._value_and_vjp(plain(y_true), plain(y_pred), sample_weight)
        formula = (f"loss = {_REDUCED[self.reduction]}, L = {self.name}(y_true, y_pred) : "
                   f"{format_shape(np.shape(y_pred))} → {format_shape(value.shape)}")
        return record_op(self.name, [y_true, y_pred], value, lambda dv: (None, vjp(dv)), formula)

    # ----- weights and reduction ---------------------------------------------------------------
    def _values(self, L: Any) -> np.ndarray:
        """What ``call`` returned, as an array of numbers; anything else is refused."""
        if isinstance(L, (int, float, np.generic)) and not isinstance(L, (bool, np.bool_)):
            L = np.asarray(L)
        if isinstance(L, np.ndarray) and L.dtype.kind in "fiu":
            return L
        what = self._what()
        raise NoGradientError(
            f"The loss {self.name!r} cannot be used: {what} returned {type(L).__name__} "
            f"{L!r:.60}, not an array of numbers. A loss returns one value per sample (or one "
            f"number), computed from y_true and y_pred with kteach.ops, e.g. "
            f"`return ops.mean(ops.square(y_true - y_pred), axis=-1)`.")

    def _weighting(self, L: np.ndarray, sample_weight: Any) -> tuple[np.ndarray, np.ndarray, Any]:
        """``(L, w, divisor)``: the weights lined up with ``L`` and what the weighted sum is
        divided by (``None`` for ``'none'``: no sum)."""
        L, w = _weigh(L, sample_weight)
        if self.reduction in ("none", None):
            return L, w, None
        return L, w, self._divisor(L, w, sample_weight)

    def _reduce(self, L: np.ndarray, sample_weight: Any) -> np.ndarray:
        """``sum(L * w) / divisor`` (``L * w`` for ``'none'``), with kteach.ops so that a
        tape follows it. ``L`` may be a scalar: without weights it is the loss as is; with
        weights it is multiplied by each of them, then reduced (Keras does the same)."""
        L, w, d = self._weighting(L, sample_weight)
        Lw = ops.multiply(L, w)
        if d is None:
            return Lw
        return ops.divide(ops.sum(Lw), np.asarray(d, Lw.dtype))  # d in L's precision

    def _divisor(self, L: np.ndarray, w: np.ndarray, sample_weight: Any) -> float:
        """What the weighted sum is divided by under ``self.reduction`` (never 0)."""
        if self.reduction == "sum":
            d = 1.0
        elif self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            d = float(np.sum(w))
        else:
            d = float(np.prod(np.broadcast_shapes(L.shape, w.shape)))
        return d if d != 0 else np.inf  # Keras divides "no_nan": 0 / 0 gives 0

    def _what(self) -> str:
        """Who computed the values, for messages."""
        if isinstance(self, LossFunctionWrapper):
            return f"the function {getattr(self.fn, '__name__', type(self.fn).__name__)!r}"
        return f"{type(self).__name__}.call()"

    def _no_gradient_message(self, tape: Any) -> str:
        what = self._what()
        if not tape.entries:
            why = (f"no kteach op was applied to y_pred: {what} either does not use y_pred, or "
                   f"turned it into a plain array first (np.asarray(y_pred), y_pred.numpy(), "
                   f"float(...)), or gave it to a NumPy function that kteach does not record")
        else:
            why = (f"{what} started with kteach ops, but the value it returned was computed "
                   f"from them with a NumPy function that kteach does not record")
        return (
            f"Cannot find the gradient of the loss {self.name!r}: {why}, so the tape has no "
            f"way back from the loss to y_pred. (kteach warns once per session, naming the "
            f"NumPy function it could not record.) Write the loss with kteach.ops, e.g. "
            f"`return ops.mean(ops.square(y_true - y_pred), axis=-1)`; or subclass "
            f"kteach.losses.Loss and write gradient(self, y_true, y_pred) by hand, returning "
            f"d(sum of call(...))/d y_pred.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


# How each reduction turns L (and weights w) into the loss, for tape records.
_REDUCED = {"sum_over_batch_size": "Σ L·w / n", "mean": "Σ L·w / n", "sum": "Σ L·w",
            "mean_with_sample_weight": "Σ L·w / Σ w", "none": "L·w", None: "L·w"}


def _check_reduction(reduction: str | None) -> str | None:
    if reduction in REDUCTIONS:
        return reduction
    names = [r for r in REDUCTIONS if r is not None]
    raise UnknownNameError(
        f"Invalid reduction {reduction!r}.{did_you_mean(str(reduction), names)} A loss can "
        f"reduce with: {', '.join(repr(r) for r in REDUCTIONS)}.")


def _weigh(L: np.ndarray, sample_weight: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(L, w)`` with ``w`` lined up with ``L`` (``w = 1`` when no weights are given)."""
    if sample_weight is None:
        return L, np.ones((), dtype=L.dtype)
    w = np.asarray(sample_weight, dtype=L.dtype)
    L, w = align_ranks(L, w)
    try:
        np.broadcast_shapes(L.shape, w.shape)
    except ValueError:
        raise ShapeError(
            f"sample_weight of shape {w.shape} does not fit the per-sample losses of shape "
            f"{L.shape}: give one weight per sample.") from None
    return L, w


# ----- regression --------------------------------------------------------------------------
class MeanSquaredError(Loss):
    """``L = mean_k (y_pred - y_true)^2`` over the last axis; ``dL/dp = 2 (p - y) / K``.

    ``y_true`` may broadcast against ``y_pred`` (Keras allows it silently, e.g. targets
    ``(32, 10)`` with an output ``(32, 1)``); the gradient then sums over the stretched axis.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean((y_pred - y_true) ** 2, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(2.0 * e / e.shape[-1], y_pred.shape)


class MeanAbsoluteError(Loss):
    """``L = mean_k |y_pred - y_true|``; ``dL/dp = sign(p - y) / K`` (0 where p == y)."""

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(y_pred - y_true), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(np.sign(e) / e.shape[-1], y_pred.shape)


# ----- binary crossentropy -----------------------------------------------------------------
class BinaryCrossentropy(Loss):
    """Cross-entropy of independent yes/no outputs (sigmoid units).

    With probabilities ``p`` (``from_logits=False``), ``p_c = clip(p, eps, 1 - eps)``::

        L = mean_k  -[ y log p_c + (1 - y) log(1 - p_c) ]     (log(1 - p_c) as log1p(-p_c))
        dL/dp = ( -y / p_c + (1 - y) / (1 - p_c) ) / K      (0 where p was clipped)

    With logits ``x`` (``from_logits=True``), stable for any x::

        L = mean_k  max(x, 0) - x y + log(1 + e^-|x|)
        dL/dx = ( sigmoid(x) - y ) / K

    ``label_smoothing = s`` first moves the targets towards 1/2: ``y <- y (1 - s) + s / 2``.
    ``axis`` is the axis averaged over (``K`` = its size). y_true and y_pred must have the
    same shape (after the usual rank alignment).
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    @check_keywords
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _targets(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """Shape check, smoothing, and the averaged axis moved to the end."""
        _same_shape("binary_crossentropy", y_true, y_pred)
        s = self.label_smoothing
        y = y_true * (1.0 - s) + 0.5 * s if s else y_true
        return np.moveaxis(y, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        if self.from_logits:
            x = p
            e = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        else:
            p_c, _ = _clip(p)
            e = -(y * np.log(p_c) + (1.0 - y) * np.log1p(-p_c))  # log1p as torch: exact near 1
        return np.mean(e, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        K = p.shape[-1]
        if self.from_logits:
            dp = (_sigmoid(p) - y) / K
        else:
            p_c, inside = _clip(p)
            dp = (-y / p_c + (1.0 - y) / (1.0 - p_c)) * inside / K
        return np.moveaxis(dp, -1, self.axis)


def _check_smoothing(s: float) -> float:
    if not 0.0 <= s <= 1.0:
        raise ValueError(f"label_smoothing must be between 0 and 1, got {s}. "
                         f"0.1 is a common choice; 0 turns smoothing off.")
    return s


# ----- categorical crossentropy ------------------------------------------------------------
def _cce_value(y: np.ndarray, p: np.ndarray, from_logits: bool) -> np.ndarray:
    """``-sum_k y_k log q_k`` over the last axis, ``q`` = softmax(p) or clipped p / sum(p)."""
    if from_logits:
        log_q = _log_softmax(p)
    else:
        q_c, _ = _clip(p / p.sum(axis=-1, keepdims=True))
        log_q = np.log(q_c)
    return -np.sum(y * log_q, axis=-1)


def _cce_gradient(y: np.ndarray, p: np.ndarray, from_logits: bool) -> np.ndarray:
    """Derivative of :func:`_cce_value` summed over samples, with respect to ``p``.

    Logits: ``softmax(x) * sum_k y_k - y``. Probabilities, with ``S = sum_k p_k``,
    ``q = p / S``, ``g = dL/dq_c = -y / q_c`` (0 where q was clipped) and
    ``dq_k / dp_j = (delta_kj - q_k) / S``:  ``dL/dp_j = (g_j - sum_k g_k q_k) / S``.
    """
    if from_logits:
        return np.exp(_log_softmax(p)) * y.sum(axis=-1, keepdims=True) - y
    S = p.sum(axis=-1, keepdims=True)
    q = p / S
    q_c, inside = _clip(q)
    g = -y / q_c * inside
    return (g - np.sum(g * q, axis=-1, keepdims=True)) / S


class CategoricalCrossentropy(Loss):
    """Cross-entropy between one-hot targets and a distribution over classes (softmax).

    With probabilities ``p`` (``from_logits=False``) the outputs are first normalised and
    clipped, as Keras does: ``q = clip(p / sum_k p_k, eps, 1 - eps)``. With logits ``x``,
    ``q = softmax(x)`` (computed as a stable log-softmax, no clipping). Then::

        L = -sum_k y_k log q_k
        dL/dx = softmax(x) * sum_k y_k - y                    (logits)
        dL/dp_j = (g_j - sum_k g_k q_k) / sum_k p_k,  g = -y / q   (probabilities, see
                                                                   _cce_gradient)

    ``label_smoothing = s``: ``y <- y (1 - s) + s / C`` for ``C`` classes. ``axis`` is the
    class axis. y_true and y_pred must have the same shape; for integer labels use
    :class:`SparseCategoricalCrossentropy`.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    @check_keywords
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _targets(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        _same_shape("categorical_crossentropy", y_true, y_pred)
        y, p = np.moveaxis(y_true, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)
        if p.shape[-1] == 1:
            warn_once(
                f"categorical_crossentropy got y_pred of shape {y_pred.shape}, with a single "
                f"unit on the class axis. A distribution over one class is always 1, so this "
                f"loss is always about 0 and the model learns nothing. For two classes use "
                f"one sigmoid unit with loss='binary_crossentropy' (or Dense(2, "
                f"activation='softmax') with one-hot targets).", key="cce_one_unit")
        s = self.label_smoothing
        if s:
            y = y * (1.0 - s) + s / y.shape[-1]
        return y, p

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        return _cce_value(y, p, self.from_logits)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._targets(y_true, y_pred)
        return np.moveaxis(_cce_gradient(y, p, self.from_logits), -1, self.axis)


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class labels instead of one-hot rows.

    ``y_true`` holds labels ``0 .. C-1`` with shape ``y_pred.shape`` minus the class axis
    (a trailing axis of size 1, as in ``(n, 1)``, is dropped). The loss is exactly
    :class:`CategoricalCrossentropy` of the one-hot labels: ``L = -log q[label]``.

    ``ignore_class`` (Keras: leave out samples with that label and average over the rest)
    is not supported; to leave samples out, give them ``sample_weight=0`` (note that the
    average then still divides by the number of all samples).
    """

    _config_keys = ("from_logits", "ignore_class")

    sparse_targets = True

    @check_keywords
    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        if ignore_class is not None:
            raise ValueError(
                f"kteach's SparseCategoricalCrossentropy does not support "
                f"ignore_class={ignore_class!r}. To leave those samples out of the loss, "
                f"pass sample_weight=0 for them (fit(..., sample_weight=w)) and keep "
                f"ignore_class=None.")
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def align(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`Loss.align`, then a size-1 label axis in place of the class axis goes."""
        y_true, y_pred = super().align(y_true, y_pred)
        if y_true.ndim == y_pred.ndim and y_true.shape[self.axis] == 1:
            y_true = np.squeeze(y_true, axis=self.axis)
        return y_true, y_pred

    def _one_hot(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """(one-hot targets, outputs), both with the class axis last."""
        p = np.moveaxis(y_pred, self.axis, -1)
        if np.shape(y_true) != p.shape[:-1]:
            raise ShapeError(
                f"sparse_categorical_crossentropy needs one integer label per sample: "
                f"y_true.shape should be {p.shape[:-1]} for y_pred.shape={y_pred.shape}, but "
                f"got {np.shape(y_true)}. If your targets are one-hot rows, use "
                f"categorical_crossentropy, or turn them into labels with "
                f"np.argmax(y, axis=-1).")
        labels = _labels(y_true, p.shape[-1])
        return np.eye(p.shape[-1], dtype=p.dtype)[labels], p

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._one_hot(y_true, y_pred)
        return _cce_value(y, p, self.from_logits)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, p = self._one_hot(y_true, y_pred)
        return np.moveaxis(_cce_gradient(y, p, self.from_logits), -1, self.axis)


def _labels(y_true: Any, num_classes: int) -> np.ndarray:
    """Integer labels from ``y_true``; a :class:`DataError` unless all are in 0..C-1."""
    y = np.asarray(y_true)
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y) & (y == np.floor(y))):
            raise DataError(
                "sparse_categorical_crossentropy needs whole-number class labels in y_true, "
                "but it holds fractions. If y_true holds probabilities or one-hot rows, use "
                "categorical_crossentropy.")
    labels = y.astype(np.int64)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise DataError(
            f"Label {bad.flat[0]} is out of range: the output has {num_classes} classes, so "
            f"labels must be 0 to {num_classes - 1}. If your labels start at 1, subtract 1; "
            f"otherwise give the last layer more units.")
    return labels


# ----- more regression losses --------------------------------------------------------------
# Each one below is ``L = mean_k e(y_k, p_k)`` over the last axis (or a sum, where said), so
# its gradient is ``de/dp / K``; ``_sum_to_shape`` undoes a broadcast of y_true, as for MSE.

class Huber(Loss):
    """Squared error near the target, absolute error far from it (Keras' ``huber``).

    With ``e = p - y`` and ``d = delta``::

        L = mean_k  { 0.5 e^2              if |e| <= d
                    { d |e| - 0.5 d^2      otherwise
        dL/dp = { e, or d sign(e) } / K

    The two pieces meet at ``|e| = d`` with the same value and slope, so a few wild
    outliers pull on the model with a force of at most ``d`` (MSE pulls with ``2 e``).
    Keras 3's ``get_config()`` leaves ``delta`` out (so a saved Huber comes back with
    delta=1.0); kteach's keeps it.
    """

    _config_keys = ("delta",)

    @check_keywords
    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size",
                 name: str = "huber_loss") -> None:
        super().__init__(name=name, reduction=reduction)
        self.delta = float(delta)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e, d = y_pred - y_true, self.delta
        return np.mean(np.where(np.abs(e) <= d, 0.5 * e ** 2, d * np.abs(e) - 0.5 * d ** 2),
                       axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e, d = y_pred - y_true, self.delta
        de = np.where(np.abs(e) <= d, e, d * np.sign(e))
        return _sum_to_shape(de / e.shape[-1], y_pred.shape)


class LogCosh(Loss):
    """``L = mean_k log(cosh(e))``, ``e = p - y``: about ``e^2 / 2`` for small errors and
    ``|e| - log 2`` for large ones (a smooth Huber). ``dL/dp = tanh(e) / K``.

    Computed as ``e + softplus(-2 e) - log 2``, which never overflows (cosh would, for
    ``|e|`` above about 710).
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "log_cosh") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return np.mean(e + np.logaddexp(0.0, -2.0 * e) - np.log(2.0), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        e = y_pred - y_true
        return _sum_to_shape(np.tanh(e) / e.shape[-1], y_pred.shape)


class MeanSquaredLogarithmicError(Loss):
    """Squared error of ``log(1 + value)``: relative errors count, not absolute ones.

    With ``a = log(max(p, eps) + 1)`` and ``b = log(max(y, eps) + 1)``::

        L = mean_k (a - b)^2
        dL/dp = 2 (a - b) / (p + 1) / K      (0 where p < eps: there max() is constant)
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_logarithmic_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        a, b = np.log(np.maximum(y_pred, eps) + 1.0), np.log(np.maximum(y_true, eps) + 1.0)
        return np.mean((a - b) ** 2, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        eps = config.epsilon()
        a, b = np.log(np.maximum(y_pred, eps) + 1.0), np.log(np.maximum(y_true, eps) + 1.0)
        da = 2.0 * (a - b) / (np.maximum(y_pred, eps) + 1.0) * (y_pred >= eps)
        return _sum_to_shape(da / da.shape[-1], y_pred.shape)


class MeanAbsolutePercentageError(Loss):
    """Absolute error as a percentage of the target::

        L = 100 · mean_k |y - p| / max(|y|, eps)
        dL/dp = 100 · sign(p - y) / max(|y|, eps) / K

    A target near 0 makes the loss huge (divided by at most ``eps`` = 1e-7): use it only
    for targets well away from zero.
    """

    @check_keywords
    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_percentage_error") -> None:
        super().__init__(name=name, reduction=reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        return 100.0 * np.mean(np.abs(y_true - y_pred) / scale, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        scale = np.maximum(np.abs(y_true), config.epsilon())
        dp = 100.0 * np.sign(y_pred - y_true) / scale
        return _sum_to_shape(dp / y_pred.shape[-1], y_pred.shape)


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


class CosineSimilarity(Loss):
    """Minus the cosine of the angle between ``y`` and ``p`` along ``axis``: -1 when they
    point the same way, 0 when at right angles, 1 when opposite.

    With ``n(x) = max(||x||, eps)``, ``u = y / n(y)`` and ``v = p / n(p)``::

        L = -sum_k u_k v_k
        dL/dp = -(u - (u·v) v) / ||p||        (only the direction of p matters)
        dL/dp = -u / eps                       when ||p|| < eps (a zero vector)

    Keras 3's ``get_config()`` leaves ``axis`` out; kteach's keeps it.
    """

    _config_keys = ("axis",)

    @check_keywords
    def __init__(self, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "cosine_similarity") -> None:
        super().__init__(name=name, reduction=reduction)
        self.axis = axis

    def _unit(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(x / n(x), n(x))`` along ``self.axis``."""
        n = np.maximum(np.sqrt(np.sum(x * x, axis=self.axis, keepdims=True)), config.epsilon())
        return x / n, n

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        (u, _), (v, _) = self._unit(y_true), self._unit(y_pred)
        return -np.sum(u * v, axis=self.axis)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        (u, _), (v, n) = self._unit(y_true), self._unit(y_pred)
        u = np.broadcast_to(u, v.shape)
        projected = np.where(n > config.epsilon(), np.sum(u * v, axis=self.axis, keepdims=True), 0)
        return -(u - projected * v) / n


# ----- hinge losses (maximum-margin classifiers) -----------------------------------------
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


# ----- focal cross-entropies ---------------------------------------------------------------
class BinaryFocalCrossentropy(Loss):
    """Binary cross-entropy that down-weights the easy outputs (Lin et al., 2017).

    With ``q = p`` (or ``sigmoid(x)`` for ``from_logits=True``), ``q_c = clip(q, eps,
    1 - eps)``, the cross-entropy ``b = -(y log q_c + (1 - y) log(1 - q_c))``, the
    probability of the right answer ``p_t = y q + (1 - y)(1 - q)`` and ``g = gamma``::

        L = mean_k  w · (1 - p_t)^g · b        w = y a + (1 - y)(1 - a) with
                                                apply_class_balancing=True (a = alpha), else 1
        dL/dq = w · ( -g (1 - p_t)^(g-1) (2y - 1) b  +  (1 - p_t)^g · db/dq ) / K
        db/dq = -y / q_c + (1 - y) / (1 - q_c)          (0 where q was clipped)
        dL/dx = dL/dq · q (1 - q)                        (from_logits=True)

    ``gamma=0`` gives the plain (balanced) binary cross-entropy. ``label_smoothing = s``:
    ``y <- y (1 - s) + s / 2`` first. ``axis`` is the averaged axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing",
                    "alpha", "gamma")

    @check_keywords
    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_focal_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.apply_class_balancing = apply_class_balancing
        self.alpha, self.gamma = alpha, gamma
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _parts(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(y, q, w, focal, b)`` with the averaged axis last (names as in the docstring)."""
        _same_shape("binary_focal_crossentropy", y_true, y_pred)
        y, p = np.moveaxis(y_true, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)
        s = self.label_smoothing
        y = y * (1.0 - s) + 0.5 * s if s else y
        q = _sigmoid(p) if self.from_logits else p
        q_c, _ = _clip(q)
        b = -(y * np.log(q_c) + (1.0 - y) * np.log(1.0 - q_c))
        p_t = y * q + (1.0 - y) * (1.0 - q)
        w = y * self.alpha + (1.0 - y) * (1.0 - self.alpha) if self.apply_class_balancing else 1.0
        return y, q, w, 1.0 - p_t, b

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        _, _, w, one_minus_pt, b = self._parts(y_true, y_pred)
        return np.mean(w * one_minus_pt ** self.gamma * b, axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, q, w, one_minus_pt, b = self._parts(y_true, y_pred)
        g = self.gamma
        q_c, inside = _clip(q)
        db_dq = (-y / q_c + (1.0 - y) / (1.0 - q_c)) * inside
        dfocal_dq = -g * one_minus_pt ** (g - 1.0) * (2.0 * y - 1.0) if g else 0.0
        dq = w * (dfocal_dq * b + one_minus_pt ** g * db_dq) / q.shape[-1]
        if self.from_logits:
            dq = dq * q * (1.0 - q)
        return np.moveaxis(dq, -1, self.axis)


class CategoricalFocalCrossentropy(Loss):
    """Categorical cross-entropy that down-weights the classes already predicted well.

    With ``s = p`` (or ``softmax(x)`` for ``from_logits=True``), normalised and clipped as in
    :class:`CategoricalCrossentropy`: ``q = clip(s / sum(s), eps, 1 - eps)``; ``a = alpha``,
    ``g = gamma``; summed over the class axis::

        L = sum_k  a (1 - q_k)^g · (-y_k log q_k)
        dL/dq_k = a ( g (1 - q_k)^(g-1) y_k log q_k  -  (1 - q_k)^g y_k / q_k )
                                                              (0 where q was clipped)
        dL/ds_j = (dL/dq_j - sum_k dL/dq_k q_k) / sum(s)       (through s / sum(s))
        dL/dx_j = s_j (dL/ds_j - sum_k dL/ds_k s_k)            (through softmax)

    ``gamma=0`` gives ``alpha`` times the plain categorical cross-entropy.
    ``label_smoothing = s``: ``y <- y (1 - s) + s / C`` first. ``axis`` is the class axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    @check_keywords
    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy") -> None:
        super().__init__(name=name, reduction=reduction)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits = from_logits
        self.label_smoothing = _check_smoothing(label_smoothing)
        self.axis = axis

    def _parts(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(y, s, q, inside)`` with the class axis last."""
        _same_shape("categorical_focal_crossentropy", y_true, y_pred)
        y, p = np.moveaxis(y_true, self.axis, -1), np.moveaxis(y_pred, self.axis, -1)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + self.label_smoothing / y.shape[-1]
        s = np.exp(_log_softmax(p)) if self.from_logits else p
        q, inside = _clip(s / s.sum(axis=-1, keepdims=True))
        return y, s, q, inside

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, _, q, _ = self._parts(y_true, y_pred)
        return np.sum(self.alpha * (1.0 - q) ** self.gamma * (-y * np.log(q)), axis=-1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y, s, q, inside = self._parts(y_true, y_pred)
        a, g = self.alpha, self.gamma
        dfocal = g * (1.0 - q) ** (g - 1.0) * y * np.log(q) if g else 0.0
        dq = a * (dfocal - (1.0 - q) ** g * y / q) * inside
        S = s.sum(axis=-1, keepdims=True)
        ds = (dq - np.sum(dq * s / S, axis=-1, keepdims=True)) / S
        if self.from_logits:
            ds = s * (ds - np.sum(ds * s, axis=-1, keepdims=True))
        return np.moveaxis(ds, -1, self.axis)


# ----- a function as a loss ----------------------------------------------------------------
class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred, **kwargs)`` used as a loss (Keras'
    ``LossFunctionWrapper``): ``call`` is the function, the gradient comes from the tape.

    ``compile(loss=my_loss)`` and ``get(my_loss)`` wrap a function this way, named after it.
    Write the function with :mod:`kteach.ops` (or NumPy operators on ``y_pred``, which the
    tape also records). It may return

    * one value per sample, e.g. ``ops.mean(ops.square(y_true - y_pred), axis=-1)``: sample
      weights and the reduction work as for the built-in losses;
    * one number, e.g. ``ops.mean(ops.square(y_true - y_pred))``: without sample weights that
      number is the loss. With weights ``w`` it is multiplied by each weight and then
      reduced, as Keras 3 does: ``'sum_over_batch_size'`` gives ``number · mean(w)``,
      ``'sum'`` gives ``number · sum(w)``, ``'mean_with_sample_weight'`` the number itself.
      So weights cannot single out samples then -- return per-sample values if they must.

    Args:
        fn: the function; it is called with the aligned ``y_true, y_pred`` (see
            :meth:`Loss.align`) and ``kwargs``.
        reduction: as for :class:`Loss`.
        name: default ``fn.__name__``.
        **kwargs: passed on to ``fn`` at every call.
    """

    def __init__(self, fn: Any, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, **kwargs: Any) -> None:
        _check_loss_function(fn, kwargs)
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def __repr__(self) -> str:
        return (f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}) "
                f"name={self.name!r} reduction={self.reduction!r}>")


def _check_loss_function(fn: Any, kwargs: dict) -> None:
    """Refuse, with the fix, a function that cannot be called as ``fn(y_true, y_pred)``."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not callable(fn):
        raise TypeError(f"LossFunctionWrapper needs a function fn(y_true, y_pred), not "
                        f"{type(fn).__name__} {fn!r:.60}.")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some built-in callables have no signature to read
        return
    try:
        signature.bind(None, None, **kwargs)
    except TypeError as e:
        header = f"def {name}(y_true, y_pred):" if name.isidentifier() else "lambda y_true, y_pred:"
        raise TypeError(
            f"The loss function {name!r} cannot be called as {name}(y_true, y_pred"
            f"{''.join(', ' + k + '=...' for k in kwargs)}): {e}. Its signature is "
            f"{name}{signature}. Keras calls a loss with the targets first and the model's "
            f"output second; write it as `{header} ...` (other arguments need defaults, or "
            f"LossFunctionWrapper(fn, name=value) to pass them).") from None


# ----- function forms ----------------------------------------------------------------------
def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k (y_true - y_pred)^2`` (last axis). See :class:`MeanSquaredError`."""
    loss = MeanSquaredError()
    return loss.call(*loss.align(y_true, y_pred))


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k |y_true - y_pred|`` (last axis). See :class:`MeanAbsoluteError`."""
    loss = MeanAbsoluteError()
    return loss.call(*loss.align(y_true, y_pred))


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample binary cross-entropy. See :class:`BinaryCrossentropy`."""
    loss = BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                              axis=axis)
    return loss.call(*loss.align(y_true, y_pred))


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample categorical cross-entropy. See :class:`CategoricalCrossentropy`."""
    loss = CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                                   axis=axis)
    return loss.call(*loss.align(y_true, y_pred))


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy with integer labels. See :class:`SparseCategoricalCrossentropy`."""
    loss = SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=ignore_class,
                                         axis=axis)
    return loss.call(*loss.align(y_true, y_pred))


def _per_sample(cls: type[Loss], y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
    """``cls(**kwargs).call`` on the aligned arrays: the function form of a loss class."""
    loss = cls(**kwargs)
    return loss.call(*loss.align(y_true, y_pred))


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    """Per-sample Huber loss. See :class:`Huber`."""
    return _per_sample(Huber, y_true, y_pred, delta=delta)


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k log(cosh(p - y))``. See :class:`LogCosh`."""
    return _per_sample(LogCosh, y_true, y_pred)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample squared error of ``log(1 + value)``. See :class:`MeanSquaredLogarithmicError`."""
    return _per_sample(MeanSquaredLogarithmicError, y_true, y_pred)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``100 mean_k |y - p| / |y|``. See :class:`MeanAbsolutePercentageError`."""
    return _per_sample(MeanAbsolutePercentageError, y_true, y_pred)


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k p - y log(p + eps)``. See :class:`Poisson`."""
    return _per_sample(Poisson, y_true, y_pred)


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``sum_k y log(y / p)``. See :class:`KLDivergence`."""
    return _per_sample(KLDivergence, y_true, y_pred)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Per-sample minus the cosine of the angle between y and p. See :class:`CosineSimilarity`."""
    return _per_sample(CosineSimilarity, y_true, y_pred, axis=axis)


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k max(1 - y p, 0)``. See :class:`Hinge`."""
    return _per_sample(Hinge, y_true, y_pred)


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``mean_k max(1 - y p, 0)^2``. See :class:`SquaredHinge`."""
    return _per_sample(SquaredHinge, y_true, y_pred)


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``max(neg - pos + 1, 0)``. See :class:`CategoricalHinge`."""
    return _per_sample(CategoricalHinge, y_true, y_pred)


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> np.ndarray:
    """Per-sample focal binary cross-entropy. See :class:`BinaryFocalCrossentropy`."""
    return _per_sample(BinaryFocalCrossentropy, y_true, y_pred,
                       apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                       from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample focal categorical cross-entropy. See :class:`CategoricalFocalCrossentropy`."""
    return _per_sample(CategoricalFocalCrossentropy, y_true, y_pred, alpha=alpha, gamma=gamma,
                       from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


# ----- names -------------------------------------------------------------------------------
_CLASSES = [MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, Huber, LogCosh,
            MeanSquaredLogarithmicError, MeanAbsolutePercentageError, Poisson, KLDivergence,
            CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryFocalCrossentropy,
            CategoricalFocalCrossentropy]
_FUNCTIONS = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
              binary_crossentropy: BinaryCrossentropy,
              categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
              huber: Huber, log_cosh: LogCosh,
              mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
              mean_absolute_percentage_error: MeanAbsolutePercentageError,
              poisson: Poisson, kl_divergence: KLDivergence,
              cosine_similarity: CosineSimilarity, hinge: Hinge, squared_hinge: SquaredHinge,
              categorical_hinge: CategoricalHinge,
              binary_focal_crossentropy: BinaryFocalCrossentropy,
              categorical_focal_crossentropy: CategoricalFocalCrossentropy}
# Keras 3's aliases, case-sensitive ('Mse', 'logcosh', 'huber_loss' are refused, as there).
ALIASES = {"mse": MeanSquaredError, "MSE": MeanSquaredError,
           "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
           "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
           "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
           "kld": KLDivergence, "KLD": KLDivergence}
_BY_NAME: dict[str, type[Loss]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: cls for fn, cls in _FUNCTIONS.items()},
    **ALIASES,
}
# Names Keras 3 knows that kteach does not implement (for a clearer message).
_KERAS_ONLY = {"ctc", "CTC", "dice", "Dice", "tversky", "Tversky", "circle", "Circle",
               "categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy"}


def get(identifier: Any) -> Loss | None:
    """The :class:`Loss` for ``identifier``, as ``keras.losses.get``.

    * ``None`` -> ``None`` (no loss);
    * a name (case-sensitive): function names (``'mean_squared_error'``), class names
      (``'MeanSquaredError'``) and the aliases ``mse MSE mae MAE bce BCE msle MSLE mape
      MAPE kld KLD`` -> a new instance;
    * a :class:`Loss` instance -> itself; a :class:`Loss` subclass -> an instance of it;
    * one of this module's functions (``kteach.losses.mean_squared_error``) -> an instance
      of the matching class;
    * any other function ``f(y_true, y_pred)`` -> ``LossFunctionWrapper(f)``, whose gradient
      comes from the tape (a function of the wrong arguments is refused with a TypeError).

    An unknown name raises UnknownNameError.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return deserialize(identifier)
    if isinstance(identifier, type):
        if issubclass(identifier, Loss):
            return identifier()
        raise TypeError(
            f"Cannot use the class {identifier.__name__} as a loss: it is not a subclass of "
            f"kteach.losses.Loss. Subclass Loss and write call(self, y_true, y_pred), or pass "
            f"a function f(y_true, y_pred).")
    if _matching_class(identifier) is not None:
        return _matching_class(identifier)()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise unknown_name_error("loss", str(identifier), _known_names())


def _matching_class(fn: Any) -> type[Loss] | None:
    """The class behind one of this module's function forms, else None."""
    for f, cls in _FUNCTIONS.items():
        if fn is f:
            return cls
    return None


def deserialize(name: str) -> Loss:
    """A new instance of the loss called ``name`` (see :func:`get` for the names)."""
    if name in _BY_NAME:
        return _BY_NAME[name]()
    if name in _KERAS_ONLY:
        raise UnknownNameError(
            f"Could not interpret loss identifier: {name}. Keras 3 has this loss but kteach "
            f"does not implement it. Write it as a function f(y_true, y_pred) with "
            f"kteach.ops, or as a subclass of kteach.losses.Loss (see help(kteach.losses)), "
            f"or use one of: {', '.join(sorted(_known_names()))}.")
    raise unknown_name_error("loss", name, _known_names())


def _known_names() -> list[str]:
    """The names listed in messages: function names and aliases (class names work too)."""
    return [n for n in _BY_NAME if n in ALIASES or not n[0].isupper()]


def serialize(loss: Any) -> str:
    """The name used in messages: ``'mse'`` -> ``'mean_squared_error'``, an instance ->
    its ``name``, anything else -> its ``__name__`` (never raises)."""
    if isinstance(loss, Loss):
        return loss.name
    if isinstance(loss, str) and loss in _BY_NAME:
        return _BY_NAME[loss]().name
    if _matching_class(loss) is not None:
        return loss.__name__
    if isinstance(loss, type):
        return snake_case(loss.__name__)
    return str(getattr(loss, "__name__", loss))


# ----- checking a gradient -----------------------------------------------------------------
def numerical_gradient(loss: Loss, y_true: Any, y_pred: Any,
                       eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``sum(loss.call(y_true, y_pred))`` with respect to ``y_pred``.

    ``(f(p + eps) - f(p - eps)) / (2 eps)`` one entry at a time, in float64. Compare it with
    ``loss.gradient(y_true, y_pred)`` to test a loss you wrote; keep ``y_pred`` away from
    kinks (``|p - y| = 0`` for MAE) and from the clipping bounds.
    """
    y_true, y_pred = loss.align(y_true, np.asarray(y_pred, dtype=np.float64))
    g = np.zeros_like(y_pred)
    for i in np.ndindex(y_pred.shape):
        p = y_pred.copy()
        p[i] += eps
        f_plus = np.sum(loss.call(y_true, p))
        p[i] -= 2 * eps
        f_minus = np.sum(loss.call(y_true, p))
        g[i] = (f_plus - f_minus) / (2 * eps)
    return g


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from .engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
