"""plot_model / model_to_dot: the DOT text for every topology, the labels, kteach's extras,
rendering with `dot` and with pygraphviz's bundled Graphviz, and the errors.

The boxes, arrows and clusters expected for each topology are those of Keras 3.15.1's
model_to_dot (tests/fixtures/make_viz_keras_topologies.py prints them).
"""
import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kteach import Input, Model, Sequential, layers
from kteach.engine import errors
from kteach.engine.errors import NotBuiltError, UnknownArgumentError
from kteach.layers import Layer
from kteach.viz import GraphvizNotFoundError, model_to_dot, plot_model, render
from kteach.viz.diagram import Diagram, params_formula

ROOT = Path(__file__).resolve().parents[1]


# ----- reading DOT text back ------------------------------------------------------------------
def parse(source: str) -> dict:
    """Boxes, arrows and clusters (with the boxes directly inside each) of DOT text as
    model_to_dot writes it: one statement per line."""
    nodes, edges, clusters, stack = [], [], {}, []
    for line in source.splitlines():
        text = line.strip()
        if m := re.match(r'^subgraph "([^"]+)" \{$', text):
            stack.append(m.group(1))
            clusters[m.group(1)] = []
        elif text == "}":
            if stack:
                stack.pop()
        elif m := re.match(r'^"([^"]+)" -> "([^"]+)";$', text):
            edges.append((m.group(1), m.group(2)))
        elif m := re.match(r'^"([^"]+)" \[label=<', text):
            nodes.append(m.group(1))
            if stack:
                clusters[stack[-1]].append(m.group(1))
    return {"nodes": nodes, "edges": edges, "clusters": clusters}


def cluster_labels(source: str) -> list[str]:
    return re.findall(r'graph \[label="([^"]+)", style=dashed', source)


class TimeDistributed(Layer):
    """A stand-in for kteach.layers.TimeDistributed: what the diagram needs is a layer whose
    ``.layer`` is a Model and whose output adds the time axis to the model's."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def compute_output_shape(self, input_shape):
        step = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(step[1:])


# ----- the models -------------------------------------------------------------------------------
def chain():
    return Sequential([Input((784,)), layers.Dense(32, activation="relu", name="d1"),
                       layers.Dense(10, name="d2")], name="chain")


def inner_model():
    ii = Input((10,), name="ii")
    return Model(ii, layers.Dense(2, name="i2")(layers.Dense(6, name="i1")(ii)), name="inner")


def graph_model():
    """Two inputs, a shared layer, a merge, a nested model, two outputs."""
    a, b = Input((3,), name="a"), Input((4,), name="b")
    shared = layers.Dense(5, name="shared")
    x = layers.Concatenate(name="cat")([shared(layers.Dense(3, name="pa")(a)),
                                         shared(layers.Dense(3, name="pb")(b))])
    y = inner_model()(x)
    z = layers.Add(name="add")([layers.Dense(2, name="o")(x), y])
    return Model([a, b], [z, y], name="graph")


# ----- topologies (expected values from Keras 3.15.1) ---------------------------------------------
def test_sequential_chain_has_no_input_box_and_keras_graph_settings():
    d = model_to_dot(chain())
    assert parse(d.source) == {"nodes": ["d1", "d2"], "edges": [("d1", "d2")], "clusters": {}}
    assert d.source.startswith('digraph "chain" {\n')
    assert ('graph [rankdir="TB", concentrate=true, dpi=200, fontname="Helvetica", '
            'splines="ortho"];') in d.source
    assert "edge [penwidth=2];" in d.source
    assert (d.nodes, d.edges, d.clusters) == (["d1", "d2"], [("d1", "d2")], [])


def test_functional_chain_draws_its_input_layer():
    x = Input((64,), name="x")
    h = layers.Dense(32, activation="relu", name="h")(x)
    m = Model(x, layers.Dense(10, activation="softmax", name="out")(h))
    assert parse(model_to_dot(m).source) == {
        "nodes": ["x", "h", "out"], "edges": [("x", "h"), ("h", "out")], "clusters": {}}


def test_several_inputs_outputs_shared_layer_merge_and_nested_box():
    got = parse(model_to_dot(graph_model()).source)
    assert sorted(got["nodes"]) == ['a', 'add', 'b', 'cat', 'inner', 'o', 'pa', 'pb', 'shared']
    assert sorted(got["edges"]) == [('a', 'pa'), ('b', 'pb'), ('cat', 'inner'), ('cat', 'o'),
                                    ('inner', 'add'), ('o', 'add'), ('pa', 'shared'),
                                    ('pb', 'shared'), ('shared', 'cat')]
    assert got["clusters"] == {}
    assert got["nodes"].count("shared") == 1  # one box, two arrows in and one out


def test_expand_nested_functional_model_becomes_a_cluster():
    d = model_to_dot(graph_model(), expand_nested=True)
    got = parse(d.source)
    assert sorted(got["nodes"]) == ['a', 'add', 'b', 'cat', 'i1', 'i2', 'ii', 'o', 'pa', 'pb',
                                    'shared']
    assert sorted(got["edges"]) == [('a', 'pa'), ('b', 'pb'), ('cat', 'ii'), ('cat', 'o'),
                                    ('i1', 'i2'), ('i2', 'add'), ('ii', 'i1'), ('o', 'add'),
                                    ('pa', 'shared'), ('pb', 'shared'), ('shared', 'cat')]
    assert got["clusters"] == {"cluster_inner": ["ii", "i1", "i2"]}
    assert cluster_labels(d.source) == ["inner (Functional)"]


def test_expand_nested_sequential_inside_functional_enters_at_its_first_layer():
    sub_seq = Sequential([Input((10,)), layers.Dense(4, name="s1"), layers.Dense(3, name="s2")],
                         name="sub_seq")
    p = Input((10,), name="p")
    m = Model(p, layers.Dense(2, name="after")(sub_seq(p)), name="seq_inside")
    got = parse(model_to_dot(m, expand_nested=True).source)
    assert sorted(got["nodes"]) == ['after', 'p', 's1', 's2']
    assert sorted(got["edges"]) == [('p', 's1'), ('s1', 's2'), ('s2', 'after')]
    assert got["clusters"] == {"cluster_sub_seq": ["s1", "s2"]}
    assert parse(model_to_dot(m).source)["edges"] == [("p", "sub_seq"), ("sub_seq", "after")]


def test_functional_model_inside_sequential_box_and_cluster():
    fi = Input((3,), name="fi")
    fmod = Model(fi, layers.Dense(3, name="f1")(fi), name="fmod")
    m = Sequential([Input((3,)), fmod, layers.Dense(2, name="last")], name="func_inside")
    assert parse(model_to_dot(m).source) == {
        "nodes": ["fmod", "last"], "edges": [("fmod", "last")], "clusters": {}}
    got = parse(model_to_dot(m, expand_nested=True).source)
    assert sorted(got["edges"]) == [('f1', 'last'), ('fi', 'f1')]
    assert got["clusters"] == {"cluster_fmod": ["fi", "f1"]}


def test_nested_model_called_twice_is_one_box_or_one_cluster():
    inner = inner_model()
    u, v = Input((10,), name="u"), Input((10,), name="v")
    m = Model([u, v], layers.Add(name="sum")([inner(u), inner(v)]), name="twice")
    got = parse(model_to_dot(m).source)
    assert sorted(got["edges"]) == [('inner', 'sum'), ('u', 'inner'), ('v', 'inner')]
    got = parse(model_to_dot(m, expand_nested=True).source)
    assert sorted(got["edges"]) == [('i1', 'i2'), ('i2', 'sum'), ('ii', 'i1'), ('u', 'ii'),
                                    ('v', 'ii')]
    assert got["clusters"] == {"cluster_inner": ["ii", "i1", "i2"]}


def test_time_distributed_model_is_a_box_or_a_cluster_of_the_wrapped_model():
    ts = Input((20, 10), name="ts")
    m = Model(ts, TimeDistributed(inner_model(), name="td")(ts), name="td_model")
    d = model_to_dot(m, show_shapes=True)
    assert parse(d.source) == {"nodes": ["ts", "td"], "edges": [("ts", "td")], "clusters": {}}
    # Keras 3.15.1 labels this box "<b>td</b> (TimeDistributed)" with these shapes
    assert "<b>td</b> (TimeDistributed)" in d.labels["td"]
    assert "Input shape: <b>(None, 20, 10)</b>" in d.labels["td"]
    assert "Output shape: <b>(None, 20, 2)</b>" in d.labels["td"]
    # kteach also opens the wrapper: the wrapped model's layers, inside a frame
    d = model_to_dot(m, expand_nested=True)
    got = parse(d.source)
    assert got["edges"] == [("ii", "i1"), ("i1", "i2"), ("ts", "ii")]
    assert got["clusters"] == {"cluster_td": ["ii", "i1", "i2"]}
    assert cluster_labels(d.source) == ["td (TimeDistributed) wrapping inner (Functional)"]


def test_kteach_time_distributed_of_a_model_as_in_the_en_tutorial():
    from kteach.layers.wrappers import TimeDistributed as KteachTimeDistributed

    x = Input((784,), name="x")
    h = layers.Dense(32, activation="relu", name="h")(x)
    classifier = Model(x, layers.Dense(10, activation="softmax", name="cls")(h), name="clf")
    sequences = Input((20, 784), name="seqs")
    per_step = KteachTimeDistributed(classifier, name="td")(sequences)
    out = KteachTimeDistributed(layers.Dense(2, name="d2"), name="td2")(per_step)
    video = Model(sequences, out, name="video")
    d = model_to_dot(video, show_shapes=True, show_params=True)
    assert parse(d.source)["edges"] == [("seqs", "td"), ("td", "td2")]
    assert "Output shape: <b>(None, 20, 10)</b>" in d.labels["td"]
    assert "Params: <b>784×32 + 32 + 32×10 + 10 = 25,450</b>" in d.labels["td"]
    got = parse(model_to_dot(video, expand_nested=True).source)
    assert got["edges"] == [("x", "h"), ("h", "cls"), ("seqs", "x"), ("cls", "td2")]
    assert got["clusters"] == {"cluster_td": ["x", "h", "cls"]}  # a wrapped Dense stays a box


def test_two_different_layers_with_one_name_get_two_boxes():
    x = Input((3,), name="x")
    inner = Model(x, layers.Dense(2, name="same")(x), name="box")
    y = Input((3,), name="y")
    m = Model(y, layers.Dense(1, name="same")(inner(y)))
    got = parse(model_to_dot(m, expand_nested=True).source)
    assert got["nodes"] == ["y", "x", "same", "same#2"]
    assert got["edges"] == [("x", "same"), ("y", "x"), ("same", "same#2")]


def test_subgraph_gives_a_cluster_that_still_renders():
    d = model_to_dot(chain(), subgraph=True)
    assert d.source.startswith('subgraph "cluster_chain" {\n')
    assert 'graph [label="chain (Sequential)", style=dashed, labeljust=l];' in d.source
    assert d.pipe("svg").startswith(b"<?xml")


# ----- the seed tutorials' feed-forward models --------------------------------------------------
def test_zh_tutorial_sequential_as_in_keras(monkeypatch):
    monkeypatch.setattr(errors, "_warned", set())  # warn_once: as if no warning was shown yet
    with pytest.warns(UserWarning):
        model = Sequential([layers.Dense(32, input_shape=(784,)), layers.Activation("relu"),
                            layers.Dense(10), layers.Activation("softmax")])
    d = plot_model(model, show_shapes=True, show_layer_names=True)
    assert parse(d.source)["edges"] == [("dense", "activation"), ("activation", "dense_1"),
                                        ("dense_1", "activation_1")]
    assert d.labels["dense"] == (
        '<<table border="0" cellborder="1" cellspacing="0" cellpadding="6">'
        '<tr><td colspan="2" bgcolor="black"><font point-size="14" color="white">'
        '<b>dense</b> (Dense)</font></td></tr>'
        '<tr><td><font point-size="12">Input shape: <b>(None, 784)</b></font></td>'
        '<td><font point-size="12">Output shape: <b>(None, 32)</b></font></td></tr></table>>')


def test_zh_tutorial_functional_model():
    inputs = Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    y = layers.Dense(10, activation="softmax")(x)
    model = Model(inputs=inputs, outputs=y)
    d = model_to_dot(model, show_shapes=True, show_params=True)
    assert parse(d.source)["edges"] == [("input_layer", "dense"), ("dense", "dense_1"),
                                        ("dense_1", "dense_2")]
    assert "Params: <b>784×64 + 64 = 50,240</b>" in d.labels["dense"]
    assert "Params: <b>64×64 + 64 = 4,160</b>" in d.labels["dense_1"]
    assert "Params: <b>64×10 + 10 = 650</b>" in d.labels["dense_2"]
    assert "Params: <b>0</b>" in d.labels["input_layer"]


def test_en_tutorial_mlp_with_dropout_and_binary_classifier():
    mlp = Sequential([Input((20,)), layers.Dense(64, activation="relu"), layers.Dropout(0.5),
                      layers.Dense(64, activation="relu"), layers.Dropout(0.5),
                      layers.Dense(10, activation="softmax")])
    assert parse(model_to_dot(mlp).source)["nodes"] == ["dense", "dropout", "dense_1",
                                                        "dropout_1", "dense_2"]
    binary = Sequential([Input((100,)), layers.Dense(32, activation="relu"),
                         layers.Dense(1, activation="sigmoid")])
    d = plot_model(binary, show_layer_activations=True)
    assert d.labels["dense_3"].count("<b>Dense</b>") == 1  # plot_model shows classes only
    assert "Activation: <b>relu</b>" in d.labels["dense_3"]
    assert "Activation: <b>sigmoid</b>" in d.labels["dense_4"]


# ----- what a box shows ---------------------------------------------------------------------------
def test_default_titles_plot_model_classes_model_to_dot_names():
    m = chain()
    assert "<b>Dense</b></font>" in plot_model(m).labels["d1"]
    assert "<b>d1</b> (Dense)" in model_to_dot(m).labels["d1"]
    assert "Input shape" not in model_to_dot(m).labels["d1"]


def test_shapes_of_inputs_merges_and_one_axis_outputs():
    d = model_to_dot(graph_model(), show_shapes=True)
    assert "Input shape" not in d.labels["a"]
    assert "Output shape: <b>(None, 3)</b>" in d.labels["a"]
    assert "Input shape: <b>[(None, 5), (None, 5)]</b>" in d.labels["cat"]
    assert "Output shape: <b>(None, 10)</b>" in d.labels["cat"]
    assert "Input shape: <b>(None, 10)</b>" in d.labels["inner"]
    x = Input((5,), name="v")
    one = Model(x, layers.Reshape((5,), name="r")(x))
    assert "Output shape: <b>(None, 5)</b>" in model_to_dot(one, show_shapes=True).labels["r"]


def test_dtype_trainable_and_activation_cells():
    m = chain()
    m.get_layer("d2").trainable = False
    d = model_to_dot(m, show_dtype=True, show_trainable=True, show_layer_activations=True)
    assert "Output dtype: <b>float32</b>" in d.labels["d1"]
    assert '<td bgcolor="forestgreen"><font point-size="12" color="white"><b>Trainable</b>' in d.labels["d1"]
    assert ('<td bgcolor="firebrick"><font point-size="12" color="white">'
            '<b>Non-trainable</b>' in d.labels["d2"])
    assert "Activation: <b>relu</b>" in d.labels["d1"]
    assert "Activation: <b>linear</b>" in d.labels["d2"]  # Dense(10) has activation=None
    assert 'colspan="2"' in d.labels["d1"]  # the title spans the dtype and trainable cells
    x = Input((3,), name="x")
    d = model_to_dot(Model(x, layers.Activation("tanh", name="t")(x)), show_trainable=True,
                     show_layer_activations=True)
    assert "Trainable" not in d.labels["t"]  # no weights, no cell
    assert "Activation" not in d.labels["x"]
    assert "Activation: <b>tanh</b>" in d.labels["t"]


def test_names_are_escaped_in_labels():
    x = Input((2,), name="a<b&c")
    d = model_to_dot(Model(x, layers.Dense(1, name='q"q')(x)))
    assert "<b>a&lt;b&amp;c</b>" in d.labels["a<b&c"]
    assert '"q\\"q" [label=' in d.source


# ----- kteach's extras ---------------------------------------------------------------------------
def test_params_formula_from_the_weight_shapes():
    m = chain()
    assert params_formula(m.get_layer("d1")) == "784×32 + 32 = 25,120"
    x = Input((784,))
    no_bias = layers.Dense(32, use_bias=False)
    no_bias(x)
    assert params_formula(no_bias) == "784×32 = 25,088"
    assert params_formula(layers.Activation("relu")) == "0"
    three = Sequential([Input((4,)), layers.Dense(3), layers.Dense(2), layers.Dense(1)])
    assert params_formula(three) == "26 in 6 weights"  # 4·3+3 + 3·2+2 + 2·1+1
    assert params_formula(m) == "784×32 + 32 + 32×10 + 10 = 25,450"


def test_show_params_row_spans_the_box():
    d = model_to_dot(chain(), show_params=True, show_shapes=True)
    assert ('<tr><td colspan="2"><font point-size="12">Params: <b>32×10 + 10 = 330</b>'
            '</font></td></tr>') in d.labels["d2"]
    assert "Params" not in model_to_dot(chain()).labels["d2"]


def test_highlight_draws_an_orange_box_and_checks_names():
    m = chain()
    d = model_to_dot(m, highlight=["d2"])
    assert d.labels["d2"].startswith('<<table border="3" color="darkorange"')
    assert 'bgcolor="darkorange"><font point-size="14" color="black">' in d.labels["d2"]
    assert d.labels["d1"].startswith('<<table border="0"')
    assert model_to_dot(m, highlight="d1").labels["d1"].startswith('<<table border="3"')
    with pytest.raises(ValueError, match="highlight names the layer 'd3', which is not a box "
                                         "in this diagram. Did you mean 'd1' or 'd2'") as caught:
        model_to_dot(m, highlight=["d3"])
    assert str(caught.value).endswith("The boxes are: d1, d2.")  # no nested model to open
    with pytest.raises(ValueError, match="only with expand_nested=True"):
        model_to_dot(graph_model(), highlight=["i1"])
    assert "i1" in model_to_dot(graph_model(), expand_nested=True, highlight=["i1"]).nodes


def test_color_by_colours_title_rows_on_a_scale_with_a_legend():
    x = Input((2,), name="x")
    h = [x]
    for k in range(3):
        h.append(layers.Dense(2, name=f"h{k}")(h[-1]))
    m = Model(x, h[-1])
    d = model_to_dot(m, color_by={"h0": 0.0, "h1": 2.0, "h2": 8.0}, color_label="grad norm")
    # 0 is the bottom of the scale, 8 the top, 2 a quarter of the way: the second stop
    assert 'bgcolor="#440154"><font point-size="14" color="white"><b>h0</b>' in d.labels["h0"]
    assert 'bgcolor="#3b528b"' in d.labels["h1"]
    assert 'bgcolor="#fde725"><font point-size="14" color="black"><b>h2</b>' in d.labels["h2"]
    assert "grad norm: <b>8</b>" in d.labels["h2"]
    assert 'bgcolor="black"' in d.labels["x"]  # no value: the usual black title
    legend = re.search(r'"kteach:legend" \[label=(.*)\];', d.source).group(1)
    assert "<b>grad norm</b>" in legend
    assert re.findall(r'<td bgcolor="(#\w+)"><font color="\w+">([^<]+)</font>', legend) == [
        ("#440154", "0"), ("#3b528b", "2"), ("#21918c", "4"), ("#5ec962", "6"), ("#fde725", "8")]
    d = model_to_dot(m, color_by={"h0": 1.0, "h1": float("nan")})
    assert 'bgcolor="gray60"' in d.labels["h1"]
    assert 'bgcolor="#21918c"' in d.labels["h0"]  # a single value sits mid-scale
    assert "kteach:legend" not in model_to_dot(m).source
    with pytest.raises(ValueError, match="color_by names the layer 'h9'"):
        model_to_dot(m, color_by={"h9": 1.0})
    with pytest.raises(TypeError, match="color_by must be a dict"):
        model_to_dot(m, color_by=[1.0, 2.0])


# ----- arguments and errors -----------------------------------------------------------------------
def test_rankdir_dpi_and_splines_go_into_the_graph():
    d = model_to_dot(chain(), rankdir="LR", dpi=96, splines="curved")
    assert ('graph [rankdir="LR", concentrate=true, dpi=96, fontname="Helvetica", '
            'splines="curved"];') in d.source
    with pytest.raises(ValueError, match="rankdir='lr' is not a direction Graphviz knows. "
                                         "Did you mean 'LR'"):
        model_to_dot(chain(), rankdir="lr")
    with pytest.raises(ValueError, match="splines='orto' is not a Graphviz edge style. "
                                         "Did you mean 'ortho'"):
        model_to_dot(chain(), splines="orto")
    with pytest.raises(ValueError, match="dpi must be a positive number"):
        plot_model(chain(), dpi=0)


def test_keras3_refusals_and_misspelt_keywords():
    with pytest.raises(ValueError, match="Argument `layer_range` is no longer supported"):
        plot_model(chain(), layer_range=["d1", "d2"])
    with pytest.raises(UnknownArgumentError, match="plot_model\\(\\) got an unexpected keyword "
                                                   "argument 'show_shape'. Did you mean 'show_shapes'"):
        plot_model(chain(), show_shape=True)


def test_unbuilt_model_and_non_models_are_refused():
    lazy = Sequential([layers.Dense(3)])
    with pytest.raises(NotBuiltError, match="This model has not yet been built"):
        plot_model(lazy)
    with pytest.raises(TypeError, match="plot_model\\(\\) draws a model, but got a Dense layer"):
        plot_model(layers.Dense(3))


def test_repr_counts_boxes_and_arrows():
    assert repr(model_to_dot(chain())) == (
        "<Diagram of 'chain': 2 boxes, 1 arrow; .source has the DOT text>")


# ----- rendering ----------------------------------------------------------------------------------
def svg_size(svg: str) -> tuple[str, str]:
    width = re.search(r'<svg width="(\d+)pt"', svg).group(1)
    view = re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1)
    return width, view


def test_render_with_dot_svg_png_pdf_and_jupyter_display(tmp_path, monkeypatch):
    assert render.renderer() == "dot"
    d = model_to_dot(graph_model(), show_shapes=True, expand_nested=True)
    svg = d.svg()
    assert svg.startswith("<?xml") and "</svg>" in svg
    assert "<title>pa&#45;&gt;shared</title>" in svg  # every arrow is drawn
    width, view = svg_size(svg)
    assert float(width) == pytest.approx(float(view), abs=1)  # drawn at 72 dpi, not scaled
    assert d._repr_svg_() == svg
    data, metadata = d._repr_mimebundle_()
    assert list(data) == ["image/svg+xml", "image/png"] and data["image/svg+xml"] == svg
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert metadata["image/png"]["alt"] == d.alt_text
    assert d.pipe("png").startswith(b"\x89PNG\r\n\x1a\n")
    assert d.pipe("pdf").startswith(b"%PDF")


def test_plot_model_writes_only_when_to_file_is_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = plot_model(chain())
    assert isinstance(d, Diagram) and os.listdir(tmp_path) == []
    plot_model(chain(), to_file="model.png", show_shapes=True)
    plot_model(chain(), to_file=tmp_path / "model.svg")
    plot_model(chain(), to_file="model.pdf")
    plot_model(chain(), to_file="model.dot")
    plot_model(chain(), to_file="model")  # no extension: PNG, as Keras
    assert sorted(os.listdir(tmp_path)) == ["model", "model.dot", "model.pdf", "model.png",
                                            "model.svg"]
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "model").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "model.svg").read_text().startswith("<?xml")
    assert (tmp_path / "model.pdf").read_bytes().startswith(b"%PDF")
    assert parse((tmp_path / "model.dot").read_text())["nodes"] == ["d1", "d2"]
    with pytest.raises(ValueError, match="Cannot save a diagram as 'jpgg'"):
        plot_model(chain(), to_file="model.jpgg")
    assert not (tmp_path / "model.jpgg").exists()


def test_png_uses_the_dpi(tmp_path):
    def png_width(data: bytes) -> int:
        return int.from_bytes(data[16:20], "big")

    m = chain()
    small = png_width(model_to_dot(m, dpi=72).pipe("png"))
    big = png_width(model_to_dot(m, dpi=144).pipe("png"))
    assert big == pytest.approx(2 * small, abs=2)


def test_dot_that_crashes_on_right_angled_arrows_is_asked_again_with_polylines(
        tmp_path, monkeypatch):
    """Graphviz 2.43 (Debian 12) aborts in its orthogonal router on some left-to-right graphs
    ("maze.c: chkSgraph: Assertion failed"). A stand-in `dot` that does the same unless the
    arrows are overridden shows that kteach draws the picture anyway."""
    real_dot = render.which_dot()
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\n"
                    'case "$*" in *-Gsplines=polyline*) exec ' + real_dot + ' "$@";; esac\n'
                    "echo \"dot: maze.c:313: chkSgraph: Assertion failed.\" >&2\nexit 134\n")
    fake.chmod(0o755)
    monkeypatch.setattr(render, "which_dot", lambda: str(fake))
    svg = model_to_dot(graph_model(), rankdir="LR").svg()
    assert svg.startswith("<?xml") and "<title>pa&#45;&gt;shared</title>" in svg
    with pytest.raises(RuntimeError, match="could not draw the diagram:\ndot: maze.c:313"):
        model_to_dot(graph_model(), splines="line").svg()  # nothing to retry without ortho


def test_pygraphviz_renders_when_dot_is_not_on_path(monkeypatch, capfd):
    monkeypatch.setattr(render, "which_dot", lambda: None)
    assert render.renderer() == "pygraphviz"
    d = model_to_dot(graph_model(), show_shapes=True, show_params=True)
    svg = d.svg()
    assert svg.startswith("<?xml") and "<title>pa&#45;&gt;shared</title>" in svg
    assert "Params:" in svg
    assert d.pipe("png").startswith(b"\x89PNG\r\n\x1a\n")
    assert d.pipe("pdf").startswith(b"%PDF")
    assert "Fontconfig" not in capfd.readouterr().err


def test_pygraphviz_fallback_prints_nothing_in_a_fresh_process():
    """The bundled fontconfig warns once per process, when it starts; the fallback hides it."""
    code = ("from kteach.viz import render, model_to_dot\n"
            "from kteach import Sequential, Input, layers\n"
            "render.which_dot = lambda: None\n"
            "m = Sequential([Input((4,)), layers.Dense(2)])\n"
            "print(model_to_dot(m).pipe('svg')[:5])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "b'<?xml'\n"
    assert result.stderr == ""


def test_without_any_graphviz_the_error_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "which_dot", lambda: None)
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # makes `import pygraphviz` fail
    d = model_to_dot(chain())
    assert parse(d.source)["nodes"] == ["d1", "d2"]  # the DOT text needs no Graphviz
    with pytest.raises(GraphvizNotFoundError) as caught:
        d.svg()
    message = str(caught.value)
    for fix in ("no `dot` program on PATH", "pip install 'kteach[viz]'",
                "apt-get install graphviz", "conda install graphviz", "brew install graphviz",
                "model_to_dot(model).source"):
        assert fix in message
    assert isinstance(caught.value, ImportError)  # as Keras raises
    with pytest.raises(GraphvizNotFoundError):
        plot_model(chain(), to_file=tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()
    plot_model(chain(), to_file=tmp_path / "m.dot")  # writing DOT text needs no Graphviz
    assert (tmp_path / "m.dot").read_text().startswith('digraph "chain')
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "pip install 'kteach[viz]'" in bundle["text/plain"]
    assert d._repr_svg_() is None


def test_import_kteach_does_not_import_viz_matplotlib_or_graphviz():
    code = ("import sys, kteach\n"
            "print(sorted(m for m in ('kteach.viz', 'matplotlib', 'pygraphviz', 'graphviz') "
            "if m in sys.modules))\n"
            "import kteach.viz\n"
            "print(sorted(m for m in ('matplotlib', 'pygraphviz', 'graphviz') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n[]\n"


def test_model_shows_its_diagram_in_jupyter_only_when_asked():
    import kteach
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(2)])
    assert model._repr_mimebundle_() is None            # Keras' repr: IPython falls back to it
    kteach.config.set_model_display("diagram")
    try:
        bundle, metadata = model._repr_mimebundle_()
        assert "<svg" in bundle["image/svg+xml"] and "image/png" in bundle
        assert metadata["image/png"]["alt"] == "Diagram of model 'sequential': dense."
    finally:
        kteach.config.set_model_display("repr")
    with pytest.raises(ValueError, match="'repr' or 'diagram'"):
        kteach.config.set_model_display("svg")


def test_plot_model_is_in_kteach_utils_as_in_keras_but_imported_on_first_use():
    import subprocess
    import sys
    code = ("import sys, kteach; assert 'kteach.viz' not in sys.modules; "
            "from kteach.utils import plot_model, model_to_dot; import kteach.viz.diagram as d; "
            "assert plot_model is d.plot_model and model_to_dot is d.model_to_dot; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
