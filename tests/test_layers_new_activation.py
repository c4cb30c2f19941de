"""LeakyReLU, ReLU, PReLU, ELU, Softmax: numbers from Keras 3.15.1 (tests/fixtures/
new_layers_reference.json, made by tests/fixtures/make_new_layers_reference.py), float64
gradient checks, shapes, the formulas' edge cases and the messages for mistakes."""
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
ACTIVATIONS = ("LeakyReLU", "ReLU", "PReLU", "ELU", "Softmax")
CASES = [c for c in REFERENCE if c["cls"] in ACTIVATIONS]


def keras_case(case):
    layer = getattr(layers, case["cls"])(**case["config"])
    x = np.array(case["input"], dtype="float32")
    layer(x)                                      # builds it
    if case["weights"] is not None:
        layer.set_weights([np.array(w, dtype="float32") for w in case["weights"]])
    return layer, x


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer, x = keras_case(case)
    y = layer(x, training=case["training"])
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, case["output"], rtol=1e-6, atol=1e-7)


def test_every_activation_layer_has_keras_numbers():
    assert {c["cls"] for c in CASES} == set(ACTIVATIONS)


def rng_x(*shape, scale=1.0):
    return np.random.default_rng(3).normal(scale=scale, size=shape)


GRADIENT_CASES = {
    "LeakyReLU": (lambda: layers.LeakyReLU(), (3, 5)),
    "LeakyReLU-0.1": (lambda: layers.LeakyReLU(0.1), (2, 3, 4)),
    "ReLU": (lambda: layers.ReLU(), (3, 5)),
    "ReLU-all": (lambda: layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.4), (4, 6)),
    "PReLU": (lambda: layers.PReLU(alpha_initializer="random_normal"), (3, 4, 2)),
    "PReLU-shared": (lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1, 2]),
                     (2, 3, 4, 2)),
    "ELU": (lambda: layers.ELU(), (3, 5)),
    "ELU-alpha": (lambda: layers.ELU(alpha=0.7), (3, 5)),
    "Softmax": (lambda: layers.Softmax(), (3, 5)),
    "Softmax-axis1": (lambda: layers.Softmax(axis=1), (2, 3, 4)),
    "Softmax-axes": (lambda: layers.Softmax(axis=(1, 2)), (2, 3, 4)),
}


@pytest.mark.parametrize("key", sorted(GRADIENT_CASES))
def test_float64_gradient_check(key):
    make, shape = GRADIENT_CASES[key]
    layer = make()
    x = rng_x(*shape, scale=2.0)
    x[np.abs(x - 0.4) < 1e-3] += 0.01            # keep central differences off the kinks
    x[np.abs(x) < 1e-3] += 0.01
    x[np.abs(x - 1.0) < 1e-3] += 0.01
    report = check_layer_gradients(layer, x)
    assert report.passed, str(report)
    assert len(report) == 1 + len(layer.weights)


def test_prelu_weight_shape_and_zero_start():
    layer = layers.PReLU()
    x = rng_x(2, 3, 4)
    y = layer(x.astype("float32"))
    assert layer.alpha.shape == (3, 4) and layer.count_params() == 12
    np.testing.assert_allclose(y, np.maximum(x, 0), rtol=1e-6)   # alpha = 0: a ReLU
    shared = layers.PReLU(shared_axes=[1, 2])
    shared(np.zeros((1, 5, 6, 3), dtype="float32"))
    assert shared.alpha.shape == (1, 1, 3)
    assert [w.name for w in shared.weights] == ["alpha"]


def test_prelu_learns_in_a_model():
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((4,)), layers.Dense(3), layers.PReLU()])
    model.compile("sgd", "mse")
    before = model.layers[-1].alpha.numpy().copy()
    model.fit(rng_x(8, 4), rng_x(8, 3), epochs=1, verbose=0)
    assert not np.array_equal(before, model.layers[-1].alpha.numpy())


def test_shapes_and_no_weights():
    for layer in (layers.LeakyReLU(), layers.ReLU(), layers.ELU(), layers.Softmax()):
        assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)
        layer(np.ones((2, 3), dtype="float32"))
        assert layer.count_params() == 0


def test_softmax_slices_sum_to_one_and_do_not_overflow():
    x = np.array([[1000.0, 1000.0, -1000.0]])
    y = layers.Softmax()(x)
    np.testing.assert_allclose(y, [[0.5, 0.5, 0.0]])
    y = layers.Softmax(axis=(1, 2))(rng_x(2, 3, 4))
    np.testing.assert_allclose(y.sum(axis=(1, 2)), 1.0, rtol=1e-6)


def test_relu_edges_as_keras():
    """``threshold``: values at or below it go to the slope; ``max_value`` is a ceiling."""
    x = np.array([[-1.0, 0.0, 0.5, 1.0, 3.0]])
    np.testing.assert_allclose(layers.ReLU(max_value=2.0, threshold=0.5, negative_slope=0.1)(x),
                               [[-0.15, -0.05, 0.0, 1.0, 2.0]])


def test_formulas():
    assert layers.LeakyReLU().formula((None, 4), (None, 4)) == \
        "y = x if x > 0 else 0.3·x : (None, 4) → (None, 4)"
    assert layers.ReLU(max_value=6).formula((None, 4), (None, 4)) == \
        "y = min(x, 6) if x > 0 else 0·(x − 0) : (None, 4) → (None, 4)"
    assert layers.Softmax().formula((None, 4), (None, 4)) == \
        "y = softmax(x, axis=-1) : (None, 4) → (None, 4)"


def test_keras2_alpha_of_leaky_relu_is_the_slope_and_warns():
    with pytest.warns(UserWarning, match=r"Keras 2 spelling.*negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1


def test_argument_mistakes():
    with pytest.raises(ValueError, match=r"`negative_slope` argument of LeakyReLU must be >= 0"):
        layers.LeakyReLU(-0.1)
    with pytest.raises(ValueError, match=r"`max_value` argument of ReLU must be >= 0"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match=r"`threshold` argument of ReLU must be a number"):
        layers.ReLU(threshold=None)
    with pytest.raises(ValueError, match=r"`alpha` argument of ELU must be a number"):
        layers.ELU(alpha="1")
    with pytest.raises(ValueError, match=r"`axis` argument of Softmax must be an integer"):
        layers.Softmax(axis=1.5)
    with pytest.raises(ValueError, match=r"`shared_axes` of PReLU must be axes after the batch"):
        layers.PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match=r"has shared_axes=\[3\], but its input"):
        layers.PReLU(shared_axes=3)(np.ones((2, 3, 4), dtype="float32"))
    with pytest.raises(NotImplementedError, match="alpha_regularizer"):
        layers.PReLU(alpha_regularizer="l2")
