"""kteach.ops comparisons and logic: bool results, nothing recorded, no warnings under a tape."""
import warnings

import numpy as np
import pytest

import kteach
from kteach import ops
from kteach.engine import errors
from kteach.engine.arrays import Tensor
from kteach.engine.errors import KteachWarning, ShapeError
from kteach.ops import OpError

A = np.array([1.0, 2.0, 3.0], dtype="float32")
B = np.array([3.0, 2.0, 1.0], dtype="float32")

COMPARISONS = [
    (ops.equal, [False, True, False]), (ops.not_equal, [True, False, True]),
    (ops.greater, [False, False, True]), (ops.greater_equal, [False, True, True]),
    (ops.less, [True, False, False]), (ops.less_equal, [True, True, False]),
]


@pytest.mark.parametrize("op, expected", COMPARISONS, ids=lambda v: getattr(v, "__name__", ""))
def test_comparisons(op, expected):
    y = op(A, B)
    assert type(y) is np.ndarray and y.dtype == bool
    np.testing.assert_array_equal(y, expected)


def test_comparisons_broadcast_and_python_numbers_are_weak():
    y = ops.greater(np.array([[0.0], [2.0]]), np.array([1.0, -1.0, 3.0]))
    np.testing.assert_array_equal(y, [[False, True, False], [True, True, False]])
    # 0.1 becomes float32 0.1 to meet a float32 array, so it is equal to itself
    assert ops.equal(np.array([0.1], dtype="float32"), 0.1)[0]
    assert ops.less(np.array([1, 2], dtype="int32"), 2).tolist() == [True, False]


def test_logical_ops_treat_nonzero_as_true():
    p, q = np.array([0.0, 0.0, 2.0, -1.0]), np.array([0, 3, 0, 1])
    np.testing.assert_array_equal(ops.logical_and(p, q), [False, False, False, True])
    np.testing.assert_array_equal(ops.logical_or(p, q), [False, True, True, True])
    np.testing.assert_array_equal(ops.logical_xor(p, q), [False, True, True, False])
    np.testing.assert_array_equal(ops.logical_not(p), [True, True, False, False])
    assert ops.logical_and(p, q).dtype == bool


def test_nan_and_inf_tests():
    x = np.array([1.0, np.nan, np.inf, -np.inf], dtype="float32")
    np.testing.assert_array_equal(ops.isnan(x), [False, True, False, False])
    np.testing.assert_array_equal(ops.isinf(x), [False, False, True, True])
    np.testing.assert_array_equal(ops.isfinite(x), [True, False, False, False])
    i = np.array([1, 2], dtype="int32")
    assert not ops.isnan(i).any() and not ops.isinf(i).any() and ops.isfinite(i).all()
    assert ops.isnan(i).dtype == bool


def test_nothing_is_recorded_under_a_tape():
    x = np.array([-1.0, 0.5, 2.0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        for y in [ops.greater(x, 0), ops.isnan(x), ops.logical_not(x), ops.equal(x, x)]:
            assert type(y) is np.ndarray and y.dtype == bool
    assert tape.entries == []


def test_operators_on_a_recorded_tensor_give_plain_bool_arrays_without_warning(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())   # as if no warning had been shown yet
    x = np.array([-1.0, 0.5, 2.0]).view(Tensor)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            results = [x > 0, x >= 0.5, x < 0, x <= 0.5, x == 2.0, x != 2.0,
                       np.isnan(x), np.isfinite(x), np.isinf(x),
                       np.logical_and(x > 0, x < 1), np.signbit(x), np.isclose(x, 0.5)]
        total = ops.sum(ops.where(x > 0, x, 0.0))
    for y in results:
        assert type(y) is np.ndarray and y.dtype == bool
    np.testing.assert_array_equal(results[0], [False, True, True])
    assert [e.name for e in tape.entries] == ["where", "sum"]
    np.testing.assert_array_equal(tape.gradient(total, x), [0, 1, 1])


def test_an_unrecorded_numpy_call_with_a_float_result_still_warns(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())
    x = np.array([-1.5, 0.5]).view(Tensor)
    with kteach.GradientTape() as tape:
        tape.watch(x)
        with pytest.warns(KteachWarning, match="np.floor is not recorded on the tape"):
            np.floor(x)


def test_errors_name_the_op():
    with pytest.raises(OpError) as info:
        ops.greater("1", 0)
    assert str(info.value) == ("kteach.ops.greater needs numbers for `x1`, but got str '1'. "
                               "Pass a NumPy array, a number or a list of numbers.")
    with pytest.raises(OpError, match="kteach.ops.isnan needs numbers for `x`"):
        ops.isnan(None)
    with pytest.raises(ShapeError) as info:
        ops.equal(np.ones((2, 3)), np.ones(2))
    assert str(info.value) == (
        "kteach.ops.equal cannot broadcast shapes (2, 3) and (2,): from the right, each pair "
        "of sizes must be equal or one of them 1. Reshape or transpose one operand.")
