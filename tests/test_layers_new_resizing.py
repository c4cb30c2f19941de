"""Resizing (bilinear and nearest) and RandomFlip: numbers from Keras 3.15.1
(tests/fixtures/new_layers_reference.json, made by tests/fixtures/make_new_layers_reference.py),
the form of Keras' random flips, float64 gradient checks, and the messages for mistakes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kteach import layers
from kteach.engine.errors import NotSupportedError, UnknownNameError
from kteach.layers.preprocessing import interpolation_matrix
from kteach.utils import check_layer_gradients

REFERENCE = {c["name"]: c for c in json.loads(
    (Path(__file__).parent / "fixtures" / "new_layers_reference.json").read_text())["cases"]}
RESIZING = [c for c in REFERENCE.values() if c["cls"] == "Resizing"]


@pytest.mark.parametrize("case", RESIZING, ids=[c["name"] for c in RESIZING])
def test_resizing_matches_keras(case):
    layer = layers.Resizing(**case["config"])
    x = np.array(case["input"], dtype="float32")
    np.testing.assert_allclose(layer(x), case["output"], rtol=1e-5, atol=1e-6)


def test_random_flip_is_the_identity_at_inference_as_keras():
    c = REFERENCE["random_flip_inference"]
    np.testing.assert_array_equal(layers.RandomFlip()(np.array(c["input"], "float32")),
                                  c["output"])


@pytest.mark.parametrize("name,flips", [("random_flip_training", {(0, 0), (1, 0), (0, 1), (1, 1)}),
                                        ("random_flip_horizontal_training", {(0, 0), (0, 1)})])
def test_random_flips_have_keras_form(name, flips):
    """Every image of Keras' output and of kteach's is the input flipped along the axes its
    mode names (rows, columns), and both kinds of image occur."""
    c = REFERENCE[name]
    x = np.array(c["input"])
    ours = layers.RandomFlip(**c["config"], dtype="float64")(x, training=True)
    for out in (np.array(c["output"]), ours):
        seen = set()
        for b in range(len(x)):
            match = [(r, w) for r in (0, 1) for w in (0, 1)
                     if np.allclose(out[b], x[b, ::(-1 if r else 1), ::(-1 if w else 1)])]
            assert match and set(match) <= flips
            seen.add(match[0])
        assert len(seen) > 1


def test_interpolation_rows_sum_to_one():
    for kind in ("bilinear", "nearest"):
        for n_in, n_out in [(3, 5), (7, 2), (4, 4)]:
            A = interpolation_matrix(n_in, n_out, kind)
            np.testing.assert_allclose(A.sum(axis=1), 1.0)
    np.testing.assert_allclose(interpolation_matrix(4, 4, "bilinear"), np.eye(4))


GRADIENT_CASES = {
    "Resizing-bilinear-up": (lambda: layers.Resizing(5, 7), (2, 3, 4, 2), False),
    "Resizing-bilinear-down": (lambda: layers.Resizing(2, 3), (2, 5, 7, 1), False),
    "Resizing-nearest": (lambda: layers.Resizing(5, 3, interpolation="nearest"), (2, 3, 4, 1),
                         False),
    "Resizing-crop_to_aspect_ratio": (lambda: layers.Resizing(3, 3, crop_to_aspect_ratio=True),
                                      (2, 4, 7, 1), False),
    "RandomFlip-training": (lambda: layers.RandomFlip(seed=2), (6, 3, 4, 2), True),
    "RandomFlip-inference": (lambda: layers.RandomFlip(seed=2), (2, 3, 4, 1), False),
}


@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key):
    make, shape, training = GRADIENT_CASES[key]
    report = check_layer_gradients(make(), np.random.default_rng(1).normal(size=shape),
                                   training=training)
    assert report.passed, str(report)


def test_shapes_and_mistakes():
    assert layers.Resizing(64, 32).compute_output_shape((None, 28, 28, 3)) == (None, 64, 32, 3)
    with pytest.raises(UnknownNameError, match=r"Did you mean 'bilinear'"):
        layers.Resizing(4, 4, interpolation="bilinera")
    with pytest.raises(NotSupportedError, match=r"pad_to_aspect_ratio=True"):
        layers.Resizing(4, 4, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"`width` argument of Resizing must be a positive"):
        layers.Resizing(4, 0)
    with pytest.raises(UnknownNameError, match=r"Did you mean 'horizontal'"):
        layers.RandomFlip("horizontl")
