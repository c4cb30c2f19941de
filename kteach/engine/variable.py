"""Variable: a weight's value together with the gradient the last backward pass gave it."""
from __future__ import annotations

import numpy as np

from .errors import ShapeError
from .operators import ArrayOperators


class Variable(ArrayOperators):
    """A named array that training changes.

    ``value`` is the NumPy array the layer computes with; ``grad`` holds dLoss/dvalue from the
    latest training step (``None`` before the first one). ``path`` is where it lives, as
    in Keras 3: ``dense/kernel``, or ``sequential/dense/kernel`` for a layer that was built
    inside a Sequential model.
    """

    def __init__(self, value: np.ndarray, name: str, path: str, trainable: bool = True):
        self.value = np.asarray(value)
        self.name = name
        self.path = path
        self.trainable = trainable
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
