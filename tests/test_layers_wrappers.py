"""TimeDistributed and Bidirectional: gradients, numbers from Keras 3.15.1, names and messages.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_recurrent_reference.py and stored in tests/fixtures/recurrent_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.layers.embedding import Embedding
from kteach.layers.recurrent import GRU, LSTM, SimpleRNN
from kteach.layers.wrappers import Bidirectional, TimeDistributed
from gradcheck import assert_gradients, built

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "recurrent_reference.json").read_text())


def run_reference_case(name: str, layer) -> None:
    case = REFERENCE["layers"][name]
    x = np.array(case["x"], dtype="float32")
    layer._maybe_build((None,) + x.shape[1:])
    assert [w.path for w in layer.weights] == case["weight_paths"]
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    out = layer(x)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, want in zip(outs, case["outputs"]):
        np.testing.assert_allclose(got, np.array(want), rtol=1e-5, atol=1e-6)


# ----- Bidirectional -------------------------------------------------------------------------------
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_gradients(merge_mode, return_sequences, return_state):
    # The merge does not depend on the layer inside, so the grid uses the cheapest one.
    layer = built(Bidirectional(SimpleRNN(2, return_sequences=return_sequences,
                                          return_state=return_state, dtype="float64",
                                          bias_initializer="random_normal"),
                                merge_mode=merge_mode), (3, 2))
    assert_gradients(layer, np.random.default_rng(1).normal(size=(2, 3, 2)))


@pytest.mark.parametrize("inner, merge_mode", [
    (lambda: LSTM(2, return_sequences=True, return_state=True, dtype="float64"), "concat"),
    (lambda: LSTM(2, return_state=True, dtype="float64"), None),
    (lambda: GRU(2, return_sequences=True, dtype="float64"), "mul"),
    (lambda: GRU(2, reset_after=False, return_state=True, dtype="float64"), "ave"),
], ids=["lstm_seq_state_concat", "lstm_state_none", "gru_seq_mul", "gru_reset_before_state_ave"])
def test_bidirectional_gradients_other_layers(inner, merge_mode):
    layer = built(Bidirectional(inner(), merge_mode=merge_mode), (3, 2))
    assert_gradients(layer, np.random.default_rng(2).normal(size=(2, 3, 2)))


KERAS_BIDIRECTIONAL = {
    "bi_lstm_concat_seq": lambda: Bidirectional(LSTM(3, return_sequences=True)),
    "bi_lstm_sum_last": lambda: Bidirectional(LSTM(3), merge_mode="sum"),
    "bi_lstm_none_state": lambda: Bidirectional(LSTM(3, return_sequences=True, return_state=True),
                                                merge_mode=None),
    "bi_gru_ave_seq": lambda: Bidirectional(GRU(3, return_sequences=True), merge_mode="ave"),
    "bi_simple_rnn_mul_last": lambda: Bidirectional(SimpleRNN(3), merge_mode="mul"),
}


@pytest.mark.parametrize("name", list(KERAS_BIDIRECTIONAL))
def test_bidirectional_matches_keras(name):
    run_reference_case(name, KERAS_BIDIRECTIONAL[name]())


def test_bidirectional_is_forward_and_flipped_backward():
    x = np.random.default_rng(3).normal(size=(2, 5, 3))
    bi = built(Bidirectional(SimpleRNN(2, return_sequences=True, dtype="float64")), (5, 3))
    fw, bw = bi.forward_layer, bi.backward_layer
    assert (fw.go_backwards, bw.go_backwards) == (False, True)
    expected = np.concatenate([fw(x), bw(x)[:, ::-1]], axis=-1)   # position t holds step t
    np.testing.assert_allclose(bi(x), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["bi_lstm_4_on_8", "bi_gru_none_state"])
def test_bidirectional_weights_params_and_shapes_as_keras(name):
    fact = REFERENCE["facts"][name]
    layer = {"bi_lstm_4_on_8": lambda: Bidirectional(LSTM(4)),
             "bi_gru_none_state": lambda: Bidirectional(GRU(4, return_state=True),
                                                        merge_mode=None)}[name]()
    shape = tuple(fact["input_shape"])
    layer._maybe_build(shape)
    assert layer.count_params() == fact["params"]
    assert [w.path for w in layer.weights] == fact["weight_paths"]
    assert [list(w.shape) for w in layer.weights] == fact["weight_shapes"]
    out = layer.compute_output_shape(shape)
    assert ([list(s) for s in out] if isinstance(out, list) else list(out)) == fact["output_shape"]


def test_bidirectional_names_and_the_template_layer():
    template = LSTM(4, name="encoder")
    bi = Bidirectional(template)
    assert (bi.name, bi.forward_layer.name, bi.backward_layer.name) == (
        "bidirectional", "forward_encoder", "backward_encoder")
    bi._maybe_build((None, 5, 3))
    assert not template.built                      # only a template, as in Keras
    assert bi.get_weights()[0].shape == (3, 16)


def test_bidirectional_symbolic_outputs_with_states():
    inputs = kteach.Input(shape=(None, 3))
    out, h_fw, c_fw, h_bw, c_bw = Bidirectional(LSTM(4, return_state=True))(inputs)
    assert out.shape == (None, 8)
    assert {h_fw.shape, c_fw.shape, h_bw.shape, c_bw.shape} == {(None, 4)}


def test_bidirectional_in_a_model_trains():
    inputs = kteach.Input(shape=(None,), dtype="int32")
    h = Embedding(10, 3)(inputs)
    h = Bidirectional(GRU(4))(h)
    model = kteach.Model(inputs, layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    rng = np.random.default_rng(4)
    x = rng.integers(0, 10, size=(32, 6))
    y = (x[:, 0] > 4).astype("float32")
    loss = model.fit(x, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < loss[0]


def test_bidirectional_weights_argument():
    bi = Bidirectional(SimpleRNN(2))
    bi._maybe_build((None, 4, 3))
    weights = [np.full(w.shape, i, dtype="float32") for i, w in enumerate(bi.get_weights())]
    again = Bidirectional(SimpleRNN(2), weights=weights)
    again._maybe_build((None, 4, 3))
    for got, want in zip(again.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_bidirectional_not_trainable_freezes_both_directions():
    bi = built(Bidirectional(LSTM(2), trainable=False), (3, 2))
    assert bi.trainable_weights == [] and len(bi.non_trainable_weights) == 6


def test_bidirectional_refuses_an_unknown_merge_mode():
    with pytest.raises(ValueError, match=r"Invalid merge mode\. Received: avg\. Merge mode should "
                                         r"be one of \{\"sum\", \"mul\", \"ave\", \"concat\", None\}"):
        Bidirectional(LSTM(2), merge_mode="avg")


def test_bidirectional_needs_a_recurrent_layer():
    with pytest.raises(ValueError, match=r"with a recurrent layer \(SimpleRNN, LSTM or GRU\) "
                                         r"instance\. Received: <Dense"):
        Bidirectional(layers.Dense(3))


def test_bidirectional_refuses_a_wrapped_layer_going_backwards():
    with pytest.raises(ValueError, match=r"should have different `go_backwards` value.*Leave "
                                         r"go_backwards=False on the layer you wrap"):
        Bidirectional(LSTM(2, go_backwards=True))


def test_bidirectional_backward_layer_must_match():
    with pytest.raises(ValueError, match=r"same value for attribute \"return_sequences\""):
        Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_sequences=True))
    bi = built(Bidirectional(LSTM(2), backward_layer=GRU(3, go_backwards=True)), (4, 5))
    assert bi.compute_output_shape((None, 4, 5)) == (None, 5)
    assert bi(np.zeros((1, 4, 5))).shape == (1, 5)


# ----- TimeDistributed -------------------------------------------------------------------------------
def test_time_distributed_dense_gradients():
    layer = built(TimeDistributed(layers.Dense(3, activation="tanh", dtype="float64")), (4, 5))
    assert_gradients(layer, np.random.default_rng(5).normal(size=(2, 4, 5)))


def small_model():
    inputs = kteach.Input(shape=(5,))
    h = layers.Dense(4, activation="relu", dtype="float64")(inputs)
    return kteach.Model(inputs, layers.Dense(2, activation="softmax", dtype="float64")(h))


def test_time_distributed_model_gradients():
    layer = built(TimeDistributed(small_model()), (3, 5))
    assert layer.compute_output_shape((None, 3, 5)) == (None, 3, 2)
    assert layer.count_params() == 5 * 4 + 4 + 4 * 2 + 2
    assert_gradients(layer, np.random.default_rng(6).normal(size=(2, 3, 5)))


def test_time_distributed_matches_keras():
    run_reference_case("time_distributed_dense",
                       TimeDistributed(layers.Dense(3, activation="tanh")))


def test_time_distributed_is_the_layer_at_every_step():
    dense = layers.Dense(2)
    td = built(TimeDistributed(dense), (3, 4))
    x = np.random.default_rng(7).normal(size=(5, 3, 4)).astype("float32")
    y = td(x)
    for t in range(3):
        np.testing.assert_allclose(y[:, t], dense(x[:, t]), rtol=1e-6)


def test_time_distributed_weights_params_and_shapes_as_keras():
    fact = REFERENCE["facts"]["time_distributed_dense"]
    layer = TimeDistributed(layers.Dense(4))
    shape = tuple(fact["input_shape"])
    layer._maybe_build(shape)
    assert layer.count_params() == fact["params"]
    assert [w.path for w in layer.weights] == fact["weight_paths"]
    assert list(layer.compute_output_shape(shape)) == fact["output_shape"]


def test_time_distributed_model_from_the_english_tutorial():
    inputs = kteach.Input(shape=(784,))
    h = layers.Dense(32, activation="relu")(inputs)
    model = kteach.Model(inputs, layers.Dense(10, activation="softmax")(h))
    input_sequences = kteach.Input(shape=(20, 784))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert processed_sequences.shape == (None, 20, 10)
    outer = kteach.Model(input_sequences, processed_sequences)
    assert outer.count_params() == model.count_params()
    out = outer.predict(np.ones((2, 20, 784), dtype="float32"), verbose=0)
    np.testing.assert_allclose(out.sum(axis=-1), np.ones((2, 20)), rtol=1e-5)


def test_time_distributed_in_a_model_trains_and_shares_weights():
    inputs = kteach.Input(shape=(6, 3))
    h = TimeDistributed(layers.Dense(4, activation="tanh"))(inputs)
    model = kteach.Model(inputs, LSTM(2)(h))
    assert model.count_params() == (3 * 4 + 4) + 4 * (2 * (4 + 2) + 2)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(8)
    x = rng.normal(size=(16, 6, 3)).astype("float32")
    loss = model.fit(x, x[:, -1, :2], epochs=5, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < loss[0]


def test_time_distributed_not_trainable():
    td = built(TimeDistributed(layers.Dense(2), trainable=False), (3, 4))
    assert td.trainable_weights == [] and len(td.non_trainable_weights) == 2


def test_time_distributed_needs_a_time_axis():
    with pytest.raises(ValueError, match=r"`TimeDistributed` Layer should be passed an "
                                         r"`input_shape` with at least 3 dimensions, received: "
                                         r"\(None, 8\)"):
        TimeDistributed(layers.Dense(2))(kteach.Input(shape=(8,)))


def test_time_distributed_needs_a_layer_instance():
    with pytest.raises(ValueError, match=r"Pass an instance: TimeDistributed\(Dense\(\.\.\.\)\)"):
        TimeDistributed(layers.Dense)


def test_formulas():
    td = built(TimeDistributed(layers.Dense(2, name="d")), (3, 4))
    assert td.formula((5, 3, 4), (5, 3, 2)) == (
        "y[:, t] = d(x[:, t]) for every t, run as one batch of b·T : (5, 3, 4) → (5, 3, 2)")
    bi = built(Bidirectional(LSTM(2, return_sequences=True, name="l")), (3, 4))
    assert bi.formula((5, 3, 4), (5, 3, 4)) == (
        "y = concat([forward_l(x), flip_t(backward_l(x))], axis=-1) : (5, 3, 4) → (5, 3, 4)")


def test_time_distributed_model_with_the_wrong_step_shape_says_so():
    # The English tutorial applies a 64-input model to Input(shape=(20, 784)).
    inner_in = kteach.Input((64,))
    inner = kteach.Model(inner_in, kteach.layers.Dense(10, activation="softmax")(inner_in))
    with pytest.raises(ValueError, match=r"TimeDistributed\('functional(_\d+)?'\) gives .* one time "
                                         r"step at a time, of shape \(None, 784\).*refuses it: .*"
                                         r"expected shape \(None, 64\)"):
        TimeDistributed(inner)(kteach.Input((20, 784)))
