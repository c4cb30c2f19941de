"""fit's class_weight, steps_per_epoch, validation_steps, validation_freq, initial_epoch and
evaluate/predict ``steps``, against real Keras 3.15.1 (tests/fixtures/fit_args.json, made by
make_fit_args.py): same initial weights, SGD, shuffle=False, so the same batches; kteach must
give the same history, batch counts, params, warnings and final weights."""
import json
import os
import warnings

import numpy as np
import pytest

import kteach
from kteach import callbacks, layers, optimizers
from kteach.training.trainer import class_weights_to_sample_weights

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "fit_args.json")
with open(FIXTURE) as _f:
    KERAS = json.load(_f)
X = np.array(KERAS["x"], "float32")
VX = np.array(KERAS["vx"], "float32")
VLABELS = np.array(KERAS["vlabels"])
LABELS = np.array(KERAS["labels"])


def targets(kind):
    if kind == "labels":
        return LABELS
    if kind == "onehot":
        return np.eye(3, dtype="float32")[LABELS]
    return np.array(KERAS["binary"], "float32")


def make_model(kind, initial, loss):
    units, activation = (3, "softmax") if kind == "softmax" else (1, "sigmoid")
    m = kteach.Sequential([kteach.Input((3,)), layers.Dense(units, activation=activation)])
    m.set_weights([np.array(w, "float32") for w in initial])
    m.compile(optimizer=optimizers.SGD(0.1), loss=loss)
    return m


class Counter(callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.train, self.test = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.train.append(0)
        self.test.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.train[-1] += 1

    def on_test_batch_end(self, batch, logs=None):
        self.test[-1] += 1


def test_fixture_came_from_keras_3_15_1():
    assert KERAS["keras_version"] == "3.15.1" and KERAS["backend"] == "jax"


@pytest.mark.parametrize("case", sorted(KERAS["cases"]))
def test_fit_argument_matches_keras(case):
    spec = KERAS["cases"][case]
    m = make_model(spec["model"], spec["initial_weights"], spec["loss"])
    kwargs = dict(spec["kwargs"])
    if "class_weight" in kwargs:      # JSON keeps dict keys as strings
        kwargs["class_weight"] = {int(k): v for k, v in kwargs["class_weight"].items()}
    if spec["validation"]:
        kwargs["validation_data"] = (VX, VLABELS)
    counter = Counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = m.fit(X, targets(spec["y"]), shuffle=False, verbose=0, callbacks=[counter],
                        **kwargs)
    assert history.epoch == spec["epoch"]
    assert history.params == spec["params"]
    assert counter.train == spec["train_batches"]
    assert counter.test == spec["test_batches"]
    ran_out = sorted({str(w.message)[:40] for w in caught if "ran out of data" in str(w.message)})
    assert ran_out == spec["warnings"]
    assert sorted(history.history) == sorted(spec["history"])
    for key, values in spec["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-6, atol=1e-7)
    for ours, theirs in zip(m.get_weights(), spec["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-7)


def test_evaluate_and_predict_steps_match_keras():
    spec = KERAS["evaluate_predict"]
    m = make_model("softmax", spec["initial_weights"], "sparse_categorical_crossentropy")
    assert m.evaluate(X, LABELS, batch_size=4, steps=2, verbose=0) == \
        pytest.approx(spec["evaluate_steps_2"], rel=1e-6)
    assert m.evaluate(X, LABELS, batch_size=4, verbose=0) == \
        pytest.approx(spec["evaluate_all"], rel=1e-6)
    assert list(m.predict(X, batch_size=4, steps=2, verbose=0).shape) == \
        spec["predict_steps_2_shape"]


def test_class_weight_to_sample_weights_by_hand():
    cw = {0: 1.0, 1: 5.0}
    assert class_weights_to_sample_weights(np.array([0, 1, 1, 2]), cw).tolist() == [1, 5, 5, 1]
    assert class_weights_to_sample_weights(np.array([[0.0], [1.0]]), cw).tolist() == [1, 5]
    assert class_weights_to_sample_weights(np.eye(2)[[1, 0]], cw).tolist() == [5, 1]


def test_class_weight_is_sample_weight_from_the_class():
    spec = KERAS["cases"]["class_weight_sparse"]
    a = make_model("softmax", spec["initial_weights"], spec["loss"])
    b = make_model("softmax", spec["initial_weights"], spec["loss"])
    cw = spec["kwargs"]["class_weight"]
    a.fit(X, LABELS, class_weight={int(k): v for k, v in cw.items()}, shuffle=False, verbose=0)
    b.fit(X, LABELS, sample_weight=np.array([cw[str(c)] for c in LABELS]), shuffle=False,
          verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_train_on_batch_takes_class_weight():
    spec = KERAS["cases"]["class_weight_sparse"]
    m = make_model("softmax", spec["initial_weights"], spec["loss"])
    assert np.isfinite(m.train_on_batch(X, LABELS, class_weight={0: 2.0}))


# ======================================================================= mistakes
def untouched(m, before):
    return all(np.array_equal(a, b) for a, b in zip(m.get_weights(), before))


def test_class_weight_with_sample_weight_is_refused_as_keras():
    spec = KERAS["cases"]["class_weight_sparse"]
    m = make_model("softmax", spec["initial_weights"], spec["loss"])
    before = m.get_weights()
    keras_text = KERAS["errors"]["class_and_sample"].split(": ", 1)[1]
    with pytest.raises(ValueError, match=keras_text.replace("`", ".")) as info:
        m.fit(X, LABELS, class_weight={0: 1.0}, sample_weight=np.ones(20), verbose=0)
    assert "multiply" in str(info.value) and untouched(m, before)


def test_bad_validation_freq_is_refused_as_keras_before_training():
    spec = KERAS["cases"]["class_weight_sparse"]
    m = make_model("softmax", spec["initial_weights"], spec["loss"])
    before = m.get_weights()
    with pytest.raises(ValueError, match=r"Expected `validation_freq` to be a list or int\. "
                       r"Received: validation_freq=1.5 of the type <class 'float'>\."):
        m.fit(X, LABELS, validation_freq=1.5, validation_data=(VX, VLABELS), verbose=0)
    assert untouched(m, before)


def test_class_weight_on_two_outputs_is_refused():
    inp = kteach.Input((3,))
    m = kteach.Model(inp, [layers.Dense(3, activation="softmax", name="a")(inp),
                           layers.Dense(3, activation="softmax", name="b")(inp)])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="only supported for Models with a single output"):
        m.fit(X, [LABELS, LABELS], class_weight={0: 2.0}, verbose=0)


@pytest.mark.parametrize("name", ["steps_per_epoch", "validation_steps"])
def test_steps_must_be_positive_whole_numbers(name):
    spec = KERAS["cases"]["class_weight_sparse"]
    m = make_model("softmax", spec["initial_weights"], spec["loss"])
    with pytest.raises(ValueError, match=f"`{name}` must be a positive whole number"):
        m.fit(X, LABELS, verbose=0, **{name: 0})


# ======================================================================= BackupAndRestore
def test_fit_resumes_after_backup_and_restore_sets_initial_epoch(tmp_path):
    spec = KERAS["cases"]["class_weight_sparse"]
    m = make_model("softmax", spec["initial_weights"], spec["loss"])

    class Interrupt(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    backup = callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        m.fit(X, LABELS, epochs=4, verbose=0, callbacks=[backup, Interrupt()])
    history = m.fit(X, LABELS, epochs=4, verbose=0, callbacks=[backup])
    assert history.epoch == [2, 3]
