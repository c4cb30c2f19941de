"""Reshaping layers: UpSampling1D/2D (repeat steps or pixels), ZeroPadding1D/2D (add zeros at
the edges), Cropping1D/2D (cut the edges off), RepeatVector and Permute. None has weights;
each backward undoes its forward's bookkeeping."""
from __future__ import annotations

import numpy as np

from ..engine.errors import NotSupportedError, ShapeError
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import as_int_tuple, check_channels_last, check_spatial_input


class _Steps1D(Layer):
    """What UpSampling1D and ZeroPadding1D share: inputs ``(batch, steps, channels)`` whose
    channel count stays the one the layer was built for (the length may vary)."""

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 1)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, 1, self._build_input_shape[-1])


class UpSampling1D(_Steps1D):
    """Repeat every step ``size`` times: ``y[b, t, c] = x[b, ⌊t/size⌋, c]``.

    Shapes: x ``(batch, L, C)``, y ``(batch, L·size, C)``.

    Backward: each step's gradient is the sum over its copies,
    ``dx[b, t, c] = Σ_{r<size} dy[b, t·size + r, c]``.
    """

    _config_keys = ("size",)

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}. "
                            f"UpSampling1D(size=2) repeats every step twice.")
        if size <= 0:
            raise ValueError(f"`size` must be a positive integer (how many times each step is "
                             f"repeated). Received: size={size}.")
        self.size = int(size)

    def forward(self, x, training=False):
        return np.repeat(x, self.size, axis=1), x.shape

    def backward(self, x_shape, dy):
        b, L, c = x_shape
        return dy.reshape(b, L, self.size, c).sum(axis=2), []

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 1)
        b, L, c = input_shape
        return (b, None if L is None else L * self.size, c)

    def formula(self, input_shape, output_shape):
        return (f"y[:, t] = x[:, ⌊t/{self.size}⌋] : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


class ZeroPadding1D(_Steps1D):
    """Add zero steps at the ends: ``y = [left zeros, x, right zeros]`` along the steps
    (``padding`` is one number for both ends, or ``(left, right)``).

    Shapes: x ``(batch, L, C)``, y ``(batch, left + L + right, C)``.

    Backward: keep the gradient of the real steps, ``dx = dy[:, left : left + L]``.
    """

    _config_keys = ("padding", "data_format")

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "ZeroPadding1D")
        self.data_format = "channels_last"
        items = (padding, padding) if isinstance(padding, (int, np.integer)) else padding
        ok = (isinstance(items, (tuple, list)) and len(items) == 2 and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in items))
        if not ok:
            raise ValueError(
                f"The `padding` argument of ZeroPadding1D must be a non-negative integer or a "
                f"tuple of 2 of them (steps added before, steps added after). Received: "
                f"padding={padding!r}.")
        self.padding = (int(items[0]), int(items[1]))

    def forward(self, x, training=False):
        return np.pad(x, [(0, 0), self.padding, (0, 0)]), x.shape[1]

    def backward(self, L, dy):
        left = self.padding[0]
        return dy[:, left:left + L], []

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 1)
        b, L, c = input_shape
        return (b, None if L is None else L + sum(self.padding), c)

    def formula(self, input_shape, output_shape):
        left, right = self.padding
        return (f"y = [{left} zeros, x, {right} zeros] along the steps : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- two spatial axes and other rearrangements -------------------------------------------------
def _pairs(value, what: str, layer: str, default_hint: str) -> tuple:
    """``n`` → ``((n, n), (n, n))``; ``(a, b)`` → ``((a, a), (b, b))``; ``((t, b), (l, r))``
    stays. Every entry a non-negative integer (what Keras' padding and cropping take)."""
    def is_count(n):
        return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0

    if is_count(value):
        value = (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        rows = [(v, v) if is_count(v) else v for v in value]
        if all(isinstance(r, (tuple, list)) and len(r) == 2 and all(map(is_count, r))
               for r in rows):
            return tuple((int(a), int(b)) for a, b in rows)
    raise ValueError(
        f"The `{what}` argument of {layer} must be a non-negative integer, a tuple of 2 of "
        f"them (height, width), or a tuple of 2 tuples ((top, bottom), (left, right)). "
        f"Received: {what}={value!r}. {default_hint}")


def _ends(value, what: str, layer: str) -> tuple:
    """``n`` → ``(n, n)``; ``(before, after)`` stays; non-negative integers."""
    items = (value, value) if isinstance(value, (int, np.integer)) else value
    ok = (isinstance(items, (tuple, list)) and len(items) == 2 and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in items))
    if not ok:
        raise ValueError(f"The `{what}` argument of {layer} must be a non-negative integer or a "
                         f"tuple of 2 of them (steps at the start, steps at the end). "
                         f"Received: {what}={value!r}.")
    return (int(items[0]), int(items[1]))


class _Spatial(Layer):
    """Inputs ``(batch, *spatial, channels)`` of ``rank`` spatial axes (channels_last)."""

    rank = 2

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, self.rank, self._build_input_shape[-1])


class UpSampling2D(_Spatial):
    """Enlarge images ``s₀ = size[0]`` times in height and ``s₁ = size[1]`` in width:
    ``interpolation='nearest'`` (the default) repeats pixels,
    ``y[b, i, j, c] = x[b, ⌊i/s₀⌋, ⌊j/s₁⌋, c]``; ``'bilinear'`` is the linear map of
    :class:`Resizing`, ``y = A_h·x·A_wᵀ`` per channel.

    Shapes: x ``(batch, H, W, C)``, y ``(batch, H·s₀, W·s₁, C)``; A_h ``(H·s₀, H)``,
    A_w ``(W·s₁, W)``.

    Backward: nearest sums each ``s₀×s₁`` block of copies; bilinear ``dx = A_hᵀ·dy·A_w``.
    """

    _config_keys = ("size", "data_format", "interpolation")

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "UpSampling2D")
        self.data_format = "channels_last"
        self.size = as_int_tuple(size, 2, "size", "UpSampling2D")
        if interpolation not in ("nearest", "bilinear"):
            raise NotSupportedError(
                f"UpSampling2D(interpolation={interpolation!r}) is not implemented in kteach; "
                f"it repeats pixels ('nearest', the default) or mixes them ('bilinear').")
        self.interpolation = interpolation

    def forward(self, x, training=False):
        s0, s1 = self.size
        if self.interpolation == "nearest":
            return np.repeat(np.repeat(x, s0, axis=1), s1, axis=2), x.shape
        from .preprocessing import interpolation_matrix
        A_h = interpolation_matrix(x.shape[1], x.shape[1] * s0, "bilinear").astype(x.dtype)
        A_w = interpolation_matrix(x.shape[2], x.shape[2] * s1, "bilinear").astype(x.dtype)
        return np.einsum("ih,bhwc,jw->bijc", A_h, x, A_w, optimize=True), (A_h, A_w)

    def backward(self, cache, dy):
        if self.interpolation == "bilinear":
            A_h, A_w = cache
            return np.einsum("ih,bijc,jw->bhwc", A_h, dy, A_w, optimize=True), []
        b, H, W, c = cache
        s0, s1 = self.size
        return dy.reshape(b, H, s0, W, s1, c).sum(axis=(2, 4)), []

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 2)
        b, H, W, c = input_shape
        return (b, None if H is None else H * self.size[0], None if W is None else W * self.size[1], c)

    def formula(self, input_shape, output_shape):
        s0, s1 = self.size
        what = (f"y[:, i, j] = x[:, ⌊i/{s0}⌋, ⌊j/{s1}⌋]" if self.interpolation == "nearest"
                else "y = A_h·x·A_wᵀ (bilinear)")
        return f"{what} : {format_shape(input_shape)} → {format_shape(output_shape)}"


class ZeroPadding2D(_Spatial):
    """Add rows and columns of zeros around each image,
    ``padding = ((top, bottom), (left, right))``: ``y = x`` framed by zeros.

    Shapes: x ``(batch, H, W, C)``, y ``(batch, top + H + bottom, left + W + right, C)``.

    Backward: keep the gradient of the real pixels, ``dx = dy[:, top:top+H, left:left+W]``.
    """

    _config_keys = ("padding", "data_format")

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "ZeroPadding2D")
        self.data_format = "channels_last"
        self.padding = _pairs(padding, "padding", "ZeroPadding2D",
                              "ZeroPadding2D(1) adds one row/column of zeros on every side.")

    def forward(self, x, training=False):
        return np.pad(x, [(0, 0), *self.padding, (0, 0)]), x.shape[1:3]

    def backward(self, HW, dy):
        (t, _), (l, _) = self.padding
        H, W = HW
        return dy[:, t:t + H, l:l + W], []

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 2)
        b, H, W, c = input_shape
        (t, bo), (l, r) = self.padding
        return (b, None if H is None else t + H + bo, None if W is None else l + W + r, c)

    def formula(self, input_shape, output_shape):
        return (f"y = x with zeros around, padding={self.padding} : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


def _cropped(layer, kept: int | None, ends: tuple, axis_name: str) -> int | None:
    """The size left after cropping ``ends`` from an axis of ``kept`` entries, refused when
    nothing would remain."""
    if kept is None:
        return None
    left = kept - sum(ends)
    if left <= 0:
        raise ShapeError(f"Layer '{layer.name}' ({type(layer).__name__}) crops {ends[0]} + "
                         f"{ends[1]} {axis_name} from inputs with {kept}, which leaves nothing. "
                         f"Crop less, or give larger inputs.")
    return left


class Cropping1D(Layer):
    """Cut steps off both ends, ``cropping = (start, end)``: ``y = x[:, start : L − end]``.

    Shapes: x ``(batch, L, C)``, y ``(batch, L − start − end, C)``.

    Backward: the gradient goes back in place, zeros where steps were cut:
    ``dx[:, start : L − end] = dy``, ``dx = 0`` elsewhere.
    """

    _config_keys = ("cropping",)

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _ends(cropping, "cropping", "Cropping1D")

    def forward(self, x, training=False):
        _cropped(self, x.shape[1], self.cropping, "steps")
        s, e = self.cropping
        return x[:, s:x.shape[1] - e], x.shape

    def backward(self, x_shape, dy):
        s, e = self.cropping
        dx = np.zeros(x_shape, dtype=dy.dtype)
        dx[:, s:x_shape[1] - e] = dy
        return dx, []

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 1)

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 1)
        b, L, c = input_shape
        return (b, _cropped(self, L, self.cropping, "steps"), c)

    def formula(self, input_shape, output_shape):
        s, e = self.cropping
        return (f"y = x[:, {s} : L − {e}] : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


class Cropping2D(_Spatial):
    """Cut rows and columns off the edges, ``cropping = ((top, bottom), (left, right))``:
    ``y = x[:, top : H − bottom, left : W − right]``.

    Shapes: x ``(batch, H, W, C)``, y ``(batch, H − top − bottom, W − left − right, C)``.

    Backward: the gradient goes back in place, zeros where pixels were cut.
    """

    _config_keys = ("cropping", "data_format")

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "Cropping2D")
        self.data_format = "channels_last"
        self.cropping = _pairs(cropping, "cropping", "Cropping2D",
                               "Cropping2D(((2, 2), (4, 4))) cuts 2 rows and 4 columns per side.")

    def forward(self, x, training=False):
        self.compute_output_shape(x.shape)
        return x[self._window(x.shape)], x.shape

    def backward(self, x_shape, dy):
        dx = np.zeros(x_shape, dtype=dy.dtype)
        dx[self._window(x_shape)] = dy
        return dx, []

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 2)
        b, H, W, c = input_shape
        rows, cols = self.cropping
        return (b, _cropped(self, H, rows, "rows"), _cropped(self, W, cols, "columns"), c)

    def formula(self, input_shape, output_shape):
        return (f"y = x without its edges, cropping={self.cropping} : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")

    def _window(self, shape):
        (t, bo), (l, r) = self.cropping
        return (slice(None), slice(t, shape[1] - bo), slice(l, shape[2] - r))


class RepeatVector(Layer):
    """Repeat each sample's vector ``n`` times: ``y[b, t, f] = x[b, f]`` for ``t < n``.

    Shapes: x ``(batch, F)``, y ``(batch, n, F)``.

    Backward: ``dx[b, f] = Σ_t dy[b, t, f]`` (every copy's gradient comes home).
    """

    _config_keys = ("n",)

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"Expected a positive integer for `n` of RepeatVector, received "
                             f"n={n!r}. RepeatVector(3) turns (batch, features) into "
                             f"(batch, 3, features).")
        self.n = int(n)

    def forward(self, x, training=False):
        return np.repeat(x[:, np.newaxis, :], self.n, axis=1), None

    def backward(self, cache, dy):
        return dy.sum(axis=1), []

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != 2:
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim=2, found shape {input_shape}. RepeatVector takes (batch, features); "
                f"Flatten the input first.")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def formula(self, input_shape, output_shape):
        return (f"y[:, t] = x for t < {self.n} : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


class Permute(Layer):
    """Reorder the axes after the batch (``dims`` lists them, counting from 1):
    ``y = transpose(x, (0, *dims))``.

    Shapes: ``Permute((2, 1))`` turns x ``(batch, A, B)`` into y ``(batch, B, A)``.

    Backward: the inverse permutation, ``dx = transpose(dy, argsort((0, *dims)))``.
    """

    _config_keys = ("dims",)

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1 (the "
                             f"batch axis 0 stays first). Received dims={dims!r}; for example "
                             f"Permute((2, 1)) swaps the two axes after the batch.")
        self.dims = tuple(int(d) for d in dims)

    def forward(self, x, training=False):
        return np.transpose(x, (0,) + self.dims), None

    def backward(self, cache, dy):
        order = (0,) + self.dims
        return np.transpose(dy, np.argsort(order)), []

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != len(self.dims) + 1:
            raise ShapeError(f"Permute '{self.name}' has dims={self.dims}, for inputs with "
                             f"{len(self.dims)} axes after the batch, but received shape "
                             f"{input_shape}.")

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def formula(self, input_shape, output_shape):
        return (f"y = transpose(x, (0, {', '.join(map(str, self.dims))})) : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")
