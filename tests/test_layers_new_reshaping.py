"""UpSampling2D, ZeroPadding2D, Cropping1D/2D, RepeatVector, Permute: numbers from Keras
3.15.1 (tests/fixtures/new_layers_reference.json, made by
tests/fixtures/make_new_layers_reference.py), float64 gradient checks, Keras' shapes and the
messages for mistakes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kteach import layers
from kteach.engine.errors import NotSupportedError, ShapeError
from kteach.utils import check_layer_gradients

REFERENCE = json.loads((Path(__file__).parent / "fixtures" /
                        "new_layers_reference.json").read_text())["cases"]
RESHAPING = ("UpSampling2D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "RepeatVector",
             "Permute")
CASES = [c for c in REFERENCE if c["cls"] in RESHAPING]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer = getattr(layers, case["cls"])(**case["config"])
    x = np.array(case["input"], dtype="float32")
    y = layer(x)
    assert y.shape == np.shape(case["output"])
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + y.shape[1:]
    np.testing.assert_allclose(y, case["output"], rtol=1e-6, atol=1e-6)


def test_every_reshaping_layer_has_keras_numbers():
    assert {c["cls"] for c in CASES} == set(RESHAPING)


GRADIENT_CASES = {
    "UpSampling2D": (lambda: layers.UpSampling2D((2, 3)), (2, 3, 2, 2)),
    "UpSampling2D-bilinear": (lambda: layers.UpSampling2D((2, 3), interpolation="bilinear"),
                              (2, 3, 2, 2)),
    "ZeroPadding2D": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (2, 3, 2, 2)),
    "Cropping1D": (lambda: layers.Cropping1D((1, 2)), (2, 6, 3)),
    "Cropping2D": (lambda: layers.Cropping2D(((1, 0), (2, 1))), (2, 4, 5, 2)),
    "RepeatVector": (lambda: layers.RepeatVector(3), (2, 4)),
    "Permute": (lambda: layers.Permute((3, 1, 2)), (2, 3, 4, 2)),
}


@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key):
    make, shape = GRADIENT_CASES[key]
    report = check_layer_gradients(make(), np.random.default_rng(2).normal(size=shape))
    assert report.passed, str(report)


def test_shapes_as_keras():
    assert layers.UpSampling2D().compute_output_shape((None, 14, 14, 8)) == (None, 28, 28, 8)
    assert layers.UpSampling2D(3).compute_output_shape((None, None, 5, 1)) == (None, None, 15, 1)
    assert layers.ZeroPadding2D(2).compute_output_shape((None, 28, 28, 1)) == (None, 32, 32, 1)
    assert layers.ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    assert layers.Cropping1D().compute_output_shape((None, 10, 3)) == (None, 8, 3)
    assert layers.Cropping2D().cropping == ((0, 0), (0, 0))
    assert layers.Cropping2D(((2, 2), (4, 4))).compute_output_shape(
        (None, 28, 28, 3)) == (None, 24, 20, 3)
    assert layers.RepeatVector(5).compute_output_shape((None, 32)) == (None, 5, 32)
    assert layers.Permute((2, 1)).compute_output_shape((None, 10, 64)) == (None, 64, 10)


def test_in_a_model_summary_shapes():
    import kteach
    x = kteach.Input((6, 6, 2))
    h = layers.Cropping2D(1)(layers.ZeroPadding2D(1)(layers.UpSampling2D()(x)))
    assert h.shape == (None, 12, 12, 2)
    v = kteach.Input((4,))
    assert layers.Permute((2, 1))(layers.RepeatVector(3)(v)).shape == (None, 4, 3)


def test_formulas():
    assert layers.RepeatVector(3).formula((None, 4), (None, 3, 4)) == \
        "y[:, t] = x for t < 3 : (None, 4) → (None, 3, 4)"
    assert layers.Permute((2, 1)).formula((None, 3, 4), (None, 4, 3)) == \
        "y = transpose(x, (0, 2, 1)) : (None, 3, 4) → (None, 4, 3)"


def test_mistakes():
    with pytest.raises(ValueError, match=r"`padding` argument of ZeroPadding2D must be a "
                                         r"non-negative integer"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match=r"`cropping` argument of Cropping1D"):
        layers.Cropping1D(-1)
    with pytest.raises(ShapeError, match=r"crops 3 \+ 3 steps from inputs with 5, which leaves "
                                         r"nothing"):
        layers.Cropping1D(3)(np.ones((1, 5, 2), dtype="float32"))
    with pytest.raises(ValueError, match=r"must be consecutive and start from 1"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match=r"positive integer for `n` of RepeatVector"):
        layers.RepeatVector(0)
    with pytest.raises(ShapeError, match=r"RepeatVector takes \(batch, features\)"):
        layers.RepeatVector(2)(np.ones((2, 3, 4), dtype="float32"))
    with pytest.raises(ShapeError, match=r"expected ndim=4.*For grey-scale images"):
        layers.UpSampling2D()(np.ones((2, 3, 4), dtype="float32"))
    with pytest.raises(NotSupportedError, match=r"interpolation='bicubic'"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ShapeError, match=r"has dims=\(2, 1\), for inputs with 2 axes"):
        layers.Permute((2, 1))(np.ones((2, 3), dtype="float32"))
