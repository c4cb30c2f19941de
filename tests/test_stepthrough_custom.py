"""StepThrough and the record's renderings over a learner's own code: a layer with call() in a
Sequential model (its ops are steps of their own, its box stays highlighted), a subclassed
model that only calls layers (drawn from traced_graph), and one whose call() needs the
numbers (no diagram: a note instead, and the steps all the same)."""
import re

import numpy as np

import kteach
from kteach import Input, Model, Sequential, layers, ops
from kteach.engine.recording import OpStep
from kteach.widgets import StepThrough


class Linear(layers.Layer):
    """A learner's Dense: the math in call() with ops, the backward from the tape."""

    def __init__(self, units=2, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        z = ops.matmul(inputs, self.kernel) + self.bias
        return ops.tanh(z) if self.activation == "tanh" else z


class LayersOnly(Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(3, activation="relu", name="hidden")
        self.mine = Linear(2, name="mine")
        self.out = layers.Dense(1, name="out")

    def call(self, inputs):
        return self.out(self.mine(self.hidden(inputs)))


class NeedsNumbers(Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(3, name="hidden")
        self.out = layers.Dense(1, name="out")

    def call(self, inputs):
        h = ops.tanh(self.hidden(inputs))
        return self.out(h * (1.0 / (1.0 + float(ops.max(ops.abs(h))))))


X = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
Y = X[:, :1] - X[:, 1:2]


def orange_boxes(source: str) -> list[str]:
    """The boxes drawn highlighted in DOT text: their table has the orange border."""
    return re.findall(r'"([^"]+)" \[label=<<table border="3" color="darkorange"', source)


def custom_sequential():
    kteach.utils.set_random_seed(0)
    model = Sequential([Input((5,)), Linear(2, activation="tanh", name="mine"),
                        layers.Dense(1, name="out")], name="seq")
    model.compile(optimizer="sgd", loss="mse")
    return model


# ----- (a) a learner's layer in a Sequential model ------------------------------------------------
def test_op_steps_of_a_learners_layer_come_in_order_with_its_box_highlighted():
    steps = StepThrough(custom_sequential(), X, Y)
    rows = [(s.kind, s.path, isinstance(s, OpStep)) for s in steps.record]
    assert rows[:6] == [("forward", "mine", False), ("forward", "mine/matmul", True),
                        ("forward", "mine/add", True), ("forward", "mine/tanh", True),
                        ("forward", "out", False), ("loss", "out", False)]
    assert [p for k, p, _ in rows if k == "backward"] == [
        "out", "mine", "mine/tanh", "mine/add", "mine/matmul"]
    expected = ["mine", "mine", "mine", "mine", "out", "out", "out", "mine", "mine", "mine",
                "mine", "mine", "mine", "out", "out"]
    for k, name in enumerate(expected):
        steps.go(k)
        assert steps.highlighted == [name], steps.caption()
        assert orange_boxes(steps.diagram.source) == [name]
    steps.go(1)
    assert steps.caption() == "step 2 of 15: forward through the op mine/matmul"
    assert "forward through the op mine/matmul" in steps.caption_html.value
    assert "<svg" in steps.diagram_html.value and "highlighted: mine" in steps.diagram_html.value
    text = steps.details_text()
    assert text.splitlines()[:4] == ["forward through the op mine/matmul   (record[1])",
                                     "  y = x1 @ x2 : (3, 5), (5, 2) → (3, 2)",
                                     "  an op inside mine's call()",
                                     "  x2 is the weight seq/mine/kernel"]
    assert "  input:\n    x1  (3, 5) float32" in text and "    x2  (5, 2) float32" in text
    assert "  output:\n    y  (3, 2) float32" in text
    details = steps.details_html.value
    assert "<code style='color:#1f77b4;font-size:13px'>y = x1 @ x2 : (3, 5), (5, 2) → (3, 2)" \
           in details
    assert "<b>input</b>" in details and "<b>x2</b>" in details and "<b>output</b>" in details
    steps.go(9)                                                # backward through mine/add
    assert steps.step.formula == "dy (3, 2) → dx1 (3, 2), dx2 (2,)"
    text = steps.details_text()
    assert "gradient arriving, dLoss/dy:\n    dy  (3, 2)" in text
    assert "gradient passed on, dLoss/dx:\n    dx1  (3, 2) float32" in text and "dx2  (2,)" in text
    np.testing.assert_allclose(steps.step["dx2"], steps.step["dy"].sum(axis=0), rtol=1e-6)


def test_the_record_shows_op_steps_indented_under_their_layer():
    record = custom_sequential().explain(X, Y)
    lines = str(record).splitlines()
    assert lines[1].split() == ["#", "kind", "step", "formula"]
    assert re.match(r" 0  forward   mine {10,}y = Linear\(x\)", lines[2])   # no "(call 0)"
    assert re.match(r" 1  forward     op mine/matmul +y = x1 @ x2 : \(3, 5\), \(5, 2\)", lines[3])
    assert re.match(r" 3  forward     op mine/tanh +y = tanh\(x\)", lines[5])
    assert re.match(r" 9  backward    op mine/add +dy \(3, 2\) → dx1 \(3, 2\), dx2 \(2,\)",
                    lines[11])
    assert str(record[1]).splitlines()[:3] == ["[1] forward op · mine/matmul",
                                               "    y = x1 @ x2 : (3, 5), (5, 2) → (3, 2)",
                                               "    an op inside mine's call()"]
    page = record._repr_html_()
    rows = re.findall(r"<tr(?: class='([^']*)')?><td[^>]*>(\d+)</td><td[^>]*>(\w+)</td>"
                      r"<td[^>]*>(.*?)</td>", page)
    assert rows[0] == ("", "0", "forward", "mine")
    assert rows[1] == ("kteach-op", "1", "forward", "&nbsp;&nbsp;<span class='kteach-tag' "
                       "style='color:#777;font-size:85%'>op</span> mine/matmul")
    assert [r[1] for r in rows if r[0] == "kteach-op"] == ["1", "2", "3", "8", "9", "10"]
    assert "<code>y = x1 @ x2 : (3, 5), (5, 2) → (3, 2)</code>" in page
    assert "<summary>x1 (3, 5), x2 (5, 2), y (3, 2)</summary>" in page
    assert "x2 is the weight seq/mine/kernel" in page


# ----- (b) a subclassed model that only calls layers ---------------------------------------------
def test_a_subclassed_model_is_stepped_through_on_its_traced_diagram():
    kteach.utils.set_random_seed(0)
    model = LayersOnly(name="sub")
    model.compile(optimizer="sgd", loss="mse")
    steps = StepThrough(model, X, Y)
    assert steps.no_diagram is None
    assert steps.diagram.nodes == ["input", "hidden", "mine", "out"]
    seen = []
    for k in range(len(steps)):
        steps.go(k)
        seen.append((steps.step.path, steps.highlighted))
        assert orange_boxes(steps.diagram.source) == steps.highlighted
    assert seen[:7] == [("hidden", ["hidden"]), ("mine", ["mine"]), ("mine/matmul", ["mine"]),
                        ("mine/add", ["mine"]), ("out", ["out"]), ("output", ["out"]),
                        ("out", ["out"])]
    assert all(h for _, h in seen)                   # every step lights one box
    steps.go(2)
    assert "<svg" in steps.diagram_html.value
    assert "Diagram of model &#x27;sub&#x27;: input → hidden → mine → out; highlighted: mine." \
        in steps.diagram_html.value


# ----- (c) a subclassed model whose call() needs the numbers -------------------------------------
def test_without_a_diagram_the_panel_steps_through_with_a_note():
    kteach.utils.set_random_seed(0)
    model = NeedsNumbers(name="numeric")
    model.compile(optimizer="sgd", loss="mse")
    steps = StepThrough(model, X, Y)
    assert steps.diagram is None
    assert steps.no_diagram.startswith("No diagram: the call() of 'numeric' (NeedsNumbers) "
                                       "computes with the numbers")
    paths = [(s.kind, s.path) for s in steps.record if s.kind == "forward"]
    assert paths == [("forward", "hidden"), ("forward", "tanh"), ("forward", "absolute"),
                     ("forward", "max"), ("forward", "multiply"), ("forward", "out")]
    steps.go(1)
    assert steps.caption() == "step 2 of 15: forward through the op tanh"
    assert steps.highlighted == []
    value = steps.diagram_html.value
    assert value.startswith("<div class='kteach-no-diagram'")
    assert "No diagram: the call() of &#x27;numeric&#x27;" in value
    assert "<b>now:</b> <code>tanh</code>" in value and "<svg" not in value
    assert "an op inside numeric's call()" in steps.details_text()
    steps.next_button.click()
    assert steps.index == 2 and "<code>absolute</code>" in steps.diagram_html.value
    steps.last_button.click()
    assert steps.caption().startswith("step 15 of 15: update of ")
    assert model.predict(X, verbose=0).shape == (3, 1)
