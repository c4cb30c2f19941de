"""``model.explain(x, y)``: one training step, recorded number by number.

The step is the one ``train_on_batch`` makes -- the same code (``Trainer._train_batch``), with
an observer that puts a :class:`~kteach.engine.recording.Recorder` on each pass and notes the
loss and the update:

1. forward: one :class:`ForwardStep` per layer call (a nested model's call is followed by
   the steps of its own layers);
2. loss: one :class:`LossStep` per output (per-sample values, the loss weight, the value and
   ``dloss/dy_pred``), and the total when there are several outputs;
3. backward: one :class:`BackwardStep` per layer call, in reverse order, with the gradient
   arriving and, where a tensor fed several layers, the parts that were added to make it;
4. update: one :class:`UpdateStep` per trainable weight: w, g, the optimizer's state before
   and after, the rule with its numbers, and the new w.

With ``apply=False`` (the default) everything a step changes is put back exactly afterwards:
every weight (trainable or not) and its ``grad``, the optimizer's state (``iterations``,
slots, shared state) and every random generator (kteach's, and any a layer keeps of its own,
such as ``Dropout(seed=...)``). The record keeps the numbers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import random
from ..engine.layer import CallCache, penalty_gradient
from .trainer import StepObserver, _every_layer
from ..engine.recording import (BackwardCall, BackwardStep, ForwardCall, ForwardStep,
                                GradientSum, LossStep, OpStep, Record, Recorder, Step,
                                TotalLossStep, UpdateStep, _is_model, _num, PenaltyStep)


# ===================================================================== saving and restoring
def all_layers(model) -> list:
    """The model's layers, with the layers of nested models after the model itself."""
    out = []
    for layer in getattr(model, "layers", []):
        out.append(layer)
        if _is_model(layer):
            out.extend(all_layers(layer))
    return out


def layer_generators(model) -> list[np.random.Generator]:
    """Random generators that layers keep for themselves (e.g. ``Dropout(seed=3)``)."""
    found: dict[int, np.random.Generator] = {}
    for layer in all_layers(model):
        for value in vars(layer).values():
            if isinstance(value, np.random.Generator):
                found[id(value)] = value
    return list(found.values())


class ModelState:
    """Everything one training step can change, saved so that it can be put back exactly.

    ``ModelState(model)`` saves; ``restore()`` puts back every weight array (the same array
    objects, with the same bytes), every ``grad``, the optimizer's state and the random
    generators. Nothing is shared with the live model, so a state can be restored once or
    several times.
    """

    def __init__(self, model):
        self.model = model
        self.weights = [(v, v.value, v.value.copy(), v.grad) for v in model.weights]
        optimizer = getattr(model, "optimizer", None)
        self.optimizer = optimizer
        self.optimizer_state = optimizer.get_state() if optimizer is not None else None
        self.rng = random.get_state()
        self.generators = [(g, g.bit_generator.state) for g in layer_generators(model)]

    def restore(self) -> None:
        for v, original, copy, grad in self.weights:
            if not np.array_equal(original, copy, equal_nan=original.dtype.kind in "fc"):
                np.copyto(original, copy)  # something changed the array in place; undo it
            v.value, v.grad = original, grad
        if self.optimizer is not None:
            self.optimizer.set_state(self.optimizer_state)
        random.set_state(self.rng)
        for g, state in self.generators:
            g.bit_generator.state = state


# ===================================================================== explain
def explain(model, x: Any, y: Any = None, apply: bool = False, sample_weight: Any = None,
            training: bool = True) -> Record:
    """Run one training step on the batch ``(x, y)`` and return its :class:`Record`.

    ``y=None`` runs the forward pass only. ``apply=False`` leaves the model exactly as it was
    (weights, optimizer state, random generators); ``apply=True`` keeps the step, with the
    same numbers as ``model.train_on_batch(x, y)`` (metrics are not updated). The forward
    pass runs in training mode (Dropout active) unless ``training=False``.
    """
    if y is None:
        xs, ys, ws = model._inputs(x), None, None
        n = len(xs[0])
    else:
        xs, ys, n = model._prepare(x, y)
        ws = model._sample_weights(sample_weight, n)
    state = ModelState(model)
    kept = False
    try:
        if ys is None:
            record = _forward_only(model, xs, n, apply, training)
        else:
            observer = _StepRecorder(model, xs, apply)
            model._train_batch(xs, ys, ws, observer=observer, training=training)
            record = observer.record(ys, ws, n)
        kept = apply
        return record
    finally:
        if not kept:
            state.restore()


def _forward_steps_of(model, cache, calls: list) -> list[Step]:
    """Forward steps from a graph's tape, or from a subclassed model's call tape."""
    if isinstance(cache, CallCache):
        return _tape_steps(model, cache.tape, calls, "", 0, True)
    return _forward_steps(cache, calls)


def _forward_only(model, xs, n: int, apply: bool, training: bool) -> Record:
    recorder = Recorder()
    with recorder:
        preds, cache = model._forward_batch(xs, training=training)
    return Record(_forward_steps_of(model, cache, recorder.calls),
                  title=f"Forward pass on a batch of {n}",
                  outputs=preds[0] if len(preds) == 1 else preds, applied=apply, batch_size=n)


class _StepRecorder(StepObserver):
    """Listens to the training step that ``fit`` runs (``Trainer._train_batch``) and keeps
    what a record needs: the layer calls of each pass, the loss step, and each weight's
    value and optimizer state before and after the update."""

    records_nonfinite = True

    def __init__(self, model, xs: list, apply: bool):
        self.model, self.xs, self.apply = model, xs, apply
        self.recorders = {"forward": Recorder(), "backward": Recorder()}
        self.before: list | None = None
        self.variables: list = []

    def phase(self, name: str) -> Recorder:
        return self.recorders[name]

    def loss(self, preds, cache, total, per_output, d_preds) -> None:
        self.preds, self.cache, self.total = preds, cache, float(total)
        self.penalties = _penalty_steps(self.model)   # now, before the update changes W
        self.per_output, self.d_preds = per_output, d_preds

    def update(self, apply, variables: list) -> None:
        if self.apply and not np.isfinite(self.total):
            raise self.model._nan_error(self.total, 0, 0, 1, self.xs)
        self.variables = variables
        if variables and self.model.optimizer is not None:
            self.before = _snapshot(self.model.optimizer, variables)
            apply()

    def record(self, ys: list, ws: list | None, n: int) -> Record:
        model, cache = self.model, self.cache
        forward_calls = self.recorders["forward"].calls
        backward_calls = self.recorders["backward"].calls
        steps = _forward_steps_of(model, cache, forward_calls)
        steps += _loss_steps(model, ys, self.preds, ws, self.per_output, self.d_preds, self.total,
                             self.penalties, getattr(cache, "output_masks", None))
        if isinstance(cache, CallCache):
            steps += _tape_steps(model, cache.tape, backward_calls, "", 0, False)
            weight_parts: dict = {}
        else:
            backward, weight_parts = _backward_steps(model._graph, cache, self.d_preds,
                                                     backward_calls)
            steps += backward
        if self.before is not None:
            steps += _update_steps(model, self.variables, self.before, weight_parts)
        kept = "the update was applied" if self.apply else "not applied: the model is unchanged"
        outputs = self.preds[0] if len(self.preds) == 1 else self.preds
        return Record(steps, title=f"Training step on a batch of {n}: loss {_num(self.total)}; "
                                   f"{kept}", outputs=outputs, total_loss=self.total,
                      applied=self.apply, batch_size=n)


# ===================================================================== matching calls to the graph
def _node_labels(tape: list) -> dict[int, str]:
    """``dense``, or ``shared (call 1)`` for the second call of a layer used twice."""
    counts: dict[int, int] = {}
    for node, *_ in tape:
        counts[id(node.layer)] = counts.get(id(node.layer), 0) + 1
    seen: dict[int, int] = {}
    labels = {}
    for node, *_ in tape:
        k = seen[id(node.layer)] = seen.get(id(node.layer), -1) + 1
        labels[id(node)] = node.layer.name + (f" (call {k})" if counts[id(node.layer)] > 1 else "")
    return labels


def _call_numbers(tape: list) -> dict[int, int]:
    seen: dict[int, int] = {}
    numbers = {}
    for node, *_ in tape:
        numbers[id(node)] = seen[id(node.layer)] = seen.get(id(node.layer), -1) + 1
    return numbers


def _source(tensor, labels: dict[int, str]) -> str:
    node = tensor.node
    name = labels.get(id(node), node.layer.name)
    return name + (f" output {tensor.index}" if len(node.outputs) > 1 else "")


def _find(calls: list, start: int, kind: type, layer, outputs: Any = None) -> int:
    """Index of the first call at or after ``start`` of ``kind`` by ``layer`` (and, forwards,
    with exactly these ``outputs``). Calls before it were made inside that layer."""
    for j in range(start, len(calls)):
        c = calls[j]
        if isinstance(c, kind) and c.layer is layer and (outputs is None or c.outputs is outputs):
            return j
    raise RuntimeError(f"kteach could not match the recorded calls to the graph at layer "
                       f"'{layer.name}'. This is a bug in kteach; please report it.")


def _inner_steps(layer, cache, calls: list, prefix: str, depth: int, forward: bool,
                 d_outputs: Any = None) -> list[Step]:
    """Steps for calls made inside one layer call: a nested model's graph, or any layer that
    runs other layers itself."""
    if isinstance(cache, CallCache):
        return _tape_steps(layer, cache.tape, calls, prefix, depth, forward)
    if not calls:
        return []
    if _is_model(layer) and forward:
        return _forward_steps(cache, calls, prefix, depth)
    if _is_model(layer):
        d_out = d_outputs if isinstance(d_outputs, list) else [d_outputs]
        return _backward_steps(layer._graph, cache, d_out, calls, prefix, depth,
                               f"outside {layer.name}")[0]
    make = ForwardStep if forward else BackwardStep
    return [make(c, path=prefix + c.layer.name, depth=depth) for c in calls]


def _forward_steps(tape: list, calls: list, prefix: str = "", depth: int = 0) -> list[Step]:
    """One ForwardStep per entry of the graph's tape, each matched with its recorded call."""
    labels, numbers = _node_labels(tape), _call_numbers(tape)
    steps: list[Step] = []
    pos = 0
    for node, cache, inputs, outputs in tape:
        j = _find(calls, pos, ForwardCall, node.layer, outputs)
        sources = [_source(t, labels) for t in node.flat_inputs]
        steps.append(ForwardStep(calls[j], call=numbers[id(node)], sources=sources,
                                 path=prefix + node.layer.name, depth=depth))
        steps += _inner_steps(node.layer, cache, calls[pos:j], prefix + node.layer.name + "/",
                              depth + 1, forward=True)
        pos = j + 1
    return steps


def _backward_steps(graph, tape: list, d_outputs: list, calls: list, prefix: str = "",
                    depth: int = 0, seed: str = "the loss") -> tuple[list[Step], dict]:
    """One BackwardStep per tape entry that received a gradient, in the order the engine ran
    them (the reverse of the tape), with the parts of every gradient that was a sum.

    This follows :meth:`Graph.backward`: a tensor's gradient is the sum, in this order, of what
    each consumer sent back. Returns the steps and, per weight, the parts of its gradient.
    """
    labels, numbers = _node_labels(tape), _call_numbers(tape)
    parts: dict[int, list[tuple[str, np.ndarray]]] = {}
    for t, g in zip(graph.outputs, d_outputs):
        if g is not None:
            parts.setdefault(id(t), []).append((f"{seed} (output {t.node.layer.name})", g))
    weight_parts: dict[int, list[tuple[str, np.ndarray]]] = {}
    steps: list[Step] = []
    pos = 0
    for node, cache, inputs, outputs in reversed(tape):
        if not any(id(t) in parts for t in node.outputs):
            continue  # the engine skips it too: nothing below it reaches the loss
        layer = node.layer
        j = _find(calls, pos, BackwardCall, layer)
        c = calls[j]
        arriving = c.d_outputs if len(node.outputs) > 1 else [c.d_outputs]
        sums = [GradientSum("dy" if len(node.outputs) == 1 else f"dy[{i}]", parts[id(t)], a)
                for i, (t, a) in enumerate(zip(node.outputs, arriving))
                if len(parts.get(id(t), [])) > 1]
        steps.append(BackwardStep(c, call=numbers[id(node)], sums=sums, path=prefix + layer.name,
                                  depth=depth))
        steps += _inner_steps(layer, cache, calls[pos:j], prefix + layer.name + "/", depth + 1,
                              forward=False, d_outputs=c.d_outputs)
        flat_d_in = c.d_inputs if isinstance(node.inputs, (list, tuple)) else [c.d_inputs]
        for i, (t, g) in enumerate(zip(node.flat_inputs, flat_d_in)):
            if g is not None:
                twice = sum(u is t for u in node.flat_inputs) > 1   # e.g. Add()([a, a])
                source = labels[id(node)] + (f" input {i}" if twice else "")
                parts.setdefault(id(t), []).append((source, g))
        for v, g in zip(layer.weights, c.grads):
            if g is not None:
                weight_parts.setdefault(id(v), []).append((labels[id(node)], g))
        pos = j + 1
    return steps, weight_parts


def _tape_steps(owner, tape, calls: list, prefix: str, depth: int, forward: bool) -> list[Step]:
    """Steps of a learner's ``call`` from its tape: one :class:`OpStep` per op, and for each
    layer it called that layer's own step (with the steps inside it). Backwards, the order is
    the one the tape's reverse walk took."""
    if forward:
        order = [(e, None, None) for e in tape.entries]
    else:
        order = [(b.entry, b.d_outputs, b.d_inputs) for b in (tape.backward_log or [])]
    kind = ForwardCall if forward else BackwardCall
    steps: list[Step] = []
    pos = 0
    for entry, d_out, d_in in order:
        if entry.kind == "op":
            steps.append(OpStep(entry, forward, owner, prefix + entry.name, depth, d_out, d_in))
            continue
        j = _find(calls, pos, kind, entry.layer)
        make = ForwardStep if forward else BackwardStep
        steps.append(make(calls[j], path=prefix + entry.layer.name, depth=depth))
        steps += _inner_steps(entry.layer, entry.cache, calls[pos:j],
                              prefix + entry.layer.name + "/", depth + 1, forward,
                              calls[j].d_outputs if not forward else None)
        pos = j + 1
    return steps


# ===================================================================== loss and updates
def _loss_steps(model, ys, preds, ws, per_output, d_preds, total: float,
                penalties: list, masks: list | None = None) -> list[Step]:
    objective = model._objective
    if objective.losses is None:
        return []   # compiled without a loss: only add_loss values, shown with their layers
    ws = ws or [None] * len(ys)
    steps: list[LossStep] = []
    for k, name in enumerate(objective.names):
        loss = objective.losses[k]
        if loss is None:
            continue
        y_true, y_pred = loss.align(ys[k], preds[k])
        per_sample = np.asarray(loss.call(y_true, y_pred))
        steps.append(LossStep(name, loss, objective.loss_weights[k], ys[k], preds[k], per_sample,
                              per_output[k], d_preds[k], ws[k], layer=_output_layer(model, k),
                              mask=masks[k] if masks else None))
    steps += penalties
    if len(steps) > 1:
        return steps + [TotalLossStep(steps, total)]
    return list(steps)


def _penalty_steps(model) -> list[Step]:
    """One step for each trainable weight with a regularizer: its penalty and gradient."""
    owners = {id(w): layer for layer in _every_layer(model) for w in layer.weights}
    return [PenaltyStep(v, owners.get(id(v)), v.regularizer(v.value),
                        penalty_gradient(v.regularizer, v.value))
            for v in model.trainable_weights if getattr(v, "regularizer", None) is not None]


def _output_layer(model, k: int):
    node = model.outputs[k].node
    return node.layer if node is not None else model


def _owners(model) -> dict[int, Any]:
    """id(weight) -> the (innermost) layer that owns it."""
    owners: dict[int, Any] = {}
    for layer in all_layers(model):
        if not _is_model(layer):
            for v in layer.weights:
                owners.setdefault(id(v), layer)
    return owners


def _snapshot(optimizer, variables: list) -> list:
    """Each weight's value, optimizer slots and update rule, just before the update."""
    has_slots = bool(optimizer.slot_groups())
    before = []
    for v in variables:
        slots = {n: a.copy() for n, a in optimizer.slots(v).items()} if has_slots else {}
        before.append((v.value.copy(), slots, _rule(optimizer, v)))
    return before


def _update_steps(model, variables: list, before: list, weight_parts: dict) -> list[Step]:
    """One UpdateStep per weight: before (from :func:`_snapshot`) and after the update."""
    optimizer = model.optimizer
    owners = _owners(model)
    steps: list[Step] = []
    for v, (w, slots, rule) in zip(variables, before):
        after = {n: optimizer.slots(v)[n].copy() for n in slots}
        steps.append(UpdateStep(v, owners.get(id(v)), w, v.grad, slots, after, rule,
                                v.value.copy(), weight_parts.get(id(v))))
    return steps


def _rule(optimizer, v) -> str:
    try:
        return optimizer.describe_update(v)
    except Exception:  # a learner's optimizer without a description
        return f"w ← {type(optimizer).__name__} update of w with g"
