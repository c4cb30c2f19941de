"""``timeseries_dataset_from_array``: sliding windows over a series, in batches.

Keras 3 returns a ``tf.data.Dataset``; kteach returns a :class:`kteach.utils.PyDataset` with
the same batches in the same order, which ``fit``, ``evaluate`` and ``predict`` take.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import random
from .data_adapter import PyDataset


class TimeseriesDataset(PyDataset):
    """Windows of a series: sample ``i`` starts at ``start_index + p_i`` and reads every
    ``sampling_rate``-th step, ``sequence_length`` steps in all:

        x_i = data[start_index + p_i + sampling_rate·[0, 1, …, sequence_length − 1]]
        y_i = targets[start_index + p_i]

    with ``p_i = 0, sequence_stride, 2·sequence_stride, …`` (shuffled with ``shuffle=True``).
    Batch ``b`` holds samples ``b·batch_size …`` (the last batch may be smaller): ``x`` of
    shape ``(batch, sequence_length, *data.shape[1:])``, ``y`` of ``(batch,
    *targets.shape[1:])``. With ``batch_size=None`` each item is one sample.
    """

    def __init__(self, data: np.ndarray, targets: np.ndarray | None, positions: np.ndarray,
                 sequence_length: int, sampling_rate: int, batch_size: int | None,
                 start_index: int, shuffle: bool, seed: int | None):
        super().__init__()
        self.data, self.targets = data, targets
        self.positions = positions
        self.sequence_length, self.sampling_rate = sequence_length, sampling_rate
        self.batch_size, self.start_index = batch_size, start_index
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed) if shuffle else None

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.positions)
        return math.ceil(len(self.positions) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} of a timeseries dataset of {len(self)} batches")
        index %= len(self)
        size = 1 if self.batch_size is None else self.batch_size
        starts = self.start_index + self.positions[index * size:(index + 1) * size]
        steps = starts[:, None] + self.sampling_rate * np.arange(self.sequence_length)
        x = self.data[steps]
        y = None if self.targets is None else self.targets[starts]
        if self.batch_size is None:
            x = x[0]
            y = None if y is None else y[0]
        return x if y is None else (x, y)

    def on_epoch_end(self) -> None:
        """With ``shuffle=True`` the samples are dealt afresh after every epoch (as a
        ``tf.data`` shuffle draws a new order on every pass)."""
        if self.shuffle:
            self._rng.shuffle(self.positions)


def _check_range(data_length: int, start_index, end_index, sequence_stride,
                 sampling_rate) -> None:
    """Keras' checks, in Keras' order and words."""
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= data_length:
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length "
                             f"{data_length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= data_length:
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length "
                             f"{data_length}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    for what, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{what}` must be higher than 0. Received: {what}={value}")
        if value >= data_length:
            raise ValueError(f"`{what}` must be lower than the length of the data. Received: "
                             f"{what}={value}, for data of length {data_length}")


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None,
                                  format: str = "tf") -> TimeseriesDataset:
    """Sliding windows over ``data`` (steps along axis 0), with the target of each window's
    first step (``targets[start_index + p]``; ``targets=None`` for windows only).

    The windows start at ``0, sequence_stride, …`` after ``start_index`` and must end
    before ``end_index`` (default: the end of ``data``): there are
    ``n = end − start − (sequence_length − 1)·sampling_rate`` start positions (fewer if
    ``targets`` is shorter), every ``sequence_stride``-th of them used. For example
    ``timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, batch_size=2)``
    gives ``[[0 1 2] [1 2 3]]``, ``[[2 3 4] [3 4 5]]``, …, ``[[6 7 8] [7 8 9]]``.

    ``shuffle=True`` deals the windows in the order ``np.random.RandomState(seed)`` shuffles
    them to, as Keras does first; Keras then shuffles again inside ``tf.data`` (a buffer of
    ``8·batch_size``), which kteach does not reproduce: with shuffling the windows and their
    targets are the same as Keras', their order is not. ``format`` is accepted as in Keras
    ('tf' or 'grain'); kteach always returns its PyDataset.
    """
    data = np.asarray(data)
    _check_range(len(data), start_index, end_index, sequence_stride, sampling_rate)
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    start = 0 if start_index is None else start_index
    end = len(data) if end_index is None else end_index
    n = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        n = min(n, len(targets))        # (Keras' formula, though targets start at start_index)
    positions = np.arange(0, max(n, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = int(random.rng().integers(1e6))
        np.random.RandomState(seed).shuffle(positions)
    return TimeseriesDataset(data, targets, positions, sequence_length, sampling_rate,
                             batch_size, start, shuffle, seed)
