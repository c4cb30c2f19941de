"""Tensor: the NumPy array that a tape follows, and how ops put themselves on a tape.

An op (``kteach.ops.multiply`` and friends) computes with plain NumPy and then calls
:func:`record_op` with its inputs, its output and its ``vjp``. Outside a recording that
returns the output unchanged. Inside one, the output comes back as a :class:`Tensor` and the
op is an entry on the tape.

A :class:`Tensor` is an ``np.ndarray`` in every way (shape, dtype, printing, indexing). While
a tape records, its operators and methods -- ``a + b``, ``a @ W``, ``a[:, 0]``, ``a.sum()``,
``np.exp(a)`` -- go to the matching kteach op, so they are recorded too. A NumPy function that
has no kteach op computes as usual but is *not* recorded (a warning says so, and which
``kteach.ops`` function to use). ``kteach.ops`` fills the tables :data:`UFUNCS`,
:data:`FUNCTIONS` and :data:`METHODS` when it is imported.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import warn_once
from .tape import Entry, current
from .variable import Variable

# np.add -> kteach.ops.add, ...; np.sum -> kteach.ops.sum, ...; "sum" -> kteach.ops.sum ...
UFUNCS: dict[np.ufunc, Callable] = {}
FUNCTIONS: dict[Callable, Callable] = {}
METHODS: dict[str, Callable] = {}


def plain(x: Any) -> Any:
    """``x`` without the tape: a Tensor as an ndarray view, a Variable as its value; lists
    and tuples element by element. Anything else unchanged."""
    if isinstance(x, Tensor):
        return x.view(np.ndarray)
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x


def record_op(name: str, inputs: list, output: Any, vjp: Callable[[np.ndarray], tuple],
              formula: str = "") -> Any:
    """Return ``output``; while a tape records and follows one of ``inputs``, as a Tensor
    that is the output of a new entry.

    ``vjp(dy)`` gives one gradient per input, in order (``None`` for an input without one).
    """
    tape = current()
    if tape is None or not any(tape.follows(x) for x in inputs):
        return output
    out = np.asarray(output).view(Tensor)
    tape.record(Entry("op", name, list(inputs), [out], lambda ds: vjp(ds[0]), formula))
    return out


def record_op_outputs(name: str, inputs: list, outputs: list,
                      vjp: Callable[[list], tuple], formula: str = "") -> list:
    """:func:`record_op` for an op with several outputs (``split``, ``moments``, ``top_k``):
    ``vjp(d_outputs)`` takes one gradient per output."""
    tape = current()
    if tape is None or not any(tape.follows(x) for x in inputs):
        return outputs
    outs = [np.asarray(o).view(Tensor) for o in outputs]
    tape.record(Entry("op", name, list(inputs), outs, vjp, formula))
    return outs


def _unrecorded(what: str, suggestion: str, inputs: Any, result: Any = None) -> None:
    """Warn that a NumPy call on values the tape follows was not recorded -- unless its
    ``result`` (when given) holds no floats (a bool mask, indices, a shape): then there is
    no gradient to lose."""
    tape = current()
    if (tape is not None and (result is None or _has_float(result))
            and any(tape.follows(x) for x in _leaves(inputs))):
        warn_once(f"{what} is not recorded on the tape, so no gradient flows through it. "
                  f"{suggestion}", key=f"unrecorded-{what}")


def _has_float(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_float(v) for v in x)
    return isinstance(x, (np.ndarray, np.generic, float)) and np.asarray(x).dtype.kind in "fc"


def _leaves(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    return [x]


def dispatch_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Where ``np.add(a, b)``, ``a * b``, ``np.exp(a)`` ... go when an operand is a Tensor or
    a Variable: to the kteach op while a tape records, else to NumPy on plain arrays."""
    if current() is not None:
        op = UFUNCS.get(ufunc)
        if op is not None and method == "__call__" and not kwargs:
            return op(*inputs)
    args = [plain(x) for x in inputs]
    if "out" in kwargs:
        kwargs = dict(kwargs, out=tuple(plain(o) for o in kwargs["out"]))
    result = getattr(ufunc, method)(*args, **kwargs)
    _unrecorded(f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}"),
                "Use the kteach.ops function of the same name.", list(inputs), result)
    return result


class Tensor(np.ndarray):
    """A NumPy array made while a tape recorded; the tape knows where it came from.

    Outside the recording it is an ordinary array (results of using it are plain arrays).
    ``t.numpy()`` gives a plain copy, as a Keras tensor's ``.numpy()`` does.
    """

    __array_priority__ = 20

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable, types: tuple, args: tuple, kwargs: dict) -> Any:
        if current() is not None:
            op = FUNCTIONS.get(func)
            if op is not None:
                return op(*args, **kwargs)
        result = func(*_plain_tree(args), **{k: _plain_tree(v) for k, v in kwargs.items()})
        _unrecorded(f"np.{func.__name__}", f"Use kteach.ops.{func.__name__} if it exists, "
                    f"or write the computation with kteach.ops.", [args, list(kwargs.values())],
                    result)
        return result

    def _method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        op = METHODS.get(name) if current() is not None else None
        if op is not None:
            return op(self, *args, **kwargs)
        return getattr(self.view(np.ndarray), name)(*args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._method("__getitem__", key)

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("sum", *args, **kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("mean", *args, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("max", *args, **kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("min", *args, **kwargs)

    def prod(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("prod", *args, **kwargs)

    def std(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("std", *args, **kwargs)

    def var(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("var", *args, **kwargs)

    def reshape(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("reshape", *args, **kwargs)

    def transpose(self, *args: Any) -> Any:
        return self._method("transpose", *args)

    @property
    def T(self) -> Any:  # noqa: N802 (NumPy's name)
        return self._method("transpose")

    def astype(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("astype", *args, **kwargs)

    def flatten(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("flatten", *args, **kwargs)

    def ravel(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("flatten", *args, **kwargs)

    def squeeze(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("squeeze", *args, **kwargs)

    def dot(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("dot", *args, **kwargs)

    def clip(self, *args: Any, **kwargs: Any) -> Any:
        return self._method("clip", *args, **kwargs)

    def numpy(self) -> np.ndarray:
        """A plain NumPy copy (what Keras' ``tensor.numpy()`` gives)."""
        return np.array(self.view(np.ndarray))

    def __repr__(self) -> str:
        return "Tensor" + repr(self.view(np.ndarray))[len("array"):]


def _plain_tree(x: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(_plain_tree(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain_tree(v) for k, v in x.items()}
    return plain(x)
