"""Merge layers: they take a list of tensors and make one (Concatenate, Add)."""
from __future__ import annotations

import numpy as np

from ..engine.errors import ShapeError, check_keywords
from ..engine.layer import Layer
from ..engine.tensor import format_shape


class _Merge(Layer):
    """Shared checks: a merge layer is called on a list of at least two tensors."""

    def _check_list(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on a list of at least 2 "
                f"inputs, e.g. {type(self).__name__}()([a, b]). Received: {input_shape}")

    def check_input_shape(self, shape):
        self._check_list(shape)


class Concatenate(_Merge):
    """Joins tensors along ``axis`` (default: the last). Shapes must agree on every other axis.

    Backward splits dy into the pieces that came from each input.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        ranks = {len(s) for s in input_shape}
        axis = self.axis % len(input_shape[0])
        others_ok = len(ranks) == 1 and all(
            len({s[i] for s in input_shape if s[i] is not None}) <= 1
            for i in range(1, len(input_shape[0])) if i != axis)
        if not others_ok:
            shapes = "[" + ", ".join(format_shape(s) for s in input_shape) + "]"
            raise ShapeError(
                f"A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis. Received: input_shape={shapes}. Here axis={self.axis}; "
                f"every other axis (after the batch) must have the same size in all inputs.")
        sizes = [s[axis] for s in input_shape]
        total = None if None in sizes else sum(sizes)
        out = list(input_shape[0])
        out[axis] = total
        return tuple(out)

    def formula(self, input_shape, output_shape):
        parts = ", ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = concatenate([x1, x2, ...], axis={self.axis}) : {parts} → {format_shape(output_shape)}"

    def forward(self, xs, training=False):
        sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis), sizes

    def backward(self, sizes, dy):
        cuts = np.cumsum(sizes)[:-1]
        return list(np.split(dy, cuts, axis=self.axis)), []


class Add(_Merge):
    """Elementwise sum of equal-shaped tensors (a size-1 axis broadcasts, as in NumPy).

    Backward: each input receives dy, summed back over any axis it was broadcast along.
    """

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        if len({len(s) for s in input_shape}) > 1:
            raise ShapeError(self._incompatible(input_shape))
        out = []
        for dims in zip(*input_shape):
            known = {d for d in dims if d not in (None, 1)}
            if len(known) > 1:
                raise ShapeError(self._incompatible(input_shape))
            out.append(known.pop() if known else (1 if all(d == 1 for d in dims) else None))
        return tuple(out)

    @staticmethod
    def _incompatible(shapes):
        listed = " and ".join(format_shape(tuple(s[1:])) for s in shapes)
        return (f"Inputs have incompatible shapes. Received shapes {listed}. Add sums values position by position, so "
                f"all inputs need the same shape (a size of 1 may broadcast).")

    def formula(self, input_shape, output_shape):
        parts = " + ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = x1 + x2 + ... : {parts} → {format_shape(output_shape)}"

    def forward(self, xs, training=False):
        y = xs[0]
        for x in xs[1:]:
            y = y + x
        return y, [x.shape for x in xs]

    def backward(self, shapes, dy):
        return [_unbroadcast(dy, s) for s in shapes], []


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes along which an input of ``shape`` was broadcast."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


@check_keywords
def concatenate(inputs, axis=-1, name=None):
    """Function form of :class:`Concatenate`: ``concatenate([a, b], axis=-1)``."""
    return Concatenate(axis=axis, name=name)(inputs)


@check_keywords
def add(inputs, name=None):
    """Function form of :class:`Add`: ``add([a, b])``."""
    return Add(name=name)(inputs)
