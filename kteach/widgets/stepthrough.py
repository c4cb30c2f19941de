"""StepThrough: walk through one training step, one recorded step at a time.

``model.explain(x, y)`` records a training step as a list of steps: forward through each
layer, the loss, backward through each layer, the update of each weight. This panel shows
them one by one: Next / Previous (and First / Last, a slider, and a button per phase) move
through the record; the layer of the current step is drawn in orange on the model's diagram
(``kteach.viz.plot_model(..., highlight=[...])``), and beside it are the step's formula and
its arrays -- for a backward step the gradients, for an update step the rule with the
optimizer's numbers and each value before and after.

A learner's own code opens up too: a layer written with ``call()`` (or a subclassed model)
has a step for each op its ``call()`` ran -- ``linear/matmul``, ``linear/add`` -- shown
under the layer's own step while the layer's box stays orange. A subclassed model is drawn
from the layer calls its ``call()`` makes; where ``call()`` needs the numbers and cannot be
traced, the panel steps through all the same and says so where the diagram would be.

The record is made with ``apply=False``, so the model is left exactly as it was: the panel
only looks. ::

    steps = StepThrough(model, x, y)
    steps                       # the widget
    steps.next(); steps.next()  # what the Next button does
    print(steps.caption())      # step 3 of 9: loss of dense_1
    print(steps.details_text()) # the formula and the arrays the panel shows
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from ..engine.recording import OpStep, array_html, array_text
from .common import pre

PHASES = ("forward", "loss", "backward", "update")
# The colour of each phase, for the caption and the formula.
PHASE_COLOURS = {"forward": "#1f77b4", "loss": "#d62728", "backward": "#ff7f0e",
                 "update": "#2ca02c"}


class StepThrough(W.VBox):
    """A panel that steps through ``model.explain(x, y)`` (the model is not changed).

    ``x, y`` is one batch, as for ``train_on_batch``; keep it small (a few samples), so that
    the arrays can be read. ``y=None`` records the forward pass only.

    Python API: :meth:`next`, :meth:`previous`, :meth:`first`, :meth:`last`, :meth:`go`,
    :meth:`refresh`, :attr:`index` (0-based, as in ``record[index]``), :attr:`step`,
    :attr:`record`, :meth:`caption`, :attr:`highlighted`, :meth:`details_text`,
    :attr:`diagram` (None when the model has no diagram; :attr:`no_diagram` says why).
    """

    def __init__(self, model, x, y=None):
        self.model = model
        self.x, self.y = x, y
        self.record = None
        self.diagram = None
        self.no_diagram: str | None = None   # why there is no diagram, when there is none
        self.highlighted: list[str] = []
        self._index = 0
        self._quiet = False           # True while the controls are set from code
        self._svg_cache: dict[tuple[str, ...], str] = {}
        self._make_controls()
        super().__init__([W.HBox([self.first_button, self.previous_button, self.next_button,
                                  self.last_button, self.slider]),
                          W.HBox([W.Label("jump to:"), self.phase_buttons]),
                          self.caption_html,
                          W.HBox([self.diagram_html, self.details_html])])
        self.refresh()

    # ----- controls ---------------------------------------------------------------------------
    def _make_controls(self) -> None:
        small = W.Layout(width="100px")
        self.first_button = W.Button(description="First", icon="fast-backward", layout=small)
        self.previous_button = W.Button(description="Previous", icon="step-backward",
                                        layout=small)
        self.next_button = W.Button(description="Next", icon="step-forward",
                                    button_style="primary", layout=small)
        self.last_button = W.Button(description="Last", icon="fast-forward", layout=small)
        self.first_button.on_click(lambda _: self.first())
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        self.last_button.on_click(lambda _: self.last())
        self.slider = W.IntSlider(value=1, min=1, max=1, description="step",
                                  continuous_update=False, style={"description_width": "40px"})
        self.slider.observe(self._slider_moved, names="value")
        self.phase_buttons = W.ToggleButtons(options=PHASES, value=None,
                                             style={"button_width": "90px"},
                                             tooltips=[f"go to the first {p} step" for p in PHASES])
        self.phase_buttons.observe(self._phase_chosen, names="value")
        self.caption_html = W.HTML()
        self.diagram_html = W.HTML(layout=W.Layout(max_width="45%", overflow="auto",
                                                   margin="0 12px 0 0"))
        self.details_html = W.HTML(layout=W.Layout(overflow="auto"))

    def _slider_moved(self, change: dict) -> None:
        if not self._quiet:
            self.go(change["new"] - 1)

    def _phase_chosen(self, change: dict) -> None:
        if self._quiet or change["new"] is None:
            return
        for step in self.record:
            if step.kind == change["new"]:
                self.go(step.index)
                return

    # ----- the record -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Record the training step again (e.g. after the model was trained some more) and
        show its first step."""
        self.record = self.model.explain(self.x, self.y, apply=False)
        if len(self.record) == 0:
            raise ValueError("The record of this training step has no steps: the model has no "
                             "layers to step through.")
        self._svg_cache = {}
        self._boxes, self.no_diagram = _diagram_boxes(self.model)
        self._quiet = True
        self.slider.max = len(self.record)
        self._quiet = False
        phases = [p for p in PHASES if any(s.kind == p for s in self.record)]
        self._quiet = True
        self.phase_buttons.options = phases
        self.phase_buttons.tooltips = [f"go to the first {p} step" for p in phases]
        self._quiet = False
        self.go(0)

    @property
    def index(self) -> int:
        """Where we are: the current step is ``record[index]`` (0 is the first step)."""
        return self._index

    @property
    def step(self):
        """The current :class:`~kteach.engine.recording.Step`."""
        return self.record[self._index]

    def __len__(self) -> int:
        return len(self.record)

    # ----- moving -----------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show ``record[index]`` (a negative index counts from the end, as in a list)."""
        n = len(self.record)
        if not -n <= index < n:
            raise IndexError(f"There is no step {index}: this record has {n} steps, numbered "
                             f"0 to {n - 1}.")
        self._index = index % n
        self._show()

    def next(self) -> None:
        """One step on (the Next button); at the last step nothing happens."""
        self.go(min(self._index + 1, len(self.record) - 1))

    def previous(self) -> None:
        """One step back (the Previous button); at the first step nothing happens."""
        self.go(max(self._index - 1, 0))

    def first(self) -> None:
        """Back to the first step (the First button)."""
        self.go(0)

    def last(self) -> None:
        """On to the last step (the Last button)."""
        self.go(len(self.record) - 1)

    # ----- what is shown ----------------------------------------------------------------------
    def caption(self) -> str:
        """``step 4 of 9: backward through dense_1`` (the step numbers count from 1)."""
        return f"step {self._index + 1} of {len(self.record)}: {describe(self.step)}"

    def details_text(self) -> str:
        """The current step as the panel shows it, in text: what it is, its formula, its
        notes, then its arrays in groups (an update step: before and after)."""
        step = self.step
        lines = [f"{describe(step)}   (record[{step.index}])", f"  {step.formula}"]
        lines += [f"  {note}" for note in step.notes]
        for title, arrays in sections(step):
            lines.append(f"  {title}:")
            lines += [array_text(name, a, indent="    ") for name, a in arrays]
        return "\n".join(lines)

    def _show(self) -> None:
        step = self.step
        n = len(self.record)
        self._quiet = True
        self.slider.value = self._index + 1
        self.phase_buttons.value = step.kind if step.kind in self.phase_buttons.options else None
        self._quiet = False
        self.first_button.disabled = self.previous_button.disabled = self._index == 0
        self.next_button.disabled = self.last_button.disabled = self._index == n - 1
        colour = PHASE_COLOURS.get(step.kind, "#444")
        self.caption_html.value = (
            f"<div style='font-size:14px;margin:4px 0'>step <b>{self._index + 1}</b> of {n}: "
            f"<b style='color:{colour}'>{html.escape(describe(step))}</b></div>")
        self.details_html.value = self._details_html(step)
        self._draw_diagram(step)

    def _details_html(self, step) -> str:
        colour = PHASE_COLOURS.get(step.kind, "#444")
        parts = [f"<div style='font-size:13px'><code style='color:{colour};font-size:13px'>"
                 f"{html.escape(step.formula)}</code></div>"]
        parts += [f"<div><i>{html.escape(note)}</i></div>" for note in step.notes]
        for title, arrays in sections(step):
            parts.append(f"<div style='margin-top:6px'><b>{html.escape(title)}</b></div>")
            if title == BEFORE_AFTER:
                parts.append(_before_after_html(arrays))
            else:
                parts += [array_html(name, a) for name, a in arrays]
        # (line-height: the widget's own, for one line of controls, would space out arrays)
        return "<div style='font-size:12px;line-height:1.3'>" + "".join(parts) + "</div>"

    def _draw_diagram(self, step) -> None:
        """The model's diagram with the current step's layer in orange; without Graphviz its
        DOT text (the highlighted box has ``bgcolor="darkorange"``); for a model that cannot
        be drawn, a short note."""
        self.highlighted = boxes_for(step, self._boxes, self.model)
        if self.no_diagram is not None:
            self.diagram = None
            self.diagram_html.value = _note_html(self.no_diagram, step)
            return
        try:
            from ..viz import plot_model
        except ImportError:          # kteach.viz missing: the names of the layers instead
            self.diagram = None
            self.diagram_html.value = pre("(diagram not available: kteach.viz is missing)\n"
                                          "current layer: " + ", ".join(self.highlighted),
                                          size=11, wrap=True)
            return
        self.diagram = plot_model(self.model, show_shapes=True, show_layer_names=True,
                                  show_layer_activations=True, expand_nested=True, dpi=72,
                                  highlight=self.highlighted)
        key = tuple(self.highlighted)
        try:
            if key not in self._svg_cache:
                svg = self.diagram.svg()
                self._svg_cache[key] = svg[svg.find("<svg"):]    # without the XML prolog
            self.diagram_html.value = self._svg_cache[key]
        except ImportError as error:    # GraphvizNotFoundError is an ImportError
            self.diagram_html.value = pre(f"{error}\n\n{self.diagram.source}", size=11, wrap=True)

    def __repr__(self) -> str:
        if self.record is None:
            return "<StepThrough>"
        return f"<StepThrough: {self.caption()}>"


# ----- helpers ------------------------------------------------------------------------------------
BEFORE_AFTER = "before → after"


def _diagram_boxes(model) -> tuple[list[str], str | None]:
    """The names of the boxes of the model's diagram (its layers; with nested models drawn
    open, their layers), and None; or no boxes and the reason why the model has no diagram
    (a subclassed model whose call() cannot be traced). Without kteach.viz, the layers."""
    try:
        from ..viz import model_to_dot
        from ..viz.diagram import NoDiagramError
    except ImportError:
        return [layer.name for layer in model.layers], None
    try:
        return model_to_dot(model, expand_nested=True).nodes, None
    except NoDiagramError:
        return [], (f"No diagram: the call() of '{model.name}' ({type(model).__name__}) "
                    f"computes with the numbers, so kteach cannot trace it into a graph of "
                    f"layers to draw (plot_model says more). The steps show every layer and "
                    f"every op all the same.")


def describe(step) -> str:
    """What a step is, in words: ``forward through dense``, ``loss of dense_1``,
    ``backward through dense_1``, ``update of sequential/dense/kernel``, ``forward through
    the op linear/matmul``."""
    if isinstance(step, OpStep):
        return f"{step.kind} through the op {step.label}"
    if step.kind == "forward":
        return f"forward through {step.label}"
    if step.kind == "backward":
        return f"backward through {step.label}"
    if step.kind == "update":
        return f"update of {step.label}"
    if step.kind == "loss":
        return "total loss" if step.layer is None else f"loss of {step.label}"
    return f"{step.kind} {step.label}"


def boxes_for(step, boxes: list[str], model=None) -> list[str]:
    """The diagram boxes (layer names) to highlight for ``step``: its layer's box (for an op,
    the box of the layer whose call() ran it); for a nested model (drawn as a frame) the boxes
    inside it; for the total of several losses the output layers. When ``model`` is the
    subclassed model itself (its loss, or an op in its own call()), its output boxes or the
    op's own box. Else the innermost box on the step's path (``block/dense``: ``block``)."""
    if step.layer is not None:
        layers = [step.layer]
    else:
        parts = getattr(step, "parts", [])
        layers = [p.layer for p in parts if getattr(p, "layer", None) is not None]
    names: list[str] = []
    for layer in layers:
        found = (_model_boxes(step, model, boxes) if model is not None and layer is model
                 else _box_names(layer, boxes))
        for name in found:
            if name not in names:
                names.append(name)
    if not names and step.kind != "update" and not (model is not None and step.layer is model):
        names = [part for part in reversed(step.path.split("/")) if part in boxes][:1]
    return names


def _model_boxes(step, model, boxes: list[str]) -> list[str]:
    """Boxes for a step of the top-level model itself: an op of its call() is drawn as a box
    of its own name (when its call() is traced with ops); a loss belongs to the output boxes."""
    if isinstance(step, OpStep):
        return [step.name] if step.name in boxes else []
    try:
        from ..viz.diagram import graph_of
    except ImportError:
        return []
    graph = graph_of(model)
    if graph is None:
        return []
    return [t.node.layer.name for t in graph.outputs if t.node.layer.name in boxes]


def _box_names(layer, boxes: list[str]) -> list[str]:
    if layer.name in boxes:
        return [layer.name]
    inner = layer if hasattr(layer, "_graph") else getattr(layer, "layer", None)
    if inner is None or not hasattr(inner, "layers"):
        return []
    found: list[str] = []
    for sub in inner.layers:
        found += _box_names(sub, boxes)
    return found


def sections(step) -> list[tuple[str, list[tuple[str, np.ndarray]]]]:
    """A step's arrays in groups with a title each, in the order the panel shows them."""
    arrays = list(step.arrays.items())
    if isinstance(step, OpStep):
        groups = _op_sections(step, arrays)
    elif step.kind == "forward":
        weights = set(getattr(step, "weights", {}))
        groups = [("input", [(k, a) for k, a in arrays if _stem(k) == "x"]),
                  ("weights", [(k, a) for k, a in arrays if k in weights]),
                  ("output", [(k, a) for k, a in arrays if _stem(k) == "y"])]
    elif step.kind == "backward":
        grads = {f"d{k}" for k in getattr(step, "grads", {})}
        groups = [("gradient arriving, dLoss/dy", [(k, a) for k, a in arrays
                                                   if k.startswith("dy")]),
                  ("gradient passed on, dLoss/dx", [(k, a) for k, a in arrays if _stem(k) == "dx"]),
                  ("weight gradients, dLoss/dw", [(k, a) for k, a in arrays if k in grads])]
    elif step.kind == "update":
        slots = list(getattr(step, "slots_before", {}))
        pairs = [("w", "w_new")] + [(s, s + "_new") for s in slots]
        groups = [("gradient", [("g", step["g"])]),
                  (BEFORE_AFTER, [(k, step[k]) for pair in pairs for k in pair]),
                  ("change", [("w_new - w", step["w_new - w"])])]
    elif step.kind == "loss":
        groups = [("targets and predictions", [(k, a) for k, a in arrays
                                               if k in ("y_true", "y_pred", "sample_weight")]),
                  ("loss per sample", [(k, a) for k, a in arrays if k == "L"]),
                  ("gradient where backpropagation starts", [(k, a) for k, a in arrays
                                                             if k == "dloss/dy_pred"])]
    else:
        groups = [("arrays", arrays)]
    shown = {k for _, group in groups for k, _ in group}
    rest = [(k, a) for k, a in arrays if k not in shown]
    if rest:
        groups.append(("more", rest))
    return [(title, group) for title, group in groups if group]


def _op_sections(step, arrays: list) -> list[tuple[str, list]]:
    """An op's arrays: inputs ``x``/``x1``, ``x2``... and output ``y``; backwards the
    gradient arriving ``dy`` and those passed on, ``dx``/``dx1``, ``dx2``..."""
    def starting(prefix: str) -> list:
        return [(k, a) for k, a in arrays if k.rstrip("0123456789") == prefix]
    if step.kind == "forward":
        return [("input", starting("x")), ("output", starting("y"))]
    return [("gradient arriving, dLoss/dy", starting("dy")),
            ("gradient passed on, dLoss/dx", starting("dx"))]


def _stem(name: str) -> str:
    """``x`` for ``x`` and ``x[1]``."""
    return name.split("[")[0]


def _before_after_html(arrays: list[tuple[str, np.ndarray]]) -> str:
    """Pairs ``(w, w_new), (m, m_new), ...`` side by side: before left, after right."""
    cell = "<td style='text-align:left;vertical-align:top;padding-right:16px'>"
    rows = "".join(f"<tr>{cell}{array_html(*before)}</td>{cell}{array_html(*after)}</td></tr>"
                   for before, after in zip(arrays[0::2], arrays[1::2]))
    return f"<table>{rows}</table>"


def _note_html(note: str, step) -> str:
    """What shows where the diagram would be: why there is none, and where we are."""
    return (f"<div class='kteach-no-diagram' style='font-size:12px;max-width:320px;"
            f"color:#555;border:1px dashed #aaa;padding:8px'>{html.escape(note)}<br>"
            f"<b>now:</b> <code>{html.escape(step.label)}</code></div>")
