"""The third way: Keras 3 layers with call(), subclassed models, train_step, add_loss."""
import numpy as np
import pytest

import kteach
from kteach import layers, ops


class Linear(layers.Layer):
    """A learner's Dense: weights in build, the math in call, no backward."""

    def __init__(self, units=32, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        z = ops.matmul(inputs, self.kernel) + self.bias
        return ops.tanh(z) if self.activation == "tanh" else z


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, :1] * 0.5 - x[:, 1:2]).astype("float32")


def twins(make_other):
    kteach.utils.set_random_seed(0)
    reference = kteach.Sequential([kteach.Input((4,)), layers.Dense(6, activation="tanh"),
                                   layers.Dense(1)])
    other = make_other()
    return reference, other


def fit_both(reference, other, x, y, epochs=3):
    for m in (reference, other):
        m.compile(optimizer=kteach.optimizers.SGD(0.05, momentum=0.9), loss="mse", metrics=["mae"])
    h1 = reference.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    h2 = other.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(reference.get_weights(), other.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for key in h1.history:
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-5)
    return h1, h2


def test_a_call_only_layer_trains_weight_for_weight_like_dense():
    x, y = data()
    reference, custom = twins(lambda: kteach.Sequential(
        [kteach.Input((4,)), Linear(6, activation="tanh"), Linear(1)]))
    custom.set_weights(reference.get_weights())
    fit_both(reference, custom, x, y)
    assert [w.path for w in custom.weights][:2] == ["sequential_1/linear/kernel",
                                                     "sequential_1/linear/bias"]


def test_a_call_only_layer_passes_the_gradient_check_and_infers_its_output_shape():
    inputs = kteach.Input((4,))
    outputs = layers.Dense(1)(Linear(3, activation="tanh")(inputs))
    model = kteach.Model(inputs, outputs)
    assert model.layers[1].output.shape == (None, 3)     # found by running call once
    model.compile(optimizer="sgd", loss="mse")
    x, y = data(6)
    report = kteach.utils.check_gradients(model, x, y)
    assert report.passed, str(report)


class TwoLayers(kteach.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(6, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))


def test_a_subclassed_model_fits_like_its_functional_twin():
    x, y = data()

    def make():
        m = TwoLayers()
        m(x[:1])                        # build: the layers make their weights
        return m
    reference, sub = twins(make)
    sub.set_weights(reference.get_weights())
    fit_both(reference, sub, x, y)
    np.testing.assert_allclose(sub.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sub.evaluate(x, y, verbose=0), reference.evaluate(x, y, verbose=0),
                               rtol=1e-5)
    assert repr(sub) == "<TwoLayers name=two_layers, built=True>"
    assert [l.name for l in sub.layers] == ["dense_2", "dense_3"]
    assert sub.count_params() == 4 * 6 + 6 + 6 + 1


def test_a_subclassed_model_builds_from_its_first_data_and_checks_its_gradients():
    model = TwoLayers()
    assert not model.built
    model.compile(optimizer="adam", loss="mse")
    x, y = data(8)
    model.fit(x, y, epochs=1, verbose=0)
    assert model.built and len(model.trainable_weights) == 4
    assert kteach.utils.check_gradients(model, x, y).passed


def test_summary_of_a_subclassed_model_lists_its_layers():
    model = TwoLayers()
    model(np.zeros((2, 4), "float32"))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "two_layers"' in text
    assert "│ dense (Dense)" in text and "│ dense_1 (Dense)" in text
    assert "Total params: 37" in text and "Not built yet" not in text


class CustomStep(kteach.Model):
    """The customizing-fit guide's train_step, with kteach's GradientTape."""

    def train_step(self, data):
        x, y = data
        with kteach.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_an_overridden_train_step_gives_what_fit_gives():
    x, y = data()

    def make():
        inputs = kteach.Input((4,))
        return CustomStep(inputs, layers.Dense(1)(layers.Dense(6, activation="tanh")(inputs)))
    reference, custom = twins(make)
    custom.set_weights(reference.get_weights())
    fit_both(reference, custom, x, y, epochs=2)


class Penalty(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs * inputs) * 0.01)
        return inputs


def test_add_loss_enters_the_loss_and_its_gradient():
    kteach.utils.set_random_seed(0)
    inputs = kteach.Input((4,))
    hidden = Penalty()(layers.Dense(3)(inputs))
    model = kteach.Model(inputs, layers.Dense(1)(hidden))
    model.compile(optimizer="sgd", loss="mse")
    x, y = data(8)
    h_values = model.predict(x, verbose=0)
    dense = model.layers[1]
    hid = x @ dense.kernel.value + dense.bias.value
    expected = float(np.mean((h_values - y) ** 2) + 0.01 * np.sum(hid * hid))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert kteach.utils.check_gradients(model, x, y).passed


def test_explain_lists_the_ops_inside_a_custom_layer():
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((4,)), Linear(2, activation="tanh"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data(3)
    record = model.explain(x, y)
    rows = [(s.kind, s.path) for s in record]
    assert rows[:4] == [("forward", "linear"), ("forward", "linear/matmul"),
                        ("forward", "linear/add"), ("forward", "linear/tanh")]
    backward = [p for k, p in rows if k == "backward"]
    assert backward == ["dense", "linear", "linear/tanh", "linear/add", "linear/matmul"]
    matmul = record[1]
    assert matmul.formula == "y = x1 @ x2 : (3, 4), (4, 2) → (3, 2)"
    np.testing.assert_allclose(matmul["y"], x @ model.layers[0].kernel.value, rtol=1e-6)
    assert "linear/matmul" in str(record)


def test_a_call_that_returns_no_array_is_refused_clearly():
    class Broken(layers.Layer):
        def call(self, inputs):
            return "oops"
    with pytest.raises(TypeError, match="The call\\(\\) of layer 'broken' \\(Broken\\) returned "
                                        "str 'oops', not an array"):
        Broken()(np.ones((2, 3)))


def test_a_layer_called_with_two_inputs_gets_both():
    class Difference(layers.Layer):
        def call(self, a, b):
            return a - b
    out = Difference()(np.array([[3.0]]), np.array([[1.0]]))
    np.testing.assert_array_equal(out, [[2.0]])


def test_add_weight_keyword_and_positional_forms():
    class Both(layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(2,), initializer="ones", name="a")
            self.b = self.add_weight("b", (3,), kteach.initializers.Zeros())
            self.c = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            return x
    layer = Both()
    layer(np.ones((1, 2)))
    assert [(w.name, w.shape, w.trainable) for w in layer.weights] == [
        ("a", (2,), True), ("b", (3,), True), ("variable_2", (), False)]
    with pytest.raises(kteach.engine.errors.UnknownArgumentError, match="initialiser"):
        layer.add_weight(shape=(1,), initialiser="zeros")


class LogisticLoss(layers.Layer):
    """An output layer that adds its own loss (the built-in-methods guide's endpoint)."""

    def call(self, targets, logits):
        self.add_loss(kteach.losses.BinaryCrossentropy(from_logits=True)(targets, logits))
        return ops.sigmoid(logits)


def endpoint_model():
    kteach.utils.set_random_seed(0)
    inputs, targets = kteach.Input((3,), name="inputs"), kteach.Input((2,), name="targets")
    logits = layers.Dense(2)(inputs)
    return kteach.Model([inputs, targets], LogisticLoss(name="predictions")(targets, logits))


def test_a_model_compiled_without_a_loss_trains_on_its_add_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    t = (x[:, :2] > 0).astype("float32")
    model = endpoint_model()
    model.compile(optimizer=kteach.optimizers.SGD(0.5))
    dense = model.layers[2]
    z = x @ dense.kernel.value + dense.bias.value
    expected = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    history = model.fit({"inputs": x, "targets": t}, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_model_with_no_loss_at_all_is_refused_and_unchanged():
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd")
    before = model.get_weights()
    with pytest.raises(ValueError, match="No loss to compute. Provide a `loss` argument in "
                                         "`compile\\(\\)`.*may be compiled without a loss"):
        model.fit(np.ones((4, 3)), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_get_config_of_a_learners_layer_as_keras():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    with pytest.raises(NotImplementedError, match="Layer Scale has arguments \\['factor'\\] in "
                                                  "`__init__\\(\\)` and therefore must override "
                                                  "`get_config\\(\\)`"):
        Scale(3.0).get_config()

    class Configured(Scale):
        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    layer = Configured(3.0, name="triple")
    config = layer.get_config()
    assert config == {"name": "triple", "trainable": True, "dtype": "float32", "factor": 3.0}
    again = Configured.from_config(config)
    assert again.factor == 3.0 and again.name == "triple"
    assert Penalty().get_config() == {"name": "penalty", "trainable": True, "dtype": "float32"}
