"""kteach.Variable made by hand, as keras.Variable (tests/fixtures/variable_facts.json, made
by make_variable_facts.py with real Keras)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine.errors import ShapeError, UnknownArgumentError

FACTS = json.loads((Path(__file__).parent / "fixtures" / "variable_facts.json").read_text())


@pytest.mark.parametrize("case", sorted(FACTS["cases"]))
def test_a_variable_has_keras_dtype_shape_name_and_value(case):
    c = FACTS["cases"][case]
    kteach.backend.clear_session()
    value = c["value"] if c["value_dtype"] is None else np.array(c["value"], c["value_dtype"])
    kwargs = {k: tuple(a) if isinstance(a, list) else a for k, a in c["kwargs"].items()}
    v = kteach.Variable(value, **kwargs)
    assert (str(v.dtype), list(v.shape), v.trainable) == (c["dtype"], c["shape"], c["trainable"])
    assert v.path == v.name
    assert v.name == (c["name"] if "name" in kwargs else "variable")   # the first in this session
    np.testing.assert_array_equal(v.numpy(), c["numpy"])


def test_unnamed_variables_are_numbered_as_keras_names_them():
    kteach.backend.clear_session()
    names = [kteach.Variable(0.0).name for _ in range(3)]
    assert names == ["variable", "variable_1", "variable_2"]
    assert [FACTS["cases"][k]["name"] for k in ("float", "int", "int_list")] == names


def test_an_initializer_without_a_shape_is_refused_with_keras_words_and_a_fix():
    with pytest.raises(ValueError) as err:
        kteach.Variable("zeros")
    assert str(err.value).startswith(FACTS["no_shape_error"])
    assert "Variable('zeros', shape=(3, 4))" in str(err.value)


def test_a_wrong_shape_or_a_misspelt_keyword_is_refused():
    with pytest.raises(ShapeError, match=r"value of shape \(2,\) but shape=\(3,\)"):
        kteach.Variable(np.ones(2), shape=(3,))
    with pytest.raises(UnknownArgumentError, match="Did you mean 'trainable'"):
        kteach.Variable(1.0, trainble=False)


def test_a_float64_array_keeps_its_dtype_and_the_value_is_a_copy():
    a = np.ones(3)
    v = kteach.Variable(a)
    a[0] = 5.0
    assert v.dtype == np.float64 and v.numpy()[0] == 1.0


class Scaled(layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = kteach.Variable(np.ones(2, "float32"), name="w")
        self.fixed = kteach.Variable(2.0, trainable=False, name="fixed")

    def call(self, x):
        return x * self.w * self.fixed


def test_a_variable_set_on_a_layer_is_one_of_its_weights_and_trains():
    layer = Scaled()
    want = FACTS["layer"]
    assert [w.path for w in layer.weights] == want["weights"]
    assert [w.path for w in layer.trainable_weights] == want["trainable"]
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    with kteach.GradientTape() as tape:
        y = kteach.ops.sum(layer(x))
    (dw,) = tape.gradient(y, layer.trainable_weights)
    np.testing.assert_allclose(dw, 2.0 * x.sum(axis=0))     # d/dw Σ x·w·2 = 2·Σ_rows x
