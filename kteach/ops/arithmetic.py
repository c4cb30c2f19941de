"""Elementwise arithmetic, as ``keras.ops``: each op's forward, then its vjp.

Broadcasting follows NumPy; each backward sums the gradient back to its input's shape with
:func:`~kteach.ops.core.unbroadcast`.

Dtypes follow Keras 3: ``float32`` stays ``float32``; ops whose result is a fraction
(``divide``, ``sqrt``, ``exp``, ``log``, ``sin``, ...) turn integers into ``floatx()``;
``add``, ``multiply``, ``maximum``, ``abs`` ... keep integers integers. A Python number takes
the dtype of the array it meets (``float32 array * 2.0`` is ``float32``), and an integer array
meeting a ``float32`` one gives ``float32`` (NumPy alone would give ``float64``).

Where a derivative does not exist (``abs`` at 0, ``maximum`` at a tie, ``sqrt`` at 0) each
docstring says which value the backward pass uses; it is TensorFlow's choice, Keras' default
backend, and JAX agrees except where noted.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import config
from ..engine.errors import ShapeError
from ..engine.tensor import format_shape
from .core import (OpError, as_float, binary_inputs, record_op, shapes, to_array,
                   unbroadcast)


# ===================================================================== helpers
def _promoted(op: str, x1: Any, x2: Any, to_float: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Both operands (see :func:`binary_inputs`) converted to the dtype of the result.

    That dtype is NumPy's promotion, except that float64 appears only if an operand was
    float64 (``int32`` with ``float32`` is ``float32``, as in Keras); ``to_float`` makes an
    integer result ``floatx()`` (for ``divide``). Computing in one dtype keeps the backward
    pass in that dtype too.
    """
    a, b = binary_inputs(op, x1, x2)
    floats = [d for d in (a.dtype, b.dtype) if d.kind == "f"]
    # floats win over integers without growing (int32 with float16 is float16, as in Keras)
    dtype = np.result_type(*floats) if floats else np.result_type(a, b)
    if to_float and dtype.kind != "f":
        dtype = np.dtype(config.floatx())
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False)


def _check_broadcast(op: str, *arrays: Any) -> None:
    """A clear error, naming the op, when three operands cannot broadcast together."""
    try:
        np.broadcast_shapes(*[np.shape(v) for v in arrays])
    except ValueError:
        raise ShapeError(
            f"kteach.ops.{op} cannot broadcast shapes "
            f"{', '.join(format_shape(np.shape(v)) for v in arrays)} together: from the "
            f"right, each size must equal the others or be 1.") from None


def _float_input(op: str, x: Any) -> np.ndarray:
    """``x`` as an array for an op whose result is a fraction: integers become ``floatx()``."""
    return as_float(to_array(x, op))


# ===================================================================== + - · /
def add(x1: Any, x2: Any) -> Any:
    """``y = x1 + x2``.  Backward: ``dx1 = dy``, ``dx2 = dy`` (summed to their shapes)."""
    a, b = _promoted("add", x1, x2)
    y = np.add(a, b)

    def vjp(dy):
        return unbroadcast(dy, a.shape), unbroadcast(dy, b.shape)

    return record_op("add", [x1, x2], y, vjp, f"y = x1 + x2 : {shapes(a, b, y)}")


def subtract(x1: Any, x2: Any) -> Any:
    """``y = x1 - x2``.  Backward: ``dx1 = dy``, ``dx2 = -dy``."""
    a, b = _promoted("subtract", x1, x2)
    y = np.subtract(a, b)

    def vjp(dy):
        return unbroadcast(dy, a.shape), unbroadcast(-dy, b.shape)

    return record_op("subtract", [x1, x2], y, vjp, f"y = x1 - x2 : {shapes(a, b, y)}")


def multiply(x1: Any, x2: Any) -> Any:
    """``y = x1 · x2``.  Backward: ``dx1 = dy · x2``, ``dx2 = dy · x1``."""
    a, b = _promoted("multiply", x1, x2)
    y = np.multiply(a, b)

    def vjp(dy):
        return unbroadcast(dy * b, a.shape), unbroadcast(dy * a, b.shape)

    return record_op("multiply", [x1, x2], y, vjp, f"y = x1·x2 : {shapes(a, b, y)}")


def divide(x1: Any, x2: Any) -> Any:
    """``y = x1 / x2``, always a float (``int32 / int32`` is ``float32``, as in Keras).

    Backward: ``dx1 = dy / x2``, ``dx2 = -dy · x1 / x2² = -dy · y / x2``.
    """
    a, b = _promoted("divide", x1, x2, to_float=True)
    y = np.true_divide(a, b)

    def vjp(dy):
        return unbroadcast(dy / b, a.shape), unbroadcast(-dy * y / b, b.shape)

    return record_op("divide", [x1, x2], y, vjp, f"y = x1 / x2 : {shapes(a, b, y)}")


true_divide = divide  # Keras' second name for divide


def negative(x: Any) -> Any:
    """``y = -x``.  Backward: ``dx = -dy``."""
    a = to_array(x, "negative")
    y = np.negative(a)

    def vjp(dy):
        return (-dy,)

    return record_op("negative", [x], y, vjp, f"y = -x : {shapes(a, y)}")


def reciprocal(x: Any) -> Any:
    """``y = 1 / x`` (a float; ``x ** -1`` on a Tensor is this op).

    Backward: ``dx = -dy / x² = -dy · y²``."""
    a = _float_input("reciprocal", x)
    y = np.reciprocal(a)

    def vjp(dy):
        return (-dy * y * y,)

    return record_op("reciprocal", [x], y, vjp, f"y = 1 / x : {shapes(a, y)}")


# ===================================================================== powers
def power(x1: Any, x2: Any) -> Any:
    """``y = x1 ** x2`` (``x ** 3`` on a Tensor is this op).

    Backward: ``dx1 = dy · x2 · x1^(x2 - 1)``, ``dx2 = dy · y · log(x1)``.
    Where ``x2 = 0`` we take ``dx1 = 0`` (``y`` is the constant 1, even at ``x1 = 0``), and
    where ``x1 <= 0`` (no real logarithm) ``dx2 = 0``, as TensorFlow does.
    """
    a, b = _promoted("power", x1, x2)
    if a.dtype.kind in "iu" and np.any(b < 0):
        raise OpError("kteach.ops.power: an integer to a negative power is a fraction, which "
                      "an integer array cannot hold. Make the base a float first: "
                      "ops.power(x1.astype('float32'), x2), or write 2.0 instead of 2.")
    y = np.power(a, b)

    def vjp(dy):
        af, bf, yf = as_float(a), as_float(b), as_float(y)  # integer powers: slopes in floats
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(bf == 0, 0, bf * np.power(af, bf - 1))
        log_a = np.log(np.where(af > 0, af, 1))     # log(1) = 0 where x1 <= 0
        return unbroadcast(dy * slope, a.shape), unbroadcast(dy * yf * log_a, b.shape)

    return record_op("power", [x1, x2], y, vjp, f"y = x1 ** x2 : {shapes(a, b, y)}")


def square(x: Any) -> Any:
    """``y = x²`` (``x ** 2`` on a Tensor is this op; bool becomes int32, as in Keras).

    Backward: ``dx = 2 · x · dy``."""
    a = to_array(x, "square")
    a = a.astype("int32") if a.dtype == bool else a
    y = np.square(a)

    def vjp(dy):
        return (2 * dy * as_float(a),)

    return record_op("square", [x], y, vjp, f"y = x² : {shapes(a, y)}")


def sqrt(x: Any) -> Any:
    """``y = √x`` (a float; ``x ** 0.5`` on a Tensor is this op).

    Backward: ``dx = dy / (2 √x) = dy / (2 y)``. At ``x = 0`` that is ``inf`` (``nan`` where
    ``dy = 0``), as in TensorFlow and JAX: the slope of √x there is infinite.
    """
    a = _float_input("sqrt", x)
    y = np.sqrt(a)

    def vjp(dy):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (dy / (2 * y),)

    return record_op("sqrt", [x], y, vjp, f"y = √x : {shapes(a, y)}")


# ===================================================================== sign and size
def absolute(x: Any) -> Any:
    """``y = |x|`` (integers stay integers).

    Backward: ``dx = dy · sign(x)``; at ``x = 0`` that is 0 (TensorFlow and JAX do the same).
    """
    a = to_array(x, "absolute")
    y = np.absolute(a)

    def vjp(dy):
        return (dy * np.sign(as_float(a)),)

    return record_op("absolute", [x], y, vjp, f"y = |x| : {shapes(a, y)}")


abs = absolute  # noqa: A001 (Keras' short name; inside kteach.ops it hides Python's abs)


def sign(x: Any) -> Any:
    """``y = -1, 0 or 1`` for negative, zero and positive x (same dtype as x).

    Backward: ``dx = 0``: y is flat wherever it is differentiable (TensorFlow and JAX also
    give zeros, not "no gradient")."""
    a = to_array(x, "sign")
    y = np.sign(a)

    def vjp(dy):
        return (np.zeros_like(dy),)

    return record_op("sign", [x], y, vjp, f"y = sign(x) : {shapes(a, y)}")


def maximum(x1: Any, x2: Any) -> Any:
    """``y = max(x1, x2)`` elementwise (broadcasting).

    Backward: ``dy`` goes to whichever input is larger: ``dx1 = dy · [x1 >= x2]``,
    ``dx2 = dy · [x1 < x2]``. At a tie all of it goes to x1, as in TensorFlow (JAX splits it
    half and half), so ``maximum(x, 0)`` has slope 1 at ``x = 0``.
    """
    a, b = _promoted("maximum", x1, x2)
    y = np.maximum(a, b)

    def vjp(dy):
        first = a >= b
        return unbroadcast(dy * first, a.shape), unbroadcast(dy * ~first, b.shape)

    return record_op("maximum", [x1, x2], y, vjp, f"y = max(x1, x2) : {shapes(a, b, y)}")


def minimum(x1: Any, x2: Any) -> Any:
    """``y = min(x1, x2)`` elementwise (broadcasting).

    Backward: ``dx1 = dy · [x1 <= x2]``, ``dx2 = dy · [x1 > x2]`` (a tie goes to x1, as in
    TensorFlow; JAX splits it).
    """
    a, b = _promoted("minimum", x1, x2)
    y = np.minimum(a, b)

    def vjp(dy):
        first = a <= b
        return unbroadcast(dy * first, a.shape), unbroadcast(dy * ~first, b.shape)

    return record_op("minimum", [x1, x2], y, vjp, f"y = min(x1, x2) : {shapes(a, b, y)}")


def clip(x: Any, x_min: Any, x_max: Any) -> Any:
    """``y = min(max(x, x_min), x_max)``, in x's dtype (bool becomes int32), as in Keras.

    ``x_min`` or ``x_max`` may be ``None`` for no bound on that side (NumPy's convention).
    Backward: ``dx = dy`` where ``x_min <= x <= x_max`` (the bounds included, as in
    TensorFlow), else 0; ``dx_min = dy`` where x is below it, ``dx_max = dy`` where above.
    """
    a = to_array(x, "clip", "x")
    dtype = np.dtype("int32") if a.dtype == bool else a.dtype
    lo = -np.inf if x_min is None else to_array(x_min, "clip", "x_min")
    hi = np.inf if x_max is None else to_array(x_max, "clip", "x_max")
    _check_broadcast("clip", a, lo, hi)
    y = np.clip(a, lo, hi).astype(dtype)

    def vjp(dy):
        below, above = a < lo, a > hi
        inside = ~(below | above)
        return (unbroadcast(dy * inside, a.shape), unbroadcast(dy * below, np.shape(lo)),
                unbroadcast(dy * above, np.shape(hi)))

    return record_op("clip", [x, x_min, x_max], y, vjp,
                     f"y = clip(x, x_min, x_max) : {shapes(a, y)}")


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``y = x1`` where ``condition`` is true, else ``x2`` (all three broadcast together).

    With ``x1`` and ``x2`` left out it returns the indices where ``condition`` is true, one
    integer array per axis (``np.nonzero``); those are not differentiable.
    Backward: ``dx1 = dy · [condition]``, ``dx2 = dy · [not condition]``; the condition
    gets no gradient.
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("kteach.ops.where takes both x1 and x2 (values where the condition "
                         "is true, and where it is false) or neither (to get the indices "
                         "where it is true); it got only one of them.")
    c = to_array(condition, "where", "condition").astype(bool)
    if x1 is None:
        return tuple(i.astype("int32") for i in np.nonzero(c))  # Keras' index dtype
    a, b = _promoted("where", x1, x2)
    _check_broadcast("where", c, a, b)
    y = np.where(c, a, b)

    def vjp(dy):
        dx1, dx2 = np.where(c, dy, 0), np.where(c, 0, dy)
        return None, unbroadcast(dx1, a.shape), unbroadcast(dx2, b.shape)

    return record_op("where", [condition, x1, x2], y, vjp,
                     f"y = x1 if condition else x2 : {shapes(c, a, b, y)}")


# ===================================================================== exp, log, trigonometry
def exp(x: Any) -> Any:
    """``y = eˣ`` (a float).  Backward: ``dx = dy · eˣ = dy · y``."""
    a = _float_input("exp", x)
    y = np.exp(a)

    def vjp(dy):
        return (dy * y,)

    return record_op("exp", [x], y, vjp, f"y = exp(x) : {shapes(a, y)}")


def log(x: Any) -> Any:
    """``y = ln x`` (a float; ``-inf`` at 0, ``nan`` below).  Backward: ``dx = dy / x``."""
    a = _float_input("log", x)
    y = np.log(a)

    def vjp(dy):
        with np.errstate(divide="ignore"):
            return (dy / a,)

    return record_op("log", [x], y, vjp, f"y = log(x) : {shapes(a, y)}")


def log1p(x: Any) -> Any:
    """``y = ln(1 + x)``, exact even for tiny x.  Backward: ``dx = dy / (1 + x)``."""
    a = _float_input("log1p", x)
    y = np.log1p(a)

    def vjp(dy):
        with np.errstate(divide="ignore"):
            return (dy / (1 + a),)

    return record_op("log1p", [x], y, vjp, f"y = log(1 + x) : {shapes(a, y)}")


def sin(x: Any) -> Any:
    """``y = sin x`` (x in radians).  Backward: ``dx = dy · cos x``."""
    a = _float_input("sin", x)
    y = np.sin(a)

    def vjp(dy):
        return (dy * np.cos(a),)

    return record_op("sin", [x], y, vjp, f"y = sin(x) : {shapes(a, y)}")


def cos(x: Any) -> Any:
    """``y = cos x`` (x in radians).  Backward: ``dx = -dy · sin x``."""
    a = _float_input("cos", x)
    y = np.cos(a)

    def vjp(dy):
        return (-dy * np.sin(a),)

    return record_op("cos", [x], y, vjp, f"y = cos(x) : {shapes(a, y)}")


# NumPy has no erf; Python's math.erf is exact to double precision (one call per number).
_erf64 = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: Any) -> Any:
    """Error function ``y = 2/√π ∫₀ˣ e^(-t²) dt``, in (-1, 1) (a float).

    Backward: ``dx = dy · 2/√π · e^(-x²)``."""
    a = _float_input("erf", x)
    y = _erf64(a).astype(a.dtype)

    def vjp(dy):
        return (dy * (2 / math.sqrt(math.pi)) * np.exp(-a * a),)

    return record_op("erf", [x], y, vjp, f"y = erf(x) : {shapes(a, y)}")


# ===================================================================== NumPy's spellings
def _clip_like_numpy(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *,
                     min: Any = None, max: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    """``np.clip(a, a_min, a_max)`` (or ``min=``/``max=``) on a recorded Tensor."""
    if out is not None or kwargs:
        raise OpError("kteach.ops.clip cannot write into `out=` or take NumPy's extra "
                      "arguments while a tape records; write y = np.clip(x, low, high).")
    return clip(a, a_min if a_min is not None else min, a_max if a_max is not None else max)


def _clip_method(x: Any, min: Any = None, max: Any = None, out: Any = None,  # noqa: A002
                 **kwargs: Any) -> Any:
    """``tensor.clip(min, max)`` on a recorded Tensor."""
    return _clip_like_numpy(x, min, max, out, **kwargs)


def _where_like_numpy(condition: Any, *x1_x2: Any) -> Any:
    """``np.where(condition, x, y)`` or ``np.where(condition)`` on a recorded Tensor."""
    if len(x1_x2) not in (0, 2):
        raise ValueError("np.where takes a condition and either both x and y or neither.")
    return where(condition, *x1_x2)


# What NumPy operators and functions on a recorded Tensor turn into (see dispatch.py).
# ``x ** 2``, ``x ** 0.5`` and ``x ** -1`` reach NumPy as square, sqrt and reciprocal.
NUMPY_UFUNCS = {np.add: add, np.subtract: subtract, np.multiply: multiply,
                np.true_divide: divide, np.negative: negative, np.reciprocal: reciprocal,
                np.power: power, np.square: square, np.sqrt: sqrt, np.absolute: absolute,
                np.sign: sign, np.maximum: maximum, np.minimum: minimum, np.exp: exp,
                np.log: log, np.log1p: log1p, np.sin: sin, np.cos: cos}
NUMPY_FUNCTIONS = {np.clip: _clip_like_numpy, np.where: _where_like_numpy}
TENSOR_METHODS = {"clip": _clip_method}
__all__ = ["abs", "absolute", "add", "clip", "cos", "divide", "erf", "exp", "log", "log1p",
           "maximum", "minimum", "multiply", "negative", "power", "reciprocal", "sign", "sin",
           "sqrt", "square", "subtract", "true_divide", "where"]
