"""kteach.ops against the values and dtypes of real Keras 3 ops.

Every case of tests/fixtures/ops_cases.py (an op name, its arguments, its keyword arguments)
runs on ``kteach.ops``; the result must have the dtype, the shape and the values that
``keras.ops`` gave for the same call, stored in tests/fixtures/ops_reference.json by
tests/fixtures/make_ops_reference.py (Keras 3.15.1, JAX backend, CPU; its docstring lists
the dtype rules the cases pin). Ops that return several arrays (``split``, ``moments``,
``top_k``, one-argument ``where``) must return a sequence of the same length.

Keras computed with XLA's float32 kernels and kteach computes with NumPy's, so floats agree
to float32 round-off (rtol 1e-6, atol 1e-6; float16 to 1e-3), not bit for bit; integers and
bools agree exactly.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from fixtures.ops_cases import CASES, ERROR_CASES

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "ops_reference.json").read_text())
TOLERANCE = {"float16": (1e-3, 1e-3), "float32": (1e-6, 1e-6), "float64": (1e-6, 1e-6)}


def run_on_kteach(case):
    op = getattr(kteach.ops, case.op)
    return op(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def test_every_case_has_a_reference():
    assert REFERENCE["keras_version"].startswith("3.")
    assert set(REFERENCE["cases"]) == {c.id for c in CASES}
    assert set(REFERENCE["error_cases"]) == {c.id for c in ERROR_CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_op_matches_keras(case):
    want = REFERENCE["cases"][case.id]
    result = run_on_kteach(case)
    if want["structure"] == "array":
        assert not isinstance(result, (list, tuple)), \
            f"keras.ops.{case.op} returns one array, kteach a {type(result).__name__}"
        outputs = [result]
    else:
        assert isinstance(result, (list, tuple)), \
            f"keras.ops.{case.op} returns a {want['structure']}, kteach {type(result).__name__}"
        outputs = list(result)
        assert len(outputs) == len(want["outputs"]), "number of outputs"
    for i, (got, ref) in enumerate(zip(outputs, want["outputs"])):
        got = np.asarray(got)
        where = f"{case.id} output {i}"
        assert got.dtype.name == ref["dtype"], \
            f"{where}: dtype {got.dtype.name}, Keras gives {ref['dtype']}"
        assert list(got.shape) == ref["shape"], \
            f"{where}: shape {got.shape}, Keras gives {tuple(ref['shape'])}"
        expected = np.asarray(ref["value"], dtype=ref["dtype"]).reshape(ref["shape"])
        if got.dtype.kind == "f":
            rtol, atol = TOLERANCE[got.dtype.name]
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=where)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=where)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.id for c in ERROR_CASES])
def test_op_refuses_what_keras_refuses(case):
    with pytest.raises((ValueError, TypeError)):
        run_on_kteach(case)
