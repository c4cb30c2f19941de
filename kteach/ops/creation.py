"""Making arrays and changing their dtype, as ``keras.ops``: cast, convert_to_tensor, zeros, ...

The default dtypes are Keras 3's: ``zeros``, ``ones``, ``full``, ``eye``, ``identity`` and
``linspace`` give ``floatx()`` (float32); ``arange`` of Python ints gives int32, of floats
float32; the ``*_like`` functions keep the dtype of the array they copy the shape of.

Only :func:`cast` has a gradient (between float dtypes). The others make new numbers that
depend on no input, so they are never on the tape.

This module also holds the two dtype helpers the other families use:
:func:`standardize_dtype` (a dtype from a name, with a clear error for a misspelt one) and
:func:`result_dtype` (Keras' rule for the dtype of an op with several array inputs).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config
from ..engine.tape import current
from ..engine.tensor import KerasTensor
from ..engine.variable import Variable
from .core import OpError, Tensor, plain, record_op, shapes, to_array

DTYPES = config.DTYPES


# ===================================================================== dtype helpers
def standardize_dtype(dtype: Any, op: str) -> str | None:
    """``dtype`` as one of :data:`DTYPES` (``None`` stays ``None``); see
    :func:`kteach.engine.config.standardize_dtype`."""
    return config.standardize_dtype(dtype, f"kteach.ops.{op}", error=OpError)


def result_dtype(*dtypes: Any) -> np.dtype:
    """The dtype of an op's result from its inputs' dtypes, by Keras' (JAX's) rule.

    Floats win over integers without growing: ``int32`` with ``float32`` is float32 (NumPy
    would say float64); several floats give the widest one; only integers (and bools) promote
    as in NumPy.
    """
    dtypes = [np.dtype(d) for d in dtypes]
    floats = [d for d in dtypes if d.kind == "f"]
    if floats:
        return np.result_type(*floats)
    return np.result_type(*dtypes)


# ===================================================================== dtype changes
def cast(x: Any, dtype: Any) -> Any:
    """``x`` with its values converted to ``dtype`` (floats to ints truncate toward zero).

    Backward (float to float): ``dx = dy`` converted back to ``x``'s dtype. A cast to an
    integer or bool dtype has no gradient, so it is not recorded: what follows it is a
    constant for the tape.
    """
    a = to_array(x, "cast")
    dtype = standardize_dtype(dtype, "cast")
    if not _is_array(x):  # a Python number or list goes straight to dtype (no float32 detour)
        return np.asarray(plain(x), dtype=dtype)
    y = a.astype(dtype)
    if a.dtype.kind != "f" or y.dtype.kind != "f":
        return y

    def vjp(dy):
        return (dy.astype(a.dtype),)

    return record_op("cast", [x], y, vjp, f"y = {dtype}(x) : {shapes(a, y)}")


def _is_array(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic, Variable))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None) -> Any:
    """``x`` as an array, by Keras' rules: Python floats become float32, ints int32; arrays
    keep their dtype unless ``dtype`` says otherwise (then this is :func:`cast`).

    Like Keras, this never makes the tape follow something new (``tape.watch(x)`` does
    that), and an array is returned as it is -- a Tensor, or an array the tape does not
    follow, comes back as the *same* object. Two things the tape follows come back as a
    recorded copy instead (``y = x``, backward ``dx = dy``): a plain array given to
    ``tape.watch``, so that ``y.T``, ``y.mean()`` and ``y * 2`` are recorded too (on the plain
    array they are NumPy's); and a trainable Variable, which is read as in TensorFlow.
    """
    if sparse or ragged:
        raise OpError("kteach.ops.convert_to_tensor: kteach has dense NumPy arrays only; "
                      "leave sparse and ragged as None.")
    if dtype is not None:
        return cast(x, dtype)
    a = to_array(x, "convert_to_tensor")
    tape = current()
    if isinstance(x, Tensor) or tape is None or not tape.follows(x):
        return x if isinstance(x, np.ndarray) else a

    def vjp(dy):
        return (dy,)

    return record_op("convert_to_tensor", [x], a.view(), vjp, f"y = x : {shapes(a, a)}")


def convert_to_numpy(x: Any) -> np.ndarray:
    """A plain ``np.ndarray`` copy of ``x`` (never a Tensor, never on the tape)."""
    if isinstance(x, KerasTensor):
        to_array(x, "convert_to_numpy")  # raises the error that explains symbolic tensors
    return np.array(plain(x))


# ===================================================================== new arrays
def _shape(shape: Any, op: str) -> tuple:
    """A shape from an int or a sequence of ints, refusing anything else clearly."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        raise OpError(f"kteach.ops.{op}: shape must be an int or a tuple of ints, not "
                      f"{shape!r}.") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise OpError(f"kteach.ops.{op}: shape must be made of sizes ≥ 0 (ints), but "
                          f"{shape!r} contains {d!r}.")
    return tuple(int(d) for d in dims)


def _number(value: Any, op: str, arg: str) -> Any:
    """``value`` checked to be numbers (a clear error otherwise), as given: a Python float
    keeps all its digits until the result's dtype is known."""
    to_array(value, op, arg)
    return plain(value)


def zeros(shape: Any, dtype: Any = None) -> np.ndarray:
    """An array of zeros of ``shape`` (float32 unless ``dtype`` says otherwise)."""
    return np.zeros(_shape(shape, "zeros"), standardize_dtype(dtype, "zeros") or config.floatx())


def ones(shape: Any, dtype: Any = None) -> np.ndarray:
    """An array of ones of ``shape`` (float32 unless ``dtype`` says otherwise)."""
    return np.ones(_shape(shape, "ones"), standardize_dtype(dtype, "ones") or config.floatx())


def full(shape: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
    """An array of ``shape`` filled with ``fill_value`` (float32 unless ``dtype`` is given)."""
    dtype = standardize_dtype(dtype, "full") or config.floatx()
    return np.full(_shape(shape, "full"), _number(fill_value, "full", "fill_value"), dtype)


def zeros_like(x: Any, dtype: Any = None) -> np.ndarray:
    """Zeros with the shape of ``x`` and its dtype (or ``dtype``)."""
    return np.zeros_like(to_array(x, "zeros_like"), standardize_dtype(dtype, "zeros_like"))


def ones_like(x: Any, dtype: Any = None) -> np.ndarray:
    """Ones with the shape of ``x`` and its dtype (or ``dtype``)."""
    return np.ones_like(to_array(x, "ones_like"), standardize_dtype(dtype, "ones_like"))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
    """``fill_value`` everywhere, with the shape of ``x`` and its dtype (or ``dtype``)."""
    value = _number(fill_value, "full_like", "fill_value")
    return np.full_like(to_array(x, "full_like"), value, standardize_dtype(dtype, "full_like"))


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> np.ndarray:
    """``start, start + step, ...`` up to (not including) ``stop``; ``arange(n)`` is 0..n-1.

    Without ``dtype``: int32 when every argument is an int, else float32 (Keras' rule).
    ``step`` defaults to 1.
    """
    given = [v for v in (start, stop, step) if v is not None]
    if dtype is None:
        dtype = result_dtype(*[to_array(v, "arange").dtype for v in given])
    dtype = standardize_dtype(dtype, "arange")
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if step == 0:
        raise OpError("kteach.ops.arange: step must not be 0 (the values would never reach "
                      "stop).")
    return np.arange(_number(start, "arange", "start"), _number(stop, "arange", "stop"),
                     _number(step, "arange", "step"), dtype=dtype)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """``num`` evenly spaced numbers from ``start`` to ``stop`` (included if ``endpoint``).

    float32 unless ``dtype`` says otherwise; with ``retstep=True`` also returns the spacing.
    """
    ends = [_number(start, "linspace", "start"), _number(stop, "linspace", "stop")]
    if dtype is None:
        kinds = [to_array(e, "linspace").dtype for e in ends]
        dtype = result_dtype(*kinds, config.floatx())
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise OpError(f"kteach.ops.linspace: num must be an int ≥ 0, not {num!r}.")
    return np.linspace(*ends, num=num, endpoint=endpoint, retstep=retstep,
                       dtype=standardize_dtype(dtype, "linspace"), axis=axis)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> np.ndarray:  # noqa: N803
    """An ``N × M`` matrix (M defaults to N) with ones on diagonal ``k``, zeros elsewhere."""
    rows = _shape(N, "eye")[0]
    cols = rows if M is None else _shape(M, "eye")[0]
    return np.eye(rows, cols, k=int(k), dtype=standardize_dtype(dtype, "eye") or config.floatx())


def identity(n: int, dtype: Any = None) -> np.ndarray:
    """The ``n × n`` identity matrix (float32 unless ``dtype`` says otherwise)."""
    return np.identity(_shape(n, "identity")[0],
                       dtype=standardize_dtype(dtype, "identity") or config.floatx())


# --------------------------------------------------------------- NumPy's names on a Tensor
def _astype_method(x: Any, dtype: Any, order: str = "K", casting: str = "unsafe",
                   subok: bool = True, copy: bool = True) -> Any:
    return cast(x, np.dtype(dtype))  # NumPy's meaning of names: astype("float") is float64


def _zeros_like_numpy(a: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> np.ndarray:
    return np.zeros_like(plain(a), dtype, *args, **kwargs)  # a constant: nothing to record


def _ones_like_numpy(a: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> np.ndarray:
    return np.ones_like(plain(a), dtype, *args, **kwargs)


def _full_like_numpy(a: Any, fill_value: Any, dtype: Any = None, *args: Any,
                     **kwargs: Any) -> np.ndarray:
    return np.full_like(plain(a), plain(fill_value), dtype, *args, **kwargs)


NUMPY_UFUNCS: dict = {}
NUMPY_FUNCTIONS = {np.zeros_like: _zeros_like_numpy, np.ones_like: _ones_like_numpy,
                   np.full_like: _full_like_numpy}
TENSOR_METHODS = {"astype": _astype_method}
__all__ = ["arange", "cast", "convert_to_numpy", "convert_to_tensor", "eye", "full",
           "full_like", "identity", "linspace", "ones", "ones_like", "zeros", "zeros_like"]
