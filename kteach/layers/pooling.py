"""Pooling layers: summarise each window of steps (or pixels) by its maximum or its mean.

Windows are placed exactly as for a convolution (see :mod:`kteach.layers.convolutional`)
with kernel = ``pool_size`` and ``strides`` defaulting to ``pool_size`` (windows side by
side), so ``MaxPooling1D(5)`` turns 96 steps into ``⌊(96 − 5)/5⌋ + 1 = 19``. Each channel
is pooled on its own; pooling has no weights.

* Max pooling: ``y[b, t, c] = max_i x_pad[b, t·s + i, c]``. Backward sends each ``dy`` to the
  position that held the maximum; if several positions tie, to the first of them (the
  one torch's max pooling picks). Windows that overlap (stride < pool) may send several
  gradients to one position; they add up. Both passes loop over the few offsets ``i`` of
  the window (4 for a 2×2 pool), each a strided view of the whole input: no argmax and no
  index arrays.
* Average pooling: ``y[b, t, c] = mean of the real (not padded) values in the window``;
  backward shares ``dy`` equally among them.
* Global pooling: one window over all steps: ``(batch, steps, C)`` → ``(batch, C)``
  (``keepdims=True`` keeps the step axis with size 1).

``padding='same'`` pads as Conv ``'same'`` does (output ``⌈L/s⌉``, the odd padding step at
the end); padded positions never win a max and are not counted in a mean (Keras'
TensorFlow and JAX behaviour. Keras 3 on the torch backend, when the padding is uneven,
pads average pooling by repeating the edge value instead, which counts that value twice).
"""
from __future__ import annotations

import math

import numpy as np

from ..engine.errors import SequenceTooShortError, warn_once
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import (add_windows, as_int_tuple, check_channels_last, check_padding,
                            check_spatial_input, crop, output_sizes, pad, paddings,
                            window_slices, windows)


class _Pooling(Layer):
    """Max or average pooling over ``rank`` spatial axes (channels_last).

    Shapes: x ``(batch, *L, C)`` → y ``(batch, *L', C)``, windows of ``pool_size`` p placed
    every ``strides`` s. Forward, for each window offset ``i`` (a strided view ``x_i`` of the
    padded input, ``x_i[b, t, c] = x_pad[b, t·s + i, c]``)::

        max:      y = max_i x_i                       (one np.maximum per offset)
        average:  y = (Σ_i x_i) / count               (count = real values in the window)

    Backward. Max: ``dx_pad[b, t·s + i, c] += dy[b, t, c]`` at the first offset ``i`` with
    ``x_i == y`` (found offset by offset with the equality mask, so ties send the gradient
    once, to the first position that holds the maximum). Average: every real position of a
    window gets ``dy / count``.
    """

    _config_keys = ("pool_size", "strides", "padding", "data_format")
    _keras_build_config = False   # Keras' pooling layers have no build()

    rank = 1
    mode = "max"  # or "average"

    def __init__(self, pool_size, strides, padding, data_format, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        check_channels_last(data_format, kind)
        self.pool_size = as_int_tuple(pool_size, self.rank, "pool_size", kind)
        self.strides = (self.pool_size if strides is None
                        else as_int_tuple(strides, self.rank, "strides", kind))
        self.padding = check_padding(padding, ("valid", "same"), kind)
        self.data_format = "channels_last"

    def forward(self, x, training=False):
        if self.mode != "max":
            return self._average_forward(x)
        out, pads = self._output_sizes(x.shape[1:-1]), self._pads(x)
        xp = pad(x, pads, -np.inf)  # -inf padding never wins
        y = None
        for _, where in self._offsets(out):
            y = xp[where].copy() if y is None else np.maximum(y, xp[where], out=y)
        return y, (xp, y, pads)

    def backward(self, cache, dy):
        if self.mode != "max":
            return self._average_backward(cache, dy), []
        xp, y, pads = cache
        dxp = np.zeros(xp.shape, dtype=dy.dtype)
        waiting = np.ones(y.shape, dtype=bool)  # windows whose dy is not sent yet
        won, share = np.empty(y.shape, dtype=bool), np.empty(dy.shape, dtype=dy.dtype)
        apart = all(s >= p for s, p in zip(self.strides, self.pool_size))  # windows don't overlap
        for _, where in self._offsets(y.shape[1:-1]):
            np.equal(xp[where], y, out=won)
            won &= waiting             # the first offset holding the maximum takes dy
            waiting ^= won
            if apart:                  # each position is in one window: write, don't add
                np.multiply(dy, won, out=dxp[where])
            else:
                dxp[where] += np.multiply(dy, won, out=share)
        return crop(dxp, pads), []

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, self.rank, self._build_input_shape[-1])

    def _window(self) -> str:
        return f"pool_size={self.pool_size[0] if self.rank == 1 else self.pool_size}"

    def _output_sizes(self, spatial: tuple) -> tuple:
        return output_sizes(self, spatial, self.pool_size, self.strides, self.padding, self._window())

    def _pads(self, x: np.ndarray) -> list[tuple[int, int]]:
        return paddings(x.shape[1:-1], self.pool_size, self.strides, self.padding)

    def _offsets(self, out: tuple):
        """``(offset, index)`` for each window offset: ``xp[index]`` is that tap of every
        window, shaped like the output."""
        return window_slices(self.pool_size, self.strides, (1,) * self.rank, out)

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        return (input_shape[0],) + self._output_sizes(tuple(input_shape[1:-1])) + (input_shape[-1],)

    def formula(self, input_shape, output_shape):
        s = self.strides[0] if self.rank == 1 else self.strides
        return (f"y = {self.mode} over windows of {self._window()} (strides={s}, "
                f"padding='{self.padding}') : {format_shape(input_shape)} → {format_shape(output_shape)}")

    def _windows(self, x: np.ndarray, fill: float):
        """The padded input's windows ``(batch, *out, *pool, C)``, the padding, and out."""
        spatial = x.shape[1:-1]
        out = self._output_sizes(spatial)
        pads = paddings(spatial, self.pool_size, self.strides, self.padding)
        xp = pad(x, pads, fill)
        ones = (1,) * self.rank
        return windows(xp, self.pool_size, self.strides, ones, out), xp.shape, pads

    # average: divide by the number of real values in each window
    def _average_forward(self, x):
        win, xp_shape, pads = self._windows(x, 0.0)
        tap_axes = tuple(range(self.rank + 1, 2 * self.rank + 1))
        count = self._counts(x, pads, xp_shape)
        y = win.sum(axis=tap_axes) / count
        return y, (count, xp_shape, pads)

    def _counts(self, x, pads, xp_shape):
        """Real (unpadded) values per window: ``prod(pool_size)`` unless 'same' padded."""
        if all(p == (0, 0) for p in pads):
            return np.asarray(math.prod(self.pool_size), dtype=x.dtype)
        ones = np.ones((1,) + x.shape[1:-1] + (1,), dtype=x.dtype)
        win, _, _ = self._windows(ones, 0.0)
        return win.sum(axis=tuple(range(self.rank + 1, 2 * self.rank + 1)))  # (1, *out, 1)

    def _average_backward(self, cache, dy):
        count, xp_shape, pads = cache
        share = dy / count  # (b, *out, C): each real value of a window gets this much
        grow = share.reshape(dy.shape[:-1] + (1,) * self.rank + dy.shape[-1:])
        dwin = np.broadcast_to(grow, dy.shape[:-1] + self.pool_size + dy.shape[-1:])
        ones = (1,) * self.rank
        return crop(add_windows(dwin, xp_shape, self.pool_size, self.strides, ones), pads)


class MaxPooling1D(_Pooling):
    """``(batch, steps, C)`` → ``(batch, steps', C)``, ``y[b, t, c] = max_{i<p} x_pad[b, t·s + i, c]``.

    ``strides`` defaults to ``pool_size``; ``steps' = ⌊(L − p)/s⌋ + 1`` ('valid') or
    ``⌈L/s⌉`` ('same'). Backward routes ``dy`` to the arg-max (the first one on ties).
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """``(batch, H, W, C)`` → ``(batch, H', W', C)``, the maximum of each ``ph × pw`` window;
    each axis follows the MaxPooling1D rule. Backward routes ``dy`` to the arg-max."""

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


def _keras2_pool_size(layer: str, default: int | tuple) -> int | tuple:
    """Keras 3 requires AveragePooling's pool_size; Keras 2 defaulted it. Accept, and say so."""
    warn_once(
        f"{layer}() without a pool_size is a Keras 2 spelling: Keras 3 requires the argument "
        f"(TypeError: missing 1 required positional argument: 'pool_size'). kteach uses Keras "
        f"2's default; write {layer}(pool_size={default}) so the code runs on Keras 3 too.",
        key=f"{layer}_pool_size")
    return default


class AveragePooling1D(_Pooling):
    """``(batch, steps, C)`` → ``(batch, steps', C)``, the mean of each window of ``p`` steps
    (of its real steps where 'same' padded). Backward: ``dx += dy / count`` for each step of
    the window. ``pool_size`` is required, as in Keras 3 (without it: Keras 2's 2, with a
    warning)."""

    rank, mode = 1, "average"

    def __init__(self, pool_size=None, strides=None, padding="valid", data_format=None, **kwargs):
        if pool_size is None:
            pool_size = _keras2_pool_size("AveragePooling1D", 2)
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """``(batch, H, W, C)`` → ``(batch, H', W', C)``, the mean of each ``ph × pw`` window.
    ``pool_size`` is required, as in Keras 3 (without it: Keras 2's (2, 2), with a warning)."""

    rank, mode = 2, "average"

    def __init__(self, pool_size=None, strides=None, padding="valid", data_format=None, **kwargs):
        if pool_size is None:
            pool_size = _keras2_pool_size("AveragePooling2D", (2, 2))
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


# ----- global pooling ----------------------------------------------------------------------------
class _GlobalPooling(Layer):
    """Max or mean over all spatial axes: ``(batch, *spatial, C)`` → ``(batch, C)``.

    Max: ``y[b, c] = max_t x[b, t, c]``, backward sends ``dy[b, c]`` to the first ``t`` that
    holds the maximum. Mean: ``y[b, c] = (1/n) Σ_t x[b, t, c]``, backward ``dx = dy / n`` at
    every one of the ``n`` positions. ``keepdims=True`` keeps the spatial axes with size 1.
    """

    _config_keys = ("data_format", "keepdims")
    _keras_build_config = False

    rank = 1
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, type(self).__name__)
        self.data_format = "channels_last"
        self.keepdims = bool(keepdims)

    def forward(self, x, training=False):
        self._check_not_empty(x.shape[1:-1])
        b, c = x.shape[0], x.shape[-1]
        flat = x.reshape(b, -1, c)  # (b, steps (or pixels), C)
        if self.mode == "max":
            j = flat.argmax(axis=1)  # the first maximum when several tie
            y = np.take_along_axis(flat, j[:, np.newaxis, :], axis=1)[:, 0, :]
        else:
            j = None
            y = flat.mean(axis=1)
        if self.keepdims:
            y = y.reshape((b,) + (1,) * self.rank + (c,))
        return y, (x.shape, j)

    def backward(self, cache, dy):
        x_shape, j = cache
        b, c = x_shape[0], x_shape[-1]
        dy = dy.reshape(b, c)
        n = math.prod(x_shape[1:-1])
        if self.mode == "max":
            dflat = np.zeros((b, n, c), dtype=dy.dtype)
            np.put_along_axis(dflat, j[:, np.newaxis, :], dy[:, np.newaxis, :], axis=1)
        else:
            dflat = np.broadcast_to(dy[:, np.newaxis, :] / n, (b, n, c))
        return dflat.reshape(x_shape), []

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, self.rank, self._build_input_shape[-1])

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        self._check_not_empty(tuple(input_shape[1:-1]))
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def _check_not_empty(self, spatial: tuple) -> None:
        if any(n == 0 for n in spatial):
            raise SequenceTooShortError(
                f"Layer '{self.name}' ({type(self).__name__}) received inputs with no steps "
                f"(spatial shape {spatial}), so there is nothing to take the {self.mode} of. "
                f"The layers before it used up every step: give longer inputs or use smaller "
                f"kernels and pools.", self.name, 0)

    def formula(self, input_shape, output_shape):
        axes = "steps" if self.rank == 1 else "height and width"
        return (f"y[b, c] = {self.mode} of x[b, ..., c] over {axes} : {format_shape(input_shape)} "
                f"→ {format_shape(output_shape)}")


class GlobalMaxPooling1D(_GlobalPooling):
    """``y[b, c] = max_t x[b, t, c]``: ``(batch, steps, C)`` → ``(batch, C)``. Backward sends
    ``dy[b, c]`` to the step that held the maximum (the first one on ties)."""

    rank, mode = 1, "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)


class GlobalMaxPooling2D(_GlobalPooling):
    """``y[b, c] = max_{u,v} x[b, u, v, c]``: ``(batch, H, W, C)`` → ``(batch, C)``."""

    rank, mode = 2, "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)


class GlobalAveragePooling1D(_GlobalPooling):
    """``y[b, c] = (1/L) Σ_t x[b, t, c]``: ``(batch, steps, C)`` → ``(batch, C)``; backward
    ``dx[b, t, c] = dy[b, c] / L``.

    With a mask ``m (b, T)`` (from ``Embedding(mask_zero=True)`` or ``Masking``) only the
    real steps count: ``y[b, c] = Σ_t m[b, t]·x[b, t, c] / Σ_t m[b, t]``, backward
    ``dx[b, t, c] = dy[b, c]·m[b, t] / Σ_t m[b, t]``. The output has no mask any more. A
    sample whose steps are all masked gets 0/0 = nan, as in Keras.
    """

    rank, mode = 1, "mean"
    _supports_masking = True

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)

    def forward(self, x, training=False, mask=None):
        if mask is None:
            return super().forward(x, training)
        m = np.asarray(mask, dtype=bool)[:, :, np.newaxis]
        with np.errstate(invalid="ignore", divide="ignore"):   # all masked: nan, as Keras
            weight = (m / m.sum(axis=1, keepdims=True)).astype(x.dtype)   # m / Σm, (b, T, 1)
            y = np.where(m, x, 0).sum(axis=1) / m.sum(axis=1).astype(x.dtype)
        return (y[:, np.newaxis] if self.keepdims else y), ("masked", weight)

    def backward(self, cache, dy):
        if cache[0] != "masked":
            return super().backward(cache, dy)
        weight = cache[1]
        return dy.reshape(dy.shape[0], 1, -1) * weight, []

    def compute_mask(self, inputs, mask=None):
        return None   # one vector per sample: no steps left to mask


class GlobalAveragePooling2D(_GlobalPooling):
    """``y[b, c] = mean over u, v of x[b, u, v, c]``: ``(batch, H, W, C)`` → ``(batch, C)``."""

    rank, mode = 2, "mean"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)


# Keras' aliases
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
