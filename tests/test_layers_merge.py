"""Merge layers Subtract, Multiply, Average, Maximum, Minimum and Dot (and their function
forms): numbers from Keras 3.15.1, float64 gradient checks for each (with broadcasting and
every kind of Dot axes), output shapes by Keras' rules, and the messages for mistakes.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_conv_reference.py and stored in tests/fixtures/conv_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach.engine.errors import ShapeError
from kteach.layers import Input, merge
from gradcheck import check_layer

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "conv_reference.json").read_text())["cases"]
CLASSES = {name: getattr(merge, name) for name in
           ("Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot")}
MERGE_CASES = [c for c in REFERENCE if c.get("cls") in CLASSES]


def float64_inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in shapes]


# ----- numbers from Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("case", MERGE_CASES, ids=[c["name"] for c in MERGE_CASES])
def test_forward_matches_keras(case):
    layer = CLASSES[case["cls"]](**case["config"])
    xs = [np.array(x, dtype="float32") for x in case["inputs"]]
    np.testing.assert_allclose(layer(xs), case["output"], rtol=1e-5, atol=1e-6)


# ----- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [merge.Multiply, merge.Average, merge.Maximum, merge.Minimum,
                                 merge.Subtract, merge.Add])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(3, 4), (3, 1)], [(2, 1, 3), (2, 4, 3)],
                                    [(2, 3), (2, 3), (2, 3)]], ids=["same", "bcast", "bcast3d", "three"])
def test_elementwise_gradients_float64(cls, shapes):
    if cls is merge.Subtract and len(shapes) != 2:
        return  # Subtract takes exactly two inputs (tested below)
    check_layer(cls(dtype="float64"), float64_inputs(*shapes))


@pytest.mark.parametrize("axes,shapes", [(1, [(3, 4), (3, 4)]), ((1, 2), [(2, 3, 5), (2, 4, 3)]),
                                         (-1, [(2, 3, 4), (2, 5, 4)]), ((2, 1), [(2, 3, 4), (2, 4)]),
                                         ((1, 1), [(2, 4), (2, 4, 3)]),
                                         ((3, 1), [(2, 3, 2, 4), (2, 4, 5, 2)])],
                         ids=["2d", "axes12", "last", "3d_2d", "2d_3d", "4d"])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot_gradients_float64(axes, shapes, normalize):
    check_layer(merge.Dot(axes, normalize=normalize, dtype="float64"), float64_inputs(*shapes, seed=1))


# ----- by hand ----------------------------------------------------------------------------------
def test_elementwise_values_by_hand():
    a, b = np.array([[1.0, -2.0, 3.0]]), np.array([[4.0, 5.0, -6.0]])
    np.testing.assert_array_equal(merge.Subtract()([a, b]), [[-3, -7, 9]])
    np.testing.assert_array_equal(merge.Multiply()([a, b]), [[4, -10, -18]])
    np.testing.assert_array_equal(merge.Average()([a, b]), [[2.5, 1.5, -1.5]])
    np.testing.assert_array_equal(merge.Maximum()([a, b]), [[4, 5, 3]])
    np.testing.assert_array_equal(merge.Minimum()([a, b]), [[1, -2, -6]])


def test_multiply_gradient_is_right_where_an_input_is_zero():
    layer = merge.Multiply()
    xs = [np.array([[0.0, 2.0]]), np.array([[3.0, 0.0]]), np.array([[5.0, 7.0]])]
    y, cache = layer.forward(xs)
    dxs, _ = layer.backward(cache, np.ones((1, 2)))
    np.testing.assert_array_equal(dxs[0], [[15, 0]])   # 3·5 and 0·7
    np.testing.assert_array_equal(dxs[1], [[0, 14]])   # 0·5 and 2·7
    np.testing.assert_array_equal(dxs[2], [[0, 0]])


def test_maximum_sends_the_gradient_to_the_first_input_on_ties():
    layer = merge.Maximum()
    xs = [np.array([[1.0, 5.0, 2.0]]), np.array([[1.0, 3.0, 4.0]])]
    _, cache = layer.forward(xs)
    dxs, _ = layer.backward(cache, np.array([[10.0, 20.0, 30.0]]))
    np.testing.assert_array_equal(dxs[0], [[10, 20, 0]])
    np.testing.assert_array_equal(dxs[1], [[0, 0, 30]])


def test_dot_by_hand_and_cosine_with_normalize():
    a, b = np.array([[1.0, 2.0, 2.0]]), np.array([[2.0, 0.0, 1.0]])
    np.testing.assert_array_equal(merge.Dot(axes=1)([a, b]), [[4.0]])
    # ‖a‖ = 3, ‖b‖ = √5: cosine = 4 / (3√5)
    np.testing.assert_allclose(merge.Dot(axes=1, normalize=True)([a, b]), [[4 / (3 * np.sqrt(5))]])
    # (2, 3, 4)·(2, 5, 4) along the last axes: per sample x1 · x2ᵀ
    x1, x2 = float64_inputs((2, 3, 4), (2, 5, 4))
    np.testing.assert_allclose(merge.Dot(axes=-1)([x1, x2]), np.einsum("bik,bjk->bij", x1, x2))
    # axes=(1, 2): axis 1 of x1ᵀ (2, 4, 3) against axis 2 of x2 (2, 5, 4) → (2, 3, 5)
    x1t = x1.transpose(0, 2, 1)
    np.testing.assert_allclose(merge.Dot(axes=(1, 2))([x1t, x2]), np.einsum("bki,bjk->bij", x1t, x2))


# ----- shapes and function forms -------------------------------------------------------------------
def test_dot_output_shapes_follow_keras():
    cases = [(1, [(None, 4), (None, 4)], (None, 1)),
             ((1, 2), [(None, 3, 5), (None, 4, 3)], (None, 5, 4)),
             (-1, [(None, 3, 4), (None, 5, 4)], (None, 3, 5)),
             ((2, 1), [(None, 3, 4), (None, 4)], (None, 3)),
             ((1, 1), [(None, 4), (None, 4, 3)], (None, 3))]
    for axes, shapes, expected in cases:
        assert merge.Dot(axes).compute_output_shape(shapes) == expected


def test_function_forms_build_the_layers_on_symbolic_tensors():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    for function, cls in [(merge.subtract, merge.Subtract), (merge.multiply, merge.Multiply),
                          (merge.average, merge.Average), (merge.maximum, merge.Maximum),
                          (merge.minimum, merge.Minimum)]:
        out = function([a, b])
        assert out.shape == (None, 4)
        assert type(out.node.layer) is cls
    out = merge.dot([a, b], axes=1, normalize=True, name="cosine")
    assert out.shape == (None, 1)
    assert (out.node.layer.name, out.node.layer.normalize) == ("cosine", True)
    model = kteach.Model([a, b], out)
    x = np.array([[1.0, 0.0, 0.0, 0.0]], dtype="float32")
    np.testing.assert_allclose(model.predict([x, 2 * x], verbose=0), [[1.0]], rtol=1e-6)
    assert merge.dot([Input(shape=(3, 4)), Input(shape=(5, 4))]).shape == (None, 3, 5)  # axes=-1


def test_formulas():
    assert merge.Multiply().formula([(None, 4), (None, 4)], (None, 4)) == (
        "y = x1 ⊙ x2 ⊙ ... : (None, 4) ⊙ (None, 4) → (None, 4)")
    assert merge.Dot(axes=1, normalize=True).formula([(None, 4), (None, 4)], (None, 1)) == (
        "y = cosine of x1 and x2 along axes 1 : (None, 4), (None, 4) → (None, 1)")


# ----- mistakes ------------------------------------------------------------------------------------
def test_subtract_takes_exactly_two_inputs():
    a = Input(shape=(3,))
    with pytest.raises(ValueError, match=r"A `Subtract` layer should be called on exactly 2 inputs"):
        merge.subtract([a, a, a])


def test_incompatible_shapes_say_what_the_layer_does():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ShapeError, match=r"Inputs have incompatible shapes\. Received shapes \(3,\) "
                                         r"and \(4,\)\. Multiply multiplies values position by "
                                         r"position"):
        merge.multiply([a, b])
    with pytest.raises(ShapeError, match=r"Received shapes \(3,\) and \(4,\)\. Add sums values "
                                         r"position by position, so all inputs need the same shape"):
        merge.add([a, b])  # unchanged by the refactoring into _Elementwise
    with pytest.raises(ValueError, match=r"should be called on a list of at least 2 inputs"):
        merge.Maximum()([a])


def test_dot_mistakes():
    with pytest.raises(ShapeError, match=r"Incompatible input shapes: axis values 3 \(at axis 1\) != "
                                         r"4 \(at axis 1\)"):
        merge.dot([Input(shape=(3,)), Input(shape=(4,))], axes=1)
    with pytest.raises(ValueError, match=r"Cannot perform batch_dot over axis 0"):
        merge.Dot(axes=0).compute_output_shape([(None, 3), (None, 3)])
    with pytest.raises(ValueError, match=r"Invalid format for argument `axes`"):
        merge.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match=r"A `Dot` layer should be called on a list of 2 inputs"):
        merge.Dot(axes=1)([Input(shape=(3,))] * 3)
    with pytest.raises(TypeError, match=r"Did you mean 'normalize'"):
        merge.dot([Input(shape=(3,))] * 2, normalise=True)
