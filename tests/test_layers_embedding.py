"""Embedding: lookup, scatter-add gradient, numbers from Keras 3.15.1, and the id mistakes.

Reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_recurrent_reference.py and stored in tests/fixtures/recurrent_reference.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine import errors
from kteach.engine.errors import DataError, KteachWarning
from kteach.layers.embedding import Embedding, TokenIdError
from kteach.layers.recurrent import LSTM, NotSupportedError
from gradcheck import numeric_gradient

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "recurrent_reference.json").read_text())


def built(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


def test_forward_matches_keras():
    case = REFERENCE["layers"]["embedding"]
    layer = built(Embedding(7, 3), (4,))
    layer.set_weights([np.array(case["weights"][0], dtype="float32")])
    ids = np.array(case["x"], dtype="int32")
    np.testing.assert_allclose(layer(ids), np.array(case["outputs"][0]), rtol=1e-6)
    assert [w.path for w in layer.weights] == case["weight_paths"] == ["embedding/embeddings"]


def test_lookup_by_hand():
    layer = built(Embedding(3, 2), (2,))
    E = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    layer.set_weights([E])
    np.testing.assert_array_equal(layer(np.array([[2, 0], [1, 1]])),
                                  [[[4, 5], [0, 1]], [[2, 3], [2, 3]]])


def test_gradient_is_a_scatter_add_into_the_used_rows():
    layer = built(Embedding(5, 2, dtype="float64"), (3,))
    ids = np.array([[1, 3, 1], [0, 1, 3]])          # id 1 three times, id 3 twice, 2 and 4 never
    y, cache = layer.forward(ids)
    dy = np.arange(12, dtype="float64").reshape(2, 3, 2)
    dx, (dE,) = layer.backward(cache, dy)
    assert dx is None                              # ids are not differentiable
    expected = np.zeros((5, 2))
    expected[1] = dy[0, 0] + dy[0, 2] + dy[1, 1]
    expected[3] = dy[0, 1] + dy[1, 2]
    expected[0] = dy[1, 0]
    np.testing.assert_array_equal(dE, expected)


def test_gradient_check_of_the_table():
    layer = built(Embedding(6, 3, dtype="float64"), (4,))
    ids = np.array([[0, 5, 5, 2], [2, 2, 1, 0]])
    r = np.random.default_rng(0).normal(size=(2, 4, 3))
    _, cache = layer.forward(ids)
    _, (dE,) = layer.backward(cache, r)
    numeric = numeric_gradient(lambda: float(np.sum(r * layer.forward(ids)[0])), layer.embeddings.value)
    np.testing.assert_allclose(dE, numeric, rtol=1e-6, atol=1e-9)


def test_shapes_params_and_default_initializer():
    fact = REFERENCE["facts"]["embedding_100_8"]
    layer = Embedding(100, 8)
    layer._maybe_build(tuple(fact["input_shape"]))
    assert layer.count_params() == fact["params"] == 100 * 8
    assert list(layer.compute_output_shape((None, None))) == fact["output_shape"]
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4, 8)   # any rank of ids
    E = layer.get_weights()[0]
    assert E.shape == (100, 8) and np.all(np.abs(E) <= 0.05) and E.std() > 0.02  # U(-0.05, 0.05)


def test_ids_of_any_length_after_building():
    layer = built(Embedding(10, 2), (4,))
    assert layer(np.zeros((3, 9), dtype="int64")).shape == (3, 9, 2)


def test_whole_numbers_stored_as_floats_are_ids():
    layer = built(Embedding(4, 2), (3,))
    ids = np.array([[0, 3, 1]])
    np.testing.assert_array_equal(layer(ids.astype("float32")), layer(ids))


def test_formula():
    layer = built(Embedding(1000, 64), (10,))
    assert layer.formula((4, 10), (4, 10, 64)) == "y[…, :] = E[x[…]] : x (4, 10) ids, E (1000, 64) → (4, 10, 64)"


# ----- mistakes ------------------------------------------------------------------------------------
def test_swapped_arguments_when_the_id_would_fit_the_other_way():
    layer = built(Embedding(10, 64), (2,))
    with pytest.raises(TokenIdError, match=r"Did you mean Embedding\(64, 10\)\?.*If 64 is meant "
                                            r"as the vector length, make input_dim larger: "
                                            r"Embedding\(13, 64\) has room for these data\."):
        layer(np.array([[3, 12]]))


def test_swapped_arguments_from_the_english_tutorial():
    # The tutorial writes Embedding(256, vocabulary_size) with vocabulary_size = 50000.
    posts = kteach.Input(shape=(None,), dtype="int32", name="posts")
    model = kteach.Model(posts, layers.Dense(1)(Embedding(256, 50000)(posts)))
    ids = np.array([[1, 49999, 7]], dtype="int32")
    with pytest.raises(IndexError, match=r"index out of range in self\. It received token id "
                                         r"49999, but input_dim=256 only allows ids 0 to 255\. "
                                         r"Did you mean Embedding\(50000, 256\)\? The first "
                                         r"argument is the vocabulary size"):
        model.predict(ids, verbose=0)


def test_id_too_large_says_which_input_dim_fits():
    layer = built(Embedding(10, 4), (2,))
    with pytest.raises(TokenIdError, match=r"received token id 12, but input_dim=10 only allows "
                                            r"ids 0 to 9\. input_dim is the vocabulary size, the "
                                            r"largest id \+ 1: Embedding\(13, 4\) has room"):
        layer(np.array([[3, 12]]))


def test_negative_id():
    layer = built(Embedding(10, 4), (2,))
    with pytest.raises(TokenIdError, match=r"negative token id -1; ids must be between 0 and 9\. "
                                            r"Use 0 for padding"):
        layer(np.array([[3, -1]]))


def test_fractional_ids_are_refused():
    layer = built(Embedding(10, 4), (2,))
    with pytest.raises(DataError, match=r"takes integer token ids, but received 2\.5 at index "
                                        r"\(1, 0\) \(dtype float64\)"):
        layer(np.array([[1.0, 2.0], [2.5, 3.0]]))


def test_strings_are_refused():
    layer = built(Embedding(10, 4), (2,))
    with pytest.raises(DataError, match=r"received an array of dtype <U3\. Turn each word into "
                                        r"its id first"):
        layer(np.array([["the", "cat"]]))


def test_input_length_warns_like_keras_and_is_ignored(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())
    with pytest.warns(KteachWarning, match=r"Argument `input_length` is deprecated\. Just remove "
                                           r"it\."):
        layer = Embedding(10, 4, input_length=5)
    assert layer._batch_input_shape is None           # as in Keras 3: no input shape from it
    assert layer(np.zeros((2, 7), dtype="int32")).shape == (2, 7, 4)


def test_mask_zero_makes_a_mask_of_the_real_tokens():
    layer = Embedding(10, 4, mask_zero=True)
    ids = np.array([[3, 1, 0, 0], [0, 0, 5, 2]])
    np.testing.assert_array_equal(layer.compute_mask(ids), ids != 0)
    assert layer.supports_masking and not Embedding(10, 4).supports_masking   # as Keras
    assert Embedding(10, 4).compute_mask(ids) is None
    y = layer(ids)     # the padding id still looks up its row
    np.testing.assert_array_equal(y[0, 2], layer.embeddings.numpy()[0])


def test_regularizer_is_accepted():
    layer = Embedding(10, 4, embeddings_regularizer="l2", embeddings_constraint="unit_norm")
    layer.build((None, 3))
    assert layer.embeddings.regularizer.l2 == 0.01 and layer.embeddings.constraint.axis == 0


@pytest.mark.parametrize("args", [(0, 4), (10, -1), (10.0, 4), ("10", 4)])
def test_sizes_must_be_positive_integers(args):
    with pytest.raises(ValueError, match=r"must be a positive integer"):
        Embedding(*args)


def test_weights_argument_starts_from_a_given_table():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    layer = built(Embedding(4, 3, weights=[table], trainable=False), (2,))
    np.testing.assert_array_equal(layer.get_weights()[0], table)
    assert layer.trainable_weights == []
    with pytest.raises(ValueError, match=r"got a table of shape \(3, 4\), but Embedding\(4, 3\) "
                                         r"needs shape \(4, 3\)"):
        built(Embedding(4, 3, weights=[table.T]), (2,))


def test_sequential_built_from_integer_data():
    model = kteach.Sequential([Embedding(20, 4), LSTM(3), layers.Dense(2)])
    out = model.predict(np.array([[1, 2, 3], [19, 0, 4]]), verbose=0)
    assert out.shape == (2, 2)
    assert model.count_params() == 20 * 4 + 4 * (3 * (4 + 3) + 3) + 3 * 2 + 2
