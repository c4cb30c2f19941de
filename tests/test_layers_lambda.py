"""layers.Lambda: a function as a layer; its backward comes from the layer's tape."""
import sys

import numpy as np
import pytest

import kteach
from kteach import GradientTape, Input, Model, Sequential, layers, ops
from kteach.engine.errors import NotSupportedError, ShapeError
from kteach.utils import check_gradients, check_layer_gradients

rng = np.random.default_rng(0)
X = rng.normal(size=(10, 3)).astype("float32")
Y = rng.normal(size=(10, 2)).astype("float32")


def relu_model(kind, middle):
    """Dense(4) -> middle -> Dense(2), as a functional or a Sequential model, same weights."""
    kteach.utils.set_random_seed(5)
    if kind == "sequential":
        return Sequential([Input((3,)), layers.Dense(4), middle, layers.Dense(2)])
    inp = Input((3,))
    return Model(inp, layers.Dense(2)(middle(layers.Dense(4)(inp))))


class WeightsPerBatch(kteach.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(self.model.get_weights())


def train(model):
    model.compile(optimizer="adam", loss="mse")
    record = WeightsPerBatch()
    history = model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[record])
    return record.seen, history.history["loss"]


# ----- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_values_are_the_function_of_the_input(kind):
    model = relu_model(kind, layers.Lambda(lambda x: ops.relu(x)))
    W1, b1, W2, b2 = model.get_weights()
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model(X), expected, rtol=1e-6, atol=1e-7)


def test_arguments_are_passed_to_the_function():
    scale = layers.Lambda(lambda x, k, shift=0.0: k * x + shift, arguments={"k": 3.0, "shift": 1.0})
    np.testing.assert_allclose(scale(X), 3 * X + 1, rtol=1e-6)
    assert scale.arguments == {"k": 3.0, "shift": 1.0}


def test_several_inputs_and_numpy_operators_inside():
    a, b = Input((3,)), Input((3,))
    both = layers.Lambda(lambda xs: np.tanh(xs[0]) * xs[1] + xs[0] ** 2)([a, b])
    model = Model([a, b], layers.Dense(1)(both))
    x2 = rng.normal(size=X.shape).astype("float32")
    W, bias = model.get_weights()
    expected = (np.tanh(X) * x2 + X ** 2) @ W + bias
    np.testing.assert_allclose(model.predict([X, x2], verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_a_function_may_ask_for_training():
    seen = []

    def noisy(x, training=None):
        seen.append(training)
        return x + 1.0 if training else x

    model = relu_model("sequential", layers.Lambda(noisy))
    model.compile(optimizer="sgd", loss="mse")
    seen.clear()
    model.fit(X, Y, batch_size=10, epochs=1, verbose=0)
    model.predict(X, verbose=0)
    assert seen == [True, False]


def test_the_same_lambda_takes_inputs_of_any_shape():
    square = layers.Lambda(lambda x: ops.square(x))
    np.testing.assert_allclose(square(X), X ** 2)
    wide = np.ones((2, 7), "float32")
    np.testing.assert_allclose(square(wide), wide)


# ----- gradients -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["functional", "sequential"])
@pytest.mark.parametrize("function", [lambda x: ops.tanh(x) * x, lambda x: x[:, :3] ** 3 - x[:, 1:],
                                      lambda x: ops.sum(ops.exp(x), axis=-1, keepdims=True) + x],
                         ids=["tanh*x", "slices", "sum-exp"])
def test_gradients_through_a_lambda_match_central_differences(kind, function):
    model = relu_model(kind, layers.Lambda(function))
    model.compile(optimizer="sgd", loss="mse")
    report = check_gradients(model, X[:5], Y[:5])
    assert report.passed, str(report)
    assert len(report) == 4


def test_the_input_gradient_of_a_lambda_matches_central_differences():
    one = check_layer_gradients(layers.Lambda(lambda x: ops.sin(x) * x), X.astype("float64"))
    assert one.passed and [c.name for c in one] == ["input"]
    two = check_layer_gradients(layers.Lambda(lambda xs: xs[0] * ops.exp(xs[1])),
                                [X.astype("float64"), Y[:, :1].astype("float64")])
    assert two.passed and [c.name for c in two] == ["input 0", "input 1"]


def test_a_lambda_under_a_gradient_tape_is_one_step():
    cube = layers.Lambda(lambda x: x ** 3, name="cube")
    x = ops.convert_to_tensor(X)
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(cube(x))
    assert [e.name for e in tape.entries] == ["cube", "sum"]
    np.testing.assert_allclose(tape.gradient(y, x), 3 * X ** 2, rtol=1e-6)


# ----- training --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_a_relu_lambda_trains_exactly_like_activation_relu(kind):
    by_lambda = train(relu_model(kind, layers.Lambda(lambda x: ops.relu(x))))
    by_layer = train(relu_model(kind, layers.Activation("relu")))
    assert len(by_lambda[0]) == 9
    for step_a, step_b in zip(by_lambda[0], by_layer[0]):
        for a, b in zip(step_a, step_b):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by_lambda[1], by_layer[1], rtol=1e-6)


# ----- shapes and summary ----------------------------------------------------------------------
def summary_row(model, name, capsys):
    model.summary()
    return next(line for line in capsys.readouterr().out.splitlines() if f"{name} (Lambda)" in line)


@pytest.mark.parametrize("kwargs, shape", [
    ({}, "(None, 2)"),                                            # found by running it
    ({"output_shape": (2,)}, "(None, 2)"),                        # without the batch axis
    ({"output_shape": lambda s: (s[0], 2)}, "(None, 2)"),         # the whole shape
])
def test_output_shape_and_summary(kwargs, shape, capsys):
    inp = Input((3,))
    out = layers.Lambda(lambda x: x[:, :2], name="first_two", **kwargs)(inp)
    assert out.shape == (None, 2)
    row = summary_row(Model(inp, out), "first_two", capsys)
    assert row.split("│")[2].strip() == shape and row.split("│")[3].strip() == "0"
    seq = Sequential([Input((3,)), layers.Lambda(lambda x: ops.mean(x, axis=-1), name="avg")])
    assert seq.output_shape == (None,)
    assert summary_row(seq, "avg", capsys).split("│")[2].strip() == "(None)"   # as Keras prints it


def test_several_outputs():
    inp = Input((4,))
    left, right = layers.Lambda(lambda x: [x[:, :1], x[:, 1:]], name="split")(inp)
    assert (left.shape, right.shape) == ((None, 1), (None, 3))
    declared = layers.Lambda(lambda x: [x[:, :1], x[:, 1:]], output_shape=[(1,), (3,)])(inp)
    assert [t.shape for t in declared] == [(None, 1), (None, 3)]


def test_formula_shows_the_function():
    relu = layers.Lambda(lambda x: ops.relu(x))
    assert relu.formula((4, 3), (4, 3)) == (
        "y = f(x), f = lambda x: ops.relu(x) : (4, 3) → (4, 3)"
        if sys.version_info >= (3, 11) else "y = <lambda>(x) : (4, 3) → (4, 3)")

    def double(x, k):
        return k * x

    assert layers.Lambda(double, arguments={"k": 2}).formula((4, 3), (4, 3)) == \
        "y = double(x, k=2) : (4, 3) → (4, 3)"


# ----- errors ----------------------------------------------------------------------------------
def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="Lambda needs a function as its first argument"):
        layers.Lambda(3)
    with pytest.raises(TypeError, match=r"Lambda\(arguments=\.\.\.\) must be a dict"):
        layers.Lambda(lambda x, k: x, arguments=[2])
    with pytest.raises(TypeError, match=r"Lambda\(output_shape=\.\.\.\) must be a tuple such as"):
        layers.Lambda(lambda x: x, output_shape="3")
    with pytest.raises(NotSupportedError, match=r"Lambda\(mask=...\) is not supported"):
        layers.Lambda(lambda x: x, mask=lambda inputs, mask: mask)
    with pytest.raises(TypeError, match="Did you mean 'output_shape'"):
        layers.Lambda(lambda x: x, output_shap=(3,))


def test_a_wrong_declared_output_shape_is_caught_when_it_runs():
    model = Sequential([Input((3,)), layers.Lambda(lambda x: x[:, :2], output_shape=(3,),
                                                   name="liar"), layers.Dense(1)])
    with pytest.raises(ShapeError, match=r"Lambda 'liar' was given output_shape=\(3,\), so the "
                       r"model was built for outputs of shape \(None, 3\), but its function "
                       r"returned shape \(10, 2\)"):
        model.predict(X, verbose=0)


def test_a_function_that_fails_on_the_shape_run_says_where():
    inp = Input((3,))
    with pytest.raises(ShapeError) as info:
        layers.Lambda(lambda x: ops.matmul(x, np.ones((4, 2))), name="bad")(inp)
    if sys.version_info >= (3, 11):
        assert "while Lambda 'bad' ran its function once on zeros of shape (None, 3)" in \
            "".join(info.value.__notes__)
