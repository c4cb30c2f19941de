"""Activation functions as ops, as ``keras.ops``: relu, sigmoid, softmax, gelu, ...

The formulas live in :mod:`kteach.activations`, each with its derivative ``f.backward(x, y,
dy)``; an op here computes ``y = f(x)``, uses ``f.backward`` as its vjp, and records both.
So ``kteach.ops.relu(x)`` and ``kteach.activations.relu(x)`` give the same numbers, and a
layer built with ``activation='relu'`` and one that calls ``ops.relu`` in ``call`` have the
same gradient.

Every op returns a float array of x's shape: float32 stays float32, integers become
``floatx()``. Where a derivative does not exist (relu at 0, relu6 at 0 and 6, hard_sigmoid
at ±3) the backward pass uses 0, as TensorFlow and JAX do.

Careful with defaults: ``ops.gelu`` uses the tanh approximation (``approximate=True``), but
``activations.gelu`` and ``activation='gelu'`` the exact erf formula -- as in Keras 3.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# Imported as a module and read when an op runs, so that which of kteach.ops and
# kteach.activations is imported first does not matter.
from .. import activations
from ..engine.errors import warn_once
from ..engine.tensor import format_shape
from .core import as_float, check_axis, record_op, shapes, to_array


def _input(op: str, x: Any) -> np.ndarray:
    """``x`` as a float array (integers become ``floatx()``)."""
    return as_float(to_array(x, op))


def sigmoid(x: Any) -> Any:
    """``y = 1 / (1 + e⁻ˣ)``, in (0, 1).  Backward: ``dx = dy · y · (1 - y)``."""
    a = _input("sigmoid", x)
    y = activations.sigmoid(a)

    def vjp(dy):
        return (activations.sigmoid.backward(a, y, dy),)

    return record_op("sigmoid", [x], y, vjp, f"y = 1 / (1 + exp(-x)) : {shapes(a, y)}")


def tanh(x: Any) -> Any:
    """``y = tanh x = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)``, in (-1, 1).

    Backward: ``dx = dy · (1 - y²)``."""
    a = _input("tanh", x)
    y = activations.tanh(a)

    def vjp(dy):
        return (activations.tanh.backward(a, y, dy),)

    return record_op("tanh", [x], y, vjp, f"y = tanh(x) : {shapes(a, y)}")


def relu(x: Any) -> Any:
    """``y = max(x, 0)``.  Backward: ``dx = dy · [x > 0]`` (0 at x = 0, as TF and JAX).

    Integers stay integers (as keras.ops.relu), with no gradient."""
    raw = to_array(x, "relu")
    if raw.dtype.kind in "iu":
        return np.maximum(raw, 0)
    a = _input("relu", x)
    y = activations.relu(a)

    def vjp(dy):
        return (activations.relu.backward(a, y, dy),)

    return record_op("relu", [x], y, vjp, f"y = max(x, 0) : {shapes(a, y)}")


def relu6(x: Any) -> Any:
    """``y = min(max(x, 0), 6)``.  Backward: ``dx = dy · [0 < x < 6]`` (0 at both kinks)."""
    a = _input("relu6", x)
    y = activations.relu6(a)

    def vjp(dy):
        return (activations.relu6.backward(a, y, dy),)

    return record_op("relu6", [x], y, vjp, f"y = min(max(x, 0), 6) : {shapes(a, y)}")


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``y = x`` for x > 0, ``negative_slope · x`` otherwise (Keras' default slope: 0.2).

    Backward: ``dx = dy`` for x > 0, ``negative_slope · dy`` otherwise (also at 0)."""
    a = _input("leaky_relu", x)
    y = activations.leaky_relu(a, negative_slope)

    def vjp(dy):
        return (activations.leaky_relu.backward(a, y, dy, negative_slope),)

    return record_op("leaky_relu", [x], y, vjp,
                     f"y = x if x > 0 else {negative_slope}·x : {shapes(a, y)}")


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``y = x`` for x > 0, ``alpha · (eˣ - 1)`` otherwise.

    Backward: ``dx = dy`` for x > 0, ``dy · alpha · eˣ = dy · (y + alpha)`` otherwise."""
    a = _input("elu", x)
    y = activations.elu(a, alpha)

    def vjp(dy):
        return (activations.elu.backward(a, y, dy, alpha),)

    return record_op("elu", [x], y, vjp,
                     f"y = x if x > 0 else {alpha}·(exp(x) - 1) : {shapes(a, y)}")


def selu(x: Any) -> Any:
    """``y = scale · elu(x, alpha)`` with alpha ≈ 1.6733 and scale ≈ 1.0507 (fixed).

    Backward: ``dx = scale · dy`` for x > 0, ``dy · (y + scale · alpha)`` otherwise."""
    a = _input("selu", x)
    y = activations.selu(a)

    def vjp(dy):
        return (activations.selu.backward(a, y, dy),)

    return record_op("selu", [x], y, vjp, f"y = 1.0507·elu(x, 1.6733) : {shapes(a, y)}")


def softplus(x: Any) -> Any:
    """``y = log(1 + eˣ)``, a smooth relu.  Backward: ``dx = dy · sigmoid(x)``."""
    a = _input("softplus", x)
    y = activations.softplus(a)

    def vjp(dy):
        return (activations.softplus.backward(a, y, dy),)

    return record_op("softplus", [x], y, vjp, f"y = log(1 + exp(x)) : {shapes(a, y)}")


def softsign(x: Any) -> Any:
    """``y = x / (1 + |x|)``, in (-1, 1).  Backward: ``dx = dy / (1 + |x|)²``."""
    a = _input("softsign", x)
    y = activations.softsign(a)

    def vjp(dy):
        return (activations.softsign.backward(a, y, dy),)

    return record_op("softsign", [x], y, vjp, f"y = x / (1 + |x|) : {shapes(a, y)}")


def silu(x: Any) -> Any:
    """``y = x · sigmoid(x)`` (also called swish).

    Backward: ``dx = dy · s · (1 + x · (1 - s))`` with ``s = sigmoid(x)``."""
    a = _input("silu", x)
    y = activations.silu(a)

    def vjp(dy):
        return (activations.silu.backward(a, y, dy),)

    return record_op("silu", [x], y, vjp, f"y = x·sigmoid(x) : {shapes(a, y)}")


swish = silu  # Keras' second name for silu


def hard_sigmoid(x: Any) -> Any:
    """``y = clip(x / 6 + 1/2, 0, 1)`` (Keras 3's slope; Keras 2 used 0.2).

    Backward: ``dx = dy / 6`` for -3 < x < 3, else 0 (also at ±3)."""
    a = _input("hard_sigmoid", x)
    y = activations.hard_sigmoid(a)

    def vjp(dy):
        return (activations.hard_sigmoid.backward(a, y, dy),)

    return record_op("hard_sigmoid", [x], y, vjp, f"y = clip(x/6 + 1/2, 0, 1) : {shapes(a, y)}")


def gelu(x: Any, approximate: bool = True) -> Any:
    """``y = x · Φ(x)``, Φ the standard normal CDF.

    ``approximate=True`` (the default of ``keras.ops.gelu``) uses
    ``Φ(x) ≈ (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2``; ``approximate=False`` the exact
    ``Φ(x) = (1 + erf(x / √2)) / 2``. (``activations.gelu`` defaults to the exact one.)
    Backward: ``dx = dy · (Φ(x) + x · φ(x))``, φ the normal density -- or the derivative of
    the tanh formula when approximating; see :func:`kteach.activations.gelu_backward`.
    """
    a = _input("gelu", x)
    y = activations.gelu(a, approximate=approximate)

    def vjp(dy):
        return (activations.gelu.backward(a, y, dy, approximate=approximate),)

    which = "tanh approximation" if approximate else "erf"
    return record_op("gelu", [x], y, vjp, f"y = x·Φ(x) ({which}) : {shapes(a, y)}")


def softmax(x: Any, axis: Any = -1) -> Any:
    """``y_i = exp(x_i) / Σ_j exp(x_j)`` along ``axis`` (an int or a tuple): each slice
    sums to 1.

    Backward: ``dx = y · (dy - Σ_axis dy · y)`` (the Jacobian ``y_i (δ_ik - y_k)`` times dy).
    """
    a = _input("softmax", x)
    axis = check_axis("softmax", axis, a.ndim)
    _warn_size_one("softmax", a, axis)
    y = activations.softmax(a, axis=axis)

    def vjp(dy):
        return (activations.softmax.backward(a, y, dy, axis=axis),)

    return record_op("softmax", [x], y, vjp,
                     f"y = exp(x) / Σ exp(x) (axis={axis}) : {shapes(a, y)}")


def log_softmax(x: Any, axis: Any = -1) -> Any:
    """``y = x - log Σ_axis exp(x)``: the log of softmax, without rounding tiny
    probabilities to 0 first (``log(softmax(x))`` would give ``-inf`` there).

    Backward: ``dx = dy - softmax(x) · Σ_axis dy`` (``softmax(x) = exp(y)``).
    """
    a = _input("log_softmax", x)
    axis = check_axis("log_softmax", axis, a.ndim)
    _warn_size_one("log_softmax", a, axis)
    m = np.max(a, axis=axis, keepdims=True)   # subtracted so exp cannot overflow; it cancels
    y = a - m - np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))

    def vjp(dy):
        return (dy - np.exp(y) * np.sum(dy, axis=axis, keepdims=True),)

    return record_op("log_softmax", [x], y, vjp,
                     f"y = x - log Σ exp(x) (axis={axis}) : {shapes(a, y)}")


def _warn_size_one(op: str, a: np.ndarray, axis: Any) -> None:
    """Softmax over one number is always 1 (log_softmax always 0): almost surely a mistake."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    if axis is not None and a.ndim and all(a.shape[i] == 1 for i in axes):
        warn_once(f"kteach.ops.{op} over axis {axis} of an array of shape "
                  f"{format_shape(a.shape)}: that axis has size 1, so the result is always "
                  f"{'1' if op == 'softmax' else '0'} and its gradient 0. For one output per "
                  f"example (two classes) use sigmoid; or pass the axis of the classes.",
                  key=f"{op}-size-one-{a.shape}-{axis}")


# What NumPy functions on a recorded Tensor turn into (see dispatch.py).
NUMPY_UFUNCS = {np.tanh: tanh}
NUMPY_FUNCTIONS: dict = {}
TENSOR_METHODS: dict = {}
__all__ = ["elu", "gelu", "hard_sigmoid", "leaky_relu", "log_softmax", "relu", "relu6", "selu",
           "sigmoid", "silu", "softmax", "softplus", "softsign", "swish", "tanh"]
