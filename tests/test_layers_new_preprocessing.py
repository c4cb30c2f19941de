"""Identity, UnitNormalization, Rescaling, Normalization (with adapt), CenterCrop: numbers from
Keras 3.15.1 (tests/fixtures/new_layers_reference.json, made by
tests/fixtures/make_new_layers_reference.py), float64 gradient checks, weights as Keras'
(mean, variance, count), and the messages for mistakes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.utils import check_layer_gradients

REFERENCE = json.loads((Path(__file__).parent / "fixtures" /
                        "new_layers_reference.json").read_text())["cases"]
NAMES = ("Identity", "UnitNormalization", "Rescaling", "Normalization", "CenterCrop")
CASES = [c for c in REFERENCE if c["cls"] in NAMES]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer = getattr(layers, case["cls"])(**case["config"])
    if "adapt" in case:
        layer.adapt(np.array(case["adapt"], dtype="float32"))
        for mine, keras in zip(layer.get_weights(), case["adapted"]):
            np.testing.assert_allclose(mine, keras, rtol=1e-5, atol=1e-6)
    x = np.array(case["input"], dtype="float32")
    y = layer(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, case["output"], rtol=1e-5, atol=1e-6)


def test_every_layer_has_keras_numbers():
    assert {c["cls"] for c in CASES} == set(NAMES)


def adapted(**kwargs):
    layer = layers.Normalization(**kwargs)
    layer.adapt(np.random.default_rng(5).normal(size=(20, 3, 4)) * 2 + 1)
    return layer


GRADIENT_CASES = {
    "Identity": (lambda: layers.Identity(), (3, 4)),
    "UnitNormalization": (lambda: layers.UnitNormalization(), (3, 4)),
    "UnitNormalization-axes": (lambda: layers.UnitNormalization(axis=[1, 2]), (2, 3, 4)),
    "Rescaling": (lambda: layers.Rescaling(0.5, offset=-1.0), (2, 3, 3, 1)),
    "Normalization-adapted": (lambda: adapted(), (2, 3, 4)),
    "Normalization-adapted-axes-invert": (lambda: adapted(axis=(1, 2), invert=True), (2, 3, 4)),
    "Normalization-given": (lambda: layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5]),
                            (3, 2)),
    "CenterCrop": (lambda: layers.CenterCrop(2, 3), (2, 5, 6, 2)),
    "CenterCrop-smaller-resized": (lambda: layers.CenterCrop(6, 3), (2, 4, 8, 1)),
}


@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key):
    make, shape = GRADIENT_CASES[key]
    layer = make()
    report = check_layer_gradients(layer, np.random.default_rng(1).normal(size=shape))
    # Normalization's statistics are weights that training never changes (their gradient is
    # None, read as 0): only the input and trainable weights must agree
    trained = {"input"} | {w.path for w in layer.trainable_weights}
    assert all(c.passed for c in report if c.name in trained), str(report)
    assert report["input"].passed


def test_unit_normalization_zero_vector_has_a_finite_gradient():
    layer = layers.UnitNormalization(dtype="float64")
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    y, cache = layer.forward(x)
    np.testing.assert_allclose(y, [[0.0, 0.0], [0.6, 0.8]])
    dx, _ = layer.backward(cache, np.ones_like(x))
    assert np.all(np.isfinite(dx))


def test_normalization_weights_as_keras_and_not_trained():
    layer = adapted()
    assert [(w.name, w.shape, w.dtype, w.trainable) for w in layer.weights] == [
        ("mean", (4,), "float32", False), ("variance", (4,), "float32", False),
        ("count", (), "int32", False)]
    assert layer.trainable_weights == []
    assert layers.Normalization(mean=[0.0], variance=[1.0]).weights == []


def test_normalization_in_a_model_standardises_the_data():
    data = np.random.default_rng(0).normal(size=(200, 3)) * [1.0, 10.0, 100.0] + [0, 5, -50]
    norm = layers.Normalization()
    norm.adapt(data)
    model = kteach.Sequential([kteach.Input((3,)), norm, layers.Dense(1)])
    y = norm(data.astype("float32"))
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-4)
    model.compile("sgd", "mse")
    model.fit(data, data[:, :1], epochs=1, verbose=0)
    np.testing.assert_allclose(norm.get_weights()[0], data.mean(axis=0), rtol=1e-5)


def test_rescaling_turns_uint8_pixels_into_floats():
    x = np.array([[[[0], [255]]]], dtype="uint8")
    y = layers.Rescaling(1 / 255)(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.ravel(), [0.0, 1.0])


def test_shapes():
    assert layers.CenterCrop(24, 20).compute_output_shape((None, 32, 32, 3)) == (None, 24, 20, 3)
    assert layers.Rescaling(2.0).compute_output_shape((None, 8, 8, 3)) == (None, 8, 8, 3)
    assert layers.UnitNormalization().compute_output_shape((None, 5)) == (None, 5)


def test_mistakes():
    with pytest.raises(ValueError, match=r"needs both `mean` and `variance`"):
        layers.Normalization(mean=[0.0])
    with pytest.raises(ValueError, match=r"adapt\(\) learns them only when they are not given"):
        layers.Normalization(mean=[0.0], variance=[1.0]).adapt(np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"`height` argument of CenterCrop must be a positive"):
        layers.CenterCrop(0, 3)
    with pytest.raises(ValueError, match=r"`scale` argument of Rescaling must be a number"):
        layers.Rescaling("big")
    with pytest.raises(TypeError, match=r"`axis` argument of UnitNormalization"):
        layers.UnitNormalization(axis=1.0)
