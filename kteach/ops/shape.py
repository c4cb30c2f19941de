"""Shape ops, as ``keras.ops``: reshape, indexing, joining and splitting, sorting.

None of these change a number; they move numbers around, copy them or drop them. So every
backward moves ``dy`` back to where each number came from: reshape it back, cut it apart
where forward joined, add it up where forward copied (``tile``, ``repeat``, ``take`` with a
repeated index), and leave zeros where forward dropped something (``take``, ``top_k``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import arrays
from ..engine.errors import KteachError, NotSupportedError, ShapeError
from ..engine.tensor import format_shape
from .core import (OpError, check_axis, plain, record_op, record_op_outputs, shapes, to_array,
                   unbroadcast)
from .creation import result_dtype, standardize_dtype


class OutOfRangeError(KteachError, IndexError):
    """An index points outside the array (``take``, ``take_along_axis``)."""


def unrecorded_numpy(func: Any, args: tuple, kwargs: dict, numpy_only: dict) -> Any:
    """``func(*args, **kwargs, **numpy_only)`` computed by NumPy on plain arrays, *off* the
    tape: for arguments only NumPy has (``out=``, ``where=``, ``order='F'``, ...), which the
    kteach op does not take. When the tape followed an input and the result holds floats, a
    warning says that no gradient flows through this step and which arguments to leave out."""
    everything = {**kwargs, **numpy_only}
    result = func(*plain(tuple(args)), **{k: plain(v) for k, v in everything.items()})
    named = [k for k, v in numpy_only.items() if v is not None]
    arrays._unrecorded(f"np.{func.__name__}({', '.join(k + '=...' for k in named)})",
                       f"kteach.ops.{func.__name__} has no {', '.join(named)} argument; leave "
                       f"it out to get the recorded op.", [list(args), list(kwargs.values())],
                       result)
    return result


# ===================================================================== same numbers, new shape
def reshape(x: Any, newshape: Any) -> Any:
    """The same numbers in a new shape (one size may be -1).  Backward: reshape ``dy`` back."""
    a = to_array(x, "reshape")
    shape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    try:
        y = np.reshape(a, shape)
    except ValueError:
        raise ShapeError(
            f"kteach.ops.reshape cannot put the {a.size} numbers of shape "
            f"{format_shape(a.shape)} into shape {format_shape(shape)}: the sizes must "
            f"multiply to {a.size} (one of them may be -1).") from None

    def vjp(dy):
        return (np.reshape(dy, a.shape),)

    return record_op("reshape", [x], y, vjp, f"y = reshape(x) : {shapes(a, y)}")


def ravel(x: Any) -> Any:
    """All numbers in one row (1-D), in C order.  Backward: reshape ``dy`` back."""
    a = to_array(x, "ravel")
    y = np.ravel(a)

    def vjp(dy):
        return (np.reshape(dy, a.shape),)

    return record_op("ravel", [x], y, vjp, f"y = ravel(x) : {shapes(a, y)}")


def expand_dims(x: Any, axis: Any) -> Any:
    """A new axis of size 1 at position ``axis`` (an int or a tuple of them), counted in the
    result: ``(2, 3)`` with ``axis=0`` → ``(1, 2, 3)``, with ``axis=-1`` → ``(2, 3, 1)``.

    Backward: ``dx = dy`` reshaped back (the new axes had size 1)."""
    a = to_array(x, "expand_dims")
    new = len(axis) if isinstance(axis, (tuple, list)) else 1
    axis = check_axis("expand_dims", axis, a.ndim + new)
    y = np.expand_dims(a, axis)

    def vjp(dy):
        return (np.reshape(dy, a.shape),)

    return record_op("expand_dims", [x], y, vjp, f"y = expand_dims(x, {axis}) : {shapes(a, y)}")


def squeeze(x: Any, axis: Any = None) -> Any:
    """Drop axes of size 1: the given ``axis`` (int or tuple), or all of them (None).

    Backward: ``dx = dy`` reshaped back."""
    a = to_array(x, "squeeze")
    axis = check_axis("squeeze", axis, a.ndim)
    for ax in () if axis is None else (axis if isinstance(axis, tuple) else (axis,)):
        if a.shape[ax] != 1:
            raise ShapeError(f"kteach.ops.squeeze: axis {ax} of shape {format_shape(a.shape)} "
                             f"has size {a.shape[ax]}, but only axes of size 1 can be "
                             f"squeezed away. Use reshape to change other sizes.")
    y = np.squeeze(a, axis=axis)

    def vjp(dy):
        return (np.reshape(dy, a.shape),)

    return record_op("squeeze", [x], y, vjp, f"y = squeeze(x) : {shapes(a, y)}")


# ===================================================================== indexing
def getitem(x: Any, key: Any) -> Any:
    """``y = x[key]`` (what ``tensor[key]`` does).  Backward: ``dy`` scattered back into
    zeros of ``x``'s shape, added up where an index repeats."""
    a = to_array(x, "getitem")
    key = plain(key)
    y = a[key]

    def vjp(dy):
        dx = np.zeros(a.shape, dtype=dy.dtype)
        np.add.at(dx, key, dy)
        return (dx,)

    return record_op("getitem", [x], y, vjp, f"y = x[...] : {shapes(a, y)}")


def _indices(indices: Any, op: str, size: int, where: str) -> np.ndarray:
    """Integer indices checked against ``size`` (negative ones count from the end)."""
    idx = to_array(indices, op, "indices")
    if idx.dtype.kind not in "iu":
        raise OpError(f"kteach.ops.{op}: indices must be integers, not {idx.dtype}. Cast "
                      f"them first: kteach.ops.cast(indices, 'int32').")
    bad = idx[(idx < -size) | (idx >= size)]
    if bad.size:
        raise OutOfRangeError(f"kteach.ops.{op}: index {int(bad.flat[0])} is out of range for "
                              f"{where} of size {size} (valid: {-size} to {size - 1}).")
    return idx


def take(x: Any, indices: Any, axis: int | None = None) -> Any:
    """``y = x[..., indices, ...]``: the entries at ``indices`` along ``axis`` (None: of the
    flattened ``x``). Shapes: ``x.shape[:axis] + indices.shape + x.shape[axis+1:]``.

    Backward: ``dy`` added into zeros of ``x``'s shape at ``indices`` -- an index taken
    twice gets both gradients."""
    a = to_array(x, "take")
    axis = check_axis("take", axis, a.ndim)
    flat = a.reshape(-1) if axis is None else a
    along = 0 if axis is None else axis % a.ndim
    idx = _indices(indices, "take", flat.shape[along],
                   "the flattened input" if axis is None else f"axis {axis}")
    y = np.take(flat, idx, axis=along)

    def vjp(dy):
        dx = np.zeros(flat.shape, dy.dtype)
        np.add.at(dx, (slice(None),) * along + (idx,), dy)
        return (dx.reshape(a.shape),)

    return record_op("take", [x], y, vjp, f"y = take(x, indices, axis={axis}) : "
                                          f"{shapes(a, idx, y)}")


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Any:
    """``y[..., i, ...] = x[..., indices[..., i, ...], ...]`` along ``axis``: each row of
    ``indices`` picks from the matching row of ``x`` (other axes broadcast). ``axis=None``
    works on the flattened ``x`` with 1-D ``indices``.

    Backward: ``dy`` added into zeros of ``x``'s shape at the picked places."""
    a = to_array(x, "take_along_axis")
    axis = check_axis("take_along_axis", axis, a.ndim)
    flat = a.reshape(-1) if axis is None else a
    along = 0 if axis is None else axis % a.ndim
    idx = _indices(indices, "take_along_axis", flat.shape[along], f"axis {along}")
    if idx.ndim != flat.ndim:
        raise ShapeError(f"kteach.ops.take_along_axis: indices {format_shape(idx.shape)} must "
                         f"have the rank of x {format_shape(flat.shape)}; add size-1 axes "
                         f"with expand_dims.")
    try:
        y = np.take_along_axis(flat, idx, axis=along)
    except ValueError:
        raise ShapeError(f"kteach.ops.take_along_axis: indices {format_shape(idx.shape)} and "
                         f"x {format_shape(flat.shape)} must have equal sizes (or 1) on every "
                         f"axis except axis {along}.") from None

    def vjp(dy):
        # Where forward broadcast x, collect into the broadcast shape, then sum back.
        big = np.zeros(dy.shape[:along] + (flat.shape[along],) + dy.shape[along + 1:], dy.dtype)
        where = [np.arange(n).reshape([-1 if k == d else 1 for k in range(dy.ndim)])
                 for d, n in enumerate(dy.shape)]
        where[along] = np.broadcast_to(idx, dy.shape)
        np.add.at(big, tuple(where), dy)
        return (unbroadcast(big, flat.shape).reshape(a.shape),)

    return record_op("take_along_axis", [x], y, vjp,
                     f"y = take_along_axis(x, indices, axis={axis}) : {shapes(a, idx, y)}")


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> np.ndarray:
    """Class indices as one-hot rows: ``y[..., c] = 1 if x[...] == c else 0`` (float32).

    The new axis of size ``num_classes`` goes at ``axis`` (default: last). An index below 0
    or ≥ num_classes gives a row of zeros. Not differentiable (indices are integers)."""
    if sparse:
        raise NotSupportedError("kteach.ops.one_hot(sparse=True): kteach has dense arrays "
                                "only. Leave sparse=False.")
    a = to_array(x, "one_hot")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise OpError(f"kteach.ops.one_hot: num_classes must be a positive int, not "
                      f"{num_classes!r}.")
    if a.dtype.kind == "f" and not np.all(a == np.round(a)):
        raise OpError("kteach.ops.one_hot needs whole-number class indices, but x has "
                      "fractions. Round or cast them first (kteach.ops.cast(x, 'int32')).")
    axis = check_axis("one_hot", axis, a.ndim + 1)
    y = (np.expand_dims(a, -1) == np.arange(num_classes)).astype(
        standardize_dtype(dtype, "one_hot") or "float32")
    return y if axis in (-1, a.ndim) else np.moveaxis(y, -1, axis)


# ===================================================================== joining and splitting
def _array_list(xs: Any, op: str, hint: str) -> list[np.ndarray]:
    if not isinstance(xs, (list, tuple)):
        raise OpError(f"kteach.ops.{op} takes a list of arrays as its first argument, not a "
                      f"{type(xs).__name__}: {hint}.")
    if not xs:
        raise OpError(f"kteach.ops.{op} needs at least one array, got an empty list.")
    parts = [to_array(x, op, f"xs[{i}]") for i, x in enumerate(xs)]
    dtype = result_dtype(*[p.dtype for p in parts])
    return [p.astype(dtype, copy=False) for p in parts]


def concatenate(xs: Any, axis: int = 0) -> Any:
    """Join arrays end to end along an existing ``axis``: ``(2, 3)`` and ``(4, 3)`` along
    axis 0 give ``(6, 3)``. Every other size must agree.

    Backward: ``dy`` cut back into pieces of the inputs' sizes along ``axis``."""
    if not isinstance(axis, (int, np.integer)) and axis is not None:
        raise OpError(f"kteach.ops.concatenate: axis must be an int, not "
                      f"{type(axis).__name__}. Put the arrays in a list: "
                      f"concatenate([a, b], axis=0).")
    parts = _array_list(xs, "concatenate", "concatenate([a, b], axis=0)")
    if axis is None:  # NumPy's meaning: flatten everything first
        parts, axis = [p.reshape(-1) for p in parts], 0
    _check_joinable(parts, axis)
    axis = int(axis) % parts[0].ndim
    y = np.concatenate(parts, axis=axis)
    cuts = np.cumsum([p.shape[axis] for p in parts])[:-1]

    def vjp(dy):
        return tuple(np.reshape(d, p.shape) for d, p in zip(np.split(dy, cuts, axis), parts))

    return record_op("concatenate", list(xs), y, vjp,
                     f"y = [x1 | x2 | ...] (axis={axis}) : {shapes(*parts, y)}")


def _check_joinable(parts: list[np.ndarray], axis: int) -> None:
    listed = ", ".join(format_shape(p.shape) for p in parts)
    first = parts[0]
    if first.ndim == 0 or any(p.ndim != first.ndim for p in parts):
        raise ShapeError(f"kteach.ops.concatenate: the arrays have shapes {listed}; they need "
                         f"the same rank (at least 1) to be joined. Use expand_dims or "
                         f"reshape first, or stack to make a new axis.")
    axis = check_axis("concatenate", axis, first.ndim) % first.ndim
    others = [d for d in range(first.ndim) if d != axis]
    clash = [d for d in others if len({p.shape[d] for p in parts}) > 1]
    if clash:
        fits = [d for d in range(first.ndim)
                if all(p.shape[:d] + p.shape[d + 1:] == first.shape[:d] + first.shape[d + 1:]
                       for p in parts)]
        hint = f" Did you mean axis={fits[0]}?" if fits else ""
        raise ShapeError(f"kteach.ops.concatenate cannot join shapes {listed} along axis "
                         f"{axis}: all sizes except along axis {axis} must be equal, but axis "
                         f"{clash[0]} has sizes {sorted({p.shape[clash[0]] for p in parts})}."
                         f"{hint}")


def stack(x: Any, axis: int = 0) -> Any:
    """Put arrays of one shape side by side along a *new* ``axis``: three ``(2, 3)`` arrays
    give ``(3, 2, 3)`` with ``axis=0``.  Backward: ``dy`` cut along that axis into pieces."""
    parts = _array_list(x, "stack", "stack([a, b], axis=0)")
    if any(p.shape != parts[0].shape for p in parts):
        raise ShapeError(f"kteach.ops.stack needs arrays of one shape, got "
                         f"{', '.join(format_shape(p.shape) for p in parts)}. To join along "
                         f"an existing axis, use concatenate.")
    axis = check_axis("stack", axis, parts[0].ndim + 1) % (parts[0].ndim + 1)
    y = np.stack(parts, axis=axis)

    def vjp(dy):
        return tuple(np.moveaxis(dy, axis, 0))

    return record_op("stack", list(x), y, vjp, f"y = stack(x1, x2, ...) (axis={axis}) : "
                                                f"{shapes(*parts, y)}")


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Cut ``x`` along ``axis`` into equal parts (an int) or at the given indices (a list):
    ``split(x, [2, 5])`` gives ``x[:2], x[2:5], x[5:]``. Returns a list.

    Backward: the parts' gradients joined again (``concatenate`` along ``axis``)."""
    a = to_array(x, "split")
    axis = check_axis("split", axis, a.ndim) % max(a.ndim, 1)
    n = a.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections < 1 or n % indices_or_sections:
            raise ShapeError(f"kteach.ops.split cannot cut axis {axis} of size {n} into "
                             f"{indices_or_sections} equal parts. Give a number of parts that "
                             f"divides {n}, or the indices where to cut, e.g. [{n // 2}].")
    ys = np.split(a, plain(indices_or_sections), axis=axis)

    def vjp(ds):
        return (np.concatenate(ds, axis=axis),)

    return record_op_outputs("split", [x], ys, vjp, f"x1, x2, ... = split(x) (axis={axis}) : "
                                                    f"{shapes(a, ys[0])}, ...")


# ===================================================================== copies
def tile(x: Any, repeats: Any) -> Any:
    """``x`` copied ``repeats[i]`` times along each axis i: ``(2, 3)`` tiled by ``(2, 1)``
    is ``(4, 3)``. Missing leading entries of ``repeats`` (or of ``x``'s shape) count as 1.

    Backward: ``dx`` = the sum of ``dy`` over all the copies."""
    a = to_array(x, "tile")
    reps = (repeats,) if isinstance(repeats, (int, np.integer)) else tuple(plain(repeats))
    if any(isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0 for r in reps):
        raise OpError(f"kteach.ops.tile: repeats must be ints ≥ 0, not {repeats!r}.")
    y = np.tile(a, reps)
    rank = max(a.ndim, len(reps))
    base = (1,) * (rank - a.ndim) + a.shape
    reps = (1,) * (rank - len(reps)) + reps

    def vjp(dy):
        # Read dy as (reps0, base0, reps1, base1, ...) and add up the copies.
        pairs = dy.reshape([n for pair in zip(reps, base) for n in pair])
        return (pairs.sum(axis=tuple(range(0, 2 * rank, 2))).reshape(a.shape),)

    return record_op("tile", [x], y, vjp, f"y = tile(x, {reps}) : {shapes(a, y)}")


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Any:
    """Each entry of ``x`` repeated along ``axis`` (None: of the flattened ``x``):
    ``repeat([1, 2], 2)`` is ``[1, 1, 2, 2]``; ``repeats`` may give one count per entry.

    Backward: each ``dx_i`` is the sum of ``dy`` over the copies of entry i."""
    a = to_array(x, "repeat")
    axis = check_axis("repeat", axis, a.ndim)
    flat = a.reshape(-1) if axis is None else a
    along = 0 if axis is None else axis % a.ndim
    counts = to_array(repeats, "repeat", "repeats")
    if counts.dtype.kind not in "iu" or np.any(counts < 0) or counts.ndim > 1 or (
            counts.ndim == 1 and counts.size not in (1, flat.shape[along])):
        raise ShapeError(f"kteach.ops.repeat: repeats must be one int ≥ 0 or one per entry "
                         f"along the axis ({flat.shape[along]} of them), not {repeats!r}.")
    y = np.repeat(flat, counts, axis=along)
    source = np.repeat(np.arange(flat.shape[along]), counts)  # where each copy came from

    def vjp(dy):
        dx = np.zeros(flat.shape, dy.dtype)
        np.add.at(dx, (slice(None),) * along + (source,), dy)
        return (dx.reshape(a.shape),)

    return record_op("repeat", [x], y, vjp, f"y = repeat(x, axis={axis}) : {shapes(a, y)}")


# ===================================================================== sorting
def sort(x: Any, axis: int | None = -1) -> Any:
    """The numbers of ``x`` in increasing order along ``axis`` (None: flattened).

    Backward: ``dy`` goes back to where each sorted number came from:
    ``dx[order[i]] = dy[i]`` with ``order = argsort(x)``."""
    a = to_array(x, "sort")
    axis = check_axis("sort", axis, a.ndim)
    flat = a.reshape(-1) if axis is None else a
    along = -1 if axis is None else axis
    order = np.argsort(flat, axis=along, kind="stable")
    y = np.take_along_axis(flat, order, axis=along)

    def vjp(dy):
        dx = np.zeros(flat.shape, dy.dtype)
        np.put_along_axis(dx, order, dy, axis=along)
        return (dx.reshape(a.shape),)

    return record_op("sort", [x], y, vjp, f"y = sort(x, axis={axis}) : {shapes(a, y)}")


def top_k(x: Any, k: int, sorted: bool = True) -> tuple:  # noqa: A002 (Keras' name)
    """The ``k`` largest numbers along the last axis, largest first, and their indices
    (int32). Equal numbers keep their order: the lower index comes first.

    Returns ``(values, indices)``; ``sorted=False`` is accepted (kteach returns them sorted
    anyway, which Keras allows). Backward: ``dvalues`` goes back to the positions
    ``indices`` point at; every other number of ``x`` gets 0. Indices have no gradient."""
    a = to_array(x, "top_k")
    if a.ndim == 0:
        raise ShapeError("kteach.ops.top_k needs an array with at least one axis, got a "
                         "single number.")
    n = a.shape[-1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ShapeError(f"kteach.ops.top_k: k={k!r} must be an int from 0 to {n}, the size of "
                         f"the last axis of x {format_shape(a.shape)}.")
    # NumPy sorts ascending. Sorting the reversed row stably and reading the result
    # backwards gives descending order in which equal numbers keep the lower index first.
    backwards = np.argsort(a[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    indices = (n - 1 - backwards[..., :k]).astype("int32")
    values = np.take_along_axis(a, indices, axis=-1)

    def vjp(ds):
        dx = np.zeros(a.shape, ds[0].dtype)
        np.put_along_axis(dx, indices, ds[0], axis=-1)
        return (dx,)

    outs = record_op_outputs("top_k", [x], [values, indices], vjp,
                             f"values, indices = top_k(x, {k}) : {shapes(a, values)}")
    return tuple(outs)


# --------------------------------------------------------------- NumPy's names on a Tensor
# An argument only NumPy has (``out=``, ``order='F'``, ...) computes with NumPy, off the tape.
def _not_default(numpy_only: dict, **options: Any) -> dict:
    """``numpy_only`` plus those ``options`` that differ from NumPy's defaults."""
    defaults = {"order": "C", "mode": "raise"}
    return {**numpy_only, **{k: v for k, v in options.items() if v != defaults[k]}}


def _reshape_method(x: Any, *shape: Any, order: str = "C", **rest: Any) -> Any:
    newshape = shape[0] if len(shape) == 1 else shape
    if order != "C" or rest:
        return unrecorded_numpy(np.reshape, (x, newshape), {}, _not_default(rest, order=order))
    return reshape(x, newshape)


def _reshape_like_numpy(a: Any, shape: Any = None, order: str = "C", **rest: Any) -> Any:
    if "newshape" in rest:  # NumPy 1's name
        shape = rest.pop("newshape")
    if order != "C" or rest:
        return unrecorded_numpy(np.reshape, (a, shape), {}, _not_default(rest, order=order))
    return reshape(a, shape)


def _flatten_method(x: Any, order: str = "C") -> Any:
    if order != "C":
        return unrecorded_numpy(np.ravel, (x,), {}, dict(order=order))
    return ravel(x)


def _squeeze_like_numpy(a: Any, axis: Any = None) -> Any:
    return squeeze(a, tuple(axis) if isinstance(axis, list) else axis)


def _expand_dims_like_numpy(a: Any, axis: Any) -> Any:
    return expand_dims(a, tuple(axis) if isinstance(axis, list) else axis)


def _concatenate_like_numpy(arrays: Any, axis: Any = 0, out: Any = None, **rest: Any) -> Any:
    if out is not None or rest:
        return unrecorded_numpy(np.concatenate, (arrays,), dict(axis=axis),
                                dict(out=out, **rest))
    return concatenate(list(arrays), axis=axis)


def _stack_like_numpy(arrays: Any, axis: int = 0, out: Any = None, **rest: Any) -> Any:
    if out is not None or rest:
        return unrecorded_numpy(np.stack, (arrays,), dict(axis=axis), dict(out=out, **rest))
    return stack(list(arrays), axis=axis)


def _take_like_numpy(a: Any, indices: Any, axis: Any = None, out: Any = None,
                     mode: str = "raise") -> Any:
    if out is not None or mode != "raise":
        return unrecorded_numpy(np.take, (a, indices), dict(axis=axis),
                                _not_default(dict(out=out), mode=mode))
    return take(a, indices, axis=axis)


def _take_along_axis_like_numpy(arr: Any, indices: Any, axis: Any = -1) -> Any:
    return take_along_axis(arr, indices, axis=axis)


def _tile_like_numpy(A: Any, reps: Any) -> Any:  # noqa: N803 (NumPy's names)
    return tile(A, reps)


def _sort_like_numpy(a: Any, axis: Any = -1, kind: Any = None, order: Any = None,
                     **rest: Any) -> Any:
    if order is not None:  # sorting by fields of a structured array: not numbers
        return unrecorded_numpy(np.sort, (a,), dict(axis=axis), dict(order=order))
    return sort(a, axis=axis)  # every kind of sort gives the same numbers


NUMPY_UFUNCS: dict = {}
NUMPY_FUNCTIONS = {np.reshape: _reshape_like_numpy, np.ravel: _flatten_method,
                   np.squeeze: _squeeze_like_numpy, np.expand_dims: _expand_dims_like_numpy,
                   np.concatenate: _concatenate_like_numpy, np.stack: _stack_like_numpy,
                   np.split: split, np.tile: _tile_like_numpy, np.repeat: repeat,
                   np.take: _take_like_numpy,
                   np.take_along_axis: _take_along_axis_like_numpy, np.sort: _sort_like_numpy}
TENSOR_METHODS = {"__getitem__": getitem, "reshape": _reshape_method, "flatten": _flatten_method,
                  "squeeze": _squeeze_like_numpy}
__all__ = ["concatenate", "expand_dims", "getitem", "one_hot", "ravel", "repeat", "reshape",
           "sort", "split", "squeeze", "stack", "take", "take_along_axis", "tile", "top_k"]
