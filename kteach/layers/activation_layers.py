"""Activation layers with settings of their own: LeakyReLU, ReLU, PReLU, ELU, Softmax; and two
weightless maps of the same kind: Identity and UnitNormalization.

``Activation('relu')`` applies a named function; these layers carry its parameters (a slope,
a ceiling, a threshold, an axis) or, for PReLU, learn them. Each ``backward`` multiplies
``dy`` by the derivative its ``forward`` implies, branch by branch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from ..engine.errors import refuse_unsupported, warn_once
from ..engine.layer import Layer
from ..engine.tensor import format_shape


def _number(value: Any, what: str, layer: str, example: str, minimum: float | None = 0.0,
            allow_none: bool = False) -> float | None:
    """A real number (``>= minimum`` when given), or None when allowed; clear messages."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"The `{what}` argument of {layer} must be a number, received "
                         f"{what}={value!r}. For example {example}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"The `{what}` argument of {layer} must be >= {minimum:g}, received "
                         f"{what}={value!r}. For example {example}.")
    return float(value)


def _shapes(layer: Layer, input_shape, output_shape) -> str:
    return f"{format_shape(input_shape)} → {format_shape(output_shape)}"


# ----- LeakyReLU -------------------------------------------------------------------------------
class LeakyReLU(Layer):
    """Leaky ReLU: ``y = x`` for ``x > 0``, ``y = negative_slope · x`` otherwise.

    Shapes: x and y the same, any shape.

    Backward: ``dx = dy`` where ``x > 0``, ``dx = negative_slope · dy`` elsewhere.
    Keras 3's default slope here is 0.3 (the function ``leaky_relu`` uses 0.2).
    """

    _config_keys = ("negative_slope",)
    _legacy_keywords = ("alpha",)

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:   # the Keras 2 name of the slope
            negative_slope = kwargs.pop("alpha")
            warn_once("LeakyReLU(alpha=...) is the Keras 2 spelling; Keras 3 calls it "
                      "negative_slope: LeakyReLU(negative_slope=0.1).", key="leaky_relu_alpha")
        super().__init__(**kwargs)
        self.negative_slope = _number(negative_slope, "negative_slope", "LeakyReLU",
                                      "LeakyReLU(negative_slope=0.1)")

    def forward(self, x, training=False):
        positive = x > 0
        return np.where(positive, x, self.negative_slope * x), positive

    def backward(self, positive, dy):
        return np.where(positive, dy, self.negative_slope * dy), []

    def formula(self, input_shape, output_shape):
        return (f"y = x if x > 0 else {self.negative_slope:g}·x : "
                f"{_shapes(self, input_shape, output_shape)}")


# ----- ReLU ------------------------------------------------------------------------------------
class ReLU(Layer):
    """Rectified linear unit with a ceiling, a slope and a threshold ``θ`` (as Keras 3):

    ``y = min(x, max_value)`` for ``x > θ`` (no ceiling when ``max_value`` is None),
    ``y = negative_slope · (x − θ)`` for ``x < θ``; all three settings are ``>= 0``.
    The defaults give ``y = max(x, 0)``.

    Shapes: x and y the same, any shape.

    Backward: ``dx = dy`` where ``x > θ`` (and ``x < max_value`` when there is a ceiling),
    ``dx = negative_slope · dy`` where ``x < θ``.
    """

    _config_keys = ("max_value", "negative_slope", "threshold")

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _number(max_value, "max_value", "ReLU", "ReLU(max_value=6.0)",
                                 allow_none=True)
        self.negative_slope = _number(negative_slope, "negative_slope", "ReLU",
                                      "ReLU(negative_slope=0.1)")
        self.threshold = _number(threshold, "threshold", "ReLU", "ReLU(threshold=0.5)")

    def forward(self, x, training=False):
        above, below = x > self.threshold, x < self.threshold
        y, passes = x * above, above
        if self.max_value is not None:
            y, passes = np.minimum(y, self.max_value), above & (x < self.max_value)
        y = y + self.negative_slope * (x - self.threshold) * below
        return y.astype(x.dtype, copy=False), (passes, below)

    def backward(self, cache, dy):
        passes, below = cache
        return dy * passes + self.negative_slope * dy * below, []

    def formula(self, input_shape, output_shape):
        top = "x" if self.max_value is None else f"min(x, {self.max_value:g})"
        return (f"y = {top} if x > {self.threshold:g} else "
                f"{self.negative_slope:g}·(x − {self.threshold:g}) : "
                f"{_shapes(self, input_shape, output_shape)}")


# ----- PReLU -----------------------------------------------------------------------------------
class PReLU(Layer):
    """Leaky ReLU whose slopes are learned: ``y = max(x, 0) + α · min(x, 0)``.

    Shapes: x ``(batch, d1, ..., dk)``, α (``alpha``) ``(d1, ..., dk)`` with size 1 on every
    axis in ``shared_axes`` (those positions share one slope), y like x.

    Backward: ``dx = dy · [x > 0] + α · dy · [x < 0]``,
    ``dα = Σ dy · min(x, 0)`` over the batch and the shared axes.
    """

    _config_keys = ("alpha_initializer", "shared_axes")
    _keras_config = {"alpha_regularizer": None, "alpha_constraint": None}

    _float_inputs = True        # integer input computes in the layer's dtype

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        refuse_unsupported("PReLU", alpha_regularizer=alpha_regularizer,
                           alpha_constraint=alpha_constraint)
        self.alpha_initializer = initializers.get(alpha_initializer)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) and a >= 1
                       for a in axes):
                raise ValueError(f"`shared_axes` of PReLU must be axes after the batch axis "
                                 f"(integers >= 1), received shared_axes={shared_axes!r}. For "
                                 f"images (batch, height, width, channels), shared_axes=[1, 2] "
                                 f"learns one slope per channel.")
            self.shared_axes = [int(a) for a in axes]

    def forward(self, x, training=False):
        negative = np.minimum(x, 0)
        return np.maximum(x, 0) + self.alpha.value * negative, (x, negative)

    def backward(self, cache, dy):
        x, negative = cache
        dx = dy * (x > 0) + self.alpha.value * dy * (x < 0)
        d_alpha = dy * negative
        sum_axes = (0,) + tuple(a for a in self.shared_axes or [])     # the batch and shared axes
        d_alpha = d_alpha.sum(axis=sum_axes, keepdims=True)[0]
        return dx, [d_alpha]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if a >= len(input_shape):
                raise ValueError(f"PReLU '{self.name}' has shared_axes={self.shared_axes}, but "
                                 f"its input {format_shape(input_shape)} has no axis {a}.")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU '{self.name}' needs every axis that is not shared to have "
                             f"a known size; input shape {format_shape(input_shape)}. Share "
                             f"the axes of unknown size: shared_axes=[...].")
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     name="alpha")

    def formula(self, input_shape, output_shape):
        return (f"y = max(x, 0) + α·min(x, 0), α {format_shape(self.alpha.shape)} : "
                f"{_shapes(self, input_shape, output_shape)}")


# ----- ELU -------------------------------------------------------------------------------------
class ELU(Layer):
    """Exponential linear unit: ``y = x`` for ``x > 0``, ``y = α · (eˣ − 1)`` otherwise.

    Shapes: x and y the same, any shape.

    Backward: ``dx = dy`` where ``x > 0``, ``dx = dy · α·eˣ = dy · (y + α)`` elsewhere.
    """

    _config_keys = ("alpha",)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number(alpha, "alpha", "ELU", "ELU(alpha=1.0)", minimum=None)

    def forward(self, x, training=False):
        positive = x > 0
        y = np.where(positive, x, self.alpha * np.expm1(np.minimum(x, 0)))
        return y, (positive, y)

    def backward(self, cache, dy):
        positive, y = cache
        return np.where(positive, dy, dy * (y + self.alpha)), []

    def formula(self, input_shape, output_shape):
        return (f"y = x if x > 0 else {self.alpha:g}·(eˣ − 1) : "
                f"{_shapes(self, input_shape, output_shape)}")


# ----- Softmax ---------------------------------------------------------------------------------
class Softmax(Layer):
    """Softmax: ``y_i = exp(x_i) / Σ_j exp(x_j)`` along ``axis`` (an int or a tuple of
    ints), so every slice along it sums to 1. Computed as ``exp(x − max x)`` so large inputs
    do not overflow.

    Shapes: x and y the same, any shape.

    Backward (the Jacobian ``diag(y) − y·yᵀ`` times ``dy``): ``dx = y · (dy − Σ_j dy_j·y_j)``.
    """

    _config_keys = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        ok = isinstance(axis, (int, np.integer)) or (
            isinstance(axis, (tuple, list)) and axis and
            all(isinstance(a, (int, np.integer)) for a in axis))
        if isinstance(axis, bool) or not ok:
            raise ValueError(f"The `axis` argument of Softmax must be an integer or a tuple of "
                             f"integers, received axis={axis!r}. Softmax(axis=-1) normalises "
                             f"the last axis.")
        self.axis = int(axis) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axis)

    def forward(self, x, training=False):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        y = e / e.sum(axis=self.axis, keepdims=True)
        return y, y

    def backward(self, y, dy):
        return y * (dy - (dy * y).sum(axis=self.axis, keepdims=True)), []

    def formula(self, input_shape, output_shape):
        return f"y = softmax(x, axis={self.axis}) : {_shapes(self, input_shape, output_shape)}"


# ----- Identity and UnitNormalization (weightless maps of the same family) -----------------------
class Identity(Layer):
    """The identity, ``y = x`` (a placeholder, e.g. to name a point of a graph).

    Shapes: x and y the same, any shape.

    Backward: ``dx = dy``.
    """

    def forward(self, x, training=False):
        return x, None

    def backward(self, cache, dy):
        return dy, []

    def formula(self, input_shape, output_shape):
        return f"y = x : {_shapes(self, input_shape, output_shape)}"


class UnitNormalization(Layer):
    """Scale each vector along ``axis`` to length 1 (L2): ``y = x / n``,
    ``n = √max(Σ x², 10⁻¹²)`` (the floor keeps an all-zero vector at zero instead of NaN).

    Shapes: x and y the same, any shape; n has size 1 on ``axis``.

    Backward: ``dx = (dy − y · Σ dy·y) / n`` (the part of dy along y is removed, since the
    length cannot change); where the floor applies, ``dx = dy / n``.
    """

    _config_keys = ("axis",)
    EPSILON = 1e-12

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        items = list(axis) if isinstance(axis, (tuple, list)) else [axis]
        if not items or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                for a in items):
            raise TypeError(f"Invalid value for `axis` argument of UnitNormalization: expected "
                            f"an int or a list of ints, received axis={axis!r}. "
                            f"UnitNormalization(axis=-1) normalises each feature vector.")
        self.axis = [int(a) for a in items] if isinstance(axis, (tuple, list)) else int(axis)

    def forward(self, x, training=False):
        squares = (x * x).sum(axis=self._axes(), keepdims=True)
        floored = squares < self.EPSILON
        n = np.sqrt(np.maximum(squares, self.EPSILON)).astype(x.dtype)
        y = x / n
        return y, (y, n, floored)

    def backward(self, cache, dy):
        y, n, floored = cache
        along_y = (dy * y).sum(axis=self._axes(), keepdims=True) * ~floored
        return (dy - y * along_y) / n, []

    def _axes(self):
        return tuple(self.axis) if isinstance(self.axis, list) else self.axis

    def formula(self, input_shape, output_shape):
        return f"y = x / ‖x‖ along axis {self.axis} : {_shapes(self, input_shape, output_shape)}"
