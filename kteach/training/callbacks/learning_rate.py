"""Controlling the learning rate while training: :class:`ReduceLROnPlateau` and
:class:`LearningRateScheduler`."""
from __future__ import annotations


import numpy as np

from ...engine.errors import check_keywords
from .base import Callback


def _direction(owner: str, monitor: str, mode: str) -> str:
    """'min' or 'max' for a monitored value. ``mode='auto'``: losses go down, accuracy-like
    values go up; anything else must be told (as Keras, which cannot guess either)."""
    if mode not in ("auto", "min", "max"):
        import warnings
        warnings.warn(f"{owner} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss") or "error" in name or "crossentropy" in name:
        return "min"
    if any(k in name for k in ("acc", "auc", "precision", "recall", "f1", "r2")):
        return "max"
    raise ValueError(
        f"{owner} callback received monitor={monitor}, but Keras isn't able to automatically "
        "determine whether that metric should be maximized or minimized. Pass `mode='max'` in "
        "order to monitor based on the highest metric value, or pass `mode='min'` in order to "
        "use the lowest value.")


def _current_rate(model) -> float:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute. Compile the model '
                         'with an optimizer first, e.g. model.compile(optimizer="sgd", ...).')
    return float(optimizer.learning_rate)


class ReduceLROnPlateau(Callback):
    """Divide the learning rate when ``monitor`` stops improving.

    After each epoch: a value better than the best so far by more than ``min_delta`` resets
    the count; otherwise (outside a cooldown) the count grows, and after ``patience`` epochs
    without improvement ``lr ← max(lr·factor, min_lr)``, followed by ``cooldown`` epochs in
    which nothing is counted. The epoch's logs get ``learning_rate`` (before any change).
    """

    @check_keywords
    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
                ". The new rate is lr·factor, so a factor of 1 or more never lowers it; use "
                "e.g. factor=0.5 to halve it.")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode, self.min_delta = mode, abs(min_delta)
        self.cooldown, self.min_lr = cooldown, min_lr
        self._direction = None
        self._reset()

    def _reset(self) -> None:
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _improves(self, value: float) -> bool:
        if self.best is None:
            return True
        if self._direction == "min":
            return value + self.min_delta < self.best
        return value - self.min_delta > self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        if self._direction is None:
            self._direction = _direction("ReduceLROnPlateau", self.monitor, self.mode)
        logs["learning_rate"] = _current_rate(self.model)
        current = logs.get(self.monitor)
        if current is None:
            import warnings
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: "
                          f"{','.join(logs)}.", stacklevel=2)
            return
        current = float(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> bool:
        old = _current_rate(self.model)
        if not old > np.float32(self.min_lr):
            return False
        new = max(old * self.factor, self.min_lr)
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
        return True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch: ``lr = schedule(epoch, lr)``
    (``epoch`` from 0, ``lr`` the current rate), or ``schedule(epoch)`` for a one-argument
    function. The epoch's logs get ``learning_rate``."""

    @check_keywords
    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler needs a function schedule(epoch, lr) -> "
                            f"new lr; got {schedule!r}.")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = _current_rate(self.model)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:            # a schedule(epoch) of Keras 2's days
            new = self.schedule(epoch)
        if isinstance(new, np.ndarray) and new.ndim == 0:
            new = new[()]
        if not isinstance(new, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {new}. "
                "Return a Python float, e.g. `return float(lr * 0.9)`.")
        self.model.optimizer.learning_rate = float(new)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_rate(self.model)
