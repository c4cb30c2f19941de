"""Masking, and which layers pass a mask on.

``Masking(mask_value=0.0)`` marks a time step as padding when every feature of it equals
``mask_value``; such steps are set to 0 and the mask (``(b, T)``, True for real steps)
travels on to the next layers (see :mod:`kteach.engine.masking`).

The table :data:`PASS_MASK_ON` lists the layers that hand their input's mask on unchanged,
as Keras 3 marks them (``supports_masking = True`` there): they work step by step or feature
by feature, so a padded step stays a padded step. Every other layer without its own
``compute_mask`` (Flatten, Reshape, Conv1D, pooling over steps, ...) drops the mask with
Keras' warning: after it, a step no longer means a step.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from . import activation_layers, attention, core, noise, normalization, preprocessing, wrappers


class Masking(Layer):
    """Mark padded steps: ``keep[b, t] = any_j (x[b, t, j] ≠ mask_value)``.

    Shapes: x ``(b, T, n)`` → y ``(b, T, n)`` and the mask ``keep`` ``(b, T)``.
    ``y[b, t] = x[b, t] · keep[b, t]`` (a masked step becomes zeros, as in Keras).
    Backward: ``dx[b, t] = dy[b, t] · keep[b, t]``; no weights.
    """

    _config_keys = ("mask_value",)
    _keras_build_config = False

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float, np.number)):
            raise ValueError(
                f"Masking(mask_value=...) takes the number that fills padded steps, e.g. "
                f"Masking(mask_value=0.0); received {mask_value!r}.")
        self.mask_value = float(mask_value)
        self.supports_masking = True
        self.built = True

    def forward(self, x, training=False):
        keep = self.compute_mask(x)[..., np.newaxis]          # (b, T, 1)
        return np.where(keep, x, 0).astype(x.dtype, copy=False), keep

    def backward(self, keep, dy):
        return dy * keep, []

    def compute_mask(self, inputs, mask=None):
        """A step is real where any of its features differs from ``mask_value``."""
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def formula(self, input_shape, output_shape):
        return (f"keep[b, t] = any_j(x[b, t, j] ≠ {self.mask_value:g}), y = x·keep : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}, mask "
                f"{format_shape(tuple(input_shape)[:-1])}")


# Keras 3 layers with supports_masking = True and no compute_mask of their own: the output
# keeps the input's mask. (Embedding, Masking, the recurrent layers, Bidirectional, the merge
# layers and GlobalAveragePooling1D write their own compute_mask.)
PASS_MASK_ON = (
    core.Dense, core.Activation, core.Dropout,
    activation_layers.ELU, activation_layers.LeakyReLU, activation_layers.PReLU,
    activation_layers.ReLU, activation_layers.Softmax, activation_layers.Identity,
    activation_layers.UnitNormalization,
    noise.GaussianNoise, noise.GaussianDropout, noise.AlphaDropout, noise.ActivityRegularization,
    normalization.BatchNormalization, normalization.LayerNormalization,
    preprocessing.Rescaling, preprocessing.Normalization,
    wrappers.TimeDistributed,
)
for _cls in PASS_MASK_ON:
    _cls._supports_masking = True

# Keras 3's attention layers turn the masks of their inputs into an attention mask; kteach's
# do not apply masks yet, so they say so rather than silently attend to the padding.
for _cls in (attention.Attention, attention.MultiHeadAttention):
    _cls._mask_refusal = (
        "Keras would keep the padded steps out of the attention; kteach's attention layers do "
        "not apply masks yet. Remove mask_zero=True / the Masking layer before it (the "
        "padding is then attended to like any token).")
