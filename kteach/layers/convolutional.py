"""Convolution layers: Conv1D (sequences) and Conv2D (images), channels_last.

A convolution slides a small kernel along the steps (or over the pixels) and takes a dot
product at each position. With padding ``p_l`` in front, stride ``s`` and dilation ``d``,
output step ``t`` of filter ``f`` is (Keras, like every deep-learning library, does not flip
the kernel: this is a cross-correlation)::

    z[b, t, f] = Σ_i Σ_c  x_pad[b, t·s + i·d, c] · W[i, c, f]  +  bias[f]

The code computes all positions at once in the *im2col* way: gather every window of the
padded input into a row of a matrix ``X_col`` (one row per output position, ``k·C``
columns), then ``z = X_col · W_col`` is one matrix product with the kernel flattened to
``W_col`` of shape ``(k·C, f)``. Backward is the same picture run in reverse:
``dW = X_colᵀ · dz`` and ``dX_col = dz · W_colᵀ``, whose rows are added back onto the input
positions they were copied from (*col2im*).

Output length per spatial axis, with ``span = d·(k − 1) + 1`` (the steps one window covers):

* ``'valid'`` (no padding): ``L' = ⌊(L − span)/s⌋ + 1``, so ``L`` must be at least ``span``;
* ``'same'``: ``L' = ⌈L/s⌉``; the ``(L' − 1)·s + span − L`` padding steps (at least 0) are
  split with the smaller half in front and the extra step at the end, as Keras does;
* ``'causal'`` (Conv1D only): ``span − 1`` zeros in front, none behind, so step ``t`` sees
  only steps ``≤ t``; ``L' = ⌈L/s⌉``.

The helpers here (windows, col2im, padding, the too-short error) are shared with the
pooling layers.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import activations, constraints, initializers, regularizers
from ..engine.errors import SequenceTooShortError, ShapeError, unknown_name_error
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .core import _positive_int


# ----- argument checks shared by convolution, pooling and reshaping layers -------------------
def as_int_tuple(value: Any, rank: int, what: str, layer: str) -> tuple[int, ...]:
    """``3`` → ``(3,)*rank``; a tuple/list of ``rank`` positive integers stays (as a tuple)."""
    items = (value,) * rank if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    ok = (isinstance(items, (tuple, list)) and len(items) == rank
          and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in items))
    if not ok:
        example = "3" if rank == 1 else "(3, 3)"
        raise ValueError(
            f"The `{what}` argument of {layer} must be a positive integer or a tuple of {rank} "
            f"positive integers (one per spatial axis). Received: {what}={value!r}. For example "
            f"{what}={example}.")
    return tuple(int(n) for n in items)


def check_padding(padding: Any, allowed: tuple[str, ...], layer: str) -> str:
    """The padding name in lower case (Keras accepts 'SAME'); unknown names are refused."""
    name = padding.lower() if isinstance(padding, str) else padding
    if name == "causal" and "causal" not in allowed:
        raise ValueError(
            f"padding='causal' exists only for Conv1D (it pads the start of a sequence so that "
            f"step t sees only steps up to t). {layer} takes one of: {', '.join(allowed)}.")
    if name not in allowed:
        raise unknown_name_error("padding", str(padding), allowed)
    return name


def check_channels_last(data_format: Any, layer: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(
            f"{layer}(data_format={data_format!r}): kteach supports only 'channels_last' "
            f"(the Keras default), where the channels are the last axis: (batch, steps, "
            f"channels) or (batch, height, width, channels). Remove the argument and, if your "
            f"data is channels-first, move the axis: np.moveaxis(x, 1, -1).")


def check_strides_and_dilation(strides: tuple, dilation: tuple) -> None:
    """Keras' refusal of strides > 1 together with dilation_rate > 1 (any convolution)."""
    if max(strides) > 1 and max(dilation) > 1:
        raise ValueError(
            f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
            f"Received: strides={strides} and dilation_rate={dilation}. "
            f"Keras refuses this combination, so kteach does too: use one or the other.")


def check_spatial_input(layer: Layer, shape: tuple, rank: int, channels: int | None = None) -> None:
    """Refuse inputs whose rank is not ``rank + 2`` (batch, spatial axes, channels), or whose
    channel count differs from the one the layer was built for. Lengths may vary."""
    kind = type(layer).__name__
    layout = "(batch, steps, channels)" if rank == 1 else "(batch, height, width, channels)"
    if isinstance(shape, list) or len(shape) != rank + 2:
        ndim = "a list" if isinstance(shape, list) else f"ndim={len(shape)}"
        hint = ""
        if rank == 1 and not isinstance(shape, list) and len(shape) == 2:
            hint = (" For a sequence with one value per step, add a channels axis: "
                    "x[..., np.newaxis] and Input(shape=(steps, 1)). If the values are token "
                    "ids, put an Embedding layer first.")
        elif rank == 2 and not isinstance(shape, list) and len(shape) == 3:
            hint = (" For grey-scale images, add a channels axis: x[..., np.newaxis] and "
                    "Input(shape=(height, width, 1)).")
        raise ShapeError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: expected "
            f"ndim={rank + 2}, found {ndim}. Full shape received: "
            f"{shape if isinstance(shape, list) else format_shape(shape)}. {kind} works on "
            f"inputs of shape {layout}.{hint}")
    if channels is not None and shape[-1] not in (None, channels):
        raise ShapeError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: expected axis -1 "
            f"of input shape to have value {channels}, but received input with shape "
            f"{format_shape(shape)}. This {kind} was built for {channels} channels.")


# ----- output sizes, padding and the too-short error --------------------------------------------
def spans(size: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    """Steps one window covers: ``d·(k − 1) + 1`` per axis."""
    return tuple(d * (k - 1) + 1 for k, d in zip(size, dilation))


def output_sizes(layer: Layer, spatial: tuple, span: tuple[int, ...], strides: tuple[int, ...],
                 padding: str, window: str) -> tuple:
    """Output size per spatial axis (None stays None); too short an axis raises
    :class:`SequenceTooShortError`. ``window`` describes the window for the message."""
    out = []
    for n, w, s in zip(spatial, span, strides):
        if n is None:
            out.append(None)
        elif padding == "valid":
            if n < w:
                raise too_short_error(layer, spatial, span, window, n)
            out.append((n - w) // s + 1)
        else:
            if n < 1:
                raise too_short_error(layer, spatial, span, window, n)
            out.append((n - 1) // s + 1)  # = ⌈n/s⌉
    return tuple(out)


def too_short_error(layer: Layer, spatial: tuple, span: tuple[int, ...], window: str,
                    length: int) -> SequenceTooShortError:
    kind = type(layer).__name__
    if len(spatial) == 1:
        got = f"sequences of {spatial[0]} steps"
        needs = f"its window spans {span[0]} steps"
    else:
        got = "inputs of " + "×".join(str(n) for n in spatial) + " (height × width)"
        needs = "its window spans " + "×".join(str(w) for w in span)
    return SequenceTooShortError(
        f"Layer '{layer.name}' ({kind}, {window}) received {got}, but {needs}, so no output "
        f"step is left (Keras: \"Computed output size would be zero or negative\"). With "
        f"padding='valid' each convolution shortens the input by (kernel_size − 1)·dilation_rate "
        f"steps and each pooling divides its length by the pool size, so an input can run out "
        f"of steps deep inside a model; padding='same' keeps the length.",
        layer.name, length)


def paddings(spatial: tuple[int, ...], span: tuple[int, ...], strides: tuple[int, ...],
             padding: str) -> list[tuple[int, int]]:
    """``(front, back)`` zeros per spatial axis for 'valid', 'same' or 'causal'."""
    pads = []
    for n, w, s in zip(spatial, span, strides):
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((w - 1, 0))
        else:  # 'same': enough for ⌈n/s⌉ windows, the odd step goes at the end
            total = max((math.ceil(n / s) - 1) * s + w - n, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def pad(x: np.ndarray, pads: list[tuple[int, int]], value: float = 0.0) -> np.ndarray:
    """Pad the spatial axes of ``x`` (batch, *spatial, channels) with ``value``."""
    if all(p == (0, 0) for p in pads):
        return x
    return np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=value)


def crop(dxp: np.ndarray, pads: list[tuple[int, int]]) -> np.ndarray:
    """Undo :func:`pad` on a gradient: keep the positions that were real input."""
    keep = tuple(slice(front, dxp.shape[i + 1] - back) for i, (front, back) in enumerate(pads))
    return dxp[(slice(None),) + keep]


# ----- im2col and col2im -------------------------------------------------------------------------
def windows(xp: np.ndarray, size: tuple[int, ...], strides: tuple[int, ...],
            dilation: tuple[int, ...], out: tuple[int, ...]) -> np.ndarray:
    """All windows of the padded input, as a view (no copy).

    ``xp`` (batch, *P, C) → ``(batch, *out, *size, C)`` with
    ``[b, t..., i..., c] = xp[b, t·s + i·d ..., c]``.
    """
    rank = len(size)
    view = sliding_window_view(xp, spans(size, dilation), axis=tuple(range(1, rank + 1)))
    # view: (batch, *every start position, C, *span); keep every s-th start and every d-th tap
    starts = tuple(slice(0, s * (n - 1) + 1, s) for s, n in zip(strides, out))
    taps = tuple(slice(None, None, d) for d in dilation)
    return np.moveaxis(view[(slice(None),) + starts + (slice(None),) + taps], rank + 1, -1)


def window_slices(size: tuple[int, ...], strides: tuple[int, ...], dilation: tuple[int, ...],
                  out: tuple[int, ...]):
    """For each kernel offset ``i`` (in row-major order), the index that picks from the
    padded input ``(batch, *P, C)`` the value each window reads at that offset: the
    positions ``t·s + i·d`` for every output position ``t``, one strided slice per axis.

    Yields ``(i, index)``; ``xp[index]`` has the output's shape ``(batch, *out, C)``."""
    for offset in np.ndindex(*size):
        yield offset, (slice(None),) + tuple(
            slice(i * d, i * d + s * (n - 1) + 1, s)
            for i, d, s, n in zip(offset, dilation, strides, out))


def add_windows(dwin: np.ndarray, padded_shape: tuple, size: tuple[int, ...],
                strides: tuple[int, ...], dilation: tuple[int, ...]) -> np.ndarray:
    """The transpose of :func:`windows` (col2im): add each window's gradient back onto the
    positions it was read from. ``dwin`` (batch, *out, *size, C) → ``(batch, *P, C)``.

    One vectorised addition per kernel offset ``i``: the positions ``t·s + i·d`` of one
    offset are all different, so ``+=`` on the strided slice adds each value once.
    """
    rank = len(size)
    out = dwin.shape[1:1 + rank]
    dxp = np.zeros(padded_shape, dtype=dwin.dtype)
    for offset, where in window_slices(size, strides, dilation, out):
        dxp[where] += dwin[(slice(None),) * (rank + 1) + offset]
    return dxp


# The batch goes through im2col a few samples at a time: one chunk's X_col (about this many
# bytes) stays in the processor's cache while it is copied and multiplied, where the whole
# batch's X_col (hundreds of MB for long sequences) would go out to memory and back.
CHUNK_BYTES = 2 ** 20


def sample_chunks(win: np.ndarray) -> list[slice]:
    """Slices of whole samples of the windows ``win`` (batch, *out, *size, C), each with
    about CHUNK_BYTES of im2col rows (at least one sample)."""
    batch = len(win)
    step = max(1, CHUNK_BYTES // max(win[:1].size * win.itemsize, 1))
    return [slice(start, min(start + step, batch)) for start in range(0, batch, step)]


# ----- the layers ---------------------------------------------------------------------------------
class _Conv(Layer):
    """What Conv1D and Conv2D share; ``rank`` is the number of spatial axes.

    Shapes: x ``(batch, *L, C)``, kernel W ``(*k, C, f)``, bias b ``(f,)``, y
    ``(batch, *L', f)``. Forward, by im2col (one strided view copied into ``X_col``, one
    row per output position, ``k·C`` columns, and one product)::

        z = X_col · W_col + b,   y = activation(z),   W_col = W reshaped to (k·C, f)

    Backward, with ``dz = dy · activation'(z)`` (as rows ``dz_col``)::

        dW = X_colᵀ · dz_col,   db = Σ_rows dz_col,
        dx_pad[b, t·s + i·d, c] += Σ_f dz[b, t, f] · W[i, c, f]   for every kernel offset i

    The last line is col2im: ``dX_col = dz_col · W_colᵀ`` holds each window's share, added
    back onto the input one kernel offset at a time (one strided slice each, no loop over
    positions). Both passes go through the batch a few samples at a time
    (:func:`sample_chunks`): ``X_col`` of one chunk is small enough to stay in the cache, and
    backward copies it again from the padded input instead of keeping the whole batch's
    (325 MB for the tutorial's first Conv1D on posts of 500 steps). BLAS blocks a chunk's
    product differently from the whole batch's, and ``dW`` adds the chunks' products, so
    some numbers differ from one big product in the last bit (float rounding).
    """

    _config_keys = ("filters", "kernel_size", "strides", "padding", "data_format",
                    "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer",
                    "bias_initializer", "kernel_regularizer", "bias_regularizer",
                    "kernel_constraint", "bias_constraint", "activity_regularizer")

    rank = 1

    _float_inputs = True        # integer input computes in the layer's dtype

    def __init__(self, filters, kernel_size, strides, padding, data_format, dilation_rate,
                 groups, activation, use_bias, kernel_initializer, bias_initializer,
                 penalties: dict, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        check_channels_last(data_format, kind)
        self.filters = _positive_int(filters, "filters", kind)
        self.kernel_size = as_int_tuple(kernel_size, self.rank, "kernel_size", kind)
        self.strides = as_int_tuple(strides, self.rank, "strides", kind)
        self.dilation_rate = as_int_tuple(dilation_rate, self.rank, "dilation_rate", kind)
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        self.padding = check_padding(padding, allowed, kind)
        _check_groups_and_dilation(kind, groups, self.strides, self.dilation_rate)
        self.data_format, self.groups = "channels_last", 1
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        # A penalty added to the loss (model.losses) and a projection after each update.
        self.kernel_regularizer = regularizers.get(penalties["kernel_regularizer"])
        self.bias_regularizer = regularizers.get(penalties["bias_regularizer"])
        self.kernel_constraint = constraints.get(penalties["kernel_constraint"])
        self.bias_constraint = constraints.get(penalties["bias_constraint"])
        self.activity_regularizer = regularizers.get(penalties["activity_regularizer"])

    def forward(self, x, training=False):
        spatial = x.shape[1:-1]
        out = self._output_sizes(spatial)
        pads = paddings(spatial, spans(self.kernel_size, self.dilation_rate), self.strides, self.padding)
        xp = pad(x, pads)
        W_col = self.kernel.value.reshape(-1, self.filters)
        win = windows(xp, self.kernel_size, self.strides, self.dilation_rate, out)
        z = np.empty((len(x), math.prod(out), self.filters), np.result_type(xp, W_col))
        for part in sample_chunks(win):
            X_col = win[part].reshape(-1, W_col.shape[0])  # im2col of a few samples (a copy)
            z[part] = (X_col @ W_col).reshape(-1, z.shape[1], self.filters)
        if self.use_bias:
            z += self.bias.value
        z = z.reshape((len(x),) + out + (self.filters,))
        y = self.activation(z)
        self._activity_penalty(y)
        return y, (xp, pads, z, y)  # the padded input, not X_col: backward copies it again

    def backward(self, cache, dy):
        xp, pads, z, y = cache
        dy = self._activity_gradient(y, dy)
        W_col = self.kernel.value.reshape(-1, self.filters)
        dz = activations.backward(self.activation, z, y, dy)
        dz_rows = dz.reshape(len(dz), -1, self.filters)  # (batch, output positions, f)
        win = windows(xp, self.kernel_size, self.strides, self.dilation_rate, dz.shape[1:-1])
        dW_col = np.zeros(W_col.shape, np.result_type(xp, dz))
        dxp = np.empty(xp.shape, np.result_type(dz, W_col))
        for part in sample_chunks(win):
            X_col = win[part].reshape(-1, W_col.shape[0])  # the same im2col as forward's
            dz_col = dz_rows[part].reshape(-1, self.filters)
            dW_col += X_col.T @ dz_col
            # col2im: each window's row of dX_col = dz·W_colᵀ goes back onto the input
            # positions it was read from, one strided slice per kernel offset
            dwin = (dz_col @ W_col.T).reshape(win[part].shape)
            dxp[part] = add_windows(dwin, dwin.shape[:1] + xp.shape[1:], self.kernel_size,
                                    self.strides, self.dilation_rate)
        dW = dW_col.reshape(self.kernel.shape)
        if self.use_bias:
            return crop(dxp, pads), [dW, np.add.reduce(dz_rows.reshape(-1, self.filters), axis=0)]
        return crop(dxp, pads), [dW]

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        channels = input_shape[-1]
        if channels is None:
            raise ShapeError(f"{type(self).__name__} layer '{self.name}' needs to know the number "
                             f"of channels (the last axis), but got shape {format_shape(input_shape)}.")
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, self.filters),
                                      self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, self.rank, self.kernel.shape[-2])

    def _window(self) -> str:
        size = self.kernel_size[0] if self.rank == 1 else self.kernel_size
        text = f"kernel_size={size}"
        if max(self.dilation_rate) > 1:
            text += f", dilation_rate={self.dilation_rate[0] if self.rank == 1 else self.dilation_rate}"
        return text

    def _output_sizes(self, spatial: tuple) -> tuple:
        span = spans(self.kernel_size, self.dilation_rate)
        return output_sizes(self, spatial, span, self.strides, self.padding, self._window())

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        return (input_shape[0],) + self._output_sizes(tuple(input_shape[1:-1])) + (self.filters,)

    def formula(self, input_shape, output_shape):
        x, y, W = format_shape(input_shape), format_shape(output_shape), format_shape(self.kernel.shape)
        options = []
        if max(self.strides) > 1:
            options.append(f"strides={self.strides[0] if self.rank == 1 else self.strides}")
        if max(self.dilation_rate) > 1:
            options.append(f"dilation_rate={self.dilation_rate[0] if self.rank == 1 else self.dilation_rate}")
        if self.padding != "valid":
            options.append(f"padding='{self.padding}'")
        how = f" ({', '.join(options)})" if options else ""
        z = (f"x ⊛ W + b{how} : {x} ⊛ {W} + {format_shape(self.bias.shape)}" if self.use_bias
             else f"x ⊛ W{how} : {x} ⊛ {W}")
        act = activations.serialize(self.activation)
        return f"y = {z} → {y}" if act == "linear" else f"y = {act}(z), z = {z} → {y}"


def _check_groups_and_dilation(kind: str, groups: Any, strides: tuple, dilation: tuple) -> None:
    """Refuse what kteach (groups) or Keras (strides and dilation together) does not do."""
    if groups != 1:
        raise ValueError(
            f"{kind}(groups={groups!r}) is not supported by kteach: only groups=1, where "
            f"every filter sees all input channels (grouped convolutions split the channels "
            f"into separate groups). Remove the argument.")
    check_strides_and_dilation(strides, dilation)


class Conv1D(_Conv):
    """1D convolution over steps: ``(batch, steps, channels)`` → ``(batch, steps', filters)``.

    Kernel ``W`` (``kernel``) ``(k, C, filters)``, ``b`` (``bias``) ``(filters,)``;
    parameters ``k·C·filters + filters``. With padding ``p`` in front, stride ``s`` and
    dilation ``d``::

        z[b, t, f] = Σ_{i<k} Σ_c x_pad[b, t·s + i·d, c] · W[i, c, f] + b[f],   y = activation(z)

    ``steps' = ⌊(L − d(k−1) − 1)/s⌋ + 1`` for 'valid', ``⌈L/s⌉`` for 'same' and 'causal'
    ('causal' puts all ``d(k−1)`` zeros in front). Backward, with ``dz = dy · activation'(z)``:
    ``dW[i, c, f] = Σ_{b,t} x_pad[b, t·s + i·d, c] · dz[b, t, f]``, ``db = Σ_{b,t} dz``, and
    ``dx`` gathers ``dz · Wᵀ`` back from every window that read each step.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        penalties = dict(kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         penalties, **kwargs)


class Conv2D(_Conv):
    """2D convolution over images: ``(batch, H, W, C)`` → ``(batch, H', W', filters)``.

    Kernel ``K`` (``kernel``) ``(kh, kw, C, filters)``, ``b`` (``bias``) ``(filters,)``;
    parameters ``kh·kw·C·filters + filters``. With strides ``(sh, sw)`` and dilation
    ``(dh, dw)``::

        z[b, u, v, f] = Σ_{i,j,c} x_pad[b, u·sh + i·dh, v·sw + j·dw, c] · K[i, j, c, f] + b[f]

    Each spatial axis follows the Conv1D rule ('valid' or 'same'; 'causal' is 1D only).
    Backward as in Conv1D, over both axes.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        penalties = dict(kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         penalties, **kwargs)


# Keras' aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
