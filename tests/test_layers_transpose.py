"""Conv1DTranspose and Conv2DTranspose: numbers from Keras 3.15.1 with the same weights, float64
gradient checks in every mode, output lengths from Keras' formulas, kernels in Keras' layout,
and the messages for mistakes.

Reference numbers: tests/fixtures/make_transpose_attention_reference.py (real Keras 3.15.1,
JAX backend) wrote tests/fixtures/transpose_attention_reference.json.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach.layers.convolutional import Conv1D
from kteach.layers.convolutional_transpose import Conv1DTranspose, Conv2DTranspose
from kteach.utils import check_layer_gradients

REFERENCE = json.loads((Path(__file__).parent / "fixtures" /
                        "transpose_attention_reference.json").read_text())["cases"]
CASES = [c for c in REFERENCE if c["cls"] in ("Conv1DTranspose", "Conv2DTranspose")]
CLASSES = {"Conv1DTranspose": Conv1DTranspose, "Conv2DTranspose": Conv2DTranspose}


def build(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer = CLASSES[case["cls"]](**case["config"])
    x = np.array(case["inputs"][0], dtype="float32")
    build(layer, x.shape[1:])
    assert [list(w.shape) for w in layer.get_weights()] == case["weight_shapes"]
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    y = layer(x)
    assert list(y.shape) == case["output_shape"]
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + tuple(case["output_shape"][1:])
    np.testing.assert_allclose(y, case["output"], rtol=1e-5, atol=2e-6)


def test_reference_covers_both_paddings_strides_dilation_and_output_padding():
    names = {c["name"] for c in CASES}
    for padding in ("valid", "same"):
        assert {f"conv1dt_{padding}_s2_k3_d1", f"conv1dt_{padding}_s1_k3_d2",
                f"conv1dt_{padding}_s3_op2", f"conv2dt_{padding}_s2_k3",
                f"conv2dt_{padding}_s2_op1"} <= names


# ----- gradients -----------------------------------------------------------------------------
MODES_1D = [dict(kernel_size=3), dict(kernel_size=3, strides=2), dict(kernel_size=2, strides=3),
            dict(kernel_size=3, dilation_rate=2), dict(kernel_size=4, strides=2),
            dict(kernel_size=3, strides=3, output_padding=2),
            dict(kernel_size=4, strides=2, output_padding=1, use_bias=False)]


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", MODES_1D, ids=lambda m: "-".join(f"{k}{v}" for k, v in m.items()))
def test_conv1d_transpose_gradients_float64(padding, mode):
    rng = np.random.default_rng(0)
    layer = Conv1DTranspose(3, padding=padding, activation="tanh", dtype="float64",
                            bias_initializer="random_normal", **mode)
    report = check_layer_gradients(layer, rng.normal(size=(2, 5, 2)), tolerance=1e-5)
    assert report.passed, report


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", [dict(strides=2), dict(dilation_rate=2),
                                  dict(kernel_size=(2, 3), strides=(1, 2)),
                                  dict(strides=2, output_padding=1, use_bias=False)],
                         ids=["s2", "d2", "k23_s12", "s2_op1_nobias"])
def test_conv2d_transpose_gradients_float64(padding, mode):
    rng = np.random.default_rng(1)
    mode = {"kernel_size": 3, **mode}
    layer = Conv2DTranspose(2, padding=padding, activation="relu", dtype="float64", **mode)
    report = check_layer_gradients(layer, rng.normal(size=(2, 4, 3, 2)), tolerance=1e-5)
    assert report.passed, report


# ----- shapes, layout, the link with Conv1D ---------------------------------------------------
@pytest.mark.parametrize("L", [1, 4, 7])
@pytest.mark.parametrize("k,s,d", [(1, 1, 1), (3, 1, 1), (3, 2, 1), (2, 3, 1), (4, 2, 1), (3, 1, 2)])
def test_output_length_follows_keras_formula(L, k, s, d):
    span = d * (k - 1) + 1
    valid = build(Conv1DTranspose(2, k, strides=s, dilation_rate=d), (L, 3))
    assert valid.compute_output_shape((None, L, 3)) == (None, (L - 1) * s + max(span, s), 2)
    same = build(Conv1DTranspose(2, k, strides=s, dilation_rate=d, padding="same"), (L, 3))
    assert same.compute_output_shape((None, L, 3)) == (None, L * s, 2)
    assert same(np.ones((2, L, 3), dtype="float32")).shape == (2, L * s, 2)
    assert valid.compute_output_shape((None, None, 3)) == (None, None, 2)


def test_is_the_gradient_of_a_convolution():
    """Conv1DTranspose's output is what a Conv1D's backward sends to its input, for the same
    kernel (Conv1D's (k, C_in, C_out) is read as (k, filters, channels) here)."""
    rng = np.random.default_rng(3)
    conv = build(Conv1D(3, 4, strides=2, use_bias=False, dtype="float64"), (10, 2))
    x = rng.normal(size=(1, 10, 2))
    y, cache = conv.forward(x)
    dy = rng.normal(size=y.shape)
    dx, _ = conv.backward(cache, dy)
    up = build(Conv1DTranspose(2, 4, strides=2, use_bias=False, dtype="float64"), y.shape[1:])
    up.set_weights([conv.kernel.value])                        # (4, 2, 3) = (k, filters, C)
    np.testing.assert_allclose(up(dy), dx, rtol=1e-12)


def test_stamps_by_hand():
    # one input step of value 2 stamps 2·W; the next (stride 2) stamps 3·W two steps further
    layer = build(Conv1DTranspose(1, 3, strides=2, use_bias=False), (2, 1))
    layer.set_weights([np.array([1, 10, 100], dtype="float32").reshape(3, 1, 1)])
    y = layer(np.array([[[2.0], [3.0]]], dtype="float32"))
    np.testing.assert_array_equal(y[0, :, 0], [2, 20, 200 + 3, 30, 300])


def test_weights_parameters_and_autoencoder_shapes():
    up = build(Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"), (7, 7, 32))
    assert [w.name for w in up.weights] == ["kernel", "bias"]
    assert [w.shape for w in up.get_weights()] == [(3, 3, 16, 32), (16,)]
    assert up.count_params() == 3 * 3 * 16 * 32 + 16
    assert up.compute_output_shape((None, 7, 7, 32)) == (None, 14, 14, 16)
    # glorot_uniform, fans from the (kh, kw, filters, C) layout as Keras
    assert np.abs(up.get_weights()[0]).max() <= math.sqrt(6 / (9 * 16 + 9 * 32))
    # the keras-io functional-API guide's decoder
    kteach.backend.clear_session()
    inputs = kteach.Input((4, 4, 1))
    x = kteach.layers.Conv2DTranspose(16, 3, activation="relu")(inputs)
    x = kteach.layers.Conv2DTranspose(32, 3, activation="relu")(x)
    assert x.shape == (None, 8, 8, 32)
    model = kteach.Model(inputs, kteach.layers.Conv2DTranspose(1, 3, activation="relu")(x))
    assert model.predict(np.ones((2, 4, 4, 1), "float32"), verbose=0).shape == (2, 10, 10, 1)


def test_trains_in_a_model():
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((3, 3, 2)),
                               kteach.layers.Conv2DTranspose(2, 2, strides=2, padding="same")])
    model.compile(optimizer=kteach.optimizers.Adam(0.05), loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 3, 3, 2)).astype("float32")
    t = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)            # nearest-neighbour upsampling
    history = model.fit(x, t, epochs=60, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


def test_formula():
    layer = build(Conv1DTranspose(4, 3, strides=2, padding="same", activation="relu"), (5, 2))
    assert layer.formula((None, 5, 2), (None, 10, 4)) == (
        "y = relu(z), z = x ⊛ᵀ W + b (strides=2, padding='same') : (None, 5, 2) ⊛ᵀ (3, 4, 2) "
        "+ (4,) → (None, 10, 4)")


# ----- mistakes ------------------------------------------------------------------------------
def test_bad_arguments_are_refused_at_construction():
    with pytest.raises(ValueError, match="strictly less than `strides`"):
        Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        Conv1DTranspose(2, 3, output_padding=(1, 1))
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        Conv1DTranspose(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="only for Conv1D"):
        Conv1DTranspose(2, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2DTranspose(2, (3, 0))
    with pytest.raises(ValueError, match="channels_last"):
        Conv2DTranspose(2, 3, data_format="channels_first")
    with pytest.raises(kteach.engine.errors.NotSupportedError, match="kernel_regularizer"):
        Conv2DTranspose(2, 3, kernel_regularizer="l2")


def test_wrong_input_rank_says_what_to_do():
    with pytest.raises(kteach.engine.errors.ShapeError, match="grey-scale"):
        Conv2DTranspose(2, 3)(np.ones((2, 5, 5), "float32"))
    layer = build(Conv1DTranspose(2, 3), (5, 3))
    with pytest.raises(kteach.engine.errors.ShapeError, match="built for 3 channels"):
        layer(np.ones((2, 5, 4), "float32"))
