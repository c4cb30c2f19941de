"""Playground: TensorFlow Playground in a notebook, on a real kteach model.

Choose a data set of two-feature points (or bring your own: ``Playground(x, y)``), the input
features, the hidden layers, their activations, the optimizer and its learning rate, L1/L2
regularisation and the batch size, then press Play. The browser draws the panel
(:mod:`kteach.widgets.playground_view`): the model's output over the plane with the training
points (white rim) and test points (black rim), every neuron's output as a small heatmap,
every weight as a line and every bias as a square. Hover one to read its value and gradient,
click it to type a new one (:meth:`Playground.set_weight`); a table has every value too.

Each Step is one epoch: ``model.fit(features(x_train), y_train, epochs=1)`` on a
``Sequential`` model that :meth:`Playground.code` writes out, so the same numbers come out of
that code. The whole run is described by :attr:`Playground.state`, a dict of plain numbers and
strings; ``Playground.from_state(state)`` makes the same run again, weight for weight.

Beyond TensorFlow Playground: more than two classes, your own data, an activation per layer,
a choice of optimizer, all weights and biases with their values and gradients, one training
step played on the network from ``model.explain`` (:meth:`Playground.explain_step`), the
code, the state, and a share string (:meth:`Playground.share`) that holds it.
"""
from __future__ import annotations

import base64
import binascii
import copy
import html
import json
import zlib
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..engine.errors import (DataError, InvalidArgumentError, NumericalError,
                             unknown_keyword_error, unknown_name_error)
from ..models import Model
from . import datasets, figures
from .codegen import (HEADER, check_optimizer, make_optimizer, make_sequential, number,
                      optimizer_code, sequential_code)
from . import playground_view as view
from .common import CodeToggle, diverged_message
from .jobs import Job, LivePicture, RandomStream, Redraw, running_loop
from .playground_controls import MAX_LAYERS, MAX_NEURONS, PROBLEMS, PlaygroundControls
from .regularization import PenaltyStep, check_kind, penalty


DEFAULTS: dict[str, Any] = {
    "dataset": "circle", "n_samples": 500, "noise": 0.0, "train_ratio": 0.5, "n_classes": 2,
    "problem": "classification", "features": ["x1", "x2"], "hidden": [4, 2],
    "activations": ["tanh", "tanh"], "optimizer": "sgd", "learning_rate": 0.03,
    "momentum": 0.9, "regularization": None, "regularization_rate": 0.0, "batch_size": 10,
    "seed": 0,
}
# Settings that change the run as it goes (recorded in state["changes"]); any other setting
# starts the run again from epoch 0.
LIVE = ("learning_rate", "regularization", "regularization_rate", "batch_size")
STATE_VERSION = 1
# Options of the panel itself (not of the run); in the state when not the default.
VIEW_OPTIONS = ("show_test", "discretize", "gradients")
SHARE_PREFIX = "kteach-playground-1:"
NEURON_RESOLUTION = 16      # pixels per side of a neuron's heatmap


class ShareStringError(ValueError):
    """A share string that is not one, or that was damaged on the way."""


class Playground(CodeToggle, LivePicture, PlaygroundControls, widgets.VBox):
    """A TensorFlow-Playground-like panel. Keyword arguments are the settings (see
    :data:`DEFAULTS`); ``activation`` sets every hidden layer's activation at once.

    ``x`` (``(n, 2)``) and ``y`` (``(n,)``: class labels 0, 1, ... or numbers for regression)
    replace the data sets with your own points.

    Options of the panel: ``show_test``, ``discretize`` (the output's colours: the most
    likely class only) and ``gradients`` (each line also shows its weight's gradient) start
    switched on when True; ``classroom`` lists controls to hide (see :meth:`classroom`).

    Python API: :meth:`step`, :meth:`run`, :meth:`play`, :meth:`pause`, :meth:`reset`,
    :meth:`set`, :meth:`regenerate`, :meth:`set_weight`, :meth:`set_bias`,
    :meth:`gradients`, :meth:`explain_step`, :meth:`classroom`, :meth:`share`,
    :meth:`from_share`, :attr:`settings`, :attr:`state`, :meth:`from_state`,
    :attr:`model`, :attr:`data`, :attr:`history`, :meth:`weights_table`, :meth:`code`.
    The drawing is :attr:`view` (see :mod:`kteach.widgets.playground_view`).
    """

    def __init__(self, x=None, y=None, activation: str | None = None, resolution: int = 40,
                 show_test: bool = False, discretize: bool = False, gradients: bool = False,
                 classroom: list[str] | tuple[str, ...] = (), **settings: Any):
        self._custom = (_check_custom_data(x, y, settings.get("problem"))
                        if x is not None or y is not None else None)
        self.resolution = int(resolution)
        self._settings = copy.deepcopy(DEFAULTS)
        if self._custom is not None:
            self._settings.update(self._custom["settings"])
        self._check_keys(settings)
        if activation is not None:
            settings.setdefault("activations", [activation] * len(settings.get(
                "hidden", self._settings["hidden"])))
        self._settings.update(settings)
        self._settings = self._checked(self._settings)
        self.model = None
        self.job: Job | None = None
        self.epoch = 0
        self.history: dict[str, list[float]] = {}
        self.message = ""
        # A frame for the browser is cheap (a few ms): up to 50 a second while playing.
        self.redraw = Redraw(self._send_frame, min_interval=0.02, share=0.5)
        self._stream = RandomStream(self._settings["seed"])
        self._start: dict = {}
        self._changes: list[list] = []
        self._replay_changes: list[list] = []    # while from_state replays a run
        self._quiet = False
        self.figure = figures.new_figure(900, 420)
        self.view = view.PlaygroundView()
        self.view.on_msg(self._view_message)
        self._frames, self._scenes, self._ack, self._scene_out_of_date = 0, 0, 0, True
        self._hidden: list[str] = []
        self._gradients: tuple | None = None        # (key, gradients) of the current weights
        self.explained = None                       # the record the animation plays
        self._explained_batch = None
        self._make_controls()
        self.show_test.value, self.discretize.value = bool(show_test), bool(discretize)
        self.gradients_overlay = bool(gradients)
        super().__init__(children=self._layout())
        self.add_class("kteach-playground-panel")
        self.reset()
        self.classroom(classroom)

    # ----- settings -----------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        """The current settings (a copy)."""
        return copy.deepcopy(self._settings)

    @staticmethod
    def _check_keys(settings: dict) -> None:
        for key in settings:
            if key not in DEFAULTS:
                raise unknown_keyword_error("Playground", key, list(DEFAULTS) + ["activation"])

    def _checked(self, s: dict) -> dict:
        s = copy.deepcopy(s)
        if s["problem"] not in PROBLEMS:
            raise ValueError(f"problem must be 'classification' or 'regression', not "
                             f"{s['problem']!r}.")
        if self._custom is not None:
            s["dataset"] = "custom"
            if s["problem"] == "classification":    # as many classes as the labels have
                s["n_classes"] = self._custom["settings"].get("n_classes", 2)
        else:
            valid = datasets.CLASSIFICATION if s["problem"] == "classification" else datasets.REGRESSION
            if s["dataset"] not in valid:
                if s["dataset"] in datasets.CLASSIFICATION + datasets.REGRESSION:
                    s["dataset"] = valid[0]        # the problem type changed: its first set
                else:
                    datasets.make_dataset(s["dataset"], 1)   # raises with the known names
        s["features"] = datasets.check_features(s["features"])
        s["hidden"] = [int(h) for h in s["hidden"]]
        if len(s["hidden"]) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in s["hidden"]):
            raise ValueError(f"hidden lists the neurons of each hidden layer: at most "
                             f"{MAX_LAYERS} layers of 1 to {MAX_NEURONS} neurons, e.g. [4, 2]; "
                             f"got {s['hidden']}.")
        acts = list(s["activations"])[:len(s["hidden"])]
        acts += [acts[-1] if acts else "tanh"] * (len(s["hidden"]) - len(acts))
        s["activations"] = acts
        s["optimizer"] = check_optimizer(s["optimizer"])
        s["regularization"] = check_kind(s["regularization"])
        s["learning_rate"] = _number("learning_rate", s["learning_rate"], 0.0, 10.0, 0.03)
        s["regularization_rate"] = _number("regularization_rate", s["regularization_rate"],
                                           0.0, 10.0, 0.0, zero_ok=True)
        s["batch_size"] = int(_number("batch_size", s["batch_size"], 1, 10_000, 10, whole=True))
        s["n_classes"] = 1 if s["problem"] == "regression" else max(2, int(s["n_classes"]))
        s["seed"], s["n_samples"] = int(s["seed"]), int(s["n_samples"])
        s["noise"], s["train_ratio"] = float(s["noise"]), float(s["train_ratio"])
        return s

    def set(self, **settings: Any) -> None:
        """Change settings: ``pg.set(learning_rate=0.1, hidden=[8, 8, 4])``.

        Learning rate, regularisation and batch size apply from the next epoch (and are
        recorded in :attr:`state`); any other change starts the run again."""
        self._check_keys(settings)
        new = self._checked({**self._settings, **settings})
        changed = {k: new[k] for k in new if new[k] != self._settings[k]}
        if not changed:
            return
        self._settings = new
        if all(k in LIVE for k in changed) and self.model is not None:
            self._apply_live(changed)
            self._sync_controls()
            self._refresh()
        else:
            self.reset()

    def _apply_live(self, changed: dict) -> None:
        self._scene_out_of_date = True          # a menu may need a new value
        if "learning_rate" in changed:
            self.model.optimizer.learning_rate = changed["learning_rate"]
        if self.epoch == 0:
            self._start.update(changed)
        elif self._changes and self._changes[-1][0] == self.epoch:
            self._changes[-1][1].update(changed)
        else:
            self._changes.append([self.epoch, dict(changed)])

    # ----- data and model ---------------------------------------------------------------------
    def _make_data(self) -> None:
        s = self._settings
        if self._custom is not None:
            x, y = self._custom["x"], self._custom["y"]
        else:
            x, y = datasets.make_dataset(s["dataset"], s["n_samples"], s["noise"],
                                         s["n_classes"], seed=s["seed"])
        x_train, y_train, x_test, y_test = datasets.split(x, y, s["train_ratio"], seed=s["seed"])
        self.data = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
        low, high = x.min(axis=0), x.max(axis=0)
        if self._custom is None:
            low, high = np.full(2, -datasets.RADIUS), np.full(2, datasets.RADIUS)
        pad = 0.05 * (high - low)
        self.extent = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
        g0 = np.linspace(self.extent[0], self.extent[1], self.resolution)
        g1 = np.linspace(self.extent[2], self.extent[3], self.resolution)
        self._grid = np.stack(np.meshgrid(g0, g1), axis=-1).reshape(-1, 2).astype("float32")
        self._value_range = (figures.nice_limits(np.concatenate([y_train, y_test]))
                             if s["problem"] == "regression" else 1.0)

    def features(self, x: np.ndarray) -> np.ndarray:
        """The model's inputs for points ``x`` ``(n, 2)``: the chosen features, ``(n, f)``."""
        return datasets.compute_features(x, self._settings["features"])

    def layer_specs(self) -> list[dict]:
        """The hidden layers and the output layer, as layer dicts."""
        s = self._settings
        specs = [{"type": "Dense", "units": h, "activation": a}
                 for h, a in zip(s["hidden"], s["activations"])]
        if s["problem"] == "regression":
            specs.append({"type": "Dense", "units": 1, "activation": "linear"})
        elif s["n_classes"] == 2:
            specs.append({"type": "Dense", "units": 1, "activation": "sigmoid"})
        else:
            specs.append({"type": "Dense", "units": s["n_classes"], "activation": "softmax"})
        return specs

    def loss_and_metrics(self) -> tuple[str, list[str]]:
        s = self._settings
        if s["problem"] == "regression":
            return "mse", []
        return ("binary_crossentropy" if s["n_classes"] == 2
                else "sparse_categorical_crossentropy"), ["accuracy"]

    def reset(self) -> None:
        """Stop, make the data and a new model (weights from ``seed``), back to epoch 0."""
        if self.job is not None:
            self.job.stop()
        s = self._settings
        self._make_data()
        self._stream.restart(s["seed"])
        loss, metrics = self.loss_and_metrics()
        with self._stream.active():
            self.model = make_sequential(len(s["features"]), self.layer_specs())
        self.model.compile(optimizer=make_optimizer(s["optimizer"], s["learning_rate"],
                                                    s["momentum"]),
                           loss=loss, metrics=metrics)
        self._probe = Model(self.model.inputs, [layer.output for layer in self.model.layers],
                            name="playground_neurons")
        self.epoch, self.message = 0, ""
        self._start, self._changes = copy.deepcopy(s), []
        self.history = {}
        self._scene_out_of_date = True
        self._measure()
        self._sync_controls()
        self._refresh()

    def regenerate(self) -> None:
        """New data and new starting weights: the next seed."""
        self.set(seed=self._settings["seed"] + 1)

    # ----- training ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def _train_epoch(self, until: int | None) -> bool:
        """One chunk: one epoch of fit on the training points. False when it should stop."""
        s, d = self._settings, self.data
        callbacks = [PenaltyStep(s["regularization"], s["regularization_rate"])] \
            if s["regularization"] and s["regularization_rate"] else []
        try:
            # Overflow on the way to NaN is reported as "diverged", not as NumPy warnings.
            with self._stream.active(), np.errstate(over="ignore", invalid="ignore"):
                self.model.fit(self.features(d["x_train"]), d["y_train"],
                               batch_size=s["batch_size"], epochs=1, verbose=0,
                               callbacks=callbacks)
        except NumericalError as error:
            self.message = "Diverged. " + diverged_message(error, self.epoch + 1) + \
                " Then press Reset."
            return False
        self.epoch += 1
        self._apply_recorded_changes()
        self._measure()
        self._refresh(picture=False)
        if self.job is not None and self.job.task is not None and self.redraw.due():
            self.redraw.draw()           # playing in the background: show progress
        return until is None or self.epoch < until

    def _apply_recorded_changes(self) -> None:
        """When replaying a state: the changes recorded at this epoch."""
        for epoch, changed in self._replay_changes:
            if epoch == self.epoch:
                changed = dict(changed)
                for edit in changed.pop("edits", []):
                    self._edit(edit, measure=False)
                if changed:
                    self._settings.update(changed)
                    self._apply_live(changed)
                    self._sync_controls()

    def _measure(self) -> None:
        """Training and test loss (and accuracy) of the model as it is now."""
        d = self.data
        for part in ("train", "test"):
            x, y = d["x_" + part], d["y_" + part]
            if len(x) == 0:
                continue
            with np.errstate(over="ignore", invalid="ignore"):
                logs = self.model.evaluate(self.features(x), y, batch_size=max(len(x), 1),
                                           verbose=0, return_dict=True)
            for key, value in logs.items():
                self.history.setdefault(f"{part}_{key}", []).append(float(value))

    def _start_job(self, until: int | None, wait: bool | None) -> None:
        if self.running:
            return
        self.message = ""
        self.job = Job(lambda: self._train_epoch(until), on_end=self._job_ended)
        self._set_buttons(running=True)
        self.job.start(wait=wait)

    def _job_ended(self, status: str) -> None:
        if status == "failed" and self.job is not None:
            self.message = f"{type(self.job.error).__name__}: {self.job.error}"
        self._set_buttons(running=False)
        self._refresh()

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs now (the Step button: one). While playing in the
        background, Step only pauses (as in TensorFlow Playground, press it again to step)."""
        self.pause()
        self._start_job(self.epoch + int(epochs), wait=True)

    def run(self, epochs: int) -> None:
        """Train ``epochs`` more epochs and return when done."""
        self.step(epochs)

    def play(self, epochs: int | None = None, wait: bool | None = None) -> None:
        """Train until :meth:`pause` (or for ``epochs`` epochs), in the background in a
        notebook. Where no event loop runs, ``play`` needs ``epochs`` (it would never end)."""
        if epochs is None and (wait or (wait is None and running_loop() is None)):
            raise RuntimeError(
                "play() without epochs trains until Pause is pressed, but no event loop is "
                "running here (this is not a notebook), so nothing could press it. Give a "
                "number of epochs: pg.play(epochs=50), or use pg.step() / pg.run(50).")
        self._start_job(None if epochs is None else self.epoch + int(epochs), wait=wait)

    def pause(self) -> None:
        """Stop playing after the epoch that is running."""
        if self.job is not None:
            self.job.stop()

    def close(self) -> None:
        """Close the widget; playing stops."""
        if getattr(self, "job", None) is not None:
            self.job.stop()
        super().close()

    # ----- state -----------------------------------------------------------------------------------
    @property
    def state(self) -> dict:
        """Everything needed to make this run again: the settings at epoch 0, the epoch
        reached, the changes made on the way (``[epoch, {setting: value}]``), and your own
        data if any. Plain numbers, strings and lists (it can be saved as JSON)."""
        state = {"version": STATE_VERSION, **copy.deepcopy(self._start), "epoch": self.epoch,
                 "changes": copy.deepcopy(self._changes)}
        if self._custom is not None:
            state["data"] = {"x": self._custom["x"].tolist(), "y": self._custom["y"].tolist()}
        shown = {k: True for k, v in self.view_options.items() if v}
        if shown:
            state["view"] = shown
        if self._hidden:
            state["classroom"] = list(self._hidden)
        return state

    @classmethod
    def from_state(cls, state: dict, **options: Any) -> "Playground":
        """A new Playground that repeats the run described by ``state`` (see
        :attr:`state`): same data, same starting weights, same epochs, same numbers."""
        state = dict(state)
        if state.pop("version", STATE_VERSION) != STATE_VERSION:
            raise ValueError("This state was written by another version of the Playground.")
        epoch, changes = int(state.pop("epoch", 0)), state.pop("changes", [])
        data = state.pop("data", None)
        options = {**state.pop("view", {}), "classroom": state.pop("classroom", []), **options}
        x = y = None
        if data is not None:
            x, y = np.asarray(data["x"], dtype="float32"), np.asarray(data["y"])
        if data is not None:
            state.pop("dataset", None)
        pg = cls(x, y, **state, **options)
        pg._replay_changes = [[int(e), dict(c)] for e, c in changes]
        for e, changed in pg._replay_changes:     # changes made before the first epoch
            if e == 0:
                changed = dict(changed)
                edits = changed.pop("edits", [])
                pg.set(**changed)
                for edit in edits:
                    pg._edit(edit)
        if epoch:
            pg.run(epoch)
        pg._replay_changes = []
        return pg

    # ----- what it shows ------------------------------------------------------------------------
    def loss_text(self) -> str:
        """``epoch 12  train loss 0.4321  test loss 0.4502`` (and accuracy if classification)."""
        h = self.history
        text = f"epoch {self.epoch}"
        for part in ("train", "test"):
            if f"{part}_loss" in h:
                text += f"  {part} loss {h[part + '_loss'][-1]:.4f}"
        for part in ("train", "test"):
            if f"{part}_accuracy" in h:
                text += f"  {part} accuracy {h[part + '_accuracy'][-1]:.3f}"
        s = self._settings
        if s["regularization"] and s["regularization_rate"]:
            text += f"  penalty {penalty(self.model, s['regularization'], s['regularization_rate']):.4f}"
        return text

    def predict_grid(self) -> np.ndarray:
        """The model's output at every grid point: ``(res, res, k)`` class probabilities
        (classification) or ``(res, res)`` values (regression)."""
        out = self.model.predict(self.features(self._grid), batch_size=len(self._grid), verbose=0)
        res = self.resolution
        if self._settings["problem"] == "regression":
            return out.reshape(res, res)
        if out.shape[-1] == 1:
            out = np.concatenate([1 - out, out], axis=-1)
        return out.reshape(res, res, -1)

    def neuron_pictures(self, resolution: int = 16) -> list[np.ndarray]:
        """Each neuron's output over the plane: for the inputs (the features) and every
        layer, an array ``(resolution, resolution, units)``."""
        g0 = np.linspace(self.extent[0], self.extent[1], resolution)
        g1 = np.linspace(self.extent[2], self.extent[3], resolution)
        grid = np.stack(np.meshgrid(g0, g1), axis=-1).reshape(-1, 2)
        inputs = self.features(grid)
        outputs = self._probe.predict(inputs, batch_size=len(inputs), verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        return [a.reshape(resolution, resolution, -1) for a in [inputs] + outputs]

    def _refresh(self, picture: bool = True) -> None:
        """Update the texts now, and ask for the picture to be redrawn (see :class:`Redraw`)."""
        self.loss_label.value = (f"<b>{self.loss_text()}</b>" + (
            f"<br><span style='color:#b00'>{html.escape(self.message)}</span>"
            if self.message else ""))
        self.epoch_label.value = f"epoch <b>{self.epoch}</b>"
        self.weights_html.value = self._weights_html()
        self._update_code()
        self.redraw.out_of_date = True
        if picture:
            self.redraw.request()

    def _draw(self) -> None:
        with np.errstate(over="ignore", invalid="ignore"):    # a diverged model's NaN
            self._draw_figure()

    def _draw_figure(self) -> None:
        fig = self.figure
        fig.clear()
        grid = fig.add_gridspec(2, 2, width_ratios=[1.75, 1], height_ratios=[3, 1.1])
        ax_net, ax_surface, ax_loss = (fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]),
                                       fig.add_subplot(grid[1, 1]))
        s, d = self._settings, self.data
        labels = [datasets.FEATURES[f][0] for f in s["features"]]
        kernels = [layer.kernel.numpy() for layer in self.model.layers]
        biases = [layer.bias.numpy() for layer in self.model.layers]
        figures.draw_network(ax_net, labels, kernels, biases, self.neuron_pictures())
        surface = self.predict_grid()
        if surface.ndim == 3:
            if self.discretize.value:
                surface = np.eye(surface.shape[-1])[surface.argmax(axis=-1)]
            image = figures.mix_colours(surface)
        else:
            image = surface
        points = [(d["x_train"], d["y_train"], False)]
        if self.show_test.value:
            points.append((d["x_test"], d["y_test"], True))
        scale = figures.nice_limits(np.concatenate([d["y_train"], d["y_test"]])) \
            if s["problem"] == "regression" else 1.0
        figures.draw_surface(ax_surface, image, self.extent, points, s["n_classes"], scale)
        curves = [{"values": self.history.get(f"{p}_loss", []), "colour": c, "label": p}
                  for p, c in (("train", "#555555"), ("test", "#000000"))]
        curves[1]["dashed"] = True
        figures.draw_curves(ax_loss, curves, "loss", start=0)
        figures.epoch_axis(ax_loss, self.epoch)
        if self.epoch == 0:
            ax_loss.text(0.5, 0.5, "the loss before training;\nStep or Play trains", ha="center",
                         va="center", transform=ax_loss.transAxes, fontsize=7, color="#888")
        ax_loss.legend(fontsize=7, loc="lower left")
        ax_loss.set_xlabel("epoch", fontsize=8, labelpad=1)
        ax_loss.tick_params(labelsize=7)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.1, top=0.98, hspace=0.15, wspace=0.05)
        self.plot.value = figures.to_png(fig)

    # ----- the front end (kteach.widgets.playground_view) -------------------------------------
    def draw(self) -> None:
        """Draw now: the matplotlib picture (:attr:`figure`, as PNG in :attr:`plot`) and a
        frame for the browser (in a notebook the frames are sent by themselves)."""
        self._draw()
        self.redraw.draw()

    def picture(self):
        """The picture as it is now (an ``IPython.display.Image``), for a notebook's output."""
        self._draw()
        return figures.ipython_image(self.figure, self.plot.value)

    @property
    def view_options(self) -> dict:
        """The panel's switches: ``show_test``, ``discretize``, ``gradients``."""
        return {"show_test": bool(self.show_test.value), "discretize": bool(self.discretize.value),
                "gradients": bool(self.gradients_overlay)}

    def column_names(self) -> list[list[str]]:
        """The names of the neurons, column by column: the features, ``h1.0``, ..., ``out0``."""
        columns = [list(self._settings["features"])]
        for number_, layer in enumerate(self.model.layers, start=1):
            last = number_ == len(self.model.layers)
            columns.append([f"out{j}" if last else f"h{number_}.{j}"
                            for j in range(layer.units)])
        return columns

    def feature_pictures(self, resolution: int = NEURON_RESOLUTION) -> np.ndarray:
        """Every input feature (chosen or not) over the plane: ``(res, res, 7)``."""
        g0 = np.linspace(self.extent[0], self.extent[1], resolution)
        g1 = np.linspace(self.extent[2], self.extent[3], resolution)
        grid = np.stack(np.meshgrid(g0, g1), axis=-1).reshape(-1, 2)
        return datasets.compute_features(grid, list(datasets.FEATURES)).reshape(
            resolution, resolution, -1)

    def thumbnails(self, n: int = 120) -> list[dict]:
        """A few points of every data set of the current problem type, for the data set
        buttons: ``{"name", "x", "y"}``."""
        s = self._settings
        names = datasets.CLASSIFICATION if s["problem"] == "classification" else datasets.REGRESSION
        out = []
        for name in names:
            k = s["n_classes"] if name != "xor" or s["n_classes"] in (2, 4) else 2
            x, y = datasets.make_dataset(name, n, 0.0, k, seed=0)
            out.append({"name": name, "x": np.round(x.astype(float), 2).tolist(),
                        "y": np.round(y.astype(float), 3).tolist()})
        return out

    def gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """dLoss/dW and dLoss/db of every layer, for the loss on all the training points at
        the weights as they are now (the step full-batch gradient descent would take; the
        regularisation penalty is not in it). From ``model.explain(..., apply=False)``."""
        key = (self.epoch, self._frames_key())
        if self._gradients is not None and self._gradients[0] == key:
            return self._gradients[1]
        d = self.data
        layers = self.model.layers
        try:
            with np.errstate(all="ignore"):
                record = self.model.explain(self.features(d["x_train"]), d["y_train"],
                                            apply=False)
            found = {step.layer.name: (step["dkernel"], step["dbias"])
                     for step in record if step.kind == "backward"}
            grads = [found[layer.name] for layer in layers]
        except (NumericalError, FloatingPointError, KeyError):
            grads = [(np.full(layer.kernel.shape, np.nan), np.full(layer.bias.shape, np.nan))
                     for layer in layers]
        self._gradients = (key, grads)
        return grads

    def _frames_key(self) -> tuple:
        return tuple(float(np.sum(w)) for layer in self.model.layers for w in layer.get_weights())

    def frame(self) -> dict:
        """What the browser draws now (see :func:`kteach.widgets.playground_view.frame`)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return view.frame(self, self._frames, self._ack)

    def _send_frame(self) -> None:
        if self._scene_out_of_date:
            self._scenes += 1
            self.view.scene = view.scene(self, self._scenes)
            self._scene_out_of_date = False
        self._frames += 1
        self.view.frame = self.frame()

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        """Set one weight: ``kernel[i, j]`` of layer ``layer`` (0 is the first hidden layer;
        the last is the output layer), from input ``i`` to neuron ``j``. What clicking a
        line and typing a number does. Recorded in :attr:`state`."""
        self._edit(["kernel", layer, i, j, value])

    def set_bias(self, layer: int, j: int, value: float) -> None:
        """Set the bias of neuron ``j`` of layer ``layer`` (as :meth:`set_weight`)."""
        self._edit(["bias", layer, j, value])

    def _edit(self, edit: list, measure: bool = True) -> None:
        """Apply ``["kernel", layer, i, j, value]`` or ``["bias", layer, j, value]``; check
        everything first, so a bad edit changes nothing."""
        kind, layer, *index, value = edit
        layers = self.model.layers
        if not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(layers):
            raise IndexError(f"There is no layer {layer!r}: the model has {len(layers)} Dense "
                             f"layers, numbered 0 to {len(layers) - 1} (the last is the "
                             f"output layer).")
        if kind not in ("kernel", "bias"):
            raise ValueError(f"Only a 'kernel' or a 'bias' can be edited, not {kind!r}.")
        W, b = layers[layer].get_weights()
        target = W if kind == "kernel" else b
        if len(index) != target.ndim or not all(
                isinstance(k, (int, np.integer)) and 0 <= k < n for k, n in zip(index, target.shape)):
            raise IndexError(f"Layer {layer}'s {kind} has shape {target.shape}, so it has no "
                             f"entry {tuple(index)}.")
        number_ = _weight_value(value)
        target[tuple(int(k) for k in index)] = number_
        layers[layer].set_weights([W, b])
        self._record({"edits": [[kind, int(layer), *[int(k) for k in index], number_]]})
        if measure:
            for values in self.history.values():
                values.pop()
            self._measure()
            self.message = ""
            self._refresh()

    def _record(self, changed: dict) -> None:
        """Note a change at this epoch in the state (edits add up, settings replace)."""
        if self._changes and self._changes[-1][0] == self.epoch:
            entry = self._changes[-1][1]
        else:
            entry = {}
            self._changes.append([self.epoch, entry])
        for key, value in changed.items():
            if key == "edits":
                entry.setdefault("edits", []).extend(value)
            else:
                entry[key] = value

    def explain_step(self) -> list:
        """Record one training step on the first ``batch_size`` training points with
        ``model.explain(..., apply=False)`` (the model does not change), and play it on the
        network: forward values left to right, the loss, gradients right to left, then the
        update of every weight. Returns the record (also :attr:`explained`)."""
        d, b = self.data, self._settings["batch_size"]
        batch = (self.features(d["x_train"][:b]), d["y_train"][:b])
        with np.errstate(over="ignore", invalid="ignore"):
            record = self.model.explain(*batch, apply=False)
        self.explained, self._explained_batch = record, batch
        self.view.animation = view.animation(self, record, len(record))
        return record

    def classroom(self, hide: list[str] | tuple[str, ...] = ()) -> None:
        """Hide these controls from the panel (a teacher's choice; ``()`` shows all again),
        by name: see :data:`kteach.widgets.playground_view.CONTROLS`. Kept in the state
        and in the share string."""
        hide = [hide] if isinstance(hide, str) else list(hide)
        for name in hide:
            if name not in view.CONTROLS:
                raise unknown_name_error("Playground control", name, view.CONTROLS)
        self._hidden = [name for name in view.CONTROLS if name in hide]
        self.view.hidden = list(self._hidden)

    def share(self) -> str:
        """The whole state (:attr:`state`) in one line of text, to paste into another
        notebook: ``Playground.from_share(text)`` makes the same Playground, weight for weight."""
        text = json.dumps(self.state, separators=(",", ":"), sort_keys=True)
        packed = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9))
        return SHARE_PREFIX + packed.decode("ascii").rstrip("=")

    @classmethod
    def from_share(cls, text: str, **options: Any) -> "Playground":
        """The Playground a share string (from :meth:`share`) describes."""
        return cls.from_state(read_share(text), **options)

    def _view_message(self, _widget, content: dict, _buffers) -> None:
        """A click in the browser: the same call a learner would make from code. An error
        is shown in the panel (the model is left as it was)."""
        self._ack = int(content.get("seq", self._ack))
        try:
            self._clicked(lambda: self._do(content))
        except Exception as error:      # noqa: BLE001 -- shown to the learner instead
            self.message = str(error)
            self._refresh()
        else:
            self.redraw.request()

    def _do(self, m: dict) -> None:
        kind = m.get("type")
        if kind == "action":
            actions = {"play": lambda: self.play(wait=False), "pause": self.pause,
                       "step": self.step, "reset": self.reset, "regenerate": self.regenerate,
                       "explain": self.explain_step}
            actions[m["name"]]()
        elif kind == "set":
            self.set(**{m["key"]: m["value"]})
        elif kind == "neurons":
            self._neurons(int(m["layer"]), int(m["change"]))
        elif kind == "layers":
            s = self._settings
            if int(m["change"]) > 0:
                self.set(hidden=s["hidden"] + [4], activations=s["activations"] + [
                    s["activations"][-1] if s["activations"] else "tanh"])
            else:
                self.set(hidden=s["hidden"][:-1], activations=s["activations"][:-1])
        elif kind == "feature":
            chosen = list(self._settings["features"])
            name = m["name"]
            chosen = [f for f in chosen if f != name] if name in chosen else chosen + [name]
            if chosen:
                self.set(features=chosen)
        elif kind == "activation":
            acts = list(self._settings["activations"])
            acts[int(m["layer"])] = m["value"]
            self.set(activations=acts)
        elif kind == "edit":
            self._edit([m["target"], int(m["layer"]), *[int(k) for k in m["index"]], m["value"]])
        elif kind == "view":
            if m["key"] == "gradients":
                self.gradients_overlay = bool(m["value"])
            else:
                {"show_test": self.show_test, "discretize": self.discretize}[m["key"]].value = \
                    bool(m["value"])
        elif kind == "classroom":
            self.classroom(m["hidden"])
        elif kind == "share":
            self.view.send({"type": "share", "text": self.share()})
        self._refresh()

    def weights_table(self) -> str:
        """Every weight and bias as text, one block per layer (rows: inputs, columns:
        neurons, last row: biases)."""
        blocks = []
        for name, rows, columns, W, b in self._weight_blocks():
            width = max(len(r) for r in rows + ["bias"])
            head = " " * width + "".join(f"{c:>9}" for c in columns)
            lines = [f"{name}: W {W.shape[0]}×{W.shape[1]}, b {b.shape[0]}", head]
            lines += [f"{r:<{width}}" + "".join(f"{v:9.4f}" for v in W[i]) for i, r in enumerate(rows)]
            lines.append(f"{'bias':<{width}}" + "".join(f"{v:9.4f}" for v in b))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def _weight_blocks(self):
        rows = list(self._settings["features"])
        for number_, layer in enumerate(self.model.layers, start=1):
            W, b = layer.kernel.numpy(), layer.bias.numpy()
            last = number_ == len(self.model.layers)
            columns = [f"out{j}" if last else f"h{number_}.{j}" for j in range(W.shape[1])]
            yield f"layer {number_} ({layer.name})", rows, columns, W, b
            rows = columns

    def _weights_html(self) -> str:
        parts = []
        for name, rows, columns, W, b in self._weight_blocks():
            head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
            body = "".join(f"<tr><th>{html.escape(r)}</th>" + "".join(
                f"<td style='color:{_sign_colour(v)}'>{v:.3f}</td>" for v in W[i]) + "</tr>"
                for i, r in enumerate(rows))
            body += "<tr><th>bias</th>" + "".join(
                f"<td style='color:{_sign_colour(v)}'>{v:.3f}</td>" for v in b) + "</tr>"
            parts.append(f"<b>{html.escape(name)}</b><table style='font-family:monospace;"
                         f"font-size:11px'><tr><th></th>{head}</tr>{body}</table>")
        return "".join(parts)

    def code(self) -> str:
        """Keras code that trains the same model on the same points to this epoch (the same
        numbers with kteach, as long as no setting was changed during the run)."""
        s = self._start or self._settings
        loss, metrics = self.loss_and_metrics()
        lines = [HEADER.rstrip("\n").replace("import kteach", "import numpy as np\nimport kteach"), ""]
        lines.append(datasets.features_code(s["features"]))
        lines.append("# x_train, y_train, x_test, y_test: the playground's points, in pg.data")
        lines.append(f"keras.utils.set_random_seed({s['seed']})")
        layers = sequential_code(len(s["features"]), self.layer_specs())
        lines.append(layers.rstrip("\n"))
        if s["regularization"] and s["regularization_rate"]:
            cls = s["regularization"].upper()
            lines.append(f"# {cls} regularisation, rate {number(s['regularization_rate'])}: in "
                         f"Keras, give each Dense layer\n#   kernel_regularizer=keras.regularizers."
                         f"{cls}({number(s['regularization_rate'])})\n# (kteach has no "
                         f"regularizers yet; the Playground adds the penalty itself, see\n"
                         f"# kteach.widgets.regularization.PenaltyStep).")
        optimizer = optimizer_code(s['optimizer'], s['learning_rate'], s['momentum'])
        lines.append(f"model.compile(optimizer={optimizer},\n"
                     f"              loss=\"{loss}\", metrics={metrics!r})")
        if self._changes:
            lines.append(f"# Changed during the run (not in this code): {self._changes}")
        lines.append(f"history = model.fit(features(x_train), y_train, batch_size={s['batch_size']}, "
                     f"epochs={max(self.epoch, 1)}, verbose=0)")
        lines.append("print(model.evaluate(features(x_test), y_test, verbose=0))")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        s = self._settings
        return (f"<Playground {s['dataset']} {s['problem']}: hidden {s['hidden']}, "
                f"epoch {self.epoch}>")


# ----- helpers ------------------------------------------------------------------------------------
def _sign_colour(value: float) -> str:
    return figures.CLASS_COLOURS[1] if value > 0 else figures.CLASS_COLOURS[0] if value < 0 else "#444"


def read_share(text: str) -> dict:
    """The state inside a share string (see :meth:`Playground.share`), or a clear error."""
    if not isinstance(text, str):
        raise ShareStringError(f"A share string is text (a str), as pg.share() returns it, "
                               f"not {type(text).__name__}.")
    text = "".join(text.split())          # pasted with line breaks or spaces: no harm
    if not text.startswith(SHARE_PREFIX):
        if text.startswith("kteach-playground-"):
            raise ShareStringError("This share string was written by another version of "
                                   "the Playground; make it again with this one's pg.share().")
        raise ShareStringError(f"This is not a Playground share string: it starts with "
                               f"{text[:24]!r}, and a share string starts with "
                               f"{SHARE_PREFIX!r}. Copy the whole text that pg.share() (or "
                               f"the Share button) gave.")
    body = text[len(SHARE_PREFIX):]
    reason = "it is not base64 text"
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        reason = "it is cut short or changed"
        state = json.loads(zlib.decompress(packed).decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        raise ShareStringError(
            f"This share string is damaged: its text after {SHARE_PREFIX!r} does not decode "
            f"({reason}). Copy it again, whole: one line of letters, digits, '-' and "
            f"'_'.") from None
    if not isinstance(state, dict):
        raise ShareStringError("This share string does not hold a Playground's state.")
    return state


def _weight_value(value: Any) -> float:
    """A number typed for a weight or bias (a str from the browser is read as a number)."""
    number_ = None
    if isinstance(value, str):
        try:
            number_ = float(value.strip().replace("−", "-"))
        except ValueError:
            number_ = None
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number_ = float(value)
    if number_ is None:
        raise InvalidArgumentError(f"A weight or bias must be a number, e.g. 0.5 or -1.2; "
                                   f"{value!r} is not one. The weight was left as it was.")
    if not np.isfinite(number_) or abs(number_) > 1e4:
        raise InvalidArgumentError(f"A weight or bias must be a finite number between -10000 "
                                   f"and 10000, e.g. 0.5 or -1.2; {value!r} is not. The weight "
                                   f"was left as it was.")
    return number_


def _check_custom_data(x, y, problem: str | None = None) -> dict:
    """Your own points: x ``(n, 2)``, y ``(n,)``. Whole numbers 0 … 7 are class labels
    (classification) unless ``problem='regression'``; other numbers are regression targets."""
    if x is None or y is None:
        raise DataError("Give both the points and their targets: Playground(x, y), with x of "
                        "shape (n, 2) and y of shape (n,).")
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise DataError(f"The Playground works on points in a plane: x must have shape (n, 2), "
                        f"but it has shape {x.shape}. Pick two columns, e.g. x[:, :2].")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(x):
        raise DataError(f"y must hold one target per point, shape ({len(x)},); got {y.shape}. "
                        f"(One-hot labels? Use y.argmax(axis=1).)")
    if not np.all(np.isfinite(y.astype(float))) or not np.all(np.isfinite(x)):
        raise DataError("x and y must not hold NaN or infinite values.")
    whole = np.all(np.mod(y.astype(float), 1) == 0) and y.min() >= 0
    if problem == "regression" or (problem is None and not whole):
        return {"x": x, "y": y.astype("float32"), "settings": {"problem": "regression"}}
    if not whole or y.max() > 7:
        raise DataError(
            f"For classification, y must hold class labels 0, 1, ... up to 7 (the Playground "
            f"shows at most 8 classes), but it holds values from {y.min()} to {y.max()}. "
            f"For numbers to predict, pass problem='regression'.")
    k = max(2, int(y.max()) + 1)
    return {"x": x, "y": y.astype("int64"),
            "settings": {"problem": "classification", "n_classes": k}}


def _number(name: str, value: Any, low: float, high: float, example: float,
            zero_ok: bool = False, whole: bool = False) -> float:
    """A Playground setting that must be a number in a range, with a message that says which
    and what would work (``Playground(learning_rate='fast')``, ``batch_size=0``)."""
    from ..engine.errors import InvalidArgumentError
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and whole:
        ok = float(value) == int(value)
    if ok:   # in the range; 0 itself only where it means "off" (a regularization rate)
        ok = low <= value <= high and (zero_ok or value > 0)
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise InvalidArgumentError(f"Playground({name}={value!r}): {name} must be {kind} from "
                                   f"{low:g} to {high:g}{'' if zero_ok or low else ' (above 0)'}, "
                                   f"e.g. {name}={example:g}.")
    return float(value)
