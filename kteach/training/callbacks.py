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

    # The hooks, in the order fit calls them (Keras 3). ``logs`` is always a dict: empty at
    # the "begin" hooks; {'loss', metrics} after a batch (running means over the epoch);
    # the epoch's values plus 'val_...' ones at on_epoch_end and on_train_end; the mean over
    # the validation data at on_test_end; {'outputs': predictions} after a predict batch.
    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)        # Keras 2's name for the same hook

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
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
    """A callback made of plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Any hook can be given (Keras 3 takes the others as extra keywords too), e.g.
    ``on_test_end=lambda logs: ...`` or ``on_predict_batch_end=lambda batch, logs: ...``."""

    @check_keywords
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None, on_test_begin=None, on_test_end=None,
                 on_test_batch_begin=None, on_test_batch_end=None, on_predict_begin=None,
                 on_predict_end=None, on_predict_batch_begin=None, on_predict_batch_end=None):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, on_batch_begin=on_batch_begin,
                     on_batch_end=on_batch_end, on_test_begin=on_test_begin,
                     on_test_end=on_test_end, on_test_batch_begin=on_test_batch_begin,
                     on_test_batch_end=on_test_batch_end, on_predict_begin=on_predict_begin,
                     on_predict_end=on_predict_end,
                     on_predict_batch_begin=on_predict_batch_begin,
                     on_predict_batch_end=on_predict_batch_end)
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



def _better_than(mode: str, monitor: str):
    """``mode`` 'min', 'max' or 'auto' (max for accuracy-like names) -> a comparison."""
    if mode not in ("auto", "min", "max"):
        import warnings
        warnings.warn(f"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.",
                      stacklevel=3)
        mode = "auto"
    if mode == "auto":
        mode = "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) \
            or monitor.startswith("fmeasure") else "min"
    return (lambda a, b: a > b) if mode == "max" else (lambda a, b: a < b), mode


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) while training, e.g. the best epoch so far.

    ``filepath`` may hold fields filled in at each save: ``'model-{epoch:02d}-{val_loss:.2f}.keras'``
    becomes ``model-03-0.41.keras`` (``epoch`` counts from 1; any logged value can be named).
    It must end in ``.keras`` (the whole model: :meth:`Model.save`) or, with
    ``save_weights_only=True``, in ``.weights.h5``. With ``save_best_only=True`` a save happens
    only when ``monitor`` beats the best value so far (``mode``: 'min', 'max', or 'auto': max
    for accuracy-like names); ``initial_value_threshold`` is the value to beat at first.
    ``save_freq='epoch'`` saves at the end of each epoch, an integer every that many batches.
    """

    @check_keywords
    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        import os
        self.filepath = os.fspath(filepath)
        self._watched, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError(
                f"When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                f"provided must end in `.weights.h5` (Keras weights format). Received: "
                f"filepath={self.filepath}")
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(
                f"The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}. For the weights alone use a name ending in "
                f"'.weights.h5' with save_weights_only=True.")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             f"'epoch' or a positive integer (a number of batches).")
        self.save_freq = save_freq
        self._better, self.mode = _better_than(mode, monitor)
        worst = -math.inf if self.mode == "max" else math.inf
        self.best = worst if initial_value_threshold is None else float(initial_value_threshold)
        self._batches_seen = 0
        self._epoch = 0

    @property
    def monitor(self) -> str | None:
        """The logged value that decides what is best; ``None`` when every save is kept
        (``save_best_only=False``), since then nothing is watched."""
        return self._watched if self.save_best_only else None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _path(self, epoch: int, batch, logs: dict) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: '
                f'{error!r} is not among the fields it can use: {sorted(fields)}.') from None

    def _save(self, epoch: int, batch, logs: dict) -> None:
        path = self._path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              f"skipping. The logged values are {sorted(logs)}.", stacklevel=2)
                return
            current = float(current)
            if not self._better(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        import os
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


class BackupAndRestore(Callback):
    """Keep a backup of the training in ``backup_dir`` so that an interrupted ``fit`` can go
    on where it stopped: run the same ``fit`` again with the same callback.

    At the end of each epoch (or every ``save_freq`` batches) the weights and the optimizer's
    state go to ``backup_dir/latest.weights.h5`` and the epoch to
    ``backup_dir/training_metadata.json``. At the start of ``fit`` a backup found there is
    loaded and training resumes with the next epoch. When ``fit`` finishes normally the backup
    is removed (``delete_checkpoint=True``)."""

    @check_keywords
    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        import os
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed: give the folder where the "
                             "backup is kept, e.g. BackupAndRestore('backup').")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             f"value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self.double_checkpoint = double_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._epoch, self._batches_seen = 0, 0

    def on_train_begin(self, logs=None):
        import json
        import os
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             "before you call `fit()`: give it an input shape "
                             "(keras.Input(shape=(...)) first).")
        if os.path.exists(self._weights_path) and os.path.exists(self._metadata_path):
            self.model.load_weights(self._weights_path)
            with open(self._metadata_path, encoding="utf-8") as f:
                done = json.load(f)["epoch"]
            # fit() starts from model._initial_epoch when a callback sets it (as Keras)
            self.model._initial_epoch = int(done) + 1

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._backup(self._epoch - 1)   # this epoch is not finished yet

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch)

    def _backup(self, finished_epoch: int) -> None:
        import json
        import os
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._weights_path, overwrite=True)
        tmp = self._metadata_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"epoch": finished_epoch}, f)
        os.replace(tmp, self._metadata_path)

    def on_train_end(self, logs=None):
        import os
        if getattr(self.model, "_initial_epoch", None) is not None:
            self.model._initial_epoch = None
        if self.delete_checkpoint:
            for path in (self._weights_path, self._metadata_path):
                if os.path.exists(path):
                    os.remove(path)
            if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
                os.rmdir(self.backup_dir)


# ======================================================================= learning-rate control
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


# ======================================================================= logging
class CSVLogger(Callback):
    """Write one line per epoch to a CSV file: ``epoch`` and every logged value.

    The columns are the first epoch's keys in alphabetical order; without validation the
    ``val_`` columns are added anyway and hold ``NA`` (as Keras). ``append=True`` goes on
    writing an existing file (its header is not repeated).
    """

    @check_keywords
    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        import os
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys, self.writer, self.csv_file = None, None, None
        self.append_header = True

    def on_train_begin(self, logs=None):
        import os
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not f.readline()
            mode = "a"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")
        self.keys, self.writer = None, None

    def on_epoch_end(self, epoch, logs=None):
        import csv
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            self.writer = csv.writer(self.csv_file, delimiter=self.sep)
            if self.append_header:
                self.writer.writerow(["epoch"] + self.keys)
        self.writer.writerow([epoch] + [_csv_value(logs.get(k, "NA")) for k in self.keys])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value: Any) -> Any:
    """A logged value as a CSV cell: numbers as Python prints them, a list as "[a, b]"."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    if isinstance(value, (list, tuple, np.ndarray)):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class TensorBoard(Callback):
    """Write the logged values as TensorBoard event files in ``log_dir``: ``train/`` and
    ``validation/`` folders with ``epoch_loss``, ``epoch_accuracy``, ... (and the learning
    rate) per epoch, or per batch with ``update_freq='batch'`` or an integer.

    Needs the ``tensorboard`` package (``pip install tensorboard``); without it the callback
    is refused when created. Histograms, graphs, images, profiling and embeddings are not
    written by kteach (their arguments must keep their defaults).
    """

    @check_keywords
    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        for name, value, default in [("histogram_freq", histogram_freq, 0),
                                     ("write_images", write_images, False),
                                     ("write_steps_per_second", write_steps_per_second, False),
                                     ("profile_batch", profile_batch, 0),
                                     ("embeddings_freq", embeddings_freq, 0),
                                     ("embeddings_metadata", embeddings_metadata, None)]:
            if value != default:
                raise NotImplementedError(
                    f"TensorBoard({name}={value!r}): kteach's TensorBoard writes the logged "
                    f"values only. Remove `{name}` (default {default!r}).")
        try:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa
        except ImportError:
            raise ImportError(
                "The TensorBoard callback needs the `tensorboard` package, which is not "
                "installed. Install it with `pip install tensorboard` (then view the logs with "
                f"`tensorboard --logdir {log_dir}`), or log the values with "
                "kteach.callbacks.CSVLogger('log.csv') instead.") from None
        import os
        self.log_dir, self.write_graph = os.fspath(log_dir), write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers: dict = {}
        self._batches_seen = 0

    def _writer(self, which: str):
        if which not in self._writers:
            import os
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
            self._writers[which] = EventFileWriter(os.path.join(self.log_dir, which))
        return self._writers[which]

    def _write(self, which: str, tag: str, value: float, step: int) -> None:
        import time
        from tensorboard.compat.proto import event_pb2, summary_pb2
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
            tag=tag, simple_value=float(value))])
        self._writer(which).add_event(event_pb2.Event(wall_time=time.time(), step=int(step),
                                                      summary=summary))

    def on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        if self.update_freq != "epoch" and self._batches_seen % self.update_freq == 0:
            for key, value in (logs or {}).items():
                self._write("train", f"batch_{key}", value, self._batches_seen)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.model is not None and getattr(self.model, "optimizer", None) is not None:
            logs.setdefault("learning_rate", _current_rate(self.model))
        for key, value in logs.items():
            which = "validation" if key.startswith("val_") else "train"
            tag = "epoch_" + (key[4:] if which == "validation" else key)
            self._write(which, tag, value, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


class RemoteMonitor(Callback):
    """Keras' RemoteMonitor posts every epoch's logs to a web server. kteach does not send
    anything over the network from a lesson, so creating it is refused with a message."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        raise NotImplementedError(
            "RemoteMonitor posts the logs to a web server at the end of every epoch; kteach "
            "does not send data over the network. To see the values during training use "
            "verbose=1, kteach.callbacks.CSVLogger('log.csv'), or a LambdaCallback("
            "on_epoch_end=lambda epoch, logs: print(epoch, logs)) that sends them yourself.")
