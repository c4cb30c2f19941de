"""Regularising noise, active only in training (``fit``; ``training=True``): SpatialDropout1D/2D
(drop whole channels), GaussianNoise (add noise), GaussianDropout (multiply by noise) and
AlphaDropout (dropout that keeps SELU's mean and variance). At inference each is ``y = x``.

Every one is affine in ``x`` for a fixed draw of the noise, ``y = m·x + c``, so its backward
is ``dx = m·dy``. A ``seed`` gives the layer a generator of its own (the same draws on every
run); without one the draws come from ``kteach.utils.set_random_seed``'s generator.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import random
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import check_spatial_input
from .core import Dropout


def _rate(rate: Any, layer: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(
            f"Invalid value received for argument `rate` of {layer}: expected a number in "
            f"[0, 1) (the fraction of values to drop), received {rate!r}. For example "
            f"{layer}(0.2).")
    return float(rate)


class _Noise(Layer):
    """What the noise layers share: a seed, a generator, and the identity at inference."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def backward(self, m, dy):
        return dy if m is None else dy * m, []

    def _generator(self) -> np.random.Generator:
        return self._rng or random.rng()


# ----- SpatialDropout ---------------------------------------------------------------------------
class SpatialDropout1D(Dropout):
    """Dropout of whole channels: in training each channel of a sample is kept (and scaled by
    ``1/(1 − rate)``) or zeroed at *every* step together. ``(batch, steps, C)`` → same.

    ``y[b, t, c] = x[b, t, c] · mask[b, c] / (1 − rate)``, ``mask ~ Bernoulli(1 − rate)``;
    backward ``dx[b, t, c] = dy[b, t, c] · mask[b, c] / (1 − rate)``.
    Neighbouring steps are strongly correlated, so dropping single values regularises little.
    """

    rank = 1
    _config_keys = ("rate", "seed")
    _keras_build_config = False     # Keras' SpatialDropout has no build()

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(_rate(rate, type(self).__name__), seed=seed, **kwargs)
        self.noise_shape = (None,) + (1,) * self.rank + (None,)   # one draw per sample, channel

    def build(self, input_shape):
        check_spatial_input(self, input_shape, self.rank)

    _keras_plain_dtype = True       # Keras writes "dtype": "float32", not a DTypePolicy

    def get_config(self) -> dict:
        """As Keras 3.15.1 writes it: no ``trainable`` (their ``__init__`` has none) and the
        ``dtype`` as a plain name (``_keras_plain_dtype`` tells the serializer)."""
        config = super().get_config()
        del config["trainable"]
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps: in training each channel of an image is kept (scaled by
    ``1/(1 − rate)``) or zeroed at every pixel together. ``(batch, H, W, C)`` → same.

    ``y[b, i, j, c] = x[b, i, j, c] · mask[b, c] / (1 − rate)``; backward
    ``dx = dy · mask[b, c] / (1 − rate)``.
    """

    rank = 2
    _config_keys = ("rate", "seed", "data_format")

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        from .convolutional import check_channels_last
        check_channels_last(data_format, "SpatialDropout2D")
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = "channels_last"


# ----- GaussianNoise ------------------------------------------------------------------------------
class GaussianNoise(_Noise):
    """Add zero-mean noise in training: ``y = x + ε``, ``ε ~ N(0, stddev²)`` (any shape).

    Backward: ``dx = dy`` (the noise does not depend on x).
    """

    _config_keys = ("stddev", "seed")

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float)) or not 0 <= stddev <= 1:
            raise ValueError(f"Invalid value received for argument `stddev` of GaussianNoise: "
                             f"expected a number in [0, 1], received {stddev!r}. For example "
                             f"GaussianNoise(0.1).")
        self.stddev = float(stddev)

    def forward(self, x, training=False):
        if not training or self.stddev == 0:
            return x, None
        epsilon = self._generator().normal(0.0, self.stddev, size=x.shape).astype(x.dtype)
        return x + epsilon, None

    def formula(self, input_shape, output_shape):
        return (f"y = x + ε, ε ~ N(0, {self.stddev:g}²) in training, y = x otherwise : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- GaussianDropout ----------------------------------------------------------------------------
class GaussianDropout(_Noise):
    """Multiply by noise of mean 1 in training: ``y = x · m``,
    ``m ~ N(1, σ²)`` with ``σ = √(rate / (1 − rate))`` (the variance of Dropout's scaled mask).

    Backward: ``dx = dy · m``.
    """

    _config_keys = ("rate", "seed")

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _rate(rate, "GaussianDropout")

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            return x, None
        sigma = math.sqrt(self.rate / (1 - self.rate))
        m = self._generator().normal(1.0, sigma, size=x.shape).astype(x.dtype)
        return x * m, m

    def formula(self, input_shape, output_shape):
        sigma = math.sqrt(self.rate / (1 - self.rate))
        return (f"y = x·m, m ~ N(1, {sigma:.4g}²) in training, y = x otherwise : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- AlphaDropout -------------------------------------------------------------------------------
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_Noise):
    """Dropout for SELU networks: a dropped value becomes SELU's floor ``α' = −α·scale`` (not
    0), then an affine map restores the mean 0 and variance 1 of SELU's outputs. In training,
    with ``k ~ Bernoulli(1 − rate)`` per value (or per ``noise_shape`` entry):

    ``y = a · (x·k + α'·(1 − k)) + b``, ``a = ((1 − rate)(1 + rate·α'²))^(−1/2)``,
    ``b = −a·α'·rate``.

    Backward: ``dx = a · k · dy``.
    """

    _config_keys = ("rate", "seed", "noise_shape")

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _rate(rate, "AlphaDropout")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            return x, None
        shape = x.shape if self.noise_shape is None else tuple(
            s if n is None else n for n, s in zip(self.noise_shape, x.shape))
        k = (self._generator().random(shape) >= self.rate).astype(x.dtype)
        alpha_p, a, b = self._affine()
        y = a * (x * k + alpha_p * (1 - k)) + b
        return y.astype(x.dtype, copy=False), np.broadcast_to(a * k, x.shape).astype(x.dtype)

    def _affine(self) -> tuple[float, float, float]:
        alpha_p = -SELU_ALPHA * SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        return alpha_p, a, -a * alpha_p * self.rate

    def formula(self, input_shape, output_shape):
        alpha_p, a, b = self._affine()
        return (f"y = {a:.4g}·(x·k {alpha_p:+.4g}·(1 − k)) {b:+.4g}, k ~ Bernoulli("
                f"{1 - self.rate:g}) in training, y = x otherwise : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- ActivityRegularization -----------------------------------------------------------------------
class ActivityRegularization(Layer):
    """``y = x``, and a penalty on x joins the loss (``layer.losses``):
    ``penalty = (l1·Σ|x| + l2·Σx²) / batch_size`` for the latest call.

    Backward: ``dx = dy + (l1·sign(x) + 2·l2·x) / batch_size`` (the penalty's gradient is
    added where it was taken).
    """

    _config_keys = ("l1", "l2")

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        from .. import regularizers
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)
        self.l1, self.l2 = self.activity_regularizer.l1, self.activity_regularizer.l2

    def forward(self, x, training=False):
        self._activity_penalty(x)
        return x, x

    def backward(self, x, dy):
        return self._activity_gradient(x, dy), []

    def get_config(self) -> dict:
        """Keras writes ``l1`` and ``l2`` only, not the regularizer they make."""
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return config

    def formula(self, input_shape, output_shape):
        return (f"y = x, loss += ({self.l1:g}·Σ|x| + {self.l2:g}·Σx²)/batch : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")
