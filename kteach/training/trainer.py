"""compile / fit / evaluate / predict: the training loop, as a mixin of Model.

One training step on a batch is:

1. forward: run the graph on the inputs (``training=True``, so Dropout is active);
2. loss: compare the predictions with the targets, and get dloss/dpredictions;
3. backward: the chain rule back through the graph gives dloss/dw for every weight;
4. update: the optimizer changes each trainable weight using its gradient.

Every check on the data happens before step 1 of the first batch, so a mistake never leaves
a model half-trained.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any, Callable, Iterator

import numpy as np

from .. import losses, optimizers
from ..metrics import result_as_float
from ..engine import graph, random
from ..engine.arrays import plain
from ..engine.layer import add_penalty_gradients, apply_constraints, reset_activity_losses
from ..engine.errors import NotCompiledError, NotSupportedError, NumericalError, check_keywords
from . import data
from .callbacks import CallbackList, History, TerminateOnNaN
from .compiled import Objective
from .masked import metric_weights, output_masks
from .progress import Progbar, ProgbarLogger
from ..utils.data_adapter import PyDataset, SourcePass, is_batch_source, unpack_batch


class _NonFiniteLoss(Exception):
    def __init__(self, value: float):
        self.value = value


class StepObserver:
    """What can listen to the phases of one training step (``Trainer._train_batch``).

    ``phase('forward')`` and ``phase('backward')`` wrap those passes, ``loss(...)`` hears the
    loss step, ``update(apply, variables)`` must call ``apply()`` to let the optimizer step.
    This base hears nothing; ``model.explain`` records through a subclass.
    """

    records_nonfinite = False   # True: a NaN loss does not stop the step (explain shows it)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        yield

    def loss(self, preds: list, cache: Any, total: float, per_output: list, d_preds: list) -> None:
        pass

    def update(self, apply: Callable[[], None], variables: list) -> None:
        apply()


_SILENT = StepObserver()


class RunningMean:
    """Mean of per-batch values weighted by batch size (how Keras averages over an epoch)."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0

    def add(self, value: float, n: int) -> None:
        self.total += value * n
        self.count += n

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line "
                         f"per epoch), not {verbose!r}.")
    return int(verbose)


def _positive(value: Any, name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive whole number, e.g. {name}={default}; "
                         f"received {name}={value!r}.")
    return int(value)


def _refuse(**unsupported: Any) -> None:
    for name, value in unsupported.items():
        if value is not None:
            raise NotSupportedError(
                f"kteach does not support `{name}` yet (Keras does). Remove it to train "
                f"without it.")


def _take(ws: list | None, idx) -> list | None:
    return None if ws is None else [None if w is None else w[idx] for w in ws]


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


def _check_metric_names(metrics: Any) -> None:
    from .. import metrics as metrics_module
    groups = metrics.values() if isinstance(metrics, dict) else (
        metrics if isinstance(metrics, (list, tuple)) else [])
    for group in groups:
        for identifier in (group if isinstance(group, (list, tuple)) else [group]):
            if identifier is not None:
                metrics_module.check_identifier(identifier)


def _float_logs(logs: Any, where: str) -> dict[str, float]:
    """A step's returned logs as ``{name: float}``; nested dicts (``compile_metrics``) are
    opened up, as Keras does."""
    if not isinstance(logs, dict):
        raise TypeError(f"{where} must return a dict of logs, e.g. "
                        f"{{m.name: m.result() for m in self.metrics}}; it returned {logs!r:.80}.")
    out: dict[str, float] = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            out.update(_float_logs(value, where))
        else:
            try:
                out[key] = float(np.asarray(plain(value)))
            except (TypeError, ValueError):
                raise TypeError(f"{where} returned {key}={value!r:.60}, which is not one number. "
                                f"Return metric results, e.g. {{m.name: m.result() for m in "
                                f"self.metrics}}.") from None
    return dict(sorted(out.items()))


def _batches(n: int, batch_size: int, order: np.ndarray | None):
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield (slice(start, stop) if order is None else order[start:stop])


def _ran_out_warning() -> None:
    import warnings
    warnings.warn("Your input ran out of data; interrupting training. Make sure that your "
                  "dataset or generator can generate at least `steps_per_epoch * epochs` "
                  "batches. (With arrays: steps_per_epoch larger than ⌈samples / batch_size⌉ "
                  "only ends each epoch early; leave it out to use all the data every epoch.)",
                  stacklevel=4)


def _first_batches(n: int, batch_size: int, steps: int | None):
    """The first ``steps`` batches in order (all without ``steps``); warns when there are
    fewer, as Keras' evaluate and predict do with ``steps=`` / ``validation_steps=``."""
    for step, idx in enumerate(_batches(n, batch_size, None)):
        if steps is not None and step >= steps:
            return
        yield idx
    if steps is not None and steps > -(-n // batch_size):
        _ran_out_warning()


def _first_batch(source: SourcePass) -> Any:
    return source.peek()


def _source_only(**given: Any) -> None:
    """Arguments that only arrays have, refused for a PyDataset or a generator (as Keras)."""
    if given.get("validation_split"):
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. Found "
            "a batch source (PyDataset or generator). Give validation_data=... instead.")
    if given.get("y") is not None:
        raise ValueError(
            "When x is a PyDataset or a generator, its batches hold the targets: y must not "
            "be given. Return (x, y) from each batch instead.")
    for name in ("sample_weight", "class_weight"):
        if given.get(name) is not None:
            raise NotSupportedError(
                f"kteach does not support `{name}` with a PyDataset or a generator. Return "
                f"(x, y, sample_weight) from each batch instead.")


class _BatchStream:
    """The training batches, handed out epoch by epoch as Keras' EpochIterator does.

    Without ``steps_per_epoch`` every epoch is one pass over the data (shuffled anew). With it,
    an epoch takes the next ``steps_per_epoch`` batches of the current pass, so a pass is
    spread over several epochs; an epoch that reaches the end of a pass stops there (with
    Keras' warning if it wanted more) and the next epoch starts a new pass.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, steps_per_epoch: int | None,
                 source: Any = None):
        self.n, self.batch_size, self.shuffle = n, batch_size, shuffle
        self.steps_per_epoch = steps_per_epoch
        self.source = source       # a data_adapter.SourcePass: batches come ready-made
        self.num_batches = source.num_batches if source is not None else -(-n // batch_size)
        self._pass, self._seen = None, 0

    def _new_pass(self):
        if self.source is not None:
            return self.source.new_pass()
        order = random.rng().permutation(self.n) if self.shuffle else None
        return _batches(self.n, self.batch_size, order)

    def epoch(self):
        """This epoch's batches: index arrays into the data, or a source's raw batches."""
        if self.source is not None:
            self.source.epoch_begin()
        yield from self._epoch_items()
        if self.source is not None:
            self.source.epoch_end()

    def _epoch_items(self):
        if self.steps_per_epoch is None and self.num_batches is not None:
            yield from self._new_pass()
            return
        if self._pass is None or self.steps_per_epoch is None:
            self._pass, self._seen = self._new_pass(), 0
        for _ in range(self.steps_per_epoch or sys.maxsize):
            if self.num_batches is not None and self._seen >= self.num_batches:
                _ran_out_warning()
                break
            try:
                item = next(self._pass)
            except StopIteration:         # a generator that has ended
                _ran_out_warning()
                self._pass = None
                break
            self._seen += 1
            yield item
        if self.num_batches is not None and self._seen >= self.num_batches:
            self._pass = None


def _should_validate(epoch: int, validation_freq: Any) -> bool:
    """Keras' rule: an int validates every that many epochs, a list names the epochs (from 1)."""
    if isinstance(validation_freq, bool) or not isinstance(validation_freq, (int, list)):
        raise ValueError(
            f"Expected `validation_freq` to be a list or int. Received: validation_freq="
            f"{validation_freq} of the type {type(validation_freq)}. Give e.g. "
            "validation_freq=2 (every second epoch) or [1, 5, 10] (after those epochs).")
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample from the class of its target: ``w_i = class_weight[c_i]``
    (1 for a class not in the dict). ``c_i`` is ``argmax(y_i)`` for one-hot targets
    (n, k>1), else ``round(y_i)`` (labels (n,) or (n, 1), also 0/1 for sigmoid outputs)."""
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
    classes = np.round(y).astype("int32")
    return np.array([float(class_weight.get(int(c), 1.0)) for c in classes], dtype="float32")


class Trainer:
    """The training half of a Model. It uses only the model's graph and weights."""

    def __init__(self) -> None:
        self.optimizer = None
        self.compiled = False
        self._compile_args: dict | None = None
        self._objective: Objective | None = None
        self.stop_training = False
        self.history: History | None = None

    # ----- compile ---------------------------------------------------------------------------------
    @check_keywords
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True) -> None:
        """Choose the optimizer, the loss (one, or one per output) and the metrics."""
        _refuse(weighted_metrics=weighted_metrics)
        new_optimizer = optimizers.get(optimizer)
        _check_metric_names(metrics)   # a misspelt metric fails here, not after the optimizer changed
        args = dict(loss=loss, loss_weights=loss_weights, metrics=metrics)
        if self._graph is not None:
            objective = Objective(self, **args)
        else:  # outputs unknown until the model sees data; still check the loss names now
            objective = None
            for each in (loss.values() if isinstance(loss, dict) else
                         loss if isinstance(loss, (list, tuple)) else [loss]):
                if each is not None:
                    losses.get(each)
        self.optimizer, self._compile_args, self._objective = new_optimizer, args, objective
        self.compiled = True

    def _require_compiled(self) -> None:
        if not self.compiled:
            raise NotCompiledError(
                "You must call `compile()` before using the model. For example: "
                "model.compile(optimizer='rmsprop', loss='categorical_crossentropy', "
                "metrics=['accuracy']).")

    def _objective_for_use(self) -> Objective:
        """The compiled losses and metrics; made on first use if compile came before the
        model knew its shape (a Sequential without an input shape)."""
        self._require_compiled()
        if self._objective is None:
            self._objective = Objective(self, **self._compile_args)
        return self._objective

    # ----- data --------------------------------------------------------------------------------------
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
        objective.resolve_metrics(ys, [t.shape for t in self.outputs])
        return xs, ys, n

    # ----- one batch -----------------------------------------------------------------------------------
    def _reset_trackers(self) -> None:
        objective = self._objective
        self._custom_logs = None
        from .compiled import CompileMetrics
        for metric in self.metrics:   # a learner's own trackers too (a `metrics` property)
            if not isinstance(metric, CompileMetrics):  # the compiled ones are reset below
                metric.reset_state()
        self._trackers = {"loss": RunningMean()}
        if objective.multi:
            for name in objective.names:
                self._trackers[f"{name}_loss"] = RunningMean()
        for group in objective.metrics:
            for metric in group:
                metric.reset_state()

    def _track(self, ys, preds, total: float, per_output: list[float],
               masks: list | None = None) -> None:
        objective = self._objective
        n = len(preds[0])
        self._trackers["loss"].add(total, n)
        if objective.multi:
            for name, value in zip(objective.names, per_output):
                self._trackers[f"{name}_loss"].add(value, n)
        for group, y, p, m in zip(objective.metrics, ys, preds, masks or [None] * len(preds)):
            for metric in group:
                if m is None:
                    metric.update_state(y, p)
                else:   # a masked output: padded steps weigh 0
                    metric.update_state(y, p, sample_weight=metric_weights(None, m))

    def _logs(self) -> dict[str, float]:
        if getattr(self, "_custom_logs", None) is not None:
            return dict(self._custom_logs)
        objective = self._objective
        logs = {key: m.result() for key, m in self._trackers.items()}
        for name, group in zip(objective.names, objective.metrics):
            for metric in group:
                key = f"{name}_{metric.name}" if objective.multi else metric.name
                logs[key] = result_as_float(metric)  # one number, or a clear error
        return dict(sorted(logs.items()))

    def _train_batch(self, xs: list[np.ndarray], ys: list[np.ndarray], ws: list | None = None,
                     observer: "StepObserver | None" = None, training: bool = True) -> None:
        """Forward, loss, backward, update -- the four steps of training on one batch.

        This is the only place a training step is written: ``fit`` and ``train_on_batch``
        call it as it is, ``model.explain`` with an ``observer`` that records each phase
        (and then the metrics are left alone).
        """
        observe = observer or _SILENT
        # Overflow on the way to a NaN loss is reported by the clear error below, not by
        # NumPy's RuntimeWarnings.
        with np.errstate(over="ignore", invalid="ignore"):
            with observe.phase("forward"):
                preds, cache = self._forward_batch(xs, training=training)
            masks = output_masks(cache, len(preds))   # padding left out of loss and metrics
            total, per_output, d_preds = self._objective.value_and_gradients(ys, preds, ws, masks)
            total += self._added_loss()
            if self._objective.losses is None and not self.losses:
                self._objective.require_loss()  # nothing to minimise: say so, change nothing
            observe.loss(preds, cache, total, per_output, d_preds)
            if not np.isfinite(total) and not observe.records_nonfinite:
                raise _NonFiniteLoss(total)
            with observe.phase("backward"):
                grads = self._backward_batch(cache, d_preds)
        variables = self.trainable_weights
        for v in variables:
            g = grads.get(id(v))
            v.grad = np.zeros_like(v.value) if g is None else g.astype(v.dtype, copy=False)
        observe.update(lambda: self._apply_update(variables), variables)
        if observer is None:
            self._track(ys, preds, total, per_output, masks)

    def _apply_update(self, variables: list) -> None:
        """The optimizer's step, then each weight's constraint (``kernel_constraint=
        MaxNorm(2)``...) on the new value, as Keras applies them after the update."""
        self.optimizer.apply([v.grad for v in variables], variables)
        apply_constraints(variables)

    def _test_batch(self, xs, ys, ws: list | None = None) -> None:
        preds, cache = self._forward_batch(xs, training=False)
        masks = output_masks(cache, len(preds))
        total, per_output = self._objective.values(ys, preds, ws, masks)
        self._track(ys, preds, total + self._added_loss(), per_output, masks)

    def _log_names(self, validation: bool) -> list[str] | None:
        """The keys fit will log (None when a custom train_step decides them)."""
        if type(self).train_step is not Trainer.train_step:
            return None
        objective = self._objective
        names = ["loss"] + ([f"{n}_loss" for n in objective.names] if objective.multi else [])
        for name, group in zip(objective.names, objective.metrics or []):
            names += [f"{name}_{m.name}" if objective.multi else m.name for m in group]
        return names + ["val_" + n for n in names] if validation else names

    def _check_monitors(self, callbacks: list, validation: bool) -> None:
        """A callback watching a value fit will never log is refused before the first batch,
        not after an epoch of training (EarlyStopping(monitor='val_los'))."""
        names = self._log_names(validation)
        if names is None:
            return
        for cb in callbacks:
            watched = getattr(cb, "monitors", None) or [getattr(cb, "monitor", None)]
            for monitor in watched:
                self._check_monitor(cb, monitor, names, validation)

    @staticmethod
    def _check_monitor(cb, monitor: Any, names: list[str], validation: bool) -> None:
        from ..engine.errors import InvalidArgumentError, did_you_mean
        if isinstance(monitor, str) and monitor not in names:
            hint = ("" if validation or not monitor.startswith("val_") else
                    " Values starting with val_ need validation_split= or "
                    "validation_data= in fit.")
            raise InvalidArgumentError(
                f"{type(cb).__name__} is watching '{monitor}', which fit will not log: it "
                f"logs {names}.{did_you_mean(monitor, names)}{hint} Nothing was trained.")

    # ----- customising fit: train_step / test_step, as the Keras guide ----------------------------
    def train_step(self, data: tuple) -> dict:
        """One training step on one batch, ``data = (x, y)`` or ``(x, y, sample_weight)``;
        returns the logs. ``fit`` calls it for every batch: override it to change what a
        step does (forward under a ``GradientTape``, ``self.compute_loss``, gradients,
        ``self.optimizer.apply``, update ``self.metrics``, return their results)."""
        xs, ys, ws = self._batch_lists(data)
        self._train_batch(xs, ys, ws)
        return self._logs()

    def test_step(self, data: tuple) -> dict:
        """One evaluation step on one batch (used by ``evaluate`` and validation)."""
        xs, ys, ws = self._batch_lists(data)
        self._test_batch(xs, ys, ws)
        return self._logs()

    def _step(self, which: str, xs: list, ys: list, ws: list | None) -> None:
        """Run one batch: kteach's own step, or the model's overriding train_step/test_step."""
        method = getattr(type(self), which)
        if method is getattr(Trainer, which):
            (self._train_batch if which == "train_step" else self._test_batch)(xs, ys, ws)
            return
        data = (self._as_given(xs, "input"), self._as_given(ys, "output"))
        if ws is not None:
            data += (ws[0] if len(ws) == 1 else ws,)
        logs = getattr(self, which)(data)
        self._custom_logs = _float_logs(logs, f"{type(self).__name__}.{which}")

    def _as_given(self, arrays: list, kind: str) -> Any:
        several = getattr(self, "_several_inputs", len(arrays) > 1) if kind == "input" \
            else len(arrays) > 1
        return list(arrays) if several else arrays[0]

    def _batch_lists(self, data: Any) -> tuple[list, list, list | None]:
        if not isinstance(data, tuple) or len(data) not in (2, 3):
            raise ValueError("train_step/test_step take data = (x, y) or (x, y, sample_weight).")
        x, y = data[0], data[1]
        w = data[2] if len(data) == 3 else None
        as_list = lambda v: list(v) if isinstance(v, (list, tuple)) else [v]  # noqa: E731
        return as_list(x), as_list(y), None if w is None else as_list(w)

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Any:
        """The compiled loss of ``y_pred`` against ``y`` (weighted over the outputs), plus
        what the layers gave to ``add_loss``. Under a GradientTape it is recorded, so
        ``tape.gradient(loss, self.trainable_variables)`` works (Keras 3's ``compute_loss``)."""
        from .. import ops
        objective = self._objective_for_use()
        ys = list(y) if isinstance(y, (list, tuple)) else [y]
        preds = list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
        total = None
        for loss, weight, t, p in zip(objective.losses, objective.loss_weights, ys, preds):
            if loss is None:
                continue
            term = loss(t, p, sample_weight)
            term = term if weight == 1.0 else ops.multiply(weight, term)
            total = term if total is None else ops.add(total, term)
        for extra in self.losses:
            total = ops.sum(extra) if total is None else ops.add(total, ops.sum(extra))
        return total

    @property
    def metrics(self) -> list:
        """Keras 3's ``model.metrics``: a ``Mean`` named ``'loss'``, then one object named
        ``'compile_metrics'`` that updates every compiled metric (empty before compile)."""
        if not self.compiled:
            return []
        if getattr(self, "_metric_objects", None) is None:
            from .compiled import CompileMetrics
            from ..metrics import Mean
            self._metric_objects = [Mean(name="loss"), CompileMetrics(self)]
        return list(self._metric_objects)

    # ----- the model's forward and backward, graph or call ----------------------------------------
    def _forward_batch(self, xs: list[np.ndarray], training: bool) -> tuple[list, Any]:
        """The predictions (a list, one per output) and what backward needs."""
        reset_activity_losses(self)   # this pass's activity penalties replace the last ones
        if self._graph is not None:
            return self._graph.forward(xs, training)
        several = getattr(self, "_several_inputs", len(xs) > 1)
        out, cache = self.forward(list(xs) if several else xs[0], training)
        return (list(out) if cache.several else [out]), cache

    def _backward_batch(self, cache: Any, d_preds: list) -> dict[int, np.ndarray]:
        """``{id(weight): dloss/dweight}`` from the gradients at the predictions."""
        if self._graph is not None:
            grads = self._graph.backward(cache, d_preds)[1]
        else:
            _, d_weights = self.backward(cache, d_preds if cache.several else d_preds[0])
            grads = {id(w): g for w, g in zip(self.weights, d_weights) if g is not None}
        # The weight penalties in self.losses are not on any layer's backward path: their
        # gradient (2·l2·W for L2...) is added here, for fit, explain and check_gradients.
        return add_penalty_gradients(self.trainable_weights, grads)

    def _added_loss(self) -> float:
        """The sum of what layers gave to ``add_loss`` in the latest forward pass."""
        added = self.losses
        return float(sum(float(np.sum(loss)) for loss in added)) if added else 0.0

    # ----- fit ---------------------------------------------------------------------------------------
    @check_keywords
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1) -> History:
        """Train for ``epochs`` passes over the data, ``batch_size`` samples per step."""
        verbose = _verbosity(verbose)
        batch_size = _positive(batch_size, "batch_size", 32)
        # None means "all the batches"; anything else must be a count such as 10
        steps_per_epoch = _positive(steps_per_epoch, "steps_per_epoch", 10) \
            if steps_per_epoch is not None else None
        validation_steps = _positive(validation_steps, "validation_steps", 10) \
            if validation_steps is not None else None
        _should_validate(0, validation_freq)   # a bad value is refused before any training
        epochs = _positive(epochs, "epochs", 1) if epochs != 0 else 0
        cbs = list(callbacks or [])
        if is_batch_source(x):
            return self._fit_source(x, y, epochs, verbose, cbs, validation_split,
                                    validation_data, shuffle, class_weight, sample_weight,
                                    initial_epoch, steps_per_epoch, validation_steps,
                                    validation_freq)
        with self._unbuilt_if_failing():
            xs, ys, n = self._prepare(x, y)
            ws = self._sample_weights(sample_weight, n)
            if class_weight is not None:
                ws = self._class_weights(class_weight, ys, ws)
            train, val = self._split(xs, ys, n, validation_split, validation_data)
            self._check_monitors(cbs, validation=val is not None)
        (xs, ys, n) = train
        stream = _BatchStream(n, batch_size, shuffle, steps_per_epoch)
        steps = steps_per_epoch or stream.num_batches
        history = History()
        if verbose:
            cbs.insert(0, ProgbarLogger())
        # as Keras: the progress bar first, History last (it sees what callbacks add to logs,
        # e.g. ReduceLROnPlateau's learning_rate)
        calls = CallbackList(cbs + [history], self, {"verbose": verbose, "epochs": epochs, "steps": steps})
        quiet_nan = any(isinstance(cb, TerminateOnNaN) for cb in cbs)
        self.stop_training = False
        self.history = history
        tracers_before = list(graph.TRACERS)
        try:
            self._initial_epoch = None
            calls.call("on_train_begin", None)
            # BackupAndRestore sets _initial_epoch in on_train_begin to skip finished epochs
            initial_epoch = getattr(self, "_initial_epoch", None) or initial_epoch
            logs: dict = {}
            for epoch in range(initial_epoch, epochs):
                logs = self._fit_epoch(epoch, xs, ys, ws, batch_size, shuffle, calls, quiet_nan,
                                       stream=stream)
                if val is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._run_test(val[0], val[1], validation_batch_size or batch_size,
                                              calls=calls, steps=validation_steps)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                calls.call("on_epoch_end", epoch, logs)
                if self.stop_training:
                    break
            if epochs > 0:   # use_ema: the weights become their moving averages (Keras)
                self.optimizer.finalize_variable_values(self.trainable_weights)
            calls.call("on_train_end", logs)
        finally:
            # a callback that listens to the layers (TrainingStats) stops listening even when
            # a batch fails
            graph.TRACERS[:] = tracers_before
        history.params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        history.model = self
        return history

    def _fit_source(self, x, y, epochs, verbose, cbs, validation_split, validation_data,
                    shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch,
                    validation_steps, validation_freq) -> History:
        """fit on a PyDataset or a generator: the same loop, with ready-made batches."""
        _source_only(y=y, validation_split=validation_split, sample_weight=sample_weight,
                     class_weight=class_weight if not isinstance(x, PyDataset) else None)
        source = SourcePass(x, shuffle, random.rng)
        self._source_class_weight = class_weight     # a PyDataset's batches get them (Keras)
        with self._unbuilt_if_failing():
            self._source_batch(_first_batch(source))   # checks, builds, picks the metrics
        val = None
        if validation_data is not None:
            val = (SourcePass(validation_data, False, random.rng)
                   if is_batch_source(validation_data)
                   else self._split([], [], 0, 0.0, validation_data)[1])
        self._check_monitors(cbs, validation=val is not None)
        stream = _BatchStream(0, 1, shuffle, steps_per_epoch, source=source)
        history = History()
        if verbose:
            cbs.insert(0, ProgbarLogger())
        steps = steps_per_epoch or stream.num_batches
        calls = CallbackList(cbs + [history], self,
                             {"verbose": verbose, "epochs": epochs, "steps": steps})
        self.stop_training, self.history, self._initial_epoch = False, history, None
        tracers_before = list(graph.TRACERS)
        try:
            source.begin()
            calls.call("on_train_begin", None)
            initial_epoch = getattr(self, "_initial_epoch", None) or initial_epoch
            logs: dict = {}
            for epoch in range(initial_epoch, epochs):
                logs = self._fit_epoch(epoch, None, None, None, 1, shuffle, calls, False,
                                       stream=stream)
                if logs is None:          # the source had no batch left for this epoch
                    break
                if val is not None and _should_validate(epoch, validation_freq):
                    val_logs = (self._run_source_test(val, validation_steps, calls)
                                if isinstance(val, SourcePass) else
                                self._run_test(val[0], val[1], 32, calls=calls,
                                               steps=validation_steps))
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                calls.call("on_epoch_end", epoch, logs)
                if self.stop_training:
                    break
            if epochs > 0:   # use_ema: the weights become their moving averages (Keras)
                self.optimizer.finalize_variable_values(self.trainable_weights)
            calls.call("on_train_end", logs)
        finally:
            graph.TRACERS[:] = tracers_before
            self._source_class_weight = None
        history.params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        history.model = self
        return history

    def _source_batch(self, batch: Any, training: bool = False) -> tuple[list, list, list | None]:
        """One raw batch from a source, checked like arrays: (xs, ys, ws). A training batch
        of a PyDataset gets fit's class_weight as its sample weights."""
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

    def _run_source_test(self, source: SourcePass, steps: int | None,
                         calls: CallbackList, bar: Progbar | None = None) -> dict[str, float]:
        """Loss and metrics over a source's batches (the first ``steps`` if given)."""
        self._reset_trackers()
        calls.call("on_test_begin", None)
        stream = _BatchStream(0, 1, False, steps, source=source)
        for step, batch in enumerate(stream.epoch()):
            calls.call("on_test_batch_begin", step, None)
            self._step("test_step", *self._source_batch(batch))
            calls.call("on_test_batch_end", step, self._logs())
            if bar is not None:
                bar.update(step + 1, self._logs(), finalize=step + 1 == bar.target)
        logs = self._logs()
        calls.call("on_test_end", dict(logs))
        return logs

    def _fit_epoch(self, epoch, xs, ys, ws, batch_size, shuffle, calls, quiet_nan,
                   stream: _BatchStream | None = None) -> dict:
        """One epoch: a pass over the training data in batches (or the next
        ``steps_per_epoch`` batches of ``stream``); returns the epoch's logs."""
        self._reset_trackers()
        calls.call("on_epoch_begin", epoch, None)
        stream = stream or _BatchStream(len(xs[0]), batch_size, shuffle, None)
        steps = stream.steps_per_epoch or stream.num_batches
        step = -1
        for step, idx in enumerate(stream.epoch()):
            calls.call("on_train_batch_begin", step, None)
            try:
                if stream.source is not None:          # idx is a ready-made batch
                    self._step("train_step", *self._source_batch(idx, training=True))
                else:
                    self._step("train_step", [a[idx] for a in xs], [b[idx] for b in ys],
                               _take(ws, idx))
            except _NonFiniteLoss as bad:
                if not quiet_nan:
                    raise self._nan_error(bad.value, epoch, step, steps, xs) from None
                calls.call("on_train_batch_end", step, {"loss": bad.value})
                break
            calls.call("on_train_batch_end", step, self._logs())
            if self.stop_training:
                break
        if step < 0 and stream.source is not None:
            return None                     # nothing left in a generator: training ends
        return self._logs()

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
        return ([a[:cut] for a in xs], [b[:cut] for b in ys], cut), ([a[cut:] for a in xs], [b[cut:] for b in ys])

    def _class_weights(self, class_weight: Any, ys: list, ws: list | None) -> list:
        """Per-sample weights from ``class_weight`` (Keras' rules and refusals)."""
        if not isinstance(class_weight, dict):
            raise TypeError(f"`class_weight` must be a dict {{class index: weight}}, e.g. "
                            f"{{0: 1.0, 1: 5.0}}; received {class_weight!r:.60}.")
        if ws is not None:
            raise ValueError(
                "You cannot `class_weight` and `sample_weight` at the same time. Both set one "
                "weight per sample; to combine them, multiply yourself: sample_weight = "
                "sample_weight * np.array([class_weight[c] for c in y]).")
        if len(ys) != 1:
            raise ValueError(
                "`class_weight` is only supported for Models with a single output. For "
                "several outputs give sample_weight={output name: weights per sample}.")
        return [class_weights_to_sample_weights(ys[0], class_weight)]

    def _nan_error(self, value: float, epoch: int, step: int, steps: int, xs) -> NumericalError:
        lr = getattr(self.optimizer, "learning_rate", None)
        span = max(float(np.abs(a).max()) for a in xs if np.issubdtype(a.dtype, np.floating)) \
            if any(np.issubdtype(a.dtype, np.floating) for a in xs) else 0.0
        causes = [f"the learning rate ({lr:g}) is too large: the weights overshoot and grow "
                  f"until they overflow; try one ten times smaller"]
        if span > 10:
            causes.append(f"the inputs are not scaled (values up to {span:g}); standardise them, "
                          f"e.g. x = (x - x.mean(axis=0)) / x.std(axis=0)")
        causes.append("a loss that takes the log of 0 with from_logits set wrongly")
        return NumericalError(
            f"The loss became {value} at epoch {epoch + 1}, batch {step + 1} of {steps}, so "
            f"training stopped. Likely causes: " + "; ".join(causes) + ". The weights are those "
            f"from before this batch, and model.history holds the epochs finished so far. "
            f"(To stop quietly instead, pass callbacks=[kteach.callbacks.TerminateOnNaN()].)")

    # ----- evaluate / predict ----------------------------------------------------------------------------
    def _run_test(self, xs, ys, batch_size: int, bar: Progbar | None = None,
                  ws: list | None = None, calls: CallbackList | None = None,
                  steps: int | None = None) -> dict[str, float]:
        """Loss and metrics over the data in batches (the first ``steps`` batches if given);
        ``calls`` hears the test hooks."""
        calls = calls or CallbackList([], self, {})
        self._reset_trackers()
        n = len(xs[0])
        calls.call("on_test_begin", None)
        for step, idx in enumerate(_first_batches(n, batch_size, steps)):
            calls.call("on_test_batch_begin", step, None)
            self._step("test_step", [a[idx] for a in xs], [b[idx] for b in ys], _take(ws, idx))
            calls.call("on_test_batch_end", step, self._logs())
            if bar is not None:
                bar.update(step + 1, self._logs(), finalize=(idx.stop == n or step + 1 == steps))
        logs = self._logs()
        calls.call("on_test_end", dict(logs))
        return logs

    def _ordered_results(self, logs: dict[str, float]) -> Any:
        """evaluate's list, in Keras' order: loss, per-output losses, then the metrics."""
        objective = self._objective
        keys = ["loss"]
        if objective.multi:
            keys += [f"{n}_loss" for n in objective.names]
            keys += sorted(k for k in logs if k not in keys)
        else:
            keys += [m.name for m in objective.metrics[0]]
        values = [logs[k] for k in keys]
        return values[0] if len(values) == 1 else values

    @check_keywords
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False) -> Any:
        """The loss (and metrics) on the given data, with the model in inference mode."""
        verbose = _verbosity(verbose)
        batch_size = _positive(batch_size, "batch_size", 32)
        steps = _positive(steps, "steps", None)
        if is_batch_source(x):
            _source_only(y=y, sample_weight=sample_weight)
            source = SourcePass(x, False, random.rng)
            self._source_batch(_first_batch(source))
            total = steps or source.num_batches
            calls = CallbackList(list(callbacks or []), self, {
                "verbose": verbose, "epochs": 1, "steps": total})
            bar = Progbar(total, verbose=verbose) if verbose and total else None
            logs = self._run_source_test(source, steps, calls, bar)
            return logs if return_dict else self._ordered_results(logs)
        xs, ys, n = self._prepare(x, y)
        ws = self._sample_weights(sample_weight, n)
        steps_total = steps or -(-n // batch_size)
        calls = CallbackList(list(callbacks or []), self,
                             {"verbose": verbose, "epochs": 1, "steps": steps_total})
        bar = Progbar(steps_total, verbose=verbose) if verbose else None
        logs = self._run_test(xs, ys, batch_size, bar, ws, calls=calls, steps=steps)
        return logs if return_dict else self._ordered_results(logs)

    @check_keywords
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None) -> Any:
        """The model's outputs for ``x``, computed in batches in inference mode."""
        verbose = _verbosity(verbose)
        batch_size = _positive(batch_size, "batch_size", 32)
        steps = _positive(steps, "steps", None)
        if is_batch_source(x):
            return self._predict_source(x, verbose, steps, callbacks)
        xs = self._inputs(x)
        n = data.check_counts(xs, None)
        steps_total = min(steps, -(-n // batch_size)) if steps else -(-n // batch_size)
        bar = Progbar(steps_total, verbose=verbose) if verbose else None
        calls = CallbackList(list(callbacks or []), self,
                             {"verbose": verbose, "epochs": 1, "steps": steps_total})
        pieces: list[list[np.ndarray]] = []
        calls.call("on_predict_begin", None)
        for step, idx in enumerate(_first_batches(n, batch_size, steps)):
            calls.call("on_predict_batch_begin", step, None)
            preds, _ = self._forward_batch([a[idx] for a in xs], training=False)
            pieces.append(preds)
            calls.call("on_predict_batch_end", step,
                       {"outputs": preds[0] if len(preds) == 1 else preds})
            if bar is not None:
                bar.update(step + 1, None, finalize=step + 1 == steps_total)
        calls.call("on_predict_end", None)
        outs = [np.concatenate(parts) for parts in zip(*pieces)]
        return outs[0] if len(outs) == 1 else outs

    def _predict_source(self, x, verbose: int, steps: int | None, callbacks) -> Any:
        """predict on a PyDataset or a generator: each batch's x (its y is not used)."""
        source = SourcePass(x, False, random.rng)
        total = steps or source.num_batches
        calls = CallbackList(list(callbacks or []), self, {
            "verbose": verbose, "epochs": 1, "steps": total})
        bar = Progbar(total, verbose=verbose) if verbose and total else None
        pieces: list[list[np.ndarray]] = []
        calls.call("on_predict_begin", None)
        for step, batch in enumerate(_BatchStream(0, 1, False, steps, source=source).epoch()):
            calls.call("on_predict_batch_begin", step, None)
            preds, _ = self._forward_batch(self._inputs(unpack_batch(batch)[0]), training=False)
            pieces.append(preds)
            calls.call("on_predict_batch_end", step,
                       {"outputs": preds[0] if len(preds) == 1 else preds})
            if bar is not None:
                bar.update(step + 1, None, finalize=step + 1 == total)
        calls.call("on_predict_end", None)
        outs = [np.concatenate(parts) for parts in zip(*pieces)]
        return outs[0] if len(outs) == 1 else outs

    # ----- one batch, by hand -----------------------------------------------------------------------------
    @check_keywords
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on exactly this batch; returns the loss (and metrics) measured
        before the update, like Keras."""
        xs, ys, n = self._prepare(x, y)
        ws = self._sample_weights(sample_weight, n)
        if class_weight is not None:
            ws = self._class_weights(class_weight, ys, ws)
        self._reset_trackers()
        try:
            self._train_batch(xs, ys, ws)
        except _NonFiniteLoss as bad:
            raise self._nan_error(bad.value, 0, 0, 1, xs) from None
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    @check_keywords
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on this batch in inference mode, without training."""
        xs, ys, n = self._prepare(x, y)
        self._reset_trackers()
        self._test_batch(xs, ys, self._sample_weights(sample_weight, n))
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    @check_keywords
    def predict_on_batch(self, x):
        """The outputs for this one batch, in inference mode."""
        preds, _ = self._forward_batch(self._inputs(x), training=False)
        return preds[0] if len(preds) == 1 else preds

    # ----- one batch, recorded ------------------------------------------------------------------------
    @check_keywords
    def explain(self, x, y=None, apply=False):
        """One training step on this batch, recorded step by step (forward per layer call,
        loss, backward per layer call, update per weight); forward only when ``y`` is None.
        ``apply=False`` leaves the model exactly as it was. See :mod:`kteach.training.explain`."""
        from .explain import explain
        return explain(self, x, y, apply=apply)
