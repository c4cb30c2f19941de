"""Playground data sets and features, the L1/L2 penalty step, and the code the widgets write."""
import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers, optimizers
from kteach.widgets import codegen, datasets
from kteach.widgets.regularization import PenaltyStep, penalty

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "widgets_code.json").read_text())


# ----- data sets ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_classification_sets_have_balanced_integer_labels_and_repeat_by_seed(name):
    k = 4 if name == "xor" else 3
    x, y = datasets.make_dataset(name, 120, noise=0.1, n_classes=k, seed=5)
    assert x.shape == (120, 2) and x.dtype == np.float32 and y.dtype == np.int64
    if name != "xor":                 # xor's quadrants are random, the others split evenly
        assert np.bincount(y).tolist() == [40, 40, 40]
    assert set(y.tolist()) == set(range(k))
    assert np.abs(x).max() <= 6.0
    x2, y2 = datasets.make_dataset(name, 120, noise=0.1, n_classes=k, seed=5)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    x3, _ = datasets.make_dataset(name, 120, noise=0.1, n_classes=k, seed=6)
    assert not np.array_equal(x, x3)


def test_without_noise_each_class_keeps_to_its_own_region():
    x, y = datasets.make_dataset("circle", 300, n_classes=2, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    # class c lies between 2.5c + 0.375 and 2.5c + 2.125 (rings 2.5 wide, 15 % margins)
    assert r[y == 0].min() >= 0.375 - 1e-5 and r[y == 0].max() <= 2.125 + 1e-5
    assert r[y == 1].min() >= 2.875 - 1e-5 and r[y == 1].max() <= 4.625 + 1e-5
    x, y = datasets.make_dataset("xor", 200, seed=0)
    assert np.array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))
    x, y = datasets.make_dataset("xor", 200, n_classes=4, seed=0)
    assert set(y[(x[:, 0] > 0) & (x[:, 1] > 0)]) == {0} and set(y[(x[:, 0] < 0) & (x[:, 1] < 0)]) == {2}
    x, y = datasets.make_dataset("spiral", 200, seed=0)
    assert np.hypot(x[:, 0], x[:, 1]).max() < 5.0


def test_regression_sets_follow_their_formulas():
    x, y = datasets.make_dataset("plane", 50, seed=1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, (x[:, 0] + x[:, 1]) / 10, rtol=1e-5, atol=1e-6)
    x, y = datasets.make_dataset("multi_gauss", 50, seed=1)
    i = 0
    expected = sum(s * np.exp(-((x[i, 0] - cx) ** 2 + (x[i, 1] - cy) ** 2) / 2)
                   for cx, cy, s in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1),
                                     (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)])
    assert y[i] == pytest.approx(expected, rel=1e-5)


def test_data_set_mistakes_are_explained():
    with pytest.raises(ValueError, match="data set identifier: spirals. Did you mean 'spiral'"):
        datasets.make_dataset("spirals")
    with pytest.raises(ValueError, match="The xor data set has 2 classes .* or 4"):
        datasets.make_dataset("xor", n_classes=3)
    with pytest.raises(ValueError, match="train_ratio is the fraction"):
        datasets.split(np.zeros((4, 2)), np.zeros(4), 1.5)


def test_split_shuffles_then_cuts_without_losing_a_point():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    x_train, y_train, x_test, y_test = datasets.split(x, y, 0.7, seed=0)
    assert (len(x_train), len(x_test)) == (7, 3)
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    assert np.array_equal(x_train[:, 0], 2 * y_train)


def test_features_are_the_formulas_and_their_code_computes_the_same():
    x = np.array([[2.0, 3.0], [-1.0, 0.5]], dtype="float32")
    names = ["sin(x2)", "x1", "x1*x2", "x2^2", "x1^2", "x2", "sin(x1)"]
    got = datasets.compute_features(x, names)
    expected = [[2, 3, 4, 9, 6, np.sin(2), np.sin(3)], [-1, 0.5, 1, 0.25, -0.5, np.sin(-1), np.sin(0.5)]]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    scope = {"np": np}
    exec(datasets.features_code(names), scope)
    assert np.array_equal(scope["features"](x), got)
    with pytest.raises(ValueError, match="input feature identifier: x3. Did you mean"):
        datasets.compute_features(x, ["x3"])


# ----- L1 / L2 -------------------------------------------------------------------------------------
def linear_model(W, b):
    model = kteach.Sequential([kteach.Input((2,)), layers.Dense(1)])
    model.set_weights([np.array(W, dtype="float64"), np.array(b, dtype="float64")])
    return model


def test_l2_step_with_sgd_equals_training_on_loss_plus_penalty():
    # One full batch of MSE on y = x·W + b: dL/dW = (2/n)·xᵀ(xW + b − y), plus 2λW from λΣW².
    kteach.backend.set_floatx("float64")
    try:
        x = np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0]])
        y = np.array([[1.0], [0.0], [2.0]])
        W, b, lr, lam = np.array([[0.3], [-0.4]]), np.array([0.1]), 0.05, 0.2
        model = linear_model(W, b)
        model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="mse")
        model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0,
                  callbacks=[PenaltyStep("L2", lam)])
        error = x @ W + b - y
        W_expected = W - lr * ((2 / 3) * x.T @ error + 2 * lam * W)
        b_expected = b - lr * (2 / 3) * error.sum(axis=0)
        np.testing.assert_allclose(model.get_weights()[0], W_expected, rtol=1e-12)
        np.testing.assert_allclose(model.get_weights()[1], b_expected, rtol=1e-12)  # no penalty
        assert penalty(model, "l2", lam) == pytest.approx(lam * (W_expected ** 2).sum())
    finally:
        kteach.backend.set_floatx("float32")


def test_l1_step_is_lambda_sign_and_stops_a_weight_at_zero():
    model = linear_model([[0.001], [-0.5]], [0.0])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")   # only the penalty
    step = PenaltyStep("l1", 1.0)
    step.set_model(model)
    model.optimizer.learning_rate = 0.01
    step.on_train_batch_begin(0)
    step.on_train_batch_end(0)
    # 0.001 − 0.01·1 would cross zero: it stops at 0; −0.5 + 0.01 = −0.49
    np.testing.assert_allclose(model.get_weights()[0], [[0.0], [-0.49]], rtol=1e-6)
    assert penalty(model, "L1", 2.0) == pytest.approx(2 * 0.49, rel=1e-6)
    with pytest.raises(ValueError, match="Unknown regularization 'l3': use None, 'L1' or 'L2'"):
        PenaltyStep("l3", 0.1)


# ----- code that runs on kteach and on Keras -----------------------------------------------------
@pytest.mark.parametrize("case", FIXTURE["models"], ids=lambda c: str(c["input_size"]))
def test_model_code_builds_in_kteach_what_it_builds_in_keras(case):
    # count_params and layer settings from Keras 3.15.1 (tests/fixtures/make_widgets_code.py)
    code = codegen.sequential_code(case["input_size"], case["layers"])
    assert code == case["code"]
    scope = {"keras": kteach}
    exec(code, scope)
    model = scope["model"]
    assert model.count_params() == case["count_params"]
    ours = [codegen.describe_layer(l) for l in model.layers]
    theirs = [{"type": d.pop("class"), **d} for d in [dict(k) for k in case["keras_layers"]]]
    assert ours == theirs


@pytest.mark.parametrize("case", FIXTURE["optimizers"], ids=lambda c: c["choice"][0])
def test_optimizer_choices_are_the_same_optimizers_as_in_keras(case):
    name, lr, momentum = case["choice"]
    code = codegen.optimizer_code(name, lr, momentum)
    assert code == case["code"]
    made = codegen.make_optimizer(name, lr, momentum)
    from_code = eval(code, {"keras": kteach})
    for optimizer in (made, from_code):
        assert type(optimizer).__name__ == case["class"]
        config = optimizer.get_config()
        # Keras keeps the learning rate in a float32 variable: equal to float32 precision
        assert {k: config[k] for k in case["config"]} == pytest.approx(case["config"], rel=1e-7)


def test_numbers_are_written_as_float_literals():
    assert [codegen.number(v) for v in (0.03, 1, 1e-05, 0.1 + 0.2, 10.0)] == \
        ["0.03", "1.0", "1e-05", "0.3", "10.0"]
    with pytest.raises(ValueError, match="optimizer choice identifier: adamw. Did you mean 'adam'"):
        codegen.make_optimizer("adamw", 0.1)
    with pytest.raises(ValueError, match="layer type identifier: Conv2D. .*Known layer type names: "
                                         "Activation, Dense, Dropout"):
        codegen.check_layer({"type": "Conv2D"})
