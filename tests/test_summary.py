"""model.summary(): compared character by character with Keras 3.15.1's output.

The expected texts are tests/fixtures/summary_<case>.txt, made by tests/fixtures/make_summary.py
with the real Keras 3.15.1 (no terminal: 80 columns, tables 76 wide). The model builders below
mirror that script one for one, so layer names (dense, dense_1, input_layer, functional, ...)
come out the same.
"""
import pathlib
import sys
import types
import warnings

import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from kteach.models import summary as summary_module
from kteach.models.summary import (column_widths, fit_widths, readable_size, summary_text,
                                   wrap_cell)

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    """Behave as in a pipe: 80 columns, whatever terminal pytest runs in."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")


def quiet(make):
    """Build without the Keras 2 keyword warnings some tutorial models trigger."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make()


# ----- the models of make_summary.py ---------------------------------------------------------------
def mlp_784():
    return Sequential([layers.Dense(32, input_shape=(784,)), layers.Activation("relu"),
                       layers.Dense(10), layers.Activation("softmax")])


def mlp_dropout():
    model = Sequential()
    model.add(layers.Dense(64, activation="relu", input_dim=20))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def functional_chain():
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    return Model(input_tensor, output_tensor)


def two_inputs():
    a = Input(shape=(4,))
    b = Input(shape=(6,))
    x = layers.Concatenate()([layers.Dense(8)(a), b])
    return Model([a, b], layers.Dense(1, activation="sigmoid")(x))


def shared_layer():
    a = Input(shape=(4,))
    b = Input(shape=(4,))
    shared = layers.Dense(8, activation="relu")
    x = layers.concatenate([shared(a), shared(b)])
    return Model([a, b], layers.Dense(1)(x))


def nested_model():
    inner_in = Input(shape=(8,))
    inner = Model(inner_in, layers.Dense(2)(layers.Dense(4)(inner_in)))
    x = Input(shape=(8,))
    return Model(x, layers.Dense(1)(inner(x)))


def nested_sequential():
    inner = Sequential([Input(shape=(3,)), layers.Dense(5), layers.Dense(2)])
    x = Input(shape=(3,))
    y = layers.Dense(1)(inner(x))
    return Model(x, y)


def unbuilt():
    return Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])


def built_from_data():
    model = Sequential([layers.Dense(4), layers.Dense(1)])
    model.predict(np.zeros((10, 3), dtype="float32"), verbose=0)
    return model


def frozen():
    model = Sequential([Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])
    model.layers[0].trainable = False
    return model


def three_inputs():
    ins = [Input(shape=(2,)) for _ in range(3)]
    x = layers.Concatenate()(ins)
    return Model(ins, layers.Dense(1)(x))


def multi_output():
    x = Input(shape=(5,), name="features")
    h = layers.Dense(16, activation="relu")(x)
    age = layers.Dense(1, name="age")(h)
    income = layers.Dense(10, activation="softmax", name="income")(h)
    return Model(x, [age, income])


def long_names():
    return Sequential([Input(shape=(1000,)),
                       layers.Dense(1000, name="a_dense_layer_with_a_very_long_name_indeed"),
                       layers.Dense(3, name="hidden layer two")])


def trained(optimizer):
    def make():
        model = Sequential([Input(shape=(3,)), layers.Dense(4, activation="relu"),
                            layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        rng = np.random.default_rng(0)
        model.fit(rng.normal(size=(8, 3)).astype("float32"),
                  rng.normal(size=(8, 1)).astype("float32"), epochs=1, verbose=0)
        return model
    return make


def compiled_only():
    model = Sequential([Input(shape=(3,)), layers.Dense(4), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def big():
    return Sequential([Input(shape=(784,)), layers.Dense(512, activation="relu"),
                       layers.Dense(512, activation="relu"), layers.Dense(10)])


def ops_between_layers():
    from kteach import ops
    inputs = Input(shape=(4,))
    x = layers.Dense(3)(inputs)
    y = ops.relu(x)
    z = y * 2.0 + 1.0
    return Model(inputs, layers.Dense(1)(ops.concatenate([x, z], axis=-1)))


CASES = {
    "mlp_784": (mlp_784, {}),
    "mlp_dropout": (mlp_dropout, {}),
    "functional_chain": (functional_chain, {}),
    "two_inputs": (two_inputs, {}),
    "shared_layer": (shared_layer, {}),
    "nested_model": (nested_model, {}),
    "nested_sequential": (nested_sequential, {}),
    "nested_expanded": (nested_model, {"expand_nested": True}),
    "unbuilt": (unbuilt, {}),
    "built_from_data": (built_from_data, {}),
    "frozen": (frozen, {}),
    "show_trainable": (frozen, {"show_trainable": True}),
    "show_trainable_functional": (two_inputs, {"show_trainable": True}),
    "three_inputs": (three_inputs, {}),
    "multi_output": (multi_output, {}),
    "long_names": (long_names, {}),
    "trained_adam": (trained("adam"), {}),
    "trained_sgd": (trained("sgd"), {}),
    "compiled_only": (compiled_only, {}),
    "big": (big, {}),
    "ops_between_layers": (ops_between_layers, {}),
    "line_length_60": (mlp_dropout, {"line_length": 60}),
    "positions": (mlp_dropout, {"line_length": 70, "positions": [0.5, 0.75, 1.0]}),
    "layer_range": (mlp_dropout, {"layer_range": ["dropout", "dense_1"]}),
}

# kteach adds one line to Keras' text for a model without an input shape.
NOT_BUILT = " Not built yet: start with Input(shape=...) or call fit() on data.\n"


def expected(case: str) -> str:
    text = (FIXTURES / f"summary_{case}.txt").read_text(encoding="utf-8")
    if case == "unbuilt":
        text += NOT_BUILT
    return text


@pytest.mark.parametrize("case", sorted(CASES))
def test_summary_matches_keras(case, capsys):
    make, kwargs = CASES[case]
    model = quiet(make)
    capsys.readouterr()
    model.summary(**kwargs)
    assert capsys.readouterr().out == expected(case)


def test_print_fn_gets_the_whole_text_once():
    model = quiet(mlp_dropout)
    received = []
    model.summary(print_fn=received.append)
    assert received == [expected("mlp_dropout")]


def test_wider_terminal_gives_the_default_width_88(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")
    Sequential([Input(shape=(3,)), layers.Dense(4)]).summary()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines[1]) == 88
    # 88 wide: cells of 38/29/17 characters including their padding (keras-facts.md).
    assert lines[1] == "┏" + "━" * 38 + "┳" + "━" * 29 + "┳" + "━" * 17 + "┓"


def test_narrow_terminal_shrinks_the_table(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "64")
    Sequential([Input(shape=(3,)), layers.Dense(4)]).summary()
    assert len(capsys.readouterr().out.splitlines()[1]) == 60


def test_summary_returns_none_and_text_is_available():
    model = Sequential([Input(shape=(3,)), layers.Dense(4)])
    assert model.summary(print_fn=lambda s: None) is None
    assert summary_text(model).startswith('Model: "sequential"\n┏')


def test_chain_shape_detection():
    assert summary_module.is_chain_shaped(quiet(functional_chain))
    assert summary_module.is_chain_shaped(quiet(nested_model))
    assert not summary_module.is_chain_shaped(quiet(two_inputs))
    assert not summary_module.is_chain_shaped(quiet(multi_output))
    kteach.backend.clear_session()
    assert not summary_module.is_chain_shaped(quiet(shared_layer))


def test_shared_layer_in_a_chain_is_not_a_chain():
    x = Input(shape=(4,))
    dense = layers.Dense(4)
    model = Model(x, dense(dense(x)))
    assert not summary_module.is_chain_shaped(model)
    text = summary_text(model)
    assert "│ dense (Dense)       │ (None, 4)         │         20 │ input_layer[0][0… │" in text
    assert "│                     │                   │            │ dense[0][0]       │" in text


def test_column_widths_and_fitting():
    # Keras: int(p * L) minus the previous end -> 34, 26, 16 for 76 at .45/.80/1.0.
    assert column_widths(76, [0.45, 0.80, 1.0]) == [34, 26, 16]
    # rich removes the excess 3*2 + 4 = 10 evenly: 3, round(7/2) = 4, 3 -> 33/24/15.
    assert fit_widths([34, 26, 16], 76) == [33, 24, 15]
    # Four columns: 22/20/14/20; excess 13 -> 3, 3, round(7/2) = 4, 3 -> 21/19/12/19.
    assert column_widths(76, [0.3, 0.56, 0.74, 1.0]) == [22, 20, 14, 20]
    assert fit_widths([22, 20, 14, 20], 76) == [21, 19, 12, 19]
    assert fit_widths([5, 5], 30) == [7, 7]  # narrower than the line: nothing to take away
    with pytest.raises(ValueError, match="Insufficient console width to print summary: a "
                                         "column would be 3 characters wide"):
        column_widths(10, [0.3, 0.6, 1.0])


def test_wrap_cell():
    assert wrap_cell("concatenate (Concatenate)", 19) == ["concatenate", "(Concatenate)"]
    assert wrap_cell("input_layer[0][0], input_layer_1[0][0]", 17) == [
        "input_layer[0][0…", "input_layer_1[0]…"]
    assert wrap_cell("dense[0][0], dense[1][0]", 17) == ["dense[0][0],", "dense[1][0]"]
    assert wrap_cell("   └ dense_1 (Dense)", 31) == ["   └ dense_1 (Dense)"]
    assert wrap_cell("", 5) == [""]


def test_readable_size():
    assert readable_size(0) == "0.00 B"
    assert readable_size(1023) == "1023.00 B"
    assert readable_size(1024) == "1.00 KB"
    assert readable_size(669_706 * 4) == "2.55 MB"
    assert readable_size(3 * 1024 ** 3) == "3.00 GB"


def test_float64_weights_count_8_bytes():
    model = Sequential([Input(shape=(3,)), layers.Dense(4, dtype="float64")])
    assert " Total params: 16 (128.00 B)" in summary_text(model)


def test_optimizer_without_variables_gives_no_optimizer_line():
    model = Sequential([Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)
    assert " Optimizer params: 2 (8.00 B)" in summary_text(model)
    model.optimizer = types.SimpleNamespace()  # an optimizer that does not list variables
    assert "Optimizer params" not in summary_text(model)


def test_bad_arguments():
    model = quiet(mlp_dropout)
    with pytest.raises(ValueError, match=r"layer_range must be a list or tuple of length 2"):
        model.summary(layer_range=["dense"])
    with pytest.raises(ValueError, match=r"Passed layer_names do not match the layer names in "
                                         r"the model. Received: \['conv', 'dense'\]"):
        model.summary(layer_range=["conv", "dense"])
    with pytest.raises(ValueError, match=r"positions=\[0.5, 1.0\] gives 2 column ends, but this "
                                         r"table has 3 columns \(Layer \(type\), Output Shape, "
                                         r"Param #\)"):
        model.summary(positions=[0.5, 1.0])


def test_empty_sequential(capsys):
    Sequential().summary()
    out = capsys.readouterr().out
    assert out.splitlines()[3:6] == [
        "┡" + "━" * 33 + "╇" + "━" * 24 + "╇" + "━" * 15 + "┩",
        "└" + "─" * 33 + "┴" + "─" * 24 + "┴" + "─" * 15 + "┘",
        " Total params: 0 (0.00 B)"]
    assert "Not built yet" not in out


# ----- Jupyter ------------------------------------------------------------------------------------------
class FakeShell:
    kernel = object()


def fake_ipython(monkeypatch, shell):
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_in_a_notebook_summary_is_displayed_as_text_and_html(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")  # a notebook ignores the server's terminal
    fake_ipython(monkeypatch, FakeShell())
    shown = []
    monkeypatch.setattr(summary_module, "_display", shown.append)
    model = quiet(two_inputs)
    model.summary()
    assert capsys.readouterr().out == ""
    (table,) = shown
    assert repr(table) + "\n" == expected("two_inputs")
    page = table._repr_html_()
    assert page == table._repr_html_()  # deterministic
    assert page.startswith('<div class="kteach-summary" style="font-family:monospace">'
                           '<b>Model: &quot;functional&quot;</b><table')
    assert ('<th style="text-align:left; white-space:pre-wrap; padding:0.1em 0.8em">'
            'Connected to</th>' in page)
    assert ('<td style="text-align:left; white-space:pre-wrap; padding:0.1em 0.8em">'
            'concatenate (Concatenate)</td>'
            '<td style="text-align:left; white-space:pre-wrap; padding:0.1em 0.8em">(None, 14)</td>'
            '<td style="text-align:right; white-space:pre-wrap; padding:0.1em 0.8em">0</td>'
            '<td style="text-align:left; white-space:pre-wrap; padding:0.1em 0.8em">dense[0][0], '
            'input_layer_1[0][0]</td>') in page
    assert page.endswith("<p>Total params: 55 (220.00 B)<br>Trainable params: 55 (220.00 B)"
                         "<br>Non-trainable params: 0 (0.00 B)</p></div>")


def test_ipython_without_kernel_prints(monkeypatch, capsys):
    fake_ipython(monkeypatch, types.SimpleNamespace())  # a terminal IPython: no kernel
    monkeypatch.setattr(summary_module, "_display", lambda t: pytest.fail("displayed"))
    quiet(mlp_dropout).summary()
    assert capsys.readouterr().out == expected("mlp_dropout")


def test_print_fn_wins_over_the_notebook(monkeypatch):
    fake_ipython(monkeypatch, FakeShell())
    monkeypatch.setattr(summary_module, "_display", lambda t: pytest.fail("displayed"))
    received = []
    quiet(mlp_dropout).summary(print_fn=received.append)
    assert received == [expected("mlp_dropout")]
