"""The base class of every loss, :class:`Loss`: rank alignment, sample weights, reductions, and
the gradient (by hand, or from a tape). The built-in losses are in the modules beside this one;
see :mod:`kteach.losses` for the whole picture.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import ops
from ..engine import config
from ..engine import tape as tapes
from ..engine.arrays import Tensor, plain, record_op
from ..engine.errors import KteachError, ShapeError, UnknownNameError, check_keywords, did_you_mean
from ..engine.naming import snake_case, unique_name
from ..engine.tensor import format_shape

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


def _clipped(p: np.ndarray) -> np.ndarray:
    """``clip(p, eps, 1 - eps)``, for a loss's value (its gradient uses :func:`_clip`)."""
    eps = config.epsilon()
    return np.clip(p, eps, 1.0 - eps)


def _clip(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(p_c, inside)``: ``p_c = clip(p, eps, 1 - eps)``; ``inside`` is 1 where p was kept.

    The clip is the identity where ``inside`` (d p_c / d p = 1) and a constant elsewhere
    (derivative 0). The bounds themselves count as inside, as in torch.
    """
    p_c = _clipped(p)
    return p_c, (p_c == p).astype(p.dtype)


def _move_axis(a: np.ndarray, source: int, destination: int) -> np.ndarray:
    """``np.moveaxis(a, source, destination)``, skipped when both are the last axis (the
    usual class axis): on a small batch moveaxis costs more than the loss's arithmetic."""
    if a.ndim > 0 and {source, destination} <= {-1, a.ndim - 1}:
        return a
    return np.moveaxis(a, source, destination)


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
        if not self.sparse_targets and y_true.shape != y_pred.shape:
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
        per_sample = self._values(self.call(y_true, y_pred))
        L, w, d = self._weighting(per_sample, sample_weight)
        value = _weighted_sum(L, w, d)
        c = w if d is None else w / d
        weighted = _weighted_shape(L, w)
        # one factor per sample, in the shape call() gave the losses: weights (n, 1) line up
        # with losses (n,) as (n, 1), but the gradient wants (n,) before its class axis
        shape = per_sample.shape if per_sample.ndim and per_sample.size == math.prod(weighted) \
            else weighted

        def vjp(dv: np.ndarray) -> np.ndarray:
            c_i = dv * c
            if np.ndim(c_i) > 0:  # one factor per sample: spread it along its class axis
                c_i = np.broadcast_to(c_i, weighted).reshape(shape)
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
        return _weighted_sum(*self._weighting(L, sample_weight))

    def _divisor(self, L: np.ndarray, w: np.ndarray, sample_weight: Any) -> float:
        """What the weighted sum is divided by under ``self.reduction`` (never 0)."""
        if self.reduction == "sum":
            d = 1.0
        elif self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            d = float(np.sum(w))
        else:
            d = float(math.prod(_weighted_shape(L, w)))
        return d if d != 0 else np.inf  # Keras divides "no_nan": 0 / 0 gives 0

    def _what(self) -> str:
        """Who computed the values, for messages (LossFunctionWrapper names its function)."""
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


def _weighted_sum(L: Any, w: np.ndarray, d: Any) -> Any:
    """``sum(L * w) / d`` (``L * w`` when ``d`` is None), with kteach.ops when ``L`` is a
    Tensor that a tape may follow."""
    if type(L) is np.ndarray and L.dtype.kind == "f":
        # A plain float array (w has its dtype): no tape can follow it, so NumPy gives
        # kteach.ops' numbers without the ops' checks, which would cost more than the
        # arithmetic on a small batch.
        Lw = L * w
        return Lw if d is None else np.sum(Lw, dtype=Lw.dtype) / Lw.dtype.type(d)
    Lw = ops.multiply(L, w)
    if d is None:
        return Lw
    return ops.divide(ops.sum(Lw), np.asarray(d, Lw.dtype))  # d in L's precision


def _weighted_shape(L: np.ndarray, w: np.ndarray) -> tuple[int, ...]:
    """The shape of ``L * w`` (``L``'s own when there is one weight for all)."""
    return L.shape if w.ndim == 0 else np.broadcast_shapes(L.shape, w.shape)


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
