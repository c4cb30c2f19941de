"""Loss functions with their gradients, as ``keras.losses``.

A loss compares the targets ``y_true`` with the model's output ``y_pred`` and gives one number
per sample, ``L_i``; training minimises their (weighted) mean. kteach computes gradients by
hand, so every loss here comes as a pair you can read side by side:

* ``call(y_true, y_pred)``     -> ``L``, one value per sample: shape ``y_pred.shape[:-1]``
  (the last axis -- classes or output units -- is summed or averaged away);
* ``gradient(y_true, y_pred)`` -> ``dL = d(sum_i L_i) / d y_pred``, shape ``y_pred.shape``.

Calling a loss object, ``loss(y_true, y_pred, sample_weight=None)``, first lines up the ranks
the way Keras does (targets of shape ``(n,)`` work with a ``Dense(1)`` output of shape
``(n, 1)``), then reduces ``L`` to one float. The default reduction,
``'sum_over_batch_size'``, is ``sum_i(L_i * w_i) / n`` -- the plain mean when there are no
weights. :meth:`Loss.value_and_gradient` gives that float together with its gradient, which is
what a training step needs.

Your own loss: subclass :class:`Loss` and write ``call`` and ``gradient``::

    class MyMeanSquaredError(kteach.losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 2, axis=-1)
        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    model.compile(optimizer="sgd", loss=MyMeanSquaredError())

``L_i`` must depend only on sample ``i`` (so the gradient of a weighted mean is the per-sample
gradient times the weight). Check your ``gradient`` against :func:`numerical_gradient`.

Names, as in Keras, are case-sensitive: ``'mse'``, ``'MSE'``, ``'mean_squared_error'`` and
``'MeanSquaredError'`` all work; ``'Mse'`` and ``'cce'`` do not.

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps = kteach.engine.config.epsilon()``,
1e-7) before the logarithm, exactly like Keras with the torch or JAX backend; where a value
was clipped its gradient is 0. With ``from_logits=True`` the stable formulas are used and
nothing is clipped.

Two deliberate differences from Keras 3: the function forms (``binary_crossentropy`` ...)
line up ranks themselves, as the loss classes do, instead of raising a shape error; and
``SparseCategoricalCrossentropy(ignore_class=...)`` is refused (see its docstring).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import config
from .engine.errors import (DataError, KteachError, ShapeError, UnknownNameError,
                            check_keywords, did_you_mean, unknown_name_error, warn_once)
from .engine.naming import snake_case, unique_name

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class NoGradientError(KteachError, TypeError):
    """A plain function was given as a loss; kteach also needs its gradient."""


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

    Subclasses write ``call`` (per-sample values) and ``gradient`` (their derivative); this
    class does the rank alignment, the sample weights and the reduction.

    Args:
        name: used in messages; default the class name in snake_case.
        reduction: how ``__call__`` turns the per-sample values ``L`` (weights ``w``, 1 when
            not given) into one number:
            ``'sum_over_batch_size'`` (default) and ``'mean'``: ``sum(L * w) / L.size``;
            ``'sum'``: ``sum(L * w)``;
            ``'mean_with_sample_weight'``: ``sum(L * w) / sum(w)``;
            ``'none'`` or ``None``: the array ``L * w`` itself.
    """

    sparse_targets: bool = False  # True when y_true holds class indices (one axis fewer)

    @check_keywords
    def __init__(self, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size") -> None:
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = _check_reduction(reduction)

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Per-sample losses ``L``, shape ``y_pred.shape[:-1]``. Subclasses write this."""
        raise NotImplementedError(
            f"{type(self).__name__} must define call(self, y_true, y_pred) returning one "
            f"loss value per sample (shape y_pred.shape[:-1]).")

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """``d(sum_i L_i) / d y_pred``, shape ``y_pred.shape``. Subclasses write this."""
        raise NotImplementedError(
            f"{type(self).__name__} must define gradient(self, y_true, y_pred) returning "
            f"d(sum of call(...))/d y_pred, an array shaped like y_pred: kteach computes "
            f"gradients by hand, not by automatic differentiation.")

    def align(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Targets and outputs as arrays of matching rank, ready for ``call``/``gradient``.

        ``y_pred`` becomes float (``floatx()`` unless already float); ``y_true`` takes its
        dtype (integer labels stay integers for sparse losses), then :func:`align_ranks`.
        """
        y_pred = config.as_float(y_pred)
        y_true = np.asarray(y_true)
        if not self.sparse_targets:
            y_true = y_true.astype(y_pred.dtype)
        return align_ranks(y_true, y_pred)

    def __call__(self, y_true: Any, y_pred: Any,
                 sample_weight: Any = None) -> float | np.ndarray:
        """The reduced loss (a float; an array for ``reduction='none'``)."""
        y_true, y_pred = self.align(y_true, y_pred)
        L = np.asarray(self.call(y_true, y_pred))
        L, w = _weigh(L, sample_weight)
        if self.reduction in ("none", None):
            return L * w
        return float(np.sum(L * w) / self._divisor(L, w, sample_weight))

    def value_and_gradient(self, y_true: Any, y_pred: Any,
                           sample_weight: Any = None) -> tuple[float, np.ndarray]:
        """``(loss, d loss / d y_pred)`` for the reduced loss that ``__call__`` returns.

        With ``c_i = w_i / divisor`` the loss is ``sum_i c_i L_i``; since ``L_i`` depends
        only on sample ``i``, its gradient is ``gradient(y_true, y_pred)`` scaled by ``c_i``
        along each sample's class axis. ``y_pred`` should be the model's output as is; the
        gradient has its shape (after rank alignment of a ``(n,)`` output to ``(n, 1)``).
        """
        if self.reduction in ("none", None):
            raise ValueError(
                f"Loss {self.name!r} has reduction={self.reduction!r}, which gives one value "
                f"per sample; a training step needs a single number. Use the default "
                f"reduction='sum_over_batch_size' (or 'sum').")
        output_shape = np.shape(y_pred)
        y_true, y_pred = self.align(y_true, y_pred)
        L, w = _weigh(np.asarray(self.call(y_true, y_pred)), sample_weight)
        d = self._divisor(L, w, sample_weight)
        c = np.broadcast_to(w / d, np.broadcast_shapes(L.shape, w.shape))  # loss = sum c_i L_i
        if c.ndim > 0:  # spread each sample's factor along its class axis
            c = np.expand_dims(c, getattr(self, "axis", -1) % y_pred.ndim)
        dy_pred = self.gradient(y_true, y_pred) * c
        return float(np.sum(L * w) / d), dy_pred.reshape(output_shape).astype(y_pred.dtype)

    def _divisor(self, L: np.ndarray, w: np.ndarray, sample_weight: Any) -> float:
        """What the weighted sum is divided by under ``self.reduction`` (never 0)."""
        if self.reduction == "sum":
            d = 1.0
        elif self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            d = float(np.sum(w))
        else:
            d = float(np.prod(np.broadcast_shapes(L.shape, w.shape)))
        return d if d != 0 else np.inf  # Keras divides "no_nan": 0 / 0 gives 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


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


# ----- names -------------------------------------------------------------------------------
_CLASSES = [MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy]
_FUNCTIONS = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
              binary_crossentropy: BinaryCrossentropy,
              categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy}
ALIASES = {"mse": MeanSquaredError, "MSE": MeanSquaredError,
           "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy}
_BY_NAME: dict[str, type[Loss]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: cls for fn, cls in _FUNCTIONS.items()},
    **ALIASES,
}
# Names Keras 3 knows that kteach does not implement (for a clearer message).
_KERAS_ONLY = {
    "hinge", "Hinge", "squared_hinge", "SquaredHinge", "categorical_hinge",
    "CategoricalHinge", "huber", "Huber", "log_cosh", "LogCosh", "kl_divergence",
    "KLDivergence", "kld", "KLD", "poisson", "Poisson", "cosine_similarity",
    "CosineSimilarity", "mean_absolute_percentage_error", "MeanAbsolutePercentageError",
    "mape", "MAPE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", "msle",
    "MSLE", "binary_focal_crossentropy", "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy", "CategoricalFocalCrossentropy", "ctc", "CTC", "dice",
    "Dice", "tversky", "Tversky", "circle", "Circle",
}

_CUSTOM_LOSS_HELP = """\
kteach computes gradients by hand, not by automatic differentiation, so a loss must also say
how it changes with y_pred. Write it as a subclass of kteach.losses.Loss:

    class MyMeanSquaredError(kteach.losses.Loss):
        def call(self, y_true, y_pred):        # one value per sample
            return np.mean((y_pred - y_true) ** 2, axis=-1)
        def gradient(self, y_true, y_pred):    # d(sum of call)/d y_pred
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    model.compile(optimizer="sgd", loss=MyMeanSquaredError())

or use a built-in name such as loss="mse"."""


def get(identifier: Any) -> Loss | None:
    """The :class:`Loss` for ``identifier``, as ``keras.losses.get``.

    * ``None`` -> ``None`` (no loss);
    * a name (case-sensitive): function names (``'mean_squared_error'``), class names
      (``'MeanSquaredError'``) and the aliases ``mse MSE mae MAE bce BCE`` -> a new instance;
    * a :class:`Loss` instance -> itself; a :class:`Loss` subclass -> an instance of it;
    * one of this module's functions (``kteach.losses.mean_squared_error``) -> an instance
      of the matching class.

    Any other callable raises :class:`NoGradientError` (a TypeError): kteach needs the
    gradient too, see the module docstring. An unknown name raises UnknownNameError.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if _matching_class(identifier) is not None:
        return _matching_class(identifier)()
    if callable(identifier):
        name = getattr(identifier, "__name__", type(identifier).__name__)
        raise NoGradientError(f"Cannot use the function {name!r} as a loss. "
                              f"{_CUSTOM_LOSS_HELP}")
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
            f"does not implement it. Write it as a subclass of kteach.losses.Loss (see "
            f"help(kteach.losses)), or use one of: {', '.join(sorted(_known_names()))}.")
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
