"""compile / fit / evaluate / predict: the training loop, as a mixin of Model.

One training step on a batch is:

1. forward: run the graph on the inputs (``training=True``, so Dropout is active);
2. loss: compare the predictions with the targets, and get dloss/dpredictions;
3. backward: the chain rule back through the graph gives dloss/dw for every weight;
4. update: the optimizer changes each trainable weight using its gradient.

Every check on the data happens before step 1 of the first batch, so a mistake never leaves
a model half-trained.

The training methods live in three modules: this one (compile, the step on one batch, fit,
evaluate, predict), :mod:`.preparation` (the checks that turn the learner's data into lists of
arrays) and :mod:`.loop` (batches, the epoch loop with its callbacks, validation).
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable

import numpy as np

from .. import losses, optimizers
from ..metrics import result_as_float
from ..engine import random
from ..engine.arrays import plain
from ..engine.layer import add_penalty_gradients, apply_constraints, reset_activity_losses
from ..engine.errors import NotCompiledError, NotSupportedError, NumericalError, check_keywords
from . import data, loop
from .callbacks import CallbackList, History
from .compiled import CompileMetrics, Objective
from .masked import metric_weights, output_masks
from .preparation import Preparation, _every_layer  # noqa: F401  (explain imports it from here)
from .loop import BatchStream, NonFiniteLoss, class_weights_to_sample_weights  # noqa: F401
from .progress import Progbar
from ..utils.data_adapter import PyDataset, SourcePass, is_batch_source, unpack_batch


class StepObserver:
    """What can listen to the phases of one training step (``Trainer._train_batch``).

    ``phase('forward')`` and ``phase('backward')`` wrap those passes, ``loss(...)`` hears the
    loss step, ``update(apply, variables)`` must call ``apply()`` to let the optimizer step.
    This base hears nothing; ``model.explain`` records through a subclass.
    """

    records_nonfinite = False   # True: a NaN loss does not stop the step (explain shows it)

    def phase(self, name: str) -> contextlib.AbstractContextManager:
        return _NO_PHASE

    def loss(self, preds: list, cache: Any, total: float, per_output: list, d_preds: list) -> None:
        pass

    def update(self, apply: Callable[[], None], variables: list) -> None:
        apply()


_NO_PHASE = contextlib.nullcontext()   # reusable, and cheaper than a generator per step
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


class Trainer(Preparation):
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

    # ----- one batch -----------------------------------------------------------------------------------
    def _reset_trackers(self) -> None:
        objective = self._objective
        self._custom_logs = None
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

    def _train_batch(self, xs: list[np.ndarray], ys: list[np.ndarray], sample_weights: list | None = None,
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
            total, per_output, d_preds = self._objective.value_and_gradients(
                ys, preds, sample_weights, masks)
            total += self._added_loss()
            if self._objective.losses is None and not self.losses:
                self._objective.require_loss()  # nothing to minimise: say so, change nothing
            observe.loss(preds, cache, total, per_output, d_preds)
            if not np.isfinite(total) and not observe.records_nonfinite:
                raise NonFiniteLoss(total)
            variables = self.trainable_weights
            with observe.phase("backward"):
                grads = self._backward_batch(cache, d_preds, variables)
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

    def _test_batch(self, xs, ys, sample_weights: list | None = None) -> None:
        preds, cache = self._forward_batch(xs, training=False)
        masks = output_masks(cache, len(preds))
        total, per_output = self._objective.values(ys, preds, sample_weights, masks)
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
        xs, ys, sample_weights = self._batch_lists(data)
        self._train_batch(xs, ys, sample_weights)
        return self._logs()

    def test_step(self, data: tuple) -> dict:
        """One evaluation step on one batch (used by ``evaluate`` and validation)."""
        xs, ys, sample_weights = self._batch_lists(data)
        self._test_batch(xs, ys, sample_weights)
        return self._logs()

    def _step(self, which: str, xs: list, ys: list, sample_weights: list | None) -> None:
        """Run one batch: kteach's own step, or the model's overriding train_step/test_step."""
        method = getattr(type(self), which)
        if method is getattr(Trainer, which):
            (self._train_batch if which == "train_step" else self._test_batch)(xs, ys, sample_weights)
            return
        data = (self._as_given(xs, "input"), self._as_given(ys, "output"))
        if sample_weights is not None:
            data += (sample_weights[0] if len(sample_weights) == 1 else sample_weights,)
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

    def _backward_batch(self, cache: Any, d_preds: list,
                        variables: list | None = None) -> dict[int, np.ndarray]:
        """``{id(weight): dloss/dweight}`` from the gradients at the predictions
        (``variables``: the trainable weights, when the caller has them at hand)."""
        if self._graph is not None:
            grads = self._graph.backward(cache, d_preds)[1]
        else:
            _, d_weights = self.backward(cache, d_preds if cache.several else d_preds[0])
            grads = {id(w): g for w, g in zip(self.weights, d_weights) if g is not None}
        # The weight penalties in self.losses are not on any layer's backward path: their
        # gradient (2·l2·W for L2...) is added here, for fit, explain and check_gradients.
        return add_penalty_gradients(self.trainable_weights if variables is None else variables,
                                     grads)

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
        loop.should_validate(0, validation_freq)   # a bad value is refused before any training
        epochs = _positive(epochs, "epochs", 1) if epochs != 0 else 0
        cbs = list(callbacks or [])
        val_batch_size = validation_batch_size or batch_size
        try:
            with self._unbuilt_if_failing():   # every check before the first batch
                if is_batch_source(x):
                    stream, validate = self._source_for_fit(
                        x, y, shuffle, steps_per_epoch, validation_split, validation_data,
                        class_weight, sample_weight, val_batch_size, validation_steps)
                else:
                    stream, validate = self._arrays_for_fit(
                        x, y, batch_size, shuffle, steps_per_epoch, validation_split,
                        validation_data, class_weight, sample_weight, val_batch_size,
                        validation_steps)
                self._check_monitors(cbs, validation=validate is not None)
            return loop.fit_epochs(self, stream, validate, epochs, initial_epoch,
                                   validation_freq, verbose, cbs)
        finally:
            self._source_class_weight = None

    def _arrays_for_fit(self, x, y, batch_size, shuffle, steps_per_epoch, validation_split,
                        validation_data, class_weight, sample_weight, val_batch_size,
                        validation_steps) -> tuple[BatchStream, Callable | None]:
        """fit's batches of arrays, and what validates (None without validation data)."""
        xs, ys, n = self._prepare(x, y)
        sample_weights = self._sample_weights(sample_weight, n)
        if class_weight is not None:
            sample_weights = self._class_weights(class_weight, ys, sample_weights)
        # validation_split keeps the first n samples for training: the sample weights are
        # only ever read at those indices
        (xs, ys, n), val = self._split(xs, ys, n, validation_split, validation_data)
        stream = BatchStream(batch_size, shuffle, steps_per_epoch,
                             arrays=(xs, ys, sample_weights))
        return stream, self._validation(val, val_batch_size, validation_steps)

    def _source_for_fit(self, x, y, shuffle, steps_per_epoch, validation_split,
                        validation_data, class_weight, sample_weight, val_batch_size,
                        validation_steps) -> tuple[BatchStream, Callable | None]:
        """fit's batches from a PyDataset or a generator (the first one checked now, so it
        builds the model and picks the metrics), and what validates."""
        loop.source_only(y=y, validation_split=validation_split, sample_weight=sample_weight,
                         class_weight=class_weight if not isinstance(x, PyDataset) else None)
        source = SourcePass(x, shuffle, random.rng)
        self._source_class_weight = class_weight     # a PyDataset's batches get them (Keras)
        self._source_batch(source.peek())
        stream = BatchStream(1, shuffle, steps_per_epoch, source=source,
                             prepare=lambda batch: self._source_batch(batch, training=True))
        if validation_data is not None and is_batch_source(validation_data):
            val_source = SourcePass(validation_data, False, random.rng)
            return stream, lambda calls: loop.run_test(
                self, BatchStream(1, False, validation_steps, source=val_source,
                                  prepare=self._source_batch), calls)
        val = None if validation_data is None else self._split([], [], 0, 0.0, validation_data)[1]
        return stream, self._validation(val, val_batch_size, validation_steps)

    def _validation(self, val: tuple | None, batch_size: int,
                    steps: int | None) -> Callable | None:
        """``validate(calls) -> logs`` over validation arrays ``(xs, ys)``, or None."""
        if val is None:
            return None
        return lambda calls: loop.run_test(
            self, BatchStream(batch_size, False, steps, arrays=(val[0], val[1], None)), calls)

    def _nan_error(self, value: float, epoch: int, step: int, batches_per_epoch: int | None,
                   xs: list) -> NumericalError:
        """The error for a loss that is not finite (fit, train_on_batch, explain)."""
        return loop.nan_error(self, value, epoch, step, batches_per_epoch, xs)

    # ----- evaluate / predict ----------------------------------------------------------------------------
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
            loop.source_only(y=y, sample_weight=sample_weight)
            source = SourcePass(x, False, random.rng)
            self._source_batch(source.peek())
            stream = BatchStream(1, False, steps, source=source, prepare=self._source_batch)
        else:
            xs, ys, n = self._prepare(x, y)
            stream = BatchStream(batch_size, False, steps,
                                 arrays=(xs, ys, self._sample_weights(sample_weight, n)))
        total = stream.batches_per_epoch
        calls = CallbackList(list(callbacks or []), self,
                             {"verbose": verbose, "epochs": 1, "steps": total})
        bar = Progbar(total, verbose=verbose) if verbose and total else None
        logs = loop.run_test(self, stream, calls, bar)
        return logs if return_dict else self._ordered_results(logs)

    @check_keywords
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None) -> Any:
        """The model's outputs for ``x``, computed in batches in inference mode."""
        verbose = _verbosity(verbose)
        batch_size = _positive(batch_size, "batch_size", 32)
        steps = _positive(steps, "steps", None)
        if is_batch_source(x):
            stream = BatchStream(1, False, steps, source=SourcePass(x, False, random.rng),
                                 prepare=lambda batch: (self._inputs(unpack_batch(batch)[0]),))
        else:
            xs = self._inputs(x)
            data.check_counts(xs, None)
            stream = BatchStream(batch_size, False, steps, arrays=(xs, [], None))
        total = stream.batches_per_epoch
        if stream.source is None:
            total = min(steps, total) if steps else total
        bar = Progbar(total, verbose=verbose) if verbose and total else None
        calls = CallbackList(list(callbacks or []), self,
                             {"verbose": verbose, "epochs": 1, "steps": total})
        pieces: list[list[np.ndarray]] = []
        calls.call("on_predict_begin", None)
        for step, (xs, *_) in enumerate(stream.epoch()):
            calls.call("on_predict_batch_begin", step, None)
            preds, _ = self._forward_batch(xs, training=False)
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
        sample_weights = self._sample_weights(sample_weight, n)
        if class_weight is not None:
            sample_weights = self._class_weights(class_weight, ys, sample_weights)
        self._reset_trackers()
        try:
            self._train_batch(xs, ys, sample_weights)
        except NonFiniteLoss as bad:
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
