"""Activation functions, each with its derivative, as ``keras.activations``.

Forward: every function takes a NumPy array ``x`` of any shape and returns ``y`` of the same
shape and float dtype (integer input becomes ``floatx()``). All but ``softmax`` act on each
number alone.

Backward: a layer that computed ``y = f(x)`` gets ``dLoss/dx`` from ``dLoss/dy`` with::

    dx = activations.backward(f, x, y, dy)

The derivative of a built-in function ``f`` is the function ``f.backward(x, y, dy)`` defined
right below it; read them in pairs. Elementwise functions return ``dy * f'(x)`` (often
cheaper to write with ``y``: sigmoid' = y (1 - y)). Softmax returns the Jacobian-vector
product along its axis.

Your own activation works the same way: give it a ``backward`` attribute::

    def cube(x):
        return x ** 3
    cube.backward = lambda x, y, dy: dy * 3 * x ** 2

kteach computes gradients by hand, not by automatic differentiation, so :func:`get` refuses a
callable without ``backward`` (:class:`NoDerivativeError`) when the layer is created, not
halfway through ``fit``. A kteach ``Layer`` (e.g. ``LeakyReLU()``) is accepted as an
activation too: its own ``forward``/``backward`` are used.

Names are case-sensitive, as in Keras: ``'relu'`` works, ``'ReLU'`` does not (the error
suggests ``'relu'``).
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np

from .engine import config
from .engine.errors import KteachError, UnknownNameError, unknown_name_error
from .engine.layer import Layer

Activation = Callable[[np.ndarray], np.ndarray]


class NoDerivativeError(KteachError, TypeError):
    """A custom activation has no ``backward(x, y, dy)``, so kteach cannot train through it."""


# ----- linear ------------------------------------------------------------------------------
def linear(x: np.ndarray) -> np.ndarray:
    """Identity: ``y = x``. What ``activation=None`` means."""
    return config.as_float(x)


def linear_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = 1."""
    return dy


linear.backward = linear_backward


# ----- relu family -------------------------------------------------------------------------
def relu(x: np.ndarray, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> np.ndarray:
    """Rectified linear unit: ``y = max(x, 0)`` with the defaults.

    In general (the Keras definition)::

        y = x                                  if x > threshold (capped at max_value)
        y = negative_slope * (x - threshold)   if x < threshold
    """
    x = config.as_float(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return np.maximum(x, 0, dtype=x.dtype)   # the common case, ten times faster
    y = np.where(x > threshold, x, np.zeros_like(x))
    if max_value is not None:
        y = np.clip(y, 0, max_value)
    if negative_slope != 0.0:
        y = y - negative_slope * np.maximum(threshold - x, 0)
    return y.astype(x.dtype)


def relu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray, negative_slope: float = 0.0,
                  max_value: float | None = None, threshold: float = 0.0) -> np.ndarray:
    """dy/dx = 1 where x passes (above threshold, inside [0, max_value]), negative_slope
    below the threshold, 0 elsewhere. At the kink we take the right-hand side's 0 as Keras'
    backends do (relu'(0) = 0)."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        # the common case: pass dy where x > 0, else 0 (dtype=: the mask is cast to dy's
        # dtype as it is read, faster than NumPy's mixed bool-float multiply, same numbers)
        return np.multiply(dy, x > 0, dtype=dy.dtype)
    passes = x > threshold
    if max_value is not None:
        passes &= (x > 0) & (x < max_value)
    slope = np.where(passes, 1.0, 0.0) + negative_slope * (x < threshold)
    return dy * slope.astype(x.dtype)


relu.backward = relu_backward


def relu6(x: np.ndarray) -> np.ndarray:
    """``y = min(max(x, 0), 6)`` (MobileNet's relu)."""
    return relu(x, max_value=6.0)


def relu6_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = 1 for 0 < x < 6, else 0."""
    return relu_backward(x, y, dy, max_value=6.0)


relu6.backward = relu6_backward


def leaky_relu(x: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    """``y = x`` for x > 0, ``negative_slope * x`` otherwise (Keras' default slope is 0.2)."""
    x = config.as_float(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype)


def leaky_relu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray,
                        negative_slope: float = 0.2) -> np.ndarray:
    """dy/dx = 1 for x > 0, negative_slope otherwise."""
    return dy * np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


leaky_relu.backward = leaky_relu_backward


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: ``y = x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    x = config.as_float(x)
    negative = alpha * np.expm1(np.minimum(x, 0))  # min(): exp of a large x would overflow
    return np.where(x > 0, x, negative).astype(x.dtype)


def elu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """dy/dx = 1 for x > 0, ``alpha * exp(x) = y + alpha`` otherwise."""
    return dy * np.where(x > 0, 1.0, y + alpha).astype(x.dtype)


elu.backward = elu_backward

# SELU's constants (Klambauer et al. 2017): they keep mean 0 and variance 1 through layers.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: np.ndarray) -> np.ndarray:
    """Scaled ELU: ``y = scale * elu(x, alpha)`` with alpha ≈ 1.6733, scale ≈ 1.0507."""
    x = config.as_float(x)
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = scale for x > 0, ``scale * alpha * exp(x) = y + scale * alpha`` otherwise."""
    return dy * np.where(x > 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA).astype(x.dtype)


selu.backward = selu_backward


# ----- sigmoid family ----------------------------------------------------------------------
def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``y = 1 / (1 + exp(-x))``, in (0, 1).

    Computed with ``e = exp(-|x|)`` so no exp ever overflows: for x >= 0 it is 1 / (1 + e),
    for x < 0 it is e / (1 + e) (same value, multiplied through by exp(x))."""
    x = config.as_float(x)
    e = np.abs(x, out=np.empty_like(x))                    # a new array (also for a 0-d x)
    np.exp(np.negative(e, out=e), out=e)                   # e = exp(-|x|), in one array
    y = np.maximum(e, x >= 0, out=np.empty_like(e))        # the numerator: 1 or e (e <= 1)
    return np.divide(y, np.add(e, 1, out=e), out=y)        # ... / (1 + e)


def sigmoid_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = y (1 - y)."""
    return dy * y * (1 - y)


sigmoid.backward = sigmoid_backward


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Piecewise linear sigmoid, Keras 3 formula: ``y = clip(x / 6 + 0.5, 0, 1)``.

    (Keras 2 used ``clip(0.2 x + 0.5, 0, 1)``; Keras 3 changed the slope to 1/6.)"""
    x = config.as_float(x)
    return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype)


def hard_sigmoid_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = 1/6 for -3 < x < 3, else 0."""
    return dy * np.where(np.abs(x) < 3, 1 / 6, 0.0).astype(x.dtype)


hard_sigmoid.backward = hard_sigmoid_backward


def silu(x: np.ndarray) -> np.ndarray:
    """Sigmoid linear unit, also called swish: ``y = x * sigmoid(x)``."""
    x = config.as_float(x)
    return x * sigmoid(x)


def silu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = s + x s (1 - s) = s (1 + x (1 - s)) with s = sigmoid(x)."""
    s = sigmoid(x)
    return dy * s * (1 + x * (1 - s))


silu.backward = silu_backward
swish = silu  # Keras accepts 'swish' as a second name of silu


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent ``y = (e^x - e^-x) / (e^x + e^-x)``, in (-1, 1)."""
    x = config.as_float(x)
    return np.tanh(x)


def tanh_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = 1 - y²."""
    return dy * (1 - y * y)


tanh.backward = tanh_backward


# ----- smooth ones -------------------------------------------------------------------------
def softplus(x: np.ndarray) -> np.ndarray:
    """``y = log(1 + exp(x))``, a smooth relu; computed as max(x, 0) + log(1 + exp(-|x|))."""
    x = config.as_float(x)
    return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype)


def softplus_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = sigmoid(x)."""
    return dy * sigmoid(x)


softplus.backward = softplus_backward


def softsign(x: np.ndarray) -> np.ndarray:
    """``y = x / (1 + |x|)``, in (-1, 1)."""
    x = config.as_float(x)
    return x / (1 + np.abs(x))


def softsign_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = 1 / (1 + |x|)²."""
    return dy / (1 + np.abs(x)) ** 2


softsign.backward = softsign_backward


def exponential(x: np.ndarray) -> np.ndarray:
    """``y = exp(x)``."""
    x = config.as_float(x)
    return np.exp(x)


def exponential_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dy/dx = exp(x) = y."""
    return dy * y


exponential.backward = exponential_backward

# NumPy has no erf; Python's math.erf is exact to double precision (one call per number).
_erf = np.vectorize(math.erf, otypes=[np.float64])
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(x: np.ndarray, approximate: bool = False) -> np.ndarray:
    """Gaussian error linear unit: ``y = x * Phi(x)``, Phi the standard normal CDF.

    ``approximate=False`` (the default of ``keras.activations.gelu``, hence of
    ``activation='gelu'``) uses ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``.
    ``approximate=True`` uses ``Phi(x) ≈ (1 + tanh(sqrt(2/pi) (x + 0.044715 x³))) / 2``.
    (Careful: ``keras.ops.gelu`` defaults to ``approximate=True``; the activation does not.)
    """
    x = config.as_float(x)
    if approximate:
        u = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype)
    Phi = 0.5 * (1 + _erf(x / math.sqrt(2)))
    return (x * Phi).astype(x.dtype)


def gelu_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray,
                  approximate: bool = False) -> np.ndarray:
    """Exact: dy/dx = Phi(x) + x phi(x), phi(x) = exp(-x²/2) / sqrt(2 pi) the normal density.
    Approximate: with u = sqrt(2/pi) (x + 0.044715 x³) and t = tanh(u),
    dy/dx = (1 + t) / 2 + x (1 - t²) / 2 * sqrt(2/pi) (1 + 3 * 0.044715 x²)."""
    if approximate:
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
        du_dx = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x ** 2)
        return (dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du_dx)).astype(x.dtype)
    Phi = 0.5 * (1 + _erf(x / math.sqrt(2)))
    phi = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return (dy * (Phi + x * phi)).astype(x.dtype)


gelu.backward = gelu_backward


# ----- softmax -----------------------------------------------------------------------------
def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``y_i = exp(x_i) / sum_j exp(x_j)`` along ``axis``: each slice sums to 1.

    The max along the axis is subtracted first; that changes nothing mathematically (it
    cancels) but keeps exp from overflowing for large inputs."""
    x = config.as_float(x)
    e = x - x.max(axis=axis, keepdims=True)    # a new array: exp and the division go into it
    np.exp(e, out=e)
    return np.divide(e, e.sum(axis=axis, keepdims=True), out=e)


def softmax_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray, axis: int = -1) -> np.ndarray:
    """Jacobian-vector product along ``axis``: dy_i/dx_k = y_i (δ_ik - y_k), so

        dx_k = sum_i dy_i y_i (δ_ik - y_k) = y_k (dy_k - sum_i dy_i y_i).
    """
    dx = dy * y                                 # a new array, reused for the result
    dx_sum = dx.sum(axis=axis, keepdims=True)
    return np.multiply(y, np.subtract(dy, dx_sum, out=dx), out=dx)


softmax.backward = softmax_backward


# ----- names -------------------------------------------------------------------------------
_BY_NAME: dict[str, Activation] = {
    "linear": linear, "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "elu": elu,
    "selu": selu, "sigmoid": sigmoid, "hard_sigmoid": hard_sigmoid, "silu": silu,
    "swish": silu, "tanh": tanh, "softplus": softplus, "softsign": softsign,
    "exponential": exponential, "gelu": gelu, "softmax": softmax,
}

# Keras 3.15 names that kteach does not implement: a clearer error than "unknown".
_KERAS_ONLY = ("celu", "glu", "hard_shrink", "hard_silu", "hard_swish", "hard_tanh",
               "log_sigmoid", "log_softmax", "mish", "soft_shrink", "sparse_plus",
               "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold")


def get(identifier: str | Callable | None) -> Callable:
    """The activation function for ``identifier``, as ``keras.activations.get``.

    ``None`` -> :func:`linear`; a name (case-sensitive, e.g. ``'relu'``) -> that function;
    a callable -> itself, after :func:`check_differentiable` made sure kteach can
    backpropagate through it. Unknown names raise :class:`UnknownNameError` (a ValueError).
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        check_differentiable(identifier)
        return identifier
    raise unknown_name_error("activation function", str(identifier), _BY_NAME)


def deserialize(name: str) -> Callable:
    """The built-in function called ``name`` (``'swish'`` gives :func:`silu`)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in _KERAS_ONLY:
        raise UnknownNameError(
            f"Activation '{name}' exists in Keras 3 but kteach does not implement it. "
            f"Write it as a function with a derivative (fn.backward = lambda x, y, dy: ...), "
            f"or pick one of: {', '.join(sorted(_BY_NAME))}.")
    raise unknown_name_error("activation function", name, _BY_NAME)


def serialize(f: Callable) -> str:
    """The Keras name of a built-in activation (``silu`` for swish); for anything else its
    ``__name__`` (``functools.partial(relu, ...)`` -> ``'relu'``), else its class name."""
    if isinstance(f, functools.partial):
        f = f.func
    for name, fn in _BY_NAME.items():
        if fn is f:
            return name
    return getattr(f, "__name__", type(f).__name__)


def check_differentiable(f: Callable) -> None:
    """Raise :class:`NoDerivativeError` unless kteach knows the derivative of ``f``.

    Known: every built-in, ``functools.partial`` of a built-in (its keywords are passed to
    the derivative too), a kteach ``Layer``, and any callable with ``f.backward(x, y, dy)``.
    """
    if isinstance(f, Layer):
        return
    if isinstance(f, functools.partial):
        f = f.func
    if callable(getattr(f, "backward", None)):
        return
    name = getattr(f, "__name__", type(f).__name__)
    example = "fn" if not name.isidentifier() else name
    raise NoDerivativeError(
        f"The activation {name!r} has no derivative, so kteach cannot train through it: "
        f"kteach computes gradients by hand, not by automatic differentiation. "
        f"Attach one that returns dLoss/dx from x (the input), y = {example}(x) and dy = "
        f"dLoss/dy, e.g. for y = x**3:\n"
        f"    {example}.backward = lambda x, y, dy: dy * 3 * x**2\n"
        f"or use a built-in name such as activation='relu'."
    )


def backward(f: Callable, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dLoss/dx for ``y = f(x)`` given ``dy = dLoss/dy``; shapes of x, y, dy and the result agree.

    Uses ``f.backward(x, y, dy)``; for ``functools.partial(relu, max_value=6)`` the
    keywords go to ``relu.backward`` too; a kteach ``Layer`` runs its own forward/backward.
    """
    if isinstance(f, Layer):
        _, cache = f.forward(x, False)
        dx, _ = f.backward(cache, dy)
        return dx
    check_differentiable(f)
    if isinstance(f, functools.partial):
        return f.func.backward(x, y, dy, **f.keywords)
    return f.backward(x, y, dy)


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from .engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
