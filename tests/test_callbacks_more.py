"""Callbacks of issue 11 and the hooks of fit, evaluate and predict, against real Keras.

tests/fixtures/callback_hooks.json (made by make_callback_hooks.py with Keras 3.15.1) holds a
recording callback's calls -- hook, epoch/batch number, sorted keys of ``logs`` -- for fit with
validation, evaluate and predict, and what ReduceLROnPlateau, LearningRateScheduler and
CSVLogger do with fixed inputs. kteach must call the same hooks in the same order with the
same keys, and give the same rates and the same CSV text.
"""
import json
import os

import numpy as np
import pytest

import kteach
from kteach import callbacks, layers, optimizers

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "callback_hooks.json")
with open(FIXTURE) as _f:
    KERAS = json.load(_f)

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


class Recorder(callbacks.Callback):
    """Writes down every hook call: [hook, epoch or batch, sorted logs keys]."""

    def __init__(self):
        super().__init__()
        self.calls = []
        for hook in HOOKS:
            setattr(self, hook, self._recorder(hook))

    def _recorder(self, hook):
        def record(*args):
            logs = args[-1]
            arg = args[0] if len(args) == 2 else None
            self.calls.append([hook, arg, None if logs is None else sorted(logs)])
        return record


def model():
    kteach.utils.set_random_seed(0)
    m = kteach.Sequential([kteach.Input((3,)), layers.Dense(2, activation="softmax")])
    m.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)).astype("float32"), rng.integers(0, 2, size=n)


def test_fixture_came_from_keras_3_15_1():
    assert KERAS["keras_version"] == "3.15.1" and KERAS["backend"] == "jax"


# ======================================================================= hook sequences
def run(case):
    rec = Recorder()
    x, y = data(10)
    if case == "fit_validation_data":
        model().fit(x, y, batch_size=4, epochs=2, validation_data=data(6, 1), callbacks=[rec],
                    verbose=0)
    elif case == "fit_validation_freq":
        model().fit(x, y, batch_size=4, epochs=3, validation_split=0.2, validation_freq=2,
                    callbacks=[rec], verbose=0)
    elif case == "fit_plain":
        model().fit(x, y, batch_size=5, epochs=1, callbacks=[rec], verbose=0)
    elif case == "evaluate":
        model().evaluate(x, y, batch_size=4, callbacks=[rec], verbose=0)
    elif case == "predict":
        model().predict(x, batch_size=4, callbacks=[rec], verbose=0)
    return rec


@pytest.mark.parametrize("case", sorted(KERAS["sequences"]))
def test_hook_sequence_and_logs_keys_match_keras(case):
    rec = run(case)
    assert rec.calls == KERAS["sequences"][case]["calls"]
    assert rec.params == KERAS["sequences"][case]["params"]


def test_predict_batch_logs_hold_the_outputs():
    seen = []
    cb = callbacks.LambdaCallback()
    cb.on_predict_batch_end = lambda batch, logs: seen.append(logs["outputs"].shape)
    out = model().predict(data(10)[0], batch_size=4, callbacks=[cb], verbose=0)
    assert seen == [(4, 2), (4, 2), (2, 2)] and out.shape == (10, 2)


def test_keras_io_guide_custom_callback_runs():
    """The keras-io "Writing your own callbacks" guide prints logs keys from every hook."""
    lines = []

    class CustomCallback(callbacks.Callback):
        def on_train_begin(self, logs=None):
            lines.append("Starting training; got log keys: {}".format(list(logs.keys())))

        def on_epoch_end(self, epoch, logs=None):
            lines.append("End epoch {} of training; got log keys: {}".format(
                epoch, list(logs.keys())))

        def on_test_batch_end(self, batch, logs=None):
            lines.append("...Evaluating: end of batch {}; got log keys: {}".format(
                batch, list(logs.keys())))

        def on_predict_end(self, logs=None):
            lines.append("Stop predicting; got log keys: {}".format(list(logs.keys())))

    m, (x, y) = model(), data(8)
    m.fit(x, y, batch_size=4, epochs=1, callbacks=[CustomCallback()], verbose=0)
    m.evaluate(x, y, batch_size=4, callbacks=[CustomCallback()], verbose=0)
    m.predict(x, batch_size=4, callbacks=[CustomCallback()], verbose=0)
    assert lines[0] == "Starting training; got log keys: []"
    assert lines[1] == "End epoch 0 of training; got log keys: ['accuracy', 'loss']"
    assert lines[2] == "...Evaluating: end of batch 0; got log keys: ['accuracy', 'loss']"
    assert lines[-1] == "Stop predicting; got log keys: []"


def test_lambda_callback_takes_the_test_and_predict_hooks():
    seen = []
    cb = callbacks.LambdaCallback(on_test_end=lambda logs: seen.append(sorted(logs)),
                                  on_predict_batch_end=lambda batch, logs: seen.append(batch))
    m, (x, y) = model(), data(6)
    m.evaluate(x, y, batch_size=4, callbacks=[cb], verbose=0)
    m.predict(x, batch_size=4, callbacks=[cb], verbose=0)
    assert seen == [["accuracy", "loss"], 0, 1]


def test_on_batch_end_is_keras_2s_name_for_the_train_batch_hook():
    ends = []

    class Old(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            ends.append(batch)

    model().fit(*data(10), batch_size=4, callbacks=[Old()], verbose=0)
    assert ends == [0, 1, 2]


# ======================================================================= ReduceLROnPlateau
def built_model():
    m = model()
    m.fit(*data(4), verbose=0, epochs=1)
    return m


@pytest.mark.parametrize("case", sorted(KERAS["reduce_lr"]))
def test_reduce_lr_on_plateau_matches_keras(case):
    spec = KERAS["reduce_lr"][case]
    m = built_model()
    cb = callbacks.ReduceLROnPlateau(**spec["kwargs"])
    cb.set_model(m)
    cb.on_train_begin({})
    rates = []
    for epoch, value in enumerate(spec["values"]):
        logs = {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.5}
        logs[spec["kwargs"]["monitor"]] = value
        cb.on_epoch_end(epoch, logs)
        rates.append(m.optimizer.learning_rate)
        assert sorted(logs) == spec["keys"]
    np.testing.assert_allclose(rates, spec["rates"], rtol=1e-6)


def test_reduce_lr_on_plateau_in_fit_logs_the_rate():
    m = model()
    history = m.fit(*data(10), epochs=4, verbose=0, callbacks=[
        callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10, factor=0.5)])
    # the first epoch sets the best value; each later one fails to beat it by 10 (the rate
    # logged is the one the epoch used, before the cut)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    assert m.optimizer.learning_rate == pytest.approx(0.0125)


def test_reduce_lr_refuses_a_factor_of_one_or_more():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_cannot_guess_the_direction_of_an_unknown_value():
    cb = callbacks.ReduceLROnPlateau(monitor="my_value")
    cb.set_model(built_model())
    with pytest.raises(ValueError, match="Pass `mode='max'`"):
        cb.on_epoch_end(0, {"my_value": 1.0})


# ======================================================================= LearningRateScheduler
@pytest.mark.parametrize("case, fn", [
    ("two_args", lambda epoch, lr: lr if epoch < 2 else lr * 0.5),
    ("one_arg", lambda epoch: 0.1 / (epoch + 1))])
def test_learning_rate_scheduler_matches_keras(case, fn):
    spec = KERAS["lr_scheduler"][case]
    m = built_model()
    cb = callbacks.LearningRateScheduler(fn)
    cb.set_model(m)
    rates, logged = [], []
    for epoch in range(5):
        cb.on_epoch_begin(epoch, {})
        logs = {"loss": 1.0}
        cb.on_epoch_end(epoch, logs)
        rates.append(m.optimizer.learning_rate)
        logged.append(logs["learning_rate"])
    np.testing.assert_allclose(rates, spec["rates"], rtol=1e-6)
    np.testing.assert_allclose(logged, spec["logged"], rtol=1e-6)


def test_learning_rate_scheduler_in_fit_changes_the_steps():
    m = model()
    history = m.fit(*data(10), epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


def test_learning_rate_scheduler_needs_a_float():
    m = built_model()
    cb = callbacks.LearningRateScheduler(lambda epoch, lr: "fast")
    cb.set_model(m)
    with pytest.raises(ValueError, match="should be a float. Got: fast"):
        cb.on_epoch_begin(0, {})
    assert m.optimizer.learning_rate == 0.1


# ======================================================================= CSVLogger
EPOCHS = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5},
          {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.5, "val_accuracy": 0.75}]
NO_VAL = [{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.125, "accuracy": 1.0}]


def write_csv(path, rows, start=0, **kwargs):
    cb = callbacks.CSVLogger(path, **kwargs)
    cb.on_train_begin({})
    for i, logs in enumerate(rows):
        cb.on_epoch_end(start + i, dict(logs))
    cb.on_train_end({})
    with open(path, newline="") as f:
        return f.read()


@pytest.mark.parametrize("case, rows, kwargs", [("with_val", EPOCHS, {}), ("no_val", NO_VAL, {}),
                                                ("semicolon", EPOCHS, {"separator": ";"})])
def test_csv_logger_writes_what_keras_writes(tmp_path, case, rows, kwargs):
    assert write_csv(tmp_path / "log.csv", rows, **kwargs) == KERAS["csv"][case]


def test_csv_logger_append_writes_the_header_once(tmp_path):
    path = tmp_path / "log.csv"
    write_csv(path, NO_VAL, append=True)
    assert write_csv(path, NO_VAL, start=2, append=True) == KERAS["csv"]["append"]


def test_csv_logger_in_fit(tmp_path):
    path = tmp_path / "log.csv"
    model().fit(*data(10), epochs=2, verbose=0, validation_split=0.2,
                callbacks=[callbacks.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss" and len(lines) == 3


# ======================================================================= TensorBoard, RemoteMonitor
def test_tensorboard_without_the_package_says_how_to_install_it(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_tensorboard(name, *args, **kwargs):
        if name.startswith("tensorboard"):
            raise ImportError("No module named 'tensorboard'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        callbacks.TensorBoard(log_dir="logs")


def test_tensorboard_writes_event_files_when_installed(tmp_path):
    pytest.importorskip("tensorboard")
    model().fit(*data(10), epochs=2, verbose=0, validation_split=0.2,
                callbacks=[callbacks.TensorBoard(log_dir=tmp_path)])
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "train").iterdir())
    assert any((tmp_path / "validation").iterdir())


def test_tensorboard_options_kteach_does_not_write_are_refused():
    pytest.importorskip("tensorboard")
    with pytest.raises(NotImplementedError, match="histogram_freq"):
        callbacks.TensorBoard(histogram_freq=1)


def test_remote_monitor_is_refused_with_a_message():
    with pytest.raises(NotImplementedError, match="does not send data over the network"):
        callbacks.RemoteMonitor()
