"""The Playground's controls: buttons, menus, sliders, and what happens when one changes.

A mixin of :class:`~kteach.widgets.playground.Playground` (as ``Trainer`` is of ``Model``):
this part only turns clicks into calls of the Playground's own methods (``set``, ``step``,
``play``, ``pause``, ``reset``, ``regenerate``), the same calls a learner can make from code,
and shows the current settings in the controls.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from . import datasets, figures
from .codegen import OPTIMIZERS

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
MAX_LAYERS, MAX_NEURONS = 6, 8
SMALL_BUTTON_WIDTH = "36px"      # the neuron + and − buttons
PROBLEMS = ("classification", "regression")


class PlaygroundControls:
    """The controls of a Playground (which provides ``_settings``, ``set`` and the rest)."""

    def _make_controls(self) -> None:
        """Create every control; :meth:`_layout` arranges them."""
        self._make_buttons()
        self._make_setting_controls()
        self._make_network_controls()
        self.plot = figures.image_widget(self.figure)
        self.loss_label = W.HTML()
        self.weights_html = W.HTML()
        self.code_html = W.HTML(layout=W.Layout(display="none"))
        self.code_button = W.Button(description="Show code", icon="code")
        self.code_button.on_click(lambda _: self.toggle_code())

    def _make_buttons(self) -> None:
        self.play_button = W.Button(description="Play", icon="play", button_style="success",
                                    layout=W.Layout(width="80px"))
        self.pause_button = W.Button(description="Pause", icon="pause", disabled=True,
                                     layout=W.Layout(width="80px"))
        self.step_button = W.Button(description="Step", icon="step-forward",
                                    layout=W.Layout(width="80px"))
        self.reset_button = W.Button(description="Reset", icon="refresh",
                                     layout=W.Layout(width="80px"))
        self.play_button.on_click(lambda _: self._clicked(lambda: self.play(wait=False)))
        self.pause_button.on_click(lambda _: self._clicked(self.pause))
        self.step_button.on_click(lambda _: self._clicked(self.step))
        self.reset_button.on_click(lambda _: self._clicked(self.reset))
        self.epoch_label = W.HTML()
        self.regenerate_button = W.Button(description="Regenerate", icon="random")
        self.regenerate_button.on_click(lambda _: self._clicked(self.regenerate))
        self.show_test = W.Checkbox(value=False, description="show test data", indent=False)
        self.discretize = W.Checkbox(value=False, description="discretize output", indent=False)
        for box in (self.show_test, self.discretize):
            box.observe(lambda _: self._clicked(self.redraw.request), names="value")

    def _make_setting_controls(self) -> None:
        """One control per setting in :attr:`controls`, keyed by the setting's name."""
        s = self._settings
        narrow = {"description_width": "95px"}
        self.controls = {
            "learning_rate": W.Dropdown(options=_with(LEARNING_RATES, s["learning_rate"]),
                                        description="learning rate", style=narrow),
            "optimizer": W.Dropdown(options=[(v, k) for k, v in OPTIMIZERS.items()],
                                    description="optimizer", style=narrow),
            # "none", not None: a menu whose value is None has nothing chosen, and is blank.
            "regularization": W.Dropdown(options=[("None", "none"), ("L1", "l1"), ("L2", "l2")],
                                         value="none", description="regularization",
                                         style=narrow),
            "regularization_rate": W.Dropdown(
                options=_with(REGULARIZATION_RATES, s["regularization_rate"]),
                description="reg. rate", style=narrow),
            "problem": W.ToggleButtons(options=PROBLEMS, style={"button_width": "110px"}),
            "dataset": W.ToggleButtons(options=self._dataset_options(s["problem"]),
                                       style={"button_width": "80px"}),
            "n_classes": W.IntSlider(min=2, max=8, description="classes", style=narrow),
            "noise": W.FloatSlider(min=0.0, max=0.5, step=0.05, description="noise", style=narrow),
            "train_ratio": W.FloatSlider(min=0.1, max=0.9, step=0.1, description="train part",
                                         readout_format=".0%", style=narrow),
            "batch_size": W.IntSlider(min=1, max=30, description="batch size", style=narrow),
        }
        for key, control in self.controls.items():
            control.observe(lambda change, key=key: self._control_changed(key, change["new"]),
                            names="value")
        self.activation_all = W.Dropdown(options=ACTIVATIONS, description="activation (all)",
                                         style=narrow)
        self.activation_all.observe(lambda change: self._all_activations(change["new"]),
                                    names="value")

    def _make_network_controls(self) -> None:
        """Feature toggles, and + / − for layers (their own controls: _remake_layer_controls)."""
        self.feature_buttons = {name: W.ToggleButton(description=label,
                                                     layout=W.Layout(width="62px"))
                                for name, (label, _, _) in datasets.FEATURES.items()}
        for name, button in self.feature_buttons.items():
            button.observe(lambda _: self._features_changed(), names="value")
        self.add_layer_button = W.Button(description="+ layer", layout=W.Layout(width="80px"))
        self.remove_layer_button = W.Button(description="− layer", layout=W.Layout(width="80px"))
        self.add_layer_button.on_click(lambda _: self._clicked(lambda: self.set(
            hidden=self._settings["hidden"] + [4],
            activations=self._settings["activations"] + [self.activation_all.value])))
        self.remove_layer_button.on_click(lambda _: self._clicked(lambda: self.set(
            hidden=self._settings["hidden"][:-1],
            activations=self._settings["activations"][:-1])))
        self.layers_box = W.HBox()

    def _layout(self) -> list:
        """What is shown: the drawing (every control is in it, drawn by the browser), the
        table of weights and the code. The ipywidgets controls made above are not shown:
        they are the Python side of the same controls (``pg.controls["noise"].value = 0.2``
        does what moving the slider does)."""
        weights = W.Accordion(children=[self.weights_html], titles=("weights and biases",))
        weights.selected_index = None
        return [self.view, weights, self.code_button, self.code_html]

    def old_layout(self) -> W.VBox:
        """The ipywidgets controls and the matplotlib picture, as one box (for a front end
        where the drawing cannot load, e.g. a notebook exported to HTML)."""
        c = self.controls
        top = W.HBox([self.reset_button, self.play_button, self.pause_button, self.step_button,
                      self.epoch_label])
        hyper = W.HBox([W.VBox([c["learning_rate"], c["optimizer"]]),
                        W.VBox([c["regularization"], c["regularization_rate"]]),
                        W.VBox([self.activation_all, c["batch_size"]])])
        data = W.VBox([W.HBox([c["problem"], self.regenerate_button]), c["dataset"],
                       W.HBox([c["n_classes"], c["noise"], c["train_ratio"]])])
        features = W.HBox([W.Label("features:")] + list(self.feature_buttons.values()))
        layers = W.HBox([W.Label("hidden layers:"), self.add_layer_button,
                         self.remove_layer_button, self.layers_box])
        self.draw()
        return W.VBox([top, hyper, data, features, layers, self.loss_label, self.plot,
                       W.HBox([self.show_test, self.discretize])])

    def _dataset_options(self, problem: str) -> tuple:
        if self._custom is not None:
            return ("custom",)
        return datasets.CLASSIFICATION if problem == "classification" else datasets.REGRESSION

    def _sync_controls(self) -> None:
        """Show the settings in the controls (without reacting to it)."""
        self._quiet = True
        try:
            s, c = self._settings, self.controls
            c["dataset"].options = self._dataset_options(s["problem"])
            c["learning_rate"].options = _with(LEARNING_RATES, s["learning_rate"])
            c["regularization_rate"].options = _with(REGULARIZATION_RATES, s["regularization_rate"])
            for key, control in c.items():
                value = s[key]
                if key == "n_classes":
                    value = max(2, value)
                    control.disabled = s["problem"] == "regression" or self._custom is not None
                if key == "batch_size" and value > control.max:
                    control.max = value
                if key == "regularization" and value is None:
                    value = "none"
                control.value = value
            c["noise"].disabled = self._custom is not None
            self.regenerate_button.disabled = self._custom is not None
            for name, button in self.feature_buttons.items():
                button.value = name in s["features"]
            if len(set(s["activations"])) == 1:
                self.activation_all.value = s["activations"][0]
            self._remake_layer_controls()
        finally:
            self._quiet = False

    def _remake_layer_controls(self) -> None:
        for old in self.layers_box.children:
            old.close()
        boxes = []
        hidden, acts = self._settings["hidden"], self._settings["activations"]
        for i, (h, a) in enumerate(zip(hidden, acts)):
            plus = W.Button(description="+", tooltip="one neuron more",
                            layout=_small_button_layout(), disabled=h >= MAX_NEURONS)
            minus = W.Button(description="−", tooltip="one neuron fewer",
                             layout=_small_button_layout(), disabled=h <= 1)
            act = W.Dropdown(options=ACTIVATIONS if a in ACTIVATIONS else ACTIVATIONS + (a,),
                             value=a, layout=W.Layout(width="90px"))
            plus.on_click(lambda _, i=i: self._clicked(lambda: self._neurons(i, +1)))
            minus.on_click(lambda _, i=i: self._clicked(lambda: self._neurons(i, -1)))
            act.observe(lambda change, i=i: self._layer_activation(i, change["new"]), names="value")
            boxes.append(W.VBox([W.HTML(f"<b>{h}</b> neurons"), W.HBox([minus, plus]), act],
                                layout=W.Layout(border="1px solid #ddd", padding="2px")))
        self.add_layer_button.disabled = len(hidden) >= MAX_LAYERS
        self.remove_layer_button.disabled = not hidden
        self.layers_box.children = boxes

    def _control_changed(self, key: str, value: Any) -> None:
        if not self._quiet:
            self._clicked(lambda: self.set(**{key: value}))

    def _features_changed(self) -> None:
        if self._quiet:
            return
        self.redraw.go_live()
        chosen = [n for n, b in self.feature_buttons.items() if b.value]
        if not chosen:           # at least one feature: undo switching off the last one
            self._sync_controls()
            return
        self.set(features=chosen)

    def _all_activations(self, value: str) -> None:
        if not self._quiet:
            self.redraw.go_live()
            self.set(activations=[value] * len(self._settings["hidden"]))

    def _neurons(self, i: int, change: int) -> None:
        hidden = list(self._settings["hidden"])
        hidden[i] = min(MAX_NEURONS, max(1, hidden[i] + change))
        self.set(hidden=hidden)

    def _layer_activation(self, i: int, value: str) -> None:
        if self._quiet:
            return
        acts = list(self._settings["activations"])
        acts[i] = value
        self._clicked(lambda: self.set(activations=acts))

    def layer_controls(self, i: int) -> dict:
        """The controls of hidden layer ``i``: ``{"minus", "plus", "activation"}``."""
        box = self.layers_box.children[i]
        minus, plus = box.children[1].children
        return {"minus": minus, "plus": plus, "activation": box.children[2]}

    def _set_buttons(self, running: bool) -> None:
        self.play_button.disabled = running
        self.pause_button.disabled = not running


def _small_button_layout() -> W.Layout:
    """A narrow button that still shows its one-character label: a button's stylesheet gives
    it 10 px of padding on each side, and a label that does not fit is cut to "..", so the
    padding goes (the label is centred anyway)."""
    return W.Layout(width=SMALL_BUTTON_WIDTH, padding="0px")


def _with(options: tuple, value: Any) -> tuple:
    """The menu's options, with ``value`` added in order if it is not one of them."""
    return options if value in options else tuple(sorted(options + (value,)))
