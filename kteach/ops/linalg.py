"""Linear algebra, as ``keras.ops``: matmul, dot, tensordot, einsum, transpose.

All products here are sums of products, ``y = Σ x1 · x2`` over the shared ("contracted")
axes, so each backward is again such a product: the gradient of one operand is ``dy``
contracted with the *other* operand over the axes that stayed free.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..engine.errors import ShapeError
from ..engine.tensor import format_shape
from .core import OpError, check_axis, record_op, shapes, to_array, unbroadcast
from .creation import result_dtype
from .shape import unrecorded_numpy


def _common(op: str, x1: Any, x2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as arrays of one dtype (Keras' rule: int32 with float32 is float32)."""
    a, b = to_array(x1, op, "x1"), to_array(x2, op, "x2")
    dtype = result_dtype(a.dtype, b.dtype)
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False)


def matmul(x1: Any, x2: Any) -> Any:
    """Matrix product ``y = x1 @ x2`` (batched over leading axes, which broadcast).

    Shapes: ``(..., n, k) @ (..., k, m) → (..., n, m)``; a 1-D operand is a vector.
    int32 with float32 gives float32 (Keras' rule; NumPy would give float64).
    Backward: ``dx1 = dy @ x2ᵀ``, ``dx2 = x1ᵀ @ dy`` (transposing the last two axes).
    """
    a, b = _common("matmul", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError("kteach.ops.matmul needs arrays of rank 1 or more, got a scalar; use "
                         "kteach.ops.multiply for a number times an array.")
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        raise ShapeError(
            f"kteach.ops.matmul: the last axis of x1 {format_shape(a.shape)} must match the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis of x2 {format_shape(b.shape)} "
            f"({a.shape[-1]} ≠ {b.shape[0 if b.ndim == 1 else -2]}). Transpose one of them, "
            f"or check which comes first: (n, k) @ (k, m).")
    y = np.matmul(a, b)

    def vjp(dy):
        a2 = a[None, :] if a.ndim == 1 else a        # vectors as (1, k) and (k, 1) matrices
        b2 = b[:, None] if b.ndim == 1 else b
        g = dy
        if b.ndim == 1:          # (first: for vector · vector, dy is a number)
            g = np.expand_dims(g, -1)
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        da = np.matmul(g, np.swapaxes(b2, -1, -2))
        db = np.matmul(np.swapaxes(a2, -1, -2), g)
        da = da.reshape(da.shape[:-2] + (a.shape[-1],)) if a.ndim == 1 else da
        db = db.reshape(db.shape[:-2] + (b.shape[0],)) if b.ndim == 1 else db
        return unbroadcast(da, a.shape), unbroadcast(db, b.shape)

    return record_op("matmul", [x1, x2], y, vjp, f"y = x1 @ x2 : {shapes(a, b, y)}")


def _contract(a: np.ndarray, b: np.ndarray, axes_a: tuple, axes_b: tuple):
    """``y = tensordot(a, b, (axes_a, axes_b))`` and its vjp.

    ``y``'s axes are a's free axes, then b's. Backward: ``da = dy ⋅ b`` over b's free axes,
    ``db = a ⋅ dy`` over a's free axes, each put back into its operand's axis order."""
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [j for j in range(b.ndim) if j not in axes_b]
    y = np.tensordot(a, b, axes=(axes_a, axes_b))

    def vjp(dy):
        n = len(free_a)
        da = np.tensordot(dy, b, axes=(list(range(n, dy.ndim)), free_b))
        # da's axes: a's free axes, then a's partners of b's remaining axes in b's order
        order_a = free_a + [axes_a[axes_b.index(j)] for j in sorted(axes_b)]
        db = np.tensordot(a, dy, axes=(free_a, list(range(n))))
        order_b = [axes_b[axes_a.index(i)] for i in sorted(axes_a)] + free_b
        return np.transpose(da, np.argsort(order_a)), np.transpose(db, np.argsort(order_b))

    return y, vjp


def dot(x1: Any, x2: Any) -> Any:
    """NumPy's dot: ``y = Σ_k x1[..., k] · x2[..., k, :]`` (the last axis of x1 with the
    second-to-last of x2, or its only axis when x2 is 1-D); a number times an array when
    either is a number. For 2-D arrays this is the matrix product ``x1 @ x2``.

    Backward: ``dx1 = dy ⋅ x2`` and ``dx2 = x1 ⋅ dy`` over the free axes (for matrices:
    ``dy @ x2ᵀ`` and ``x1ᵀ @ dy``)."""
    a, b = _common("dot", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        y = a * b

        def vjp(dy):
            return unbroadcast(dy * b, a.shape), unbroadcast(dy * a, b.shape)

        return record_op("dot", [x1, x2], y, vjp, f"y = x1 · x2 : {shapes(a, b, y)}")
    k = max(b.ndim - 2, 0)
    if a.shape[-1] != b.shape[k]:
        raise ShapeError(
            f"kteach.ops.dot: the last axis of x1 {format_shape(a.shape)} must match the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis of x2 {format_shape(b.shape)} "
            f"({a.shape[-1]} ≠ {b.shape[k]}). Transpose one of them, or swap them.")
    y, vjp = _contract(a, b, (a.ndim - 1,), (k,))
    return record_op("dot", [x1, x2], y, vjp, f"y = dot(x1, x2) : {shapes(a, b, y)}")


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Any:
    """``y = Σ x1 · x2`` over the paired axes ``axes = (axes of x1, axes of x2)``; an int n
    pairs the last n axes of x1 with the first n of x2. ``y``'s shape: x1's other axes, then
    x2's. ``tensordot(a, b, 1)`` of matrices is ``a @ b``.

    Backward: ``dx1 = dy ⋅ x2`` over x2's free axes, ``dx2 = x1 ⋅ dy`` over x1's free
    axes (each transposed back to its operand's axis order)."""
    a, b = _common("tensordot", x1, x2)
    axes_a, axes_b = _tensordot_axes(a, b, axes)
    y, vjp = _contract(a, b, axes_a, axes_b)
    return record_op("tensordot", [x1, x2], y, vjp,
                     f"y = Σ x1·x2 over axes {axes_a} and {axes_b} : {shapes(a, b, y)}")


def _tensordot_axes(a: np.ndarray, b: np.ndarray, axes: Any) -> tuple[tuple, tuple]:
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ShapeError(f"kteach.ops.tensordot: axes={axes} pairs the last {axes} axes of "
                             f"x1 {format_shape(a.shape)} with the first {axes} of x2 "
                             f"{format_shape(b.shape)}, but one has fewer axes.")
        axes = (list(range(a.ndim - axes, a.ndim)), list(range(axes)))
    try:
        if isinstance(axes, str):
            raise TypeError
        first, second = axes
    except (TypeError, ValueError):
        raise OpError(f"kteach.ops.tensordot: axes must be an int or a pair (axes of x1, axes "
                      f"of x2), not {axes!r}.") from None
    first = (first,) if isinstance(first, (int, np.integer)) else tuple(first)
    second = (second,) if isinstance(second, (int, np.integer)) else tuple(second)
    if len(first) != len(second):
        raise ShapeError(f"kteach.ops.tensordot: axes {first} of x1 and {second} of x2 must "
                         f"come in pairs (as many of each).")
    first = tuple(i % a.ndim for i in check_axis("tensordot", first, a.ndim))
    second = tuple(j % b.ndim for j in check_axis("tensordot", second, b.ndim))
    for i, j in zip(first, second):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"kteach.ops.tensordot: axis {i} of x1 {format_shape(a.shape)} "
                             f"(size {a.shape[i]}) cannot pair with axis {j} of x2 "
                             f"{format_shape(b.shape)} (size {b.shape[j]}); paired axes "
                             f"need equal sizes.")
    return first, second


def einsum(subscripts: str, *operands: Any) -> Any:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` multiplies entries whose letters
    agree and sums over every letter missing after ``->`` (this one is ``a @ b``). Without
    ``->`` the output has the letters that appear once, in alphabetical order. ``...``
    stands for the same leading axes in every operand (they broadcast).

    Backward, for each operand: ``dxᵢ = einsum('out,<other operands>->inᵢ', dy, others)``
    -- the same sum with ``dy`` in place of the operand. A letter only that operand has
    (summed away in forward) gets ``dy`` broadcast along it; a repeated letter (``'ii'``,
    a diagonal) gets the gradient written onto that diagonal."""
    if not isinstance(subscripts, str):
        raise OpError("kteach.ops.einsum needs the subscripts string first, e.g. "
                      "einsum('ij,jk->ik', a, b).")
    arrays = [to_array(x, "einsum", f"operands[{i}]") for i, x in enumerate(operands)]
    dtype = result_dtype(*[x.dtype for x in arrays]) if arrays else None
    arrays = [x.astype(dtype, copy=False) for x in arrays]
    ins, out = _einsum_subscripts(subscripts, arrays)
    spec = ",".join(ins) + "->" + out
    y = np.einsum(spec, *arrays)

    def vjp(dy):
        return tuple(_einsum_grad(i, ins, out, arrays, dy) for i in range(len(arrays)))

    return record_op("einsum", list(operands), y, vjp,
                     f"y = einsum('{spec}') : {shapes(*arrays, y)}")


def _einsum_grad(i: int, ins: list, out: str, arrays: list, dy: np.ndarray) -> np.ndarray:
    """dy/d(operand i) for :func:`einsum` (explicit subscripts, no ``...``)."""
    s, x = ins[i], arrays[i]
    letters = "".join(dict.fromkeys(s))                   # s's letters, each once
    size = {c: x.shape[s.index(c)] for c in letters}
    others = [ins[j] for j in range(len(ins)) if j != i]
    known = set(out + "".join(others))
    target = "".join(c for c in letters if c in known)
    g = np.einsum(",".join([out] + others) + "->" + target, dy,
                  *[arrays[j] for j in range(len(ins)) if j != i])
    # letters only this operand has: the same gradient all along them
    g = g.reshape([g.shape[target.index(c)] if c in target else 1 for c in letters])
    # size-1 axes of x that forward broadcast: add up what arrived along them
    stretched = tuple(k for k, c in enumerate(letters) if size[c] == 1 and g.shape[k] != 1)
    g = np.broadcast_to(g.sum(axis=stretched, keepdims=True), [size[c] for c in letters])
    if letters == s:
        return np.array(g, dtype=dy.dtype)
    dx = np.zeros(x.shape, dy.dtype)
    np.einsum(f"{s}->{letters}", dx)[...] = g            # a writable view of the diagonal
    return dx


def _einsum_subscripts(subscripts: str, arrays: list) -> tuple[list, str]:
    """The subscripts made explicit: one string of letters per operand and the output's,
    with ``...`` replaced by letters that are not used elsewhere."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        raise OpError(f"kteach.ops.einsum: {subscripts!r} has more than one '->'.")
    lhs, arrow, out = spec.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(arrays):
        raise OpError(f"kteach.ops.einsum: {subscripts!r} names {len(ins)} operand(s) but "
                      f"{len(arrays)} were given.")
    free = [c for c in string.ascii_letters if c not in spec]
    extra = [x.ndim - len(s.replace("...", "")) for s, x in zip(ins, arrays) if "..." in s]
    dots = "".join(free[:max(extra, default=0)])
    ins = [s.replace("...", dots[len(dots) - (x.ndim - len(s) + 3):] if "..." in s else "")
           for s, x in zip(ins, arrays)]
    for s, x in zip(ins, arrays):
        if not s.isalpha() and s or len(s) != x.ndim:
            raise ShapeError(f"kteach.ops.einsum: subscripts {subscripts!r} give an operand "
                             f"of shape {format_shape(x.shape)} the letters {s!r}; it needs "
                             f"one letter per axis ({x.ndim}).")
    joined = "".join(ins)
    if arrow:
        out = out.replace("...", dots)
    else:
        out = dots + "".join(sorted(c for c in set(joined) if joined.count(c) == 1
                                    and c not in dots))
    if not set(out) <= set(joined) or len(set(out)) != len(out):
        raise OpError(f"kteach.ops.einsum: the output {out!r} of {subscripts!r} must use "
                      f"letters of the inputs, each once.")
    _check_letter_sizes(subscripts, ins, arrays)
    return ins, out


def _check_letter_sizes(subscripts: str, ins: list, arrays: list) -> None:
    sizes: dict[str, set] = {}
    for s, x in zip(ins, arrays):
        for c, n in zip(s, x.shape):
            sizes.setdefault(c, set()).add(n)
    for c, found in sizes.items():
        if len(found - {1}) > 1:
            raise ShapeError(f"kteach.ops.einsum: letter {c!r} of {subscripts!r} stands for "
                             f"axes of sizes {sorted(found)}; one letter needs one size "
                             f"(operand shapes: "
                             f"{', '.join(format_shape(x.shape) for x in arrays)}).")


def transpose(x: Any, axes: Any = None) -> Any:
    """``y`` = ``x`` with its axes reordered: ``y.shape[i] = x.shape[axes[i]]``; by default
    reversed (a matrix's ``xᵀ``).  Backward: ``dx = transpose(dy, argsort(axes))``, the
    inverse reordering."""
    a = to_array(x, "transpose")
    perm = tuple(reversed(range(a.ndim))) if axes is None else tuple(axes)
    if sorted(int(p) % max(a.ndim, 1) for p in perm) != list(range(a.ndim)) or any(
            not -a.ndim <= p < a.ndim for p in perm):
        raise ShapeError(f"kteach.ops.transpose: axes {perm} is not an ordering of the "
                         f"{a.ndim} axes of shape {format_shape(a.shape)}; give each of "
                         f"0..{a.ndim - 1} once.")
    perm = tuple(int(p) % a.ndim for p in perm)
    y = np.transpose(a, perm)

    def vjp(dy):
        return (np.transpose(dy, np.argsort(perm)),)

    return record_op("transpose", [x], y, vjp, f"y = transpose(x, {perm}) : {shapes(a, y)}")


# --------------------------------------------------------------- NumPy's names on a Tensor
def _dot_like_numpy(a: Any, b: Any, out: Any = None) -> Any:
    if out is not None:
        return unrecorded_numpy(np.dot, (a, b), {}, dict(out=out))
    return dot(a, b)


def _einsum_like_numpy(*operands: Any, out: Any = None, optimize: Any = False,
                       **rest: Any) -> Any:
    if out is not None or rest or not isinstance(operands[0], str):
        return unrecorded_numpy(np.einsum, operands, dict(optimize=optimize),
                                dict(out=out, **rest))
    return einsum(*operands)  # optimize only changes the speed, not the numbers


def _transpose_method(x: Any, *axes: Any) -> Any:
    """``x.T``, ``x.transpose()``, ``x.transpose(1, 0)`` and ``x.transpose((1, 0))``."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        axes = axes[0]
    return transpose(x, axes if axes else None)


def _transpose_like_numpy(a: Any, axes: Any = None) -> Any:
    return transpose(a, axes)


NUMPY_UFUNCS = {np.matmul: matmul}
NUMPY_FUNCTIONS = {np.dot: _dot_like_numpy, np.tensordot: tensordot,
                   np.einsum: _einsum_like_numpy, np.transpose: _transpose_like_numpy}
TENSOR_METHODS = {"dot": _dot_like_numpy, "transpose": _transpose_method}
__all__ = ["dot", "einsum", "matmul", "tensordot", "transpose"]
