"""OptimizerLab: train one model with different optimizers and compare the curves.

Every run starts from the *same* initial weights and sees the batches in the *same* order
(its own random stream, seeded with ``seed``), so two runs differ only in the optimizer
settings. A run is ``model.compile(optimizer=...)`` followed by one ``model.fit(...,
epochs=1)`` per chunk -- the same numbers as one ``fit(..., epochs=n)`` after
``kteach.utils.set_random_seed(seed)``.

::

    lab = OptimizerLab(model, x, y, validation_split=0.2)
    lab                                   # the widget: settings, Train / Stop / Reset
    lab.train(optimizer="adam", learning_rate=0.01, epochs=30, wait=True)
    print(lab.runs_table())
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import numpy as np

from ..engine.errors import NumericalError, unknown_keyword_error
from . import figures
from .common import diverged_message
from .codegen import OPTIMIZERS, check_optimizer, make_optimizer, optimizer_code
from .jobs import Job, LivePicture, RandomStream, Redraw

SETTINGS = ("optimizer", "learning_rate", "momentum", "batch_size", "epochs")
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
# The menus' values: round numbers, each about three times the one before. A value set from
# code (lab.train(learning_rate=0.05)) is added to its menu, so the menu shows it exactly and
# the next Train uses it.
# (A slider would not: a logarithmic one moves 3.0 to 10**0.5 = 3.162 and sends that back to
# the kernel, so the next Train would use a rate no run asked for.)
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)


def guess_loss(model, y: np.ndarray) -> tuple[str, list[str]]:
    """A loss and metrics that fit the model's last activation and the targets:
    sigmoid with 1 unit -> binary cross-entropy; softmax -> (sparse) categorical
    cross-entropy; anything else -> mean squared error."""
    act = None
    for layer in reversed(model.layers):
        if getattr(layer, "activation", None) is not None:
            from ..activations import serialize
            act = serialize(layer.activation)
            break
    units = model.output_shape[-1]
    if act == "sigmoid" and units == 1:
        return "binary_crossentropy", ["accuracy"]
    if act == "softmax":
        one_hot = np.ndim(y) == 2 and np.shape(y)[1] == units and units > 1
        return ("categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy",
                ["accuracy"])
    return "mse", []


class Run:
    """One training run: its settings, its per-epoch history and how it ended."""

    def __init__(self, number: int, settings: dict, colour: str):
        self.number = number
        self.settings = dict(settings)
        self.colour = colour
        self.history: dict[str, list[float]] = {}
        self.status = "running"     # then done, stopped or diverged
        self.message = ""

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    def final(self, key: str) -> float | None:
        values = self.history.get(key)
        return values[-1] if values else None

    def label(self) -> str:
        s = self.settings
        text = f"#{self.number} {OPTIMIZERS[s['optimizer']]} lr={s['learning_rate']:.3g}"
        if s["optimizer"] in ("momentum", "nesterov"):
            text += f" μ={s['momentum']:g}"
        return text

    def __repr__(self) -> str:
        return f"<Run {self.label()}: {self.status}, {self.epochs_done} epochs>"


class OptimizerLab(LivePicture, W.VBox):
    """A panel to train ``model`` (or the model of a :class:`ModelBuilder`) on ``x, y``.

    ``loss``/``metrics`` default to a guess from the model's last activation (see
    :func:`guess_loss`); give them to choose. ``validation_split`` keeps the last part of
    the data apart, as in ``fit``; or give ``validation_data=(x_val, y_val)``.

    Python API: :meth:`train`, :meth:`stop`, :meth:`reset`, :attr:`runs`,
    :meth:`runs_table`, :meth:`code`, :attr:`figure`, :attr:`model`.
    """

    def __init__(self, model_or_builder, x, y, validation_split: float = 0.2,
                 validation_data=None, loss=None, metrics=None, seed: int = 0,
                 optimizer: str = "sgd", learning_rate: float = 0.01, momentum: float = 0.9,
                 batch_size: int = 32, epochs: int = 20):
        self._source = model_or_builder
        self.x, self.y = np.asarray(x), np.asarray(y)
        self.validation_split = validation_split
        self.validation_data = validation_data
        self.seed = int(seed)
        self.runs: list[Run] = []
        self.job: Job | None = None
        self.redraw = Redraw(self._draw, min_interval=0.15)
        self._stream = RandomStream(self.seed)
        self.model = self._fresh_model()
        self._start_weights = self.model.get_weights()
        self.loss, self.metrics = self._loss_and_metrics(loss, metrics)
        self.figure = figures.new_figure(760, 290)
        self._make_controls(optimizer, learning_rate, momentum, batch_size, epochs)
        super().__init__(children=[self._controls, self.status, self.plot, self.table])
        self._refresh()

    # ----- the model --------------------------------------------------------------------------
    def _fresh_model(self):
        """The builder's model, built anew (its own seed), or the model given."""
        source = self._source
        if hasattr(source, "build_model"):
            return source.build_model()
        if not getattr(source, "built", False):
            with self._stream.active():
                source.predict(self.x[:1], verbose=0)   # builds it from the data's shape
        return source

    def _loss_and_metrics(self, loss, metrics):
        """The given loss and metrics, else a guess from the model's last activation."""
        if loss is not None:
            return loss, list(metrics or [])
        guessed, guessed_metrics = guess_loss(self.model, self.y)
        return guessed, list(metrics if metrics is not None else guessed_metrics)

    # ----- controls -----------------------------------------------------------------------------
    def _make_controls(self, optimizer, learning_rate, momentum, batch_size, epochs) -> None:
        style = {"description_width": "110px"}
        self.optimizer = W.Dropdown(options=[(label, key) for key, label in OPTIMIZERS.items()],
                                    value=check_optimizer(optimizer), description="optimizer",
                                    style=style)
        learning_rate, momentum = _checked_rate(learning_rate), _checked_momentum(momentum)
        # A slider over round values a factor of about 3 apart: a log scale, and every
        # position an exact value (never 10 ** 0.5 = 3.162 for 3).
        self.learning_rate = W.SelectionSlider(options=_with(LEARNING_RATES, learning_rate),
                                               value=learning_rate, description="learning rate",
                                               continuous_update=False, style=style,
                                               layout=W.Layout(width="380px"))
        self.momentum = W.Dropdown(options=_with(MOMENTA, momentum), value=momentum,
                                   description="momentum", style=style)
        n_train = len(self.x) if self.validation_data is not None else \
            max(1, int(len(self.x) * (1 - (self.validation_split or 0))))
        sizes = sorted({b for b in BATCH_SIZES if b <= n_train} | {batch_size})
        self.batch_size = W.Dropdown(options=sizes, value=batch_size, description="batch size",
                                     style=style)
        self.epochs = W.IntSlider(value=epochs, min=1, max=max(200, epochs), description="epochs",
                                  style=style)
        self.train_button = W.Button(description="Train", button_style="success", icon="play")
        self.stop_button = W.Button(description="Stop", button_style="danger", icon="stop",
                                    disabled=True)
        self.reset_button = W.Button(description="Reset", icon="refresh")
        self.train_button.on_click(lambda _: self._clicked(lambda: self.train(wait=False)))
        self.stop_button.on_click(lambda _: self._clicked(self.stop))
        self.reset_button.on_click(lambda _: self._clicked(self.reset))
        self.optimizer.observe(lambda _: self._show_momentum(), names="value")
        self._show_momentum()
        self.status = W.HTML(value=self._status_text())
        self.plot = figures.image_widget(self.figure)
        self.table = W.HTML()
        settings = W.VBox([self.optimizer, self.learning_rate, self.momentum])
        more = W.VBox([self.batch_size, self.epochs,
                       W.HBox([self.train_button, self.stop_button, self.reset_button])])
        self._controls = W.HBox([settings, more])

    def _show_momentum(self) -> None:
        self.momentum.disabled = self.optimizer.value not in ("momentum", "nesterov")

    def settings(self) -> dict:
        """The settings the controls show now."""
        return {"optimizer": self.optimizer.value, "learning_rate": float(self.learning_rate.value),
                "momentum": float(self.momentum.value), "batch_size": int(self.batch_size.value),
                "epochs": int(self.epochs.value)}

    def set(self, **settings: Any) -> None:
        """Move the controls: ``lab.set(optimizer="adam", learning_rate=0.01)``."""
        for key, value in settings.items():
            if key not in SETTINGS:
                raise unknown_keyword_error("OptimizerLab.set", key, SETTINGS)
            if key == "optimizer":
                value = check_optimizer(value)
            if key == "learning_rate":
                value = _checked_rate(value)
                _offer(self.learning_rate, value)
            if key == "momentum":
                value = _checked_momentum(value)
                _offer(self.momentum, value)
            if key == "batch_size" and value not in self.batch_size.options:
                self.batch_size.options = sorted(set(self.batch_size.options) | {int(value)})
            if key == "epochs" and value > self.epochs.max:
                self.epochs.max = int(value)
            getattr(self, key).value = value

    # ----- training ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def train(self, wait: bool | None = None, **settings: Any) -> Run:
        """Start a new run with the controls' settings (changed first by ``settings``).

        ``wait=True`` trains until the run ends before returning (for scripts and lesson
        cells); ``wait=False`` trains in the background in a notebook, in chunks of one epoch,
        so Stop works at any time. ``None``: wait only where no event loop runs.
        Returns the new :class:`Run`."""
        if self.running:
            raise RuntimeError("A run is still going on: stop it first (lab.stop()).")
        self.set(**settings)
        s = self.settings()
        if hasattr(self._source, "build_model"):     # the builder's current model, new weights
            self.model = self._source.build_model()
            self._start_weights = self.model.get_weights()
        model = self.model
        model.set_weights(self._start_weights)
        model.compile(optimizer=make_optimizer(s["optimizer"], s["learning_rate"], s["momentum"]),
                      loss=self.loss, metrics=self.metrics)
        self._stream.restart()
        run = Run(len(self.runs) + 1, s, figures.RUN_COLOURS[len(self.runs) % len(figures.RUN_COLOURS)])
        self.runs.append(run)
        self.job = Job(lambda: self._train_epoch(run), on_end=lambda status: self._run_ended(run, status))
        self._set_buttons(running=True)
        self._refresh()
        self.job.start(wait=wait)
        return run

    def _fit_arguments(self, run: Run) -> dict:
        args = dict(batch_size=run.settings["batch_size"], epochs=1, verbose=0)
        if self.validation_data is not None:
            args["validation_data"] = self.validation_data
        elif self.validation_split:
            args["validation_split"] = self.validation_split
        return args

    def _train_epoch(self, run: Run) -> bool:
        """One chunk: one epoch of ``fit``. False when the run is over."""
        try:
            # Overflow on the way to NaN is reported as "diverged", not as NumPy warnings.
            with self._stream.active(), np.errstate(over="ignore", invalid="ignore"):
                history = self.model.fit(self.x, self.y, **self._fit_arguments(run))
        except NumericalError as error:
            run.status = "diverged"
            run.message = diverged_message(error, run.epochs_done + 1)
            run.history.setdefault("loss", []).append(float("nan"))
            return False
        for key, values in history.history.items():
            run.history.setdefault(key, []).extend(values)
        self._refresh(picture=False)
        if self.job is not None and self.job.task is not None and self.redraw.due():
            self.redraw.draw()           # training in the background, on screen: show progress
        return run.epochs_done < run.settings["epochs"]

    def _run_ended(self, run: Run, status: str) -> None:
        if run.status == "running":
            run.status = {"done": "done", "stopped": "stopped"}.get(status, "failed")
            if status == "failed" and self.job is not None:
                run.message = f"{type(self.job.error).__name__}: {self.job.error}"
        self._set_buttons(running=False)
        self._refresh()

    def stop(self) -> None:
        """Stop the current run after the epoch that is running."""
        if self.job is not None:
            self.job.stop()

    def run_until_done(self) -> None:
        """Finish the current run here and now (where no event loop runs the job)."""
        if self.job is not None:
            self.job.run_until_done()

    def reset(self) -> None:
        """Stop, forget every run and put the model back to its starting weights."""
        self.stop()
        self.runs = []
        self.model.set_weights(self._start_weights)
        self._refresh()

    def close(self) -> None:
        """Close the widget; a run in progress stops."""
        if getattr(self, "job", None) is not None:
            self.job.stop()
        super().close()

    def _set_buttons(self, running: bool) -> None:
        self.train_button.disabled = running
        self.stop_button.disabled = not running

    # ----- what it shows ------------------------------------------------------------------------
    def _metric_key(self) -> str | None:
        for run in reversed(self.runs):
            for key in run.history:
                if key != "loss" and not key.startswith("val_"):
                    return key
        return None

    def _refresh(self, picture: bool = True) -> None:
        """Update the texts now, and ask for the picture to be redrawn (see :class:`Redraw`)."""
        self.status.value = self._status_text()
        self.table.value = self._table_html()
        self.redraw.out_of_date = True
        if picture:
            self.redraw.request()

    def _draw(self) -> None:
        metric = self._metric_key()
        fig = self.figure
        fig.clear()
        if not self.runs:
            fig.text(0.5, 0.5, "The curves of every run will be drawn here.", ha="center",
                     color="#888")
            self.plot.value = figures.to_png(fig)
            return
        axes = fig.subplots(1, 2 if metric else 1, squeeze=False)[0]
        for ax, key in zip(axes, ["loss", metric]):
            curves = []
            for run in self.runs:
                faded = run is not self.runs[-1]
                for prefix, dashed in (("", False), ("val_", True)):
                    if prefix + key in run.history:
                        curves.append({"values": run.history[prefix + key], "colour": run.colour,
                                       "faded": faded, "dashed": dashed,
                                       "label": run.label() if not dashed else None})
            figures.draw_curves(ax, curves, key, log=(key == "loss"))
        # the runs' names beside the panels, never over a curve
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles[-12:], labels[-12:], loc="upper left", bbox_to_anchor=(0.80, 0.92),
                       fontsize=8, frameon=False, title="runs (last 12)" if len(handles) > 12
                       else "runs", title_fontsize=8, alignment="left")
        axes[0].set_title("solid: training, dashed: validation", fontsize=8)
        fig.subplots_adjust(left=0.08, right=0.79, bottom=0.16, top=0.9, wspace=0.3)
        self.plot.value = figures.to_png(fig)

    def _status_text(self) -> str:
        if not self.runs:
            return "<b>No runs yet.</b> Choose the settings and press Train."
        run = self.runs[-1]
        loss = run.final("loss")
        text = (f"<b>{html.escape(run.label())}</b>: {run.status}, epoch {run.epochs_done}/"
                f"{run.settings['epochs']}" + (f", loss {loss:.4f}" if loss is not None else ""))
        if run.message:
            text += f"<br><span style='color:#b00'>{html.escape(run.message)}</span>"
        return text

    def _columns(self) -> list[str]:
        keys: list[str] = []
        for run in self.runs:
            keys += [k for k in sorted(run.history, key=lambda k: (k.startswith("val_"), k))
                     if k not in keys]
        return keys

    def _rows(self) -> list[list[str]]:
        keys = self._columns()
        rows = []
        for run in self.runs:
            s = run.settings
            mu = f"{s['momentum']:g}" if s["optimizer"] in ("momentum", "nesterov") else "-"
            row = [str(run.number), OPTIMIZERS[s["optimizer"]], f"{s['learning_rate']:.3g}", mu,
                   str(s["batch_size"]), str(run.epochs_done)]
            for k in keys:
                v = run.final(k)
                row.append("-" if v is None else f"{v:.4f}")
            rows.append(row + [run.status])
        return rows

    def _header(self) -> list[str]:
        return ["run", "optimizer", "lr", "momentum", "batch", "epochs"] + self._columns() + ["status"]

    def runs_table(self) -> str:
        """The runs as a text table: settings, epochs done, final numbers and how each ended."""
        rows = [self._header()] + self._rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)

    def _table_html(self) -> str:
        if not self.runs:
            return ""
        head = "".join(f"<th style='padding:0 6px'>{html.escape(h)}</th>" for h in self._header())
        body = "".join(
            f"<tr style='color:{run.colour}'>" + "".join(
                f"<td style='padding:0 6px'>{html.escape(c)}</td>" for c in row) + "</tr>"
            for run, row in zip(self.runs, self._rows()))
        return f"<table style='font-family:monospace;font-size:12px'><tr>{head}</tr>{body}</table>"

    def code(self, run: Run | None = None) -> str:
        """Keras code that repeats a run (the last one by default) with ``fit``."""
        if run is None and self.runs:
            run = self.runs[-1]
        s = run.settings if run is not None else self.settings()
        loss = self.loss if isinstance(self.loss, str) else type(self.loss).__name__
        fit_extra = (", validation_data=validation_data" if self.validation_data is not None
                     else f", validation_split={self.validation_split}" if self.validation_split
                     else "")
        optimizer = optimizer_code(s['optimizer'], s['learning_rate'], s['momentum'])
        return (f"keras.utils.set_random_seed({self.seed})   # the lab shuffles with this seed\n"
                f"model.set_weights(initial_weights)          # every run starts from the same weights\n"
                f"model.compile(optimizer={optimizer},\n"
                f"              loss={loss!r}, metrics={self.metrics!r})\n"
                f"history = model.fit(x, y, batch_size={s['batch_size']}, epochs={s['epochs']}"
                f"{fit_extra}, verbose=0)\n")

    def __repr__(self) -> str:
        return f"<OptimizerLab: {len(self.runs)} runs>"


def _checked_rate(value) -> float:
    value = float(value)
    if not 1e-5 <= value <= 10:
        raise ValueError(f"The lab's learning rates go from 1e-05 to 10, not {value:g}. "
                         f"(Larger ones only blow up; to see that, try 10.)")
    return value


def _checked_momentum(value) -> float:
    value = float(value)
    if not 0 <= value < 1:
        raise ValueError(f"momentum must be at least 0 and below 1, not {value:g} (0.9 is usual).")
    return value


def _with(options: tuple, value: float) -> tuple:
    """The menu's options, with ``value`` added in order if it is not one of them."""
    return options if value in options else tuple(sorted(options + (value,)))


def _offer(menu, value: float) -> None:
    """Make ``value`` one of ``menu``'s options, so that choosing it shows it exactly. (Values
    added before stay: the menu keeps every value a run used.)"""
    if value not in menu.options:
        menu.options = _with(tuple(menu.options), value)
