"""Saving while training: :class:`ModelCheckpoint` (the model or its weights, e.g. the best epoch)
and :class:`BackupAndRestore` (resume an interrupted ``fit``)."""
from __future__ import annotations

import math


from ...engine.errors import check_keywords
from .base import Callback


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
