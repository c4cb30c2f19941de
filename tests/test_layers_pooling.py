"""Pooling (max, average, global) and the sequence reshaping layers (UpSampling1D,
ZeroPadding1D): numbers from Keras 3.15.1, float64 gradient checks in every mode, shapes from
Keras' formulas, where the max-pooling gradient goes, and the messages for mistakes.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_conv_reference.py and stored in tests/fixtures/conv_reference.json.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from kteach.engine.errors import KteachWarning, SequenceTooShortError, ShapeError, UnknownNameError
from kteach.layers import Input, pooling, reshaping
from gradcheck import check_layer

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "conv_reference.json").read_text())["cases"]
CLASSES = {name: getattr(module, name) for module in (pooling, reshaping)
           for name in dir(module) if name[0].isupper()}
POOL_CASES = [c for c in REFERENCE if c.get("cls") in CLASSES and not c["name"].startswith("torch_only")]


def build(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


# ----- numbers from Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("case", POOL_CASES, ids=[c["name"] for c in POOL_CASES])
def test_forward_matches_keras(case):
    layer = CLASSES[case["cls"]](**case["config"])
    x = np.array(case["inputs"][0], dtype="float32")
    np.testing.assert_allclose(layer(x), case["output"], rtol=1e-6, atol=1e-7)


def test_uneven_same_average_pooling_counts_only_real_values():
    """kteach averages the real values of a window (Keras on TensorFlow and JAX). Keras 3 on
    torch pads uneven 'same' average pooling by repeating the edge value; the fixture shows
    that the two agree everywhere but at the windows that reach into the padding."""
    case = next(c for c in REFERENCE if c["name"] == "torch_only_avgpool1d_same_p4_s1")
    x = np.array(case["inputs"][0], dtype="float64")
    y = pooling.AveragePooling1D(4, strides=1, padding="same")(x)
    # pool 4, stride 1 on 10 steps: 3 padding steps, 1 in front and 2 behind
    expected = np.stack([x[:, max(t - 1, 0):t + 3].mean(axis=1) for t in range(10)], axis=1)
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    edge = np.pad(x, [(0, 0), (1, 2), (0, 0)], mode="edge")
    torch_style = np.stack([edge[:, t:t + 4].mean(axis=1) for t in range(10)], axis=1)
    np.testing.assert_allclose(case["output"], torch_style, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(case["output"])[:, 1:8], y[:, 1:8], rtol=1e-6)


# ----- gradients -------------------------------------------------------------------------------------
POOL1D = [(pool, strides) for pool, strides in [(2, None), (3, 2), (3, 1), (2, 3), (4, 1)]]


@pytest.mark.parametrize("cls", [pooling.MaxPooling1D, pooling.AveragePooling1D])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", POOL1D)
def test_pooling1d_gradients_float64(cls, padding, pool, strides):
    layer = build(cls(pool, strides=strides, padding=padding, dtype="float64"), (9, 2))
    check_layer(layer, np.random.default_rng(pool).normal(size=(2, 9, 2)))


@pytest.mark.parametrize("cls", [pooling.MaxPooling2D, pooling.AveragePooling2D])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", [((2, 2), None), ((3, 3), (2, 2)), ((3, 2), (1, 2))])
def test_pooling2d_gradients_float64(cls, padding, pool, strides):
    layer = build(cls(pool, strides=strides, padding=padding, dtype="float64"), (5, 6, 2))
    check_layer(layer, np.random.default_rng(3).normal(size=(2, 5, 6, 2)))


@pytest.mark.parametrize("cls,shape", [(pooling.GlobalMaxPooling1D, (6, 3)),
                                       (pooling.GlobalAveragePooling1D, (6, 3)),
                                       (pooling.GlobalMaxPooling2D, (4, 3, 2)),
                                       (pooling.GlobalAveragePooling2D, (4, 3, 2))])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_gradients_float64(cls, shape, keepdims):
    layer = build(cls(keepdims=keepdims, dtype="float64"), shape)
    check_layer(layer, np.random.default_rng(4).normal(size=(2,) + shape))


@pytest.mark.parametrize("layer", [reshaping.UpSampling1D(3, dtype="float64"),
                                   reshaping.ZeroPadding1D((2, 1), dtype="float64"),
                                   reshaping.ZeroPadding1D(dtype="float64")],
                         ids=["upsampling", "zeropadding_2_1", "zeropadding_1"])
def test_reshaping_gradients_float64(layer):
    check_layer(build(layer, (5, 2)), np.random.default_rng(5).normal(size=(2, 5, 2)))


# ----- max pooling's gradient path -------------------------------------------------------------------
def test_max_pooling_routes_the_gradient_to_the_argmax_and_the_first_of_ties():
    layer = pooling.MaxPooling1D(3, strides=1)
    x = np.array([1.0, 5.0, 2.0, 5.0, 0.0]).reshape(1, 5, 1)
    y, cache = layer.forward(x)
    np.testing.assert_array_equal(y[0, :, 0], [5, 5, 5])
    dx, grads = layer.backward(cache, np.array([1.0, 10.0, 100.0]).reshape(1, 3, 1))
    # windows [1 5 2], [5 2 5], [2 5 0]: the first two pick step 1 (the tie goes to the
    # first 5), the third picks step 3
    np.testing.assert_array_equal(dx[0, :, 0], [0, 11, 0, 100, 0])
    assert grads == []


def test_global_max_pooling_picks_the_first_maximum_of_ties():
    layer = pooling.GlobalMaxPooling1D()
    x = np.array([[3.0, 1.0], [7.0, 4.0], [7.0, 4.0]]).reshape(1, 3, 2)
    y, cache = layer.forward(x)
    np.testing.assert_array_equal(y, [[7.0, 4.0]])
    dx, _ = layer.backward(cache, np.array([[2.0, 5.0]]))
    np.testing.assert_array_equal(dx[0], [[0, 0], [2, 5], [0, 0]])


def test_average_pooling_backward_shares_dy_among_the_real_values():
    layer = pooling.AveragePooling1D(3, strides=2, padding="same")
    # 4 steps, ⌈4/2⌉ = 2 windows, padding (2-1)·2 + 3 - 4 = 1 (behind): windows [x0 x1 x2], [x2 x3 0]
    x = np.array([3.0, 6.0, 9.0, 1.0]).reshape(1, 4, 1)
    y, cache = layer.forward(x)
    np.testing.assert_allclose(y[0, :, 0], [6.0, 5.0])
    dx, _ = layer.backward(cache, np.array([3.0, 4.0]).reshape(1, 2, 1))
    np.testing.assert_allclose(dx[0, :, 0], [1.0, 1.0, 1.0 + 2.0, 2.0])


# ----- shapes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("L", [4, 9, 27])
@pytest.mark.parametrize("pool,strides", [(2, None), (3, 2), (4, 1), (2, 3), (5, None)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_output_length_follows_keras_formula(L, pool, strides, padding):
    if padding == "valid" and L < pool:
        return
    s = strides or pool
    expected = (L - pool) // s + 1 if padding == "valid" else math.ceil(L / s)
    for cls in (pooling.MaxPooling1D, pooling.AveragePooling1D):
        layer = cls(pool, strides=strides, padding=padding)
        assert layer.compute_output_shape((None, L, 3)) == (None, expected, 3)
        assert layer(np.ones((2, L, 3), dtype="float32")).shape == (2, expected, 3)


def test_default_pool_sizes_and_shapes_as_keras():
    assert pooling.MaxPooling1D().compute_output_shape((None, 27, 4)) == (None, 13, 4)
    assert pooling.MaxPooling2D().compute_output_shape((None, 27, 26, 4)) == (None, 13, 13, 4)
    assert pooling.MaxPooling1D(5).compute_output_shape((None, 96, 128)) == (None, 19, 128)
    assert pooling.MaxPooling1D(5).compute_output_shape((None, None, 128)) == (None, None, 128)
    assert pooling.GlobalMaxPooling1D().compute_output_shape((None, None, 8)) == (None, 8)
    assert pooling.GlobalAveragePooling2D(keepdims=True).compute_output_shape(
        (None, 5, 4, 8)) == (None, 1, 1, 8)
    assert reshaping.UpSampling1D(3).compute_output_shape((None, 4, 2)) == (None, 12, 2)
    assert reshaping.ZeroPadding1D((2, 1)).compute_output_shape((None, 4, 2)) == (None, 7, 2)
    assert reshaping.ZeroPadding1D().compute_output_shape((None, None, 2)) == (None, None, 2)
    for cls in (pooling.MaxPooling1D, pooling.GlobalMaxPooling1D, reshaping.UpSampling1D):
        assert build(cls(), (10, 3)).count_params() == 0


def test_average_pooling_without_pool_size_is_keras2_and_warns():
    with pytest.warns(KteachWarning, match=r"AveragePooling2D\(\) without a pool_size is a Keras 2 "
                                           r"spelling.*AveragePooling2D\(pool_size=\(2, 2\)\)"):
        layer = pooling.AveragePooling2D()
    assert layer.pool_size == (2, 2)


def test_formula_shows_the_window():
    layer = pooling.MaxPooling1D(5)
    assert layer.formula((None, 96, 128), (None, 19, 128)) == (
        "y = max over windows of pool_size=5 (strides=5, padding='valid') : (None, 96, 128) → "
        "(None, 19, 128)")


# ----- too short and other mistakes ------------------------------------------------------------------
def test_too_short_for_the_pool_names_layer_pool_and_length():
    layer = pooling.MaxPooling1D(5, name="pool")
    with pytest.raises(SequenceTooShortError, match=r"Layer 'pool' \(MaxPooling1D, pool_size=5\) "
                                                    r"received sequences of 4 steps, but its window "
                                                    r"spans 5 steps") as info:
        layer(np.ones((2, 4, 3), dtype="float32"))
    assert (info.value.layer_name, info.value.length) == ("pool", 4)
    assert pooling.MaxPooling1D(5, padding="same").compute_output_shape((None, 4, 3)) == (None, 1, 3)
    with pytest.raises(SequenceTooShortError, match=r"\(MaxPooling2D, pool_size=\(2, 2\)\) received "
                                                    r"inputs of 5×1"):
        pooling.MaxPooling2D().compute_output_shape((None, 5, 1, 3))
    with pytest.raises(SequenceTooShortError, match=r"\(GlobalMaxPooling1D\) received inputs with no "
                                                    r"steps"):
        pooling.GlobalMaxPooling1D().compute_output_shape((None, 0, 3))


def test_argument_mistakes():
    with pytest.raises(ValueError, match=r"padding='causal' exists only for Conv1D"):
        pooling.MaxPooling1D(padding="causal")
    with pytest.raises(UnknownNameError, match=r"Did you mean 'same'\?"):
        pooling.AveragePooling1D(2, padding="sane")
    with pytest.raises(ValueError, match=r"The `pool_size` argument of MaxPooling2D must be a "
                                         r"positive integer or a tuple of 2"):
        pooling.MaxPooling2D((2, 0))
    with pytest.raises(ValueError, match=r"kteach supports only 'channels_last'"):
        pooling.GlobalAveragePooling2D(data_format="channels_first")
    with pytest.raises(TypeError, match=r"Expected an integer value for `size`"):
        reshaping.UpSampling1D(2.0)
    with pytest.raises(ValueError, match=r"must be a non-negative integer or a tuple of 2"):
        reshaping.ZeroPadding1D((1, 2, 3))


def test_wrong_rank_is_refused_with_the_layout():
    with pytest.raises(ShapeError, match=r"expected ndim=3, found ndim=2.*MaxPooling1D works on "
                                         r"inputs of shape \(batch, steps, channels\)"):
        pooling.MaxPooling1D()(Input(shape=(100,)))
    layer = build(pooling.GlobalMaxPooling1D(), (None, 4))
    assert layer(np.ones((1, 7, 4), dtype="float32")).shape == (1, 4)  # any length once built
    with pytest.raises(ShapeError, match=r"expected axis -1 of input shape to have value 4"):
        layer(np.ones((1, 7, 5), dtype="float32"))
