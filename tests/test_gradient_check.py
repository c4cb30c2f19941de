"""check_gradients / check_layer_gradients: backprop against central differences in float64."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from kteach.engine import random as kr
from kteach.utils import check_gradients, check_layer_gradients
from kteach.utils.gradient_check import GradientCheck, GradientReport

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 2.0, 0.75], [0.1, 0.2, 0.3],
              [0.7, -0.3, -1.2]], "float32")
Y = kteach.utils.to_categorical([0, 1, 2, 1, 0], 3).astype("float32")


def test_a_correct_model_passes_and_is_left_exactly_as_it_was():
    kteach.utils.set_random_seed(0)
    model = Sequential([Input((3,)), layers.Dense(5, activation="tanh"), layers.Dropout(0.4),
                        layers.Dense(4, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    arrays = [v.value for v in model.weights]
    before = [a.tobytes() for a in arrays]
    state = kr.get_state()
    report = check_gradients(model, X, Y)
    assert report.passed and bool(report) and report.failed == []
    assert [c.name for c in report] == [v.path for v in model.trainable_weights]
    assert all(c.relative_error < 1e-7 for c in report)
    assert report["sequential/dense/kernel"].checked == 15
    assert all(v.value is a for v, a in zip(model.weights, arrays))       # the same float32 arrays
    assert [a.tobytes() for a in arrays] == before and arrays[0].dtype == np.float32
    assert kr.get_state() == state                                        # dropout draws undone
    assert model.optimizer.iterations == 0 and all(v.grad is None for v in model.weights)


def test_shared_layers_and_several_outputs_pass():
    kteach.utils.set_random_seed(1)
    inp = Input((3,))
    shared = layers.Dense(3, activation="sigmoid", name="shared")
    h = shared(shared(inp))
    reg = layers.Dense(2, name="reg")(layers.Concatenate()([h, inp]))
    cls = layers.Dense(1, activation="sigmoid", name="cls")(layers.Add()([h, inp]))
    model = Model(inp, [reg, cls])
    model.compile(optimizer="sgd", loss=["mse", "binary_crossentropy"], loss_weights=[1.0, 0.3])
    y_cls = np.array([[1], [0], [1], [1], [0]], "float32")
    report = check_gradients(model, X, [X[:, :2], y_cls])
    assert report.passed, str(report)
    assert len(report) == 6


class OffByTenPercent(layers.Dense):
    """A Dense layer whose backward gets the kernel's gradient 10% too large."""

    def backward(self, cache, dy):
        dx, (dW, db) = super().backward(cache, dy)
        return dx, [1.1 * dW, db]


def test_a_broken_backward_is_caught():
    kteach.utils.set_random_seed(2)
    model = Sequential([Input((3,)), OffByTenPercent(4, activation="tanh", name="broken"),
                        layers.Dense(2, name="fine")], name="m")
    model.compile(optimizer="sgd", loss="mse")
    report = check_gradients(model, X, np.ones((5, 2), "float32"))
    assert not report.passed
    assert [c.name for c in report.failed] == ["m/broken/kernel"]
    bad = report["m/broken/kernel"]
    # backprop = 1.1·true, numeric = true, so ‖a − n‖/(‖a‖ + ‖n‖) = 0.1/2.1
    assert bad.relative_error == pytest.approx(0.1 / 2.1, rel=1e-6)
    assert bad.worst_backprop == pytest.approx(1.1 * bad.worst_numeric, rel=1e-6)
    i = np.unravel_index(np.nanargmax(np.abs(bad.backprop - bad.numeric)), bad.shape)
    assert bad.worst_index == tuple(int(k) for k in i)
    text = str(report)
    assert text.splitlines()[0] == ("Gradient check of model 'm' (central differences, eps=1e-06, "
                                    "float64, tolerance 1e-06): 3 of 4 arrays agree, 1 FAIL")
    assert text.splitlines()[2].startswith("m/broken/kernel  (3, 4)  4.8e-02")
    assert text.splitlines()[2].endswith("FAIL")
    assert "<tr style='color:#b00020;font-weight:bold'><td style='text-align:left'>m/broken/kernel" \
        in report._repr_html_()


class Cube(layers.Layer):
    """A learner's layer: y = x³, dx = 3x²·dy (or, when wrong, 3x·dy)."""

    def __init__(self, wrong=False, **kwargs):
        super().__init__(**kwargs)
        self.wrong = wrong

    def forward(self, x, training=False):
        return x ** 3, x

    def backward(self, x, dy):
        return (3 * x if self.wrong else 3 * x ** 2) * dy, []


class Scale(layers.Layer):
    """A learner's layer with a weight: y = x·s (s one number per feature)."""

    def build(self, input_shape):
        self.s = self.add_weight("s", (input_shape[-1],), lambda shape, dtype: np.full(shape, 0.5, dtype))

    def forward(self, x, training=False):
        return x * self.s.value, x

    def backward(self, x, dy):
        return dy * self.s.value, [(dy * x).sum(axis=0)]


def test_a_learners_layer_is_checked_input_and_weights():
    good = check_layer_gradients(Cube(name="cube"), X)
    assert good.passed and [c.name for c in good] == ["input"]
    bad = check_layer_gradients(Cube(wrong=True, name="cube_wrong"), X)
    assert not bad.passed and bad["input"].relative_error > 0.1
    scale = Scale(name="scale")
    report = check_layer_gradients(scale, X)               # builds the layer from X first
    assert scale.built and report.passed
    assert [c.name for c in report] == ["input", "scale/s"]
    assert scale.s.value.dtype == np.float32 and np.all(scale.s.value == 0.5)
    two = check_layer_gradients(layers.Concatenate(), [X, X[:, :1]])
    assert [c.name for c in two] == ["input 0", "input 1"] and two.passed


def test_max_checks_spreads_the_entries_evenly():
    kteach.utils.set_random_seed(3)
    dense = layers.Dense(6)
    report = check_layer_gradients(dense, X, max_checks=4)
    kernel = report[f"{dense.name}/kernel"]
    assert kernel.checked == 4
    checked = np.flatnonzero(~np.isnan(kernel.numeric))
    np.testing.assert_array_equal(checked, [0, 6, 11, 17])        # linspace(0, 17, 4), rounded
    assert report.passed


def test_error_measure_and_table_by_hand():
    a = np.array([1.0, 2.0, -3.0])
    n = np.array([1.0, 2.5, -3.0])
    check = GradientCheck("w", a, n, np.arange(3), tolerance=1e-6, atol=1e-8)
    # ‖a − n‖ = 0.5, ‖a‖ = √14, ‖n‖ = √16.25
    assert check.relative_error == pytest.approx(0.5 / (np.sqrt(14) + np.sqrt(16.25)), rel=1e-12)
    assert check.max_abs_error == 0.5 and check.worst_index == (1,) and not check.passed
    zero = GradientCheck("b", np.zeros(2), np.zeros(2), np.arange(2), 1e-6, 1e-8)
    assert zero.relative_error == 0.0 and zero.passed
    noise = GradientCheck("c", np.array([1e-12]), np.array([3e-12]), np.arange(1), 1e-6, 1e-8)
    assert noise.relative_error == pytest.approx(0.5) and noise.passed   # below atol: rounding
    report = GradientReport([check, zero], eps=1e-6, tolerance=1e-6, what="hand")
    assert str(report) == (
        "Gradient check of hand (central differences, eps=1e-06, float64, tolerance 1e-06): "
        "1 of 2 arrays agree, 1 FAIL\n"
        "array  shape  rel. error  max |diff|  worst at  backprop  numeric   result\n"
        "w      (3,)   6.4e-02     5.0e-01     (1,)      2.000000  2.500000  FAIL\n"
        "b      (2,)   0.0e+00     0.0e+00     (0,)      0.000000  0.000000  ok")
    with pytest.raises(KeyError, match="No array 'v' was checked; the names are: w, b."):
        report["v"]


def test_arrays_in_any_memory_layout_are_perturbed_for_real():
    """A transposed (Fortran-ordered) weight or input, like the orthogonal initializer's, must
    be nudged in the array the layer reads, not in a flattened copy."""
    kteach.utils.set_random_seed(4)
    dense = layers.Dense(4, activation="tanh")
    dense(X)
    dense.kernel.value = np.asfortranarray(dense.kernel.value)
    x_fortran = np.asfortranarray(X)
    report = check_layer_gradients(dense, x_fortran)
    assert report.passed, str(report)
    assert not np.isnan(report["input"].numeric).any()
    assert np.abs(report[f"{dense.name}/kernel"].numeric).min() > 0
    lstm = Sequential([Input((2, 3)), layers.LSTM(3), layers.Dense(1)])
    lstm.compile(optimizer="sgd", loss="mse")
    assert lstm.layers[0].recurrent_kernel.value.flags["F_CONTIGUOUS"]   # orthogonal init
    assert check_gradients(lstm, X[:4].reshape(2, 2, 3), np.ones((2, 1), "float32")).passed


def test_a_layer_with_nothing_to_differentiate_says_so():
    report = check_layer_gradients(layers.StringLookup(vocabulary=["a", "b"]),
                                   np.array([["a", "b", "c"]]))
    said = ("Gradient check of layer '{}': nothing to check. It has no weights and no float "
            "input (token ids and strings have no gradient), so no array was compared.")
    assert str(report) == said.format(report.what.split("'")[1])
    assert report.checks == [] and "<table>" not in report._repr_html_()
