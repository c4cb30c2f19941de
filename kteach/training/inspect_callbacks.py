"""Looking inside during training: a callback that keeps per-epoch statistics of every layer.

``TrainingStats`` answers the questions one asks when training goes wrong -- are the weights
growing, are the gradients vanishing, are the activations saturating, have ReLUs died? -- with
one number per layer and epoch, ready to plot::

    stats = kteach.callbacks.TrainingStats()
    history = model.fit(x, y, epochs=20, callbacks=[stats], verbose=0)
    plt.plot(history.stats["dense/kernel_grad_norm"])

The numbers go into ``history.stats`` (also ``stats.stats``), a dict of lists with one value per
epoch, keyed ``'<layer>/<statistic>'``. They are kept apart from ``history.history`` so that
its keys stay exactly Keras' (``loss``, ``accuracy``, ``val_loss`` ...).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import activations
from ..engine import graph
from .callbacks import Callback


class _ActivationTap:
    """A tracer that hands each layer's output to the callback. It is in ``graph.TRACERS``
    only while a training batch runs (validation and predict passes are not counted)."""

    def __init__(self, owner: "TrainingStats"):
        self.owner = owner

    def forward(self, layer, inputs: Any, outputs: Any, cache: Any) -> None:
        self.owner._see_output(layer, outputs)

    def backward(self, layer, d_outputs: Any, d_inputs: Any, grads: list) -> None:
        pass


class _Running:
    """Pooled mean and variance over batches, and which units were ever positive."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        self.alive: np.ndarray | None = None

    def add(self, a: np.ndarray, track_units: bool) -> None:
        a = np.asarray(a, dtype=np.float64)
        n_b, mean_b = a.size, float(a.mean())
        m2_b = float(((a - mean_b) ** 2).sum())
        n = self.n + n_b
        delta = mean_b - self.mean
        # Chan et al.'s rule for combining two groups' means and sums of squared deviations
        self.m2 += m2_b + delta * delta * self.n * n_b / n
        self.mean += delta * n_b / n
        self.n = n
        if track_units:
            alive = (a > 0).reshape(-1, a.shape[-1]).any(axis=0)
            self.alive = alive if self.alive is None else (self.alive | alive)

    @property
    def std(self) -> float:
        return math.sqrt(self.m2 / self.n) if self.n else math.nan


def is_relu(layer) -> bool:
    """Whether the layer ends in a plain ReLU (``Dense(..., activation='relu')``,
    ``Activation('relu')``): its units can die, i.e. output 0 for every input."""
    return getattr(layer, "activation", None) is activations.relu


class TrainingStats(Callback):
    """Per-epoch statistics of each layer, for plots and widgets.

    For every layer ``L`` and each of its weights ``w`` (e.g. ``kernel``), one value per epoch:

    * ``'L/w_norm'``: ‖w‖, the square root of the sum of squares, at the end of the epoch;
    * ``'L/w_grad_norm'``: ‖g‖ of the gradient, **averaged over the epoch's batches** (each
      batch's gradient is the one the optimizer used for that batch); trainable weights only;
    * ``'L/activation_mean'`` and ``'L/activation_std'``: mean and standard deviation of all
      the numbers the layer output during the epoch's training batches (dropout active, as in
      training; validation is not counted);
    * ``'L/dead_fraction'`` (layers ending in ReLU): the fraction of units that output 0 for
      every sample of the epoch -- "dead" units, which pass no gradient back.

    An epoch in which a layer did not run gets NaN, so every list has one entry per epoch.
    The dict is ``self.stats`` and, after ``fit``, ``history.stats``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stats: dict[str, list[float]] = {}
        self._tap = _ActivationTap(self)
        self._outputs: dict[int, _Running] = {}
        self._grad_sums: dict[int, float] = {}
        self._batches = 0

    # ----- the hooks fit calls ----------------------------------------------------------------
    def on_train_begin(self, logs=None):
        # A fit that failed half-way never reached on_train_batch_end; drop such leftovers.
        graph.TRACERS[:] = [t for t in graph.TRACERS if not isinstance(t, _ActivationTap)]
        self.stats = {}
        history = getattr(self.model, "history", None)
        if history is not None:
            history.stats = self.stats

    def on_epoch_begin(self, epoch, logs=None):
        self._outputs, self._grad_sums, self._batches = {}, {}, 0

    def on_train_batch_begin(self, batch, logs=None):
        self._listening = graph.recording(self._tap)
        self._listening.__enter__()

    def on_train_batch_end(self, batch, logs=None):
        self._stop_listening()
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            return  # the batch stopped before its gradients were made
        self._batches += 1
        for v in self.model.trainable_weights:
            if v.grad is not None:
                norm = float(np.linalg.norm(np.asarray(v.grad, dtype=np.float64)))
                self._grad_sums[id(v)] = self._grad_sums.get(id(v), 0.0) + norm

    def on_epoch_end(self, epoch, logs=None):
        values: dict[str, float] = {}
        trainable = {id(v) for v in self.model.trainable_weights}
        seen_weights: set[int] = set()
        from .explain import all_layers   # here, so that `import kteach` stays light
        for layer in all_layers(self.model):
            if getattr(layer, "_graph", None) is None:   # a nested model's weights are its layers'
                for v in layer.weights:
                    if id(v) in seen_weights:
                        continue
                    seen_weights.add(id(v))
                    values[f"{layer.name}/{v.name}_norm"] = float(
                        np.linalg.norm(np.asarray(v.value, dtype=np.float64)))
                    if id(v) in trainable:
                        total = self._grad_sums.get(id(v))
                        values[f"{layer.name}/{v.name}_grad_norm"] = (
                            total / self._batches if total is not None and self._batches
                        else math.nan)
            if not _computes(layer):
                continue
            run = self._outputs.get(id(layer))
            values[f"{layer.name}/activation_mean"] = run.mean if run else math.nan
            values[f"{layer.name}/activation_std"] = run.std if run else math.nan
            if is_relu(layer):
                values[f"{layer.name}/dead_fraction"] = (
                    float(1.0 - run.alive.mean()) if run and run.alive is not None else math.nan)
        n_before = len(next(iter(self.stats.values()), []))
        for key, value in values.items():
            self.stats.setdefault(key, [math.nan] * n_before).append(value)
        for key, column in self.stats.items():
            if key not in values:
                column.append(math.nan)

    def on_train_end(self, logs=None):
        self._stop_listening()

    def _stop_listening(self) -> None:
        listening, self._listening = getattr(self, "_listening", None), None
        if listening is not None:
            listening.__exit__(None, None, None)

    # ----- collecting -------------------------------------------------------------------------
    def _see_output(self, layer, outputs: Any) -> None:
        run = self._outputs.setdefault(id(layer), _Running())
        for a in (outputs if isinstance(outputs, (list, tuple)) else [outputs]):
            a = np.asarray(a)
            if a.size and np.issubdtype(a.dtype, np.floating):
                run.add(a, track_units=is_relu(layer))

    # ----- showing ----------------------------------------------------------------------------
    def table(self, epoch: int = -1) -> str:
        """The statistics of one epoch (default: the last) as a text table, one row per key."""
        if not self.stats:
            return "No statistics yet: pass this callback to fit(..., callbacks=[...])."
        width = max(len(k) for k in self.stats)
        return "\n".join(f"{k.ljust(width)}  {v[epoch]:.4f}" for k, v in self.stats.items())


def _computes(layer) -> bool:
    """Every layer but the InputLayer (it computes nothing and is never called)."""
    return type(layer).__name__ != "InputLayer"


__all__ = ["TrainingStats"]
