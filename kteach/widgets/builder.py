"""ModelBuilder: put a Sequential model together by hand and see it change.

Add, remove and reorder Dense, Dropout and Activation layers; set units, activation and
dropout rate per layer and the input size. The summary, the diagram and the Keras code follow
every change. ``builder.model`` is the model the panel shows (a kteach ``Sequential``).

::

    builder = ModelBuilder(input_size=2)
    builder                                  # the widget
    builder.add("Dense", units=16, activation="relu", index=0)
    print(builder.code())                    # runs on kteach and on Keras
    model = builder.model
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from ..engine.errors import unknown_keyword_error
from ..models.summary import summarize
from .common import CodeToggle, pre
from .codegen import (HEADER, LAYER_TYPES, check_layer, make_sequential, sequential_code)
from .jobs import RandomStream

# The activations offered in the menus (any other kteach activation works through add()).
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "softmax", "elu", "selu", "gelu", "silu",
               "leaky_relu", "softplus")
DEFAULT_LAYERS = ({"type": "Dense", "units": 8, "activation": "relu"},
                  {"type": "Dense", "units": 1, "activation": "sigmoid"})
LAYER_KEYS = ("type", "units", "activation", "rate")


class LayerRow(W.HBox):
    """The controls of one layer: type, units, activation, rate, and ↑ ↓ ✕ buttons."""

    def __init__(self, builder: "ModelBuilder", index: int, spec: dict):
        self.index = index
        self.label = W.Label(f"{index + 1}.", layout=W.Layout(width="24px"))
        self.type = W.Dropdown(options=LAYER_TYPES, value=spec["type"], layout=W.Layout(width="110px"))
        self.units = W.BoundedIntText(value=spec.get("units", 8), min=1, max=4096,
                                      description="units", layout=W.Layout(width="150px"),
                                      style={"description_width": "40px"})
        self.activation = W.Dropdown(options=_with(ACTIVATIONS, spec.get("activation", "relu")),
                                     value=spec.get("activation", "relu"),
                                     layout=W.Layout(width="110px"))
        self.rate = W.FloatSlider(value=spec.get("rate", 0.5), min=0.0, max=0.95, step=0.05,
                                  description="rate", layout=W.Layout(width="230px"),
                                  style={"description_width": "35px"})
        self.up = W.Button(icon="arrow-up", tooltip="move up", layout=W.Layout(width="34px"))
        self.down = W.Button(icon="arrow-down", tooltip="move down", layout=W.Layout(width="34px"))
        self.remove = W.Button(icon="times", tooltip="remove", button_style="danger",
                               layout=W.Layout(width="34px"))
        self.up.on_click(lambda _: builder.move(self.index, -1))
        self.down.on_click(lambda _: builder.move(self.index, +1))
        self.remove.on_click(lambda _: builder.remove(self.index))
        for control in (self.type, self.units, self.activation, self.rate):
            control.observe(lambda _: builder._row_changed(self), names="value")
        self.show_fields()
        super().__init__([self.label, self.type, self.units, self.activation, self.rate,
                          self.up, self.down, self.remove])

    def show_fields(self) -> None:
        kind = self.type.value
        self.units.layout.display = None if kind == "Dense" else "none"
        self.activation.layout.display = None if kind in ("Dense", "Activation") else "none"
        self.rate.layout.display = None if kind == "Dropout" else "none"

    def spec(self) -> dict:
        kind = self.type.value
        if kind == "Dense":
            return {"type": kind, "units": self.units.value, "activation": self.activation.value}
        if kind == "Dropout":
            return {"type": kind, "rate": round(self.rate.value, 4)}
        return {"type": kind, "activation": self.activation.value}


def _with(options: tuple, value: Any) -> tuple:
    return options if value in options else options + (value,)


class ModelBuilder(CodeToggle, W.VBox):
    """A panel that builds ``Sequential([Input((input_size,)), *layers])``.

    ``layers`` is a list of layer dicts (see :mod:`kteach.widgets.codegen`). The weights are
    drawn with ``seed``, so the same layers always give the same starting weights.

    Python API: :meth:`add`, :meth:`remove`, :meth:`move`, :meth:`set_layer`,
    :attr:`input_size`, :attr:`spec`, :attr:`model`, :meth:`build_model`, :meth:`code`,
    :meth:`summary_text`, :attr:`diagram`.
    """

    def __init__(self, input_size: int = 2, layers: list[dict] | None = None, seed: int = 0):
        self.seed = int(seed)
        self._layers = [check_layer(s) for s in (DEFAULT_LAYERS if layers is None else layers)]
        self._input_size = int(input_size)
        self.model = None
        self.diagram = None
        self.error: str | None = None
        self._quiet = False      # True while the rows are being remade (no rebuild per field)
        self.input_box = W.BoundedIntText(value=self._input_size, min=1, max=100000,
                                          description="input size",
                                          style={"description_width": "70px"},
                                          layout=W.Layout(width="170px"))
        self.input_box.observe(lambda change: self._set_input_size(change["new"]), names="value")
        self.rows_box = W.VBox()
        self.add_buttons = [W.Button(description=f"+ {kind}", layout=W.Layout(width="110px"))
                            for kind in LAYER_TYPES]
        for button, kind in zip(self.add_buttons, LAYER_TYPES):
            button.on_click(lambda _, kind=kind: self.add(kind))
        self.status = W.HTML()
        self.summary_html = W.HTML()
        self.diagram_html = W.HTML()
        self.code_html = W.HTML(layout=W.Layout(display="none"))
        self.code_button = W.Button(description="Show code", icon="code")
        self.code_button.on_click(lambda _: self.toggle_code())
        views = W.Tab(children=[self.summary_html, self.diagram_html])
        views.set_title(0, "summary")
        views.set_title(1, "diagram")
        self.views = views
        super().__init__([W.HBox([W.Label("Sequential model:"), self.input_box]), self.rows_box,
                          W.HBox(self.add_buttons), self.status, views,
                          self.code_button, self.code_html])
        self._remake_rows()
        self._rebuild()

    # ----- the spec ---------------------------------------------------------------------------
    @property
    def input_size(self) -> int:
        return self._input_size

    @input_size.setter
    def input_size(self, value: int) -> None:
        self.input_box.value = int(value)     # the observer rebuilds

    @property
    def spec(self) -> dict:
        """``{"input_size": n, "layers": [layer dicts]}`` -- a copy."""
        return {"input_size": self._input_size, "layers": [dict(s) for s in self._layers]}

    @property
    def layers(self) -> list[dict]:
        return [dict(s) for s in self._layers]

    def add(self, type: str = "Dense", index: int | None = None, **values: Any) -> None:
        """Add a layer (at the end, or before position ``index``): ``add("Dense", units=4,
        activation="tanh")``, ``add("Dropout", rate=0.2)``, ``add("Activation",
        activation="relu")``."""
        for key in values:
            if key not in LAYER_KEYS[1:]:
                raise unknown_keyword_error("ModelBuilder.add", key, ("type", "index") + LAYER_KEYS[1:])
        spec = check_layer({"type": type, **values})
        index = len(self._layers) if index is None else int(index)
        self._layers.insert(index, spec)
        self._remake_rows()
        self._rebuild()

    def remove(self, index: int) -> None:
        """Remove the layer at position ``index`` (0 is the first layer after the input)."""
        self._check_index(index)
        del self._layers[index]
        self._remake_rows()
        self._rebuild()

    def move(self, index: int, offset: int) -> None:
        """Move a layer up (``offset=-1``) or down (``+1``); at either end nothing happens."""
        self._check_index(index)
        new = index + offset
        if not 0 <= new < len(self._layers) or offset == 0:
            return
        layer = self._layers.pop(index)
        self._layers.insert(new, layer)
        self._remake_rows()
        self._rebuild()

    def set_layer(self, index: int, **values: Any) -> None:
        """Change one layer: ``set_layer(0, units=32)``, ``set_layer(1, type="Dropout")``."""
        self._check_index(index)
        for key in values:
            if key not in LAYER_KEYS:
                raise unknown_keyword_error("ModelBuilder.set_layer", key, LAYER_KEYS)
        spec = check_layer({**self._layers[index], **values})
        self._layers[index] = spec
        self._remake_rows()
        self._rebuild()

    def _check_index(self, index: int) -> None:
        if not -len(self._layers) <= index < len(self._layers):
            raise IndexError(f"There is no layer {index}: the model has {len(self._layers)} "
                             f"layers, numbered 0 to {len(self._layers) - 1}.")

    def _set_input_size(self, value: int) -> None:
        self._input_size = int(value)
        self._rebuild()

    def _row_changed(self, row: LayerRow) -> None:
        if self._quiet:
            return
        row.show_fields()
        self._layers[row.index] = row.spec()
        self._rebuild()

    def _remake_rows(self) -> None:
        self._quiet = True
        for old in self.rows_box.children:
            old.close()
        rows = [LayerRow(self, i, spec) for i, spec in enumerate(self._layers)]
        for row in rows:
            row.up.disabled = row.index == 0
            row.down.disabled = row.index == len(rows) - 1
        self.rows_box.children = rows
        self._quiet = False

    @property
    def rows(self) -> list[LayerRow]:
        return list(self.rows_box.children)

    # ----- the model and what is shown --------------------------------------------------------
    def build_model(self):
        """A new Sequential model from the current layers, weights drawn with ``seed``."""
        with RandomStream(self.seed).active():
            return make_sequential(self._input_size, self._layers)

    def _rebuild(self) -> None:
        if not self._layers:
            self.model, self.error = None, "Add a layer to make a model."
        else:
            try:
                self.model, self.error = self.build_model(), None
            except Exception as error:     # noqa: BLE001 -- shown to the learner instead
                self.model, self.error = None, f"{type(error).__name__}: {error}"
        self.status.value = ("" if self.error is None else
                             f"<span style='color:#b00'>{html.escape(self.error)}</span>")
        # the HTML table, not the box-drawing text: browsers' monospace fonts often lack
        # the box characters, and the columns would not line up
        self.summary_html.value = "" if self.model is None else summarize(self.model)._repr_html_()
        self._draw_diagram()
        self._update_code()

    def summary_text(self) -> str:
        """``model.summary()`` as text ("" when there is no model)."""
        if self.model is None:
            return ""
        lines: list[str] = []
        self.model.summary(print_fn=lines.append)
        return "".join(lines)

    def _draw_diagram(self) -> None:
        """The diagram from ``kteach.viz.plot_model``; its DOT text if Graphviz is missing."""
        self.diagram = None
        if self.model is None:
            self.diagram_html.value = ""
            return
        try:
            from ..viz import plot_model
        except ImportError:          # kteach.viz missing: a plain list of the layers
            chain = " → ".join([f"Input({self._input_size})"] +
                               [type(l).__name__ for l in self.model.layers])
            self.diagram_html.value = pre("(diagram not available: kteach.viz is missing)\n" + chain)
            return
        self.diagram = plot_model(self.model, show_shapes=True, show_layer_names=True,
                                  show_layer_activations=True, dpi=72)
        try:
            svg = self.diagram.svg()
            self.diagram_html.value = svg[svg.find("<svg"):]    # without the XML prolog
        except ImportError as error:    # GraphvizNotFoundError is an ImportError
            self.diagram_html.value = pre(f"{error}\n\n{self.diagram.source}")

    def code(self) -> str:
        """Keras code that builds this model; runs with ``import keras`` and with kteach."""
        return HEADER + "\n" + sequential_code(self._input_size, self._layers) + "model.summary()\n"

    def __repr__(self) -> str:
        kinds = ", ".join(s["type"] for s in self._layers)
        return f"<ModelBuilder: input {self._input_size} → {kinds}>"
