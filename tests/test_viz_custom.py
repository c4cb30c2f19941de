"""Diagrams of custom code: a learner's layer with call() in a functional or Sequential model,
subclassed models (drawn from traced_graph(), or refused with a reason), and what Jupyter
gets to show: an SVG and a PNG, both with alt text."""
import base64
import re

import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers, ops
from kteach.engine.errors import NotBuiltError
from kteach.viz import model_to_dot, plot_model, render
from kteach.viz.diagram import NoDiagramError, alt_text


class Linear(layers.Layer):
    """A learner's Dense: weights in build, the math in call (with ops), no backward."""

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
    """A subclassed model whose call only calls layers: it can be traced."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(3, activation="relu", name="hidden")
        self.mine = Linear(2, name="mine")
        self.out = layers.Dense(1, name="out")

    def call(self, inputs):
        return self.out(self.mine(self.hidden(inputs)))


class NeedsNumbers(Model):
    """A subclassed model whose call computes with the numbers (ops and Python) between its
    layers: it cannot be traced on symbolic inputs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(3, name="hidden")
        self.out = layers.Dense(1, name="out")

    def call(self, inputs):
        h = ops.tanh(self.hidden(inputs))
        scale = 1.0 / (1.0 + float(ops.max(ops.abs(h))))     # a Python float: needs numbers
        return self.out(h * scale)


X = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")


def png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# ----- a learner's layer in a graph ----------------------------------------------------------
def test_a_learners_layer_is_a_box_with_its_class_name_and_its_shapes():
    model = Sequential([Input((5,)), Linear(2, activation="tanh", name="mine"),
                        layers.Dense(1, name="out")], name="seq")
    d = model_to_dot(model, show_shapes=True, show_layer_activations=True)
    assert d.nodes == ["mine", "out"] and d.edges == [("mine", "out")]
    label = d.labels["mine"]
    assert "<b>mine</b> (Linear)" in label
    assert "Input shape: <b>(None, 5)</b>" in label and "Output shape: <b>(None, 2)</b>" in label
    assert "Activation: <b>tanh</b>" in label     # kept as a name by the learner's layer
    assert "<b>Linear</b>" in plot_model(model).labels["mine"]   # plot_model: class names
    inputs = Input((5,), name="x")
    functional = Model(inputs, layers.Dense(1, name="head")(Linear(4, name="lin")(inputs)))
    d = model_to_dot(functional, show_shapes=True, show_params=True)
    assert d.nodes == ["x", "lin", "head"]
    assert "Params: <b>5×4 + 4 = 24</b>" in d.labels["lin"]
    assert "Output shape: <b>(None, 4)</b>" in d.labels["lin"]
    assert "<svg" in d.svg()


# ----- subclassed models -----------------------------------------------------------------------
def test_a_subclassed_model_is_drawn_from_its_traced_graph():
    model = LayersOnly(name="mine_model")
    model(X[:2])
    d = plot_model(model, show_shapes=True, show_layer_names=True)
    assert d.nodes == ["input", "hidden", "mine", "out"]
    assert d.edges == [("input", "hidden"), ("hidden", "mine"), ("mine", "out")]
    assert "<b>mine</b> (Linear)" in d.labels["mine"]
    assert "Output shape: <b>(None, 2)</b>" in d.labels["mine"]
    assert "Input shape: <b>(None, 5)</b>" in d.labels["hidden"]
    assert d.alt_text == "Diagram of model 'mine_model': input → hidden → mine → out."
    assert "<title>hidden&#45;&gt;mine</title>" in d.svg()
    np.testing.assert_allclose(model.predict(X, verbose=0).shape, (4, 1))  # still works


def test_a_subclassed_model_not_called_yet_says_to_call_it_on_data():
    model = LayersOnly(name="fresh")
    with pytest.raises(NotBuiltError) as caught:
        plot_model(model)
    message = str(caught.value)
    assert "The subclassed model 'fresh' (LayersOnly) has not been called on data yet" in message
    assert "model(x[:1])" in message and "model.build((None, 4))" in message
    model.build((None, 5))
    assert plot_model(model).nodes == ["input", "hidden", "mine", "out"]


def test_a_subclassed_model_whose_call_needs_numbers_has_no_diagram_and_says_why():
    model = NeedsNumbers(name="opsy")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, X[:, :1], epochs=1, verbose=0)
    assert model.traced_graph() is None
    with pytest.raises(NoDiagramError) as caught:
        model_to_dot(model)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "no diagram of the subclassed model 'opsy' (NeedsNumbers): its call() could not " \
           "be traced" in message
    assert "float(x)" in message and "write call() from layer calls only" in message
    assert "model.explain(x, y)" in message
    assert model.predict(X, verbose=0).shape == (4, 1)     # nothing else is affected


def test_nested_subclassed_models_open_when_they_can_be_traced():
    inner = LayersOnly(name="block")
    inner(X[:2])
    inputs = Input((5,), name="x")
    outer = Model(inputs, layers.Dense(1, name="final")(inner(inputs)), name="outer")
    closed = model_to_dot(outer)
    assert closed.nodes == ["x", "block", "final"]
    assert "<b>block</b> (LayersOnly)" in closed.labels["block"]
    opened = model_to_dot(outer, expand_nested=True)
    assert opened.clusters == ["cluster_block"]
    assert opened.nodes == ["x", "input", "hidden", "mine", "out", "final"]
    assert ("x", "input") in opened.edges and ("out", "final") in opened.edges
    with_ops = NeedsNumbers(name="ops_block")
    with_ops(X[:2])
    inputs = Input((5,), name="x2")
    outer = Model(inputs, with_ops(inputs), name="outer2")
    d = model_to_dot(outer, expand_nested=True)            # cannot open: one closed box
    assert d.nodes == ["x2", "ops_block"] and d.clusters == []


# ----- what Jupyter shows ---------------------------------------------------------------------
def test_jupyter_gets_svg_and_png_with_alt_text():
    model = Sequential([Input((5,)), layers.Dense(3, name="a"), layers.Dense(1, name="b")],
                       name="chainy")
    d = plot_model(model, show_shapes=True)
    data, metadata = d._repr_mimebundle_()
    alt = "Diagram of model 'chainy': a → b."
    assert d.alt_text == alt
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, _ = png_size(png)
    # drawn at 144 dpi, shown at 96: as wide as the SVG appears (its points are 96/72 px)
    assert metadata["image/png"] == {"alt": alt, "width": round(width * 96 / 144)}
    svg_points = float(re.search(r'<svg width="([\d.]+)pt"', data["image/svg+xml"]).group(1))
    assert metadata["image/png"]["width"] == pytest.approx(svg_points * 96 / 72, abs=3)
    svg = data["image/svg+xml"]
    assert f'role="img" aria-label="{alt}"' in svg.replace("&#x27;", "'")
    assert "<title>Diagram of model &#x27;chainy&#x27;: a → b.</title>" in svg
    assert "<desc>Diagram of model &#x27;chainy&#x27;: a → b.</desc>" in svg
    assert metadata["image/svg+xml"] == {"alt": alt}
    assert png_size(d.pipe("png"))[0] > width      # saving keeps Keras' dpi=200


def test_alt_text_of_a_graph_that_is_not_a_chain_and_of_highlighted_boxes():
    a = Input((4,), name="a")
    left, right = layers.Dense(2, name="left")(a), layers.Dense(2, name="right")(a)
    model = Model(a, layers.Add(name="sum")([left, right]), name="fork")
    d = model_to_dot(model, highlight="left")
    assert d.alt_text == ("Diagram of model 'fork', 4 boxes (a, left, right, sum); arrows: "
                          "a → left, a → right, left → sum, right → sum; highlighted: left.")
    assert alt_text("m", ["x"], []) == "Diagram of model 'm': x."
    many = [f"n{i}" for i in range(30)]
    edges = [("n0", n) for n in many[1:]]
    assert alt_text("wide", many, edges).endswith("n0 → n24 and 5 more.")


def test_the_png_also_comes_from_pygraphviz(monkeypatch):
    pytest.importorskip("pygraphviz")
    monkeypatch.setattr(render, "which_dot", lambda: None)
    model = Sequential([Input((5,)), layers.Dense(3, name="a")], name="one")
    data, metadata = plot_model(model)._repr_mimebundle_()
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG")
    assert metadata["image/png"]["width"] == round(png_size(png)[0] * 96 / 144)
    assert 'aria-label="Diagram of model' in data["image/svg+xml"]


def test_saved_svg_carries_the_alt_text_too(tmp_path):
    model = Sequential([Input((5,)), layers.Dense(3, name="a")], name="saved")
    plot_model(model, to_file=tmp_path / "m.svg")
    assert "<desc>Diagram of model &#x27;saved&#x27;: a.</desc>" in (tmp_path / "m.svg").read_text()
    kteach.config.set_model_display("diagram")
    try:
        data, metadata = model._repr_mimebundle_()
    finally:
        kteach.config.set_model_display("repr")
    assert metadata["image/png"]["alt"] == "Diagram of model 'saved': a."
