"""Ops on symbolic tensors (from Input): the shape and dtype Keras 3 gives them
(tests/fixtures/symbolic_ops.json, made by make_symbolic_ops.py), and the comparison operators."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import ops
from kteach.engine.variable import Variable

REF = json.loads((Path(__file__).parent / "fixtures" / "symbolic_ops.json").read_text())["cases"]

# the same calls as the fixture script's, with kteach.ops for keras.ops
CALLS = {
    "greater": lambda x: ops.greater(x, 0.0),
    "operator_gt": lambda x: x > 0,
    "operator_le_two_inputs": lambda x, y: x <= y,
    "operator_lt_number_first": lambda x: 0.5 < x,
    "equal": lambda x: ops.equal(x, 1.0),
    "isnan": lambda x: ops.isnan(x),
    "logical_and": lambda x, y: ops.logical_and(x > 0, y > 0),
    "argmax_steps": lambda x: ops.argmax(x, axis=-1),
    "sum_over_steps": lambda x: ops.sum(x, axis=1),
    "mean_all": lambda x: ops.mean(x),
    "add_steps": lambda x: x * 2.0 + 1.0,
    "transpose_steps": lambda x: ops.transpose(x, (0, 2, 1)),
}


@pytest.mark.parametrize("name", sorted(REF))
def test_a_symbolic_op_has_the_shape_and_dtype_keras_gives_it(name):
    case = REF[name]
    y = CALLS[name](*[kteach.Input(tuple(s)) for s in case["inputs"]])
    assert (list(y.shape), y.dtype) == (case["shape"], case["dtype"])


def test_the_symbolic_dtype_is_the_one_the_model_computes():
    x = kteach.Input((None, 3))
    model = kteach.Model(x, [x > 0.5, ops.argmax(x, axis=-1), ops.sum(x, axis=1)])
    data = np.array([[[0.1, 0.9, 0.6], [0.7, 0.2, 0.3]]], "float32")
    above, best, total = model.predict(data, verbose=0)
    for out, tensor in zip((above, best, total), model.outputs):
        assert out.dtype.name == tensor.dtype
    np.testing.assert_array_equal(above, [[[False, True, True], [True, False, False]]])
    np.testing.assert_array_equal(best, [[1, 0]])
    np.testing.assert_allclose(total, [[0.8, 1.1, 0.9]], rtol=1e-6)
    assert [t.shape for t in model.outputs] == [(None, None, 3), (None, None), (None, 3)]


def test_comparisons_keep_identity_equality_and_work_on_variables():
    a, b = kteach.Input((2,)), kteach.Input((2,))
    assert a == a and a != b and len({a, b}) == 2      # still usable in sets and as keys
    v = Variable(np.array([-1.0, 0.5, 2.0], "float32"), name="w")
    np.testing.assert_array_equal(v > 0, [False, True, True])
    np.testing.assert_array_equal(v <= 0.5, [True, True, False])
