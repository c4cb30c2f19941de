"""Callbacks: code that ``fit`` calls at the start and end of epochs and batches.

``History`` is added to every ``fit`` and is what ``fit`` returns. The others are passed in
``fit(..., callbacks=[...])``. A callback sees the model as ``self.model`` and the running
numbers as ``logs``, a dict such as ``{'accuracy': 0.91, 'loss': 0.25}``.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..engine.errors import check_keywords


class Callback:
    """Base class: override any of the ``on_...`` methods."""

    def __init__(self) -> None:
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


class CallbackList:
    """Calls the same method on every callback in order."""

    def __init__(self, callbacks: list[Callback], model, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be Callback objects, but got {type(cb).__name__}: {cb!r}. "
                    f"Wrap a function with kteach.callbacks.LambdaCallback(on_epoch_end=fn).")
            cb.set_model(model)
            cb.set_params(params)

    def call(self, method: str, *args: Any) -> None:
        """Call ``method`` on every callback. Logs are always a dict (empty where there is
        nothing to report yet), as Keras 3 passes them: ``logs.keys()`` always works."""
        if args and args[-1] is None:
            args = args[:-1] + ({},)
        for cb in self.callbacks:
            getattr(cb, method)(*args)


class History(Callback):
    """Records the epoch numbers and every epoch's logs: ``history.history['loss']`` is a list
    with one float per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stats: dict[str, list[float]] = {}   # filled by kteach.callbacks.TrainingStats

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self.model is not None:
            self.model.history = self

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={sorted(self.history)}>"


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs. With ``restore_best_weights=True`` the best epoch's weights come back."""

    @check_keywords
    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping mode {mode!r} is unknown: use 'auto', 'min' or 'max'.")
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) else "min"
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.sign = 1.0 if mode == "min" else -1.0  # minimise sign·value
        self.min_delta = abs(float(min_delta))
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = int(start_from_epoch)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch = 0, 0
        self.best = math.inf if self.baseline is None else self.sign * self.baseline
        self.best_weights, self.best_epoch = None, 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping is watching '{self.monitor}', which is not among the logged "
                f"values {sorted(logs)}. Pick one of those (validation values such as "
                f"'val_loss' need validation_split= or validation_data= in fit).")
        if epoch < self.start_from_epoch:
            return
        value = self.sign * float(logs[self.monitor])
        self.wait += 1
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
            if self.restore_best_weights and self.best_weights is not None:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")


class LambdaCallback(Callback):
    """A callback made of plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    @check_keywords
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, fn in given.items():
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stop training quietly when the loss becomes NaN or infinite.

    Without this callback kteach stops with a :class:`~kteach.engine.errors.NumericalError`
    that explains the likely cause; with it, ``fit`` just stops and returns the history.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True

