"""Reshaping layers for sequences: UpSampling1D (repeat steps) and ZeroPadding1D (add zero
steps at both ends). Neither has weights; each backward undoes its forward's bookkeeping."""
from __future__ import annotations

import numpy as np

from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import check_channels_last, check_spatial_input


class _Steps1D(Layer):
    """What UpSampling1D and ZeroPadding1D share: inputs ``(batch, steps, channels)`` whose
    channel count stays the one the layer was built for (the length may vary)."""

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 1)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, 1, self._build_input_shape[-1])


class UpSampling1D(_Steps1D):
    """Repeat every step ``size`` times: ``(batch, L, C)`` → ``(batch, L·size, C)``,
    ``y[b, t, c] = x[b, ⌊t/size⌋, c]``.

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

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 1)
        b, L, c = input_shape
        return (b, None if L is None else L * self.size, c)

    def formula(self, input_shape, output_shape):
        return (f"y[:, t] = x[:, ⌊t/{self.size}⌋] : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")

    def forward(self, x, training=False):
        return np.repeat(x, self.size, axis=1), x.shape

    def backward(self, x_shape, dy):
        b, L, c = x_shape
        return dy.reshape(b, L, self.size, c).sum(axis=2), []


class ZeroPadding1D(_Steps1D):
    """Add zero steps: ``padding`` at both ends, or ``(left, right)``:
    ``(batch, L, C)`` → ``(batch, left + L + right, C)``.

    Backward keeps the gradient of the real steps: ``dx = dy[:, left : left + L]``.
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

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 1)
        b, L, c = input_shape
        return (b, None if L is None else L + sum(self.padding), c)

    def formula(self, input_shape, output_shape):
        left, right = self.padding
        return (f"y = [{left} zeros, x, {right} zeros] along the steps : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")

    def forward(self, x, training=False):
        return np.pad(x, [(0, 0), self.padding, (0, 0)]), x.shape[1]

    def backward(self, L, dy):
        left = self.padding[0]
        return dy[:, left:left + L], []
