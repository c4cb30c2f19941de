"""Attention and MultiHeadAttention: numbers from Keras 3.15.1 with the same weights (and the
same weight paths and shapes), float64 gradient checks, a small transformer block that trains,
and the messages for mistakes.

Reference numbers: tests/fixtures/make_transpose_attention_reference.py (real Keras 3.15.1,
JAX backend) wrote tests/fixtures/transpose_attention_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine.errors import NotSupportedError, ShapeError
from kteach.utils import check_layer_gradients

REFERENCE = json.loads((Path(__file__).parent / "fixtures" /
                        "transpose_attention_reference.json").read_text())["cases"]
CASES = [c for c in REFERENCE if c["cls"] in ("Attention", "MultiHeadAttention")]


def call(layer, xs, **kwargs):
    return layer(xs, **kwargs) if isinstance(layer, layers.Attention) else layer(*xs, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    kteach.backend.clear_session()
    layer = getattr(layers, case["cls"])(**case["config"])
    xs = [np.array(x, dtype="float32") for x in case["inputs"]]
    call(layer, xs)
    assert [list(w.shape) for w in layer.get_weights()] == case["weight_shapes"]
    assert [w.path.split("/", 1)[1] for w in layer.weights] == \
        [p.split("/", 1)[1] for p in case["weight_paths"]]
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    y = call(layer, xs, **case["call_kwargs"])
    assert list(y.shape) == case["output_shape"]
    np.testing.assert_allclose(y, case["output"], rtol=1e-5, atol=2e-6)


def test_reference_covers_every_score_mode_and_input_form():
    names = {c["name"] for c in CASES}
    assert {"mha_self", "mha_cross", "mha_cross_key", "mha_output_shape_nobias",
            "attention_dot", "attention_dot_key", "attention_scale", "attention_concat",
            "attention_concat_scale", "mha_causal", "attention_causal"} <= names


# ----- gradients -------------------------------------------------------------------------------
def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize("kwargs", [{}, {"use_scale": True}, {"score_mode": "concat"},
                                    {"score_mode": "concat", "use_scale": True}],
                         ids=["dot", "dot-scale", "concat", "concat-scale"])
@pytest.mark.parametrize("with_key", [False, True])
def test_attention_gradients_float64(kwargs, with_key):
    layer = layers.Attention(dtype="float64", **kwargs)
    xs = [normal(2, 3, 4), normal(2, 5, 4, seed=1)] + ([normal(2, 5, 4, seed=2)] if with_key else [])
    layer(xs)
    for w in layer.weights:
        w.assign(np.array(0.7))
    report = check_layer_gradients(layer, xs)
    assert report.passed, report


@pytest.mark.parametrize("kwargs,shapes", [
    ({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 4, 5)]),
    ({"num_heads": 3, "key_dim": 2}, [(2, 3, 4), (2, 5, 6)]),
    ({"num_heads": 2, "key_dim": 2, "value_dim": 3}, [(2, 3, 4), (2, 5, 6), (2, 5, 3)]),
    ({"num_heads": 2, "key_dim": 4, "output_shape": 7, "use_bias": False}, [(2, 3, 4), (2, 3, 4)]),
], ids=["self", "cross", "key-value_dim", "output_shape-no-bias"])
def test_multi_head_attention_gradients_float64(kwargs, shapes):
    layer = layers.MultiHeadAttention(dtype="float64", bias_initializer="random_normal", **kwargs)
    xs = [normal(*s, seed=i) for i, s in enumerate(shapes)]
    layer(*xs)
    report = check_layer_gradients(layer, xs)
    assert report.passed, report


@pytest.mark.parametrize("make,xs", [
    (lambda: layers.MultiHeadAttention(2, 3, dtype="float64"), [normal(2, 4, 5), normal(2, 4, 5, seed=1)]),
    (lambda: layers.MultiHeadAttention(2, 3, dtype="float64"), [normal(2, 3, 5), normal(2, 5, 4, seed=1)]),
    (lambda: layers.Attention(use_scale=True, dtype="float64"), [normal(2, 4, 3), normal(2, 4, 3, seed=1)]),
    (lambda: layers.Attention(score_mode="concat", dtype="float64"),
     [normal(2, 4, 3), normal(2, 6, 3, seed=1)]),
], ids=["mha-self", "mha-cross", "attention-dot", "attention-concat"])
def test_causal_mask_gradients_float64(make, xs):
    layer = make()
    layer(xs if isinstance(layer, layers.Attention) else list(xs))
    layer._use_causal_mask = True          # what a call with use_causal_mask=True turns on
    try:
        report = check_layer_gradients(layer, xs)
    finally:
        layer._use_causal_mask = False
    assert report.passed, report


def test_causal_mask_hides_the_future():
    layer = layers.MultiHeadAttention(2, 3, dtype="float64")
    x = normal(1, 5, 4)
    y = layer(x, x, use_causal_mask=True)
    changed = x.copy()
    changed[0, 3] += 1.0                      # step 3 may only change outputs 3 and 4
    same = np.isclose(layer(changed, changed, use_causal_mask=True), y).all(axis=-1)[0]
    np.testing.assert_array_equal(same, [True, True, True, False, False])
    assert not np.allclose(layer(x, x), y)    # the mask is for that call only
    np.testing.assert_allclose(layer(x, x, use_causal_mask=True), y)


def test_causal_mask_in_a_subclassed_model_trains():
    kteach.backend.clear_session()

    class Decoder(kteach.Model):
        def __init__(self):
            super().__init__()
            self.mha = layers.MultiHeadAttention(2, 4)
            self.out = layers.Dense(3)

        def call(self, x):
            return self.out(self.mha(x, x, use_causal_mask=True))

    model = Decoder()
    x = np.random.default_rng(0).normal(size=(16, 5, 3)).astype("float32")
    t = np.cumsum(x, axis=1) / np.arange(1, 6)[:, None]     # running mean: needs only the past
    model.compile(optimizer=kteach.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, t, epochs=40, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_dropout_gradients_in_training():
    layer = layers.MultiHeadAttention(2, 3, dropout=0.3, seed=4, dtype="float64")
    xs = [normal(2, 4, 5), normal(2, 4, 5, seed=1)]
    layer(*xs)
    report = check_layer_gradients(layer, xs, training=True)
    assert report.passed, report
    y_train = layer(*xs, training=True)
    assert not np.allclose(y_train, layer(*xs))          # dropout acts only in training


# ----- a small transformer block ---------------------------------------------------------------
def transformer_classifier(vocab=20, steps=6, d=8):
    tokens = kteach.Input((steps,), dtype="int32")
    x = layers.Embedding(vocab, d)(tokens)
    attn = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attn]))
    ff = layers.Dense(d)(layers.Dense(16, activation="relu")(x))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, ff]))
    x = layers.GlobalAveragePooling1D()(x)
    return kteach.Model(tokens, layers.Dense(2, activation="softmax")(x))


def test_transformer_block_trains():
    kteach.backend.clear_session()
    kteach.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(64, 6)).astype("int32")
    y = (x == 7).any(axis=1).astype("int32")            # does the sequence hold token 7?
    model = transformer_classifier()
    model.compile(optimizer=kteach.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    mha = [lay for lay in model.layers if isinstance(lay, layers.MultiHeadAttention)][0]
    assert [w.shape for w in mha.get_weights()] == [(8, 2, 4), (2, 4), (8, 2, 4), (2, 4),
                                                    (8, 2, 4), (2, 4), (2, 4, 8), (8,)]
    assert mha.count_params() == 3 * (8 * 8 + 8) + 8 * 8 + 8


def test_attention_in_a_functional_model():
    kteach.backend.clear_session()
    q, v = kteach.Input((3, 4)), kteach.Input((5, 4))
    out = layers.Attention()([q, v])
    assert out.shape == (None, 3, 4)
    model = kteach.Model([q, v], out)
    assert model.predict([np.ones((2, 3, 4)), np.ones((2, 5, 4))], verbose=0).shape == (2, 3, 4)


# ----- mistakes ---------------------------------------------------------------------------------
def test_bad_arguments_and_calls_have_messages():
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(2, None)
    with pytest.raises(ValueError, match="dropout"):
        layers.MultiHeadAttention(2, 4, dropout=1.5)
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="additive")
    with pytest.raises(NotSupportedError, match="attention_axes"):
        layers.MultiHeadAttention(2, 4, attention_axes=(1, 2))
    with pytest.raises(NotSupportedError, match="subclassed Model"):
        x = kteach.Input((3, 4))
        layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    with pytest.raises(NotSupportedError, match="return_attention_scores"):
        layers.Attention()([np.ones((1, 3, 4)), np.ones((1, 3, 4))], return_attention_scores=True)
    with pytest.raises(ShapeError, match=r"\[query, value\]"):
        layers.Attention()(np.ones((1, 3, 4), "float32"))
    with pytest.raises(ShapeError, match="same last axis"):
        layers.Attention()([np.ones((1, 3, 4), "float32"), np.ones((1, 3, 5), "float32")])
    with pytest.raises(ShapeError, match="same number of steps"):
        layers.MultiHeadAttention(2, 4)(np.ones((1, 3, 4)), np.ones((1, 5, 4)), np.ones((1, 4, 4)))


def test_default_kernels_have_keras_fans():
    """glorot_uniform on a projection kernel (d, heads, k) uses fans d and heads·k (and the
    output kernel (heads, v, d_out) heads·v and d_out), as Keras' fixture shows."""
    keras_max = json.loads((Path(__file__).parent / "fixtures" /
                            "transpose_attention_reference.json").read_text())["mha_default_init_max_abs"]
    layer = layers.MultiHeadAttention(8, 16)
    x = np.zeros((1, 4, 64), "float32")
    layer(x, x)
    limit = np.sqrt(6 / (64 + 8 * 16))
    ours = [float(np.abs(w).max()) for w in layer.get_weights()[::2]]
    for mine, theirs in zip(ours, keras_max):
        assert 0.97 * limit < mine <= limit and 0.97 * limit < theirs <= limit


def test_keras_weights_file_loads_and_kteach_writes_the_same_groups():
    """Keras 3.15.1 saved tests/fixtures/mha_model.weights.h5 (MultiHeadAttention then
    Conv1DTranspose): kteach loads it and predicts Keras' numbers, and writes the same
    groups and datasets."""
    import h5py
    fixtures = Path(__file__).parent / "fixtures"
    facts = json.loads((fixtures / "transpose_attention_reference.json").read_text())["mha_h5"]
    kteach.backend.clear_session()
    x = kteach.Input((4, 5))
    h = layers.MultiHeadAttention(2, 3)(x, x)
    model = kteach.Model(x, layers.Conv1DTranspose(2, 3, strides=2)(h))
    model.load_weights(str(fixtures / "mha_model.weights.h5"))
    y = model.predict(np.array(facts["input"], dtype="float32"), verbose=0)
    np.testing.assert_allclose(y, facts["output"], rtol=1e-5, atol=2e-6)

    def datasets(path):
        names = []
        with h5py.File(path) as f:
            f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        return sorted(names)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        model.save_weights(f"{tmp}/m.weights.h5")
        assert datasets(f"{tmp}/m.weights.h5") == datasets(fixtures / "mha_model.weights.h5")
