"""Depthwise and separable convolutions (2D, channels_last): DepthwiseConv2D, SeparableConv2D.

A depthwise convolution gives every input channel its own ``depth_multiplier`` small kernels
and never mixes channels: channel ``c`` of the input makes output channels ``c·m … c·m + m − 1``::

    z[b, u, v, c·m + j] = Σ_{p,q} x_pad[b, u·sh + p·dh, v·sw + q·dw, c] · D[p, q, c, j]

A separable convolution is a depthwise convolution followed by a 1×1 (pointwise) convolution
that mixes the ``C·m`` channels into ``filters``: far fewer weights than a full Conv2D
(``kh·kw·C·m + C·m·filters`` instead of ``kh·kw·C·filters``).

Windows, padding, strides and dilation are those of Conv2D (kteach/layers/convolutional.py):
the same :func:`windows` gathers each position's window, and backward adds the window
gradients back with :func:`add_windows`.
"""
from __future__ import annotations

import numpy as np

from .. import activations, initializers
from ..engine.errors import ShapeError, refuse_unsupported
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import (add_windows, as_int_tuple, check_channels_last, check_padding,
                            check_spatial_input, check_strides_and_dilation, crop, output_sizes,
                            pad, paddings, spans, windows)
from .core import _positive_int


def depthwise(layer: Layer, x: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``z[b, u, v, c·m + j] = Σ_{p,q} win[b, u, v, p, q, c] · D[p, q, c, j]`` and what its
    backward needs."""
    span = spans(layer.kernel_size, layer.dilation_rate)
    spatial = x.shape[1:-1]
    out = output_sizes(layer, spatial, span, layer.strides, layer.padding, layer._window())
    pads = paddings(spatial, span, layer.strides, layer.padding)
    xp = pad(x, pads)
    win = windows(xp, layer.kernel_size, layer.strides, layer.dilation_rate, out)
    z = np.einsum("buvpqc,pqcj->buvcj", win, D)
    return z.reshape(z.shape[:3] + (-1,)), (xp.shape, pads, win)


def depthwise_backward(layer: Layer, cache: tuple, D: np.ndarray,
                       dz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``dD = Σ_{b,u,v} win ⊗ dz`` per channel, and ``dx`` from the windows' gradients."""
    xp_shape, pads, win = cache
    dz = dz.reshape(dz.shape[:3] + D.shape[2:])            # (batch, u, v, C, m)
    dD = np.einsum("buvpqc,buvcj->pqcj", win, dz)
    dwin = np.einsum("buvcj,pqcj->buvpqc", dz, D)
    dx = crop(add_windows(dwin, xp_shape, layer.kernel_size, layer.strides,
                          layer.dilation_rate), pads)
    return dx, dD


class _Depthwise(Layer):
    """The arguments, checks and shapes that DepthwiseConv2D and SeparableConv2D share."""

    _float_inputs = True        # integer input computes in the layer's dtype

    def _setup(self, kernel_size, strides, padding, data_format, dilation_rate,
               depth_multiplier, activation, use_bias, bias_initializer) -> None:
        kind = type(self).__name__
        check_channels_last(data_format, kind)
        self.depth_multiplier = _positive_int(depth_multiplier, "depth_multiplier", kind)
        self.kernel_size = as_int_tuple(kernel_size, 2, "kernel_size", kind)
        self.strides = as_int_tuple(strides, 2, "strides", kind)
        self.dilation_rate = as_int_tuple(dilation_rate, 2, "dilation_rate", kind)
        self.padding = check_padding(padding, ("valid", "same"), kind)
        check_strides_and_dilation(self.strides, self.dilation_rate)
        self.data_format = "channels_last"
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)

    def _channels(self, input_shape) -> int:
        check_spatial_input(self, input_shape, 2)
        if input_shape[-1] is None:
            raise ShapeError(f"{type(self).__name__} layer '{self.name}' needs to know the "
                             f"number of channels (the last axis), but got shape "
                             f"{format_shape(input_shape)}.")
        return input_shape[-1]

    def check_input_shape(self, shape):
        check_spatial_input(self, shape, 2, self._build_input_shape[-1])

    def _window(self) -> str:
        text = f"kernel_size={self.kernel_size}"
        if max(self.dilation_rate) > 1:
            text += f", dilation_rate={self.dilation_rate}"
        return text

    def _out_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 2)
        span = spans(self.kernel_size, self.dilation_rate)
        out = output_sizes(self, tuple(input_shape[1:-1]), span, self.strides, self.padding,
                           self._window())
        return (input_shape[0],) + out + (self._out_channels(input_shape[-1]),)


class DepthwiseConv2D(_Depthwise):
    """Depthwise 2D convolution: each channel is convolved on its own::

        z[b, u, v, c·m + j] = Σ_{p,q} x_pad[b, u·sh + p·dh, v·sw + q·dw, c] · D[p, q, c, j] + b[c·m + j]
        y = activation(z)

    Shapes: x ``(batch, H, W, C)``, D (``kernel``) ``(kh, kw, C, m)`` with ``m`` =
    ``depth_multiplier``, b (``bias``) ``(C·m,)``, y ``(batch, H', W', C·m)`` with ``H'``,
    ``W'`` as in Conv2D.

    Backward, with ``dz = dy · activation'(z)``:
    ``dD[p, q, c, j] = Σ_{b,u,v} x_pad[b, u·sh + p·dh, v·sw + q·dw, c] · dz[b, u, v, c·m + j]``,
    ``db = Σ dz``, and ``dx`` adds ``dz[.., c·m + j] · D[p, q, c, j]`` back onto every input
    position each window read.
    """

    _config_keys = ("depth_multiplier", "kernel_size", "strides", "padding", "data_format",
                    "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                    "bias_initializer")
    _keras_config = {"depthwise_regularizer": None, "bias_regularizer": None,
                     "activity_regularizer": None, "depthwise_constraint": None,
                     "bias_constraint": None}

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        refuse_unsupported("DepthwiseConv2D", depthwise_regularizer=depthwise_regularizer,
                           bias_regularizer=bias_regularizer,
                           activity_regularizer=activity_regularizer,
                           depthwise_constraint=depthwise_constraint,
                           bias_constraint=bias_constraint)
        self._setup(kernel_size, strides, padding, data_format, dilation_rate,
                    depth_multiplier, activation, use_bias, bias_initializer)
        self.depthwise_initializer = initializers.get(depthwise_initializer)

    def forward(self, x, training=False):
        z, conv_cache = depthwise(self, x, self.kernel.value)
        if self.use_bias:
            z = z + self.bias.value
        y = self.activation(z)
        return y, (conv_cache, z, y)

    def backward(self, cache, dy):
        conv_cache, z, y = cache
        dz = activations.backward(self.activation, z, y, dy)
        dx, dD = depthwise_backward(self, conv_cache, self.kernel.value, dz)
        if self.use_bias:
            return dx, [dD, dz.sum(axis=(0, 1, 2))]
        return dx, [dD]

    def build(self, input_shape):
        C = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (C, self.depth_multiplier),
                                      self.depthwise_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (C * self.depth_multiplier,),
                                        self.bias_initializer)

    def formula(self, input_shape, output_shape):
        z = f"depthwise(x, D) : {format_shape(input_shape)} ⊛ {format_shape(self.kernel.shape)}"
        z = f"{z} + {format_shape(self.bias.shape)}" if self.use_bias else z
        act = activations.serialize(self.activation)
        y = format_shape(output_shape)
        return f"y = {z} → {y}" if act == "linear" else f"y = {act}(z), z = {z} → {y}"


class SeparableConv2D(_Depthwise):
    """Separable 2D convolution: a depthwise convolution (no bias), then a 1×1 convolution
    that mixes the channels::

        h = depthwise(x, D)                              (batch, H', W', C·m), as DepthwiseConv2D
        z[b, u, v, f] = Σ_k h[b, u, v, k] · P[0, 0, k, f] + b[f],   y = activation(z)

    Shapes: x ``(batch, H, W, C)``, D (``depthwise_kernel``) ``(kh, kw, C, m)``, P
    (``pointwise_kernel``) ``(1, 1, C·m, filters)``, b (``bias``) ``(filters,)``,
    y ``(batch, H', W', filters)``.

    Backward: ``dz = dy · activation'(z)``, ``dP = Σ hᵀ·dz``, ``db = Σ dz``, ``dh = dz·Pᵀ``,
    then DepthwiseConv2D's backward of ``dh`` gives ``dD`` and ``dx``.
    """

    _config_keys = ("depth_multiplier", "filters", "kernel_size", "strides", "padding",
                    "data_format", "dilation_rate", "activation", "use_bias",
                    "depthwise_initializer", "pointwise_initializer", "bias_initializer")
    _keras_config = {"depthwise_regularizer": None, "pointwise_regularizer": None,
                     "bias_regularizer": None, "activity_regularizer": None,
                     "depthwise_constraint": None, "pointwise_constraint": None,
                     "bias_constraint": None}

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        refuse_unsupported("SeparableConv2D", depthwise_regularizer=depthwise_regularizer,
                           pointwise_regularizer=pointwise_regularizer,
                           bias_regularizer=bias_regularizer,
                           activity_regularizer=activity_regularizer,
                           depthwise_constraint=depthwise_constraint,
                           pointwise_constraint=pointwise_constraint,
                           bias_constraint=bias_constraint)
        self.filters = _positive_int(filters, "filters", "SeparableConv2D")
        self._setup(kernel_size, strides, padding, data_format, dilation_rate,
                    depth_multiplier, activation, use_bias, bias_initializer)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)

    def forward(self, x, training=False):
        h, conv_cache = depthwise(self, x, self.depthwise_kernel.value)
        P = self.pointwise_kernel.value[0, 0]                   # (C·m, filters)
        z = h @ P
        if self.use_bias:
            z = z + self.bias.value
        y = self.activation(z)
        return y, (conv_cache, h, z, y)

    def backward(self, cache, dy):
        conv_cache, h, z, y = cache
        P = self.pointwise_kernel.value[0, 0]
        dz = activations.backward(self.activation, z, y, dy)
        dP = np.einsum("buvk,buvf->kf", h, dz)[None, None]
        dh = dz @ P.T
        dx, dD = depthwise_backward(self, conv_cache, self.depthwise_kernel.value, dh)
        if self.use_bias:
            return dx, [dD, dP, dz.sum(axis=(0, 1, 2))]
        return dx, [dD, dP]

    def _out_channels(self, channels: int) -> int:
        return self.filters

    def build(self, input_shape):
        C = self._channels(input_shape)
        m = self.depth_multiplier
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (C, m),
                                                self.depthwise_initializer)
        self.pointwise_kernel = self.add_weight("pointwise_kernel", (1, 1, C * m, self.filters),
                                                self.pointwise_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)

    def formula(self, input_shape, output_shape):
        z = (f"depthwise(x, D)·P : {format_shape(input_shape)} ⊛ "
             f"{format_shape(self.depthwise_kernel.shape)} · "
             f"{format_shape(self.pointwise_kernel.shape)}")
        z = f"{z} + {format_shape(self.bias.shape)}" if self.use_bias else z
        act = activations.serialize(self.activation)
        y = format_shape(output_shape)
        return f"y = {z} → {y}" if act == "linear" else f"y = {act}(z), z = {z} → {y}"


# Keras' aliases
SeparableConvolution2D = SeparableConv2D
