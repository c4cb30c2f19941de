"""Transposed convolutions: Conv1DTranspose and Conv2DTranspose, channels_last.

A transposed convolution runs a convolution's picture backwards: every *input* position
stamps a copy of the kernel, weighted by its values, onto the output, ``s`` steps further
for each step of the input. Where stamps overlap they add up. It grows a sequence (or an
image) instead of shrinking it, which is why decoders and autoencoders use it::

    y_full[b, t·s + i·d, f] += Σ_c x[b, t, c] · W[i, f, c]        for every t, i

then ``y`` is a window of ``y_full`` (what ``padding`` keeps) plus the bias. Note the kernel
layout ``(k, filters, channels)``: output channels *before* input channels, as in Keras,
because this layer is the gradient of a Conv1D whose kernel is ``(k, filters, channels)``.

Forward is exactly the col2im step of a convolution's backward (:func:`add_windows`), and
backward is a convolution's forward (:func:`windows`): ``dx[b, t, c] = Σ_{i,f} dy_full[b,
t·s + i·d, f] · W[i, f, c]`` and ``dW[i, f, c] = Σ_{b,t} x[b, t, c] · dy_full[b, t·s + i·d, f]``.

Output length per spatial axis (input ``L``, ``span = d·(k − 1) + 1``), as Keras 3:

* ``'valid'``: ``(L − 1)·s + span + p_out`` where ``p_out`` = ``output_padding``, or
  ``max(span, s) − span`` when it is None (the stamps then never leave gaps at the end);
* ``'same'``: ``L·s`` (``output_padding`` None), else ``(L − 1)·s + span mod 2 + p_out``.

Which part of ``y_full`` is kept follows Keras' JAX backend: ``'valid'`` keeps it from the
start (padding zeros at the end if the output is longer); ``'same'`` drops the first
``span − 1 − min(⌈n/2⌉, span − 1)`` steps, with ``n = s + span − 2`` (or ``span + span mod 2
− 2 + p_out``).
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, initializers
from ..engine.errors import ShapeError, refuse_unsupported
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import (add_windows, as_int_tuple, check_channels_last, check_padding,
                            check_spatial_input, check_strides_and_dilation, pad, windows)
from .core import _positive_int


def transpose_layout(n: int | None, k: int, s: int, d: int, padding: str,
                     p_out: int | None) -> tuple[int | None, int, int]:
    """``(output length, first kept step of y_full, length of y_full)`` for one axis."""
    if n is None:
        return None, 0, 0
    span = d * (k - 1) + 1
    full = (n - 1) * s + span
    if padding == "valid":
        extra = max(span, s) - span if p_out is None else p_out
        return full + extra, 0, full
    n_pad = s + span - 2 if p_out is None else span + span % 2 - 2 + p_out
    left = min(n_pad // 2 + n_pad % 2, span - 1)
    return (n - 1) * s + 2 - span + n_pad, span - 1 - left, full


def _check_output_padding(output_padding, strides: tuple, kind: str) -> tuple | None:
    """``output_padding`` as a tuple of one entry per spatial axis (or None), each a
    non-negative integer smaller than that axis' stride."""
    if output_padding is None:
        return None
    rank = len(strides)
    items = ((output_padding,) * rank if isinstance(output_padding, (int, np.integer))
             else output_padding)
    if (not isinstance(items, (tuple, list)) or len(items) != rank
            or any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0
                   for p in items)):
        raise ValueError(
            f"The `output_padding` argument of {kind} must be None, a non-negative "
            f"integer or a tuple of {rank} of them. Received: "
            f"output_padding={output_padding!r}.")
    output_padding = tuple(int(p) for p in items)
    for i, (p, s) in enumerate(zip(output_padding, strides)):
        if p >= s:
            raise ValueError(
                f"`output_padding` must be strictly less than `strides` for all "
                f"dimensions. At dimension {i}, `output_padding` is {p} but `strides` "
                f"is {s}. Received: output_padding={output_padding}, "
                f"strides={strides}. (The extra steps it adds at the end can only "
                f"fill the gap a stride leaves.)")
    return output_padding


class _ConvTranspose(Layer):
    """The transposed convolution of Conv1DTranspose and Conv2DTranspose (``rank`` spatial
    axes): every input position stamps its kernel, weighted by its values, onto the output::

        y_full[b, t·s + i·d, f] += Σ_c x[b, t, c] · W[i, f, c]      (on each spatial axis)
        y = activation(crop(y_full) + b)

    Shapes: x ``(batch, *L, C)``, W (``kernel``) ``(*k, filters, C)``, b (``bias``)
    ``(filters,)``, y ``(batch, *L', filters)`` (L' and the crop: see the module docstring).

    Backward, with ``dz = dy · activation'(z)`` padded back to ``y_full``'s frame (dz_full):
    ``dx[b, t, c] = Σ_{i,f} dz_full[b, t·s + i·d, f] · W[i, f, c]``,
    ``dW[i, f, c] = Σ_{b,t} x[b, t, c] · dz_full[b, t·s + i·d, f]``, ``db = Σ dz``.
    """

    _config_keys = ("filters", "kernel_size", "strides", "padding", "output_padding",
                    "data_format", "dilation_rate", "activation", "use_bias",
                    "kernel_initializer", "bias_initializer")
    _keras_config = {"kernel_regularizer": None, "bias_regularizer": None,
                     "activity_regularizer": None, "kernel_constraint": None,
                     "bias_constraint": None}

    rank = 1

    _float_inputs = True        # integer input computes in the layer's dtype

    def __init__(self, filters, kernel_size, strides, padding, output_padding, data_format,
                 dilation_rate, activation, use_bias, kernel_initializer, bias_initializer,
                 unsupported: dict, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        refuse_unsupported(kind, **unsupported)
        check_channels_last(data_format, kind)
        self.filters = _positive_int(filters, "filters", kind)
        self.kernel_size = as_int_tuple(kernel_size, self.rank, "kernel_size", kind)
        self.strides = as_int_tuple(strides, self.rank, "strides", kind)
        self.dilation_rate = as_int_tuple(dilation_rate, self.rank, "dilation_rate", kind)
        self.padding = check_padding(padding, ("valid", "same"), kind)
        self.output_padding = _check_output_padding(output_padding, self.strides, kind)
        check_strides_and_dilation(self.strides, self.dilation_rate)
        self.data_format = "channels_last"
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def forward(self, x, training=False):
        layouts = self._layouts(x.shape[1:-1])
        W = self.kernel.value
        C, K = W.shape[-1], math.prod(self.kernel_size)
        # each input position's stamp: x[b, t, :] · W[i, f, :] for every offset i and filter f
        stamps = (x.reshape(-1, C) @ W.reshape(-1, C).T).reshape(
            x.shape[:-1] + self.kernel_size + (self.filters,))
        full = tuple(f for _, _, f in layouts)
        y_full = add_windows(stamps, (x.shape[0],) + full + (self.filters,), self.kernel_size,
                             self.strides, self.dilation_rate)
        # keep [start, start + n) of y_full per axis, zeros beyond its end
        pads = [(0, max(start + n - f, 0)) for n, start, f in layouts]
        y_full = pad(y_full, pads)
        keep = tuple(slice(start, start + n) for n, start, _ in layouts)
        z = y_full[(slice(None),) + keep + (slice(None),)]
        if self.use_bias:
            z = z + self.bias.value
        y = self.activation(z)
        return y, (x, layouts, z, y, K)

    def backward(self, cache, dy):
        x, layouts, z, y, K = cache
        W = self.kernel.value
        C = W.shape[-1]
        dz = activations.backward(self.activation, z, y, dy)
        # dz back into y_full's frame (zeros where y_full was cropped away)
        dy_full = pad(dz, [(start, max(f - start - n, 0)) for n, start, f in layouts])
        dy_full = dy_full[(slice(None),) + tuple(slice(0, f) for _, _, f in layouts)]
        # what each input position's stamp touched: a plain convolution's windows
        dstamps = windows(dy_full, self.kernel_size, self.strides, self.dilation_rate,
                          x.shape[1:-1]).reshape(-1, K * self.filters)
        dx = (dstamps @ W.reshape(-1, C)).reshape(x.shape)
        dW = (x.reshape(-1, C).T @ dstamps).T.reshape(W.shape)
        if self.use_bias:
            return dx, [dW, dz.reshape(-1, self.filters).sum(axis=0)]
        return dx, [dW]

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        channels = input_shape[-1]
        if channels is None:
            raise ShapeError(f"{type(self).__name__} layer '{self.name}' needs to know the number "
                             f"of channels (the last axis), but got shape {format_shape(input_shape)}.")
        # (k..., filters, channels): output channels first, as Keras
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, self.rank, self.kernel.shape[-1])

    def _layouts(self, spatial: tuple) -> list[tuple]:
        p_out = self.output_padding or (None,) * self.rank
        return [transpose_layout(n, k, s, d, self.padding, p)
                for n, k, s, d, p in zip(spatial, self.kernel_size, self.strides,
                                         self.dilation_rate, p_out)]

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)
        out = tuple(n for n, _, _ in self._layouts(tuple(input_shape[1:-1])))
        return (input_shape[0],) + out + (self.filters,)

    def formula(self, input_shape, output_shape):
        x, y, W = format_shape(input_shape), format_shape(output_shape), format_shape(self.kernel.shape)
        options = [f"strides={self.strides[0] if self.rank == 1 else self.strides}"]
        if self.padding != "valid":
            options.append(f"padding='{self.padding}'")
        how = ", ".join(options)
        z = (f"x ⊛ᵀ W + b ({how}) : {x} ⊛ᵀ {W} + {format_shape(self.bias.shape)}" if self.use_bias
             else f"x ⊛ᵀ W ({how}) : {x} ⊛ᵀ {W}")
        act = activations.serialize(self.activation)
        return f"y = {z} → {y}" if act == "linear" else f"y = {act}(z), z = {z} → {y}"


class Conv1DTranspose(_ConvTranspose):
    """1D transposed convolution: each input step ``t`` adds ``x[b, t, :] · W[i]ᵀ`` at
    output step ``t·s + i·d``::

        y_full[b, t·s + i·d, f] += Σ_c x[b, t, c] · W[i, f, c],   y = activation(crop(y_full) + b)

    Shapes: x ``(batch, L, C)``, W (``kernel``) ``(k, filters, C)`` — filters before
    channels, as Keras — b (``bias``) ``(filters,)``, y ``(batch, L', filters)`` with
    ``L' = (L − 1)·s + max(d(k−1) + 1, s)`` for 'valid', ``L·s`` for 'same' (see the module
    for ``output_padding``). Parameters ``k·filters·C + filters``.

    Backward, with ``dz = dy · activation'(z)`` padded back to ``y_full``'s frame (dz_full):
    ``dx[b, t, c] = Σ_{i,f} dz_full[b, t·s + i·d, f] · W[i, f, c]``,
    ``dW[i, f, c] = Σ_{b,t} x[b, t, c] · dz_full[b, t·s + i·d, f]``, ``db = Σ dz``.
    Forward and backward are _ConvTranspose's.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        unsupported = dict(kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                           activity_regularizer=activity_regularizer,
                           kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, unsupported, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """2D transposed convolution: each input pixel ``(u, v)`` stamps its kernel::

        y_full[b, u·sh + i·dh, v·sw + j·dw, f] += Σ_c x[b, u, v, c] · K[i, j, f, c]
        y = activation(crop(y_full) + b)

    With strides 2 and padding='same' it doubles height and width (the decoder half of an
    autoencoder).

    Shapes: x ``(batch, H, W, C)``, K (``kernel``) ``(kh, kw, filters, C)``, b (``bias``)
    ``(filters,)``, y ``(batch, H', W', filters)``, each axis by the Conv1DTranspose rule.
    Parameters ``kh·kw·filters·C + filters``.

    Backward: as in Conv1DTranspose, over both axes (forward and backward are
    _ConvTranspose's).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        unsupported = dict(kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                           activity_regularizer=activity_regularizer,
                           kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, unsupported, **kwargs)


# Keras' aliases
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
