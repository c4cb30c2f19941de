"""fit/evaluate/predict on a kteach.utils.PyDataset and on Python generators, against real
Keras 3.15.1 (tests/fixtures/data_sources.json, made by make_data_sources.py): params, epochs,
batches per epoch, warnings, history and final weights."""
import json
import os
import warnings

import numpy as np
import pytest

import kteach
from kteach import callbacks, layers, optimizers
from kteach.utils import PyDataset

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "data_sources.json")) as _f:
    KERAS = json.load(_f)
with open(os.path.join(HERE, "fit_args.json")) as _f:
    ARGS = json.load(_f)
X, LABELS = np.array(ARGS["x"], "float32"), np.array(ARGS["labels"])
VX, VLABELS = np.array(ARGS["vx"], "float32"), np.array(ARGS["vlabels"])
INITIAL = ARGS["evaluate_predict"]["initial_weights"]
WEIGHTS = np.array(KERAS["weights"], "float32")


class Batches(PyDataset):
    def __init__(self, x, y, size, w=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.size, self.w = x, y, size, w
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, i):
        s = slice(i * self.size, (i + 1) * self.size)
        if self.y is None:
            return self.x[s]
        return (self.x[s], self.y[s]) if self.w is None else (self.x[s], self.y[s], self.w[s])

    def on_epoch_end(self):
        self.epochs_ended += 1


def generator(x, y, size, forever=False):
    while True:
        for i in range(0, len(x), size):
            yield (x[i:i + size],) if y is None else (x[i:i + size], y[i:i + size])
        if not forever:
            return


SOURCES = {
    "pydataset": lambda: Batches(X, LABELS, 6),
    "pydataset_weights_validation": lambda: Batches(X, LABELS, 8, WEIGHTS),
    "pydataset_steps": lambda: Batches(X, LABELS, 6),
    "generator_steps": lambda: generator(X, LABELS, 4, forever=True),
    "generator_finite": lambda: generator(X, LABELS, 8),
    "generator_validation": lambda: generator(X, LABELS, 5, forever=True),
}
VALIDATION = {"pydataset_weights_validation": lambda: Batches(VX, VLABELS, 4),
              "generator_validation": lambda: generator(VX, VLABELS, 4, forever=True)}


def model():
    m = kteach.Sequential([kteach.Input((3,)), layers.Dense(3, activation="softmax")])
    m.set_weights([np.array(w, "float32") for w in INITIAL])
    m.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
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


def fit(case):
    spec = KERAS["cases"][case]
    kwargs = dict(spec["kwargs"])
    if case in VALIDATION:
        kwargs["validation_data"] = VALIDATION[case]()
    m, counter, source = model(), Counter(), SOURCES[case]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = m.fit(source, verbose=0, callbacks=[counter], **kwargs)
    ran_out = sorted({str(w.message)[:40] for w in caught if "ran out of data" in str(w.message)})
    return m, history, counter, source, ran_out


@pytest.mark.parametrize("case", sorted(KERAS["cases"]))
def test_fit_on_a_batch_source_matches_keras(case):
    spec = KERAS["cases"][case]
    m, history, counter, source, ran_out = fit(case)
    assert history.params == spec["params"]
    assert history.epoch == spec["epoch"]
    assert counter.train == spec["train_batches"] and counter.test == spec["test_batches"]
    assert ran_out == spec["warnings"]
    assert getattr(source, "epochs_ended", None) == spec["epochs_ended"]
    for key, values in spec["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-6, atol=1e-7)
    for ours, theirs in zip(m.get_weights(), spec["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-7)


def test_an_empty_generator_is_refused_as_keras():
    with pytest.raises(ValueError, match="the generator must yield at least one batch"):
        model().fit((b for b in []), verbose=0)


def test_evaluate_and_predict_on_batch_sources_match_keras():
    m = model()
    assert m.evaluate(Batches(X, LABELS, 6), verbose=0) == \
        pytest.approx(KERAS["evaluate_pydataset"], rel=1e-6)
    assert m.evaluate(generator(X, LABELS, 4, True), steps=2, verbose=0) == \
        pytest.approx(KERAS["evaluate_generator_steps_2"], rel=1e-6)
    assert list(m.predict(Batches(X, None, 6), verbose=0).shape) == \
        KERAS["predict_pydataset_shape"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # Keras warns here too (ran out of data)
        assert list(m.predict(generator(X, None, 8), verbose=0).shape) == \
            KERAS["predict_generator_shape"]
    np.testing.assert_allclose(m.predict(Batches(X, None, 6), verbose=0),
                               m.predict(X, verbose=0), rtol=1e-6)


def test_pydataset_matches_the_same_arrays():
    a, b = model(), model()
    a.fit(Batches(X, LABELS, 5), epochs=2, shuffle=False, verbose=0)
    b.fit(X, LABELS, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_validation_split_with_a_batch_source_is_refused_as_keras():
    m = model()
    before = m.get_weights()
    with pytest.raises(ValueError, match="`validation_split` is only supported for tensors or "
                                         "NumPy arrays"):
        m.fit(Batches(X, LABELS, 6), validation_split=0.2, verbose=0)
    assert all(np.array_equal(p, q) for p, q in zip(before, m.get_weights()))


def test_a_pydataset_without_getitem_says_what_to_write():
    class Empty(PyDataset):
        def __len__(self):
            return 1

    with pytest.raises(NotImplementedError, match="must write __getitem__"):
        model().fit(Empty(), verbose=0)


def test_progress_bar_on_a_generator_runs(capsys):
    model().fit(generator(X, LABELS, 4, forever=True), steps_per_epoch=2, epochs=1, verbose=1)
    assert "2/2" in capsys.readouterr().out


def test_class_weight_with_a_pydataset_weights_each_batch_as_keras():
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    a, b = model(), model()
    a.fit(Batches(X, LABELS, 5), class_weight=cw, epochs=2, shuffle=False, verbose=0)
    b.fit(X, LABELS, class_weight=cw, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)
    with pytest.raises(ValueError, match="cannot specify `class_weight` and `sample_weight`"):
        model().fit(Batches(X, LABELS, 5, WEIGHTS), class_weight=cw, verbose=0)


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # a finite generator: as Keras
def test_a_list_batch_is_inputs_and_targets_as_in_keras():
    a, b = model(), model()
    a.fit(([X[i:i + 5], LABELS[i:i + 5]] for i in range(0, 20, 5)), verbose=0)
    b.fit(X, LABELS, batch_size=5, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_evaluate_and_predict_on_a_pydataset_show_a_progress_bar(capsys):
    m = model()
    m.evaluate(Batches(X, LABELS, 6), verbose=1)
    m.predict(Batches(X, None, 6), verbose=1)
    out = capsys.readouterr().out
    assert out.count("4/4") == 2 and "loss:" in out


def test_shuffle_reorders_a_pydatasets_batches_every_epoch():
    seen = []

    class Recording(Batches):
        def __getitem__(self, i):
            seen.append(i)
            return super().__getitem__(i)

    kteach.utils.set_random_seed(3)
    model().fit(Recording(X, LABELS, 2), epochs=3, shuffle=True, verbose=0)
    epochs = [seen[1 + 10 * k: 1 + 10 * (k + 1)] for k in range(3)]   # seen[0]: the peek
    assert all(sorted(e) == list(range(10)) for e in epochs)
    assert epochs[0] != list(range(10)) and epochs[0] != epochs[1]


def test_a_loss_that_blows_up_on_a_pydataset_stops_with_the_clear_error_or_quietly():
    """The same epoch loop as arrays: a loss that overflows on a batch source names the
    epoch, the batch and the likely cause; with TerminateOnNaN the fit stops there instead."""
    def regression():
        m = kteach.Sequential([kteach.Input((3,)), layers.Dense(1)])
        m.compile(optimizer=optimizers.SGD(0.1), loss="mse")
        return m
    huge = Batches(X * np.float32(1e20), LABELS.astype("float32"), 6)   # squares overflow
    with pytest.raises(kteach.engine.errors.NumericalError, match=r"epoch 1, batch 1 of 4.*not scaled"):
        regression().fit(huge, epochs=2, verbose=0)
    counter = Counter()
    history = regression().fit(huge, epochs=2, verbose=0,
                               callbacks=[counter, callbacks.TerminateOnNaN()])
    assert counter.train == [1] and history.epoch == [0]   # one batch, then the fit ends
