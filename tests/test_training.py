"""compile / fit / evaluate / predict: learning, numbers, history, and errors that teach."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers


def two_moons(n, seed):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    label = rng.integers(0, 2, n)
    x = np.where(label[:, None] == 0, upper, lower) + rng.normal(0, 0.1, (n, 2))
    return x.astype("float32"), label.astype("float32")


def test_learns_xor():
    kteach.utils.set_random_seed(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    model = Sequential([Input((2,)), layers.Dense(8, activation="tanh"),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=kteach.optimizers.Adam(learning_rate=0.05),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=300, batch_size=4, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.1
    np.testing.assert_array_equal(model.predict(x, verbose=0).round().ravel(), y)


def test_learns_two_moons():
    kteach.utils.set_random_seed(1)
    x, y = two_moons(600, seed=0)
    x_test, y_test = two_moons(300, seed=1)
    model = Sequential([Input((2,)), layers.Dense(32, activation="relu"),
                        layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95


def test_train_on_batch_is_one_sgd_step_computed_by_hand():
    model = Sequential([Input((2,)), layers.Dense(1)])
    W = np.array([[0.5], [-1.0]], dtype="float32")
    b = np.array([0.25], dtype="float32")
    model.set_weights([W, b])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype="float32")
    y = np.array([[1.0], [0.0]], dtype="float32")
    p = x @ W + b                        # [[-1.25], [2.75]]
    loss = np.mean((p - y) ** 2)         # (2.25² + 2.75²) / 2
    dp = 2 * (p - y) / 2                 # d mean / dp
    W_new, b_new = W - 0.1 * x.T @ dp, b - 0.1 * dp.sum(axis=0)
    assert model.train_on_batch(x, y) == pytest.approx(loss, rel=1e-6)   # measured before the update
    np.testing.assert_allclose(model.get_weights()[0], W_new, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b_new, rtol=1e-6)
    np.testing.assert_allclose(model.layers[0].kernel.grad, x.T @ dp, rtol=1e-6)


def test_history_keys_are_keras3_alphabetical_with_validation():
    kteach.utils.set_random_seed(2)
    x = np.random.random((50, 4)).astype("float32")
    y = kteach.utils.to_categorical(np.random.randint(3, size=(50, 1)), num_classes=3)
    model = Sequential([Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}   # 40 training samples
    assert all(isinstance(v, float) for v in history.history["loss"])
    # the validation numbers are evaluate() on the last 20 % of the data
    val = model.evaluate(x[40:], y[40:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val[0], rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(val[1], rel=1e-6)


def test_epoch_loss_is_batch_size_weighted_mean_before_each_update():
    model = Sequential([Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = np.ones((5, 1), dtype="float32")
    y = np.arange(5, dtype="float32").reshape(5, 1)
    history = model.fit(x, y, batch_size=2, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.mean(np.arange(5) ** 2))


def test_evaluate_returns_scalar_or_list_and_dict():
    model = Sequential([Input((3,)), layers.Dense(2, activation="softmax")])
    x = np.random.random((10, 3)).astype("float32")
    y = kteach.utils.to_categorical(np.arange(10) % 2, 2)
    model.compile(loss="categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile(loss="categorical_crossentropy", metrics=["acc", "mse"])
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 3
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["acc", "loss", "mse"]
    assert d["loss"] == pytest.approx(result[0]) and d["acc"] == pytest.approx(result[1])


def test_multi_output_losses_weights_and_keys():
    kteach.utils.set_random_seed(3)
    inp = Input((4,), name="posts")
    h = layers.Dense(8, activation="relu")(inp)
    age = layers.Dense(1, name="age")(h)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(h)
    model = Model(inp, [age, gender])
    model.compile(optimizer="rmsprop", loss={"age": "mse", "gender": "binary_crossentropy"},
                  loss_weights={"age": 0.5, "gender": 2.0}, metrics={"gender": ["accuracy"]})
    x = np.random.random((20, 4)).astype("float32")
    ages = np.random.random(20).astype("float32") * 5
    genders = np.random.randint(0, 2, 20).astype("float32")
    result = model.evaluate(x, {"age": ages, "gender": genders}, verbose=0, return_dict=True)
    assert list(result) == ["age_loss", "gender_accuracy", "gender_loss", "loss"]
    assert result["loss"] == pytest.approx(0.5 * result["age_loss"] + 2.0 * result["gender_loss"], rel=1e-5)
    p_age, p_gender = model.predict(x, verbose=0)
    assert result["age_loss"] == pytest.approx(np.mean((p_age[:, 0] - ages) ** 2), rel=1e-5)
    as_list = model.evaluate(x, [ages, genders], verbose=0)
    assert as_list[:3] == pytest.approx([result["loss"], result["age_loss"], result["gender_loss"]])
    history = model.fit(x, [ages, genders], epochs=2, verbose=0)
    assert sorted(history.history) == ["age_loss", "gender_accuracy", "gender_loss", "loss"]


def test_deferred_build_sequential():
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    assert not model.built and model.get_weights() == []
    with pytest.raises(ValueError, match="isn't built yet"):
        model.count_params()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((10, 3), dtype="float32"), np.zeros(10, dtype="float32"), verbose=0)
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 + 1
    assert model.input_shape == (10, 3)     # Keras keeps the first batch's size here
    assert model.predict(np.zeros((7, 3)), verbose=0).shape == (7, 1)


def test_sequential_add_pop_and_failed_add_leaves_model_unchanged():
    model = Sequential()
    model.add(Input((5,)))
    model.add(layers.Dense(3))
    model.add(layers.Reshape((3, 1)))
    with pytest.raises(ValueError, match="cannot reshape"):
        model.add(layers.Reshape((2, 2)))
    assert len(model.layers) == 2 and model.output_shape == (None, 3, 1)
    popped = model.pop()
    assert isinstance(popped, layers.Reshape) and model.output_shape == (None, 3)
    with pytest.raises(TypeError, match="Did you mean to call it"):
        model.add(layers.Dense)


def test_set_weights_errors_leave_weights_unchanged():
    model = Sequential([Input((4,)), layers.Dense(3), layers.Dense(2)])
    before = model.get_weights()
    with pytest.raises(ValueError, match="with a weight list of length 3, "
                                         "but the layer was expecting 4 weights"):
        model.set_weights(before[:3])
    bad = [np.zeros((5, 3))] + before[1:]
    with pytest.raises(ValueError, match=r"weight shape \(4, 3\) is not compatible with "
                                         r"provided weight shape \(5, 3\)"):
        model.set_weights(bad)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_shuffle_and_seed_make_runs_repeat():
    def run():
        kteach.utils.set_random_seed(7)
        x = np.random.random((64, 3)).astype("float32")
        y = (x.sum(axis=1) > 1.5).astype("float32")
        model = Sequential([Input((3,)), layers.Dense(4, activation="relu"), layers.Dropout(0.2),
                            layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]
    assert run() == run()


def test_early_stopping_restores_best_weights():
    kteach.utils.set_random_seed(4)
    x = np.random.random((40, 2)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = Sequential([Input((2,)), layers.Dense(1)])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=1.5), loss="mse")  # diverges
    saved = []
    keep = kteach.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved.append(model.get_weights()))
    stop = kteach.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    history = model.fit(x, y, epochs=50, batch_size=40, verbose=0, callbacks=[keep, stop])
    losses = history.history["loss"]
    assert len(losses) == 2 and losses[1] > losses[0]    # got worse at once: stop after epoch 2
    assert stop.best_epoch == 0 and stop.stopped_epoch == 1
    for restored, best in zip(model.get_weights(), saved[0]):
        np.testing.assert_array_equal(restored, best)


def test_lambda_callback_sees_every_epoch():
    seen = []
    model = Sequential([Input((1,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    cb = kteach.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs))))
    model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[cb])
    assert seen == [(0, ["loss"]), (1, ["loss"])]
