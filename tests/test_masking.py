"""Masks (issue 11): Masking, Embedding(mask_zero=True), masks through the graph, the layers
that use them, the loss and metrics, and RNN dropout / initial states -- held to numbers from
real Keras 3.15.1 (tests/fixtures/make_masking_reference.py writes masking_reference.json).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine.errors import NotSupportedError, ShapeError
from gradcheck import assert_gradients, built, check_layer

REF = json.loads((Path(__file__).parent / "fixtures" / "masking_reference.json").read_text())
KINDS = {"simple_rnn": (layers.SimpleRNN, {}), "lstm": (layers.LSTM, {}),
         "gru": (layers.GRU, {}), "gru_reset_before": (layers.GRU, {"reset_after": False})}
MODES = {"last": {}, "seq": {"return_sequences": True},
         "seq_state": {"return_sequences": True, "return_state": True},
         "back_seq_state": {"return_sequences": True, "return_state": True, "go_backwards": True},
         "back_last": {"go_backwards": True}}


def f32(a):
    return np.array(a, dtype="float32")


def rnn(kind: str, **kwargs):
    cls, extra = KINDS[kind]
    return cls(3, **extra, **kwargs)


def loaded(layer, x, weights):
    layer._maybe_build((None,) + x.shape[1:])
    layer.set_weights([f32(w) for w in weights])
    return layer


def assert_outputs(got, want, tol=2e-6):
    got = got if isinstance(got, list) else [got]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.array(w), rtol=tol, atol=tol)


# ----- recurrent layers with a mask, against Keras -----------------------------------------------
@pytest.mark.parametrize("name", sorted(REF["rnn"]))
def test_recurrent_layer_with_a_mask_matches_keras(name):
    case = REF["rnn"][name]
    x = f32(case["x"])
    layer = loaded(rnn(case["kind"], **MODES[case["mode"]]), x, case["weights"])
    assert_outputs(layer(x, mask=np.array(case["mask"])), case["outputs"])


def test_a_masked_step_carries_the_state_over():
    layer = built(layers.LSTM(2, return_sequences=True, return_state=True), (4, 3))
    x = np.random.default_rng(0).normal(size=(1, 4, 3)).astype("float32")
    mask = np.array([[True, False, False, True]])
    y, h, c = layer(x, mask=mask)
    np.testing.assert_array_equal(y[0, 1], y[0, 0])     # the output repeats the last real one
    np.testing.assert_array_equal(y[0, 2], y[0, 0])
    # the same as reading only the real steps
    y2, h2, c2 = layer(x[:, [0, 3]])
    np.testing.assert_allclose(y[0, 3], y2[0, 1], rtol=1e-6)
    np.testing.assert_allclose(c, c2, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(REF["bidirectional"]))
def test_bidirectional_with_a_mask_matches_keras(name):
    case = REF["bidirectional"][name]
    make = {"lstm_seq_concat": lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
            "gru_seq_none": lambda: layers.Bidirectional(layers.GRU(3, return_sequences=True),
                                                         merge_mode=None),
            "simple_rnn_last_sum": lambda: layers.Bidirectional(layers.SimpleRNN(3),
                                                                merge_mode="sum")}[name]
    x = f32(case["x"])
    assert_outputs(loaded(make(), x, case["weights"])(x, mask=np.array(case["mask"])),
                   case["outputs"])


@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM, layers.GRU])
@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True, "go_backwards": True}])
def test_masked_recurrent_gradients_float64(cls, kwargs):
    layer = built(cls(2, dtype="float64", bias_initializer="random_normal", **kwargs), (4, 2))
    mask = np.array([[1, 1, 0, 0], [0, 1, 1, 1]], bool)
    x = np.random.default_rng(3).normal(size=(2, 4, 2))
    assert_gradients(_WithMask(layer, mask), x)


@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM, layers.GRU])
@pytest.mark.parametrize("rates", [(0.3, 0.0), (0.0, 0.4), (0.3, 0.4)])
def test_dropout_and_initial_state_gradients_float64(cls, rates):
    """Numerical gradients with fixed dropout masks (as one training call draws them) and a
    given initial state: dx, dh_0 (dc_0) and every weight."""
    layer = built(cls(2, dropout=rates[0], recurrent_dropout=rates[1], return_sequences=True,
                      bias_initializer="random_normal", dtype="float64"), (4, 3))
    rng = np.random.default_rng(7)
    k = layer._gates if rates[1] else 1
    dx_drop = (rng.random((2, k, 3)) > rates[0]) / (1 - rates[0]) if rates[0] else None
    dh_drop = (rng.random((2, k, 2)) > rates[1]) / (1 - rates[1]) if rates[1] else None
    layer._dropout_masks = lambda xs, training: (dx_drop, dh_drop)
    states = [rng.normal(size=(2, 2)) for _ in range(layer._n_states())]
    check_layer(layer, [rng.normal(size=(2, 4, 3))] + states, training=True)


class _WithMask:
    """A layer with a fixed mask, for the numerical gradient check."""

    def __init__(self, layer, mask):
        self.layer, self.mask = layer, mask
        self.weights = layer.weights

    def forward(self, x, training=False):
        return self.layer.forward(x, training, mask=self.mask)

    def backward(self, cache, dy):
        return self.layer.backward(cache, dy)


# ----- pooling, merges ------------------------------------------------------------------------------
def test_global_average_pooling_averages_the_real_steps_as_keras():
    case = REF["pooling"]
    x, mask = f32(case["x"]), np.array(case["mask"])
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x, mask=mask), case["mean"],
                               rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalAveragePooling1D(keepdims=True)(x, mask=mask),
                               case["mean_keepdims"], rtol=1e-6)
    assert layers.GlobalAveragePooling1D().compute_mask(x, mask) is None


def test_global_average_pooling_mask_gradient_float64():
    mask = np.array([[1, 1, 0, 0, 1], [0, 1, 0, 0, 0]], bool)
    assert_gradients(_WithMask(built(layers.GlobalAveragePooling1D(dtype="float64"), (5, 3)),
                               mask), np.random.default_rng(1).normal(size=(2, 5, 3)))


def test_global_average_pooling_of_a_fully_masked_sample_is_nan_as_keras():
    y = layers.GlobalAveragePooling1D()(np.ones((1, 3, 2), "float32"),
                                        mask=np.zeros((1, 3), bool))
    assert np.isnan(y).all()


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "average", "maximum", "minimum",
                                  "concatenate", "concatenate_time", "dot"])
def test_merge_layers_combine_masks_as_keras(name):
    case = REF["merge"]
    a, b = f32(case["a"]), f32(case["b"])
    ma, mb = np.array(case["mask_a"]), np.array(case["mask_b"])
    layer = {"add": layers.Add(), "subtract": layers.Subtract(), "multiply": layers.Multiply(),
             "average": layers.Average(), "maximum": layers.Maximum(),
             "minimum": layers.Minimum(), "concatenate": layers.Concatenate(),
             "concatenate_time": layers.Concatenate(axis=1), "dot": layers.Dot(axes=-1)}[name]
    for masks, key in (([ma, mb], "both"), ([ma, None], "first_only")):
        got = layer.compute_mask([a, b], masks)
        want = case[name][key]
        if want is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, np.array(want))


# ----- masks through models -------------------------------------------------------------------------
def test_mask_travels_with_symbolic_tensors():
    ids = kteach.Input((4,), dtype="int32")
    e = layers.Embedding(5, 3, mask_zero=True)(ids)
    assert e._keras_mask.shape == (None, 4) and e._keras_mask.dtype == "bool"
    d = layers.Dropout(0.2)(layers.Dense(2)(e))
    assert d._keras_mask is e._keras_mask                 # passed on unchanged
    s, h, c = layers.LSTM(2, return_sequences=True, return_state=True)(d)
    assert s._keras_mask is e._keras_mask and getattr(h, "_keras_mask", None) is None
    assert getattr(layers.LSTM(2)(d), "_keras_mask", None) is None
    assert getattr(layers.GlobalAveragePooling1D()(d), "_keras_mask", None) is None
    m = layers.Masking()(kteach.Input((6, 2)))
    assert m._keras_mask.shape == (None, 6)


@pytest.mark.parametrize("name", sorted(REF["facts"]["passes_mask_on"]))
def test_which_layers_pass_a_mask_on_and_which_warn_as_keras(name):
    facts = REF["facts"]
    make = {"Dense": lambda: layers.Dense(2), "Dropout": lambda: layers.Dropout(0.1),
            "Activation": lambda: layers.Activation("relu"), "Flatten": layers.Flatten,
            "Conv1D": lambda: layers.Conv1D(2, 2), "GlobalMaxPooling1D": layers.GlobalMaxPooling1D,
            "GlobalAveragePooling1D": layers.GlobalAveragePooling1D,
            "LSTM": lambda: layers.LSTM(2), "LSTM_seq": lambda: layers.LSTM(2, return_sequences=True),
            "TimeDistributed": lambda: layers.TimeDistributed(layers.Dense(2)),
            "LayerNormalization": layers.LayerNormalization,
            "BatchNormalization": layers.BatchNormalization, "MaxPooling1D": layers.MaxPooling1D,
            "Reshape": lambda: layers.Reshape((12,))}[name]
    kteach.backend.clear_session()   # the layer names in the warning start afresh, as Keras'
    e = layers.Embedding(5, 3, mask_zero=True)(kteach.Input((4,), dtype="int32"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = make()(e)
    assert (getattr(y, "_keras_mask", None) is not None) == facts["passes_mask_on"][name]
    said = [str(w.message) for w in caught]
    assert len(said) == len(facts["warnings"][name])
    for ours, keras in zip(said, facts["warnings"][name]):
        assert ours.startswith(keras)       # Keras' words first, then how to fix it


def _model(name):
    M = REF["models"]
    I = lambda: kteach.Input((5,), dtype="int32")   # noqa: E731
    if name == "embedding_dense_seq_mse":
        inp = I()
        return kteach.Model(inp, layers.Dense(1)(layers.Embedding(7, 4, mask_zero=True)(inp)))
    if name == "embedding_lstm_seq_mse":
        inp = I()
        h = layers.LSTM(3, return_sequences=True)(layers.Embedding(7, 4, mask_zero=True)(inp))
        return kteach.Model(inp, layers.TimeDistributed(layers.Dense(1))(h))
    if name == "sequential_embedding_gru_last":
        return kteach.Sequential([I(), layers.Embedding(7, 4, mask_zero=True), layers.GRU(3),
                                  layers.Dense(1)])
    if name == "sequential_embedding_gap_dense":
        return kteach.Sequential([I(), layers.Embedding(7, 4, mask_zero=True),
                                  layers.GlobalAveragePooling1D(), layers.Dense(1)])
    inp = I()
    h = layers.SimpleRNN(3, return_sequences=True)(layers.Embedding(7, 4, mask_zero=True)(inp))
    assert M
    return kteach.Model(inp, layers.Dense(3, activation="softmax")(h))


MODEL_CASES = ["embedding_dense_seq_mse", "embedding_lstm_seq_mse",
               "sequential_embedding_gru_last", "sequential_embedding_gap_dense",
               "embedding_rnn_seq_scce"]


def _data(name):
    M = REF["models"]
    ids = np.array(M["ids"])
    if name == "embedding_rnn_seq_scce":
        return ids, np.array(M["labels"]), None, "sparse_categorical_crossentropy", "accuracy"
    if name == "sequential_embedding_gap_dense":   # Keras' case leaves out the all-padding row
        return ids[:3], f32(M["y_last"])[:3], f32(M["sample_weight"])[:3, 0], "mse", "mae"
    if "seq" in name and "last" not in name:
        return ids, f32(M["y_seq"]), f32(M["sample_weight"]), "mse", "mae"
    return ids, f32(M["y_last"]), f32(M["sample_weight"])[:, 0], "mse", "mae"


@pytest.mark.parametrize("name", MODEL_CASES)
def test_masked_model_predicts_evaluates_and_trains_as_keras(name):
    case = REF["models"][name]
    x, y, sw, loss, metric = _data(name)
    model = _model(name)
    model.compile(optimizer=kteach.optimizers.SGD(0.1), loss=loss, metrics=[metric])
    model.set_weights([f32(w) for w in case["weights"]])
    np.testing.assert_allclose(model.predict(x, verbose=0), case["predict"], rtol=1e-5, atol=1e-6)
    got = model.evaluate(x, y, verbose=0, return_dict=True)
    for key in ("loss", metric):          # the padding is left out of both
        assert got[key] == pytest.approx(case["evaluate"][key], rel=1e-5)
    if sw is not None:                     # the mask is multiplied into the sample weights
        got = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
        assert got["loss"] == pytest.approx(case["evaluate_weighted"]["loss"], rel=1e-5)
    before = model.train_on_batch(x, y, return_dict=True)
    assert before["loss"] == pytest.approx(case["train_on_batch"]["loss"], rel=1e-5)
    for w, want in zip(model.get_weights(), case["weights_after"]):   # the same gradients
        np.testing.assert_allclose(w, want, rtol=1e-5, atol=1e-6)


def test_time_distributed_hands_each_steps_mask_to_the_inner_layer_as_keras():
    case = REF["models"]["td_lstm"]
    words = np.array(case["ids"])
    inp = kteach.Input((3, 4), dtype="int32")
    td = layers.TimeDistributed(layers.LSTM(3))(layers.Embedding(7, 4, mask_zero=True)(inp))
    assert td._keras_mask.shape == tuple(case["output_mask_shape"])   # passed on unchanged
    model = kteach.Model(inp, td)
    model.set_weights([f32(w) for w in case["weights"]])
    got = model.predict(words, verbose=0)
    np.testing.assert_allclose(got, case["predict"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got[1, 0], 0.0)     # a sentence of padding only: h stays h_0
    # without the mask the padded words would count: the same LSTM on the bare vectors differs
    lstm = model.layers[-1].layer
    vectors = model.layers[1](words).reshape(6, 4, 4)
    assert not np.allclose(lstm(vectors).reshape(2, 3, 3), case["predict"], atol=1e-3)


def test_time_distributed_lstm_with_a_mask_has_the_numerical_gradient_in_float64():
    from gradcheck import numeric_gradient, relative_error
    td = built(layers.TimeDistributed(layers.LSTM(2, dtype="float64", return_sequences=True),
                                      dtype="float64"), (3, 4, 2))
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4, 2))
    mask = np.array([[[1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]],
                     [[1, 0, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0]]], bool)
    y, cache = td.forward(x, mask=mask)
    r = rng.normal(size=y.shape)
    dx, grads = td.backward(cache, r)

    def loss():
        return float(np.sum(r * td.forward(x, mask=mask)[0]))
    assert relative_error(dx, numeric_gradient(loss, x)) < 1e-6
    for w, g in zip(td.weights, grads):
        assert relative_error(g, numeric_gradient(loss, w.value)) < 1e-6
    np.testing.assert_array_equal(dx[0, 1], 0.0)    # a fully masked step: no gradient reaches it


def test_time_distributed_refuses_a_mask_without_the_batch_and_time_axes():
    td = layers.TimeDistributed(layers.LSTM(2))
    x = np.zeros((2, 3, 4, 5), "float32")
    td(x)
    with pytest.raises(ShapeError) as err:
        td.forward(x, mask=np.ones((3, 2, 4), bool))
    assert str(err.value).startswith("`TimeDistributed` Layer should be passed a `mask` of "
                                     "shape (2, 3, ...), received: mask.shape=(3, 2, 4).")


def test_masked_loss_is_the_mean_over_real_steps_by_hand():
    inp = kteach.Input((4,), dtype="int32")
    model = kteach.Model(inp, layers.Dense(1)(layers.Embedding(5, 2, mask_zero=True)(inp)))
    model.compile(loss="mse")
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    y = np.ones((2, 4, 1), "float32")
    p = model.predict(x, verbose=0)
    real = (x != 0)
    want = float(((p[..., 0] - 1) ** 2 * real).sum() / real.sum())
    assert model.evaluate(x, y, verbose=0) == pytest.approx(want, rel=1e-6)
    assert want != pytest.approx(float(((p - 1) ** 2).mean()), rel=1e-3)   # not the plain mean


def test_keras_jax_training_metrics_count_the_padding():
    """The one difference kept on purpose: Keras' JAX backend loses the mask between the loss
    and the metrics of a training step, so its train_on_batch 'mae' is the plain mean."""
    case = REF["models"]["embedding_dense_seq_mse"]
    p, y = np.array(case["predict"]), f32(REF["models"]["y_seq"])
    assert case["train_on_batch"]["mae"] == pytest.approx(float(np.abs(p - y).mean()), rel=1e-5)


def test_masking_layer_and_lstm_model_as_keras():
    case = REF["models"]["masking_lstm"]
    x = f32(case["x"])
    model = kteach.Sequential([kteach.Input((5, 2)), layers.Masking(), layers.LSTM(3),
                               layers.Dense(1)])
    model.set_weights([f32(w) for w in case["weights"]])
    np.testing.assert_allclose(model.predict(x, verbose=0), case["predict"], rtol=1e-5, atol=1e-6)
    masking = model.layers[0]
    np.testing.assert_array_equal(masking(x), case["masking_output"])
    np.testing.assert_array_equal(masking.compute_mask(x), case["mask"])


def test_a_nested_model_sees_the_mask_but_drops_it_with_keras_warning():
    case = REF["models"]["nested"]
    kteach.backend.clear_session()
    inner = kteach.Sequential([kteach.Input((5, 4)), layers.LSTM(3, return_sequences=True)])
    inp = kteach.Input((5,), dtype="int32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = inner(layers.Embedding(7, 4, mask_zero=True)(inp))
    assert getattr(out, "_keras_mask", None) is None
    keras_said = case["warnings"][0].replace("'sequential_3'", f"'{inner.name}'")
    assert [str(w.message)[:len(keras_said)] for w in caught] == [keras_said]
    model = kteach.Model(inp, layers.GlobalAveragePooling1D()(out))
    model.set_weights([f32(w) for w in case["weights"]])
    np.testing.assert_allclose(model.predict(np.array(REF["models"]["ids"]), verbose=0),
                               case["predict"], rtol=1e-5, atol=1e-6)


# ----- dropout and initial states, against Keras --------------------------------------------------
@pytest.mark.parametrize("name", sorted(REF["dropout"]))
def test_recurrent_dropout_uses_keras_masks_and_rule(name):
    case = REF["dropout"][name]
    x = f32(case["x"])
    layer = loaded(rnn(case["kind"], return_sequences=True, **case["kwargs"]), x, case["weights"])
    dx = None if case["dx_drop"] is None else f32(case["dx_drop"])
    dh = None if case["dh_drop"] is None else f32(case["dh_drop"])
    drawn = layer._dropout_masks(x, training=True)     # kteach's own draw has Keras' shapes
    for ours, keras in zip(drawn, (dx, dh)):
        assert (ours is None) == (keras is None)
        if ours is not None:
            assert ours.shape == keras.shape
            assert set(np.unique(ours)) <= set(np.unique(keras)) | {0.0}
    layer._dropout_masks = lambda xs, training: (dx, dh) if training else (None, None)
    assert_outputs(layer(x, training=True), case["outputs"], tol=1e-5)
    assert_outputs(layer(x), case["inference"], tol=1e-5)   # no dropout outside training


def test_one_dropout_mask_per_sequence_reused_at_every_step():
    kteach.utils.set_random_seed(1)
    layer = built(layers.SimpleRNN(2, dropout=0.5, return_sequences=True), (6, 3))
    layer.set_weights([np.eye(3, 2, dtype="float32"), np.zeros((2, 2), "float32"),
                       np.zeros(2, "float32")])
    x = np.ones((4, 6, 3), "float32")       # with U = 0, h_t = tanh(x_t·D·W): equal steps
    y = layer(x, training=True)
    np.testing.assert_array_equal(y, np.repeat(y[:, :1], 6, axis=1))
    assert not np.allclose(y, layer(x))    # dropped in training, as it should be


@pytest.mark.parametrize("kind", sorted(REF["initial_state"]))
def test_initial_state_matches_keras(kind):
    case = REF["initial_state"][kind]
    x = f32(case["x"])
    layer = loaded(rnn(kind, return_sequences=True, return_state=True), x, case["weights"])
    assert_outputs(layer(x, initial_state=[f32(s) for s in case["states"]]), case["outputs"])


def test_initial_state_in_a_functional_model_gets_its_gradient():
    x_in, h_in, c_in = (kteach.Input(s, dtype="float64") for s in ((5, 2), (3,), (3,)))
    lstm = layers.LSTM(3, dtype="float64")
    model = kteach.Model([x_in, h_in, c_in], lstm(x_in, initial_state=[h_in, c_in]))
    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    with kteach.GradientTape() as tape:
        hs = [kteach.ops.convert_to_tensor(v) for v in (h, c)]
        tape.watch(hs)
        total = kteach.ops.sum(model([x, *hs]))
    dh, dc = tape.gradient(total, hs)
    eps = 1e-6
    for i, grad in enumerate((dh, dc)):      # central differences, float64
        up, down = [x, h.copy(), c.copy()], [x, h.copy(), c.copy()]
        up[1 + i][0, 1] += eps
        down[1 + i][0, 1] -= eps
        numeric = (np.sum(model(up)) - np.sum(model(down))) / (2 * eps)
        assert grad[0, 1] == pytest.approx(numeric, rel=1e-6)


def test_with_an_initial_state_keras_gives_the_rnn_no_mask():
    case = REF["initial_state_ignores_mask"]
    ids = kteach.Input((4,), dtype="int32")
    h0, c0 = kteach.Input((2,)), kteach.Input((2,))
    e = layers.Embedding(5, 3, mask_zero=True)(ids)
    lstm = layers.LSTM(2)
    model = kteach.Model([ids, h0, c0], [lstm(e), lstm(e, initial_state=[h0, c0])])
    model.set_weights([f32(w) for w in case["weights"]])
    zeros = np.zeros((2, 2), "float32")
    masked, with_state = model.predict([np.array(case["ids"]), zeros, zeros], verbose=0)
    np.testing.assert_allclose(masked, case["masked"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(with_state, case["with_initial_state"], rtol=1e-5, atol=1e-6)


# ----- mistakes -------------------------------------------------------------------------------------
def test_initial_state_of_the_wrong_length_or_shape_is_refused():
    x = kteach.Input((5, 2))
    with pytest.raises(ValueError, match=r"LSTM keeps 2 state\(s\): initial_state=\[h_0, c_0\]"):
        layers.LSTM(3)(x, initial_state=[kteach.Input((3,))])
    with pytest.raises(ShapeError, match=r"initial_state\[0\] of layer 'gru\w*' has shape "
                                         r"\(None, 4\), but a state of GRU\(3\) is \(batch, 3\)"):
        layers.GRU(3)(x, initial_state=[kteach.Input((4,))])


def test_a_mask_given_by_hand_to_a_layer_that_takes_none_is_refused():
    with pytest.raises(TypeError, match=r"Layer 'dense\w*' \(Dense\) takes no mask"):
        layers.Dense(2)(np.ones((2, 3, 4), "float32"), mask=np.ones((2, 3), bool))


def test_a_mask_given_by_hand_on_symbolic_tensors_says_how_to_make_one():
    x = kteach.Input((5, 2))
    with pytest.raises(NotSupportedError, match=r"Make the mask with Embedding\(mask_zero=True\) "
                                                r"or a Masking layer"):
        layers.LSTM(2)(x, mask=kteach.Input((5,), dtype="bool"))


@pytest.mark.parametrize("value", ["0", None, True, [0.0]])
def test_masking_value_must_be_a_number(value):
    with pytest.raises(ValueError, match=r"Masking\(mask_value=...\) takes the number that fills "
                                         r"padded steps"):
        layers.Masking(mask_value=value)


def test_attention_on_a_masked_input_is_refused_with_what_to_do():
    e = layers.Embedding(5, 4, mask_zero=True)(kteach.Input((6,), dtype="int32"))
    with pytest.raises(NotSupportedError, match=r"Layer 'multi_head_attention\w*' "
                                                r"\(MultiHeadAttention\) received a masked input\. "
                                                r"Keras would keep the padded steps out"):
        layers.MultiHeadAttention(2, 2)(e, e)


def test_stateful_is_still_refused():
    with pytest.raises(NotSupportedError, match=r"stateful=True\) is not supported"):
        layers.LSTM(2, stateful=True)


def test_explain_shows_the_masks():
    inp = kteach.Input((4,), dtype="int32")
    h = layers.LSTM(2, return_sequences=True)(layers.Embedding(5, 3, mask_zero=True)(inp))
    model = kteach.Model(inp, layers.Dense(1)(h))
    model.compile("sgd", "mse")
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    record = model.explain(x, np.ones((2, 4, 1), "float32"))
    lstm_step = next(s for s in record if s.kind == "forward" and s.name == "lstm")
    np.testing.assert_array_equal(lstm_step["mask"], x != 0)
    assert "mask (2, 4): 3 of 8 steps real, 5 masked (masked steps are skipped)" in lstm_step.notes
    loss_step = next(s for s in record if s.kind == "loss")
    np.testing.assert_array_equal(loss_step["mask"], x != 0)
    assert "loss = Σ m·L / Σ m = " in loss_step.formula
    assert loss_step.value == pytest.approx(model.evaluate(x, np.ones((2, 4, 1)), verbose=0),
                                            rel=1e-6)
    dense_step = next(s for s in record if s.kind == "forward" and s.name == "dense")
    assert "mask" not in dense_step.keys()     # Dense passes the mask on but does not use it


def test_per_sample_weights_on_a_masked_sequence_spread_over_its_steps():
    """Keras 3 fails here with a broadcasting error ((b,) against the (b, T) mask); kteach
    gives each step its sample's weight: loss = Σ w_b·m·L / Σ m."""
    inp = kteach.Input((4,), dtype="int32")
    model = kteach.Model(inp, layers.Dense(1)(layers.Embedding(5, 2, mask_zero=True)(inp)))
    model.compile(loss="mse")
    x, y, w = np.array([[1, 2, 0, 0], [3, 0, 0, 0]]), np.ones((2, 4, 1)), np.array([2.0, 0.5])
    L = (model.predict(x, verbose=0)[..., 0] - 1) ** 2
    m = x != 0
    want = float((L * m * w[:, None]).sum() / m.sum())
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(want, rel=1e-6)


def test_bad_targets_leave_a_masked_model_as_it_was():
    from snapshot import assert_unchanged, snapshot
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((4,), dtype="int32"),
                               layers.Embedding(5, 2, mask_zero=True),
                               layers.LSTM(3, return_sequences=True), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    model.fit(x, np.ones((2, 4, 1)), epochs=1, verbose=0)
    before = snapshot(model)
    with pytest.raises(ValueError):
        model.fit(x, np.ones((2, 5, 1)), epochs=1, verbose=0)
    assert_unchanged(before, model)


def test_a_learners_layer_receives_the_mask_and_passes_it_on_as_in_keras():
    seen = []

    class Scale(kteach.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True          # the Keras idiom: hand the mask on

        def call(self, x, mask=None):
            seen.append(None if mask is None else np.asarray(mask))
            return kteach.ops.multiply(x, 2.0)

    class Blind(kteach.layers.Layer):             # no mask argument, no supports_masking
        def call(self, x):
            return x

    ids = kteach.Input((4,), dtype="int32")
    e = layers.Embedding(5, 3, mask_zero=True)(ids)
    s = Scale()(e)
    assert s._keras_mask is e._keras_mask
    with pytest.warns(UserWarning, match="does not support masking"):
        b = Blind()(e)
    assert getattr(b, "_keras_mask", None) is None
    model = kteach.Model(ids, layers.GlobalAveragePooling1D()(s))
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(seen[-1], x != 0)


def test_a_misspelt_call_keyword_of_an_rnn_names_initial_state():
    with pytest.raises(TypeError, match=r"Did you mean 'initial_state'\?"):
        layers.LSTM(2)(kteach.Input((3, 2)), initial_states=[kteach.Input((2,))])


def test_a_subclassed_model_masks_as_the_same_functional_model():
    """Inside call() the layers' outputs are Tensors, which carry their mask to the next
    layer (as Keras' eager tensors carry _keras_mask), and the loss leaves the padding out."""
    class Tagger(kteach.Model):
        def __init__(self):
            super().__init__()
            self.emb = layers.Embedding(7, 4, mask_zero=True)
            self.rnn = layers.LSTM(3, return_sequences=True)
            self.out = layers.Dense(1)

        def call(self, x):
            return self.out(self.rnn(self.emb(x)))

    x, y = np.array([[3, 1, 4, 0, 0], [2, 0, 0, 0, 0]]), np.ones((2, 5, 1), "float32")
    sub = Tagger()
    sub.compile("sgd", "mse")
    sub.predict(x, verbose=0)
    inp = kteach.Input((5,), dtype="int32")
    h = layers.LSTM(3, return_sequences=True)(layers.Embedding(7, 4, mask_zero=True)(inp))
    functional = kteach.Model(inp, layers.Dense(1)(h))
    functional.compile("sgd", "mse")
    functional.set_weights(sub.get_weights())
    np.testing.assert_array_equal(sub.predict(x, verbose=0), functional.predict(x, verbose=0))
    assert sub.evaluate(x, y, verbose=0) == functional.evaluate(x, y, verbose=0)
    sub.train_on_batch(x, y)
    functional.train_on_batch(x, y)
    for a, b in zip(sub.get_weights(), functional.get_weights()):
        np.testing.assert_array_equal(a, b)
