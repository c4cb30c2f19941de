"""kteach.utils.timeseries_dataset_from_array against Keras 3.15.1's batches
(tests/fixtures/timeseries.json, recorded with TensorFlow by
tests/fixtures/make_timeseries.py: Keras builds this dataset with tf.data, and the JAX-only
.venv-keras cannot run it)."""
import json
import os

import numpy as np
import pytest

import kteach
from kteach.utils import PyDataset, timeseries_dataset_from_array

with open(os.path.join(os.path.dirname(__file__), "fixtures", "timeseries.json")) as f:
    KERAS = json.load(f)
SERIES, TARGETS = np.array(KERAS["series"]), np.array(KERAS["targets"])


def inputs(case):
    data = SERIES[:, 0] if case.get("series_1d") else SERIES
    targets = None if case.get("targets") is False else TARGETS[:case.get("targets_length", 20)]
    return data, targets


def batches(ds, with_targets):
    out = []
    for i in range(len(ds)):
        x, y = ds[i] if with_targets else (ds[i], None)
        out.append({"x": x.tolist(), "x_dtype": str(x.dtype),
                    "y": None if y is None else y.tolist()})
    return out


@pytest.mark.parametrize("name", sorted(n for n in KERAS["cases"] if n != "shuffled"))
def test_same_batches_in_the_same_order_as_keras(name):
    case = KERAS["cases"][name]
    data, targets = inputs(case)
    ds = timeseries_dataset_from_array(data, targets, **case["kwargs"])
    assert isinstance(ds, PyDataset)
    assert batches(ds, targets is not None) == case["batches"]


def test_shuffled_windows_are_keras_windows_in_another_order():
    """Keras shuffles twice (NumPy's RandomState(seed), then tf.data's buffer): kteach does
    the first, so the batches' sizes and the set of (window, target) pairs are Keras'."""
    case = KERAS["cases"]["shuffled"]
    ds = timeseries_dataset_from_array(SERIES, TARGETS, **case["kwargs"])
    mine = batches(ds, True)
    assert [len(b["x"]) for b in mine] == [len(b["x"]) for b in case["batches"]]

    def pairs(bs):
        return sorted((json.dumps(x), y) for b in bs for x, y in zip(b["x"], b["y"]))
    assert pairs(mine) == pairs(case["batches"])
    first = np.arange(18)
    np.random.RandomState(7).shuffle(first)
    assert [y for b in mine for y in b["y"]] == list(100 + first)
    again = batches(timeseries_dataset_from_array(SERIES, TARGETS, **case["kwargs"]), True)
    assert again == mine      # the same seed, the same order


def test_shuffle_deals_afresh_after_each_epoch():
    ds = timeseries_dataset_from_array(SERIES, TARGETS, 3, batch_size=18, shuffle=True, seed=1)
    first = ds[0][1].tolist()
    ds.on_epoch_end()
    second = ds[0][1].tolist()
    assert sorted(first) == sorted(second) and first != second


@pytest.mark.parametrize("name", sorted(KERAS["errors"]))
def test_bad_arguments_get_keras_message(name):
    case = KERAS["errors"][name]
    with pytest.raises(ValueError) as info:
        timeseries_dataset_from_array(SERIES, TARGETS, **case["kwargs"])
    assert str(info.value) == case["message"]


def test_fit_evaluate_predict_take_it():
    kteach.utils.set_random_seed(0)
    t = np.arange(200, dtype="float32")
    wave = np.sin(t / 5)[:, None]
    train = timeseries_dataset_from_array(wave[:-1], wave[8:, 0], sequence_length=8,
                                          batch_size=32)
    model = kteach.Sequential([kteach.Input((8, 1)), kteach.layers.SimpleRNN(8),
                               kteach.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(train, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert np.isfinite(model.evaluate(train, verbose=0))
    windows = timeseries_dataset_from_array(wave, None, sequence_length=8, batch_size=50)
    assert model.predict(windows, verbose=0).shape == (193, 1)
