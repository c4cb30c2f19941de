"""What ``compile`` sets up: one loss (and weight) and a list of metrics per output.

``Objective.value_and_gradients`` is the loss step of training: for each output k with loss
L_k and weight w_k, ``loss = Σ_k w_k · mean_i L_k(y_i, p_i)`` and the gradient that starts
backpropagation is ``dloss/dp = w_k · dL_k/dp / count``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as losses_module
from .. import metrics as metrics_module
from ..engine.errors import DataError, did_you_mean
from . import masked
from ..engine.tensor import format_shape


def per_output(value: Any, names: list[str], what: str) -> list[Any]:
    """Spread a compile argument over the outputs: one value for all, a list in output
    order, or a dict keyed by output name."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            hint = "".join(did_you_mean(k, names) for k in unknown)
            raise ValueError(
                f"Expected keys {names} in {what} dict, but found {what}.keys()="
                f"{list(value)}.{hint} The keys must be the names of the output layers.")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"The model has {len(names)} outputs {names} but {what} is a list of "
                f"{len(value)}. Give one entry per output, in that order, or a dict keyed by "
                f"output name.")
        return list(value)
    return [value] * len(names)


class Objective:
    """Losses, loss weights and metrics for each output of a compiled model."""

    def __init__(self, model, loss: Any, loss_weights: Any, metrics: Any):
        self.names = model.output_names
        self.multi = len(self.names) > 1
        self.losses = [None if l is None else losses_module.get(l)
                       for l in per_output(loss, self.names, "loss")] if loss is not None else None
        weights = per_output(loss_weights, self.names, "loss_weights") if loss_weights is not None \
            else [1.0] * len(self.names)
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.metric_specs = self._metric_specs(metrics)
        self.metrics: list[list] | None = None  # resolved on the first targets seen

    def _metric_specs(self, metrics: Any) -> list[list]:
        if metrics is None:
            return [[] for _ in self.names]
        if isinstance(metrics, str) or not isinstance(metrics, (list, tuple, dict)):
            raise ValueError(
                f"Expected `metrics` argument to be a list, tuple, or dict. Received instead: "
                f"metrics={metrics} of type {type(metrics)}. Write metrics=[{metrics!r}].")
        if isinstance(metrics, dict):
            specs = per_output(metrics, self.names, "metrics")
        elif not self.multi:
            specs = [list(metrics)]
        elif len(metrics) == len(self.names):
            specs = list(metrics)
        else:
            raise ValueError(
                f"For a model with several outputs, `metrics` should contain metrics objects and "
                f"either be a dict or a list matching the output names of the functional model "
                f"{self.names} (one entry per output). Received: metrics={metrics}. For example "
                f"metrics={{{', '.join(repr(n) + ': ' + repr(list(metrics)) for n in self.names)}}}.")
        return [[] if s is None else (list(s) if isinstance(s, (list, tuple)) else [s]) for s in specs]

    def resolve_metrics(self, ys: list[np.ndarray], output_shapes: list[tuple]) -> None:
        """Pick each metric (``'accuracy'`` depends on the shapes of targets and outputs)."""
        if self.metrics is not None:
            return
        self.metrics = []
        for specs, y, shape in zip(self.metric_specs, ys, output_shapes):
            fake_pred = np.zeros((1,) + tuple(1 if d is None else d for d in shape[1:]))
            self.metrics.append([metrics_module.get(s, y[:1], fake_pred) for s in specs])

    def require_loss(self) -> None:
        """Refuse to train when there is nothing to minimise. A model compiled without a loss
        may still train on what its layers give to ``add_loss``, with no targets (``y=None``)."""
        if self.losses is None or all(l is None for l in self.losses):
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`, "
                             "e.g. model.compile(optimizer='adam', loss='mse'). (A model whose "
                             "layers call add_loss() may be compiled without a loss and fit "
                             "without targets: model.fit(x).)")

    # ----- targets -------------------------------------------------------------------------------
    def check_targets(self, model, ys: list[np.ndarray]) -> list[np.ndarray]:
        """Align each target with its output as Keras does (a trailing size-1 axis may be added
        or dropped) and refuse targets that cannot match, for every loss."""
        out = []
        for k, (y, t) in enumerate(zip(ys, model.outputs)):
            loss = self.losses[k] if self.losses else None
            out.append(align_target(y, t, loss, model, self.names[k]))
        return out

    # ----- the loss step -----------------------------------------------------------------------------
    def value_and_gradients(self, ys: list[np.ndarray], preds: list[np.ndarray],
                            weights: list | None = None, masks: list | None = None):
        """Total loss, each output's unweighted loss, and dloss/dprediction per output.

        Each output's loss is reduced as its Loss object says (by default the mean over the
        batch, with optional per-sample weights); the output's loss weight w_k then scales
        both the value's share in the total and the gradient. An output's mask (padding)
        becomes weights too (:mod:`kteach.training.masked`).
        """
        if self.losses is None:  # only add_loss: zeros let every layer's backward run
            return 0.0, [0.0] * len(preds), [np.zeros_like(p) for p in preds]
        weights = self._masked_weights(weights, masks, len(ys))
        total = 0.0
        per_output_values, grads = [], []
        for loss, w, y, p, sw in zip(self.losses, self.loss_weights, ys, preds, weights):
            if loss is None:
                per_output_values.append(0.0)
                grads.append(None)
                continue
            value, dp = loss.value_and_gradient(y, p, sw)
            per_output_values.append(value)
            total += w * value
            grads.append(dp * np.asarray(w, dtype=dp.dtype) if w != 1.0 else dp)
        return total, per_output_values, grads

    def _masked_weights(self, weights: list | None, masks: list | None, n: int) -> list:
        """Each output's sample weights with its mask folded in, as its loss uses them."""
        weights = weights or [None] * n
        if not masks or all(m is None for m in masks):
            return weights
        return [masked.loss_weights(w, m, _loss_reduction(loss))
                for w, m, loss in zip(weights, masks, self.losses)]

    def values(self, ys, preds, weights: list | None = None, masks: list | None = None):
        """Like :meth:`value_and_gradients` without the gradients (for evaluate)."""
        if self.losses is None:
            return 0.0, [0.0] * len(preds)
        weights = self._masked_weights(weights, masks, len(ys))
        total, per_output_values = 0.0, []
        for loss, w, y, p, sw in zip(self.losses, self.loss_weights, ys, preds, weights):
            value = 0.0 if loss is None else float(loss(y, p, sample_weight=sw))
            per_output_values.append(value)
            total += w * value
        return total, per_output_values


def _loss_reduction(loss: Any) -> Any:
    return getattr(loss, "reduction", "sum_over_batch_size")


def align_target(y: np.ndarray, output, loss, model, output_name: str) -> np.ndarray:
    """Check that the targets fit the output (or, for sparse losses, the output without its
    last axis), allowing Keras' trailing-1 difference; otherwise an error that teaches.

    The targets keep the shape they were given (only their dtype follows the output's, for
    dense targets): losses and metrics line up the ranks themselves, and Keras hands a
    custom metric the targets as given, e.g. labels of shape ``(n, 1)``.
    """
    out_shape = output.shape
    sparse = getattr(loss, "sparse_targets", False)
    want = tuple(out_shape[:-1]) if sparse else tuple(out_shape)
    view = y
    if y.ndim == len(want) + 1 and y.shape[-1] == 1:
        view = y[..., 0]
    elif y.ndim == len(want) - 1 and want[-1] == 1:
        view = y[..., None]
    fits = view.ndim == len(want) and all(e is None or e == s for e, s in zip(want[1:], view.shape[1:]))
    if not fits:
        raise DataError(_target_message(y, out_shape, loss, model, output_name))
    if sparse:
        _check_labels(view, out_shape[-1], output_name)
        return y
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise DataError(f"The targets for output '{output_name}' have dtype {y.dtype}; "
                        f"they must be numbers.")
    return y.astype(output.dtype, copy=False)


def _check_labels(y: np.ndarray, n_classes: int | None, output_name: str) -> None:
    if not (np.issubdtype(y.dtype, np.integer) or np.all(np.mod(y, 1) == 0)):
        raise DataError(f"sparse_categorical_crossentropy expects integer class labels for "
                        f"output '{output_name}', but the targets have fractions.")
    if n_classes is not None and y.size and (y.min() < 0 or y.max() >= n_classes):
        raise DataError(
            f"Output '{output_name}' has {n_classes} classes (labels 0 to {n_classes - 1}), but "
            f"the targets contain the label {int(y.max() if y.max() >= n_classes else y.min())}. "
            f"Give the last layer as many units as there are classes.")


def _target_message(y: np.ndarray, out_shape: tuple, loss, model, output_name: str) -> str:
    layer = model.get_layer(output_name) if output_name in [l.name for l in model.layers] else None
    loss_name = losses_module.serialize(loss) if loss is not None else "the loss"
    units = out_shape[-1]
    head = (f"Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={y.shape}, output.shape={format_shape(out_shape)}.")
    what = (f" The targets for output '{output_name}' have shape {y.shape}, but the layer "
            f"'{output_name}'{_layer_text(layer)} produces {format_shape(out_shape)}, and "
            f"{loss_name} compares them value by value.")
    n_cols = y.shape[-1] if y.ndim >= 2 else 1
    if units == 1 and n_cols > 1:
        fix = (f" Change one of the two: for a yes/no problem give one 0/1 label per sample "
               f"(shape ({y.shape[0]},) or ({y.shape[0]}, 1), not one-hot columns); or, for "
               f"{n_cols} classes, end the model with Dense({n_cols}, activation='softmax') "
               f"and use loss='categorical_crossentropy'.")
    elif loss_name == "categorical_crossentropy" and (y.ndim == 1 or n_cols == 1):
        fix = (f" categorical_crossentropy wants one-hot targets of shape ({y.shape[0]}, {units}); "
               f"these look like class numbers. Use loss='sparse_categorical_crossentropy', or "
               f"convert with kteach.utils.to_categorical(y, {units}).")
    elif loss_name == "sparse_categorical_crossentropy":
        fix = (f" sparse_categorical_crossentropy wants one class number per sample (shape "
               f"({y.shape[0]},)); these look one-hot. Use loss='categorical_crossentropy', or "
               f"pass y.argmax(axis=-1).")
    else:
        fix = (f" Either make the targets {format_shape((y.shape[0],) + tuple(out_shape[1:]))} or "
               f"change the output layer to produce {y.shape[1:]} per sample.")
    return head + what + fix


def _layer_text(layer) -> str:
    if layer is None:
        return ""
    units = getattr(layer, "units", None)
    act = getattr(layer, "activation", None)
    act_name = getattr(act, "__name__", None)
    if units is not None:
        act_part = f", activation='{act_name}'" if act_name and act_name != "linear" else ""
        return f" ({type(layer).__name__}({units}{act_part}))"
    return f" ({type(layer).__name__})"


class CompileMetrics:
    """What ``model.metrics`` holds after the loss tracker: every compiled metric behind one
    object, as Keras 3's ``compile_metrics``. ``update_state(y, y_pred)`` updates them all;
    ``result()`` is a dict of their values, by log name."""

    name = "compile_metrics"

    def __init__(self, model):
        self.model = model

    def _groups(self, y: Any, y_pred: Any) -> tuple[list, list, list]:
        objective = self.model._objective_for_use()
        ys = [np.asarray(v) for v in (y if isinstance(y, (list, tuple)) else [y])]
        ps = [np.asarray(v) for v in (y_pred if isinstance(y_pred, (list, tuple)) else [y_pred])]
        objective.resolve_metrics(ys, [p.shape for p in ps])
        return objective.metrics, ys, ps

    def update_state(self, y: Any, y_pred: Any, sample_weight: Any = None) -> None:
        groups, ys, ps = self._groups(y, y_pred)
        for group, t, p in zip(groups, ys, ps):
            for metric in group:
                metric.update_state(t, p)

    def result(self) -> dict[str, float]:
        objective = self.model._objective
        if objective is None or objective.metrics is None:
            return {}
        out = {}
        for name, group in zip(objective.names, objective.metrics):
            for metric in group:
                key = f"{name}_{metric.name}" if objective.multi else metric.name
                out[key] = metrics_module.result_as_float(metric)
        return out

    def reset_state(self) -> None:
        objective = self.model._objective
        if objective is not None and objective.metrics is not None:
            for group in objective.metrics:
                for metric in group:
                    metric.reset_state()
