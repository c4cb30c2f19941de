"""Training pictures with matplotlib: history, weights, gradients, activations, decision boundary.

Each function returns a ``matplotlib.figure.Figure`` and draws nothing on screen by itself:
figures are made without ``pyplot``, so they work with no display (a server, CI) and are not
shown twice in Jupyter. In a notebook, leave the figure as the cell's last value to see it;
elsewhere, ``fig.savefig("history.png")``. matplotlib is imported on first use.

Chinese (Japanese, Korean) labels: the first figure adds a CJK font, where one is installed
(Noto Sans CJK, Source Han Sans, WenQuanYi, ...), to matplotlib's font families after the
usual ones, so Latin text looks as before and each character the usual font lacks comes from
the CJK font. Where there is none, nothing changes (``sudo apt-get install fonts-noto-cjk``
adds one). :func:`cjk_font` says which font it is.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import graph as _graph
from ..engine.errors import check_keywords
from ..engine.layer import Layer
from ..layers.core import InputLayer
from ..models.functional import Model
from .diagram import class_name

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_history", "plot_weights", "plot_gradients", "plot_activations",
           "plot_decision_boundary", "cjk_font", "figure_alt_text"]

PANEL_WIDTH, PANEL_HEIGHT = 4.0, 3.0  # inches per panel
MAX_COLUMNS = 3
# Fonts with Chinese characters, the most common first (Simplified Chinese before the others).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei",
             "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti",
             "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Arial Unicode MS")
# Words in the file names of such fonts, to find one that matplotlib's font cache predates.
CJK_FILE_WORDS = ("cjk", "sourcehansans", "wqy", "droidsansfallback", "simhei", "msyh",
                  "pingfang", "notosanssc")
_cjk: list[str | None] = []  # the font chosen, once looked for


# ----- figures ---------------------------------------------------------------------------------
def _figure(rows: int, columns: int, width: float = PANEL_WIDTH,
            height: float = PANEL_HEIGHT) -> Figure:
    """An empty Figure of ``rows × columns`` panels, not managed by pyplot."""
    from matplotlib.figure import Figure
    _let_jupyter_show_figures()
    cjk_font()
    return Figure(figsize=(width * columns, height * rows), layout="constrained")


def cjk_font() -> str | None:
    """The font used for Chinese, Japanese and Korean characters in figures, or None where
    no such font is installed. The first call looks for one and, if found, adds it to
    ``matplotlib.rcParams["font.family"]`` after the families already there."""
    if not _cjk:
        _cjk.append(_find_cjk_font())
        if _cjk[0] is not None:
            import matplotlib
            families = list(matplotlib.rcParams["font.family"])
            if _cjk[0] not in families:
                matplotlib.rcParams["font.family"] = families + [_cjk[0]]
    return _cjk[0]


def _find_cjk_font() -> str | None:
    """The first of :data:`CJK_FONTS` that matplotlib knows; if none, font files on the system
    with a CJK name are added first (fonts installed after matplotlib built its cache)."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    found = known()
    if found is not None:
        return found
    try:
        paths = font_manager.findSystemFonts()
    except Exception:  # no font directories, no fc-list: no CJK font either
        return None
    for path in paths:
        if any(word in os.path.basename(path).lower() for word in CJK_FILE_WORDS):
            try:
                font_manager.fontManager.addfont(path)
            except Exception:  # a file FreeType cannot read: skip it
                continue
    return known()


def _let_jupyter_show_figures() -> None:
    """In a Jupyter kernel, make sure a Figure left as a cell's value is shown as a picture
    (IPython knows how only once matplotlib's inline support is on), with alt text."""
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    from matplotlib.figure import Figure
    formatters = shell.display_formatter.formatters
    if not any(Figure in formatters[kind].type_printers for kind in ("image/png", "image/svg+xml")):
        from IPython.core.pylabtools import select_figure_formats
        select_figure_formats(shell, {"png"})
    add_alt_text(formatters)


def add_alt_text(formatters: dict) -> None:
    """Make IPython's picture of a Figure carry alt text (:func:`figure_alt_text`) in its
    metadata, ``{"image/png": {"alt": ...}}``, as nbconvert and nbviewer use it. Wraps the
    printer that matplotlib's inline support registered; doing it again changes nothing."""
    from matplotlib.figure import Figure
    for kind in ("image/png", "image/svg+xml", "image/jpeg"):
        printer = formatters[kind].type_printers.get(Figure) if kind in formatters else None
        if printer is None or getattr(printer, "_kteach_alt", False):
            continue

        def with_alt(fig, printer=printer):
            result = printer(fig)
            data, metadata = result if isinstance(result, tuple) else (result, {})
            if data is None:
                return None
            return data, {**(metadata or {}), "alt": figure_alt_text(fig)}
        with_alt._kteach_alt = True
        formatters[kind].for_type(Figure, with_alt)


def figure_alt_text(fig) -> str:
    """What a figure shows, in a sentence: its title, then each panel's title, axes and
    legend, e.g. ``Figure with 2 panels: 'loss' by epoch: train, validation. 'mae' by epoch:
    train.``"""
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    suptitle = getattr(fig, "_suptitle", None)
    head = "Figure" + (f" '{suptitle.get_text()}'" if suptitle and suptitle.get_text() else "")
    if not panels:
        return head + " (empty)."
    parts = [_panel_alt_text(ax) for ax in panels]
    if len(panels) == 1:
        return f"{head}: {parts[0]}."
    return f"{head} with {len(panels)} panels: " + ". ".join(parts) + "."


def _panel_alt_text(ax) -> str:
    """``'loss' by epoch: train, validation``: title (or y label), y label, x label, legend."""
    title = ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")
    x, y = ax.get_xlabel(), ax.get_ylabel()
    text = f"'{title}'" if title else (y or "a panel")
    if y and title:
        text += f" ({y})"
    if x:
        text += f" by {x}"
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts() if t.get_text()] if legend else []
    if labels:
        text += ": " + ", ".join(labels)
    return text


# ----- history ---------------------------------------------------------------------------------
@check_keywords
def plot_history(history: Any, metrics: list[str] | None = None) -> Figure:
    """Loss and metrics per epoch: one panel per name, training and validation together.

    ``history`` is what ``fit`` returns (or its ``.history`` dict). A key ``val_<name>`` is
    drawn in the panel of ``<name>``, so a model with several outputs (keys such as
    ``age_loss``, ``val_age_loss``, ``income_accuracy``) gets a panel for each output's loss
    and metric. ``metrics`` chooses panels by name (default: all, ``loss`` first).
    """
    logs, epochs = _history_logs(history)
    names = _panel_names(logs)
    if metrics is not None:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"plot_history has no values for {unknown}. The history has: "
                             f"{', '.join(names)}.")
        names = list(metrics)
    columns = min(len(names), MAX_COLUMNS)
    rows = -(-len(names) // columns)
    fig = _figure(rows, columns)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, columns, i + 1)
        if name in logs:
            ax.plot(epochs, logs[name], marker="o", markersize=3, label="train")
        if "val_" + name in logs:
            ax.plot(epochs, logs["val_" + name], marker="o", markersize=3, label="validation")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def _history_logs(history: Any) -> tuple[dict[str, list[float]], list[int]]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            "plot_history needs what fit() returns, e.g. history = model.fit(x, y, epochs=5); "
            f"plot_history(history). Received: {history!r}, which has no recorded epochs.")
    n = max(len(v) for v in logs.values())
    recorded = list(getattr(history, "epoch", []) or [])
    epochs = [e + 1 for e in recorded] if len(recorded) == n else list(range(1, n + 1))
    return {k: list(v) for k, v in logs.items()}, epochs


def _panel_names(logs: dict) -> list[str]:
    """Names without the ``val_`` prefix, ``loss`` first, then in the order fit logged them."""
    names: list[str] = []
    for key in logs:
        name = key[4:] if key.startswith("val_") else key
        if name not in names:
            names.append(name)
    return sorted(names, key=lambda n: n != "loss")


# ----- weights and gradients ----------------------------------------------------------------------
@check_keywords
def plot_weights(model: Model) -> Figure:
    """Each layer's weights: a row per layer with a histogram of all its weight values (one
    colour per weight, e.g. kernel and bias) and a heat map of its first weight matrix
    (rows: inputs, columns: units), with a colour bar."""
    return _plot_per_layer(model, lambda v: v.value, "weights")


@check_keywords
def plot_gradients(model: Model) -> Figure:
    """Like :func:`plot_weights`, for dLoss/dweight of the latest training step
    (``variable.grad``): which weights the last step pushed, and how hard."""
    return _plot_per_layer(model, lambda v: v.grad, "gradients")


def _plot_per_layer(model: Model, array_of, what: str) -> Figure:
    _check_model(model, f"plot_{what}")
    rows = [(layer, [(v, array_of(v)) for v in layer.weights])
            for layer in _layers_with_weights(model)]
    if not rows:
        raise ValueError(f"Model '{model.name}' has no layers with weights, so there are no "
                         f"{what} to plot.")
    if what == "gradients" and all(a is None for _, pairs in rows for _, a in pairs):
        raise ValueError(
            f"Model '{model.name}' has no gradients yet: they are made by a training step. "
            f"Run model.fit(x, y, epochs=1) or model.train_on_batch(x, y) first.")
    fig = _figure(len(rows), 2)
    for r, (layer, pairs) in enumerate(rows):
        hist_ax = fig.add_subplot(len(rows), 2, 2 * r + 1)
        for v, a in pairs:
            if a is not None:
                hist_ax.hist(np.ravel(a), bins=30, alpha=0.6, label=f"{v.name} {tuple(v.shape)}")
        hist_ax.set_title(f"{layer.name}: {what}")
        hist_ax.legend(fontsize="small")
        matrix = next(((v, a) for v, a in pairs if a is not None and np.ndim(a) >= 2), None)
        if matrix is None:
            continue
        v, a = matrix
        a = np.asarray(a)
        map_ax = fig.add_subplot(len(rows), 2, 2 * r + 2)
        image = map_ax.imshow(a.reshape(-1, a.shape[-1]), aspect="auto", cmap="coolwarm",
                              norm=_centred(a))
        map_ax.set_title(f"{layer.name}/{v.name} {tuple(a.shape)}")
        map_ax.set_xlabel("unit")
        map_ax.set_ylabel("input")
        _whole_number_ticks(map_ax)
        fig.colorbar(image, ax=map_ax)
    return fig


def _whole_number_ticks(ax) -> None:
    """Rows and columns of a heat map are counted: label them 0, 1, 2, not 0.5."""
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _centred(a: np.ndarray):
    """A colour scale with 0 in the middle, so blue is negative and red is positive."""
    from matplotlib.colors import TwoSlopeNorm
    m = float(np.max(np.abs(a))) or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-m, vmax=m)


def _layers_with_weights(model: Model) -> list[Layer]:
    """Layers that hold weights, looking inside nested models and wrapped models."""
    found: list[Layer] = []
    for layer in model.layers:
        inner = layer if isinstance(layer, Model) else getattr(layer, "layer", None)
        if isinstance(inner, Model):
            found += [l for l in _layers_with_weights(inner) if l not in found]
        elif layer.weights and layer not in found:
            found.append(layer)
    return found


def _check_model(model: Any, where: str) -> None:
    if not isinstance(model, Model):
        raise TypeError(f"{where}() takes a model, but got {type(model).__name__}.")
    if getattr(model, "_graph", None) is None:
        raise ValueError(f"Model '{model.name}' is not built yet, so it has no weights. Give it "
                         f"an input shape (Input(shape=...)) or call it on data first.")


# ----- activations --------------------------------------------------------------------------------
class _OutputRecorder:
    """Listens to the engine's walk over the graph and keeps each layer's first output."""

    def __init__(self):
        self.outputs: dict[int, Any] = {}

    def forward(self, layer, inputs, outputs, cache):
        self.outputs.setdefault(id(layer), outputs)

    def backward(self, layer, d_outputs, d_inputs, grads):
        pass


@check_keywords
def plot_activations(model: Model, x: Any, samples: int = 3) -> Figure:
    """What each layer of ``model`` outputs for the first ``samples`` samples of ``x``.

    One heat map per layer (top to bottom in the order the model runs them): a row per
    sample, a column per output value (outputs with more axes are flattened per sample).
    """
    _check_model(model, "plot_activations")
    if isinstance(x, (list, tuple)):
        xs = [np.asarray(a)[:samples] for a in x]
    else:
        xs = np.asarray(x)[:samples]
    recorder = _OutputRecorder()
    with _graph.recording(recorder):
        model.predict_on_batch(xs)
    shown = []
    for layer in model.layers:
        if isinstance(layer, InputLayer) or id(layer) not in recorder.outputs:
            continue
        out = recorder.outputs[id(layer)]
        for k, y in enumerate(out if isinstance(out, list) else [out]):
            suffix = f"[{k}]" if isinstance(out, list) else ""
            shown.append((f"{layer.name}{suffix} ({class_name(layer)})", np.asarray(y)))
    fig = _figure(len(shown), 1, width=7.0, height=1.2 + 0.3 * samples)
    for r, (title, y) in enumerate(shown):
        ax = fig.add_subplot(len(shown), 1, r + 1)
        y2 = y.reshape(y.shape[0], -1)
        image = ax.imshow(y2, aspect="auto", cmap="viridis", interpolation="nearest")
        ax.set_title(f"{title}: output {tuple(y.shape)}")
        ax.set_ylabel("sample")
        _whole_number_ticks(ax)
        fig.colorbar(image, ax=ax)
    return fig


# ----- decision boundary --------------------------------------------------------------------------
@check_keywords
def plot_decision_boundary(model: Model, x: Any, y: Any, resolution: int = 150) -> Figure:
    """The model's answer over the plane of two input features, with the data on top.

    ``x`` has shape ``(n, 2)``. A model with one output unit (binary, e.g. a sigmoid) shows
    the probability of class 1 as a colour, with the 0.5 line drawn; a model with ``C`` units
    (multi-class) colours each point of the plane by its most likely class (argmax). ``y``
    holds class numbers, or one-hot rows. The grid is ``resolution × resolution`` points over
    the data's range plus a margin of 10%.
    """
    _check_model(model, "plot_decision_boundary")
    x = np.asarray(x, dtype="float64")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary draws the plane of two input features, so x must have "
            f"shape (n, 2); got {x.shape}. Pick two columns (x[:, [0, 1]]) and a model "
            f"trained on them.")
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=-1)  # one-hot rows
    labels = labels.reshape(-1)
    g0, g1 = _grid(x, resolution)
    grid = np.column_stack([g0.ravel(), g1.ravel()]).astype(model.inputs[0].dtype)
    p = np.asarray(model.predict_on_batch(grid))
    p = p.reshape(len(grid), -1)
    fig = _figure(1, 1, width=5.5, height=4.5)
    ax = fig.add_subplot(1, 1, 1)
    if p.shape[1] == 1:
        cmap = _colormap("RdBu_r")
        surface = ax.contourf(g0, g1, p[:, 0].reshape(g0.shape), levels=np.linspace(0, 1, 11),
                              cmap=cmap, alpha=0.7)
        ax.contour(g0, g1, p[:, 0].reshape(g0.shape), levels=[0.5], colors="black")
        fig.colorbar(surface, ax=ax, label="P(class 1)")
        colour_of = {0: cmap(0.0), 1: cmap(1.0)}
    else:
        cmap = _colormap("tab10")
        choice = p.argmax(axis=1).reshape(g0.shape)
        levels = np.arange(p.shape[1] + 1) - 0.5
        ax.contourf(g0, g1, choice, levels=levels, cmap=cmap, vmin=0, vmax=9, alpha=0.4)
        colour_of = {k: cmap(k % 10) for k in range(p.shape[1])}
    for k in np.unique(labels):
        here = labels == k
        ax.scatter(x[here, 0], x[here, 1], color=colour_of.get(int(k), "gray"),
                   edgecolors="black", label=f"class {int(k)}")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(f"Decision boundary of '{model.name}'")
    ax.set_xlabel("x[:, 0]")
    ax.set_ylabel("x[:, 1]")
    return fig


def _colormap(name: str):
    from matplotlib import colormaps
    return colormaps[name]


def _grid(x: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    margin = 0.1 * np.where(hi > lo, hi - lo, 1.0)
    axes = [np.linspace(lo[i] - margin[i], hi[i] + margin[i], int(resolution)) for i in range(2)]
    return np.meshgrid(*axes)
