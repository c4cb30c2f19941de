"""Variable: a weight's value together with the gradient the last backward pass gave it."""
from __future__ import annotations

import numpy as np

from .errors import ShapeError


class Variable:
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

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable}>")
