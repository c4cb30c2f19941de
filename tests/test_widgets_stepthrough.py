"""StepThrough driven without a browser: click Next / Previous, check what the panel shows."""
import html
import re

import numpy as np
import pytest

import kteach
from kteach.engine import random as kteach_random
from kteach.engine.recording import values_text
from kteach.layers import Dense, Input
from kteach.models import Model, Sequential
from kteach.optimizers import SGD
from kteach.widgets import StepThrough

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.5], [-1.0, 2.0, 0.8], [0.2, 0.4, 0.6]],
             dtype="float32")
LABELS = np.array([0, 1, 2, 1])


def small_model():
    model = Sequential([Input(shape=(3,)), Dense(4, activation="relu"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=0.1, momentum=0.9),
                  loss="categorical_crossentropy")
    return model


def orange_boxes(source: str) -> list[str]:
    """The boxes drawn highlighted in DOT text: their table has the orange border."""
    return re.findall(r'"([^"]+)" \[label=<<table border="3" color="darkorange"', source)


def test_next_previous_first_last_move_through_the_record():
    steps = StepThrough(small_model(), X, kteach.utils.to_categorical(LABELS, 3))
    assert len(steps) == 9        # 2 forward, 1 loss, 2 backward, 4 updates (kernel and bias)
    assert steps.index == 0 and steps.caption() == "step 1 of 9: forward through dense"
    assert steps.first_button.disabled and steps.previous_button.disabled
    assert not steps.next_button.disabled
    for _ in range(3):
        steps.next_button.click()
    assert steps.index == 3 and steps.step is steps.record[3]
    assert steps.caption() == "step 4 of 9: backward through dense_1"
    assert "step <b>4</b> of 9" in steps.caption_html.value
    assert steps.slider.value == 4 and steps.phase_buttons.value == "backward"
    steps.previous_button.click()
    assert steps.caption() == "step 3 of 9: loss of dense_1"
    steps.last_button.click()
    assert steps.caption() == "step 9 of 9: update of sequential/dense_1/bias"
    assert steps.next_button.disabled and steps.last_button.disabled
    steps.next_button.click()                        # at the end: stays
    assert steps.index == 8
    steps.first_button.click()
    assert steps.index == 0 and steps.phase_buttons.value == "forward"


def test_slider_and_phase_buttons_jump():
    steps = StepThrough(small_model(), X, kteach.utils.to_categorical(LABELS, 3))
    steps.slider.value = 5                             # the slider counts from 1
    assert steps.index == 4 and steps.caption() == "step 5 of 9: backward through dense"
    steps.phase_buttons.value = "update"
    assert steps.index == 5 and steps.slider.value == 6
    steps.phase_buttons.value = "loss"
    assert steps.index == 2
    steps.go(-1)
    assert steps.index == 8
    with pytest.raises(IndexError, match="There is no step 9: this record has 9 steps, "
                                         "numbered 0 to 8"):
        steps.go(9)


def test_the_current_layer_is_highlighted_on_the_diagram():
    steps = StepThrough(small_model(), X, kteach.utils.to_categorical(LABELS, 3))
    expected = ["dense", "dense_1", "dense_1", "dense_1", "dense",      # forward, loss, backward
                "dense", "dense", "dense_1", "dense_1"]                   # updates
    for k, name in enumerate(expected):
        steps.go(k)
        assert steps.highlighted == [name]
        assert orange_boxes(steps.diagram.source) == [name]
    steps.go(3)
    svg = steps.diagram_html.value
    assert svg.startswith("<svg") and "dense_1" in svg     # drawn by Graphviz, no XML prolog


def test_the_diagram_falls_back_to_dot_text_without_graphviz(monkeypatch):
    from kteach.viz import diagram as diagram_module
    from kteach.viz.render import GraphvizNotFoundError

    def no_graphviz(self):
        raise GraphvizNotFoundError("Drawing a diagram needs Graphviz")
    monkeypatch.setattr(diagram_module.Diagram, "svg", no_graphviz)
    steps = StepThrough(small_model(), X, kteach.utils.to_categorical(LABELS, 3))
    steps.next_button.click()
    shown = html.unescape(steps.diagram_html.value)
    assert shown.startswith("<pre") and "Drawing a diagram needs Graphviz" in shown
    assert orange_boxes(shown) == ["dense_1"]        # the DOT text, dense_1 highlighted


def test_forward_and_backward_steps_show_formula_and_arrays():
    model = small_model()
    y = kteach.utils.to_categorical(LABELS, 3)
    steps = StepThrough(model, X, y)
    W1, b1, W2, b2 = model.get_weights()
    h = np.maximum(X @ W1 + b1, 0)
    formula = "y = relu(z), z = x·W + b : (4, 3)·(3, 4) + (4,) → (4, 4)"
    assert html.escape(formula) in steps.details_html.value
    text = steps.details_text()
    assert text.splitlines()[:2] == ["forward through dense   (record[0])", "  " + formula]
    assert [line.strip() for line in text.splitlines() if line.endswith(":")] == \
        ["input:", "weights:", "output:"]
    assert values_text(h) in steps.details_text().replace("\n      ", "\n")
    steps.go(3)                                       # backward through dense_1
    z2 = h @ W2 + b2
    p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    dz2 = (p - y) / 4
    np.testing.assert_allclose(steps.step["dkernel"], h.T @ dz2, atol=1e-6)
    text = steps.details_text()
    assert "  dy (4, 3) → dx (4, 4), dkernel (4, 3), dbias (3,)" in text
    assert [line.strip() for line in text.splitlines() if line.endswith(":")] == \
        ["gradient arriving, dLoss/dy:", "gradient passed on, dLoss/dx:",
         "weight gradients, dLoss/dw:"]
    assert values_text(steps.step["dbias"]) in text
    np.testing.assert_allclose(steps.step["dbias"], dz2.sum(axis=0), atol=1e-6)
    assert "<b>dkernel</b>" in steps.details_html.value


def test_an_update_step_shows_the_rule_and_before_and_after():
    model = small_model()
    steps = StepThrough(model, X, kteach.utils.to_categorical(LABELS, 3))
    steps.phase_buttons.value = "update"
    step = steps.step
    assert steps.caption() == "step 6 of 9: update of sequential/dense/kernel"
    assert "v ← 0.9·v − 0.1·g;  w ← w + v" in steps.details_html.value
    # momentum starts at 0, so v_new = -0.1·g and w_new = w - 0.1·g
    w, g = model.get_weights()[0], step["g"]
    np.testing.assert_allclose(step["w_new"], w - 0.1 * g, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(step["w"], w)
    text = steps.details_text()
    before_after = text.split("  before → after:\n")[1].split("  change:")[0]
    names = [line.split()[0] for line in before_after.splitlines() if "float32" in line]
    assert names == ["w", "w_new", "momentum", "momentum_new"]
    assert values_text(step["w_new"]) in text.replace("\n      ", "\n")
    # the HTML shows before and after side by side: one table row per pair
    table = steps.details_html.value.split("<table>")[1].split("</table>")[0]
    assert table.count("<tr>") == 2 and table.index("<b>w</b>") < table.index("<b>w_new</b>")


def test_the_model_is_not_changed_by_the_widget():
    model = small_model()
    before = [w.copy() for w in model.get_weights()]
    rng_before = kteach_random.get_state()
    steps = StepThrough(model, X, kteach.utils.to_categorical(LABELS, 3))
    for _ in range(len(steps)):
        steps.next_button.click()
    steps.slider.value = 2
    steps.refresh()
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert model.optimizer.iterations == 0
    assert str(kteach_random.get_state()) == str(rng_before)
    assert all(v.grad is None for v in model.trainable_weights)


def test_refresh_records_the_step_again_after_training():
    model = small_model()
    y = kteach.utils.to_categorical(LABELS, 3)
    steps = StepThrough(model, X, y)
    first_loss = steps.record.total_loss
    steps.go(4)
    model.fit(X, y, epochs=5, verbose=0)
    steps.refresh()
    assert steps.index == 0 and steps.record.total_loss < first_loss
    np.testing.assert_array_equal(steps.record[0]["kernel"], model.get_weights()[0])


def test_nested_model_shared_layer_and_two_outputs():
    encoder = Sequential([Input(shape=(3,)), Dense(2, name="inner")], name="encoder")
    a = Input(shape=(3,), name="a")
    shared = Dense(3, name="shared")
    e = encoder(shared(shared(a)))
    model = Model(a, [Dense(1, name="o1")(e), Dense(2, activation="softmax", name="o2")(e)])
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"])
    y = [np.array([[0.5], [1.0], [-1.0], [0.0]], dtype="float32"), LABELS % 2]
    steps = StepThrough(model, X, y)
    shown = {}
    for k in range(len(steps)):
        steps.go(k)
        shown[steps.caption().split(": ", 1)[1]] = steps.highlighted
        assert orange_boxes(steps.diagram.source) == steps.highlighted
    assert shown["forward through shared (call 1)"] == ["shared"]
    assert shown["forward through encoder"] == ["inner"]        # the frame's layers
    assert shown["backward through encoder/inner"] == ["inner"]
    assert shown["total loss"] == ["o1", "o2"]
    assert shown["update of encoder/inner/kernel"] == ["inner"]


def test_without_targets_only_the_forward_pass():
    steps = StepThrough(small_model(), X)
    assert len(steps) == 2 and steps.phase_buttons.options == ("forward",)
    steps.next()
    assert steps.caption() == "step 2 of 2: forward through dense_1"
    assert repr(steps) == "<StepThrough: step 2 of 2: forward through dense_1>"


def test_widgets_package_lists_it():
    import kteach.widgets
    assert "StepThrough" in dir(kteach.widgets) and "StepThrough" in kteach.widgets.__all__
