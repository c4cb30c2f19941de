"""Reductions, as ``keras.ops``: sum, mean, max, ... over ``axis`` (None: every axis).

Shapes: reducing ``x`` of shape ``(2, 3, 4)`` over ``axis=1`` gives ``(2, 4)``, or
``(2, 1, 4)`` with ``keepdims=True``. Every backward starts the same way: put the reduced
axes back into ``dy`` as size 1 (:func:`_kept`), so that it broadcasts against ``x``.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..engine.errors import NotSupportedError, ShapeError
from ..engine.tensor import format_shape
from .arithmetic import multiply
from .core import (OpError, as_float, check_axis, record_op, record_op_outputs, shapes,
                   to_array)
from .creation import cast, standardize_dtype
from .shape import unrecorded_numpy


# ===================================================================== helpers
def _axes(op: str, axis: Any, ndim: int) -> Any:
    """``axis`` checked (int, tuple of ints, or None) with no axis named twice."""
    axis = check_axis(op, axis, ndim)
    if isinstance(axis, tuple):
        positive = [a % ndim for a in axis]
        if len(set(positive)) != len(positive):
            raise ShapeError(f"kteach.ops.{op}: axis {axis} names the same axis twice; give "
                             f"each axis once.")
    return axis


def _kept(g: np.ndarray, shape: tuple, axis: Any, keepdims: bool) -> np.ndarray:
    """A reduced gradient with the reduced axes put back as size 1, ready to broadcast."""
    if keepdims or axis is None:
        return np.reshape(g, (1,) * len(shape)) if axis is None else g
    axes = axis if isinstance(axis, tuple) else (axis,)
    return np.expand_dims(g, tuple(a % len(shape) for a in axes))


def _count(shape: tuple, axis: Any) -> int:
    """How many numbers each reduced value comes from: N in ``mean = Σx / N``."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _sum_dtype(dtype: np.dtype) -> np.dtype:
    """Keras' (JAX's) dtype of a sum or product: small ints and bools grow to 32 bits."""
    if dtype.name in ("bool", "int8", "int16"):
        return np.dtype("int32")
    if dtype.name in ("uint8", "uint16"):
        return np.dtype("uint32")
    return dtype


def _stats_input(a: np.ndarray) -> np.ndarray:
    """Integers as floatx(); float16 as float32 (too little range for squares)."""
    a = as_float(a)
    return a.astype("float32") if a.dtype == np.float16 else a


# ===================================================================== sums and means
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 (Keras' name)
    """``y = Σ x`` over ``axis``.  Backward: ``dx = dy`` copied to every summed position.

    bool, int8 and int16 sum to int32 (uint8, uint16 to uint32), as in Keras."""
    a = to_array(x, "sum")
    axis = _axes("sum", axis, a.ndim)
    y = np.sum(a, axis=axis, keepdims=keepdims, dtype=_sum_dtype(a.dtype))

    def vjp(dy):
        return (np.broadcast_to(_kept(dy, a.shape, axis, keepdims), a.shape).astype(dy.dtype),)

    return record_op("sum", [x], y, vjp, f"y = Σ x (axis={axis}) : {shapes(a, y)}")


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``y = Σ x / N`` over ``axis`` (N numbers per result); ints give float32.

    Backward: ``dx = dy / N`` at every position that was averaged."""
    a = as_float(to_array(x, "mean"))
    axis = _axes("mean", axis, a.ndim)
    y = np.mean(a, axis=axis, keepdims=keepdims)
    n = _count(a.shape, axis)

    def vjp(dy):
        return (np.broadcast_to(_kept(dy, a.shape, axis, keepdims) / n, a.shape).copy(),)

    return record_op("mean", [x], y, vjp, f"y = Σ x / {n} (axis={axis}) : {shapes(a, y)}")


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Variance ``y = Σ (x - μ)² / N`` with ``μ = mean(x)`` over ``axis`` (ints give float32).

    Backward: ``dx = dy · 2 (x - μ) / N`` (μ's own dependence on x adds Σ(x - μ) = 0)."""
    a0 = to_array(x, "var")
    a = _stats_input(a0)
    axis = _axes("var", axis, a.ndim)
    mu = np.mean(a, axis=axis, keepdims=True)
    y = np.mean((a - mu) ** 2, axis=axis, keepdims=keepdims).astype(as_float(a0).dtype)
    n = _count(a.shape, axis)

    def vjp(dy):
        return ((_kept(dy, a.shape, axis, keepdims) * 2 * (a - mu) / n).astype(dy.dtype),)

    return record_op("var", [x], y, vjp, f"y = Σ (x - μ)² / {n} (axis={axis}) : {shapes(a, y)}")


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Standard deviation ``y = √var(x)`` over ``axis`` (ints give float32).

    Backward: ``dx = dy · (x - μ) / (N · y)``. Where ``y = 0`` (all numbers equal) the
    derivative does not exist; kteach passes 0 there (JAX would give NaN)."""
    a0 = to_array(x, "std")
    a = _stats_input(a0)
    axis = _axes("std", axis, a.ndim)
    mu = np.mean(a, axis=axis, keepdims=True)
    s = np.sqrt(np.mean((a - mu) ** 2, axis=axis, keepdims=True))
    y = (s if keepdims else np.squeeze(s, axis=axis)).astype(as_float(a0).dtype)
    n = _count(a.shape, axis)

    def vjp(dy):
        share = np.divide(a - mu, n * s, out=np.zeros(a.shape, a.dtype), where=s > 0)
        return ((_kept(dy, a.shape, axis, keepdims) * share).astype(dy.dtype),)

    return record_op("std", [x], y, vjp, f"y = √(Σ (x - μ)² / {n}) (axis={axis}) : "
                                          f"{shapes(a, y)}")


def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> tuple:
    """Mean and variance over ``axes``: ``μ = Σ x / N``, ``σ² = Σ (x - μ)² / N``.

    Returns ``(μ, σ²)``, two outputs on one tape entry (as Keras' ``ops.moments``).
    Backward: ``dx = dμ / N + dσ² · 2 (x - μ) / N``.
    """
    if synchronized:
        raise NotSupportedError("kteach.ops.moments(synchronized=True) is for several "
                                "devices; kteach runs on one. Leave synchronized=False.")
    a0 = to_array(x, "moments")
    a = _stats_input(a0)
    axes = _axes("moments", tuple(axes) if isinstance(axes, list) else axes, a.ndim)
    mu = np.mean(a, axis=axes, keepdims=True)
    variance = np.mean((a - mu) ** 2, axis=axes, keepdims=True)
    dtype = as_float(a0).dtype
    outs = [(m if keepdims else np.squeeze(m, axis=axes)).astype(dtype) for m in (mu, variance)]
    n = _count(a.shape, axes)

    def vjp(ds):
        d_mu, d_var = (_kept(d, a.shape, axes, keepdims) for d in ds)
        return ((d_mu / n + d_var * 2 * (a - mu) / n).astype(ds[0].dtype),)

    return tuple(record_op_outputs("moments", [x], outs, vjp,
                                   f"μ = Σ x / {n}, σ² = Σ (x - μ)² / {n} (axes={axes}) : "
                                   f"{shapes(a, outs[0])}"))


# ===================================================================== products
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
    """``y = Π x`` over ``axis`` (small ints and bools give int32, as ``sum``).

    Backward: ``dx_i = dy · Π_{j≠i} x_j``, the product of the *other* numbers -- computed
    from running products on both sides, so a zero in ``x`` is no problem (``y / x_i``
    would divide by it)."""
    a = to_array(x, "prod")
    axis = _axes("prod", axis, a.ndim)
    dtype = np.dtype(standardize_dtype(dtype, "prod") or _sum_dtype(a.dtype))
    y = np.prod(a, axis=axis, keepdims=keepdims, dtype=dtype)

    def vjp(dy):
        dx = _kept(dy, a.shape, axis, keepdims) * _product_of_others(a, axis)
        return (dx.astype(dy.dtype),)

    return record_op("prod", [x], y, vjp, f"y = Π x (axis={axis}) : {shapes(a, y)}")


def _product_of_others(a: np.ndarray, axis: Any) -> np.ndarray:
    """For each position i of ``a``, the product of the other numbers it was reduced with."""
    axes = tuple(ax % a.ndim for ax in _as_tuple(axis, a.ndim))
    kept = [ax for ax in range(a.ndim) if ax not in axes]
    rows = np.transpose(a, kept + list(axes))          # reduced axes last ...
    flat = rows.reshape(rows.shape[:len(kept)] + (-1,))  # ... and flattened into one
    ones = np.ones(flat.shape[:-1] + (1,), a.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (before * after).reshape(rows.shape)
    return np.transpose(others, np.argsort(kept + list(axes)))


def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Any:
    """Running sum ``y_i = Σ_{j≤i} x_j`` along ``axis`` (None: over the flattened array).

    Keeps ``x``'s dtype unless ``dtype`` is given (bool gives int32).
    Backward: ``dx_j = Σ_{i≥j} dy_i``, a running sum of ``dy`` from the end."""
    a = to_array(x, "cumsum")
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise OpError(f"kteach.ops.cumsum: axis must be an int or None, not {axis!r}.")
    axis = _axes("cumsum", axis, a.ndim)
    dtype = np.dtype(standardize_dtype(dtype, "cumsum") or a.dtype)
    y = np.cumsum(a, axis=axis, dtype=np.dtype("int32") if dtype == np.dtype(bool) else dtype)
    along = 0 if axis is None else axis

    def vjp(dy):
        back = np.flip(np.cumsum(np.flip(dy, along), axis=along), along)
        return (np.reshape(back, a.shape),)

    return record_op("cumsum", [x], y, vjp, f"y_i = Σ_(j≤i) x_j (axis={axis}) : {shapes(a, y)}")


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``y = log Σ exp(x)`` over ``axis``, computed as ``m + log Σ exp(x - m)`` with
    ``m = max(x)`` so that no exp overflows.

    Backward: ``dx = dy · exp(x - y)`` -- the softmax of ``x`` along ``axis``."""
    a = as_float(to_array(x, "logsumexp"))
    axis = _axes("logsumexp", axis, a.ndim)
    m = np.max(a, axis=axis, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
    m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf) along axis: no shift
    with np.errstate(divide="ignore"):
        y_kept = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    y = y_kept if keepdims else np.squeeze(y_kept, axis=axis)

    def vjp(dy):
        return (_kept(dy, a.shape, axis, keepdims) * np.exp(a - y_kept),)

    return record_op("logsumexp", [x], y, vjp, f"y = log Σ exp(x) (axis={axis}) : "
                                                f"{shapes(a, y)}")


# ===================================================================== max, min, arg...
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Any:  # noqa: A001
    """``y = max x`` over ``axis`` (and ``initial``, if given, takes part as one more number).

    Backward: ``dy`` goes to the position(s) holding the maximum. Ties share it equally
    (each of k tied numbers gets ``dy / k``), as JAX does; if ``initial`` is the maximum, no
    number of ``x`` gets anything."""
    return _extremum("max", np.max, x, axis, keepdims, initial)


def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Any:  # noqa: A001
    """``y = min x`` over ``axis`` (and ``initial``, if given, takes part as one more number).

    Backward: ``dy`` goes to the position(s) holding the minimum; ties share it equally
    (``dy / k`` each), as JAX does."""
    return _extremum("min", np.min, x, axis, keepdims, initial)


def _extremum(op: str, reduce: Any, x: Any, axis: Any, keepdims: bool, initial: Any) -> Any:
    a = to_array(x, op)
    axis = _axes(op, axis, a.ndim)
    extra = {} if initial is None else {"initial": to_array(initial, op, "initial").item()}
    if initial is None and builtins.any(a.shape[i] == 0 for i in _as_tuple(axis, a.ndim)):
        raise ShapeError(f"kteach.ops.{op}: the input of shape {format_shape(a.shape)} has no "
                         f"numbers to take the {op}imum of along axis={axis}. Give "
                         f"initial=... for empty inputs.")
    y = reduce(a, axis=axis, keepdims=keepdims, **extra)

    def vjp(dy):
        winners = a == _kept(y, a.shape, axis, keepdims)
        ties = np.sum(winners, axis=axis, keepdims=True)
        share = winners / np.maximum(ties, 1)
        return ((_kept(dy, a.shape, axis, keepdims) * share).astype(dy.dtype),)

    return record_op(op, [x], y, vjp, f"y = {op} x (axis={axis}) : {shapes(a, y)}")


def _as_tuple(axis: Any, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    return axis if isinstance(axis, tuple) else (axis,)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """Index (int32) of the largest number along ``axis`` (None: in the flattened array);
    the first one on ties. An index has no gradient, so nothing is recorded."""
    return _arg_extremum("argmax", np.argmax, x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """Index (int32) of the smallest number along ``axis`` (None: in the flattened array);
    the first one on ties. Not recorded (no gradient)."""
    return _arg_extremum("argmin", np.argmin, x, axis, keepdims)


def _arg_extremum(op: str, find: Any, x: Any, axis: Any, keepdims: bool) -> np.ndarray:
    a = to_array(x, op)
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise OpError(f"kteach.ops.{op}: axis must be an int or None, not {axis!r} (the index "
                      f"of a maximum is along one axis).")
    axis = _axes(op, axis, a.ndim)
    if a.size == 0:
        raise ShapeError(f"kteach.ops.{op}: the input of shape {format_shape(a.shape)} is "
                         f"empty, so there is no position to return.")
    return np.asarray(find(a, axis=axis, keepdims=keepdims)).astype("int32")


def any(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """Whether any number along ``axis`` is nonzero (bool; no gradient)."""
    a = to_array(x, "any")
    return np.any(a, axis=_axes("any", axis, a.ndim), keepdims=keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    """Whether every number along ``axis`` is nonzero (bool; no gradient)."""
    a = to_array(x, "all")
    return np.all(a, axis=_axes("all", axis, a.ndim), keepdims=keepdims)


# ===================================================================== norms
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """Vector or matrix norm, as ``np.linalg.norm`` (ints give float32).

    Vector norms (``axis`` an int; or None on a 1-D ``x``; or None with ``ord=None``, which
    treats all of ``x`` as one vector): ``ord=None``/2: ``y = √Σ x²``; a number p:
    ``y = (Σ |x|ᵖ)^(1/p)``; ±inf: ``max``/``min |x|``; 0: how many are nonzero.
    Matrix norms (``axis`` a pair; or None on a 2-D ``x`` with ``ord`` given): None/'fro':
    ``√Σ x²``; 'nuc': ``Σ σ`` (singular values); ±2: largest/smallest σ; 1/-1: max/min
    column sum of ``|x|``; inf/-inf: max/min row sum of ``|x|``.

    Backward: 2-norm ``dx = dy · x / y``; p-norm ``dx = dy · sign(x) |x|ᵖ⁻¹ / yᵖ⁻¹``;
    max/min kinds send ``dy · sign(x)`` to the winning entries, row or column (ties share);
    'nuc' ``dx = dy · U Vᵀ``; ±2 ``dx = dy · u vᵀ`` of that singular value; ord=0 has no
    gradient (dx = 0). At ``y = 0`` the gradient is taken as 0.
    """
    a = as_float(to_array(x, "norm"))
    kind, axes = _norm_axes(a, ord, axis)
    try:
        y = np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)
    except ValueError as e:
        raise OpError(f"kteach.ops.norm: {e} (ord={ord!r}, axis={axis}, input shape "
                      f"{format_shape(a.shape)}). Vector norms take ord None, 0, ±inf or a "
                      f"number; matrix norms (axis a pair) None, 'fro', 'nuc', ±1, ±2, "
                      f"±inf.") from None
    y = np.asarray(y, a.dtype)

    def vjp(dy):
        y_kept = _kept(y, a.shape, axes, keepdims)
        local = _norm_local(a, y_kept, ord, kind, axes)
        return ((_kept(dy, a.shape, axes, keepdims) * local).astype(dy.dtype),)

    return record_op("norm", [x], y, vjp, f"y = ‖x‖ (ord={ord}, axis={axis}) : {shapes(a, y)}")


def _norm_axes(a: np.ndarray, ord: Any, axis: Any) -> tuple[str, tuple]:  # noqa: A002
    """('vector' or 'matrix', the reduced axes as non-negative ints) -- as np.linalg.norm."""
    axis = _axes("norm", axis, a.ndim)
    if axis is None:
        if ord is None or a.ndim == 1:
            return "vector", tuple(range(a.ndim))
        if a.ndim != 2:
            raise ShapeError(f"kteach.ops.norm: ord={ord!r} with axis=None needs a 1-D or 2-D "
                             f"input, not shape {format_shape(a.shape)}. Give axis=... (an "
                             f"int for vector norms, a pair for matrix norms).")
        return "matrix", (0, 1)
    axes = tuple(ax % a.ndim for ax in (axis if isinstance(axis, tuple) else (axis,)))
    if len(axes) > 2:
        raise ShapeError(f"kteach.ops.norm: axis={axis} names {len(axes)} axes; a norm is of "
                         f"vectors (one axis) or matrices (two axes).")
    return ("vector" if len(axes) == 1 else "matrix"), axes


def _norm_local(a: np.ndarray, y: np.ndarray, ord: Any,  # noqa: A002 (NumPy's name)
                kind: str, axes: tuple) -> np.ndarray:
    """∂y/∂x for each entry of ``a`` (``y`` with the reduced axes kept as size 1)."""
    def divide(num, den):
        return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape, a.dtype),
                         where=den != 0)

    if ord in (None, 2, "fro") and (kind == "vector" or ord != 2):
        return divide(a, y)                                        # √Σx²
    if kind == "vector":
        if ord == 0:
            return np.zeros_like(a)
        if ord in (np.inf, -np.inf):
            return np.sign(a) * _winners(np.abs(a), y, axes)
        p = float(ord)
        return divide(np.sign(a) * np.abs(a) ** (p - 1), y ** (p - 1))
    if ord in ("nuc", 2, -2):
        u, _, vt = np.linalg.svd(np.moveaxis(a, axes, (-2, -1)), full_matrices=False)
        if ord == "nuc":
            g = u @ vt
        else:
            k = 0 if ord == 2 else -1                              # σ are sorted, largest first
            g = u[..., :, [k]] @ vt[..., [k], :]
        return np.moveaxis(g, (-2, -1), axes)
    rows, cols = axes
    summed = cols if ord in (np.inf, -np.inf) else rows            # row sums or column sums
    totals = np.sum(np.abs(a), axis=summed, keepdims=True)
    return np.sign(a) * _winners(totals, y, (rows if summed == cols else cols,))


def _winners(values: np.ndarray, best: np.ndarray, axes: tuple) -> np.ndarray:
    """1/k at the k positions where ``values`` equals ``best`` along ``axes``, else 0."""
    hit = values == best
    return hit / np.maximum(np.sum(hit, axis=axes, keepdims=True), 1)


# --------------------------------------------------------------- NumPy's names on a Tensor
# ``np.mean(t, axis=0)`` and ``t.mean(axis=0)`` take the same arguments, so one adapter
# serves both. An argument only NumPy has (``out=``, ``where=``, ...) computes with NumPy,
# off the tape (with a warning when that loses a gradient).
def _sum_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                    keepdims: bool = False, **rest: Any) -> Any:
    if out is not None or rest:
        return unrecorded_numpy(np.sum, (a,), dict(axis=axis, dtype=dtype, keepdims=keepdims),
                                dict(out=out, **rest))
    return sum(a if dtype is None else cast(a, dtype), axis=_axis(axis), keepdims=keepdims)


def _mean_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                     keepdims: bool = False, **rest: Any) -> Any:
    if out is not None or rest:
        return unrecorded_numpy(np.mean, (a,), dict(axis=axis, dtype=dtype, keepdims=keepdims),
                                dict(out=out, **rest))
    return mean(a if dtype is None else cast(a, dtype), axis=_axis(axis), keepdims=keepdims)


def _prod_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                     keepdims: bool = False, **rest: Any) -> Any:
    if out is not None or rest:
        return unrecorded_numpy(np.prod, (a,), dict(axis=axis, dtype=dtype, keepdims=keepdims),
                                dict(out=out, **rest))
    return prod(a, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def _max_like_numpy(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
                    initial: Any = None, **rest: Any) -> Any:
    return _extremum_like_numpy(max, np.max, a, axis, out, keepdims, initial, rest)


def _min_like_numpy(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
                    initial: Any = None, **rest: Any) -> Any:
    return _extremum_like_numpy(min, np.min, a, axis, out, keepdims, initial, rest)


def _extremum_like_numpy(op: Any, func: Any, a: Any, axis: Any, out: Any, keepdims: bool,
                         initial: Any, rest: dict) -> Any:
    if out is not None or rest:
        given = dict(axis=axis, keepdims=keepdims)
        return unrecorded_numpy(func, (a,), given if initial is None else
                                dict(given, initial=initial), dict(out=out, **rest))
    return op(a, axis=_axis(axis), keepdims=keepdims, initial=initial)


def _var_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                    ddof: int = 0, keepdims: bool = False, **rest: Any) -> Any:
    return _spread_like_numpy(var, np.var, 1.0, a, axis, dtype, out, ddof, keepdims, rest)


def _std_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                    ddof: int = 0, keepdims: bool = False, **rest: Any) -> Any:
    return _spread_like_numpy(std, np.std, 0.5, a, axis, dtype, out, ddof, keepdims, rest)


def _spread_like_numpy(op: Any, func: Any, power: float, a: Any, axis: Any, dtype: Any,
                       out: Any, ddof: int, keepdims: bool, rest: dict) -> Any:
    """var/std with NumPy's ``ddof``: ``Σ (x - μ)² / (N - ddof)`` is the plain variance
    times ``N / (N - ddof)`` (and std that factor's square root)."""
    if out is not None or rest:
        return unrecorded_numpy(func, (a,), dict(axis=axis, dtype=dtype, ddof=ddof,
                                                 keepdims=keepdims), dict(out=out, **rest))
    x = a if dtype is None else cast(a, dtype)
    y = op(x, axis=_axis(axis), keepdims=keepdims)
    if ddof == 0:
        return y
    n = _count(np.shape(x), _axes(op.__name__, _axis(axis), np.ndim(x)))
    return multiply(y, np.asarray((n / (n - ddof)) ** power, y.dtype))


def _cumsum_like_numpy(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    if out is not None:
        return unrecorded_numpy(np.cumsum, (a,), dict(axis=axis, dtype=dtype), dict(out=out))
    return cumsum(a, axis=axis, dtype=dtype)


def _norm_like_numpy(x: Any, ord: Any = None, axis: Any = None,  # noqa: A002
                     keepdims: bool = False) -> Any:
    return norm(x, ord=ord, axis=_axis(axis), keepdims=keepdims)


def _axis(axis: Any) -> Any:
    """NumPy also takes a list for ``axis`` in some places; kteach's ops take a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis


NUMPY_UFUNCS: dict = {}
NUMPY_FUNCTIONS = {np.sum: _sum_like_numpy, np.mean: _mean_like_numpy,
                   np.prod: _prod_like_numpy, np.max: _max_like_numpy,
                   np.amax: _max_like_numpy, np.min: _min_like_numpy,
                   np.amin: _min_like_numpy, np.var: _var_like_numpy, np.std: _std_like_numpy,
                   np.cumsum: _cumsum_like_numpy, np.linalg.norm: _norm_like_numpy}
TENSOR_METHODS = {"sum": _sum_like_numpy, "mean": _mean_like_numpy, "prod": _prod_like_numpy,
                  "max": _max_like_numpy, "min": _min_like_numpy, "var": _var_like_numpy,
                  "std": _std_like_numpy}
__all__ = ["all", "any", "argmax", "argmin", "cumsum", "logsumexp", "max", "mean", "min",
           "moments", "norm", "prod", "std", "sum", "var"]
