"""kteach.ops creation: cast, convert_to_tensor, convert_to_numpy, zeros, ones, arange, ..."""
import re

import numpy as np
import pytest

import kteach
from kteach import ops
from kteach.engine.arrays import Tensor
from kteach.engine.variable import Variable
from kteach.ops import OpError

from gradcheck import check_op


# ------------------------------------------------------------------ default dtypes (Keras 3)
@pytest.mark.parametrize("make, dtype", [
    (lambda: ops.zeros((2, 3)), "float32"),
    (lambda: ops.ones(4), "float32"),
    (lambda: ops.full((2,), 7), "float32"),
    (lambda: ops.eye(3), "float32"),
    (lambda: ops.identity(2), "float32"),
    (lambda: ops.linspace(0, 1, 5), "float32"),
    (lambda: ops.arange(3), "int32"),
    (lambda: ops.arange(1, 7, 2), "int32"),
    (lambda: ops.arange(3.0), "float32"),
    (lambda: ops.arange(0, 1, 0.25), "float32"),
    (lambda: ops.zeros((2,), dtype="int32"), "int32"),
    (lambda: ops.ones((2,), dtype=np.float64), "float64"),
    (lambda: ops.full((2,), 1, dtype=int), "int32"),
])
def test_default_dtypes_are_keras(make, dtype):
    assert make().dtype == np.dtype(dtype)


def test_values():
    np.testing.assert_array_equal(ops.arange(5), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(ops.arange(2, 8, 3), [2, 5])
    np.testing.assert_allclose(ops.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(ops.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1])
    samples, step = ops.linspace(0, 1, 4, endpoint=False, retstep=True)
    np.testing.assert_allclose(samples, [0, 0.25, 0.5, 0.75])
    assert step == 0.25
    np.testing.assert_array_equal(ops.eye(2, 3, k=1), [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(ops.identity(2), [[1, 0], [0, 1]])
    np.testing.assert_array_equal(ops.full((2, 2), 3.5), [[3.5, 3.5], [3.5, 3.5]])
    assert ops.zeros((2, 0)).shape == (2, 0) and ops.ones(()).shape == ()
    # a Python float keeps its digits when the result is float64
    assert ops.full((1,), 0.1, dtype="float64")[0] == 0.1


def test_like_functions_keep_the_dtype_and_shape():
    x = np.arange(6, dtype="int16").reshape(2, 3)
    for made, value in [(ops.zeros_like(x), 0), (ops.ones_like(x), 1), (ops.full_like(x, 4), 4)]:
        assert made.shape == (2, 3) and made.dtype == np.int16 and np.all(made == value)
    assert ops.zeros_like(x, dtype="float32").dtype == np.float32
    assert ops.ones_like([1.0, 2.0]).dtype == np.float32


# ------------------------------------------------------------------ cast
def test_cast_values_and_dtypes():
    x = np.array([1.7, -1.7, 0.2], "float32")
    np.testing.assert_array_equal(ops.cast(x, "int32"), [1, -1, 0])
    assert ops.cast(x, "int32").dtype == np.int32
    assert ops.cast(x, "float64").dtype == np.float64
    assert ops.cast(x, np.float16).dtype == np.float16
    assert ops.cast(x, float).dtype == np.float32   # Python float means float32, as Keras
    assert ops.cast([0.1], "float64")[0] == 0.1     # no detour through float32
    np.testing.assert_array_equal(ops.cast(x, "bool"), [True, True, True])


def test_cast_gradient_between_floats():
    check_op(ops.cast, np.array([[0.5, -2.0], [3.0, 1.5]]), dtype="float64")
    x = np.array([1.0, 2.0], "float64")
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(ops.cast(x, "float32") * 3.0)
    g = tape.gradient(y, x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [3.0, 3.0])


def test_cast_to_int_has_no_gradient():
    x = np.array([1.5, 2.5])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "int32")
    assert not isinstance(y, Tensor) and len(tape.entries) == 0
    with pytest.warns(UserWarning, match="gradient\\(\\) returns None"):
        assert tape.gradient(ops.sum(ops.cast(y, "float32")), x) is None


def test_astype_method_is_cast_with_numpys_names():
    x = np.array([1.0, 2.0], "float32")
    with kteach.GradientTape() as tape:
        tape.watch(x)
        t = ops.convert_to_tensor(x)
        y = t.astype("float64")
        assert y.dtype == np.float64 and isinstance(y, Tensor)
        assert t.astype("float").dtype == np.float64   # NumPy's meaning of 'float'
        total = ops.sum(y * y)
    np.testing.assert_allclose(tape.gradient(total, x), [2.0, 4.0])


def test_a_misspelt_dtype_is_refused_with_a_suggestion():
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.cast: unknown dtype 'flaot32'. Did you mean 'float32'? Known dtypes: "
            "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32, "
            "float64.")):
        ops.cast(np.ones(2), "flaot32")
    with pytest.raises(OpError, match="kteach.ops.zeros: unknown dtype 'complex128'"):
        ops.zeros(2, dtype="complex128")


# ------------------------------------------------------------------ convert_to_tensor / numpy
def test_convert_to_tensor_follows_keras_rules():
    assert ops.convert_to_tensor(1.5).dtype == np.float32
    assert ops.convert_to_tensor(3).dtype == np.int32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor([[1.0, 2.0]]).dtype == np.float32
    assert ops.convert_to_tensor(True).dtype == np.bool_
    x = np.zeros(3, "float64")
    assert ops.convert_to_tensor(x) is x                         # an array stays itself
    assert ops.convert_to_tensor(x, dtype="float32").dtype == np.float32
    assert ops.convert_to_tensor([0.1], dtype="float64")[0] == 0.1
    assert ops.convert_to_tensor(np.float64(2.0)).dtype == np.float64


def test_convert_to_tensor_under_a_tape():
    x = np.array([1.0, 2.0])
    unwatched = np.array([3.0, 4.0])
    w = Variable(np.array([0.5, 0.5]), name="w", path="w")
    with kteach.GradientTape() as tape:
        assert ops.convert_to_tensor(unwatched) is unwatched     # Keras does not watch
        tape.watch(x)
        t = ops.convert_to_tensor(x)                             # a Tensor: methods record
        assert isinstance(t, Tensor) and ops.convert_to_tensor(t) is t
        v = ops.convert_to_tensor(w)                             # reading a Variable
        y = (t.T * v).sum()
    gx, gw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(gx, [0.5, 0.5])
    np.testing.assert_allclose(gw, [1.0, 2.0])
    assert not tape.follows(unwatched)


def test_convert_to_numpy_is_a_plain_copy():
    x = np.array([1.0, 2.0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        t = ops.multiply(x, 2.0)
        n = ops.convert_to_numpy(t)
    assert type(n) is np.ndarray and not isinstance(n, Tensor)
    n[0] = 99
    assert t[0] == 2.0
    assert ops.convert_to_numpy([1.0, 2.0]).dtype == np.float64   # np.array's own rule
    w = Variable(np.ones(2, "float32"), name="w", path="w")
    c = ops.convert_to_numpy(w)
    c[0] = 5
    assert w.value[0] == 1


def test_bad_inputs_are_explained():
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.convert_to_tensor needs numbers for `x`, but got str 'abc'.")):
        ops.convert_to_tensor("abc")
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.zeros: shape must be made of sizes ≥ 0 (ints), but (2, -1) contains "
            "-1.")):
        ops.zeros((2, -1))
    with pytest.raises(OpError, match=re.escape(
            "kteach.ops.ones: shape must be an int or a tuple of ints, not 2.5.")):
        ops.ones(2.5)
    with pytest.raises(OpError, match="kteach.ops.arange: step must not be 0"):
        ops.arange(0, 5, 0)
    with pytest.raises(OpError, match="kteach.ops.full needs numbers for `fill_value`"):
        ops.full((2,), "x")
    with pytest.raises(OpError, match="leave sparse and ragged as None"):
        ops.convert_to_tensor([1.0], sparse=True)


def test_numpy_like_functions_on_a_recorded_tensor_are_constants():
    x = np.array([1.0, 2.0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        t = ops.multiply(x, 1.0)
        z = np.zeros_like(t)
        o = np.ones_like(t, dtype="int32")
        f = np.full_like(t, 3.0)
    assert type(z) is np.ndarray and z.dtype == np.float64
    assert o.dtype == np.int32 and np.all(f == 3.0)
