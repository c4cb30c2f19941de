"""kteach.ops activations: the same numbers as kteach.activations, Keras' defaults and dtypes,
gradients (tape vs central differences), and error messages."""
import math

import numpy as np
import pytest

import kteach
from kteach import activations, ops
from kteach.engine import errors
from kteach.engine.arrays import Tensor
from kteach.engine.errors import KteachWarning, ShapeError
from kteach.ops import OpError

from gradcheck import check_op

# Away from every kink: 0 (relu family), 6 (relu6), ±3 (hard_sigmoid).
X = np.array([[-3.7, -2.5, -1.2, -0.4], [0.3, 1.1, 2.7, 4.2]])

ELEMENTWISE = [  # (op, the activations function with the same formula, keywords)
    (ops.sigmoid, activations.sigmoid, {}), (ops.tanh, activations.tanh, {}),
    (ops.relu, activations.relu, {}), (ops.relu6, activations.relu6, {}),
    (ops.leaky_relu, activations.leaky_relu, {}),
    (ops.leaky_relu, activations.leaky_relu, {"negative_slope": 0.05}),
    (ops.elu, activations.elu, {}), (ops.elu, activations.elu, {"alpha": 0.5}),
    (ops.selu, activations.selu, {}), (ops.softplus, activations.softplus, {}),
    (ops.softsign, activations.softsign, {}), (ops.silu, activations.silu, {}),
    (ops.swish, activations.silu, {}), (ops.hard_sigmoid, activations.hard_sigmoid, {}),
    (ops.gelu, activations.gelu, {"approximate": True}),
    (ops.gelu, activations.gelu, {"approximate": False}),
]
IDS = [f"{op.__name__}{kw or ''}" for op, _, kw in ELEMENTWISE]


@pytest.mark.parametrize("op, f, kwargs", ELEMENTWISE, ids=IDS)
def test_same_numbers_and_gradients_as_the_activations_module(op, f, kwargs):
    x = X.astype("float32")
    y = op(x, **kwargs)
    assert type(y) is np.ndarray and y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_array_equal(y, f(x, **kwargs))
    dy = np.linspace(-1, 1, x.size).reshape(x.shape).astype("float32")
    with kteach.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(ops.multiply(dy, op(x, **kwargs)))
    np.testing.assert_array_equal(tape.gradient(total, x), f.backward(x, y, dy, **kwargs))


@pytest.mark.parametrize("op, f, kwargs", ELEMENTWISE, ids=IDS)
def test_gradients_match_central_differences(op, f, kwargs):
    check_op(op, X, **kwargs)


@pytest.mark.parametrize("op, f, kwargs", ELEMENTWISE, ids=IDS)
def test_integers_become_float32(op, f, kwargs):
    y = op(np.array([-2, 0, 1, 3], dtype="int32"), **kwargs)
    # relu keeps integers, as keras.ops.relu does (tests/fixtures/ops_reference.json)
    assert y.dtype == (np.int32 if op is ops.relu else np.float32)
    np.testing.assert_allclose(y, op(np.array([-2.0, 0.0, 1.0, 3.0]), **kwargs), rtol=1e-6)


def test_values_by_hand():
    np.testing.assert_allclose(ops.sigmoid(np.array([0.0, math.log(3)])), [0.5, 0.75])
    np.testing.assert_array_equal(ops.relu(np.array([-1.0, 0.0, 2.0])), [0, 0, 2])
    np.testing.assert_array_equal(ops.relu6(np.array([-1.0, 3.0, 7.0])), [0, 3, 6])
    np.testing.assert_allclose(ops.leaky_relu(np.array([-1.0, 2.0])), [-0.2, 2.0])  # slope 0.2
    np.testing.assert_allclose(ops.elu(np.array([-1.0, 2.0])), [math.exp(-1) - 1, 2.0])
    np.testing.assert_allclose(ops.elu(np.array([-1.0]), alpha=2.0), [2 * (math.exp(-1) - 1)])
    np.testing.assert_allclose(ops.selu(np.array([1.0])), [1.0507009873554805])
    np.testing.assert_allclose(ops.softplus(np.array([0.0])), [math.log(2)])
    np.testing.assert_allclose(ops.softsign(np.array([1.0, -3.0])), [0.5, -0.75])
    np.testing.assert_allclose(ops.silu(np.array([1.0])), [1 / (1 + math.exp(-1))])
    np.testing.assert_allclose(ops.hard_sigmoid(np.array([-4.0, 1.0, 4.0])), [0, 1 / 6 + 0.5, 1])
    np.testing.assert_allclose(ops.tanh(np.array([0.5])), [math.tanh(0.5)])
    assert ops.swish is ops.silu


def test_gelu_defaults_to_the_tanh_approximation_as_keras_ops():
    x = np.array([-1.0, 0.0, 1.0], dtype="float32")
    np.testing.assert_allclose(ops.gelu(x), [-0.15880796, 0.0, 0.841192], rtol=1e-6)
    np.testing.assert_allclose(ops.gelu(x, approximate=False), [-0.15865526, 0.0, 0.8413447],
                               rtol=1e-6)
    np.testing.assert_array_equal(ops.gelu(x), activations.gelu(x, approximate=True))


def test_softmax_and_log_softmax():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], dtype="float32")
    y = ops.softmax(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=-1), [1, 1], rtol=1e-6)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(y[0], e / e.sum(), rtol=1e-6)
    np.testing.assert_array_equal(y, activations.softmax(x))
    ly = ops.log_softmax(x)
    assert ly.dtype == np.float32
    np.testing.assert_allclose(ly[0], np.log(e / e.sum()), rtol=1e-6)
    np.testing.assert_allclose(ly[1], [0.0, -1000.0, -2000.0])   # no log(0) = -inf
    np.testing.assert_allclose(ops.softmax(x, axis=0).sum(axis=0), [1, 1, 1])
    assert ops.softmax(np.array([1, 2], dtype="int32")).dtype == np.float32


@pytest.mark.parametrize("op", [ops.softmax, ops.log_softmax], ids=lambda f: f.__name__)
@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)])
def test_softmax_gradients_along_any_axis(op, axis):
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    y = check_op(op, x, axis=axis)
    np.testing.assert_allclose(np.sum(np.exp(y) if op is ops.log_softmax else y, axis=axis), 1)


def test_gradients_at_the_kinks_are_zero():
    x = np.array([0.0, 6.0, 3.0, -3.0])
    for op, expected in [(ops.relu, [0, 1, 1, 0]), (ops.relu6, [0, 0, 1, 0]),
                         (ops.hard_sigmoid, [1 / 6, 0, 0, 0])]:
        with kteach.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(op(x))
        np.testing.assert_allclose(tape.gradient(total, x), expected, err_msg=op.__name__)


def test_np_tanh_on_a_recorded_tensor_is_the_tanh_op():
    x = np.array([0.5, -1.0]).view(Tensor)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(np.tanh(x))
    assert [e.name for e in tape.entries] == ["tanh", "sum"]
    np.testing.assert_allclose(tape.gradient(total, x), 1 - np.tanh([0.5, -1.0]) ** 2)


def test_softmax_over_an_axis_of_size_one_warns(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())
    with pytest.warns(KteachWarning, match="that axis has size 1, so the result is always 1"):
        np.testing.assert_array_equal(ops.softmax(np.ones((4, 1))), np.ones((4, 1)))


def test_errors_name_the_op():
    with pytest.raises(OpError) as info:
        ops.relu("x")
    assert str(info.value) == ("kteach.ops.relu needs numbers for `x`, but got str 'x'. "
                               "Pass a NumPy array, a number or a list of numbers.")
    with pytest.raises(ShapeError) as info:
        ops.softmax(np.ones((2, 3)), axis=2)
    assert str(info.value) == ("kteach.ops.softmax: axis 2 is out of range for an input of "
                               "rank 2 (valid axes are -2 to 1, or None for all).")
