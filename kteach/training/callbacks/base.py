"""The base class :class:`Callback` with its hooks, :class:`CallbackList` (what ``fit`` calls),
:class:`History` (added to every ``fit``) and :class:`LambdaCallback` (hooks from functions)."""
from __future__ import annotations

from typing import Any


from ...engine.errors import check_keywords



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
