"""Merge layers: they take a list of tensors and make one.

Concatenate joins them; Add, Subtract, Multiply, Average, Maximum and Minimum combine them
value by value (a size-1 axis broadcasts, as in NumPy); Dot takes dot products per sample.
Each has a function form (``add([a, b])``) that makes the layer and calls it.
"""
from __future__ import annotations

import numpy as np

from .. import ops
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

    def compute_mask(self, inputs, mask=None):
        """Keras 3's rule for value-by-value merges: where every input has a mask, a step is
        real if it is real in any of them (logical or); if one input has none, no mask."""
        if mask is None or any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = ops.logical_or(out, m)
        return out


class Concatenate(_Merge):
    """Joins tensors along ``axis`` (default: the last): ``y = [x1 | x2 | ...]``.

    Shapes: xᵢ ``(b, ..., nᵢ, ...)``, equal on every axis but ``axis``; y the same with
    ``n1 + n2 + ...`` on ``axis``.

    Backward: dy is cut back into the pieces, ``dxᵢ = dy[..., oᵢ : oᵢ + nᵢ, ...]`` along
    ``axis``, with ``oᵢ = n1 + ... + nᵢ₋₁``.
    """

    _config_keys = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def forward(self, xs, training=False):
        sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis), sizes

    def backward(self, sizes, dy):
        cuts = np.cumsum(sizes)[:-1]
        return list(np.split(dy, cuts, axis=self.axis)), []

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        ranks = {len(s) for s in input_shape}
        rank = len(input_shape[0])
        if not -rank <= self.axis < rank:
            raise ShapeError(
                f"Concatenate(axis={self.axis}) was called on inputs of rank {rank} "
                f"({', '.join(format_shape(s) for s in input_shape)}), which have axes "
                f"{-rank} to {rank - 1}. Use axis=-1 to join along the last axis.")
        axis = self.axis % rank
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

    def compute_mask(self, inputs, mask=None):
        """Joined as the values are (see :func:`_concatenated_mask`); None without masks."""
        if mask is None or all(m is None for m in mask):
            return None
        return _concatenated_mask(inputs, mask, self.axis)


def _concatenated_mask(inputs: list, mask: list, axis: int):
    """Keras 3's Concatenate mask: each input's mask (all True for an input without one)
    stretched to the input's shape, joined along ``axis``, then "any" over the last axis."""
    masks = []
    for x, m in zip(inputs, mask):
        if m is None:
            masks.append(ops.ones_like(x, dtype="bool"))
        elif len(m.shape) < len(x.shape):
            masks.append(ops.logical_or(ops.expand_dims(m, axis=-1),
                                        ops.zeros_like(x, dtype="bool")))
        else:
            masks.append(m)
    return ops.any(ops.concatenate(masks, axis=axis), axis=-1)


class _Elementwise(_Merge):
    """Shared shape rules for layers that combine inputs value by value: every input has
    the same shape, except that a size-1 axis broadcasts (as in NumPy)."""

    _combines = "combines values"  # how the error message says what the layer does

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

    def _incompatible(self, shapes):
        listed = " and ".join(format_shape(tuple(s[1:])) for s in shapes)
        return (f"Inputs have incompatible shapes. Received shapes {listed}. "
                f"{type(self).__name__} {self._combines} position by position, so all inputs "
                f"need the same shape (a size of 1 may broadcast).")


class Add(_Elementwise):
    """Elementwise sum: ``y = x1 + x2 + ...``.

    Shapes: every xᵢ and y ``(b, ...)``, all the same (a size-1 axis broadcasts, as in NumPy).

    Backward: ``dxᵢ = dy``, summed back over any axis along which xᵢ was broadcast.
    """

    _combines = "sums values"

    def forward(self, xs, training=False):
        y = xs[0]
        for x in xs[1:]:
            y = y + x
        return y, [x.shape for x in xs]

    def backward(self, shapes, dy):
        return [_unbroadcast(dy, s) for s in shapes], []

    def formula(self, input_shape, output_shape):
        parts = " + ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = x1 + x2 + ... : {parts} → {format_shape(output_shape)}"


class Subtract(_Elementwise):
    """Elementwise difference of exactly two inputs: ``y = x1 − x2``.

    Shapes: x1, x2 and y ``(b, ...)``, all the same (a size-1 axis broadcasts).

    Backward: ``dx1 = dy``, ``dx2 = −dy``, each summed over the axes it was broadcast along.
    """

    _combines = "subtracts values"

    def forward(self, xs, training=False):
        x1, x2 = xs
        return x1 - x2, (x1.shape, x2.shape)

    def backward(self, shapes, dy):
        s1, s2 = shapes
        return [_unbroadcast(dy, s1), -_unbroadcast(dy, s2)], []

    def _check_list(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs, e.g. "
                f"Subtract()([a, b]) for a − b. Received: input_shape={input_shape}")

    def formula(self, input_shape, output_shape):
        a, b = (format_shape(tuple(s)) for s in input_shape)
        return f"y = x1 − x2 : {a} − {b} → {format_shape(output_shape)}"


class Multiply(_Elementwise):
    """Elementwise product: ``y = x1 ⊙ x2 ⊙ ...``.

    Shapes: every xᵢ and y ``(b, ...)``, all the same (a size-1 axis broadcasts).

    Backward: ``dxᵢ = dy ⊙ Π_{j≠i} xⱼ``, summed over the axes xᵢ was broadcast along.
    """

    _combines = "multiplies values"

    def forward(self, xs, training=False):
        y = xs[0]
        for x in xs[1:]:
            y = y * x
        return y, xs

    def backward(self, xs, dy):
        dxs = []
        for i, x in enumerate(xs):
            g = dy
            for j, other in enumerate(xs):
                if j != i:
                    g = g * other  # the product of the others (not y / x: x may be 0)
            dxs.append(_unbroadcast(g, x.shape))
        return dxs, []

    def formula(self, input_shape, output_shape):
        parts = " ⊙ ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = x1 ⊙ x2 ⊙ ... : {parts} → {format_shape(output_shape)}"


class Average(_Elementwise):
    """Elementwise mean: ``y = (x1 + ... + xn) / n``.

    Shapes: every xᵢ and y ``(b, ...)``, all the same (a size-1 axis broadcasts).

    Backward: ``dxᵢ = dy / n``, summed over the axes xᵢ was broadcast along.
    """

    _combines = "averages values"

    def forward(self, xs, training=False):
        y = xs[0]
        for x in xs[1:]:
            y = y + x
        return y / len(xs), [x.shape for x in xs]

    def backward(self, shapes, dy):
        return [_unbroadcast(dy / len(shapes), s) for s in shapes], []

    def formula(self, input_shape, output_shape):
        parts = ", ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = (x1 + ... + x{len(input_shape)})/{len(input_shape)} : {parts} → {format_shape(output_shape)}"


class Maximum(_Elementwise):
    """Elementwise maximum: ``y = max(x1, x2, ...)``.

    Shapes: every xᵢ and y ``(b, ...)``, all the same (a size-1 axis broadcasts).

    Backward: ``dxᵢ = dy · [xᵢ holds the maximum]``: dy goes to the winning input at each
    position, the others get 0. On a tie the first such input wins (as TensorFlow; Keras on
    torch splits a tie between two inputs in halves).
    """

    _combines = "takes the largest value"
    _pick = staticmethod(np.argmax)

    def forward(self, xs, training=False):
        stacked = np.stack(np.broadcast_arrays(*xs))     # (n_inputs, *y.shape)
        winner = self._pick(stacked, axis=0)             # which input wins at each position
        y = np.take_along_axis(stacked, winner[np.newaxis], axis=0)[0]
        return y, (winner, [x.shape for x in xs])

    def backward(self, cache, dy):
        winner, shapes = cache
        return [_unbroadcast(dy * (winner == i), s) for i, s in enumerate(shapes)], []

    def formula(self, input_shape, output_shape):
        parts = ", ".join(format_shape(tuple(s)) for s in input_shape)
        return f"y = {type(self).__name__.lower()}(x1, x2, ...) : {parts} → {format_shape(output_shape)}"


class Minimum(Maximum):
    """Elementwise minimum: ``y = min(x1, x2, ...)``.

    Shapes: as :class:`Maximum`, whose forward and backward it uses with ``argmin``.

    Backward: ``dxᵢ = dy · [xᵢ holds the minimum]`` (the first such input on a tie).
    """

    _combines = "takes the smallest value"
    _pick = staticmethod(np.argmin)


class Dot(_Merge):
    """Dot products of two tensors per sample, along ``axes``::

        y[b, i, j] = Σ_k x1[b, i, k] · x2[b, k, j]

    Shapes: x1 ``(b, *r1, n)`` with its dot axis moved last, x2 ``(b, n, *r2)`` with its dot
    axis moved first after the batch; y ``(b, *r1, *r2)``, or ``(b, 1)`` if both are
    ``(b, n)``. ``axes`` is one axis for both inputs or ``(axis_1, axis_2)``, never the
    batch axis 0. ``normalize=True`` first scales each input to unit L2 norm along its dot
    axis, ``x̂ = x / max(‖x‖, ε)``, so two vectors give their cosine similarity.

    Backward: ``dx1 = dy · x2ᵀ``, ``dx2 = x1ᵀ · dy`` per sample; with ``normalize``, then
    back through the scaling: ``dx = (dx̂ − x̂·Σ x̂·dx̂) / ‖x‖`` along the dot axis.
    """

    _config_keys = ("axes", "normalize")

    EPSILON = 1e-7  # Keras' norm floor: x̂ = x / max(‖x‖, ε)

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        items = [axes, axes] if isinstance(axes, (int, np.integer)) else axes
        if not isinstance(items, (list, tuple)) or len(items) != 2 or not all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in items):
            raise ValueError(
                f"Invalid format for argument `axes`: it should be an integer or a tuple of two "
                f"integers (the axis of the first input and the axis of the second). Received: "
                f"axes={axes!r}. For two inputs of shape (batch, n), Dot(axes=1).")
        self.axes = int(axes) if isinstance(axes, (int, np.integer)) else tuple(int(a) for a in axes)
        self.normalize = bool(normalize)

    def forward(self, xs, training=False):
        x1, x2 = xs
        a1, a2 = self._pair(x1.ndim, x2.ndim)
        units = None
        if self.normalize:
            (x1, n1, c1), (x2, n2, c2) = self._unit(x1, a1), self._unit(x2, a2)
            units = ((x1, n1, c1), (x2, n2, c2))
        b, n = x1.shape[0], x1.shape[a1]
        m1 = np.moveaxis(x1, a1, -1)            # (b, *r1, n)
        m2 = np.moveaxis(x2, a2, 1)             # (b, n, *r2)
        A = m1.reshape(b, -1, n)                # (b, R1, n)
        B = m2.reshape(b, n, -1)                # (b, n, R2)
        y = (A @ B).reshape((b,) + m1.shape[1:-1] + m2.shape[2:])
        if y.ndim == 1:
            y = y.reshape(b, 1)
        return y, (A, B, m1.shape, m2.shape, (a1, a2), units)

    def backward(self, cache, dy):
        A, B, shape1, shape2, (a1, a2), units = cache
        dY = dy.reshape(A.shape[0], A.shape[1], B.shape[2])      # (b, R1, R2)
        dx1 = np.moveaxis((dY @ B.transpose(0, 2, 1)).reshape(shape1), -1, a1)
        dx2 = np.moveaxis((A.transpose(0, 2, 1) @ dY).reshape(shape2), 1, a2)
        if units is not None:
            dx1 = self._unit_backward(dx1, units[0], a1)
            dx2 = self._unit_backward(dx2, units[1], a2)
        return [dx1, dx2], []

    def _check_list(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _pair(self, ndim1: int, ndim2: int) -> tuple[int, int]:
        """The two dot axes as non-negative numbers."""
        a1, a2 = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        if not (-ndim1 <= a1 < ndim1 and -ndim2 <= a2 < ndim2):
            raise ShapeError(f"Dot(axes={self.axes}) does not fit inputs with {ndim1} and {ndim2} axes.")
        a1, a2 = a1 % ndim1, a2 % ndim2
        if 0 in (a1, a2):
            raise ValueError(f"Cannot perform batch_dot over axis 0 (Dot(axes={self.axes})): axis 0 "
                             f"is the batch. Count the axes of one sample from 1.")
        return a1, a2

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        s1, s2 = (tuple(s) for s in input_shape)
        if len(s1) < 2 or len(s2) < 2:
            raise ShapeError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs "
                             f"with shapes {format_shape(s1)} and {format_shape(s2)}.")
        a1, a2 = self._pair(len(s1), len(s2))
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ShapeError(
                f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) != {s2[a2]} "
                f"(at axis {a2}). Full input shapes: {format_shape(s1)}, {format_shape(s2)}. A "
                f"dot product needs the same number of values on both sides.")
        out = s1[:a1] + s1[a1 + 1:] + s2[1:a2] + s2[a2 + 1:]
        return out if len(out) > 1 else out + (1,)

    def compute_mask(self, inputs, mask=None):
        return None   # as Keras: the dot products have no steps left to mask

    def formula(self, input_shape, output_shape):
        a, b = (format_shape(tuple(s)) for s in input_shape)
        how = "cosine of x1 and x2" if self.normalize else "x1 · x2"
        return f"y = {how} along axes {self.axes} : {a}, {b} → {format_shape(output_shape)}"

    def _unit(self, x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``x̂ = x / max(‖x‖, ε)`` along ``axis``, with ‖x‖ and the divisor (for backward)."""
        norm = np.sqrt((x * x).sum(axis=axis, keepdims=True))
        scale = 1.0 / np.maximum(norm, self.EPSILON)
        return x * scale, norm, scale

    def _unit_backward(self, dxhat, unit, axis):
        xhat, norm, scale = unit
        along = (xhat * dxhat).sum(axis=axis, keepdims=True) * (norm > self.EPSILON)
        return (dxhat - xhat * along) * scale


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


@check_keywords
def subtract(inputs, name=None):
    """Function form of :class:`Subtract`: ``subtract([a, b])`` is ``a − b``."""
    return Subtract(name=name)(inputs)


@check_keywords
def multiply(inputs, name=None):
    """Function form of :class:`Multiply`: ``multiply([a, b])``."""
    return Multiply(name=name)(inputs)


@check_keywords
def average(inputs, name=None):
    """Function form of :class:`Average`: ``average([a, b])``."""
    return Average(name=name)(inputs)


@check_keywords
def maximum(inputs, name=None):
    """Function form of :class:`Maximum`: ``maximum([a, b])``."""
    return Maximum(name=name)(inputs)


@check_keywords
def minimum(inputs, name=None):
    """Function form of :class:`Minimum`: ``minimum([a, b])``."""
    return Minimum(name=name)(inputs)


@check_keywords
def dot(inputs, axes=-1, normalize=False, name=None):
    """Function form of :class:`Dot`: ``dot([a, b], axes=1)``."""
    return Dot(axes=axes, normalize=normalize, name=name)(inputs)
