"""Conv1D and Conv2D: numbers from Keras 3.15.1, float64 gradient checks in every mode,
output lengths and parameter counts from Keras' formulas, and the messages for mistakes.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_conv_reference.py and stored in tests/fixtures/conv_reference.json.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach.engine.errors import SequenceTooShortError, ShapeError, UnknownNameError
from kteach.layers import Dense, Input
from kteach.layers.convolutional import Conv1D, Conv2D
from kteach.layers.embedding import Embedding
from kteach.layers.pooling import GlobalMaxPooling1D, MaxPooling1D
from gradcheck import check_layer

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "conv_reference.json").read_text())["cases"]
CONV_CASES = [c for c in REFERENCE if c.get("cls") in ("Conv1D", "Conv2D")]


def build(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


# ----- numbers from Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("case", CONV_CASES, ids=[c["name"] for c in CONV_CASES])
def test_forward_matches_keras(case):
    layer = {"Conv1D": Conv1D, "Conv2D": Conv2D}[case["cls"]](**case["config"])
    x = np.array(case["inputs"][0], dtype="float32")
    build(layer, x.shape[1:])
    layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    np.testing.assert_allclose(layer(x), case["output"], rtol=1e-5, atol=2e-6)


def test_reference_covers_every_padding_with_stride_and_dilation():
    names = {c["name"] for c in CONV_CASES}
    for padding in ("valid", "same", "causal"):
        assert {f"conv1d_{padding}_s2_L9", f"conv1d_{padding}_d2_L10"} <= names
    assert {"conv2d_valid_s2", "conv2d_same_s2"} <= names


# ----- gradients ---------------------------------------------------------------------------------
CONV1D_MODES = [dict(strides=s, dilation_rate=d, kernel_size=k)
                for s, d, k in [(1, 1, 3), (2, 1, 3), (1, 2, 3), (2, 1, 4), (3, 1, 2)]]


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("mode", CONV1D_MODES,
                         ids=lambda m: "s{strides}_d{dilation_rate}_k{kernel_size}".format(**m))
def test_conv1d_gradients_float64(padding, mode):
    rng = np.random.default_rng(0)
    layer = build(Conv1D(3, padding=padding, activation="tanh", dtype="float64",
                         bias_initializer="random_normal", **mode), (9, 2))
    # tol 1e-5: a few entries of dW are ~1e-4, where central differences' own noise
    # (~1e-10) is already a relative error of 1e-6
    check_layer(layer, rng.normal(size=(2, 9, 2)), tol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mode", [dict(strides=(2, 2)), dict(dilation_rate=(2, 2)),
                                  dict(kernel_size=(4, 3), strides=(2, 1)), dict(use_bias=False)],
                         ids=["s2", "d2", "k43_s21", "nobias"])
def test_conv2d_gradients_float64(padding, mode):
    rng = np.random.default_rng(1)
    mode = {"kernel_size": (3, 2), **mode}
    layer = build(Conv2D(2, padding=padding, activation="relu", dtype="float64", **mode), (7, 6, 2))
    check_layer(layer, rng.normal(size=(2, 7, 6, 2)), tol=1e-5)


# ----- shapes, padding, parameters -----------------------------------------------------------------
@pytest.mark.parametrize("L", [5, 8, 9, 16])
@pytest.mark.parametrize("k,s,d", [(1, 1, 1), (3, 1, 1), (3, 2, 1), (4, 3, 1), (3, 1, 2), (2, 1, 3)])
@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv1d_output_length_follows_keras_formula(L, k, s, d, padding):
    if padding == "valid" and L < d * (k - 1) + 1:
        return  # covered by the too-short tests below
    layer = build(Conv1D(2, k, strides=s, dilation_rate=d, padding=padding), (L, 3))
    expected = (L - d * (k - 1) - 1) // s + 1 if padding == "valid" else math.ceil(L / s)
    assert layer.compute_output_shape((None, L, 3)) == (None, expected, 2)
    assert layer(np.ones((2, L, 3), dtype="float32")).shape == (2, expected, 2)
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 2)


def test_same_padding_puts_the_odd_zero_at_the_end():
    # k = 4, stride 1: 3 zeros, 1 in front and 2 behind, so y[t] = x[t-1] + ... + x[t+2]
    layer = build(Conv1D(1, 4, padding="same", use_bias=False), (6, 1))
    layer.set_weights([np.ones((4, 1, 1), dtype="float32")])
    x = np.arange(1.0, 7.0, dtype="float32").reshape(1, 6, 1)  # 1..6
    np.testing.assert_array_equal(layer(x)[0, :, 0], [1 + 2 + 3, 1 + 2 + 3 + 4, 2 + 3 + 4 + 5,
                                                      3 + 4 + 5 + 6, 4 + 5 + 6, 5 + 6])
    # stride 2 on 5 steps: ⌈5/2⌉ = 3 outputs, padding (3-1)·2 + 4 - 5 = 3 → (1, 2)
    x = np.arange(1.0, 6.0, dtype="float32").reshape(1, 5, 1)
    strided = build(Conv1D(1, 4, strides=2, padding="same", use_bias=False), (5, 1))
    strided.set_weights([np.ones((4, 1, 1), dtype="float32")])
    np.testing.assert_array_equal(strided(x)[0, :, 0], [1 + 2 + 3, 2 + 3 + 4 + 5, 4 + 5])


def test_causal_output_depends_only_on_the_past():
    layer = build(Conv1D(2, 3, dilation_rate=2, padding="causal", dtype="float64"), (8, 1))
    x = np.random.default_rng(2).normal(size=(1, 8, 1))
    changed = x.copy()
    changed[0, 5, 0] += 1.0
    same = np.isclose(layer(x), layer(changed)).all(axis=-1)[0]
    # step 5 is read by y[5] (tap t) and y[7] (tap t − 2), never by an earlier step, and not
    # by y[6], whose dilated window reads steps 2, 4, 6
    np.testing.assert_array_equal(same, [True] * 5 + [False, True, False])
    # y[t] = W[0]·x[t-4] + W[1]·x[t-2] + W[2]·x[t] (zeros before the start)
    W = layer.kernel.value[:, 0, 0]
    np.testing.assert_allclose(layer(x)[0, 0, 0], W[2] * x[0, 0, 0])
    np.testing.assert_allclose(layer(x)[0, 4, 0], W @ x[0, [0, 2, 4], 0])


def test_conv2d_valid_by_hand():
    layer = build(Conv2D(1, (2, 2), use_bias=False), (3, 3, 1))
    layer.set_weights([np.array([[1, 2], [3, 4]], dtype="float32").reshape(2, 2, 1, 1)])
    x = np.arange(9.0, dtype="float32").reshape(1, 3, 3, 1)  # [[0 1 2] [3 4 5] [6 7 8]]
    # top-left window [[0, 1], [3, 4]] · [[1, 2], [3, 4]] = 0 + 2 + 9 + 16 = 27 (no flip)
    np.testing.assert_array_equal(layer(x)[0, :, :, 0], [[27, 37], [57, 67]])


def test_weights_parameters_and_initialisation_as_keras():
    conv1 = build(Conv1D(16, 5), (100, 8))
    assert [w.name for w in conv1.weights] == ["kernel", "bias"]
    assert [w.shape for w in conv1.get_weights()] == [(5, 8, 16), (16,)]
    assert conv1.count_params() == 5 * 8 * 16 + 16
    # glorot_uniform with conv fans: fan_in = k·C = 40, fan_out = k·f = 80
    assert np.abs(conv1.get_weights()[0]).max() <= math.sqrt(6 / (40 + 80))
    assert np.all(conv1.get_weights()[1] == 0)
    conv2 = build(Conv2D(32, (3, 3)), (28, 28, 3))
    assert [w.shape for w in conv2.get_weights()] == [(3, 3, 3, 32), (32,)]
    assert conv2.count_params() == 3 * 3 * 3 * 32 + 32 == 896
    assert conv2.compute_output_shape((None, 28, 28, 3)) == (None, 26, 26, 32)
    assert build(Conv2D(4, 3, padding="same", strides=2), (28, 27, 3)).compute_output_shape(
        (None, 28, 27, 3)) == (None, 14, 14, 4)
    assert build(Conv1D(2, 3, use_bias=False), (9, 4)).count_params() == 3 * 4 * 2


def test_formula_shows_shapes_and_options():
    layer = build(Conv1D(16, 5, strides=2, padding="same", activation="relu"), (100, 8))
    assert layer.formula((None, 100, 8), (None, 50, 16)) == (
        "y = relu(z), z = x ⊛ W + b (strides=2, padding='same') : (None, 100, 8) ⊛ (5, 8, 16) "
        "+ (16,) → (None, 50, 16)")
    plain = build(Conv2D(4, (3, 3), use_bias=False), (8, 8, 1))
    assert plain.formula((None, 8, 8, 1), (None, 6, 6, 4)) == (
        "y = x ⊛ W : (None, 8, 8, 1) ⊛ (3, 3, 1, 4) → (None, 6, 6, 4)")


def test_a_built_conv1d_accepts_any_length_but_not_other_channels():
    layer = build(Conv1D(2, 3), (10, 4))
    assert layer(np.ones((1, 25, 4), dtype="float32")).shape == (1, 23, 2)
    with pytest.raises(ShapeError, match=r"expected axis -1 of input shape to have value 4, but "
                                         r"received input with shape \(None, 25, 5\)"):
        layer(np.ones((1, 25, 5), dtype="float32"))


# ----- too short --------------------------------------------------------------------------------------
def test_too_short_sequence_names_layer_window_and_length():
    layer = build(Conv1D(4, 5, name="short_conv"), (None, 3))
    message = (r"Layer 'short_conv' \(Conv1D, kernel_size=5\) received sequences of 3 steps, but "
               r"its window spans 5 steps, so no output step is left")
    with pytest.raises(SequenceTooShortError, match=message) as info:
        layer(np.ones((2, 3, 3), dtype="float32"))
    assert (info.value.layer_name, info.value.length) == ("short_conv", 3)
    with pytest.raises(SequenceTooShortError, match=message):
        layer.compute_output_shape((None, 3, 3))
    assert layer.compute_output_shape((None, 5, 3)) == (None, 1, 4)  # exactly one window fits


def test_too_short_counts_the_dilated_window_and_image_sizes():
    dilated = build(Conv1D(4, 3, dilation_rate=3), (None, 2))
    with pytest.raises(SequenceTooShortError, match=r"\(Conv1D, kernel_size=3, dilation_rate=3\) "
                                                    r"received sequences of 6 steps, but its "
                                                    r"window spans 7 steps"):
        dilated.compute_output_shape((None, 6, 2))
    image = build(Conv2D(4, (3, 5), name="img"), (None, None, 1))
    with pytest.raises(SequenceTooShortError, match=r"Layer 'img' \(Conv2D, kernel_size=\(3, 5\)\) "
                                                    r"received inputs of 8×4 \(height × width\), "
                                                    r"but its window spans 3×5"):
        image.compute_output_shape((None, 8, 4, 1))
    # 'same' and 'causal' never run out of steps
    assert build(Conv1D(1, 9, padding="causal"), (None, 1)).compute_output_shape((None, 1, 1)) == (None, 1, 1)


def posts_model():
    """The English tutorial's stack (its Dense heads cut to the age head)."""
    posts_input = Input(shape=(None,), dtype="int32", name="posts")
    x = Embedding(50000, 256)(posts_input)
    convs = [Conv1D(128, 5, activation="relu")]
    x = convs[-1](x)
    x = MaxPooling1D(5)(x)
    for _ in range(2):
        convs.append(Conv1D(256, 5, activation="relu"))
        x = convs[-1](x)
    x = MaxPooling1D(5)(x)
    for _ in range(2):
        convs.append(Conv1D(256, 5, activation="relu"))
        x = convs[-1](x)
    x = GlobalMaxPooling1D()(x)
    x = Dense(128, activation="relu")(x)
    age = Dense(1, name="age")(x)
    return kteach.Model(posts_input, age), convs


def test_tutorial_posts_stack_says_which_layer_runs_out_and_the_shortest_length():
    model, convs = posts_model()
    # Shortest length, worked backwards from the last Conv1D, which needs 5 steps:
    #   conv5 needs 5  → conv4 needs 5 + 4 = 9   → pool2 (5, stride 5) needs 9·5 = 45
    #   → conv3 needs 45 + 4 = 49 → conv2 needs 53 → pool1 needs 53·5 = 265
    #   → conv1 needs 265 + 4 = 269 steps.
    shortest = 269
    # 100 steps: conv1 → 96, pool → 19, conv2 → 15, conv3 → 11, pool → 2: conv4 runs out.
    with pytest.raises(SequenceTooShortError) as info:
        model.predict(np.zeros((2, 100), dtype="int32"), verbose=0)
    text = str(info.value)
    assert text.startswith(f"Layer '{convs[3].name}' (Conv1D, kernel_size=5) received sequences "
                           f"of 2 steps, but its window spans 5 steps")
    assert f"The shortest input this model accepts has {shortest} steps" in text
    assert (info.value.layer_name, info.value.length) == (convs[3].name, 2)
    # one step less than the shortest: the last Conv1D gets 4 steps
    with pytest.raises(SequenceTooShortError, match=rf"Layer '{convs[4].name}' .* received "
                                                    rf"sequences of 4 steps"):
        model.predict(np.zeros((1, shortest - 1), dtype="int32"), verbose=0)
    assert model.predict(np.zeros((2, shortest), dtype="int32"), verbose=0).shape == (2, 1)


def test_tutorial_posts_stack_parameter_counts_match_keras():
    model, _ = posts_model()
    keras_case = next(c for c in REFERENCE if c["name"] == "posts_stack")
    # Keras' stack starts at Input(shape=(None, 8)) (no Embedding): only the first Conv1D's
    # count depends on it, 5·8·128 + 128; with the Embedding's 256 channels it is 5·256·128 + 128.
    counts = [layer.count_params() for layer in model.layers[1:]]
    assert counts[0] == 50000 * 256
    assert counts[1] == 5 * 256 * 128 + 128
    assert keras_case["params"][0] == 5 * 8 * 128 + 128
    assert counts[2:-1] == keras_case["params"][1:]      # pool, convs, pools, global pool, Dense
    assert counts[-1] == 128 + 1                          # the age head


# ----- argument mistakes ---------------------------------------------------------------------------
def test_refuses_channels_first_and_groups_with_the_reason():
    with pytest.raises(ValueError, match=r"Conv2D\(data_format='channels_first'\): kteach supports "
                                         r"only 'channels_last'.*np\.moveaxis\(x, 1, -1\)"):
        Conv2D(8, 3, data_format="channels_first")
    with pytest.raises(ValueError, match=r"Conv1D\(groups=2\) is not supported by kteach: only "
                                         r"groups=1"):
        Conv1D(8, 3, groups=2)
    Conv1D(8, 3, data_format="channels_last", groups=1)  # the defaults, spelled out, are fine


def test_padding_names_are_checked():
    with pytest.raises(UnknownNameError, match=r"Could not interpret padding identifier: vaild\. "
                                               r"Did you mean 'valid'\?"):
        Conv1D(8, 3, padding="vaild")
    with pytest.raises(ValueError, match=r"padding='causal' exists only for Conv1D"):
        Conv2D(8, 3, padding="causal")
    assert Conv1D(8, 3, padding="SAME").padding == "same"  # Keras lower-cases it too


def test_argument_values_are_checked():
    with pytest.raises(ValueError, match=r"`strides > 1` not supported in conjunction with "
                                         r"`dilation_rate > 1`"):
        Conv1D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"The `kernel_size` argument of Conv2D must be a positive "
                                         r"integer or a tuple of 2 positive integers"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match=r"expected a positive integer\. Received: filters=0"):
        Conv1D(0, 3)
    assert Conv1D(4, 3, activity_regularizer="l2").activity_regularizer.l2 == 0.01
    with pytest.raises(TypeError, match=r"Did you mean 'kernel_size'"):
        Conv1D(4, kernel_sizes=3)


def test_wrong_rank_says_how_to_add_the_channels_axis():
    with pytest.raises(ShapeError, match=r"expected ndim=3, found ndim=2\. Full shape received: "
                                         r"\(None, 100\)\. Conv1D works on inputs of shape \(batch, "
                                         r"steps, channels\)\. .*x\[\.\.\., np\.newaxis\].*"
                                         r"Embedding layer first"):
        Conv1D(4, 3)(Input(shape=(100,)))
    with pytest.raises(ShapeError, match=r"expected ndim=4, found ndim=3.*grey-scale"):
        Conv2D(4, 3)(np.ones((2, 28, 28), dtype="float32"))
