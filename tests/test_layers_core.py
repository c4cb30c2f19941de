"""Core layers: forward numbers, float64 gradient checks, shapes and error messages."""
import numpy as np
import pytest

import kteach
from kteach import layers
from gradcheck import check_layer


def build(layer, shape):
    layer._maybe_build((None,) + tuple(shape))
    return layer


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax", "elu"])
def test_dense_gradients_float64(activation):
    rng = np.random.default_rng(1)
    layer = build(layers.Dense(4, activation=activation, dtype="float64",
                               bias_initializer="random_normal"), (3,))
    check_layer(layer, rng.normal(size=(5, 3)))


def test_dense_on_3d_input_acts_on_last_axis_and_checks_gradients():
    rng = np.random.default_rng(2)
    layer = build(layers.Dense(2, activation="tanh", dtype="float64"), (4, 3))
    y, _ = layer.forward(rng.normal(size=(2, 4, 3)))
    assert y.shape == (2, 4, 2)
    check_layer(layer, rng.normal(size=(2, 4, 3)))


def test_dense_without_bias_has_only_a_kernel():
    layer = build(layers.Dense(3, use_bias=False, dtype="float64"), (2,))
    assert [w.name for w in layer.weights] == ["kernel"]
    check_layer(layer, np.random.default_rng(3).normal(size=(4, 2)))


def test_dense_forward_by_hand():
    layer = build(layers.Dense(2, activation="relu"), (3,))
    W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], dtype="float32")
    b = np.array([0.1, -0.2], dtype="float32")
    layer.set_weights([W, b])
    x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    # z = [1 + 1 + 0 + 0.1, -1 + 4 + 3 - 0.2] = [2.1, 5.8]
    np.testing.assert_allclose(layer(x), [[2.1, 5.8]], rtol=1e-6)
    x = np.array([[-1.0, 0.0, 0.0]], dtype="float32")
    # z = [-1 + 0.1, 1 - 0.2] -> relu -> [0, 0.8]
    np.testing.assert_allclose(layer(x), [[0.0, 0.8]], rtol=1e-6)


def test_dense_weights_in_keras_order_and_shapes():
    layer = build(layers.Dense(5), (3,))
    assert [w.shape for w in layer.get_weights()] == [(3, 5), (5,)]
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.count_params() == 3 * 5 + 5
    assert np.all(layer.get_weights()[1] == 0)
    limit = np.sqrt(6 / (3 + 5))
    assert np.all(np.abs(layer.get_weights()[0]) <= limit)


def test_dense_refuses_wrong_feature_count():
    layer = build(layers.Dense(2), (4,))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4, "
                                         r"but received input with shape \(None, 3\)"):
        layer(np.zeros((32, 3)))


@pytest.mark.parametrize("units", [0, -3, 2.5, "10", None])
def test_dense_units_must_be_positive_int(units):
    with pytest.raises(ValueError, match="expected a positive integer"):
        layers.Dense(units)


def test_misspelt_layer_keyword_suggests_the_right_one():
    with pytest.raises(TypeError, match=r"Dense\(\) got an unexpected keyword argument "
                                        r"'activaton'\. Did you mean 'activation'\?"):
        layers.Dense(3, activaton="relu")


def test_activation_layer_gradients():
    rng = np.random.default_rng(4)
    for name in ["relu", "sigmoid", "tanh", "softmax", "softplus", "selu"]:
        check_layer(layers.Activation(name, dtype="float64"), rng.normal(size=(3, 4)))


def test_dropout_is_identity_at_inference_and_inverted_in_training():
    kteach.utils.set_random_seed(0)
    layer = layers.Dropout(0.5)
    x = np.ones((1000, 20), dtype="float32")
    np.testing.assert_array_equal(layer(x), x)
    y = layer(x, training=True)
    assert set(np.unique(y)) == {0.0, 2.0}           # kept values are scaled by 1/(1-0.5)
    assert abs((y == 0).mean() - 0.5) < 0.02          # about half are dropped
    assert abs(y.mean() - 1.0) < 0.03                 # the expected value is unchanged


def test_dropout_backward_uses_the_same_mask():
    kteach.utils.set_random_seed(1)
    layer = layers.Dropout(0.3, dtype="float64")
    x = np.random.default_rng(0).normal(size=(4, 5))
    y, mask = layer.forward(x, training=True)
    dy = np.arange(20.0).reshape(4, 5)
    dx, grads = layer.backward(mask, dy)
    np.testing.assert_allclose(dx, dy * (y != 0) / 0.7)
    assert grads == []


def test_dropout_seed_repeats_and_rate_is_checked():
    a = layers.Dropout(0.5, seed=3)(np.ones((4, 4)), training=True)
    b = layers.Dropout(0.5, seed=3)(np.ones((4, 4)), training=True)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"expected a number in \[0, 1\)"):
        layers.Dropout(1.5)


def test_flatten_and_reshape():
    x = np.arange(24.0).reshape(2, 3, 4)
    f = layers.Flatten()
    assert f.compute_output_shape((None, 3, 4)) == (None, 12)
    np.testing.assert_array_equal(f(x), x.reshape(2, 12))
    check_layer(layers.Flatten(dtype="float64"), x.copy())
    r = layers.Reshape((4, -1))
    assert r.compute_output_shape((None, 3, 4)) == (None, 4, 3)
    check_layer(layers.Reshape((4, -1), dtype="float64"), x.copy())
    with pytest.raises(ValueError, match="the number of values must stay the same"):
        layers.Reshape((5,)).compute_output_shape((None, 3, 4))


def test_concatenate_forward_backward_and_shapes():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    layer = layers.Concatenate()
    np.testing.assert_array_equal(layer([a, b]), np.concatenate([a, b], axis=1))
    check_layer(layers.Concatenate(dtype="float64"), [a, b])
    check_layer(layers.Concatenate(axis=1, dtype="float64"),
                [rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 4, 2))])
    with pytest.raises(ValueError, match=r"A `Concatenate` layer requires inputs with matching "
                                         r"shapes except for the concatenation axis\. Received: "
                                         r"input_shape=\[\(None, 3, 2\), \(None, 4, 2\)\]"):
        layers.Concatenate()([kteach.Input((3, 2)), kteach.Input((4, 2))])


def test_add_with_broadcast_gradients():
    rng = np.random.default_rng(6)
    check_layer(layers.Add(dtype="float64"), [rng.normal(size=(3, 4)), rng.normal(size=(3, 4))])
    check_layer(layers.Add(dtype="float64"), [rng.normal(size=(3, 4)), rng.normal(size=(3, 1))])
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes\. Received shapes "
                                         r"\(3,\) and \(4,\)"):
        layers.add([kteach.Input((3,)), kteach.Input((4,))])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="should be called on a list of at least 2 inputs"):
        layers.Concatenate()(kteach.Input((3,)))


def test_input_shape_must_be_a_tuple():
    with pytest.raises(ValueError, match=r"Cannot convert '3' to a shape\. .*Input\(shape=\(3,\)\)"):
        kteach.Input(shape=3)
    t = kteach.Input(shape=(3,), name="feat")
    assert t.shape == (None, 3) and t.dtype == "float32"
    assert "shape=(None, 3)" in repr(t)


def test_layer_names_count_up_like_keras():
    kteach.backend.clear_session()
    names = [layers.Dense(1).name, layers.Dense(1).name, layers.Dropout(0.1).name,
             layers.Dense(1, name="out").name]
    assert names == ["dense", "dense_1", "dropout", "out"]


def test_formulas_show_the_math_with_shapes():
    dense = build(layers.Dense(64, activation="relu"), (20,))
    assert dense.formula((4, 20), (4, 64)) == "y = relu(z), z = x·W + b : (4, 20)·(20, 64) + (64,) → (4, 64)"
    linear = build(layers.Dense(3, use_bias=False), (5,))
    assert linear.formula((2, 5), (2, 3)) == "y = x·W : (2, 5)·(5, 3) → (2, 3)"
    assert layers.Activation("softmax").formula((4, 10), (4, 10)) == "y = softmax(x) : (4, 10) → (4, 10)"
    assert layers.Concatenate().formula([(4, 3), (4, 2)], (4, 5)) == \
        "y = concatenate([x1, x2, ...], axis=-1) : (4, 3), (4, 2) → (4, 5)"
    assert layers.Dropout(0.25).formula((4, 3), (4, 3)).startswith("y = x·mask/0.75")


@pytest.mark.parametrize("make, x", [
    (lambda: layers.Dense(2), np.array([[1, 2, 3]], dtype=np.int64)),
    (lambda: layers.LSTM(2), np.ones((1, 4, 3), dtype=np.int32)),
    (lambda: layers.BatchNormalization(), np.array([[1, 0], [3, 1]], dtype=np.int64)),
    (lambda: layers.Dense(1), np.array([[True, False]])),
])
def test_integer_input_computes_in_the_layer_dtype_as_keras(make, x):
    # Keras: int64 meeting a float32 kernel gives float32; NumPy alone would give float64
    layer = make()
    y = layer(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, layer(x.astype(np.float32)))
    model = kteach.Sequential([kteach.Input(x.shape[1:], dtype=str(x.dtype)), make()])
    assert model.predict(x, verbose=0).dtype == np.float32


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Conv1D(2, 2), (1, 4, 3)), (lambda: layers.Conv2D(2, 2), (1, 3, 3, 1)),
    (lambda: layers.SeparableConv2D(2, 2), (1, 3, 3, 2)),
])
def test_integer_images_and_sequences_compute_in_float32(make, shape):
    layer, x = make(), np.arange(np.prod(shape), dtype=np.int64).reshape(shape) % 5
    y = layer(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, layer(x.astype(np.float32)))
