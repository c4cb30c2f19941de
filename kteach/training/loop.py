"""The loops of fit and evaluate: batches, epochs, validation, and the callbacks' hooks.

``fit`` hands :func:`fit_epochs` a :class:`BatchStream` (arrays cut into batches, or the
ready-made batches of a PyDataset or a generator, already checked) and a function that
validates; from there on arrays and batch sources run the very same loop::

    on_train_begin
    for each epoch:   on_epoch_begin
                      for each batch:  on_train_batch_begin, one training step, on_train_batch_end
                      validation (on_test_begin ... on_test_end), on_epoch_end
    on_train_end

One training step is ``Trainer._train_batch`` (or the model's own ``train_step``).
"""
from __future__ import annotations

import sys
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from ..engine import graph, random
from ..engine.errors import NotSupportedError, NumericalError
from .callbacks import CallbackList, History, TerminateOnNaN
from .progress import Progbar, ProgbarLogger


class NonFiniteLoss(Exception):
    """A training step met a NaN or infinite loss; the loop turns it into a clear error."""

    def __init__(self, value: float):
        self.value = value


# ----- batches -------------------------------------------------------------------------------
def batch_indices(n: int, batch_size: int, order: np.ndarray | None) -> Iterator:
    """Slices (in order) or index arrays (a shuffled ``order``) of ``batch_size`` samples."""
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield (slice(start, stop) if order is None else order[start:stop])


def ran_out_warning() -> None:
    warnings.warn("Your input ran out of data; interrupting training. Make sure that your "
                  "dataset or generator can generate at least `steps_per_epoch * epochs` "
                  "batches. (With arrays: steps_per_epoch larger than ⌈samples / batch_size⌉ "
                  "only ends each epoch early; leave it out to use all the data every epoch.)",
                  stacklevel=4)


class BatchStream:
    """The batches of fit, evaluate or validation, handed out epoch by epoch as Keras'
    EpochIterator does. Each item is ``(xs, ys, sample_weights)``, lists ready for a step.

    From arrays: ``BatchStream(batch_size, shuffle, steps, arrays=(xs, ys, sample_weights))``
    cuts them into batches (shuffled anew each pass). From a batch source:
    ``BatchStream(1, shuffle, steps, source=SourcePass(...), prepare=...)`` takes its raw
    batches and checks each with ``prepare(batch) -> (xs, ys, sample_weights)``.

    Without ``steps`` every epoch is one pass over the data. With it, an epoch takes the
    next ``steps`` batches of the current pass, so a pass is spread over several epochs; an
    epoch that reaches the end of a pass stops there (with Keras' warning if it wanted more)
    and the next epoch starts a new pass.
    """

    def __init__(self, batch_size: int, shuffle: bool, steps: int | None,
                 arrays: tuple | None = None, source: Any = None,
                 prepare: Callable[[Any], tuple] | None = None):
        self.batch_size, self.shuffle, self.steps_per_epoch = batch_size, shuffle, steps
        self.arrays, self.source, self.prepare = arrays, source, prepare
        self.n = len(arrays[0][0]) if arrays is not None else 0
        self.num_batches = source.num_batches if source is not None else -(-self.n // batch_size)
        self.batches_per_epoch = steps or self.num_batches   # None: not known ahead
        self._pass, self._seen = None, 0

    def begin(self) -> None:
        """Before the first epoch (a PyDataset hears on_epoch_end once, as in Keras)."""
        if self.source is not None:
            self.source.begin()

    def epoch(self) -> Iterator[tuple[list, list, list | None]]:
        """This epoch's batches, each ``(xs, ys, sample_weights)``."""
        if self.source is not None:
            self.source.epoch_begin()
            for batch in self._epoch_items():
                yield self.prepare(batch)
            self.source.epoch_end()
            return
        xs, ys, sample_weights = self.arrays
        for idx in self._epoch_items():
            yield ([a[idx] for a in xs], [b[idx] for b in ys],
                   None if sample_weights is None else
                   [None if w is None else w[idx] for w in sample_weights])

    def is_last(self, step: int) -> bool:
        """Whether batch ``step`` (from 0) ends this epoch, when that is known ahead."""
        ends = [n for n in (self.steps_per_epoch, self.num_batches) if n is not None]
        return bool(ends) and step + 1 == min(ends)

    def _new_pass(self) -> Iterator:
        if self.source is not None:
            return self.source.new_pass()
        order = random.rng().permutation(self.n) if self.shuffle else None
        return batch_indices(self.n, self.batch_size, order)

    def _epoch_items(self) -> Iterator:
        if self.steps_per_epoch is None and self.num_batches is not None:
            yield from self._new_pass()
            return
        if self._pass is None or self.steps_per_epoch is None:
            self._pass, self._seen = self._new_pass(), 0
        for _ in range(self.steps_per_epoch or sys.maxsize):
            if self.num_batches is not None and self._seen >= self.num_batches:
                ran_out_warning()
                break
            try:
                item = next(self._pass)
            except StopIteration:         # a generator that has ended
                ran_out_warning()
                self._pass = None
                break
            self._seen += 1
            yield item
        if self.num_batches is not None and self._seen >= self.num_batches:
            self._pass = None


def should_validate(epoch: int, validation_freq: Any) -> bool:
    """Keras' rule: an int validates every that many epochs, a list names the epochs (from 1)."""
    if isinstance(validation_freq, bool) or not isinstance(validation_freq, (int, list)):
        raise ValueError(
            f"Expected `validation_freq` to be a list or int. Received: validation_freq="
            f"{validation_freq} of the type {type(validation_freq)}. Give e.g. "
            "validation_freq=2 (every second epoch) or [1, 5, 10] (after those epochs).")
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def source_only(**given: Any) -> None:
    """Arguments that only arrays have, refused for a PyDataset or a generator (as Keras)."""
    if given.get("validation_split"):
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. Found "
            "a batch source (PyDataset or generator). Give validation_data=... instead.")
    if given.get("y") is not None:
        raise ValueError(
            "When x is a PyDataset or a generator, its batches hold the targets: y must not "
            "be given. Return (x, y) from each batch instead.")
    for name in ("sample_weight", "class_weight"):
        if given.get(name) is not None:
            raise NotSupportedError(
                f"kteach does not support `{name}` with a PyDataset or a generator. Return "
                f"(x, y, sample_weight) from each batch instead.")


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample from the class of its target: ``w_i = class_weight[c_i]``
    (1 for a class not in the dict). ``c_i`` is ``argmax(y_i)`` for one-hot targets
    (n, k>1), else ``round(y_i)`` (labels (n,) or (n, 1), also 0/1 for sigmoid outputs)."""
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
    classes = np.round(y).astype("int32")
    return np.array([float(class_weight.get(int(c), 1.0)) for c in classes], dtype="float32")


# ----- the loops -----------------------------------------------------------------------------
def fit_epochs(model, stream: BatchStream, validate: Callable | None, epochs: int,
               initial_epoch: int, validation_freq: Any, verbose: int, callbacks: list) -> History:
    """The whole of ``fit`` once the data is checked: epochs of batches, validation after
    the epochs ``validation_freq`` names (``validate(calls)`` returns the logs), callbacks
    around everything. Returns the History."""
    history = History()
    if verbose:
        callbacks.insert(0, ProgbarLogger())
    # as Keras: the progress bar first, History last (it sees what callbacks add to logs,
    # e.g. ReduceLROnPlateau's learning_rate)
    params = {"verbose": verbose, "epochs": epochs, "steps": stream.batches_per_epoch}
    calls = CallbackList(callbacks + [history], model, params)
    quiet_nan = any(isinstance(cb, TerminateOnNaN) for cb in callbacks)
    model.stop_training, model.history, model._initial_epoch = False, history, None
    tracers_before = list(graph.TRACERS)
    try:
        stream.begin()
        calls.call("on_train_begin", None)
        # BackupAndRestore sets _initial_epoch in on_train_begin to skip finished epochs
        initial_epoch = model._initial_epoch or initial_epoch
        logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            logs = fit_epoch(model, epoch, stream, calls, quiet_nan)
            if logs is None:          # a generator had no batch left for this epoch
                break
            if validate is not None and should_validate(epoch, validation_freq):
                logs.update({"val_" + k: v for k, v in validate(calls).items()})
            calls.call("on_epoch_end", epoch, logs)
            if model.stop_training:
                break
        if epochs > 0:   # use_ema: the weights become their moving averages (Keras)
            model.optimizer.finalize_variable_values(model.trainable_weights)
        calls.call("on_train_end", logs)
    finally:
        # a callback that listens to the layers (TrainingStats) stops listening even when
        # a batch fails
        graph.TRACERS[:] = tracers_before
    history.params = params
    history.model = model
    return history


def fit_epoch(model, epoch: int, stream: BatchStream, calls: CallbackList,
              quiet_nan: bool) -> dict | None:
    """One epoch: this epoch's batches of ``stream``, one training step each; returns the
    epoch's logs (None when a batch source had nothing left)."""
    model._reset_trackers()
    calls.call("on_epoch_begin", epoch, None)
    step = -1
    for step, (xs, ys, sample_weights) in enumerate(stream.epoch()):
        calls.call("on_train_batch_begin", step, None)
        try:
            model._step("train_step", xs, ys, sample_weights)
        except NonFiniteLoss as bad:
            if not quiet_nan:
                raise nan_error(model, bad.value, epoch, step, stream.batches_per_epoch, xs) from None
            calls.call("on_train_batch_end", step, {"loss": bad.value})
            break
        calls.call("on_train_batch_end", step, model._logs())
        if model.stop_training:
            break
    if step < 0 and stream.source is not None:
        return None
    return model._logs()


def run_test(model, stream: BatchStream, calls: CallbackList | None = None,
             bar: Progbar | None = None) -> dict[str, float]:
    """Loss and metrics over one epoch of ``stream`` in inference mode (evaluate and
    validation); ``calls`` hears the test hooks, ``bar`` shows the progress."""
    calls = calls or CallbackList([], model, {})
    model._reset_trackers()
    calls.call("on_test_begin", None)
    for step, (xs, ys, sample_weights) in enumerate(stream.epoch()):
        calls.call("on_test_batch_begin", step, None)
        model._step("test_step", xs, ys, sample_weights)
        calls.call("on_test_batch_end", step, model._logs())
        if bar is not None:
            bar.update(step + 1, model._logs(), finalize=stream.is_last(step))
    logs = model._logs()
    calls.call("on_test_end", dict(logs))
    return logs


def nan_error(model, value: float, epoch: int, step: int, batches_per_epoch: int | None,
              xs: list) -> NumericalError:
    """What fit says when the loss of batch ``step`` (inputs ``xs``) is not finite."""
    lr = getattr(model.optimizer, "learning_rate", None)
    floats = [a for a in xs if np.issubdtype(a.dtype, np.floating)]
    span = max(float(np.abs(a).max()) for a in floats) if floats else 0.0
    causes = [f"the learning rate ({lr:g}) is too large: the weights overshoot and grow "
              f"until they overflow; try one ten times smaller"]
    if span > 10:
        causes.append(f"the inputs are not scaled (values up to {span:g}); standardise them, "
                      f"e.g. x = (x - x.mean(axis=0)) / x.std(axis=0)")
    causes.append("a loss that takes the log of 0 with from_logits set wrongly")
    return NumericalError(
        f"The loss became {value} at epoch {epoch + 1}, batch {step + 1} of {batches_per_epoch}, so "
        f"training stopped. Likely causes: " + "; ".join(causes) + ". The weights are those "
        "from before this batch, and model.history holds the epochs finished so far. "
        "(To stop quietly instead, pass callbacks=[kteach.callbacks.TerminateOnNaN()].)",
        loss=float(value), epoch=epoch + 1, batch=step + 1)
