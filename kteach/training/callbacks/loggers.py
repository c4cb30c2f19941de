"""Writing the logs somewhere: :class:`CSVLogger`, :class:`TensorBoard`; :class:`RemoteMonitor`
is refused with what to use instead."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.errors import check_keywords
from .base import Callback
from .learning_rate import _current_rate


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
