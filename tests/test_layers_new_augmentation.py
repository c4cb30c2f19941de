"""RandomRotation, RandomZoom, RandomTranslation: the identity at inference, and — with an
empty range (lower = upper), which makes the draw certain — Keras 3.15.1's resampled images
for every fill_mode and both interpolations (tests/fixtures/new_layers_reference.json, made
by tests/fixtures/make_new_layers_reference.py); float64 gradient checks; seeded draws."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine.errors import UnknownNameError
from kteach.utils import check_layer_gradients

KINDS = ("RandomRotation", "RandomZoom", "RandomTranslation")
CASES = [c for c in json.loads((Path(__file__).parent / "fixtures" /
                                "new_layers_reference.json").read_text())["cases"]
         if c["cls"] in KINDS]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    layer = getattr(layers, case["cls"])(**case["config"])
    x = np.array(case["input"], dtype="float32")
    y = layer(x, training=case["training"])
    np.testing.assert_allclose(y, case["output"], rtol=1e-4, atol=1e-5)


def test_every_augmentation_has_keras_numbers():
    assert {c["cls"] for c in CASES if c["training"]} == set(KINDS)


GRADIENT_CASES = {
    "RandomRotation-reflect": lambda: layers.RandomRotation(0.2, seed=1),
    "RandomRotation-constant": lambda: layers.RandomRotation(0.2, fill_mode="constant",
                                                             fill_value=0.3, seed=1),
    "RandomRotation-nearest-wrap": lambda: layers.RandomRotation(
        0.2, interpolation="nearest", fill_mode="wrap", seed=1),
    "RandomZoom": lambda: layers.RandomZoom((-0.4, 0.4), seed=1),
    "RandomZoom-nearest-fill": lambda: layers.RandomZoom(0.3, (0.1, 0.5), fill_mode="nearest",
                                                         seed=1),
    "RandomTranslation": lambda: layers.RandomTranslation(0.3, 0.3, seed=1),
    "RandomTranslation-constant": lambda: layers.RandomTranslation(
        (0.1, 0.2), (-0.3, 0.0), fill_mode="constant", seed=1),
}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key, training):
    report = check_layer_gradients(GRADIENT_CASES[key](),
                                   np.random.default_rng(1).normal(size=(3, 5, 6, 2)),
                                   training=training)
    assert report.passed, str(report)


def test_seeded_draws_repeat_and_differ_per_image():
    x = np.random.default_rng(0).normal(size=(4, 5, 6, 1))
    a = layers.RandomRotation(0.3, seed=4, dtype="float64")(x, training=True)
    b = layers.RandomRotation(0.3, seed=4, dtype="float64")(x, training=True)
    np.testing.assert_array_equal(a, b)
    same = layers.RandomRotation(0.3, seed=4, dtype="float64")(np.repeat(x[:1], 4, 0),
                                                              training=True)
    assert not np.allclose(same[0], same[1])       # one angle per image


def test_active_only_in_training_inside_a_model():
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((5, 6, 1)), layers.RandomZoom(0.3),
                               layers.RandomTranslation(0.2, 0.2), layers.RandomRotation(0.1)])
    x = np.random.default_rng(0).normal(size=(2, 5, 6, 1)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.allclose(model(x, training=True), x)


def test_mistakes():
    with pytest.raises(ValueError, match=r"`factor` argument of RandomRotation must be a number"):
        layers.RandomRotation((0.3, 0.1))
    with pytest.raises(ValueError, match=r"`height_factor` argument of RandomZoom.*-1 <= lower"):
        layers.RandomZoom((-1.5, 0.2))
    with pytest.raises(UnknownNameError, match=r"Did you mean 'reflect'"):
        layers.RandomTranslation(0.1, 0.1, fill_mode="reflct")
    with pytest.raises(UnknownNameError, match=r"Did you mean 'nearest'"):
        layers.RandomZoom(0.1, interpolation="neares")
