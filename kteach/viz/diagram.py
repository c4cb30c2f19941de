"""``plot_model`` and ``model_to_dot``: a model's graph as a Graphviz diagram.

Every layer is a box (a *node*) and every tensor passed from one layer to the next is an
arrow (an *edge*). The box is a small table, as in Keras 3::

    ┌──────────────────────────────────────────┐
    │            dense (Dense)                 │   title: name and class
    ├──────────────────────────────────────────┤
    │          Activation: relu                │   show_layer_activations=True
    ├────────────────────┬─────────────────────┤
    │ Input shape:       │ Output shape:       │   show_shapes=True
    │ (None, 784)        │ (None, 32)          │
    └────────────────────┴─────────────────────┘

What is drawn:

* A Sequential model shows only its layers (no box for its input), a functional model also
  its ``InputLayer`` boxes.
* A layer called several times (a *shared* layer) is one box with an arrow for every call.
* A learner's layer (a ``Layer`` subclass with ``call()``) is a box like any other, titled
  with its class name; its shapes are those its calls had in the graph.
* A subclassed model (``class MyModel(Model)`` with ``call()``) has no graph of its own: its
  diagram is the graph of layer calls that ``model.traced_graph()`` finds by running
  ``call()`` on symbolic inputs (an ``input`` box for each). That needs the model to have
  seen data, and a ``call()`` made of layer calls only; where ``call()`` computes with ops or
  with Python on numbers, there is nothing to trace and :class:`NoDiagramError` says so.
* A nested model (or a wrapper such as ``TimeDistributed(model)``) is one box; with
  ``expand_nested=True`` it becomes a dashed frame (a *cluster*) with its own layers inside,
  and the arrows go straight to the layers inside.

The functions here only write DOT text (:attr:`Diagram.source`); drawing it needs Graphviz
(:mod:`kteach.viz.render`), and happens when the diagram is shown or saved. In Jupyter a
diagram shows itself as SVG with a PNG beside it (notebooks that are not trusted, GitHub and
nbviewer show the PNG), and both carry a short description of the graph as alt text.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any, Iterable

from .. import activations
from ..engine.errors import KteachError, NotBuiltError, check_keywords, did_you_mean
from ..engine.layer import Layer
from ..engine.numbers import significant
from ..engine.tensor import format_shape
from ..layers.core import InputLayer
from ..models.functional import Model, register_diagram
from ..models.sequential import Sequential
from . import render as _render

__all__ = ["Diagram", "NoDiagramError", "model_to_dot", "plot_model"]

RANKDIRS = ("TB", "LR", "BT", "RL")
SPLINES = ("ortho", "curved", "polyline", "spline", "line", "true", "false", "none", "compound")

# Colours of a box.
TITLE_COLOUR = "black"
HIGHLIGHT_COLOUR = "darkorange"
TRAINABLE_COLOUR, FROZEN_COLOUR = "forestgreen", "firebrick"
NO_VALUE_COLOUR = "gray60"  # colour_by: layers without a value
# A perceptually even scale from dark blue (small) to yellow (large), 5 stops (viridis).
SCALE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
LEGEND_ID = "kteach:legend"
# The PNG of the Jupyter display: drawn at 1.5 times a browser's 96 px per inch, shown at 96,
# so it is as large as the SVG and stays sharp on high-resolution screens.
PNG_DPI, SCREEN_DPI = 144, 96
MAX_ALT_ARROWS = 24  # a longer alt text names only this many arrows


class NoDiagramError(KteachError, ValueError):
    """A subclassed model whose ``call()`` cannot be traced into a graph of layer calls."""


# ----- the diagram object ---------------------------------------------------------------------
class Diagram:
    """A model's diagram: its DOT text, and the picture Graphviz draws from it.

    ``source`` is the DOT text. ``nodes`` lists the boxes (their DOT ids, which are the layer
    names), ``edges`` the arrows as ``(from, to)`` pairs, ``clusters`` the frames of expanded
    nested models, ``labels`` each box's HTML-like table and ``highlighted`` the boxes drawn
    in orange. ``alt_text`` describes the picture in a sentence, for readers who cannot see it.
    In Jupyter the diagram shows itself as SVG and PNG; :meth:`save` writes png, svg, pdf or dot.
    """

    def __init__(self, source: str, name: str, nodes: list[str], edges: list[tuple[str, str]],
                 clusters: list[str], labels: dict[str, str],
                 highlighted: list[str] | None = None):
        self.source = source
        self.name = name
        self.nodes, self.edges, self.clusters, self.labels = nodes, edges, clusters, labels
        self.highlighted = list(highlighted or [])
        self._svg: str | None = None
        self._png: bytes | None = None

    @property
    def alt_text(self) -> str:
        """``Diagram of model 'sequential': input_layer → dense → dense_1`` for a chain; for
        other graphs the boxes, then the arrows (at most :data:`MAX_ALT_ARROWS` of them)."""
        return alt_text(self.name, self.nodes, self.edges, self.highlighted)

    def _drawable_source(self) -> str:
        """A whole graph: ``model_to_dot(subgraph=True)`` gives only a cluster."""
        if self.source.startswith("subgraph"):
            return "digraph {\n" + self.source + "}\n"
        return self.source

    def pipe(self, format: str = "svg", dpi: float | None = None) -> bytes:
        """The picture as bytes in ``format`` (png, svg, pdf; dot gives the DOT text). ``dpi``
        overrides the graph's dots per inch for a PNG."""
        return _render.render(self._drawable_source(), format, dpi=dpi)

    def svg(self) -> str:
        """The picture as SVG text (drawn once, then kept), with the alt text as its
        accessible name (``role="img" aria-label=...``) and its ``<title>``/``<desc>``."""
        if self._svg is None:
            self._svg = _with_description(self.pipe("svg").decode("utf-8"), self.alt_text)
        return self._svg

    def png(self) -> bytes:
        """The PNG that Jupyter shows beside the SVG, at :data:`PNG_DPI` (drawn once)."""
        if self._png is None:
            self._png = self.pipe("png", dpi=PNG_DPI)
        return self._png

    @check_keywords
    def save(self, path: str | Path, format: str | None = None) -> str:
        """Write the picture to ``path`` in ``format``, by default the one its extension names
        (``.png``, ``.svg``, ``.pdf``, ``.dot``); no extension means PNG, as in Keras."""
        path = str(path)
        format = (format or _extension(path) or "png").lower()
        if format not in _render.FORMATS:
            hint = did_you_mean(format, _render.FORMATS)
            raise ValueError(
                f"Cannot save a diagram as {format!r} (from to_file={path!r}).{hint} Name the "
                f"file with one of these extensions: "
                f"{', '.join('.' + f for f in _render.FORMATS)}.")
        folder = Path(path).parent
        if not folder.is_dir():
            from ..engine.errors import InvalidArgumentError
            raise InvalidArgumentError(
                f"Cannot save the diagram to {path!r}: the folder {str(folder)!r} does not "
                f"exist. Create it first (os.makedirs({str(folder)!r}, exist_ok=True)) or "
                f"give a path in an existing folder.")
        data = self.svg().encode("utf-8") if format == "svg" else self.pipe(format)
        Path(path).write_bytes(data)
        return path

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except _render.GraphvizNotFoundError:
            return None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """Jupyter's picture: ``(data, metadata)`` with the SVG and a PNG beside it (an
        untrusted notebook, GitHub and nbviewer show the PNG), each with the alt text in its
        metadata; without Graphviz, the text that says how to get it."""
        try:
            svg, png = self.svg(), self.png()
        except _render.GraphvizNotFoundError as error:
            return {"text/plain": f"{self!r}\n{error}"}
        width = round(_png_width(png) * SCREEN_DPI / PNG_DPI)
        data = {"image/svg+xml": svg,
                "image/png": base64.b64encode(png).decode("ascii")}
        metadata = {"image/svg+xml": {"alt": self.alt_text},
                    "image/png": {"alt": self.alt_text, "width": width}}
        return data, metadata

    def __repr__(self) -> str:
        boxes, arrows = len(self.nodes), len(self.edges)
        return (f"<Diagram of '{self.name}': {boxes} box{'es' * (boxes != 1)}, "
                f"{arrows} arrow{'s' * (arrows != 1)}; .source has the DOT text>")


def alt_text(name: str, nodes: list[str], edges: list[tuple[str, str]],
             highlighted: list[str] | None = None) -> str:
    """A sentence that says what a diagram shows: its boxes and arrows, in order."""
    head = f"Diagram of model '{name}'"
    chain = _as_chain(nodes, edges)
    if chain is not None:
        text = f"{head}: {' → '.join(chain)}"
    else:
        shown = [f"{a} → {b}" for a, b in edges[:MAX_ALT_ARROWS]]
        more = len(edges) - len(shown)
        text = (f"{head}, {len(nodes)} box{'es' * (len(nodes) != 1)} ({', '.join(nodes)}); "
                f"arrows: {', '.join(shown) or 'none'}" + (f" and {more} more" if more else ""))
    if highlighted:
        text += f"; highlighted: {', '.join(highlighted)}"
    return text + "."


def _as_chain(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    """The boxes in order when the arrows join them in one line, else None."""
    if len(edges) != len(nodes) - 1:
        return None
    following = dict(edges)
    if len(following) != len(edges) or len(set(following.values())) != len(edges):
        return None
    start = [n for n in nodes if n not in following.values()]
    if len(start) != 1:
        return None
    chain = start
    while chain[-1] in following and len(chain) <= len(nodes):
        chain.append(following[chain[-1]])
    return chain if len(chain) == len(nodes) else None


def _with_description(svg: str, text: str) -> str:
    """The SVG with ``text`` as its accessible name and as its first ``<title>``/``<desc>``."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        return svg
    label = _esc(text)
    return (svg[:end] + f' role="img" aria-label="{label}">'
            + f"\n<title>{label}</title>\n<desc>{label}</desc>" + svg[end + 1:])


def _png_width(png: bytes) -> int:
    """The width in pixels from a PNG's header."""
    return int.from_bytes(png[16:20], "big")


def _extension(path: str) -> str:
    suffix = Path(path).suffix
    return suffix[1:] if suffix else ""


# ----- the public functions -------------------------------------------------------------------
@check_keywords
def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, splines: str = "ortho", layer_range=None,
                 show_params: bool = False, highlight: Iterable[str] | str | None = None,
                 color_by: dict[str, float] | None = None, color_label: str = "value") -> Diagram:
    """The diagram of ``model`` as DOT text, without drawing it. Keras 3's arguments:

    * ``show_shapes``: add each layer's input and output shape (``(None, 784)``, the batch
      first); ``show_dtype``: the dtype of its output; ``show_trainable``: a green *Trainable*
      or red *Non-trainable* cell on layers that have weights.
    * ``show_layer_names``: title ``dense (Dense)`` rather than ``Dense``.
    * ``show_layer_activations``: a row ``Activation: relu`` on layers with an activation.
    * ``rankdir``: direction of the arrows, ``"TB"`` (top to bottom) or ``"LR"`` (left to
      right); ``"BT"`` and ``"RL"`` also work.
    * ``expand_nested``: draw nested models as dashed frames with their layers inside.
    * ``dpi``: dots per inch of a PNG (an SVG is always at its natural size).
    * ``subgraph``: give only a cluster (``subgraph cluster_... {}``) to put into another graph.
    * ``splines``: how arrows bend: ``"ortho"`` (right angles), ``"curved"``, ``"polyline"``,
      ``"spline"``, ``"line"``. (Where an old ``dot`` fails to route right angles, the
      picture is drawn with ``"polyline"`` instead.)

    kteach's extras, off by default:

    * ``show_params``: a row with the parameter count and how it comes about, from the shapes
      of the weights, e.g. ``784×32 + 32 = 25,120`` for a Dense kernel and bias.
    * ``highlight``: names of layers whose boxes are drawn in orange.
    * ``color_by``: ``{layer name: number}``; each such box is coloured on a scale from dark
      blue (smallest) to yellow (largest), shows its number, and a legend is added.
      ``color_label`` names the number (e.g. ``"gradient norm"``).

    ``layer_range`` is refused, as in Keras 3.
    """
    _check_model(model, "model_to_dot")
    _check_graph_arguments(rankdir, dpi, splines, layer_range)
    options = _Options(show_shapes, show_dtype, show_layer_names, show_layer_activations,
                       show_trainable, expand_nested, show_params, highlight, color_by, color_label)
    writer = _DotWriter(options)
    if subgraph:
        lines = writer.cluster(model, f"{model.name} ({class_name(model)})", indent="")
    else:
        lines = [f"digraph {_quote(model.name)} {{",
                 f"  graph [rankdir={_quote(rankdir)}, concentrate=true, dpi={int(dpi)}, "
                 f'fontname="Helvetica", splines={_quote(splines)}];',
                 '  node [shape=plain, fontname="Helvetica"];',
                 "  edge [penwidth=2];"]
        lines += writer.model_body(model, indent="  ")
        lines += writer.legend(indent="  ")
        lines.append("}")
    writer.check_names_found()
    return Diagram("\n".join(lines) + "\n", model.name, writer.node_ids, writer.edges,
                   writer.cluster_ids, writer.labels, highlighted=options.highlight)


@check_keywords
def plot_model(model, to_file: str | Path | None = None, show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, splines: str = "ortho", layer_range=None,
               show_params: bool = False, highlight: Iterable[str] | str | None = None,
               color_by: dict[str, float] | None = None, color_label: str = "value") -> Diagram:
    """Draw ``model``'s graph; in Jupyter it shows as a picture. Returns a :class:`Diagram`.

    The arguments are Keras 3's, with the same defaults (see :func:`model_to_dot`; note that
    ``plot_model`` shows layer *classes* unless ``show_layer_names=True``). One difference:
    Keras always writes ``model.png``; kteach writes a file only when ``to_file`` is given,
    in the format its extension names (``.png``, ``.svg``, ``.pdf``, ``.dot``; none: PNG).
    So ``plot_model(model, to_file='model.png', show_shapes=True)`` from a tutorial works
    as is.
    """
    _check_model(model, "plot_model")
    diagram = model_to_dot(
        model, show_shapes=show_shapes, show_dtype=show_dtype,
        show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
        dpi=dpi, show_layer_activations=show_layer_activations, show_trainable=show_trainable,
        splines=splines, layer_range=layer_range, show_params=show_params, highlight=highlight,
        color_by=color_by, color_label=color_label)
    if to_file is not None:
        diagram.save(to_file)
    return diagram


def _check_model(model: Any, where: str) -> None:
    if not isinstance(model, Model):
        what = f"a {type(model).__name__} layer" if isinstance(model, Layer) else repr(model)
        raise TypeError(
            f"{where}() draws a model, but got {what}. Build a model around it first, e.g. "
            f"Sequential([Input(shape=(4,)), layer]) or Model(inputs, outputs).")
    if graph_of(model) is not None:
        return
    if not model._subclassed():
        raise NotBuiltError(
            f"This model has not yet been built, so there are no layer calls to draw. Give "
            f"'{model.name}' an input shape (Sequential([Input(shape=(20,)), ...])) or call it "
            f"on data (model.predict(x)) first.")
    kind = type(model).__name__
    if getattr(model, "_input_specs", None) is None:
        raise NotBuiltError(
            f"The subclassed model '{model.name}' ({kind}) has not been called on data yet, so "
            f"kteach does not know the shape of its inputs and cannot trace its call() into "
            f"layer calls to draw. Call it on a batch first -- model(x[:1]), model.predict(x) "
            f"or model.fit(x, y) -- or give the shape with model.build((None, 4)); then "
            f"{where}(model) again.")
    raise NoDiagramError(
        f"There is no diagram of the subclassed model '{model.name}' ({kind}): its call() "
        f"could not be traced. kteach draws a subclassed model by running call() once on "
        f"symbolic inputs (tensors with a shape but no numbers) and noting the layer calls; "
        f"this call() needs the numbers themselves -- float(x), an `if` on a value, a NumPy "
        f"function, or an op that cannot run on symbolic tensors. Training and explain() are "
        f"not affected. For a diagram, write call() from layer calls only (layers.Activation("
        f"'tanh') for a function, layers.Add() to add tensors, a layer of your own with that "
        f"code in its call() for the rest), or build the model the functional way with "
        f"Input(...). Without a diagram, model.summary() lists the layers and "
        f"model.explain(x, y) shows every op.")


def _check_graph_arguments(rankdir: str, dpi: int, splines: str, layer_range: Any) -> None:
    if layer_range is not None:
        raise ValueError(
            "Argument `layer_range` is no longer supported (Keras 3 removed it). To draw part "
            "of a model, make a model of that part: Model(first_layer.input, last_layer.output).")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"rankdir={rankdir!r} is not a direction Graphviz knows."
            f"{did_you_mean(str(rankdir), RANKDIRS)} Use 'TB' (top to bottom) or 'LR' (left to "
            f"right); 'BT' and 'RL' also work.")
    if splines not in SPLINES:
        raise ValueError(
            f"splines={splines!r} is not a Graphviz edge style."
            f"{did_you_mean(str(splines), SPLINES)} Use one of: {', '.join(SPLINES)}.")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"dpi must be a positive number of dots per inch, e.g. dpi=96. "
                         f"Received: dpi={dpi!r}")


# ----- options ----------------------------------------------------------------------------------
class _Options:
    """What to show in each box, and kteach's extras."""

    def __init__(self, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                 show_trainable, expand_nested, show_params, highlight, color_by, color_label):
        self.show_shapes, self.show_dtype = bool(show_shapes), bool(show_dtype)
        self.show_layer_names = bool(show_layer_names)
        self.show_layer_activations = bool(show_layer_activations)
        self.show_trainable, self.expand_nested = bool(show_trainable), bool(expand_nested)
        self.show_params = bool(show_params)
        if isinstance(highlight, str):
            highlight = [highlight]
        self.highlight = [str(n) for n in (highlight or [])]
        if color_by is not None and not isinstance(color_by, dict):
            raise TypeError(f"color_by must be a dict {{layer name: number}}, e.g. "
                            f"{{'dense': 0.5}}. Received: {type(color_by).__name__}")
        self.color_by = {str(k): float(v) for k, v in (color_by or {}).items()}
        self.color_label = str(color_label)
        finite = [v for v in self.color_by.values() if v == v and abs(v) != float("inf")]
        self.color_range = (min(finite), max(finite)) if finite else (0.0, 0.0)


# ----- writing DOT --------------------------------------------------------------------------------
class _DotWriter:
    """Walks a model (and the models nested in it) and writes DOT lines.

    Each layer object gets one DOT id, its name (made unique with ``#2`` if two different
    layers share a name), so a layer called several times is one box.
    """

    def __init__(self, options: _Options):
        self.options = options
        self._ids: dict[int, str] = {}
        self.node_ids: list[str] = []
        self.cluster_ids: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}
        self.closed_boxes = False  # a nested model drawn as one box (its layers not drawn)

    # -- ids ------------------------------------------------------------------------------------
    def node_id(self, layer: Layer) -> str:
        if id(layer) not in self._ids:
            taken = set(self._ids.values())
            name, n = layer.name, 1
            while name in taken:
                n += 1
                name = f"{layer.name}#{n}"
            self._ids[id(layer)] = name
        return self._ids[id(layer)]

    # -- which boxes, and the arrows between them --------------------------------------------
    def expands(self, layer: Layer) -> bool:
        inner = _inner_model(layer)
        return self.options.expand_nested and inner is not None and graph_of(inner) is not None

    def entry(self, layer: Layer, input_index: int) -> str:
        """The box an arrow into ``layer`` (its ``input_index``-th input) points at."""
        if not self.expands(layer):
            return self.node_id(layer)
        inner = _inner_model(layer)
        if isinstance(inner, Sequential):  # no InputLayer box: the first layer takes it
            return self.entry(inner.layers[0], 0)
        return self.node_id(graph_of(inner).inputs[input_index].node.layer)

    def exit(self, layer: Layer, output_index: int) -> str:
        """The box an arrow out of ``layer`` (its ``output_index``-th output) starts at."""
        if not self.expands(layer):
            return self.node_id(layer)
        t = graph_of(_inner_model(layer)).outputs[output_index]
        return self.exit(t.node.layer, t.index)

    # -- the body of one model ---------------------------------------------------------------
    def model_body(self, model: Model, indent: str) -> list[str]:
        """Boxes (and clusters) for ``model``'s layers, then the arrows between them."""
        lines: list[str] = []
        calls = _calls(model)
        drawn = _drawn_layers(model)
        for layer in drawn:
            if self.expands(layer):
                lines += self.cluster(layer, self._cluster_title(layer), indent)
            else:
                self.closed_boxes |= _inner_model(layer) is not None
                lines.append(self.box(layer, calls, indent))
        drawn_ids = {id(layer) for layer in drawn}
        for call in calls:
            for i, t in enumerate(call.flat_inputs):
                if id(t.node.layer) not in drawn_ids:
                    continue  # the hidden Input of a Sequential
                edge = (self.exit(t.node.layer, t.index), self.entry(call.layer, i))
                if edge not in self.edges:
                    self.edges.append(edge)
                    lines.append(f"{indent}{_quote(edge[0])} -> {_quote(edge[1])};")
        return lines

    def cluster(self, layer: Layer, title: str, indent: str) -> list[str]:
        """A dashed frame around the layers of the model in (or wrapped by) ``layer``."""
        cluster_id = "cluster_" + self.node_id(layer)
        self.cluster_ids.append(cluster_id)
        inner = _inner_model(layer)
        lines = [f"{indent}subgraph {_quote(cluster_id)} {{",
                 f"{indent}  graph [label={_quote(title)}, style=dashed, labeljust=l];"]
        lines += self.model_body(inner, indent + "  ")
        lines.append(f"{indent}}}")
        return lines

    def _cluster_title(self, layer: Layer) -> str:
        inner = _inner_model(layer)
        if inner is layer:
            return f"{layer.name} ({class_name(layer)})"
        return f"{layer.name} ({class_name(layer)}) wrapping {inner.name} ({class_name(inner)})"

    # -- one box -------------------------------------------------------------------------------
    def box(self, layer: Layer, calls: list, indent: str) -> str:
        node_id = self.node_id(layer)
        label = _label(layer, _first_call(layer, calls), self.options)
        self.node_ids.append(node_id)
        self.labels[node_id] = label
        return f"{indent}{_quote(node_id)} [label={label}];"

    def legend(self, indent: str) -> list[str]:
        """A box with the colour scale of ``color_by``, from the smallest to the largest value."""
        if not self.options.color_by:
            return []
        lo, hi = self.options.color_range
        n_colours = len(SCALE)
        cells = []
        for k in range(n_colours):
            value = lo + (hi - lo) * k / (n_colours - 1)
            colour = SCALE[k]
            cells.append(f'<td bgcolor="{colour}"><font color="{_text_colour(colour)}">'
                         f"{significant(value)}</font></td>")
        label = (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
                 f'<tr><td colspan="{n_colours}"><b>{_esc(self.options.color_label)}</b></td></tr>'
                 f"<tr>{''.join(cells)}</tr></table>>")
        return [f"{indent}{_quote(LEGEND_ID)} [label={label}];"]

    def check_names_found(self) -> None:
        """Every name in ``highlight`` and ``color_by`` must be a box of this diagram."""
        for what, names in (("highlight", self.options.highlight),
                            ("color_by", list(self.options.color_by))):
            for name in names:
                if name not in self.node_ids:
                    hint = did_you_mean(name, self.node_ids)
                    nested = (" Layers inside nested models are drawn only with "
                              "expand_nested=True." if self.closed_boxes else "")
                    raise ValueError(
                        f"{what} names the layer '{name}', which is not a box in this "
                        f"diagram.{hint} The boxes are: {', '.join(self.node_ids)}.{nested}")


# ----- reading the model ------------------------------------------------------------------------
def _inner_model(layer: Layer) -> Model | None:
    """The model drawn inside ``layer`` when nested models are expanded: the layer itself if it
    is a model, or the model a wrapper (``TimeDistributed(model)``) keeps in ``.layer``."""
    if isinstance(layer, Model):
        return layer
    wrapped = getattr(layer, "layer", None)
    return wrapped if isinstance(wrapped, Model) else None


def graph_of(model: Model):
    """The graph a diagram of ``model`` draws: its own, or for a subclassed model the layer
    calls its ``call()`` makes, traced on symbolic inputs (None when that cannot be done)."""
    graph = getattr(model, "_graph", None)
    if graph is None and hasattr(model, "traced_graph"):
        graph = model.traced_graph()
    return graph


def _calls(model: Model) -> list:
    """The layer calls (graph nodes) of ``model``, from its inputs to its outputs."""
    return list(graph_of(model).nodes)


def _drawn_layers(model: Model) -> list[Layer]:
    """The layers that get a box: a Sequential's ``model.layers`` (no InputLayer), else every
    layer of the graph: InputLayers, ops called on symbolic tensors, and for a subclassed
    model the layers of its traced graph."""
    if isinstance(model, Sequential):
        return list(model.layers)
    return list(graph_of(model).layers)


def _first_call(layer: Layer, calls: list):
    """The layer's first call in this model (its shapes are shown), or its first call at all."""
    for call in calls:
        if call.layer is layer:
            return call
    return layer._inbound_nodes[0] if layer._inbound_nodes else None


def class_name(layer: Layer) -> str:
    """``Dense``; a functional model is ``Functional``, as Keras 3 names it."""
    return "Functional" if type(layer) is Model else type(layer).__name__


# ----- the HTML-like table of a box ---------------------------------------------------------------
def _label(layer: Layer, call, options: _Options) -> str:
    cells = _bottom_cells(layer, call, options)
    span = max(1, len(cells))
    name = layer.name
    highlighted = name in options.highlight
    title_bg = HIGHLIGHT_COLOUR if highlighted else TITLE_COLOUR
    value = options.color_by.get(name)
    if value is not None:
        title_bg = _scale_colour(value, options.color_range)
    title = (f"<b>{_esc(name)}</b> ({_esc(class_name(layer))})" if options.show_layer_names
             else f"<b>{_esc(class_name(layer))}</b>")
    rows = [f'<tr><td colspan="{span}" bgcolor="{title_bg}"><font point-size="14" '
            f'color="{_text_colour(title_bg)}">{title}</font></td></tr>']
    activation = getattr(layer, "activation", None)
    if options.show_layer_activations and activation is not None:
        rows.append(_wide_row(span, "Activation", _activation_name(activation)))
    if options.show_params:
        rows.append(_wide_row(span, "Params", params_formula(layer)))
    if value is not None:
        rows.append(_wide_row(span, options.color_label, significant(value)))
    if cells:
        rows.append("<tr>" + "".join(cells) + "</tr>")
    border = ' border="3" color="darkorange"' if highlighted else ' border="0"'
    return (f'<<table{border} cellborder="1" cellspacing="0" cellpadding="6">'
            + "".join(rows) + "</table>>")


def _activation_name(activation: Any) -> str:
    """``relu``; a learner's layer may keep its activation as a name (``"tanh"``)."""
    if isinstance(activation, str):
        return activation
    return activations.serialize(activation)


def _bottom_cells(layer: Layer, call, options: _Options) -> list[str]:
    cells = []
    if options.show_shapes:
        if not isinstance(layer, InputLayer):
            cells.append(_cell("Input shape", _input_shapes(call)))
        cells.append(_cell("Output shape", _output_shapes(call)))
    if options.show_dtype:
        cells.append(_cell("Output dtype", _output_dtypes(call)))
    if options.show_trainable and layer.weights:
        text, colour = (("Trainable", TRAINABLE_COLOUR) if layer.trainable
                        else ("Non-trainable", FROZEN_COLOUR))
        cells.append(f'<td bgcolor="{colour}"><font point-size="12" color="white">'
                     f"<b>{text}</b></font></td>")
    return cells


def _cell(name: str, value: str) -> str:
    return f'<td><font point-size="12">{name}: <b>{_esc(value)}</b></font></td>'


def _wide_row(span: int, name: str, value: str) -> str:
    return (f'<tr><td colspan="{span}"><font point-size="12">{_esc(name)}: '
            f"<b>{_esc(value)}</b></font></td></tr>")


def _input_shapes(call) -> str:
    if call is None:
        return "?"
    shapes = [format_shape(t.shape) for t in call.flat_inputs]
    return "[" + ", ".join(shapes) + "]" if isinstance(call.inputs, (list, tuple)) else shapes[0]


def _output_shapes(call) -> str:
    if call is None:
        return "?"
    shapes = [format_shape(t.shape) for t in call.outputs]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _output_dtypes(call) -> str:
    if call is None:
        return "?"
    dtypes = [str(t.dtype) for t in call.outputs]
    return dtypes[0] if len(dtypes) == 1 else "[" + ", ".join(dtypes) + "]"


def params_formula(layer: Layer) -> str:
    """How many numbers the layer's weights hold, and why: each weight's shape multiplied out,
    then added up. ``784×32 + 32 = 25,120`` for a Dense kernel (784, 32) and bias (32,);
    ``0`` without weights; only the total (and the number of weights) when there are more
    than four."""
    weights = layer.weights
    if not weights:
        return "0"
    sizes = [_size(w.shape) for w in weights]
    total = f"{sum(sizes):,}"
    if len(weights) > 4:
        return f"{total} in {len(weights)} weights"
    terms = ["×".join(str(d) for d in w.shape) or "1" for w in weights]
    if len(terms) == 1 and "×" not in terms[0]:
        return total
    return " + ".join(terms) + " = " + total


def _size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


# ----- colours, numbers and quoting -------------------------------------------------------------
def _scale_colour(value: float, value_range: tuple[float, float]) -> str:
    """The colour of ``value`` on :data:`SCALE`, where the range's ends are its ends.
    Blends linearly between the two nearest stops; NaN and infinities are grey."""
    if value != value or abs(value) == float("inf"):
        return NO_VALUE_COLOUR
    lo, hi = value_range
    t = 0.5 if hi == lo else (value - lo) / (hi - lo)
    position = min(max(t, 0.0), 1.0) * (len(SCALE) - 1)
    k = min(int(position), len(SCALE) - 2)
    f = position - k
    a, b = _rgb(SCALE[k]), _rgb(SCALE[k + 1])
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b))


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _text_colour(background: str) -> str:
    """White on dark backgrounds, black on light ones (by the background's luminance)."""
    named = {"black": "#000000", "darkorange": "#ff8c00", "gray60": "#999999"}
    r, g, b = _rgb(named.get(background, background))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _quote(text: str) -> str:
    """A DOT id in double quotes."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


# A model shown in Jupyter after set_model_display('diagram') draws itself with this.
register_diagram(lambda model: plot_model(model, show_shapes=True))
