"""Variable: a weight's value together with the gradient the last backward pass gave it."""
from __future__ import annotations

import numpy as np

from . import config, naming
from .errors import ShapeError, check_keywords
from .operators import ArrayOperators


class Variable(ArrayOperators):
    """A named array that training changes, as ``keras.Variable``.

    ``value`` is the NumPy array the layer computes with; ``grad`` holds dLoss/dvalue from the
    latest training step (``None`` before the first one). ``path`` is where it lives, as
    in Keras 3: ``dense/kernel``, or ``sequential/dense/kernel`` for a layer that was built
    inside a Sequential model.

    Made by hand, with Keras' arguments::

        kl_weight = Variable(1.0, trainable=False, name="kl_weight")   # float32, shape ()
        w = Variable("zeros", shape=(3, 4))                             # an initializer and a shape

    ``initializer`` is a value (a number, a list, an array) or an initializer (a name such
    as ``'zeros'``, an initializer object, any ``f(shape, dtype)``), which then needs
    ``shape``. Python floats become ``float32`` and ints ``int32``, as in Keras; a NumPy
    array keeps its dtype (Keras' JAX backend would make float64 float32). A Variable set
    as an attribute of a layer (``self.w = Variable(...)``) is one of its weights.
    ``autocast``, ``aggregation`` and ``synchronization`` are accepted for Keras' sake
    (they concern mixed precision and several devices, which kteach does not have).
    """

    @check_keywords
    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, path=None):
        self.value = _initial_value(initializer, shape, dtype)
        self.name = naming.unique_name("variable") if name is None else str(name)
        self.path = self.name if path is None else path
        self.trainable = bool(trainable)
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def numpy(self) -> np.ndarray:
        """A copy of the value, as Keras' ``variable.numpy()``."""
        return self.value.copy()

    def assign(self, value: np.ndarray) -> None:
        """Replace the value (same shape), keeping the variable's dtype."""
        value = np.asarray(value)
        if value.shape != self.value.shape:
            raise ShapeError(
                f"Variable {self.path} has shape {self.value.shape} but the new value has "
                f"shape {value.shape}. Give an array of shape {self.value.shape}."
            )
        self.value = value.astype(self.value.dtype, copy=True)

    def update(self, value: np.ndarray) -> None:
        """Take a newly computed array as the value, without copying it (optimizers use
        this: the array they compute is theirs alone). The old value array is not changed."""
        if value.shape != self.value.shape:
            raise ShapeError(f"Variable {self.path} has shape {self.value.shape}; the update "
                             f"has shape {value.shape}.")
        self.value = value.astype(self.value.dtype, copy=False)

    def assign_add(self, delta) -> None:
        """``value += delta`` (Keras' ``variable.assign_add``), keeping the dtype."""
        self.assign(self.value + np.asarray(delta))

    def assign_sub(self, delta) -> None:
        """``value -= delta``."""
        self.assign(self.value - np.asarray(delta))

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    # A Variable works in arithmetic like an array. While a tape records, each operator is a
    # kteach op on the tape, so gradients reach the variable: ``x @ self.w + self.b``.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .arrays import dispatch_ufunc  # arrays imports this module; resolved at call time
        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """``np.concatenate([w, x])``, ``np.mean(w)`` ...: the kteach op while a tape records
        (so the gradient reaches the variable), plain NumPy on the value otherwise."""
        from .arrays import FUNCTIONS, _plain_tree, current  # arrays imports variable
        op = FUNCTIONS.get(func) if current() is not None else None
        if op is not None:
            return op(*args, **kwargs)
        return func(*_plain_tree(args), **{k: _plain_tree(v) for k, v in kwargs.items()})

    def __pos__(self):
        return self

    def __abs__(self):
        return np.absolute(self)

    # Comparisons give plain bool arrays (nothing to differentiate).
    def __lt__(self, other):
        return np.less(self.value, np.asarray(other))

    def __le__(self, other):
        return np.less_equal(self.value, np.asarray(other))

    def __gt__(self, other):
        return np.greater(self.value, np.asarray(other))

    def __ge__(self, other):
        return np.greater_equal(self.value, np.asarray(other))

    def __getitem__(self, key):
        from .arrays import METHODS, current  # arrays imports variable
        op = METHODS.get("__getitem__") if current() is not None else None
        return op(self, key) if op is not None else self.value[key]

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable}>")


def standard_shape(shape) -> tuple[int, ...]:
    """``None`` or ``()`` -> a scalar; ``3`` -> ``(3,)``; a list or tuple -> a tuple of ints."""
    if shape is None:
        return ()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(n) for n in shape)


def _initial_value(initializer, shape, dtype) -> np.ndarray:
    """The first value of a Variable: ``initializer`` itself (a value), or what it makes for
    ``shape`` (an initializer)."""
    if isinstance(initializer, str) or callable(initializer):
        if shape is None:
            raise ValueError(
                f"When creating a Variable from an initializer, the `shape` argument should be "
                f"specified. Received: initializer={initializer!r} and shape=None. Write e.g. "
                f"Variable({initializer!r}, shape=(3, 4)), or give the value itself.")
        from .. import initializers   # the math layer; the engine does not import it at load
        dtype = str(np.dtype(dtype or config.floatx()))
        return np.asarray(initializers.get(initializer)(standard_shape(shape), dtype), dtype=dtype)
    if isinstance(initializer, Variable):
        initializer = initializer.value
    value = np.array(initializer, dtype=dtype)     # a copy, as Keras keeps its own
    if dtype is None and not isinstance(initializer, (np.ndarray, np.generic)):
        if value.dtype.kind == "f":               # Python numbers and lists: Keras' dtypes
            value = value.astype(config.floatx())
        elif value.dtype.kind in "iu":
            value = value.astype("int32")
    if shape is not None and value.shape != standard_shape(shape):
        raise ShapeError(f"Variable got a value of shape {value.shape} but shape={shape}. Leave "
                         f"shape out when giving the value itself, or give a value of that shape.")
    return value
