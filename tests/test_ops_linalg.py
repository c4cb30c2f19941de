"""kteach.ops linear algebra: matmul, dot, tensordot, einsum, transpose."""
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
from kteach.engine.variable import Variable
from kteach.ops import OpError

from gradcheck import check_op

rng = np.random.default_rng(0)


def normal(*shape):
    return rng.normal(size=shape)


# ------------------------------------------------------------------ matmul and dot
@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)),
                                    ((4,), (4,)), ((5, 3, 4), (4, 2)), ((2, 1, 3, 4), (5, 4, 2))])
def test_batched_matmul_gradients(sa, sb):
    a, b = normal(*sa), normal(*sb)
    y = check_op(ops.matmul, a, b)
    np.testing.assert_allclose(y, a @ b, rtol=1e-12)


def test_matmul_keeps_float32_with_ints():
    assert ops.matmul(np.ones((2, 2), "int32"), np.ones((2, 2), "float32")).dtype == np.float32
    assert ops.matmul([[1, 2]], [[3], [4]]).dtype == np.int32


@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 2)), ((4,), (4,)), ((2, 3, 4), (4,)),
                                    ((2, 3, 4), (5, 4, 2)), ((4,), (3, 4, 2)), ((), (2, 3)),
                                    ((2, 3), ())])
def test_dot_equals_numpy_and_passes_the_gradient_check(sa, sb):
    a, b = normal(*sa), normal(*sb)
    y = check_op(ops.dot, a, b)
    np.testing.assert_allclose(y, np.dot(a, b), rtol=1e-12)


def test_dot_error_names_both_shapes():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.dot: the last axis of x1 (2, 3) must match the second-to-last axis of "
            "x2 (2, 3) (3 ≠ 2). Transpose one of them, or swap them.")):
        ops.dot(np.ones((2, 3)), np.ones((2, 3)))


# ------------------------------------------------------------------ tensordot
@pytest.mark.parametrize("sa, sb, axes", [
    ((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((3, 4), (3, 4), 2), ((3,), (4,), 0),
    ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])), ((2, 3, 4), (5, 2), ([0], [1])),
    ((2, 3, 4), (4, 2), (2, 0)), ((3, 4, 2), (2, 3, 4), ((0, 2), (1, 0))),
])
def test_tensordot_equals_numpy_and_passes_the_gradient_check(sa, sb, axes):
    a, b = normal(*sa), normal(*sb)
    y = check_op(ops.tensordot, a, b, axes=axes)
    np.testing.assert_allclose(y, np.tensordot(a, b, axes=axes), rtol=1e-12)


def test_tensordot_errors():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.tensordot: axis 1 of x1 (2, 3) (size 3) cannot pair with axis 0 of x2 "
            "(2, 3) (size 2); paired axes need equal sizes.")):
        ops.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=1)
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.tensordot: axes must be an int or a pair (axes of x1, axes of x2), not "
            "'ij'.")):
        ops.tensordot(np.ones((2, 2)), np.ones((2, 2)), axes="ij")
    with pytest.raises(ShapeError, match="axes=3 pairs the last 3 axes of x1"):
        ops.tensordot(np.ones((2, 2)), np.ones((2, 2)), axes=3)


# ------------------------------------------------------------------ einsum
@pytest.mark.parametrize("spec, shapes", [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(5, 3, 4), (5, 4, 2)]),            # batched matmul
    ("ij,jk", [(3, 4), (4, 2)]),                          # implicit output: 'ik'
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->i", [(3, 4)]),                                  # j only in the operand: summed
    ("i,j->ij", [(3,), (4,)]),                            # outer product
    ("i,i->", [(4,), (4,)]),
    ("ii->", [(3, 3)]),                                   # trace
    ("ii->i", [(3, 3)]),                                  # diagonal
    ("bii->b", [(2, 3, 3)]),
    ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]),
    ("...ij,...jk->...ik", [(2, 5, 3, 4), (5, 4, 2)]),    # ellipsis that broadcasts
    ("ij,kj", [(3, 4), (2, 4)]),                          # implicit: 'ik'
    ("ba,a", [(2, 3), (3,)]),                             # implicit: 'b'
    ("bij,bj->bi", [(1, 3, 4), (5, 4)]),                  # size-1 axis broadcasts
])
def test_einsum_equals_numpy_and_passes_the_gradient_check(spec, shapes):
    arrays = [normal(*s) for s in shapes]
    y = check_op(lambda *xs: ops.einsum(spec, *xs), *arrays)
    np.testing.assert_allclose(y, np.einsum(spec, *arrays), rtol=1e-10)


def test_einsum_errors():
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.einsum: 'ij,jk->ik' names 2 operand(s) but 1 were given.")):
        ops.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.einsum: subscripts 'ijk->i' give an operand of shape (2, 2) the letters "
            "'ijk'; it needs one letter per axis (2).")):
        ops.einsum("ijk->i", np.ones((2, 2)))
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.einsum: letter 'j' of 'ij,jk->ik' stands for axes of sizes [3, 4]; one "
            "letter needs one size (operand shapes: (2, 3), (4, 5)).")):
        ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.einsum: the output 'iz' of 'ij->iz' must use letters of the inputs, "
            "each once.")):
        ops.einsum("ij->iz", np.ones((2, 3)))
    with pytest.raises(OpError, match="needs the subscripts string first"):
        ops.einsum(np.ones(2), "i")


def test_einsum_of_int_and_float_is_float32():
    y = ops.einsum("i,i->", np.array([1, 2], "int32"), np.array([0.5, 0.5], "float32"))
    assert y.dtype == np.float32 and y == 1.5


# ------------------------------------------------------------------ transpose
@pytest.mark.parametrize("axes", [None, (1, 0, 2), (2, 0, 1), (-1, 0, 1)])
def test_transpose(axes):
    x = normal(2, 3, 4)
    y = check_op(ops.transpose, x, axes=axes)
    np.testing.assert_array_equal(y, np.transpose(x, axes))


def test_transpose_errors():
    with pytest.raises(ShapeError, match=re.escape(
            "kteach.ops.transpose: axes (0, 0) is not an ordering of the 2 axes of shape "
            "(2, 3); give each of 0..1 once.")):
        ops.transpose(np.ones((2, 3)), (0, 0))
    with pytest.raises(ShapeError, match="is not an ordering of the 2 axes"):
        ops.transpose(np.ones((2, 3)), (0, 1, 2))


# ------------------------------------------------------------------ methods and np.* under a tape
def test_method_and_numpy_forms_give_the_same_gradients_as_the_ops():
    a, b = normal(3, 4), normal(4, 3)
    w = Variable(normal(3, 3), name="w", path="w")

    def run(use_methods):
        with kteach.GradientTape() as tape:
            tape.watch([a, b])
            ta, tb = ops.convert_to_tensor(a), ops.convert_to_tensor(b)
            if use_methods:
                parts = [ta.T, ta.transpose(), ta.transpose(1, 0), ta.transpose((1, 0)),
                         np.transpose(tb), ta.dot(tb), np.dot(ta, tb), ta @ tb,
                         np.tensordot(ta, tb, axes=1), np.einsum("ij,jk->ik", ta, tb),
                         np.matmul(ta, tb) @ w, np.einsum("ij,ji", ta, tb, optimize=True)]
            else:
                parts = [ops.transpose(a)] * 4 + [ops.transpose(b)] + [ops.matmul(a, b)] * 5 + [
                    ops.matmul(ops.matmul(a, b), w), ops.einsum("ij,ji", a, b)]
            for p in parts:
                assert isinstance(p, Tensor)
            total = ops.sum(ops.stack([ops.sum(p * p) for p in parts]))
        return tape.gradient(total, [a, b, w])

    for method_grad, op_grad in zip(run(True), run(False)):
        np.testing.assert_allclose(method_grad, op_grad, rtol=1e-12)


def test_numpy_only_arguments_compute_with_numpy_and_warn():
    a = normal(2, 2)
    with kteach.GradientTape() as tape:
        tape.watch(a)
        t = ops.convert_to_tensor(a)
        out = np.empty((2, 2))
        with pytest.warns(UserWarning, match=re.escape("np.dot(out=...) is not recorded")):
            np.dot(t, t, out=out)
    np.testing.assert_allclose(out, a @ a)


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
                  elements=st.floats(-10, 10)), st.data())
def test_transpose_round_trip_and_its_gradient(x, data):
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    r = rng.normal(size=np.transpose(x, axes).shape)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        t = ops.transpose(x, axes)
        back = ops.transpose(t, np.argsort(axes))
        y = ops.sum(ops.multiply(t, r))
    np.testing.assert_array_equal(back, x)
    np.testing.assert_array_equal(tape.gradient(y, x), np.transpose(r, np.argsort(axes)))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))
def test_einsum_tensordot_and_matmul_agree(n, k, m, batch):
    a, b = rng.normal(size=(batch, n, k)), rng.normal(size=(batch, k, m))
    np.testing.assert_allclose(ops.einsum("bnk,bkm->bnm", a, b), ops.matmul(a, b), rtol=1e-12)
    np.testing.assert_allclose(ops.tensordot(a[0], b[0], axes=1), ops.dot(a[0], b[0]),
                               rtol=1e-12)
