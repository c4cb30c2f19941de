"""ModelBuilder driven without a browser: set values, click buttons, check the model."""
import numpy as np
import pytest

import kteach
from kteach.widgets import ModelBuilder
from kteach.widgets.codegen import describe_layer


def kinds(builder):
    return [type(layer).__name__ for layer in builder.model.layers]


def test_the_default_model_and_its_live_summary():
    builder = ModelBuilder(input_size=4)
    assert kinds(builder) == ["Dense", "Dense"]
    assert builder.model.count_params() == (4 * 8 + 8) + (8 * 1 + 1)
    assert builder.model.input_shape == (None, 4)
    text = builder.summary_text()
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text and "Total params: 49" in text
    assert "Total params: 49" in builder.summary_html.value


def test_add_buttons_rows_and_arrows_change_the_model():
    builder = ModelBuilder(input_size=3)
    builder.add_buttons[1].click()                     # + Dropout, at the end
    builder.add_buttons[2].click()                     # + Activation
    assert kinds(builder) == ["Dense", "Dense", "Dropout", "Activation"]
    builder.rows[2].rate.value = 0.25
    builder.rows[3].activation.value = "tanh"
    builder.rows[0].units.value = 16
    builder.rows[2].up.click()                         # Dropout before the output layer
    assert [describe_layer(l) for l in builder.model.layers] == [
        {"type": "Dense", "units": 16, "activation": "relu"},
        {"type": "Dropout", "rate": 0.25},
        {"type": "Dense", "units": 1, "activation": "sigmoid"},
        {"type": "Activation", "activation": "tanh"}]
    builder.rows[3].remove.click()
    builder.rows[0].down.click()
    assert kinds(builder) == ["Dropout", "Dense", "Dense"]
    assert builder.model.count_params() == (3 * 16 + 16) + (16 + 1)
    assert builder.rows[0].up.disabled and builder.rows[2].down.disabled
    builder.input_box.value = 10
    assert builder.model.input_shape == (None, 10) and builder.input_size == 10


def test_changing_a_rows_type_shows_that_types_fields():
    builder = ModelBuilder()
    row = builder.rows[0]
    row.type.value = "Dropout"
    row = builder.rows[0]
    assert (row.units.layout.display, row.activation.layout.display, row.rate.layout.display) == \
        ("none", "none", None)
    assert builder.layers[0] == {"type": "Dropout", "rate": 0.5}
    assert kinds(builder) == ["Dropout", "Dense"]


def test_python_api_add_remove_move_set_layer():
    builder = ModelBuilder(input_size=2, layers=[])
    assert builder.model is None and builder.status.value.endswith("Add a layer to make a model.</span>")
    builder.add("Dense", units=5, activation="tanh")
    builder.add("Dropout", rate=0.1, index=0)
    builder.move(0, +1)
    builder.set_layer(0, units=6)
    assert builder.spec == {"input_size": 2, "layers": [
        {"type": "Dense", "units": 6, "activation": "tanh"}, {"type": "Dropout", "rate": 0.1}]}
    builder.remove(-1)
    assert kinds(builder) == ["Dense"]
    with pytest.raises(IndexError, match="There is no layer 3: the model has 1 layers"):
        builder.remove(3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'unit'. Did you mean 'units'"):
        builder.add("Dense", unit=3)
    with pytest.raises(ValueError, match="activation function identifier: rellu"):
        builder.set_layer(0, activation="rellu")
    assert kinds(builder) == ["Dense"]                 # a refused change changes nothing


def test_the_same_layers_always_start_from_the_same_weights():
    builder = ModelBuilder(input_size=3, seed=4)
    first = builder.model.get_weights()
    builder.rows[0].units.value = 9
    builder.rows[0].units.value = 8
    assert all(np.array_equal(a, b) for a, b in zip(first, builder.model.get_weights()))
    other = ModelBuilder(input_size=3, seed=5).model.get_weights()
    assert not np.array_equal(first[0], other[0])


def test_show_code_prints_code_that_rebuilds_the_model():
    builder = ModelBuilder(input_size=6, layers=[
        {"type": "Dense", "units": 12, "activation": "relu"}, {"type": "Dropout", "rate": 0.3},
        {"type": "Dense", "units": 3, "activation": "softmax"}])
    assert builder.code_html.layout.display == "none"
    builder.code_button.click()
    assert builder.code_button.description == "Hide code"
    assert "keras.layers.Dropout(0.3)," in builder.code_html.value
    code = builder.code()
    assert code.startswith("import kteach as keras   # with Keras itself: import keras\n")
    scope = {}
    exec(code.replace("model.summary()\n", ""), scope)
    model = scope["model"]
    assert model.count_params() == builder.model.count_params() == 6 * 12 + 12 + 12 * 3 + 3
    assert [describe_layer(l) for l in model.layers] == builder.layers
    builder.rows[1].rate.value = 0.4                   # the code follows the panel
    assert "keras.layers.Dropout(0.4)," in builder.code_html.value
    builder.code_button.click()
    assert builder.code_html.layout.display == "none" and builder.code_html.value == ""


def test_the_diagram_is_plot_model_and_falls_back_to_dot_text(monkeypatch):
    builder = ModelBuilder(input_size=2)
    assert builder.diagram is not None
    assert builder.diagram_html.value.startswith("<svg")
    assert "dense_1" in builder.diagram.source
    from kteach.viz import diagram as diagram_module
    from kteach.viz.render import GraphvizNotFoundError

    def no_graphviz(self):
        raise GraphvizNotFoundError("Drawing a diagram needs Graphviz")
    monkeypatch.setattr(diagram_module.Diagram, "svg", no_graphviz)
    builder.add("Dropout", rate=0.2)
    assert "Drawing a diagram needs Graphviz" in builder.diagram_html.value
    assert "dropout" in builder.diagram_html.value and "digraph" in builder.diagram_html.value


def test_the_builders_model_trains():
    builder = ModelBuilder(input_size=2)
    model = builder.model
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(np.zeros((4, 2), "float32"), np.ones(4), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert repr(builder) == "<ModelBuilder: input 2 → Dense, Dense>"
    assert isinstance(builder.build_model(), kteach.Sequential)
