"""BatchNormalization and LayerNormalization: numbers from Keras 3.15.1 (including the moving
statistics after a training call and after one fit step), float64 gradient checks in training
and inference mode, the formulas by hand, weights and messages.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_conv_reference.py and stored in tests/fixtures/conv_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import optimizers
from kteach.engine.errors import ShapeError
from kteach.layers import Dense, Input
from kteach.layers.normalization import BatchNormalization, LayerNormalization
from gradcheck import check_layer

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "conv_reference.json").read_text())["cases"]
CLASSES = {"BatchNormalization": BatchNormalization, "LayerNormalization": LayerNormalization}
NORM_CASES = [c for c in REFERENCE if c.get("cls") in CLASSES]


def build(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


def random_weights(layer, seed=0):
    """γ and moving variance in [0.5, 1.5], β and moving mean around 0 (float64)."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 1.5, size=w.shape) if w.name in ("gamma", "moving_variance")
                       else rng.normal(scale=0.3, size=w.shape) for w in layer.weights])
    return layer


# ----- numbers from Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("case", NORM_CASES, ids=[c["name"] for c in NORM_CASES])
def test_forward_matches_keras(case):
    layer = CLASSES[case["cls"]](**case["config"])
    x = np.array(case["inputs"][0], dtype="float32")
    build(layer, x.shape[1:])
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    training = "weights_after" in case
    np.testing.assert_allclose(layer(x, training=training), case["output"], rtol=1e-5, atol=2e-6)
    if training:  # the moving statistics moved in that call, then inference uses them
        for w, after in zip(layer.get_weights(), case["weights_after"]):
            np.testing.assert_allclose(w, after, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(layer(x), case["output_inference_after"], rtol=1e-5, atol=2e-6)


def test_one_fit_step_with_batch_normalization_matches_keras():
    case = next(c for c in REFERENCE if c["name"] == "bn_fit_step")
    model = kteach.Sequential([Input(shape=(4,)), BatchNormalization(), Dense(1)])
    model.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    x, y = np.array(case["inputs"][0], dtype="float32"), np.array(case["targets"], dtype="float32")
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(case["loss"], rel=1e-6)
    for w, after in zip(model.get_weights(), case["weights_after"]):
        np.testing.assert_allclose(w, after, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), case["predict_after"], rtol=1e-5, atol=1e-6)


# ----- gradients ------------------------------------------------------------------------------------
BN_SETUPS = [((4,), {}), ((5, 3), {}), ((3, 4), dict(axis=1)), ((3, 2, 2), {}),
             ((4,), dict(center=False)), ((4,), dict(scale=False)),
             ((4,), dict(center=False, scale=False))]


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("shape,options", BN_SETUPS,
                         ids=["2d", "seq", "axis1", "image", "no_center", "no_scale", "plain"])
def test_batch_normalization_gradients_float64(shape, options, training):
    layer = random_weights(build(BatchNormalization(dtype="float64", **options), shape), seed=len(shape))
    x = np.random.default_rng(1).normal(loc=0.5, scale=2.0, size=(6,) + shape)
    _, grads = check_layer(layer, x, training=training)
    assert grads[-2:] == [None, None]  # the moving statistics get no gradient


@pytest.mark.parametrize("shape,options", [((4,), {}), ((5, 3), {}), ((5, 3), dict(axis=[1, 2])),
                                           ((5, 3), dict(axis=1)), ((4,), dict(scale=False)),
                                           ((4,), dict(center=False, scale=False))],
                         ids=["2d", "seq", "axes12", "axis1", "no_scale", "plain"])
def test_layer_normalization_gradients_float64(shape, options):
    layer = random_weights(build(LayerNormalization(dtype="float64", **options), shape))
    check_layer(layer, np.random.default_rng(2).normal(loc=1.0, scale=2.0, size=(3,) + shape))


# ----- the formulas by hand ------------------------------------------------------------------------
def test_batch_normalization_training_step_by_hand():
    layer = build(BatchNormalization(momentum=0.9, epsilon=0.0001, dtype="float64"), (2,))
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    y = layer(x, training=True)
    # channel 0: μ = 3, σ² = (4 + 0 + 4)/3 = 8/3 (biased); channel 1: μ = 12, σ² = 8
    np.testing.assert_allclose(y[:, 0], (x[:, 0] - 3) / np.sqrt(8 / 3 + 1e-4))
    np.testing.assert_allclose(y[:, 1], (x[:, 1] - 12) / np.sqrt(8 + 1e-4))
    # moving = 0.9·moving + 0.1·batch, from mean 0 and variance 1
    np.testing.assert_allclose(layer.moving_mean.value, [0.3, 1.2])
    np.testing.assert_allclose(layer.moving_variance.value, [0.9 + 0.1 * 8 / 3, 0.9 + 0.8])
    # inference uses the moving statistics and changes nothing
    before = layer.get_weights()
    np.testing.assert_allclose(layer(x), (x - [0.3, 1.2]) / np.sqrt(np.array([0.9 + 0.8 / 3, 1.7]) + 1e-4))
    for w, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(w, b)


def test_frozen_batch_normalization_runs_in_inference_mode():
    layer = build(BatchNormalization(), (3,))
    layer.trainable = False
    x = np.arange(12.0, dtype="float32").reshape(4, 3)
    y = layer(x, training=True)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-6)   # moving stats 0 and 1
    np.testing.assert_array_equal(layer.moving_mean.value, [0, 0, 0])


def test_layer_normalization_by_hand_and_independent_of_the_batch():
    layer = build(LayerNormalization(epsilon=0.0, dtype="float64"), (4,))
    x = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 4.0, 4.0]])
    # row 0: μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5; row 1: μ = 2, σ² = 4
    np.testing.assert_allclose(layer(x), [[-2 / np.sqrt(3.5), -1 / np.sqrt(3.5), 0, 3 / np.sqrt(3.5)],
                                          [-1, -1, 1, 1]])
    np.testing.assert_allclose(layer(x[1:]), layer(x)[1:])
    np.testing.assert_allclose(layer(x, training=True), layer(x))


# ----- weights, shapes, messages ---------------------------------------------------------------------
def test_weights_in_keras_order_and_parameter_counts():
    bn = build(BatchNormalization(), (7, 16))
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in bn.weights] == [(16,)] * 4
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert bn.count_params() == 4 * 16
    np.testing.assert_array_equal([w.mean() for w in bn.get_weights()], [1, 0, 0, 1])
    assert [w.name for w in build(BatchNormalization(center=False), (3,)).weights] == [
        "gamma", "moving_mean", "moving_variance"]
    ln = build(LayerNormalization(axis=[1, 2]), (5, 3))
    assert [(w.name, w.shape) for w in ln.weights] == [("gamma", (5, 3)), ("beta", (5, 3))]
    assert build(LayerNormalization(), (5, 3)).count_params() == 2 * 3


def test_sequence_lengths_may_vary_but_channels_may_not():
    bn = build(BatchNormalization(), (None, 4))
    assert bn(np.ones((2, 9, 4), dtype="float32")).shape == (2, 9, 4)
    with pytest.raises(ShapeError, match=r"axis -1 of size 4, but received input with shape "
                                         r"\(None, 9, 5\)"):
        bn(np.ones((2, 9, 5), dtype="float32"))
    ln = build(LayerNormalization(), (None, 4))
    assert ln(np.ones((2, 3, 4), dtype="float32")).shape == (2, 3, 4)


def test_formula_and_argument_mistakes():
    bn = build(BatchNormalization(), (4,))
    assert bn.formula((None, 4), (None, 4)) == (
        "y = γ·(x − μ)/√(σ² + 0.001) + β, μ, σ² per channel: of the batch in training, moving "
        "averages otherwise : (None, 4) → (None, 4)")
    with pytest.raises(ValueError, match=r"`momentum` must be between 0 and 1"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match=r"renorm=True / synchronized=True\) is not supported"):
        BatchNormalization(renorm=True)
    with pytest.raises(ShapeError, match=r"has axis=3, but its input has only 2 axes"):
        build(BatchNormalization(axis=3), (4,))
    with pytest.raises(TypeError, match=r"Expected an int or a list/tuple of ints for the argument "
                                        r"'axis'"):
        LayerNormalization(axis="last")
    with pytest.raises(ShapeError, match=r"not a non-batch axis"):
        build(LayerNormalization(axis=0), (4,))
