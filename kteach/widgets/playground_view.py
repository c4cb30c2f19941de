"""The Playground's front end: a widget drawn by the browser (``static/playground.js``).

The browser draws the network (every neuron a small heatmap, every weight a line), the big
output heatmap with the points, the legend, the loss chart and every control; Python keeps
the model and decides everything. Two kinds of traffic:

* Python -> browser: three synced dicts. :func:`scene` (the data points, the feature tiles,
  the menus' choices) changes when the data or the network's shape change; :func:`frame`
  (weights, biases, gradients, every neuron's heatmap, the output surface, the losses)
  after every change and, while playing, after every epoch; ``animation`` holds one
  recorded training step (``model.explain``) for the browser to play on the network.
* browser -> Python: one message per click (``{"type": "action", "name": "play"}``,
  ``{"type": "edit", ...}``), which the Playground turns into the same method calls a
  learner makes from code (see ``Playground._view_message``).

Heatmaps travel as small grids of bytes in base64 (0 is -1 on the colour scale, 255 is +1),
so a frame of a 2-hidden-layer network is a few kilobytes of JSON.
The JavaScript is a plain ES module shipped inside the package: no build step, no CDN.
"""
from __future__ import annotations

import base64
from pathlib import Path

import anywidget
import numpy as np
import traitlets

STATIC = Path(__file__).parent / "static"

# The parts of the panel a teacher can hide ("classroom" mode), by name.
CONTROLS = ("reset", "play", "step", "epoch", "learning_rate", "activation", "regularization",
            "regularization_rate", "problem", "optimizer", "dataset", "classes", "noise",
            "train_ratio", "batch_size", "regenerate", "features", "layers", "neurons",
            "show_test", "discretize", "gradients", "edit", "explain", "share", "classroom")


class PlaygroundView(anywidget.AnyWidget):
    """The drawing. ``scene``, ``frame`` and ``animation`` are written by the Playground;
    ``hidden`` lists the controls hidden in classroom mode."""

    _esm = (STATIC / "playground.js").read_text(encoding="utf-8")
    _css = (STATIC / "playground.css").read_text(encoding="utf-8")
    scene = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    animation = traitlets.Dict().tag(sync=True)
    hidden = traitlets.List(traitlets.Unicode()).tag(sync=True)


def encode(values: np.ndarray, scale: float) -> str:
    """``values`` in ``[-scale, scale]`` as bytes ``0 … 255`` (0 at 127.5), in base64."""
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.nan_to_num(np.clip(np.asarray(values, float) / scale, -1, 1), nan=0.0)
    return base64.b64encode(np.round((q + 1) * 127.5).astype(np.uint8).tobytes()).decode()


def decode(text: str, scale: float = 1.0) -> np.ndarray:
    """The inverse of :func:`encode` (to within half a step): a flat float array."""
    q = np.frombuffer(base64.b64decode(text), dtype=np.uint8).astype(float)
    return (q / 127.5 - 1) * scale


def _scale(values: np.ndarray) -> float:
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    return m if np.isfinite(m) and m > 1e-9 else 1.0


def _round(values, digits: int = 6) -> list:
    """Floats for JSON: float32 values as the nearest Python floats (exactly what the model
    holds), NaN and infinity as None."""
    a = np.asarray(values, dtype=float)
    return [None if not np.isfinite(v) else float(v) for v in a.ravel()] if a.ndim <= 1 \
        else [_round(row, digits) for row in a]


def heatmaps(pictures: np.ndarray) -> list[dict]:
    """One ``{"data", "scale"}`` per neuron of ``pictures`` ``(res, res, units)``: each neuron
    on its own scale, ``±max|output|`` (the scale is sent, so the legend can say it)."""
    out = []
    for i in range(pictures.shape[-1]):
        p = pictures[..., i]
        s = _scale(p)
        out.append({"data": encode(p, s), "scale": s})
    return out


def scene(pg, number: int = 0) -> dict:
    """What changes only with the data and the network's shape; ``number`` counts the scenes
    (each frame names the scene it belongs to)."""
    from . import datasets, figures
    from .codegen import OPTIMIZERS
    from .playground_controls import (ACTIVATIONS, LEARNING_RATES, MAX_LAYERS, MAX_NEURONS,
                                      REGULARIZATION_RATES)
    s, d = pg._settings, pg.data
    every = list(datasets.FEATURES)
    tiles = pg.feature_pictures()
    points = {part: {"x": np.round(d["x_" + part].astype(float), 4).tolist(),
                     "y": np.asarray(d["y_" + part], float).round(4).tolist()}
              for part in ("train", "test")}
    y_all = np.concatenate([d["y_train"], d["y_test"]])
    return {
        "number": number, "extent": [float(v) for v in pg.extent], "problem": s["problem"],
        "n_classes": s["n_classes"], "custom": pg._custom is not None,
        "value_range": figures.nice_limits(y_all) if s["problem"] == "regression" else 1.0,
        "points": points, "colours": list(figures.CLASS_COLOURS),
        "features": [{"name": n, "label": datasets.FEATURES[n][0], "on": n in s["features"],
                      **heatmaps(tiles[..., [i]])[0]} for i, n in enumerate(every)],
        "datasets": [] if pg._custom is not None else pg.thumbnails(),
        "controls": list(CONTROLS),
        "choices": {"learning_rate": sorted(set(LEARNING_RATES) | {s["learning_rate"]}),
                    "regularization_rate": sorted(set(REGULARIZATION_RATES)
                                                  | {s["regularization_rate"]}),
                    "activation": list(ACTIVATIONS), "optimizer": list(OPTIMIZERS.items()),
                    "problem": ["classification", "regression"],
                    "max_layers": MAX_LAYERS, "max_neurons": MAX_NEURONS},
    }


def frame(pg, number: int, ack: int) -> dict:
    """Everything that changes as the model trains. ``number`` counts the frames; ``ack`` is
    the last browser message handled (the browser times a click to its picture with it)."""
    s = pg._settings
    layers = pg.model.layers
    pictures = pg.neuron_pictures()
    surface = pg.predict_grid()
    if surface.ndim == 2:
        k, data = 1, encode(surface, pg._value_range)
    else:
        k = surface.shape[-1]
        data = base64.b64encode(np.round(np.nan_to_num(surface) * 255).astype(np.uint8)
                                .tobytes()).decode()
    grads = pg.gradients()
    h = pg.history
    shown = chart_epochs(len(h.get("train_loss", [])))
    return {
        "number": number, "scene": pg._scenes, "ack": ack, "epoch": pg.epoch,
        "running": pg.running,
        "message": pg.message, "loss_text": pg.loss_text(),
        "settings": {key: s[key] for key in (
            "dataset", "problem", "n_classes", "features", "hidden", "activations",
            "optimizer", "learning_rate", "regularization", "regularization_rate",
            "batch_size", "noise", "train_ratio", "seed")},
        "view": dict(pg.view_options),
        "columns": pg.column_names(),
        "kernels": [_round(layer.kernel.numpy()) for layer in layers],
        "biases": [_round(layer.bias.numpy()) for layer in layers],
        "kernel_grads": [_round(g) for g, _ in grads],
        "bias_grads": [_round(g) for _, g in grads],
        "neurons": [heatmaps(p) for p in pictures[1:]],
        "surface": {"data": data, "k": k, "resolution": pg.resolution,
                    "range": pg._value_range},
        "history": {key: _round([h[key][i] for i in shown] if key in h else [])
                    for key in ("train_loss", "test_loss")} | {"epochs": shown},
        "last": {key: (h[key][-1] if h.get(key) else None)
                 for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")},
    }


def chart_epochs(n: int, most: int = 300) -> list[int]:
    """The epochs the loss chart draws: all of them, or ``most`` spread evenly from the first
    to the last (the chart is 280 pixels wide; a long run's frames stay small)."""
    if n <= most:
        return list(range(n))
    return sorted({int(round(v)) for v in np.linspace(0, n - 1, most)})


def animation(pg, record, number: int) -> dict:
    """One recorded training step (``model.explain`` on a batch) as the browser plays it:
    one entry per step of the record, in its order, with what to show on the network."""
    from .stepthrough import describe
    layers = list(pg.model.layers)
    steps = []
    for step in record:
        layer = layers.index(step.layer) if step.layer in layers else None
        entry = {"index": step.index, "kind": step.kind, "label": step.label,
                 "text": describe(step), "formula": step.formula, "layer": layer}
        if step.kind == "forward":
            entry["values"] = _round(np.mean(step["y"], axis=0))
            entry["inputs"] = _round(np.mean(step["x"], axis=0))
        elif step.kind == "loss":
            entry["value"] = float(step.value)
        elif step.kind == "backward":
            entry["values"] = _round(np.mean(step["dy"], axis=0))
            entry["dkernel"] = _round(step["dkernel"])
            entry["dbias"] = _round(step["dbias"])
        elif step.kind == "update":
            entry["weight"] = step.variable.name
            entry["new"] = _round(step["w_new"])
            entry["gradient"] = _round(step["g"])
        steps.append(entry)
    return {"number": number, "batch": len(pg._explained_batch[1]), "steps": steps}
