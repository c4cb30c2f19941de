"""kteach.constraints: values against real Keras 3.15.1 (tests/fixtures/
regularizers_reference.json), names, configs, and their place in training: after each update."""
import json
import os

import numpy as np
import pytest

import kteach
from kteach import constraints
from kteach.engine.errors import UnknownNameError
from kteach.saving.serialization import deserialize_keras_object, serialize_keras_object

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "regularizers_reference.json")) as f:
    REF = json.load(f)

W = np.asarray(REF["single"]["w"], "float32")

BUILT_IN = {"MaxNorm(0.5)": constraints.MaxNorm(0.5),
            "MaxNorm(0.5,axis=1)": constraints.MaxNorm(0.5, axis=1),
            "MaxNorm()": constraints.MaxNorm(),
            "MinMaxNorm(0.2,0.5,0.5)": constraints.MinMaxNorm(0.2, 0.5, 0.5),
            "MinMaxNorm(0.9,1.5,axis=1)": constraints.MinMaxNorm(0.9, 1.5, axis=1),
            "UnitNorm()": constraints.UnitNorm(), "UnitNorm(axis=1)": constraints.UnitNorm(axis=1),
            "NonNeg()": constraints.NonNeg()}


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_values_equal_keras(key):
    got = BUILT_IN[key](W)
    assert got.dtype == np.float32 and got.shape == W.shape
    np.testing.assert_allclose(got, REF["single"]["constrained"][key], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_serialized_as_keras(key):
    assert serialize_keras_object(BUILT_IN[key]) == REF["single"]["constraint_configs"][key]
    back = deserialize_keras_object(REF["single"]["constraint_configs"][key])
    assert type(back) is type(BUILT_IN[key]) and back.get_config() == BUILT_IN[key].get_config()


def test_by_hand():
    w = np.array([[3.0, 0.0], [4.0, -1.0]])
    np.testing.assert_allclose(constraints.MaxNorm(1.0)(w), [[0.6, 0.0], [0.8, -1.0]], rtol=1e-6)
    np.testing.assert_allclose(constraints.UnitNorm()(w), [[0.6, 0.0], [0.8, -1.0]], rtol=1e-6)
    np.testing.assert_allclose(constraints.NonNeg()(w), [[3.0, 0.0], [4.0, 0.0]])
    # rate 0.5 moves a length-5 column half way to max_value 2: length 3.5.
    got = constraints.MinMaxNorm(0.0, 2.0, rate=0.5)(w)
    np.testing.assert_allclose(np.linalg.norm(got[:, 0]), 3.5, rtol=1e-6)


@pytest.mark.parametrize("name, cls", [("max_norm", "MaxNorm"), ("min_max_norm", "MinMaxNorm"),
                                       ("non_neg", "NonNeg"), ("unit_norm", "UnitNorm"),
                                       ("MaxNorm", "MaxNorm")])
def test_names_resolve_as_in_keras(name, cls):
    c = constraints.get(name)
    assert type(c).__name__ == cls
    assert constraints.get(None) is None and constraints.get(c) is c


def test_defaults_as_keras():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                                     "rate": 1.0, "axis": 0}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    assert constraints.NonNeg().get_config() == {}


def test_errors():
    with pytest.raises(UnknownNameError) as e:
        constraints.get("maxnorm")
    assert REF["errors"]["constraint get(maxnorm)"][1] in str(e.value)
    assert "Did you mean 'MaxNorm' or 'max_norm'" in str(e.value)
    with pytest.raises(ValueError, match="axis 5 is out of bounds .* axis=0"):
        constraints.UnitNorm(axis=5)(W)


def test_applied_after_each_update_not_before():
    """The initial weights are left alone; after one SGD step the kernel is the constraint of
    the updated kernel."""
    kteach.utils.set_random_seed(0)
    layer = kteach.layers.Dense(2, kernel_constraint=constraints.MaxNorm(0.1))
    model = kteach.Sequential([kteach.Input((3,)), layer])
    w0 = layer.kernel.numpy()
    assert np.linalg.norm(w0, axis=0).max() > 0.1         # not constrained at build
    model.compile(optimizer=kteach.optimizers.SGD(0.1), loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    model.train_on_batch(x, y)
    grad = layer.kernel.grad
    np.testing.assert_allclose(layer.kernel.value, constraints.MaxNorm(0.1)(w0 - 0.1 * grad),
                               rtol=1e-6)
    assert np.linalg.norm(layer.kernel.value, axis=0).max() <= 0.1 + 1e-6
