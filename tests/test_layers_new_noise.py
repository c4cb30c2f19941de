"""SpatialDropout1D/2D, GaussianNoise, GaussianDropout, AlphaDropout: the identity at inference
(Keras 3.15.1's outputs in tests/fixtures/new_layers_reference.json, made by
tests/fixtures/make_new_layers_reference.py), the form of Keras' training outputs (which
values a mask can give), seeded draws, statistics, float64 gradient checks, mistakes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.layers import noise
from kteach.utils import check_layer_gradients

REFERENCE = {c["name"]: c for c in json.loads(
    (Path(__file__).parent / "fixtures" / "new_layers_reference.json").read_text())["cases"]}
CLASSES = {"SpatialDropout1D": noise.SpatialDropout1D, "SpatialDropout2D": noise.SpatialDropout2D,
           "GaussianNoise": noise.GaussianNoise, "GaussianDropout": noise.GaussianDropout,
           "AlphaDropout": noise.AlphaDropout}
INFERENCE = [c for c in REFERENCE.values() if c["cls"] in CLASSES and not c["training"]]


def keras_io(name):
    c = REFERENCE[name]
    return c, np.array(c["input"], dtype="float64"), np.array(c["output"], dtype="float64")


@pytest.mark.parametrize("case", INFERENCE, ids=[c["name"] for c in INFERENCE])
def test_identity_at_inference_as_keras(case):
    layer = CLASSES[case["cls"]](**case["config"])
    x = np.array(case["input"], dtype="float32")
    np.testing.assert_array_equal(layer(x), case["output"])
    np.testing.assert_array_equal(layer(x, training=False), x)


@pytest.mark.parametrize("name", ["spatial_dropout1d_training", "spatial_dropout2d_training"])
def test_spatial_dropout_drops_whole_channels_as_keras(name):
    c, x, keras_y = keras_io(name)
    layer = CLASSES[c["cls"]](**c["config"], dtype="float64")
    y = layer(x, training=True)
    spatial = tuple(range(1, x.ndim - 1))
    for out in (keras_y, y):         # Keras' and kteach's: each channel all kept or all zero
        kept = np.isclose(out, 2.0 * x)                     # rate 0.5: scaled by 1/(1 − 0.5)
        dropped = out == 0
        assert np.all(kept | dropped)
        assert np.all(kept.all(axis=spatial) | dropped.all(axis=spatial))
        assert 0 < dropped.mean() < 1


@pytest.mark.parametrize("name", ["alpha_dropout_training", "alpha_dropout_training_noise_shape"])
def test_alpha_dropout_values_are_keras_affine_map(name):
    """Every Keras output is ``a·x + b`` (kept) or ``a·α' + b`` (dropped), with kteach's a, b
    and α'; kteach's outputs have the same form; noise_shape shares one draw along axis 1."""
    c, x, keras_y = keras_io(name)
    layer = noise.AlphaDropout(**c["config"], dtype="float64")
    alpha_p, a, b = layer._affine()
    y = layer(x, training=True)
    for out in (keras_y, y):
        kept = np.isclose(out, a * x + b, rtol=1e-5, atol=1e-6)
        dropped = np.isclose(out, a * alpha_p + b, rtol=1e-5)
        assert np.all(kept | dropped)
        assert 0 < dropped.mean() < 1
        if c["config"].get("noise_shape"):
            assert np.all(kept.all(axis=1) | dropped.all(axis=1))


def test_alpha_dropout_keeps_mean_zero_and_variance_one():
    x = np.random.default_rng(0).normal(size=(400, 500))
    y = noise.AlphaDropout(0.2, seed=3, dtype="float64")(x, training=True)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01


def test_gaussian_layers_statistics():
    x = np.ones((500, 400))
    y = noise.GaussianNoise(0.5, seed=1, dtype="float64")(x, training=True)
    assert abs((y - 1).mean()) < 0.01 and abs((y - 1).std() - 0.5) < 0.01
    y = noise.GaussianDropout(0.2, seed=1, dtype="float64")(x, training=True)
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - np.sqrt(0.2 / 0.8)) < 0.01


@pytest.mark.parametrize("cls,arg", [(noise.GaussianNoise, 0.3), (noise.GaussianDropout, 0.3),
                                     (noise.AlphaDropout, 0.3), (noise.SpatialDropout1D, 0.3)])
def test_a_seed_gives_the_same_draws_and_global_seed_too(cls, arg):
    x = np.random.default_rng(0).normal(size=(4, 5, 3))
    a = cls(arg, seed=5, dtype="float64")(x, training=True)
    b = cls(arg, seed=5, dtype="float64")(x, training=True)
    np.testing.assert_array_equal(a, b)
    kteach.utils.set_random_seed(1)
    c = cls(arg, dtype="float64")(x, training=True)
    kteach.utils.set_random_seed(1)
    d = cls(arg, dtype="float64")(x, training=True)
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(a, x)


GRADIENT_CASES = {
    "SpatialDropout1D": (lambda: noise.SpatialDropout1D(0.4, seed=2), (3, 5, 4)),
    "SpatialDropout2D": (lambda: noise.SpatialDropout2D(0.4, seed=2), (3, 3, 4, 4)),
    "GaussianNoise": (lambda: noise.GaussianNoise(0.3, seed=2), (3, 5)),
    "GaussianDropout": (lambda: noise.GaussianDropout(0.3, seed=2), (3, 5)),
    "AlphaDropout": (lambda: noise.AlphaDropout(0.3, seed=2), (3, 5)),
    "AlphaDropout-noise_shape": (lambda: noise.AlphaDropout(0.5, noise_shape=(None, 1, 4),
                                                            seed=2), (3, 5, 4)),
}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key, training):
    make, shape = GRADIENT_CASES[key]
    report = check_layer_gradients(make(), np.random.default_rng(2).normal(size=shape),
                                   training=training)
    assert report.passed, str(report)


def test_active_only_in_fit():
    """In fit the noise is on (the loss sees it); predict gives the clean values."""
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(3, kernel_initializer="identity"),
                               layers.GaussianNoise(1.0)])
    x = np.ones((4, 3), dtype="float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x)
    model.compile("sgd", "mse")
    assert model.evaluate(x, x, verbose=0) < 1e-12
    history = model.fit(x, x, epochs=1, verbose=0)
    assert history.history["loss"][0] > 0.1


def test_shapes_and_formula():
    assert noise.SpatialDropout2D(0.2).compute_output_shape((None, 8, 8, 3)) == (None, 8, 8, 3)
    assert noise.GaussianNoise(0.1).formula((None, 4), (None, 4)) == \
        "y = x + ε, ε ~ N(0, 0.1²) in training, y = x otherwise : (None, 4) → (None, 4)"


def test_mistakes():
    with pytest.raises(ValueError, match=r"`rate` of GaussianDropout: expected a number in \[0, 1\)"):
        noise.GaussianDropout(1.0)
    with pytest.raises(ValueError, match=r"`rate` of AlphaDropout"):
        noise.AlphaDropout(-0.1)
    with pytest.raises(ValueError, match=r"`rate` of SpatialDropout1D"):
        noise.SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match=r"`stddev` of GaussianNoise: expected a number in \[0, 1\]"):
        noise.GaussianNoise(2.0)
    with pytest.raises(kteach.engine.errors.ShapeError, match=r"expected ndim=3"):
        noise.SpatialDropout1D(0.2)(np.ones((2, 3), dtype="float32"))
