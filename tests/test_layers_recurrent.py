"""SimpleRNN, LSTM, GRU: gradients in every mode, numbers from Keras 3.15.1, shapes and messages.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_recurrent_reference.py and stored in tests/fixtures/recurrent_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers, optimizers
from kteach.engine import errors
from kteach.engine.errors import KteachWarning, ShapeError, UnknownArgumentError
from kteach.layers.embedding import Embedding
from kteach.layers.recurrent import GRU, LSTM, NotSupportedError, SimpleRNN
from gradcheck import assert_gradients, built, numeric_gradient

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "recurrent_reference.json").read_text())


LAYERS = [(SimpleRNN, {}), (LSTM, {}), (GRU, {}), (GRU, {"reset_after": False})]
LAYER_IDS = ["simple_rnn", "lstm", "gru", "gru_reset_before"]


# ----- gradients -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs", LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradients_in_every_mode(cls, kwargs, return_sequences, return_state, go_backwards):
    layer = built(cls(2, return_sequences=return_sequences, return_state=return_state,
                      go_backwards=go_backwards, bias_initializer="random_normal",
                      dtype="float64", **kwargs), (3, 2))
    assert_gradients(layer, np.random.default_rng(1).normal(size=(2, 3, 2)))


@pytest.mark.parametrize("cls, kwargs", LAYERS, ids=LAYER_IDS)
def test_gradients_without_bias(cls, kwargs):
    layer = built(cls(2, use_bias=False, return_sequences=True, dtype="float64", **kwargs), (3, 3))
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]
    assert_gradients(layer, np.random.default_rng(2).normal(size=(3, 3, 3)))


@pytest.mark.parametrize("layer", [
    lambda: SimpleRNN(3, activation="relu", dtype="float64", bias_initializer="random_normal"),
    lambda: LSTM(3, activation="softsign", recurrent_activation="hard_sigmoid", dtype="float64"),
    lambda: GRU(3, activation="elu", recurrent_activation="tanh", dtype="float64"),
], ids=["simple_rnn_relu", "lstm_softsign_hard_sigmoid", "gru_elu_tanh"])
def test_gradients_with_other_activations(layer):
    assert_gradients(built(layer(), (5, 2)), np.random.default_rng(3).normal(size=(2, 5, 2)))


# ----- numbers from Keras ----------------------------------------------------------------------------
KERAS_LAYERS = {
    "simple_rnn_seq": lambda: SimpleRNN(3, return_sequences=True),
    "simple_rnn_back_state": lambda: SimpleRNN(3, return_sequences=True, return_state=True,
                                               go_backwards=True),
    "simple_rnn_relu_last": lambda: SimpleRNN(3, activation="relu"),
    "lstm_seq_state": lambda: LSTM(3, return_sequences=True, return_state=True),
    "lstm_back_last_state": lambda: LSTM(3, return_state=True, go_backwards=True),
    "lstm_back_seq": lambda: LSTM(3, return_sequences=True, go_backwards=True),
    "gru_seq_state": lambda: GRU(3, return_sequences=True, return_state=True),
    "gru_back_seq": lambda: GRU(3, return_sequences=True, go_backwards=True),
    "gru_v1_seq_state": lambda: GRU(3, return_sequences=True, return_state=True, reset_after=False),
    "gru_v1_back_last": lambda: GRU(3, go_backwards=True, reset_after=False),
}


def run_reference_case(name: str, layer) -> None:
    """Load the case's weights into ``layer``, run it on the case's input, compare every output."""
    case = REFERENCE["layers"][name]
    x = np.array(case["x"], dtype="float32")
    layer._maybe_build((None,) + x.shape[1:])
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    out = layer(x)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, want in zip(outs, case["outputs"]):
        np.testing.assert_allclose(got, np.array(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(KERAS_LAYERS))
def test_forward_matches_keras(name):
    run_reference_case(name, KERAS_LAYERS[name]())


def test_go_backwards_sequence_is_in_reading_order_as_in_keras():
    # Keras returns the backwards sequence in the order it was read: position 0 holds the
    # state after reading the last step. So it equals a forward layer run on the flipped input.
    x = np.random.default_rng(4).normal(size=(2, 6, 3))
    back = built(GRU(4, return_sequences=True, go_backwards=True, dtype="float64"), (6, 3))
    ahead = built(GRU(4, return_sequences=True, dtype="float64"), (6, 3))
    ahead.set_weights(back.get_weights())
    np.testing.assert_allclose(back(x), ahead(x[:, ::-1]), rtol=1e-12)


def test_simple_rnn_by_hand():
    layer = built(SimpleRNN(1), (2, 1))
    layer.set_weights([np.array([[0.5]]), np.array([[2.0]]), np.array([0.1])])
    h1 = np.tanh(0.5 * 1.0 + 0.1)                 # h_0 = 0
    h2 = np.tanh(0.5 * -1.0 + 2.0 * h1 + 0.1)
    np.testing.assert_allclose(layer(np.array([[[1.0], [-1.0]]])), [[h2]], rtol=1e-6)


def test_lstm_by_hand_one_unit_one_step():
    layer = built(LSTM(1, return_state=True), (1, 1))
    # kernel blocks i, f, c, o; the input is 2, the state starts at 0
    layer.set_weights([np.array([[0.1, 0.2, 0.3, 0.4]]), np.zeros((1, 4)), np.zeros(4)])
    sig = lambda v: 1 / (1 + np.exp(-v))
    c = sig(0.2) * np.tanh(0.6)                   # i·c̃ (f·c_0 = 0)
    h = sig(0.8) * np.tanh(c)
    y, h_T, c_T = layer(np.array([[[2.0]]]))
    np.testing.assert_allclose([y[0, 0], h_T[0, 0], c_T[0, 0]], [h, h, c], rtol=1e-6)


# ----- weights, parameter counts, shapes -------------------------------------------------------------
FACT_LAYERS = {
    "simple_rnn_32_on_10": lambda: SimpleRNN(32),
    "lstm_32_on_10": lambda: LSTM(32),
    "gru_32_on_10": lambda: GRU(32),
    "gru_v1_32_on_10": lambda: GRU(32, reset_after=False),
    "lstm_no_bias": lambda: LSTM(5, use_bias=False, return_sequences=True),
}


def as_shape(s):
    return [tuple(x) for x in s] if isinstance(s[0], list) else tuple(s)


@pytest.mark.parametrize("name", list(FACT_LAYERS))
def test_weights_params_and_shapes_as_keras(name):
    fact = REFERENCE["facts"][name]
    layer = FACT_LAYERS[name]()
    shape = tuple(fact["input_shape"])
    layer._maybe_build(shape)
    assert layer.count_params() == fact["params"]
    assert [list(w.shape) for w in layer.weights] == fact["weight_shapes"]
    assert [w.path for w in layer.weights] == fact["weight_paths"]
    assert layer.compute_output_shape(shape) == as_shape(fact["output_shape"])


@pytest.mark.parametrize("n, u", [(10, 32), (3, 7)])
def test_parameter_formulas(n, u):
    # keras-facts.md: SimpleRNN u(n+u)+u, LSTM 4(u(n+u)+u), GRU 3(u(n+u)+2u) or 3(u(n+u)+u)
    count = lambda layer: built(layer, (None, n)).count_params()
    assert count(SimpleRNN(u)) == u * (n + u) + u
    assert count(LSTM(u)) == 4 * (u * (n + u) + u)
    assert count(GRU(u)) == 3 * (u * (n + u) + 2 * u)
    assert count(GRU(u, reset_after=False)) == 3 * (u * (n + u) + u)


def test_lstm_unit_forget_bias_starts_the_forget_block_at_one():
    layer = built(LSTM(2), (3, 4))
    np.testing.assert_array_equal(layer.get_weights()[2], REFERENCE["facts"]["lstm_default_bias"])
    layer = built(LSTM(2, unit_forget_bias=False, bias_initializer="ones"), (3, 4))
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(8))


def test_default_initializers():
    layer = built(GRU(4), (3, 5))
    W, U, b = layer.get_weights()
    assert np.all(np.abs(W) <= np.sqrt(6 / (5 + 12)))           # glorot_uniform on (5, 12)
    np.testing.assert_allclose(U @ U.T, np.eye(4), atol=1e-5)   # orthogonal rows
    assert b.shape == (2, 12) and not b.any()


def test_symbolic_shapes_and_return_state_tensors():
    inputs = kteach.Input(shape=(None, 4))
    seq = LSTM(3, return_sequences=True)(inputs)
    assert seq.shape == (None, None, 3)
    out, h, c = LSTM(2, return_state=True)(seq)
    assert (out.shape, h.shape, c.shape) == ((None, 2), (None, 2), (None, 2))
    out, h = GRU(5, return_sequences=True, return_state=True)(seq)
    assert (out.shape, h.shape) == ((None, None, 5), (None, 5))


def test_any_sequence_length_after_building():
    layer = built(LSTM(3, return_sequences=True), (5, 2))
    assert layer(np.zeros((1, 5, 2))).shape == (1, 5, 3)
    assert layer(np.zeros((4, 9, 2))).shape == (4, 9, 3)
    inputs = kteach.Input(shape=(None, 2))
    model = kteach.Model(inputs, SimpleRNN(3)(inputs))
    assert model.predict(np.ones((2, 7, 2)), verbose=0).shape == (2, 3)
    assert model.predict(np.ones((2, 3, 2)), verbose=0).shape == (2, 3)


def test_formula_shows_the_step_and_the_shapes():
    layer = built(LSTM(3), (5, 2))
    text = layer.formula((4, 5, 2), (4, 3))
    assert "c_t = f·c_{t−1} + i·c̃; h_t = o·tanh(c_t)" in text
    assert text.endswith("t = 1 … T, h_0 = 0 : x (4, 5, 2), W (2, 12), U (3, 12), b (12,) → (4, 3)")
    gru = built(GRU(3, go_backwards=True), (5, 2))
    assert "t = T … 1 (go_backwards)" in gru.formula((4, 5, 2), (4, 3))
    assert built(SimpleRNN(2), (5, 2)).formula((4, 5, 2), (4, 2)).startswith(
        "h_t = tanh(x_t·W + h_{t−1}·U + b)")


def test_config_round_trip_makes_the_same_layer():
    layer = GRU(4, activation="relu", reset_after=False, return_sequences=True, name="g")
    config = layer.get_config()
    assert config["units"] == 4 and config["reset_after"] is False and config["name"] == "g"
    copy = GRU.from_config({**config, "name": "g2"})
    assert copy.get_config() == {**config, "name": "g2"}


# ----- refusals and messages ---------------------------------------------------------------------
def test_stateful_is_refused_with_the_fix():
    with pytest.raises(NotSupportedError, match=r"LSTM\(stateful=True\) is not supported by "
                                                r"kteach.*Use stateful=False"):
        LSTM(4, stateful=True)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.2", True])
@pytest.mark.parametrize("what", ["dropout", "recurrent_dropout"])
def test_dropout_rates_outside_zero_to_one_are_refused(what, value):
    with pytest.raises(ValueError, match=rf"GRU\({what}={value!r}\): {what} is the fraction of "
                                         r"values dropped in training, a number in \[0, 1\)"):
        GRU(4, **{what: value})


def test_activity_regularizer_is_accepted():
    assert SimpleRNN(2, activity_regularizer="l2").activity_regularizer.l2 == 0.01


def test_unroll_and_use_cudnn_are_accepted_and_change_nothing():
    x = np.random.default_rng(5).normal(size=(2, 3, 2)).astype("float32")
    a = built(LSTM(2, unroll=True, use_cudnn=False), (3, 2))
    b = built(LSTM(2), (3, 2))
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(x), b(x))


@pytest.mark.parametrize("units", [0, -1, 2.5, "8", None])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match=r"invalid value for `units` of LSTM"):
        LSTM(units)


def test_misspelt_keyword_gets_a_suggestion():
    with pytest.raises(UnknownArgumentError,
                       match=r"Did you mean 'return_sequences' or 'return_state'\?"):
        LSTM(4, return_sequence=True)


def test_two_dimensional_input_explains_the_missing_axis():
    inputs = kteach.Input(shape=(10,))
    with pytest.raises(ShapeError, match=r"expected ndim=3, found ndim=2\. Full shape received: "
                                         r"\(None, 10\)\..*put an Embedding layer before it"):
        LSTM(4)(inputs)


def test_wrong_number_of_features_is_refused():
    layer = built(SimpleRNN(2), (None, 3))
    with pytest.raises(ShapeError, match=r"expected axis -1 of input shape to have value 3, but "
                                         r"received input with shape \(None, 4, 5\)"):
        layer(np.zeros((1, 4, 5)))


def test_keras2_input_dim_and_input_length_give_the_input_shape(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())
    with pytest.warns(KteachWarning, match=r"Input\(shape=\(10, 8\)\)"):
        layer = LSTM(4, input_dim=8, input_length=10)
    model = kteach.Sequential([layer, layers.Dense(1)])
    assert model.input_shape == (None, 10, 8)
    assert model.output_shape == (None, 1)


# ----- end to end: ids -> Embedding -> LSTM -> Dense, trained by fit -------------------------------
def test_embedding_lstm_dense_trains_like_keras():
    ref = REFERENCE["training"]
    inputs = kteach.Input(shape=(None,), dtype="int32")
    h = Embedding(12, 4)(inputs)
    h = LSTM(3)(h)
    outputs = layers.Dense(1, activation="sigmoid")(h)
    model = kteach.Model(inputs, outputs)
    model.set_weights([np.array(w, dtype="float32") for w in ref["init"]])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    x, y = np.array(ref["x"], dtype="int32"), np.array(ref["y"], dtype="float32")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    loss = history.history["loss"]
    assert loss[0] > loss[1] > loss[2]
    np.testing.assert_allclose(loss, ref["loss"], rtol=1e-5)
    for got, want in zip(model.get_weights(), ref["final"]):
        np.testing.assert_allclose(got, np.array(want), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), ref["predict"], rtol=1e-5)
