"""Losses and metrics on a masked output: padded steps do not count.

When a mask reaches a model's output (``Embedding(mask_zero=True)`` → ``LSTM(...,
return_sequences=True)`` → ``Dense``), Keras 3 turns it into sample weights, ``m = 1`` for
real steps and 0 for padding, multiplied into any ``sample_weight`` the data gives:

* the loss (default reduction ``sum_over_batch_size``) scales the mask by
  ``count / Σm``, so that the mean over *all* entries becomes the mean over the real ones:
  ``loss = Σ L·w·m / Σ m`` (``count`` = the number of entries; ``Σ m = 0`` gives weight 0, so
  loss 0). With ``reduction='sum'`` the mask is used as it is: ``Σ L·w·m``.
* a metric weights each entry by ``w·m``: ``mae = Σ |y − p|·w·m / Σ w·m``.

Note the loss divides by ``Σ m``, not by ``Σ w·m``: sample weights still scale the loss, as
without a mask. (Keras' JAX backend loses the mask between the loss and the metrics of a
training step, so there ``fit``'s metrics count the padding; its ``evaluate`` and the
other backends leave it out, as kteach does everywhere.)
"""
from __future__ import annotations

from typing import Any

import numpy as np


def output_masks(cache: Any, n_outputs: int) -> list:
    """The mask that reached each output in the forward pass whose cache this is (None for
    outputs without one; all None for a model without a graph)."""
    masks = getattr(cache, "output_masks", None)
    if masks is None and hasattr(cache, "tape"):   # a subclassed model: masks on its Tensors
        masks = [getattr(o, "_keras_mask", None) for o in cache.outputs]
    return list(masks) if masks else [None] * n_outputs


def loss_weights(sample_weight: Any, mask: np.ndarray | None, reduction: Any) -> Any:
    """The sample weights a loss uses on a masked output (Keras' ``apply_mask``)."""
    if mask is None:
        return sample_weight
    m = np.asarray(mask, dtype="float32")
    if reduction in ("sum_over_batch_size", "mean"):
        valid = m.sum()
        m = m * (m.size / valid if valid else 0.0)   # real entries weigh count / Σm
    return _times(sample_weight, m)


def metric_weights(sample_weight: Any, mask: np.ndarray | None) -> Any:
    """The sample weights a metric uses on a masked output: ``w·m``."""
    if mask is None:
        return sample_weight
    return _times(sample_weight, np.asarray(mask, dtype="float32"))


def _times(sample_weight: Any, m: np.ndarray) -> np.ndarray:
    """``w·m``; per-sample weights ``(b,)`` spread over the steps of each sample. (Keras 3
    fails there with a broadcasting error; kteach gives each step its sample's weight.)"""
    if sample_weight is None:
        return m
    w = np.asarray(sample_weight, dtype="float32")
    while w.ndim > m.ndim and w.shape[-1] == 1:
        w = w[..., 0]
    while w.ndim < m.ndim:
        w = w[..., np.newaxis]
    return w * m
