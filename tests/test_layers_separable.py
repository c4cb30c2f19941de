"""DepthwiseConv2D and SeparableConv2D: numbers from Keras 3.15.1 with the same weights, float64
gradient checks, shapes and parameter counts, and the messages for mistakes.

Reference numbers: tests/fixtures/make_transpose_attention_reference.py (real Keras 3.15.1,
JAX backend) wrote tests/fixtures/transpose_attention_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach.layers import Conv2D, DepthwiseConv2D, SeparableConv2D
from kteach.utils import check_layer_gradients

REFERENCE = json.loads((Path(__file__).parent / "fixtures" /
                        "transpose_attention_reference.json").read_text())["cases"]
CASES = [c for c in REFERENCE if c["cls"] in ("DepthwiseConv2D", "SeparableConv2D")]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    kteach.backend.clear_session()
    layer = {"DepthwiseConv2D": DepthwiseConv2D, "SeparableConv2D": SeparableConv2D}[case["cls"]](
        **case["config"])
    x = np.array(case["inputs"][0], dtype="float32")
    layer(x)
    assert [w.name for w in layer.weights] == [p.split("/")[-1] for p in case["weight_paths"]]
    assert [list(w.shape) for w in layer.get_weights()] == case["weight_shapes"]
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    y = layer(x)
    assert list(y.shape) == case["output_shape"]
    np.testing.assert_allclose(y, case["output"], rtol=1e-5, atol=2e-6)


MODES = [dict(), dict(strides=2), dict(dilation_rate=2), dict(kernel_size=(3, 2), depth_multiplier=2),
         dict(use_bias=False, strides=(2, 1))]
IDS = ["plain", "s2", "d2", "k32-m2", "nobias-s21"]


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", MODES, ids=IDS)
def test_depthwise_gradients_float64(padding, mode):
    mode = {"kernel_size": 3, **mode}
    layer = DepthwiseConv2D(padding=padding, activation="tanh", dtype="float64",
                            bias_initializer="random_normal", **mode)
    x = np.random.default_rng(0).normal(size=(2, 6, 5, 2))
    report = check_layer_gradients(layer, x, tolerance=1e-5)
    assert report.passed, report


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", MODES, ids=IDS)
def test_separable_gradients_float64(padding, mode):
    mode = {"kernel_size": 3, **mode}
    layer = SeparableConv2D(3, padding=padding, activation="tanh", dtype="float64",
                            bias_initializer="random_normal", **mode)
    x = np.random.default_rng(1).normal(size=(2, 6, 5, 2))
    report = check_layer_gradients(layer, x, tolerance=1e-5)
    assert report.passed, report


def test_separable_is_depthwise_then_pointwise_and_depthwise_is_a_sparse_conv():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 5, 2))
    sep = SeparableConv2D(3, 3, depth_multiplier=2, dtype="float64")
    sep(x)
    dw = DepthwiseConv2D(3, depth_multiplier=2, use_bias=False, dtype="float64")
    dw(x)
    dw.set_weights([sep.depthwise_kernel.value])
    point = Conv2D(3, 1, dtype="float64")
    point(dw(x))
    point.set_weights([sep.pointwise_kernel.value, sep.bias.value])
    np.testing.assert_allclose(sep(x), point(dw(x)), rtol=1e-12)
    # a Conv2D whose kernel is zero between different channels gives the depthwise result
    D = dw.kernel.value                                         # (3, 3, C=2, m=2)
    full = np.zeros((3, 3, 2, 4))
    for c in range(2):
        full[:, :, c, 2 * c:2 * c + 2] = D[:, :, c, :]          # channel c → outputs c·m + j
    conv = Conv2D(4, 3, use_bias=False, dtype="float64")
    conv(x)
    conv.set_weights([full])
    np.testing.assert_allclose(dw(x), conv(x), rtol=1e-12)


def test_shapes_and_parameter_counts():
    dw = DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    assert dw.compute_output_shape((None, 28, 28, 8)) == (None, 28, 28, 16)
    dw(np.ones((1, 28, 28, 8), "float32"))
    assert dw.count_params() == 3 * 3 * 8 * 2 + 16
    sep = SeparableConv2D(32, 3, strides=2)
    sep(np.ones((1, 28, 28, 8), "float32"))
    assert sep.count_params() == 3 * 3 * 8 + 8 * 32 + 32
    assert sep.compute_output_shape((None, 28, 28, 8)) == (None, 13, 13, 32)


def test_mistakes_have_messages():
    with pytest.raises(ValueError, match="depth_multiplier"):
        DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="filters"):
        SeparableConv2D(0, 3)
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        SeparableConv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="only for Conv1D"):
        DepthwiseConv2D(3, padding="causal")
    with pytest.raises(kteach.engine.errors.NotSupportedError, match="depthwise_regularizer"):
        DepthwiseConv2D(3, depthwise_regularizer="l2")
    with pytest.raises(kteach.engine.errors.ShapeError, match="grey-scale"):
        SeparableConv2D(2, 3)(np.ones((1, 5, 5), "float32"))
    with pytest.raises(kteach.engine.errors.SequenceTooShortError):
        DepthwiseConv2D(5)(np.ones((1, 3, 3, 1), "float32"))
