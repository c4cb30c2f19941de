"""Activations: forward values, derivatives (numerical gradient checks), names and errors."""
import functools
import math
import warnings

import numpy as np
import pytest

from kteach import activations
from kteach.activations import NoDerivativeError
from kteach.engine.errors import UnknownNameError
from kteach.engine.layer import Layer

X = np.array([-3.5, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0])

# Outputs of keras.activations.get(name)(X) in float64, from Keras 3.15.1 (torch backend).
KERAS_VALUES = {
    "linear": [-3.5, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0],
    "relu": [0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 4.0],
    "sigmoid": [0.02931223075135632, 0.2689414213699951, 0.43782349911420193, 0.5,
                0.6224593312018546, 0.8807970779778823, 0.9820137900379085],
    "tanh": [-0.9981778976111987, -0.7615941559557649, -0.24491866240370913, 0.0,
             0.46211715726000974, 0.9640275800758169, 0.999329299739067],
    "elu": [-0.9698026165776815, -0.6321205588285577, -0.22119921692859512, 0.0, 0.5, 2.0,
            4.0],
    "selu": [-1.705009340957283, -1.1113307378125625, -0.388890197478119, 0.0,
             0.5253504936777402, 2.101401974710961, 4.202803949421922],
    "softplus": [0.029750418272620566, 0.31326168751822286, 0.5759394198788436,
                 0.6931471805599453, 0.9740769841801067, 2.1269280110429727,
                 4.0181499279178094],
    "softsign": [-0.7777777777777778, -0.5, -0.2, 0.0, 0.3333333333333333, 0.6666666666666666,
                 0.8],
    "leaky_relu": [-0.7, -0.2, -0.05, 0.0, 0.5, 2.0, 4.0],
    "gelu": [-0.0008142017766243903, -0.15865525393145702, -0.10032341857926907, 0.0,
             0.34573123063700656, 1.9544997361036416, 3.9998733150326675],
    "exponential": [0.0301973834223185, 0.36787944117144233, 0.7788007830714049, 1.0,
                    1.6487212707001282, 7.38905609893065, 54.598150033144236],
    "hard_sigmoid": [0.0, 0.3333333333333333, 0.4583333333333333, 0.5, 0.5833333333333334,
                     0.8333333333333334, 1.0],
    "silu": [-0.10259280762974712, -0.2689414213699951, -0.10945587477855048, 0.0,
             0.3112296656009273, 1.7615941559557646, 3.928055160151634],
}
KERAS_VALUES["swish"] = KERAS_VALUES["silu"]


@pytest.mark.parametrize("name", sorted(KERAS_VALUES))
def test_values_match_keras(name):
    y = activations.get(name)(X)
    np.testing.assert_allclose(y, KERAS_VALUES[name], rtol=1e-12, atol=1e-15)


def test_values_by_hand():
    s = activations.sigmoid(np.array([0.0, math.log(3.0)]))
    np.testing.assert_allclose(s, [0.5, 0.75])                      # 1/(1+1/3) = 3/4
    np.testing.assert_allclose(activations.tanh(np.array([math.log(2.0)])), [0.6])  # (2-½)/(2+½)
    np.testing.assert_allclose(activations.softplus(np.array([0.0])), [math.log(2.0)])
    np.testing.assert_allclose(activations.softsign(np.array([-3.0, 1.0])), [-0.75, 0.5])
    np.testing.assert_allclose(activations.elu(np.array([-math.log(2.0)]), alpha=2.0), [-1.0])
    np.testing.assert_allclose(activations.leaky_relu(np.array([-2.0, 3.0]), 0.1), [-0.2, 3.0])
    np.testing.assert_allclose(activations.hard_sigmoid(np.array([-4.0, -1.5, 1.5, 3.0])),
                               [0.0, 0.25, 0.75, 1.0])
    np.testing.assert_allclose(activations.relu6(np.array([-1.0, 3.0, 7.0])), [0.0, 3.0, 6.0])
    np.testing.assert_allclose(activations.gelu(np.array([1.0])), [0.5 * (1 + math.erf(2 ** -0.5))])


def test_relu_options_match_keras():
    # Keras 3.15.1: relu(X, negative_slope=0.1, max_value=1.5, threshold=0.5)
    y = activations.relu(X, negative_slope=0.1, max_value=1.5, threshold=0.5)
    np.testing.assert_allclose(y, [-0.4, -0.15, -0.075, -0.05, 0.0, 1.5, 1.5], atol=1e-15)
    np.testing.assert_allclose(activations.relu(X, max_value=1.0),
                               [0, 0, 0, 0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(activations.relu(X, threshold=0.5), [0, 0, 0, 0, 0, 2.0, 4.0])


def test_gelu_default_is_exact_and_approximate_matches_keras():
    # keras.activations.gelu defaults to approximate=False (so does activation='gelu').
    assert activations.gelu.__defaults__ == (False,)
    # Keras 3.15.1: gelu(X, approximate=True)
    approx = [-0.0006161976553737403, -0.15880800939172324, -0.100324649298315, 0.0,
              0.34571400982514394, 1.954597694087775, 3.9999297540518075]
    np.testing.assert_allclose(activations.gelu(X, approximate=True), approx, rtol=1e-12)


def test_elu_and_leaky_relu_parameters_match_keras():
    # Keras 3.15.1: elu(X, alpha=0.5) and leaky_relu(X, negative_slope=0.1)
    np.testing.assert_allclose(
        activations.elu(X, alpha=0.5),
        [-0.48490130828884076, -0.31606027941427883, -0.11059960846429756, 0, 0.5, 2, 4],
        rtol=1e-12)
    np.testing.assert_allclose(activations.leaky_relu(X, negative_slope=0.1),
                               [-0.35, -0.1, -0.025, 0, 0.5, 2, 4], rtol=1e-12)


M = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1000.0]])


def test_softmax_along_last_axis_matches_keras():
    y = activations.softmax(M)
    # Keras 3.15.1: softmax(M)
    np.testing.assert_allclose(y, [[0.09003057317038045, 0.2447284710547976, 0.6652409557748218],
                                   [0.0, 0.0, 1.0]], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(y.sum(axis=-1), [1.0, 1.0])


def test_softmax_along_axis_0_matches_keras():
    y = activations.softmax(M, axis=0)
    # Keras 3.15.1: softmax(M, axis=0)
    np.testing.assert_allclose(y, [[0.8807970779778823, 0.8807970779778823, 0.0],
                                   [0.11920292202211755, 0.11920292202211755, 1.0]],
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(y.sum(axis=0), [1.0, 1.0, 1.0])


def test_large_inputs_do_not_overflow():
    # Underflow to 0 is harmless (and ignored by NumPy by default); overflow would give inf/nan.
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        big = np.array([[1000.0, 1001.0, 1002.0]])
        np.testing.assert_allclose(activations.softmax(big),
                                   activations.softmax(np.array([[0.0, 1.0, 2.0]])))
        np.testing.assert_allclose(activations.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        np.testing.assert_allclose(activations.softplus(np.array([-1000.0, 1000.0])),
                                   [0.0, 1000.0])
        np.testing.assert_allclose(activations.elu(np.array([1000.0])), [1000.0])


@pytest.mark.parametrize("name", sorted(set(activations._BY_NAME)))
def test_float32_stays_float32_and_int_becomes_float32(name):
    f = activations.get(name)
    x32 = X.astype("float32")
    y = f(x32)
    assert y.dtype == np.float32 and y.shape == X.shape
    assert activations.backward(f, x32, y, np.ones_like(y)).dtype == np.float32
    assert f(np.array([[1, 2], [3, 4]])).dtype == np.float32


# ----- derivatives -------------------------------------------------------------------------
def numerical_gradient(f, x, dy, eps=1e-6):
    """d(sum(dy * f(x)))/dx by central differences, one entry at a time."""
    dx = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        dx[i] = np.sum(dy * (f(xp) - f(xm))) / (2 * eps)
    return dx


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


# Points away from every kink (0 for relu, ±3 for hard_sigmoid, 6 for relu6).
GRID = np.array([[-3.7, -2.2, -0.9, -0.3], [0.2, 0.8, 1.9, 2.6], [3.3, 5.1, 6.4, -5.2]])


@pytest.mark.parametrize("name", sorted(set(activations._BY_NAME)))
def test_gradient_check_every_builtin(name):
    f = activations.get(name)
    dy = np.random.default_rng(0).normal(size=GRID.shape)
    y = f(GRID)
    dx = activations.backward(f, GRID, y, dy)
    assert dx.shape == GRID.shape
    assert relative_error(dx, numerical_gradient(f, GRID, dy)) < 1e-7


@pytest.mark.parametrize("axis", [0, -1, 1])
def test_gradient_check_softmax_along_each_axis(axis):
    f = functools.partial(activations.softmax, axis=axis)
    dy = np.random.default_rng(1).normal(size=GRID.shape)
    dx = activations.backward(f, GRID, f(GRID), dy)
    assert relative_error(dx, numerical_gradient(f, GRID, dy)) < 1e-7


@pytest.mark.parametrize("f", [
    functools.partial(activations.relu, negative_slope=0.1, max_value=2.0, threshold=0.5),
    functools.partial(activations.relu, threshold=-1.0),
    functools.partial(activations.leaky_relu, negative_slope=0.05),
    functools.partial(activations.elu, alpha=0.3),
    functools.partial(activations.gelu, approximate=True),
])
def test_gradient_check_with_parameters(f):
    dy = np.random.default_rng(2).normal(size=GRID.shape)
    dx = activations.backward(f, GRID, f(GRID), dy)
    assert relative_error(dx, numerical_gradient(f, GRID, dy)) < 1e-7


def test_derivatives_at_kinks_match_keras_autograd():
    # torch autograd of keras.activations.get(name)(x).sum(), Keras 3.15.1.
    x = np.array([-3.0, 0.0, 3.0])
    expected = {"relu": [0.0, 0.0, 1.0], "leaky_relu": [0.2, 0.2, 1.0],
                "elu": [0.049787068367863944, 1.0, 1.0],
                "selu": [0.08753061208026487, 1.7580993408473766, 1.0507009873554805],
                "hard_sigmoid": [0.0, 1 / 6, 0.0], "relu6": [0.0, 0.0, 1.0]}
    for name, grad in expected.items():
        f = activations.get(name)
        dx = activations.backward(f, x, f(x), np.ones_like(x))
        np.testing.assert_allclose(dx, grad, rtol=1e-12, err_msg=name)


def test_custom_callable_with_backward():
    def cube(x):
        return x ** 3
    cube.backward = lambda x, y, dy: dy * 3 * x ** 2
    assert activations.get(cube) is cube
    dx = activations.backward(cube, np.array([2.0]), np.array([8.0]), np.array([0.5]))
    np.testing.assert_allclose(dx, [6.0])
    assert activations.serialize(cube) == "cube"


def test_a_kteach_layer_can_be_the_activation():
    class Cube(Layer):
        def forward(self, x, training):
            return x ** 3, x

        def backward(self, cache, dy):
            return dy * 3 * cache ** 2, []

    layer = Cube()
    assert activations.get(layer) is layer
    dx = activations.backward(layer, np.array([2.0, -1.0]), None, np.array([1.0, 2.0]))
    np.testing.assert_allclose(dx, [12.0, 6.0])


def test_callable_without_derivative_is_refused_at_get():
    def cube(x):
        return x ** 3
    with pytest.raises(NoDerivativeError, match=r"The activation 'cube' has no derivative") as e:
        activations.get(cube)
    assert isinstance(e.value, TypeError)
    assert "cube.backward = lambda x, y, dy: dy * 3 * x**2" in str(e.value)
    with pytest.raises(NoDerivativeError, match=r"'<lambda>'.*\n    fn\.backward = lambda"):
        activations.get(lambda x: x)
    with pytest.raises(NoDerivativeError):
        activations.backward(cube, X, X ** 3, X)


# ----- names -------------------------------------------------------------------------------
def test_get_none_name_and_callable():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get(activations.tanh) is activations.tanh


def test_unknown_name_message_like_keras_with_suggestion():
    with pytest.raises(UnknownNameError, match=(
            r"^Could not interpret activation function identifier: sigmoidd\. "
            r"Did you mean 'sigmoid'")) as e:
        activations.get("sigmoidd")
    assert isinstance(e.value, ValueError)
    assert "Known activation function names: elu, exponential, gelu" in str(e.value)


def test_names_are_case_sensitive_like_keras():
    # Keras 3.15.1 refuses 'ReLU' with "Could not interpret activation function identifier".
    with pytest.raises(UnknownNameError, match=r"identifier: ReLU\. Did you mean 'relu'"):
        activations.get("ReLU")


def test_keras_name_that_kteach_lacks():
    with pytest.raises(UnknownNameError, match=r"'mish' exists in Keras 3 but kteach does not"):
        activations.get("mish")


def test_serialize_and_deserialize():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"   # as Keras
    assert activations.serialize(functools.partial(activations.relu, max_value=6)) == "relu"
    for name in ["linear", "softmax", "gelu", "hard_sigmoid"]:
        assert activations.serialize(activations.deserialize(name)) == name
    with pytest.raises(UnknownNameError, match="identifier: tanhh"):
        activations.deserialize("tanhh")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_gives_the_bits_of_its_two_branch_formula(dtype):
    """sigmoid works in one array (in place) for speed; it must equal, bit for bit, the plain
    formula 1 / (1 + e) for x >= 0 and e / (1 + e) otherwise, e = exp(-|x|)."""
    rng = np.random.default_rng(7)
    for scale in (0.01, 1.0, 30.0, 1000.0):
        x = (rng.normal(size=(65, 17)) * scale).astype(dtype)
        x.flat[:6] = [0.0, -0.0, np.inf, -np.inf, 1e-30, -1e-30]
        e = np.exp(-np.abs(x))
        plain = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(dtype)
        y = activations.sigmoid(x)
        assert y.dtype == np.dtype(dtype)
        assert np.array_equal(y.view(f"u{y.itemsize}"), plain.view(f"u{plain.itemsize}"))


def test_relu_and_softmax_backward_fast_paths_give_the_bits_of_the_plain_formulas():
    """relu's backward multiplies with dtype= and softmax's writes into its own new array
    (both for speed); the numbers must be those of the formulas written plainly."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64, np.float16):
        x = rng.standard_normal((16, 7)).astype(dtype)
        dy = rng.standard_normal((16, 7)).astype(dtype)
        x[0, :5], dy[0, :5] = [-0.0, 0.0, np.nan, -np.inf, 1.0], [-1.0, -0.0, 2.0, 3.0, np.nan]
        with np.errstate(invalid="ignore"):
            assert activations.relu_backward(x, x, dy).tobytes() == (dy * (x > 0)).tobytes()
        x, y = x[1:], activations.softmax(x[1:])
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        assert y.tobytes() == (e / np.sum(e, axis=-1, keepdims=True)).tobytes()
        plain = y * (dy[1:] - np.sum(dy[1:] * y, axis=-1, keepdims=True))
        assert activations.softmax_backward(x, y, dy[1:]).tobytes() == plain.tobytes()
