"""kteach.ops shape family: values as NumPy, gradients by central differences, errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kteach
from kteach import ops
from kteach.engine.arrays import Tensor
from kteach.engine.errors import ShapeError
from kteach.ops import OpError
from kteach.ops.shape import OutOfRangeError

from gradcheck import check_op

rng = np.random.default_rng(0)
X = rng.normal(size=(2, 3, 4))


# ------------------------------------------------------------------ reshape-like
def test_expand_dims_squeeze_ravel_values_and_gradients():
    assert ops.expand_dims(X, 0).shape == (1, 2, 3, 4)
    assert ops.expand_dims(X, -1).shape == (2, 3, 4, 1)
    assert ops.expand_dims(X, (0, 2)).shape == (1, 2, 1, 3, 4)
    assert ops.squeeze(np.ones((1, 3, 1))).shape == (3,)
    assert ops.squeeze(np.ones((1, 3, 1)), axis=-1).shape == (1, 3)
    assert ops.squeeze(np.ones((1, 3, 1)), axis=(0, 2)).shape == (3,)
    np.testing.assert_array_equal(ops.ravel(X), X.ravel())
    check_op(ops.expand_dims, X, axis=1)
    check_op(ops.squeeze, X[:, :1], axis=1)
    check_op(ops.ravel, X)
    check_op(ops.reshape, X, newshape=(4, -1))


def test_squeeze_refuses_a_big_axis():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.squeeze: axis 1 of shape (2, 3, 4) has size 3, but only axes of size 1 "
            "can be squeezed away. Use reshape to change other sizes.")):
        ops.squeeze(X, axis=1)
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.expand_dims: axis 4 is out of range for an input of rank 4")):
        ops.expand_dims(X, 4)


# ------------------------------------------------------------------ joining and splitting
def test_concatenate_values_dtypes_and_gradient():
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    np.testing.assert_array_equal(ops.concatenate([a, b], axis=1), np.concatenate([a, b], 1))
    np.testing.assert_array_equal(ops.concatenate([a, a], axis=-2), np.concatenate([a, a]))
    ints, floats = np.ones((1, 2), "int32"), np.ones((1, 2), "float32")
    assert ops.concatenate([ints, floats]).dtype == np.float32    # Keras: not float64
    assert ops.concatenate([ints, ints]).dtype == np.int32
    check_op(lambda p, q, r: ops.concatenate([p, q, r], axis=1), a, b, a)
    check_op(lambda p, q: ops.concatenate((p, q), axis=0), a, a * 2)


def test_concatenate_with_mismatched_shapes_names_them_and_the_axis():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.concatenate cannot join shapes (2, 3), (2, 5) along axis 0: all sizes "
            "except along axis 0 must be equal, but axis 1 has sizes [3, 5]. Did you mean "
            "axis=1?")):
        ops.concatenate([np.ones((2, 3)), np.ones((2, 5))])
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.concatenate: the arrays have shapes (2, 3), (3,); they need the same "
            "rank (at least 1) to be joined.")):
        ops.concatenate([np.ones((2, 3)), np.ones(3)])
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.concatenate: axis must be an int, not ndarray. Put the arrays in a "
            "list: concatenate([a, b], axis=0).")):
        ops.concatenate(np.ones(2), np.ones(2))
    with pytest.raises(ShapeError, match="axis 2 is out of range for an input of rank 2"):
        ops.concatenate([np.ones((2, 3))] * 2, axis=2)


def test_stack_values_and_gradient():
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    for axis in (0, 1, 2, -1):
        np.testing.assert_array_equal(ops.stack([a, b], axis=axis), np.stack([a, b], axis))
        check_op(lambda p, q: ops.stack([p, q], axis=axis), a, b)
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.stack needs arrays of one shape, got (2, 3), (3, 2). To join along an "
            "existing axis, use concatenate.")):
        ops.stack([a, a.T])


def test_split_has_several_outputs_each_with_a_gradient():
    parts = ops.split(X, 2, axis=2)
    assert isinstance(parts, list) and [p.shape for p in parts] == [(2, 3, 2), (2, 3, 2)]
    parts = ops.split(X, [1, 3], axis=-1)
    assert [p.shape[-1] for p in parts] == [1, 2, 1]
    np.testing.assert_array_equal(parts[1], X[..., 1:3])
    check_op(ops.split, X, indices_or_sections=3, axis=1)
    check_op(ops.split, X, indices_or_sections=[1, 3], axis=2)
    # only one of the parts used: the others' places get zeros
    with kteach.GradientTape() as tape:
        tape.watch(X)
        first, _ = ops.split(X, 2, axis=0)
        y = ops.sum(first)
    expected = np.concatenate([np.ones((1, 3, 4)), np.zeros((1, 3, 4))])
    np.testing.assert_array_equal(tape.gradient(y, X), expected)
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.split cannot cut axis 1 of size 3 into 2 equal parts. Give a number of "
            "parts that divides 3, or the indices where to cut, e.g. [1].")):
        ops.split(X, 2, axis=1)


# ------------------------------------------------------------------ copies
def test_tile_and_repeat():
    a = np.arange(6.0).reshape(2, 3)
    for reps in [2, (2, 1), (1, 3), (2, 1, 2)]:
        np.testing.assert_array_equal(ops.tile(a, reps), np.tile(a, reps))
        check_op(ops.tile, a + 0.5, repeats=reps)
    np.testing.assert_array_equal(ops.repeat(a, 2), np.repeat(a, 2))
    np.testing.assert_array_equal(ops.repeat(a, [1, 0, 3], axis=1), np.repeat(a, [1, 0, 3], 1))
    check_op(ops.repeat, a, repeats=2, axis=0)
    check_op(ops.repeat, a, repeats=[2, 0, 1], axis=-1)
    check_op(ops.repeat, a, repeats=3)
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.repeat: repeats must be one int ≥ 0 or one per entry along the axis "
            "(3 of them), not [1, 2].")):
        ops.repeat(a, [1, 2], axis=1)


# ------------------------------------------------------------------ indexing
def test_take_values_and_repeated_indices_add_up():
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(ops.take(a, [0, 0, 2], axis=0), np.take(a, [0, 0, 2], 0))
    np.testing.assert_array_equal(ops.take(a, [[1, -1]], axis=1), np.take(a, [[1, -1]], 1))
    np.testing.assert_array_equal(ops.take(a, [5, 11]), [5.0, 11.0])
    check_op(ops.take, a, np.array([0, 0, 2, 0]), axis=0)
    check_op(ops.take, a, np.array([[1, 3], [3, -1]]), axis=1)
    check_op(ops.take, a, np.array([5, 5, 0]))
    with kteach.GradientTape() as tape:
        tape.watch(a)
        y = ops.sum(ops.take(a, [1, 1, 1], axis=0))
    np.testing.assert_array_equal(tape.gradient(y, a), [[0] * 4, [3] * 4, [0] * 4])


def test_take_errors():
    with pytest.raises(OutOfRangeError, match=re.escape(
            "kteach.ops.take: index 3 is out of range for axis 0 of size 3 (valid: -3 to 2).")):
        ops.take(np.ones((3, 2)), [0, 3], axis=0)
    with pytest.raises(IndexError):             # what Keras code catches still works
        ops.take(np.ones(4), [9])
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.take: indices must be integers, not float32. Cast them first: "
            "kteach.ops.cast(indices, 'int32').")):
        ops.take(np.ones(4), [1.0])


def test_take_along_axis():
    a = rng.normal(size=(3, 4))
    idx = np.argsort(a, axis=1)[:, :2]
    np.testing.assert_array_equal(ops.take_along_axis(a, idx, axis=1),
                                  np.take_along_axis(a, idx, 1))
    np.testing.assert_array_equal(ops.take_along_axis(a, np.array([0, 5, 5])), a.ravel()[[0, 5, 5]])
    check_op(ops.take_along_axis, a, np.array([[0, 0], [1, 3], [2, 2]]), axis=1)
    check_op(ops.take_along_axis, a, np.array([[2, 0, 1, 1]]), axis=0)   # broadcast rows
    check_op(ops.take_along_axis, a[:1], np.array([[0], [3], [3]]), axis=1)  # broadcast x
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.take_along_axis: indices (2,) must have the rank of x (3, 4); add "
            "size-1 axes with expand_dims.")):
        ops.take_along_axis(a, np.array([0, 1]), axis=1)


def test_one_hot():
    y = ops.one_hot(np.array([0, 2, 1]), 3)
    np.testing.assert_array_equal(y, np.eye(3)[[0, 2, 1]])
    assert y.dtype == np.float32
    assert ops.one_hot([1], 2, dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(ops.one_hot([-1, 5], 3), np.zeros((2, 3)))   # out of range
    np.testing.assert_array_equal(ops.one_hot([[0, 1]], 2, axis=0),
                                  np.moveaxis(np.eye(2)[[[0, 1]]], -1, 0))
    assert ops.one_hot(np.zeros((2, 3), "int32"), 4, axis=1).shape == (2, 4, 3)
    np.testing.assert_array_equal(ops.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])
    with pytest.raises(OpError, match="kteach.ops.one_hot needs whole-number class indices"):
        ops.one_hot([0.5], 2)
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.one_hot: num_classes must be a positive int, not 0.")):
        ops.one_hot([0], 0)


# ------------------------------------------------------------------ sorting
def test_sort_and_its_gradient():
    a = rng.normal(size=(3, 4))
    for axis in (-1, 0, None):
        np.testing.assert_array_equal(ops.sort(a, axis=axis), np.sort(a, axis=axis))
        check_op(ops.sort, a, axis=axis)


def test_top_k_values_indices_ties_and_gradient():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, 5.0, 4.0]])
    values, indices = ops.top_k(x, 2)
    np.testing.assert_array_equal(values, [[3.0, 3.0], [5.0, 4.0]])
    np.testing.assert_array_equal(indices, [[1, 2], [2, 3]])   # a tie: lower index first
    assert indices.dtype == np.int32
    check_op(ops.top_k, rng.normal(size=(2, 3, 5)), k=3, wrt=[0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        values, indices = ops.top_k(x, 1)
        y = ops.sum(values)
    np.testing.assert_array_equal(tape.gradient(y, x), [[0, 1, 0, 0], [0, 0, 1, 0]])
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.top_k: k=5 must be an int from 0 to 4, the size of the last axis of x "
            "(2, 4).")):
        ops.top_k(x, 5)


# ------------------------------------------------------------------ methods and np.* under a tape
def test_method_and_numpy_forms_give_the_same_gradients_as_the_ops():
    a = rng.normal(size=(3, 4))
    b = rng.normal(size=(3, 4))

    def run(use_methods):
        with kteach.GradientTape() as tape:
            tape.watch([a, b])
            ta, tb = ops.convert_to_tensor(a), ops.convert_to_tensor(b)
            if use_methods:
                parts = [ta[:, 1:].reshape(-1), np.concatenate([ta, tb]).flatten(),
                         np.stack([ta, tb], axis=1).ravel(), np.expand_dims(tb, 0).squeeze(),
                         np.tile(ta, (1, 2)), np.repeat(tb, 2, axis=0),
                         np.take(ta, [0, 0, 2], axis=0), np.sort(tb, axis=0),
                         np.split(ta, 2, axis=1)[1], np.reshape(tb, (2, 6))]
            else:
                parts = [ops.reshape(ops.getitem(a, (slice(None), slice(1, None))), -1),
                         ops.ravel(ops.concatenate([a, b])), ops.ravel(ops.stack([a, b], 1)),
                         ops.squeeze(ops.expand_dims(b, 0)), ops.tile(a, (1, 2)),
                         ops.repeat(b, 2, axis=0), ops.take(a, [0, 0, 2], axis=0),
                         ops.sort(b, axis=0), ops.split(a, 2, axis=1)[1], ops.reshape(b, (2, 6))]
            total = ops.sum(ops.stack([ops.sum(p * p) for p in parts]))
        return tape.gradient(total, [a, b])

    for method_grad, op_grad in zip(run(True), run(False)):
        np.testing.assert_allclose(method_grad, op_grad, rtol=1e-12)


def test_numpy_only_arguments_compute_with_numpy_and_warn():
    a = np.arange(6.0).reshape(2, 3)
    with kteach.GradientTape() as tape:
        tape.watch(a)
        t = ops.convert_to_tensor(a)
        with pytest.warns(UserWarning, match="is not recorded on the tape"):
            f = t.flatten(order="F")
    np.testing.assert_array_equal(f, a.flatten(order="F"))
    assert not isinstance(f, Tensor)


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
                  elements=st.floats(-10, 10)), st.data())
def test_reshape_round_trip_gives_back_x_and_a_gradient_of_ones(x, data):
    shape = data.draw(st.permutations(x.shape))
    with kteach.GradientTape() as tape:
        tape.watch(x)
        back = ops.reshape(ops.reshape(x, tuple(shape)), x.shape)
        y = ops.sum(back)
    np.testing.assert_array_equal(back, x)
    np.testing.assert_array_equal(tape.gradient(y, x), np.ones_like(x))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-10, 10)), st.data())
def test_split_then_concatenate_is_the_identity(x, data):
    axis = data.draw(st.integers(0, x.ndim - 1))
    cuts = sorted(data.draw(st.lists(st.integers(0, x.shape[axis]), max_size=3)))
    np.testing.assert_array_equal(ops.concatenate(ops.split(x, cuts, axis=axis), axis=axis), x)
