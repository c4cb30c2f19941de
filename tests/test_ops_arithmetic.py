"""kteach.ops arithmetic: values, Keras' dtypes, gradients (tape vs central differences),
the operator forms on recorded Tensors, and error messages."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kteach
from kteach import ops
from kteach.engine.arrays import Tensor
from kteach.engine.errors import ShapeError
from kteach.engine.variable import Variable
from kteach.ops import OpError

from gradcheck import check_op, numeric_gradient

rng = np.random.default_rng(0)
X = np.array([[-1.5, -0.25, 0.5], [0.75, 1.25, 2.0]], dtype="float32")
POS = np.array([[0.5, 1.0, 1.5], [2.0, 3.0, 4.5]], dtype="float32")


# ===================================================================== values and dtypes
UNARY = [  # (op, input, expected computed with NumPy on the same float32 numbers)
    (ops.negative, X, -X), (ops.square, X, X * X), (ops.sqrt, POS, np.sqrt(POS)),
    (ops.absolute, X, np.abs(X)), (ops.abs, X, np.abs(X)), (ops.sign, X, np.sign(X)),
    (ops.exp, X, np.exp(X)), (ops.log, POS, np.log(POS)), (ops.log1p, POS, np.log1p(POS)),
    (ops.sin, X, np.sin(X)), (ops.cos, X, np.cos(X)), (ops.reciprocal, POS, 1 / POS),
]


@pytest.mark.parametrize("op, x, expected", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_values_and_float32_stays_float32(op, x, expected):
    y = op(x)
    assert isinstance(y, np.ndarray) and not isinstance(y, Tensor)  # no tape: plain arrays
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_binary_values_by_hand():
    a, b = np.array([1.0, -2.0, 3.0], "float32"), np.array([2.0, 4.0, -1.0], "float32")
    np.testing.assert_array_equal(ops.add(a, b), [3, 2, 2])
    np.testing.assert_array_equal(ops.subtract(a, b), [-1, -6, 4])
    np.testing.assert_array_equal(ops.multiply(a, b), [2, -8, -3])
    np.testing.assert_array_equal(ops.divide(a, b), [0.5, -0.5, -3])
    np.testing.assert_array_equal(ops.true_divide(a, b), [0.5, -0.5, -3])
    np.testing.assert_array_equal(ops.maximum(a, b), [2, 4, 3])
    np.testing.assert_array_equal(ops.minimum(a, b), [1, -2, -1])
    np.testing.assert_array_equal(ops.power(b, a), [2, 1 / 16, -1])
    np.testing.assert_array_equal(ops.clip(np.array([-3.0, 0.5, 9.0]), 0.0, 1.0), [0, 0.5, 1])
    np.testing.assert_array_equal(ops.where(a > 0, a, b), [1, 4, 3])


def test_erf_matches_math_erf():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(ops.erf(x), [math.erf(v) for v in x], rtol=1e-15)
    assert ops.erf(x.astype("float32")).dtype == np.float32


@pytest.mark.parametrize("op", [ops.sqrt, ops.exp, ops.log, ops.log1p, ops.sin, ops.cos,
                                ops.erf, ops.reciprocal], ids=lambda f: f.__name__)
def test_integers_give_float32_where_keras_does(op):
    x = np.array([1, 2, 4], dtype="int32")
    y = op(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, op(x.astype("float64")), rtol=1e-6)
    assert op(np.array([1, 2], dtype="int64")).dtype == np.float32


def test_divide_of_integers_is_float32():
    y = ops.divide(np.array([1, 2, 3], "int32"), np.array([2, 2, 2], "int32"))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [0.5, 1.0, 1.5])
    assert ops.divide(3, 2) == 1.5 and ops.divide(3, 2).dtype == np.float32


@pytest.mark.parametrize("op", [ops.add, ops.subtract, ops.multiply, ops.maximum, ops.minimum,
                                ops.power], ids=lambda f: f.__name__)
def test_integers_stay_integers_in_ring_ops(op):
    a, b = np.array([1, 2, 3], "int32"), np.array([3, 2, 1], "int32")
    assert op(a, b).dtype == np.int32
    assert op(a, 2).dtype == np.int32            # a Python int is weak


@pytest.mark.parametrize("op", [ops.negative, ops.square, ops.absolute, ops.sign],
                         ids=lambda f: f.__name__)
def test_integers_stay_integers_in_unary_ops(op):
    assert op(np.array([-2, 0, 3], "int32")).dtype == np.int32


def test_python_numbers_are_weak_and_int_with_float32_is_float32():
    x = np.ones(3, "float32")
    assert ops.multiply(x, 2.0).dtype == np.float32
    assert ops.add(2, x).dtype == np.float32
    assert ops.power(x, 3).dtype == np.float32
    assert ops.add(np.ones(2, "float16"), 1.5).dtype == np.float16
    i = np.array([1, 2], "int32")
    assert ops.add(i, 0.5).dtype == np.float32                   # NumPy alone: float64
    assert ops.multiply(i, np.ones(2, "float32")).dtype == np.float32
    assert ops.add(i, np.ones(2, "float64")).dtype == np.float64  # float64 asked for
    assert ops.square(np.array([True, False])).dtype == np.int32  # Keras: bool -> int32


def test_clip_keeps_the_dtype_of_x_and_takes_one_sided_bounds():
    assert ops.clip(np.array([1, 5, 9], "int32"), 2.5, 7.5).dtype == np.int32
    assert ops.clip(np.array([True, False]), 0, 1).dtype == np.int32
    np.testing.assert_array_equal(ops.clip(np.array([-1.0, 2.0]), None, 1.0), [-1, 1])
    np.testing.assert_array_equal(ops.clip(np.array([-1.0, 2.0]), 0.0, None), [0, 2])


def test_where_without_values_gives_indices_and_with_one_value_refuses():
    rows, cols = ops.where(np.array([[True, False], [False, True]]))
    np.testing.assert_array_equal(rows, [0, 1])
    np.testing.assert_array_equal(cols, [0, 1])
    with pytest.raises(ValueError, match="kteach.ops.where takes both x1 and x2"):
        ops.where(np.array([True]), 1.0)
    assert ops.where(np.array([True, False]), 1.0, np.zeros(2, "float32")).dtype == np.float32


# ===================================================================== gradients (float64)
def _normal(*shape):
    return rng.normal(size=shape)


AWAY_FROM_ZERO = np.array([[-1.5, -0.4, 0.3], [0.8, 1.1, 2.0]])


@pytest.mark.parametrize("op, x", [
    (ops.negative, _normal(2, 3)), (ops.square, _normal(2, 3)), (ops.sqrt, 0.5 + POS),
    (ops.absolute, AWAY_FROM_ZERO), (ops.sign, AWAY_FROM_ZERO), (ops.exp, _normal(2, 3)),
    (ops.log, 0.5 + POS), (ops.log1p, np.abs(_normal(2, 3))), (ops.sin, _normal(2, 3)),
    (ops.cos, _normal(2, 3)), (ops.erf, _normal(2, 3)), (ops.reciprocal, 0.5 + POS),
], ids=lambda v: getattr(v, "__name__", ""))
def test_unary_gradients(op, x):
    check_op(op, x)


@pytest.mark.parametrize("op", [ops.add, ops.subtract, ops.multiply, ops.divide, ops.maximum,
                                ops.minimum], ids=lambda f: f.__name__)
def test_binary_gradients_under_broadcasting(op):
    # Pairs at least 0.2 apart (no ties for maximum/minimum), and no 0 to divide by.
    y = check_op(op, np.array([[-1.0], [0.5], [2.2]]), np.array([0.8, -1.4, 1.7, 3.0]))
    assert y.shape == (3, 4)
    check_op(op, np.array([[-1.2, 0.4, 2.1], [0.9, -0.3, 1.5]]),
             np.array([[0.7, -1.1, 2.6], [1.8, 0.6, -0.9]]))
    check_op(op, np.array([[-1.2, 0.4, 2.1]]), 1.3)   # a scalar's gradient is summed to ()


def test_power_gradient_for_base_and_exponent():
    check_op(ops.power, 0.5 + POS.astype("float64"), _normal(2, 3))
    check_op(ops.power, _normal(3, 1), 3.0)                  # (3, 1) ** scalar
    check_op(ops.power, 0.5 + np.abs(_normal(3, 1)), _normal(4))  # (3, 1) ** (4,)


def test_clip_gradient_for_x_and_the_bounds():
    x = np.array([[-2.0, -0.3, 0.1], [0.4, 0.7, 3.0]])
    check_op(ops.clip, x, -0.5, 0.5)
    check_op(ops.clip, x, np.array([-1.0, 0.0, 0.2]), np.array([[0.5], [2.0]]))


def test_where_gradient_goes_to_the_chosen_side():
    condition = np.array([[True, False, True]])
    check_op(ops.where, condition, _normal(2, 3), _normal(3))
    with kteach.GradientTape() as tape:
        a, b = np.ones(3), np.ones(3)
        tape.watch([a, b])
        y = ops.sum(ops.where(np.array([True, False, True]), a, b))
    da, db = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(da, [1, 0, 1])
    np.testing.assert_array_equal(db, [0, 1, 0])


def _gradients(op, *xs):
    """d sum(op(*xs)) / d xs under a tape."""
    xs = [np.asarray(x, dtype="float64") for x in xs]
    with kteach.GradientTape() as tape:
        tape.watch(xs)
        y = ops.sum(op(*xs))
    return tape.gradient(y, xs)


def test_gradients_at_the_kinks_follow_tensorflow():
    (d,) = _gradients(ops.absolute, [0.0, -1.0, 2.0])
    np.testing.assert_array_equal(d, [0, -1, 1])                # |x|' = 0 at 0
    d1, d2 = _gradients(ops.maximum, [1.0, 2.0], [1.0, 3.0])
    np.testing.assert_array_equal(d1, [1, 0])                   # a tie goes to x1
    np.testing.assert_array_equal(d2, [0, 1])
    d1, d2 = _gradients(ops.minimum, [1.0, 4.0], [1.0, 3.0])
    np.testing.assert_array_equal(d1, [1, 0])
    (d,) = _gradients(ops.sqrt, [0.0, 4.0])
    assert d[0] == np.inf and d[1] == 0.25                       # √x' = inf at 0
    (d,) = _gradients(ops.sign, [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(d, [0, 0, 0])                 # zeros, not None
    (d,) = _gradients(lambda x: ops.clip(x, 0.0, 1.0), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(d, [1, 1, 0])                 # the bounds pass dy


def test_power_at_zero_base_and_zero_exponent():
    d1, d2 = _gradients(ops.power, [0.0, -2.0, 2.0], [0.0, 2.0, 3.0])
    np.testing.assert_array_equal(d1, [0, -4, 12])     # 0 ** 0 is the constant 1: slope 0
    np.testing.assert_allclose(d2, [0, 0, 8 * math.log(2)])   # no log of x1 <= 0: 0


def test_gradient_dtype_is_float32_for_float32_inputs():
    x = np.array([0.5, 2.0], "float32")
    for op in [ops.square, ops.exp, ops.sqrt, ops.absolute, ops.negative]:
        with kteach.GradientTape() as tape:
            tape.watch(x)
            y = ops.sum(op(x))
        assert tape.gradient(y, x).dtype == np.float32, op.__name__


# ===================================================================== operators on Tensors
def _tensors(*arrays):
    """Plain float64 arrays as Tensors, so that Python operators on them are recorded."""
    return [np.array(a, dtype="float64").view(Tensor) for a in arrays]


OPERATOR_FORMS = [  # (operator form, the same thing with kteach.ops)
    (lambda x, y: x * y, ops.multiply), (lambda x, y: x + y, ops.add),
    (lambda x, y: x - y, ops.subtract), (lambda x, y: x / y, ops.divide),
    (lambda x, y: -x * y, lambda x, y: ops.multiply(ops.negative(x), y)),
    (lambda x, y: x ** 3 + y, lambda x, y: ops.add(ops.power(x, 3), y)),
    (lambda x, y: x ** 2 * y ** 0.5, lambda x, y: ops.multiply(ops.square(x), ops.sqrt(y))),
    (lambda x, y: x ** -1 + y, lambda x, y: ops.add(ops.reciprocal(x), y)),
    (lambda x, y: np.exp(x) * abs(y), lambda x, y: ops.multiply(ops.exp(x), ops.abs(y))),
    (lambda x, y: np.maximum(x, y) + np.sin(x), lambda x, y: ops.add(ops.maximum(x, y),
                                                                      ops.sin(x))),
    (lambda x, y: np.clip(x, -0.5, 0.5) * y.clip(1, 2),
     lambda x, y: ops.multiply(ops.clip(x, -0.5, 0.5), ops.clip(y, 1, 2))),
    (lambda x, y: np.where(x > 0, x, y) - 2 ** y,
     lambda x, y: ops.subtract(ops.where(ops.greater(x, 0), x, y), ops.power(2, y))),
]


@pytest.mark.parametrize("form, op", OPERATOR_FORMS)
def test_operators_on_recorded_tensors_give_the_ops_gradients(form, op):
    x0, y0 = np.array([[-0.7, 0.2, 1.3]]), np.array([[1.2], [1.9]])  # (1, 3) and (2, 1)
    expected = _gradients(op, x0, y0)
    x, y = _tensors(x0, y0)
    with kteach.GradientTape() as tape:
        tape.watch([x, y])
        z = form(x, y)
        assert isinstance(z, Tensor)
        total = ops.sum(z)
    for g, e in zip(tape.gradient(total, [x, y]), expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_operators_on_a_variable_are_recorded():
    v = Variable(np.array([1.0, 2.0, 3.0]), name="w", path="w")
    with kteach.GradientTape() as tape:
        y = ops.sum(v ** 3 - 2 * v)
    np.testing.assert_allclose(tape.gradient(y, v), 3 * v.value ** 2 - 2)


def test_without_a_tape_operators_are_plain_numpy():
    (x,) = _tensors([1.0, 4.0])
    y = np.sqrt(x) + x ** 2
    assert type(y) is np.ndarray
    np.testing.assert_array_equal(y, [2.0, 18.0])


def test_np_clip_with_out_under_a_tape_explains():
    (x,) = _tensors([1.0, 4.0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(OpError, match="cannot write into `out=`"):
            np.clip(x, 0, 2, out=np.empty(2))


# ===================================================================== errors
def test_a_string_input_is_refused_with_the_op_name():
    with pytest.raises(OpError) as info:
        ops.add("a", np.ones(2))
    assert str(info.value) == ("kteach.ops.add needs numbers for `x1`, but got str 'a'. "
                               "Pass a NumPy array, a number or a list of numbers.")
    with pytest.raises(OpError) as info:
        ops.sqrt("4")
    assert str(info.value) == ("kteach.ops.sqrt needs numbers for `x`, but got str '4'. "
                               "Pass a NumPy array, a number or a list of numbers.")
    with pytest.raises(OpError, match="kteach.ops.clip needs numbers for `x_max`"):
        ops.clip(np.ones(2), 0.0, "1")


def test_an_integer_to_a_negative_power_explains():
    with pytest.raises(OpError, match="kteach.ops.power: an integer to a negative power"):
        ops.power(np.array([1, 2], "int32"), -1)
    np.testing.assert_array_equal(ops.power(np.array([1.0, 2.0]), -1), [1.0, 0.5])


def test_shapes_that_do_not_broadcast_are_refused_with_both_shapes():
    with pytest.raises(ShapeError) as info:
        ops.multiply(np.ones((2, 3)), np.ones(4))
    assert str(info.value) == (
        "kteach.ops.multiply cannot broadcast shapes (2, 3) and (4,): from the right, each "
        "pair of sizes must be equal or one of them 1. Reshape or transpose one operand.")
    with pytest.raises(ShapeError) as info:
        ops.where(np.ones((4, 1)) > 0, np.ones((2, 3)), np.ones(3))
    assert str(info.value) == (
        "kteach.ops.where cannot broadcast shapes (4, 1), (2, 3), (3,) together: from the "
        "right, each size must equal the others or be 1.")
    with pytest.raises(ShapeError, match="kteach.ops.clip cannot broadcast shapes"):
        ops.clip(np.ones(3), np.zeros(2), 1.0)


# ===================================================================== properties
def _arrays_for(shapes, seed):
    r = np.random.default_rng(seed)
    return [np.asarray(r.normal(size=s)) for s in shapes]


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16),
       op=st.sampled_from([ops.add, ops.multiply, ops.maximum]))
def test_broadcast_gradients_match_central_differences(shapes, seed, op):
    a, b = _arrays_for(shapes.input_shapes, seed)
    if op is ops.maximum:   # central differences need no tie within eps
        assume(np.min(np.abs(a - b)) > 1e-3)
    r = np.asarray(np.random.default_rng(seed + 1).normal(size=shapes.result_shape))
    with kteach.GradientTape() as tape:
        tape.watch([a, b])
        y = ops.sum(ops.multiply(r, op(a, b)))
    da, db = tape.gradient(y, [a, b])
    assert da.shape == a.shape and db.shape == b.shape

    def value():
        return float(np.sum(r * op(a, b)))

    np.testing.assert_allclose(da, numeric_gradient(value, a), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numeric_gradient(value, b), rtol=1e-6, atol=1e-8)
