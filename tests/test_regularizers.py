"""kteach.regularizers: penalties and their gradients, names, errors, and training with them
against real Keras 3.15.1 (tests/fixtures/regularizers_reference.json, made by
tests/fixtures/make_regularizers_reference.py)."""
import json
import os
import sys

import numpy as np
import pytest

import kteach
from kteach import regularizers
from kteach.engine.errors import InvalidArgumentError, UnknownNameError
from kteach.saving.serialization import deserialize_keras_object, serialize_keras_object

from gradcheck import numeric_gradient, relative_error

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fixtures"))
from regularizer_cases import CASES, TRAINING  # noqa: E402

with open(os.path.join(HERE, "fixtures", "regularizers_reference.json")) as f:
    REF = json.load(f)

W = np.arange(12, dtype="float32").reshape(3, 4) / 10 - 0.5

BUILT_IN = {"L1(0.1)": regularizers.L1(0.1), "L2(0.1)": regularizers.L2(0.1),
            "L1L2(0.1,0.2)": regularizers.L1L2(0.1, 0.2), "L1()": regularizers.L1(),
            "L2()": regularizers.L2(),
            "Orthogonal(0.1,rows)": regularizers.OrthogonalRegularizer(0.1, "rows"),
            "Orthogonal(0.1,columns)": regularizers.OrthogonalRegularizer(0.1, "columns"),
            "Orthogonal()": regularizers.OrthogonalRegularizer()}


# ----- values and gradients -------------------------------------------------------------------
def test_penalties_by_hand():
    a = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.L1(0.1)(a) == pytest.approx(0.1 * 3.5)
    assert regularizers.L2(0.1)(a) == pytest.approx(0.1 * 5.25)
    assert regularizers.L1L2(0.1, 0.2)(a) == pytest.approx(0.35 + 0.2 * 5.25)
    np.testing.assert_allclose(regularizers.L1(0.1).gradient(a), [[0.1, -0.1], [0.1, 0.0]],
                               rtol=1e-7)
    np.testing.assert_allclose(regularizers.L2(0.1).gradient(a), 0.2 * a)
    # Two orthogonal rows: no penalty. Two equal rows: cos = 1 for the one pair.
    assert regularizers.OrthogonalRegularizer(1.0)(np.array([[1.0, 0.0], [0.0, 3.0]])) == 0
    assert regularizers.OrthogonalRegularizer(1.0)(np.array([[1.0, 1.0], [2.0, 2.0]])) == \
        pytest.approx(0.5 * 2 / 1)


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_penalties_equal_keras(key):
    assert BUILT_IN[key](W) == pytest.approx(REF["single"]["penalties"][key], rel=1e-5)


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_gradient_against_central_differences(key):
    reg = BUILT_IN[key]
    w = np.random.default_rng(3).normal(size=(4, 3))      # float64, no zeros (L1's kink)
    num = numeric_gradient(lambda: reg(w), w)
    g = reg.gradient(w)
    assert g.shape == w.shape and g.dtype == np.float64
    assert relative_error(g, num) < 1e-6


def test_gradient_of_a_learners_regularizer_comes_from_the_tape():
    from kteach import ops
    from kteach.engine.layer import penalty_gradient

    def my_penalty(w):
        return 0.3 * ops.sum(ops.square(w)) + 0.1 * ops.sum(ops.abs(w))

    w = np.random.default_rng(1).normal(size=(3, 2))
    np.testing.assert_allclose(penalty_gradient(my_penalty, w), 0.6 * w + 0.1 * np.sign(w))


# ----- names, configs, errors -------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("l1", "L1"), ("l2", "L2"), ("L1L2", "L1L2"),
                                       ("orthogonal_regularizer", "OrthogonalRegularizer"),
                                       ("OrthogonalRegularizer", "OrthogonalRegularizer")])
def test_names_resolve_as_in_keras(name, cls):
    assert type(regularizers.get(name)).__name__ == cls


@pytest.mark.parametrize("key", sorted(BUILT_IN))
def test_serialized_as_keras(key):
    assert serialize_keras_object(BUILT_IN[key]) == REF["single"]["regularizer_configs"][key]
    back = deserialize_keras_object(REF["single"]["regularizer_configs"][key])
    assert type(back) is type(BUILT_IN[key]) and back.get_config() == BUILT_IN[key].get_config()
    assert regularizers.serialize(BUILT_IN[key]) == REF["single"]["regularizer_configs"][key]
    assert regularizers.deserialize(regularizers.serialize(BUILT_IN[key])).get_config() == \
        BUILT_IN[key].get_config()


def test_get_passes_none_objects_and_callables():
    reg = regularizers.L2(0.5)
    assert regularizers.get(None) is None and regularizers.get(reg) is reg
    assert regularizers.get(np.sum) is np.sum
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.3}}).l2 == 0.3


def test_errors_say_what_and_how():
    with pytest.raises(ValueError, match=r"Invalid value for argument l2: expected a "
                                         r"non-negative float\.Received: l2=-1\.0") as e:
        regularizers.L2(-1.0)
    assert isinstance(e.value, InvalidArgumentError)
    assert REF["errors"]["L2(-1.0)"][1] in str(e.value)
    with pytest.raises(ValueError, match="l1=-0.5"):
        regularizers.L1(-0.5)
    with pytest.raises(UnknownNameError) as e:
        regularizers.get("l3")
    assert REF["errors"]["get(l3)"][1] in str(e.value) and "Did you mean 'l1'" in str(e.value)
    with pytest.raises(ValueError) as e:
        regularizers.get("l1_l2")
    assert REF["errors"]["get(l1_l2)"][1] in str(e.value) and "L1L2(l1=0.01" in str(e.value)
    with pytest.raises(ValueError, match=r"Expected one of \{\"rows\", \"columns\"\}"):
        regularizers.OrthogonalRegularizer(mode="x")
    with pytest.raises(ValueError, match="must have rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2)))


def test_a_bad_name_on_a_layer_changes_nothing():
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(2)])
    before = model.get_weights()
    with pytest.raises(UnknownNameError, match="Did you mean 'l2'"):
        kteach.layers.Dense(2, kernel_regularizer="l22")
    with pytest.raises(UnknownNameError):
        model.layers[0].add_weight(shape=(2,), regularizer="nope", name="extra")
    assert len(model.weights) == 2
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_activity_penalty_is_per_batch_and_replaced_by_each_pass():
    """Keras: ``regularizer(y) / batch_size`` for the latest forward pass only."""
    kteach.utils.set_random_seed(0)
    layer = kteach.layers.Dense(2, activity_regularizer=regularizers.L2(0.1))
    model = kteach.Sequential([kteach.Input((3,)), layer])
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    y = model(x)
    model(x)
    assert model.losses == [pytest.approx(0.1 * np.sum(y ** 2) / 5, rel=1e-6)]
    model.predict(x[:2], verbose=0)
    assert len(model.losses) == 1


# ----- in layers and models ---------------------------------------------------------------------
def test_add_weight_takes_a_regularizer_and_losses_hold_its_penalty():
    class Scale(kteach.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     regularizer=regularizers.L2(0.5), name="w")

        def call(self, x):
            return x * self.w

    layer = Scale()
    layer(np.ones((2, 3), "float32"))
    assert layer.w.regularizer.l2 == 0.5
    assert layer.losses == [pytest.approx(1.5)]
    layer.trainable = False        # as Keras: frozen weights add no penalty
    assert layer.losses == []


def _model(key, build):
    kteach.backend.clear_session()
    case = REF["cases"][key]
    model = build(kteach)
    model.set_weights([np.asarray(w, "float32") for w in case["weights"]])
    x = np.asarray(case["x"], "int32" if isinstance(case["x"][0][0], int) else "float32")
    return model, x, np.asarray(case["y"], "float32"), case


@pytest.mark.parametrize("key, build", [(k, b) for k, b, _ in CASES])
def test_losses_and_configs_equal_keras(key, build):
    model, x, y, case = _model(key, build)
    model.predict(x[:4], verbose=0)
    np.testing.assert_allclose([float(v) for v in model.losses], case["losses"], rtol=2e-5)
    for layer, expected in zip(model.layers, case["configs"]):
        config = layer.get_config()
        assert {k: config[k] for k in expected} == expected, layer.name


@pytest.mark.parametrize("key, build", [(k, b) for k, b, _ in CASES])
def test_fit_equals_keras(key, build):
    """Same data, initial weights, SGD and batches as real Keras: the same loss per epoch
    (penalties included) and the same weights after (constraints applied after each step)."""
    model, x, y, case = _model(key, build)
    model.compile(optimizer=kteach.optimizers.SGD(TRAINING["optimizer_lr"]),
                  loss=TRAINING["loss"])
    history = model.fit(x, y, batch_size=TRAINING["batch_size"], epochs=TRAINING["epochs"],
                        shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["loss"], rtol=2e-4, atol=1e-6)
    for got, want in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("key, build", [(k, b) for k, b, _ in CASES])
def test_check_gradients_with_regularizers(key, build):
    """Backprop plus the penalties' gradients against central differences of the full loss
    (compiled loss + model.losses), in float64."""
    model, x, y, _ = _model(key, build)
    model.compile(optimizer="sgd", loss="mse")
    report = kteach.utils.check_gradients(model, x[:3], y[:3], training=False, max_checks=30,
                                          tolerance=1e-5, atol=1e-7)
    assert report.passed, str(report)


def test_penalty_changes_the_loss_fit_reports():
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.zeros((8, 1), "float32")

    def loss_of(reg):
        kteach.utils.set_random_seed(1)
        m = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(1, kernel_regularizer=reg)])
        m.compile(optimizer="sgd", loss="mse")
        penalty = reg(m.layers[0].kernel.value) if reg else 0.0
        return m.evaluate(x, y, verbose=0), penalty

    plain, _ = loss_of(None)
    with_l2, penalty = loss_of(regularizers.L2(1.0))
    assert with_l2 == pytest.approx(plain + penalty, rel=1e-5)


def test_explain_shows_each_penalty_as_its_own_loss_step():
    kteach.utils.set_random_seed(2)
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(
        2, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1")])
    model.compile(optimizer=kteach.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    y = np.zeros((4, 2), "float32")
    kernel = model.layers[0].kernel.numpy()
    record = model.explain(x, y, apply=True)
    penalties = [s for s in record.steps if s.tag == "penalty"]
    assert [s.label for s in penalties] == ["sequential/dense/kernel", "sequential/dense/bias"]
    assert penalties[0].value == pytest.approx(0.1 * np.sum(kernel ** 2), rel=1e-6)
    np.testing.assert_allclose(penalties[0]["dpenalty/dW"], 0.2 * kernel, rtol=1e-6)
    assert "penalty = L2(l2=0.1)(W) = l2·ΣW²" in str(record)
    total = [s for s in record.steps if s.kind == "loss" and s.label == "total"][0]
    mse = np.mean((x @ kernel) ** 2)
    assert total.value == pytest.approx(mse + penalties[0].value, rel=1e-5)


def test_a_learners_layer_and_regularizer_train_through_the_penalty():
    """add_weight(regularizer=...) in a layer with call(), and a penalty function written
    with kteach.ops on a Dense: check_gradients holds backprop + penalty gradients to central
    differences of the whole loss."""
    from kteach import ops

    class Scale(kteach.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     regularizer="l2", constraint="non_neg", name="w")

        def call(self, x):
            return x * self.w

    def penalty(w):
        return 0.05 * ops.sum(ops.abs(w) ** 3)

    kteach.utils.set_random_seed(4)
    model = kteach.Sequential([kteach.Input((3,)), Scale(),
                               kteach.layers.Dense(2, kernel_regularizer=penalty)])
    model.compile(optimizer=kteach.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(1).normal(size=(6, 3)).astype("float32")
    y = np.random.default_rng(2).normal(size=(6, 2)).astype("float32")
    report = kteach.utils.check_gradients(model, x, y)
    assert report.passed, str(report)
    model.fit(x, y, epochs=2, verbose=0)
    assert np.all(model.layers[0].w.value >= 0)
    assert len(model.losses) == 2


@pytest.mark.parametrize("key, build", [(k, b) for k, b, _ in CASES])
def test_layer_configs_round_trip_with_regularizers_and_constraints(key, build):
    kteach.backend.clear_session()
    for layer in build(kteach).layers:
        written = serialize_keras_object(layer)
        again = serialize_keras_object(deserialize_keras_object(written))
        assert {**again["config"], "name": None} == {**written["config"], "name": None}


def test_check_layer_gradients_counts_the_activity_penalty():
    import kteach
    from kteach import layers
    x = np.random.default_rng(0).normal(size=(4, 2))
    dense = layers.Dense(3, activity_regularizer=kteach.regularizers.L2(0.1))
    assert kteach.utils.check_layer_gradients(dense, x).passed
