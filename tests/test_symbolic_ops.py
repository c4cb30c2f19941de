"""Ops called on symbolic tensors make graph nodes, as in Keras 3's functional API."""
import numpy as np
import pytest

import kteach
from kteach import layers, ops


def model_with_ops():
    kteach.utils.set_random_seed(0)
    inputs = kteach.Input((4,))
    x = layers.Dense(3)(inputs)
    z = ops.relu(x) * 2.0 + 1.0
    return kteach.Model(inputs, layers.Dense(1)(ops.concatenate([x, z], axis=-1)))


def test_op_nodes_are_operations_not_layers():
    model = model_with_ops()
    assert [l.name for l in model.layers] == ["input_layer", "dense", "dense_1"]
    assert [o.name for o in model.operations] == ["input_layer", "dense", "relu", "multiply",
                                                  "add", "concatenate", "dense_1"]
    assert [type(o).__name__ for o in model.operations[2:6]] == ["Relu", "Multiply", "Add",
                                                                 "Concatenate"]
    assert model.count_params() == 15 + 7


def test_a_model_with_op_nodes_computes_and_trains_through_them():
    model = model_with_ops()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype("float32")
    d1, d2 = model.layers[1], model.layers[2]
    h = x @ d1.kernel.value + d1.bias.value
    expected = np.concatenate([h, np.maximum(h, 0) * 2 + 1], axis=-1) @ d2.kernel.value + d2.bias.value
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    y = rng.normal(size=(8, 1)).astype("float32")
    assert kteach.utils.check_gradients(model, x, y).passed
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_op_nodes_use_up_names_as_keras_does():
    model_with_ops()
    assert layers.Multiply().name == "multiply_1"   # the op node took "multiply"


def test_a_numpy_function_on_a_symbolic_tensor_says_what_to_use():
    inputs = kteach.Input((4,))
    with pytest.raises(TypeError, match="np.cbrt cannot take a symbolic tensor from Input. "
                                        "Use the kteach.ops function, or a layers.Lambda."):
        np.cbrt(inputs)
