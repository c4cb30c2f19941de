"""The cross-entropy losses as metrics: their per-sample values averaged over an epoch."""
from __future__ import annotations

from typing import Any


from .. import losses
from ..engine.errors import (check_keywords)
from .base import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.binary_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.categorical_crossentropy` over all samples."""

    @check_keywords
    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1) -> None:
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of :func:`kteach.losses.sparse_categorical_crossentropy`."""

    @check_keywords
    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, ignore_class: int | None = None,
                 axis: int = -1) -> None:
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
