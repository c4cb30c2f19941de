"""kteach.ops reductions: values as NumPy, Keras dtypes, gradients by central differences."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kteach
from kteach import ops
from kteach.engine.arrays import Tensor
from kteach.engine.errors import NotSupportedError, ShapeError
from kteach.ops import OpError

from gradcheck import check_op

rng = np.random.default_rng(0)
X = rng.normal(size=(2, 3, 4))
AXES = [None, 0, 1, -1, (0, 2), (1, 2), (0, 1, 2)]


# ------------------------------------------------------------------ values and gradients
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "std", "var",
                                  "logsumexp"])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_equal_numpy_and_pass_the_gradient_check(name, axis, keepdims):
    op = getattr(ops, name)
    if name == "logsumexp":
        expected = np.log(np.sum(np.exp(X), axis=axis, keepdims=keepdims))
    else:
        expected = getattr(np, name)(X, axis=axis, keepdims=keepdims)
    y = check_op(op, X, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    assert np.shape(y) == np.shape(expected)


def test_hand_computed_values():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]], "float32")
    np.testing.assert_array_equal(ops.sum(x, axis=0), [5, 2, 9])
    np.testing.assert_allclose(ops.mean(x, axis=1), [2, 10 / 3], rtol=1e-7)
    np.testing.assert_array_equal(ops.prod(x, axis=1), [6, 0])
    np.testing.assert_array_equal(ops.max(x, axis=1), [3, 6])
    np.testing.assert_array_equal(ops.min(x, axis=0, keepdims=True), [[1, 0, 3]])
    np.testing.assert_allclose(ops.var(np.array([1.0, 3.0])), 1.0)
    np.testing.assert_allclose(ops.std(np.array([1.0, 3.0])), 1.0)
    np.testing.assert_allclose(ops.logsumexp(np.array([0.0, 0.0])), np.log(2))
    np.testing.assert_array_equal(ops.cumsum(x, axis=1), [[1, 3, 6], [4, 4, 10]])
    np.testing.assert_array_equal(ops.cumsum(x), [1, 3, 6, 10, 10, 16])
    np.testing.assert_array_equal(ops.argmax(x, axis=1), [2, 2])
    np.testing.assert_array_equal(ops.argmin(x), 4)
    np.testing.assert_array_equal(ops.any(x == 0, axis=1), [False, True])
    np.testing.assert_array_equal(ops.all(x, axis=0), [True, False, True])
    assert ops.max(x, initial=10.0) == 10 and ops.min(x, axis=1, initial=-1.0).tolist() == [-1, -1]


def test_keras_dtypes():
    ints = np.array([[1, 2], [3, 4]], "int32")
    assert ops.mean(ints).dtype == np.float32
    assert ops.var(ints).dtype == ops.std(ints).dtype == np.float32
    assert ops.logsumexp(ints).dtype == ops.norm(ints).dtype == np.float32
    assert ops.sum(ints).dtype == ops.prod(ints).dtype == ops.max(ints).dtype == np.int32
    assert ops.sum(np.array([True, True])).dtype == np.int32 and ops.sum([True, True]) == 2
    assert ops.sum(np.ones(3, "uint8")).dtype == np.uint32
    assert ops.prod(np.ones(3, "int8")).dtype == np.int32
    assert ops.prod(ints, dtype="float64").dtype == np.float64
    assert ops.mean(np.ones(3, "float16")).dtype == np.float16
    assert ops.mean(np.ones(3, "float64")).dtype == np.float64
    assert ops.argmax(X).dtype == ops.argmin(X, axis=0).dtype == np.int32
    assert ops.argmax(X, axis=1, keepdims=True).shape == (2, 1, 4)
    assert ops.cumsum(np.ones(3, "int8")).dtype == np.int8
    assert ops.cumsum(np.array([True, False])).dtype == np.int32
    assert ops.cumsum(ints, dtype="float32").dtype == np.float32
    assert ops.any(X).dtype == np.bool_
    assert ops.mean([1.0, 2.0]).dtype == np.float32          # a Python list: float32
    m, v = ops.moments(np.ones((2, 2), "float16"), axes=[0])
    assert m.dtype == v.dtype == np.float16


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_cumsum_gradient(axis):
    y = check_op(ops.cumsum, X, axis=axis)
    np.testing.assert_allclose(y, np.cumsum(X, axis=axis))


def test_prod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, -1.0]])
    for axis in (None, 0, 1, (0, 1)):
        check_op(ops.prod, x, axis=axis)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.prod(x, axis=1))
    # one zero: it gets the product of the others; two zeros: everyone gets 0
    np.testing.assert_array_equal(tape.gradient(y, x), [[0, 6, 0], [0, 0, 0], [-2, -1, 2]])


def test_ties_of_max_and_min_share_the_gradient_equally():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with kteach.GradientTape(persistent=True) as tape:
        tape.watch(x)
        top = ops.sum(ops.max(x, axis=1))
        bottom = ops.min(x)
        capped = ops.max(x, initial=5.0)
    np.testing.assert_allclose(tape.gradient(top, x), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(tape.gradient(bottom, x), [[1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(tape.gradient(capped, x), np.zeros_like(x))
    check_op(ops.max, np.array([[1.0, 3.0, 3.0], [0.0, 4.0, 2.0]]), axis=1)  # 2 ties: ½ each


def test_std_of_constant_input_has_zero_gradient():
    x = np.full((2, 3), 4.0)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.std(x, axis=1))
    np.testing.assert_array_equal(tape.gradient(y, x), np.zeros_like(x))


def test_logsumexp_is_stable():
    x = np.array([1000.0, 1000.0, -np.inf])
    np.testing.assert_allclose(ops.logsumexp(x), 1000 + np.log(2))
    assert ops.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    y = check_op(ops.logsumexp, np.array([[500.0, 501.0], [-3.0, 2.0]]), axis=1)
    np.testing.assert_allclose(y, [501 + np.log1p(np.exp(-1)), 2 + np.log1p(np.exp(-5))])


# ------------------------------------------------------------------ moments
@pytest.mark.parametrize("axes, keepdims", [([0], False), ((0, 2), True), ([-1], True),
                                            ((0, 1, 2), False), (1, False)])
def test_moments_two_outputs_and_their_gradients(axes, keepdims):
    m, v = check_op(ops.moments, X, axes=axes, keepdims=keepdims)
    ax = tuple(axes) if isinstance(axes, list) else axes
    np.testing.assert_allclose(m, np.mean(X, axis=ax, keepdims=keepdims), rtol=1e-12)
    np.testing.assert_allclose(v, np.var(X, axis=ax, keepdims=keepdims), rtol=1e-12)
    with pytest.raises(NotSupportedError, match="Leave synchronized=False"):
        ops.moments(X, axes, synchronized=True)


def test_moments_is_one_entry_on_the_tape():
    with kteach.GradientTape() as tape:
        tape.watch(X)
        m, v = ops.moments(X, axes=[0, 1])
        y = ops.sum(v)          # only the variance is used; the mean gets zeros
    assert [e.name for e in tape.entries] == ["moments", "sum"]
    mu = X.mean(axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(tape.gradient(y, X), 2 * (X - mu) / 6)


# ------------------------------------------------------------------ norm
@pytest.mark.parametrize("ord, axis, keepdims", [
    (None, None, False), (None, -1, True), (2, 1, False), (1, 0, False), (3, -1, False),
    (0.5, 2, False), (np.inf, 1, False), (-np.inf, 2, True), (None, (0, 2), False),
    ("fro", (1, 2), True), ("nuc", (1, 2), False), (2, (2, 1), False), (-2, (1, 2), False),
    (1, (1, 2), False), (-1, (2, 1), True), (np.inf, (1, 2), False), (-np.inf, (1, 2), False),
])
def test_norm_equals_numpy_and_passes_the_gradient_check(ord, axis, keepdims):
    y = check_op(ops.norm, X, ord=ord, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y, np.linalg.norm(X, ord=ord, axis=axis, keepdims=keepdims),
                               rtol=1e-12)


def test_norm_of_vectors_and_matrices_by_hand():
    np.testing.assert_allclose(ops.norm(np.array([3.0, 4.0])), 5.0)
    np.testing.assert_allclose(ops.norm(np.array([3.0, -4.0]), ord=1), 7.0)
    np.testing.assert_allclose(ops.norm(np.array([3.0, 0.0, -4.0]), ord=0), 2.0)
    m = np.arange(9, dtype="float32").reshape(3, 3) - 4
    np.testing.assert_allclose(ops.norm(m), 7.745967, rtol=1e-6)
    np.testing.assert_allclose(ops.norm(m, ord=1), 7.0)      # largest column sum of |m|
    check_op(ops.norm, np.array([[1.0, -2.0], [0.5, 3.0]]), ord=np.inf)
    check_op(ops.norm, np.array([[1.0, -2.0], [0.5, 3.0]]), ord=2)
    with kteach.GradientTape() as tape:
        zero = np.zeros(3)
        tape.watch(zero)
        y = ops.norm(zero)
    np.testing.assert_array_equal(tape.gradient(y, zero), [0, 0, 0])


def test_norm_errors():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.norm: ord=1 with axis=None needs a 1-D or 2-D input, not shape "
            "(2, 3, 4). Give axis=... (an int for vector norms, a pair for matrix norms).")):
        ops.norm(X, ord=1)
    with pytest.raises(OpError, match=re.escape("kteach.ops.norm: Invalid norm order 'nuc' "
                                                "for vectors")):
        ops.norm(X, ord="nuc", axis=0)


# ------------------------------------------------------------------ errors
def test_bad_axes_are_explained():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.mean: axis 3 is out of range for an input of rank 3 (valid axes are -3 "
            "to 2, or None for all).")):
        ops.mean(X, axis=3)
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.sum: axis (0, -3) names the same axis twice; give each axis once.")):
        ops.sum(X, axis=(0, -3))
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.argmax: axis must be an int or None, not (0, 1) (the index of a "
            "maximum is along one axis).")):
        ops.argmax(X, axis=(0, 1))
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.max: the input of shape (0, 3) has no numbers to take the maximum of "
            "along axis=0. Give initial=... for empty inputs.")):
        ops.max(np.ones((0, 3)), axis=0)
    assert ops.max(np.ones((0, 3)), axis=0, initial=-1.0).tolist() == [-1, -1, -1]
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.sum needs numbers for `x`, but got str 'abc'.")):
        ops.sum("abc")


# ------------------------------------------------------------------ methods and np.* under a tape
def test_method_and_numpy_forms_give_the_same_gradients_as_the_ops():
    a = rng.normal(size=(3, 4))

    def run(use_methods):
        with kteach.GradientTape() as tape:
            tape.watch(a)
            t = ops.convert_to_tensor(a)
            if use_methods:
                parts = [t.mean(axis=0), t.max(axis=1), t.min(), t.prod(axis=1, keepdims=True),
                         t.std(0), t.var(axis=(0, 1)), t.sum(axis=[1]), np.mean(t, axis=1),
                         np.max(t, 0), np.min(t, axis=1, keepdims=True), np.amax(t),
                         np.cumsum(t, axis=1), np.linalg.norm(t, axis=1), np.std(t, ddof=1),
                         t.var(axis=0, ddof=2), np.sum(t, dtype="float32")]
            else:
                parts = [ops.mean(a, axis=0), ops.max(a, axis=1), ops.min(a),
                         ops.prod(a, axis=1, keepdims=True), ops.std(a, 0),
                         ops.var(a, axis=(0, 1)), ops.sum(a, axis=1), ops.mean(a, axis=1),
                         ops.max(a, 0), ops.min(a, axis=1, keepdims=True), ops.max(a),
                         ops.cumsum(a, axis=1), ops.norm(a, axis=1),
                         ops.std(a) * np.sqrt(12 / 11), ops.var(a, axis=0) * (3 / 1),
                         ops.cast(ops.sum(a), "float32")]
            for p in parts:
                assert isinstance(p, Tensor)
            total = sum(ops.sum(p * p) for p in parts)
        return tape.gradient(total, a), [np.asarray(p) for p in parts]

    (g_methods, values_methods), (g_ops, values_ops) = run(True), run(False)
    for m, o in zip(values_methods, values_ops):
        np.testing.assert_allclose(m, o, rtol=1e-6)
    np.testing.assert_allclose(g_methods, g_ops, rtol=1e-6)


def test_numpy_results_without_gradients_keep_numpys_answer():
    with kteach.GradientTape() as tape:
        tape.watch(X)
        t = ops.convert_to_tensor(X)
        assert np.argmax(t).dtype == np.int64          # NumPy's dtype: this is np.argmax
        assert bool(np.any(t > 0)) and not isinstance(np.all(t > -100), Tensor)
        with pytest.warns(UserWarning, match=re.escape("np.sum(where=...) is not recorded")):
            s = np.sum(t, where=t > 0)
    np.testing.assert_allclose(s, X[X > 0].sum())


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
                  elements=st.floats(-100, 100)), st.data())
def test_sum_and_mean_over_random_axes(x, data):
    axes = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), unique_by=lambda a: a % x.ndim,
                              max_size=x.ndim))
    axis = tuple(axes) if axes else None
    keepdims = data.draw(st.booleans())
    np.testing.assert_allclose(ops.sum(x, axis=axis, keepdims=keepdims),
                               np.sum(x, axis=axis, keepdims=keepdims), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(ops.mean(x, axis=axis, keepdims=keepdims),
                               np.mean(x, axis=axis, keepdims=keepdims), rtol=1e-12, atol=1e-9)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.mean(x, axis=axis, keepdims=keepdims))
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
    np.testing.assert_allclose(tape.gradient(y, x), np.full(x.shape, 1 / n))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-5, 5)))
def test_moments_agree_with_mean_and_var(x):
    m, v = ops.moments(x, axes=[0])
    np.testing.assert_allclose(m, ops.mean(x, axis=0), rtol=1e-12)
    np.testing.assert_allclose(v, ops.var(x, axis=0), rtol=1e-9, atol=1e-12)
    assert np.all(np.asarray(v) >= 0)
