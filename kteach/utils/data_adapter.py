"""Data that arrives batch by batch: ``kteach.utils.PyDataset`` and Python generators.

``fit``, ``evaluate`` and ``predict`` take, besides arrays, an object that hands out whole
batches: a :class:`PyDataset` (``len(ds)`` batches, ``ds[i]`` is batch ``i``) or a Python
generator / iterator (batches until it stops). A batch is ``x``, ``(x,)``, ``(x, y)`` or
``(x, y, sample_weight)``. As in Keras 3:

* a PyDataset's batch order is shuffled every epoch when ``shuffle=True``; its
  ``on_epoch_end()`` is called once before training and after every epoch;
* a generator cannot be restarted: give ``steps_per_epoch`` for one that never stops. Its
  first two batches are read before training (to check and build the model) and every new
  pass -- each epoch without ``steps_per_epoch``, each validation -- starts with those two
  again, then goes on where the generator is; when it ends, Keras' "ran out of data"
  warning ends the epoch;
* ``batch_size`` is ignored (the source decides it) and ``validation_split`` is refused.
"""
from __future__ import annotations

import inspect
import itertools
from typing import Any, Iterator

__all__ = ["PyDataset", "is_batch_source", "unpack_batch", "SourcePass"]


class PyDataset:
    """Base class for a data set that hands out batches by index.

    A subclass calls ``super().__init__(**kwargs)`` and writes ``__len__`` (the number of
    batches) and ``__getitem__(i)`` (batch ``i``: ``(x, y)``, ``(x, y, sample_weight)`` or
    ``x``); optionally ``on_epoch_begin``/``on_epoch_end`` (e.g. to reshuffle samples).
    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are kept for Keras'
    signature; kteach always reads the batches one after another in the main process.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers, self._use_multiprocessing = workers, use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must write __getitem__(self, index), returning batch "
            "number `index` as (x, y) or (x, y, sample_weight).")

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must write __len__(self), the number of batches.")

    @property
    def num_batches(self) -> int | None:
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each epoch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch (and once before training, as Keras does)."""


def is_batch_source(x: Any) -> bool:
    """True for a PyDataset, a generator or another iterator (not for arrays or lists)."""
    return isinstance(x, PyDataset) or inspect.isgenerator(x) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__"))


def unpack_batch(batch: Any, where: str = "batch") -> tuple[Any, Any, Any]:
    """``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> ``(x, y, sample_weight)``.
    A list is read as a tuple, as Keras does (so ``[x, y]`` is inputs and targets)."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(
                f"Each {where} must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple "
                f"of {len(batch)} items. Return at most (inputs, targets, sample weights).")
        return (tuple(batch) + (None, None))[:3]
    return batch, None, None


class SourcePass:
    """Passes over a batch source, for the epoch loop: ``new_pass()`` gives an iterator of
    raw batches, ``num_batches`` is ``len`` of a PyDataset (None for a generator)."""

    def __init__(self, source: Any, shuffle: bool, rng: Any):
        if isinstance(source, list):
            raise TypeError("A list of batches is not a batch source; use a generator.")
        self.source, self.shuffle, self.rng = source, shuffle, rng
        self.is_dataset = isinstance(source, PyDataset)
        self.num_batches = len(source) if self.is_dataset else None
        if not self.is_dataset:
            # As Keras: the first two batches are read now (to check and build the model
            # from), and every new pass over a generator starts with them again.
            self._rest = iter(source)
            self._first = list(itertools.islice(self._rest, 2))
            if not self._first:
                raise ValueError(
                    "When passing a Python generator to a Keras model, the generator must "
                    "yield at least one batch. Received an empty generator. (A generator is "
                    "used up once read: make a new one for each fit/evaluate/predict call.)")

    def begin(self) -> None:
        """Before training: Keras' iterator reset calls the data set's on_epoch_end once."""
        if self.is_dataset:
            self.source.on_epoch_end()

    def epoch_begin(self) -> None:
        if self.is_dataset:
            self.source.on_epoch_begin()

    def epoch_end(self) -> None:
        if self.is_dataset:
            self.source.on_epoch_end()

    def peek(self) -> Any:
        """The first batch, without using it up, so that the model can check and build from
        it before training starts."""
        return self.source[0] if self.is_dataset else self._first[0]

    def new_pass(self) -> Iterator[Any]:
        if not self.is_dataset:   # the two first batches again, then where the generator is
            return itertools.chain(self._first, self._rest)
        order = self.rng().permutation(self.num_batches) if self.shuffle else \
            range(self.num_batches)
        return (self.source[int(i)] for i in order)
