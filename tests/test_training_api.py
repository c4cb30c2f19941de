"""More of the Keras training API: frozen layers, custom losses and metrics, validation data,
the *_on_batch methods, integer inputs."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers


def test_frozen_layer_keeps_its_weights():
    kteach.utils.set_random_seed(0)
    frozen = layers.Dense(4, activation="relu", trainable=False)
    model = Sequential([Input((3,)), frozen, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = frozen.get_weights()
    model.fit(np.random.random((16, 3)), np.random.random(16), epochs=2, verbose=0)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    frozen.trainable = True
    assert len(model.trainable_weights) == 4


def test_custom_loss_subclass_trains_like_the_builtin():
    class HalfSquaredError(kteach.losses.Loss):
        """L = mean((p - y)²) / 2 over the last axis."""
        def call(self, y_true, y_pred):
            return 0.5 * np.mean((y_pred - y_true) ** 2, axis=-1)

        def gradient(self, y_true, y_pred):
            return (y_pred - y_true) / y_pred.shape[-1]

    def run(loss, lr):
        kteach.utils.set_random_seed(1)
        x = np.random.random((32, 2)).astype("float32")
        model = Sequential([Input((2,)), layers.Dense(1)])
        model.compile(optimizer=kteach.optimizers.SGD(learning_rate=lr), loss=loss)
        model.fit(x, x.sum(axis=1), epochs=3, batch_size=8, shuffle=False, verbose=0)
        return model.get_weights()

    # half the loss with twice the learning rate takes exactly the same steps
    for a, b in zip(run(HalfSquaredError(), 0.2), run("mse", 0.1)):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_plain_function_as_loss_gets_its_gradient_from_the_tape():
    model = Sequential([Input((2,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=lambda y_true, y_pred: (y_true - y_pred) ** 2)
    x, y = np.ones((4, 2)), np.array([1.0, -2.0, 3.0, 0.0])
    # Dense(1) with kernel 1 and bias 0 predicts 2 for every sample
    assert model.evaluate(x, y, verbose=0) == pytest.approx(np.mean((2.0 - y) ** 2))
    model.train_on_batch(x, y)
    # d mean((p - y)^2) / d bias = mean(2 (p - y)) = 2 (2 - 0.5) = 3; SGD's lr is 0.01
    assert model.layers[0].bias.numpy() == pytest.approx([-0.03])


def test_plain_function_as_metric():
    def max_error(y_true, y_pred):
        return np.max(np.abs(y_true - y_pred), axis=-1)

    model = Sequential([Input((2,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(loss="mse", metrics=[max_error])
    logs = model.evaluate(np.ones((4, 2)), np.array([1.0, -2.0, 3.0, 0.0]), verbose=0, return_dict=True)
    assert logs["max_error"] == pytest.approx(np.mean([1.0, 2.0, 3.0, 0.0]))


def test_validation_data_gives_val_keys():
    model = Sequential([Input((2,)), layers.Dense(1)])
    model.compile(loss="mse", metrics=["mae"])
    x, y = np.random.random((20, 2)), np.random.random(20)
    history = model.fit(x, y, epochs=2, validation_data=(x[:5], y[:5]), verbose=0)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[:5], y[:5], verbose=0)[0],
                                                            rel=1e-6)


def test_on_batch_methods():
    model = Sequential([Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x = np.random.random((6, 3)).astype("float32")
    y = kteach.utils.to_categorical([0, 1, 0, 1, 1, 0], 2)
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0))
    loss, acc = model.test_on_batch(x, y)
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-6)
    before = model.get_weights()
    assert model.train_on_batch(x, y)[0] == pytest.approx(loss, rel=1e-6)   # measured before the step
    assert not np.allclose(before[0], model.get_weights()[0])
    assert model.optimizer.iterations == 1


def test_predict_batches_give_the_same_result_as_one_batch():
    model = Sequential([Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(2)])
    x = np.random.random((70, 3)).astype("float32")
    full = model.predict(x, batch_size=70, verbose=0)
    np.testing.assert_allclose(model.predict(x, batch_size=8, verbose=0), full, rtol=1e-6)
    assert full.dtype == np.float32 and full.shape == (70, 2)


def test_model_called_on_arrays_computes():
    x = Input((2,))
    model = Model(x, layers.Dense(1, kernel_initializer="ones")(x))
    np.testing.assert_allclose(model(np.array([[1.0, 2.0]])), [[3.0]])


def test_multi_input_fit_with_list_and_dict_agree():
    def run(as_dict):
        kteach.backend.clear_session()
        kteach.utils.set_random_seed(3)
        a, b = Input((2,), name="a"), Input((3,), name="b")
        out = layers.Dense(1)(layers.concatenate([layers.Dense(2)(a), b]))
        model = Model([a, b], out)
        model.compile(optimizer="sgd", loss="mse")
        xa, xb = np.random.random((10, 2)), np.random.random((10, 3))
        x = {"b": xb, "a": xa} if as_dict else [xa, xb]
        return model.fit(x, np.ones(10), epochs=2, verbose=0).history["loss"]
    assert run(True) == run(False)


def test_history_is_kept_on_the_model():
    model = Sequential([Input((1,)), layers.Dense(1)])
    model.compile(loss="mse")
    history = model.fit(np.ones((3, 1)), np.ones(3), epochs=2, verbose=0)
    assert model.history is history and history.model is model


def test_sample_weight_scales_each_sample_like_keras():
    model = Sequential([Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 1)), np.array([1.0, 2.0, 3.0, 4.0])
    w = np.array([1.0, 0.0, 2.0, 0.5])
    # sum_over_batch_size: sum(w_i · L_i) / n, with L_i = y_i² since the model outputs 0
    expected = np.sum(w * y ** 2) / 4
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(expected)
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(expected)
    # one SGD step: dL/db = sum(w_i · 2 (0 - y_i)) / n
    model.train_on_batch(x, y, sample_weight=w)
    assert model.get_weights()[1][0] == pytest.approx(0.01 * np.sum(w * 2 * y) / 4)
    with pytest.raises(ValueError, match="one weight per sample"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)
