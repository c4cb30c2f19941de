"""The data half of a Model's training methods: every check before the first batch.

``fit``, ``evaluate``, ``train_on_batch`` and ``explain`` turn what the learner passed
(arrays, lists or dicts of them, a batch of a PyDataset) into lists of arrays, one per model
input and output, checked against the model: shapes, sample counts, NaN, targets that fit
the loss. A model that was not built yet and fails a check stays unbuilt.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from . import data
from .loop import class_weights_to_sample_weights
from ..utils.data_adapter import unpack_batch


def _every_layer(model) -> list:
    """The model's layers, and theirs, all the way down (each once)."""
    out: list = []
    todo = list(getattr(model, "layers", [])) + list(getattr(model, "_tracked", []))
    while todo:
        layer = todo.pop(0)
        if all(layer is not seen for seen in out):
            out.append(layer)
            todo += list(getattr(layer, "layers", [])) + list(layer._tracked)
    return out


class Preparation:
    """Mixed into Trainer: the model's data as checked lists of arrays."""

    def _inputs(self, x: Any, what: str = "x") -> list[np.ndarray]:
        if x is None:
            raise ValueError(f"No data given: pass the input data as {what}.")
        if self._graph is None and self._subclassed():
            return self._subclass_inputs(x, what)
        if self._graph is None:
            first = x[0] if isinstance(x, (list, tuple)) and x and isinstance(x[0], np.ndarray) else x
            self._build_from_data(data.to_array(first, what))
        arrays = data.check_inputs(self, data.structure(self, x, self.input_names, what, "input"), what)
        data.check_lengths(self, arrays)
        return arrays

    def _subclass_inputs(self, x: Any, what: str) -> list[np.ndarray]:
        """A subclassed model's inputs as a list of arrays (its call decides their shapes)."""
        items = list(x) if isinstance(x, (list, tuple)) else [x]
        arrays = [data.to_array(a, what) for a in items]
        for a in arrays:
            if np.issubdtype(a.dtype, np.floating):
                data.check_finite(a, what)
        self._several_inputs = isinstance(x, (list, tuple))
        self._build_from_data(arrays if self._several_inputs else arrays[0])
        data.check_counts(arrays, None)
        return arrays

    def _targets(self, y: Any, what: str = "y") -> list[np.ndarray]:
        if y is None:
            raise ValueError(f"No targets given: pass the targets as {what} (the answers the "
                             f"model should learn to give).")
        arrays = data.structure(self, y, self.output_names, what, "output")
        for a, name in zip(arrays, self.output_names):
            data.check_finite(a.astype(float, copy=False) if a.dtype == bool else a,
                              f"{what} for output '{name}'")
        return arrays

    def _sample_weights(self, sample_weight: Any, n: int) -> list | None:
        """Per-output arrays of one weight per sample (one array applies to every output)."""
        if sample_weight is None:
            return None
        names = self.output_names
        if isinstance(sample_weight, (dict, list, tuple)) and len(names) > 1:
            from .compiled import per_output
            spread = per_output(sample_weight, names, "sample_weight")
        else:
            spread = [sample_weight] * len(names)
        out = []
        for w in spread:
            if w is None:
                out.append(None)
                continue
            w = data.to_array(w, "sample_weight").astype("float32")
            if w.shape[0] != n:
                raise data.DataError(f"sample_weight has {w.shape[0]} entries but there are {n} "
                                     f"samples; give one weight per sample.")
            data.check_finite(w, "sample_weight")
            out.append(w)
        return out

    def _prepare(self, x: Any, y: Any, what: str = "") -> tuple[list, list, int]:
        with self._unbuilt_if_failing():
            return self._prepare_data(x, y, what)

    @contextlib.contextmanager
    def _unbuilt_if_failing(self) -> Iterator[None]:
        """A model that is not built yet stays unbuilt when the call fails: the layers it
        built from the data lose their weights again, and no automatic names are used up."""
        if self.built:
            yield
            return
        from ..engine import naming
        layers = _every_layer(self)
        saved = [(l, l.built, list(l._weights), l._build_input_shape) for l in layers]
        names = dict(naming._counts)
        try:
            yield
        except BaseException:
            for layer, built, weights, shape in saved:
                layer.built, layer._weights, layer._build_input_shape = built, weights, shape
            self._forget_build()
            naming._counts.clear()
            naming._counts.update(names)
            raise

    def _prepare_data(self, x: Any, y: Any, what: str = "") -> tuple[list, list, int]:
        self._require_compiled()
        xs = self._inputs(x, what + "x")
        objective = self._objective_for_use()
        if objective.losses is None and y is None:
            # compile() without a loss: the layers' add_loss values are the whole loss
            objective.resolve_metrics([], [])
            return xs, [], data.check_counts(xs, None)
        objective.require_loss()
        ys = self._targets(y, what + "y")
        n = data.check_counts(xs, ys)
        ys = objective.check_targets(self, ys)
        if objective.metrics is None:   # picked once, from the first data seen
            objective.resolve_metrics(ys, [t.shape for t in self.outputs])
        return xs, ys, n

    def _source_batch(self, batch: Any, training: bool = False) -> tuple[list, list, list | None]:
        """One raw batch from a source, checked like arrays: (xs, ys, sample_weights). A
        training batch of a PyDataset gets fit's class_weight as its sample weights."""
        bx, by, bw = unpack_batch(batch)
        xs, ys, n = self._prepare(bx, by, "batch ")
        class_weight = getattr(self, "_source_class_weight", None) if training else None
        if class_weight is not None and bw is not None:
            raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same "
                             "time. This PyDataset's batches carry sample weights; multiply "
                             "them by the class weights in __getitem__ instead.")
        if class_weight is not None:
            return xs, ys, self._class_weights(class_weight, ys, None)
        return xs, ys, self._sample_weights(bw, n)

    def _split(self, xs, ys, n, validation_split, validation_data):
        """Training arrays and validation arrays (or None). ``validation_split`` keeps the
        *last* part of the data for validation, before any shuffling, as Keras does."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val).")
            vx, vy = validation_data[0], validation_data[1]
            vxs, vys, _ = self._prepare(vx, vy, "validation_data ")
            return (xs, ys, n), (vxs, vys)
        if not validation_split:
            return (xs, ys, n), None
        if not 0 < validation_split < 1:
            raise ValueError(f"validation_split must be between 0 and 1 (the fraction of samples "
                             f"kept apart for validation), not {validation_split}.")
        cut = int(n * (1 - validation_split))
        if cut == 0 or cut == n:
            raise ValueError(f"validation_split={validation_split} on {n} samples leaves "
                             f"{'no training' if cut == 0 else 'no validation'} samples.")
        return (([a[:cut] for a in xs], [b[:cut] for b in ys], cut),
                ([a[cut:] for a in xs], [b[cut:] for b in ys]))

    def _class_weights(self, class_weight: Any, ys: list, sample_weights: list | None) -> list:
        """Per-sample weights from ``class_weight`` (Keras' rules and refusals)."""
        if not isinstance(class_weight, dict):
            raise TypeError(f"`class_weight` must be a dict {{class index: weight}}, e.g. "
                            f"{{0: 1.0, 1: 5.0}}; received {class_weight!r:.60}.")
        if sample_weights is not None:
            raise ValueError(
                "You cannot `class_weight` and `sample_weight` at the same time. Both set one "
                "weight per sample; to combine them, multiply yourself: sample_weight = "
                "sample_weight * np.array([class_weight[c] for c in y]).")
        if len(ys) != 1:
            raise ValueError(
                "`class_weight` is only supported for Models with a single output. For "
                "several outputs give sample_weight={output name: weights per sample}.")
        return [class_weights_to_sample_weights(ys[0], class_weight)]

