"""Recording: the tracer that listens to the engine, and the record of steps it makes.

The engine (:mod:`kteach.engine.graph`) runs every layer through ``call_layer`` and
``backprop_layer``, and tells each object in ``graph.TRACERS`` about each call. A
:class:`Recorder` is such an object: while it is installed (``with Recorder() as rec: ...``)
it keeps every call it hears about, and nothing else changes. When no recorder is installed
the engine's loop over an empty list is all that recording costs.

A :class:`Record` is a sequence of :class:`Step` objects, in the order things happened:

* :class:`ForwardStep` -- one layer call: inputs ``x``, weights, output ``y``, the formula
  with the actual shapes;
* :class:`LossStep` -- one output's loss: targets, predictions, per-sample values ``L``,
  the reduced value and ``dloss/dy_pred``, the gradient that starts backpropagation;
* :class:`BackwardStep` -- one layer call backwards: the gradient ``dy`` arriving, ``dx``
  leaving, ``d<weight>`` for each weight, and where several gradients were added up;
* :class:`UpdateStep` -- one weight: ``w``, ``g``, the optimizer's state before and after,
  the rule with its numbers, and ``w_new``.

Every step keeps the real NumPy arrays in ``step.arrays`` (``step['y']`` is one of them).
``print(record)`` shows one line per step, ``print(step)`` shows a step with its arrays, and
in Jupyter both render as an HTML table in which each step opens to show its arrays.
:func:`kteach.training.explain.explain` (``model.explain(x, y)``) makes a full record.
"""
from __future__ import annotations

import html
from typing import Any, Iterator

import numpy as np

from . import graph, masking
from .errors import did_you_mean
from .tensor import format_shape
from .variable import Variable

# Arrays with at most this many numbers are shown in full; larger ones as shape + statistics.
FULL_SIZE = 64

# HTML cells aligned left and top (notebook styles right-align table cells by default).
_TH = "<th style='text-align:left'>"
_TD = "<td style='text-align:left;vertical-align:top'>"
_PRE = "<pre style='margin:2px 0 6px 0'>"


# ===================================================================== the tracer
class ForwardCall:
    """What the engine reported about one forward call of ``layer``."""

    __slots__ = ("layer", "inputs", "outputs", "cache", "weights", "mask")

    def __init__(self, layer, inputs: Any, outputs: Any, cache: Any):
        self.layer, self.inputs, self.outputs, self.cache = layer, inputs, outputs, cache
        self.mask = None   # the input's mask, for a layer that used one (engine.masking)
        # The weights as they are right after the call (copies: a layer that updates running
        # statistics in its forward pass shows the updated ones). A nested model's weights
        # belong to its layers, which are recorded themselves.
        self.weights = {} if _is_model(layer) else {w.name: w.value.copy() for w in layer.weights}


class BackwardCall:
    """What the engine reported about one backward call of ``layer``."""

    __slots__ = ("layer", "d_outputs", "d_inputs", "grads")

    def __init__(self, layer, d_outputs: Any, d_inputs: Any, grads: list):
        self.layer, self.d_outputs, self.d_inputs, self.grads = layer, d_outputs, d_inputs, grads


class Recorder:
    """A tracer: kept in ``engine.graph.TRACERS`` while recording, it notes every layer call.

    Use it as a context manager; it removes itself on the way out, even after an error::

        with Recorder() as rec:
            y = dense(x)                  # or model.predict(x), or a training step
        print(rec.record())

    ``calls`` holds :class:`ForwardCall` and :class:`BackwardCall` objects in the order the
    engine made them (a nested model's own call comes after the calls of its layers).
    """

    def __init__(self) -> None:
        self.calls: list[ForwardCall | BackwardCall] = []
        self._listening = None

    # -- what the engine calls ----------------------------------------------------------------
    def forward(self, layer, inputs: Any, outputs: Any, cache: Any) -> None:
        self.calls.append(ForwardCall(layer, inputs, outputs, cache))

    def backward(self, layer, d_outputs: Any, d_inputs: Any, grads: list) -> None:
        self.calls.append(BackwardCall(layer, d_outputs, d_inputs, grads))

    def mask(self, layer, mask: Any) -> None:
        """The engine says which mask ``layer``'s latest forward call used."""
        for call in reversed(self.calls):
            if isinstance(call, ForwardCall) and call.layer is layer:
                call.mask = mask
                return

    # -- switching it on and off --------------------------------------------------------------
    def start(self) -> None:
        if self._listening is None:
            self._listening = graph.recording(self)
            self._listening.__enter__()

    def stop(self) -> None:
        if self._listening is not None:
            listening, self._listening = self._listening, None
            listening.__exit__(None, None, None)

    def __enter__(self) -> "Recorder":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def record(self) -> "Record":
        """The calls heard so far as a :class:`Record` (without the graph's wiring: for a full
        training step with sources, sums, losses and updates use ``model.explain``)."""
        n_forward: dict[int, int] = {}
        for c in self.calls:
            if isinstance(c, ForwardCall):
                n_forward[id(c.layer)] = n_forward.get(id(c.layer), 0) + 1
        seen: dict[tuple[int, bool], int] = {}
        steps: list[Step] = []
        for c in self.calls:
            is_forward = isinstance(c, ForwardCall)
            k = seen[(id(c.layer), is_forward)] = seen.get((id(c.layer), is_forward), -1) + 1
            if is_forward:
                steps.append(ForwardStep(c, call=k))
            else:  # backward runs the calls in reverse order
                n = n_forward.get(id(c.layer), 0)
                steps.append(BackwardStep(c, call=n - 1 - k if n > k else None))
        return Record(steps, title="Recorded layer calls")


# ===================================================================== showing arrays
def _num(x: float) -> str:
    """A number for text: 4 decimals for everyday sizes, else 4 significant digits."""
    x = float(x)
    if x == 0 or (1e-3 <= abs(x) < 1e5):
        return f"{x:.4f}"
    return f"{x:.4g}"


def shape_text(a: np.ndarray) -> str:
    return f"{format_shape(np.shape(a))} {np.asarray(a).dtype}"


def stats_text(a: np.ndarray) -> str:
    """``mean 0.0123  std 0.4560  min -1.2000  max 1.3000`` (for arrays too big to show)."""
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return "empty"
    return (f"mean {_num(a.mean())}  std {_num(a.std())}  "
            f"min {_num(a.min())}  max {_num(a.max())}")


def values_text(a: np.ndarray) -> str:
    """The numbers of a small array (4 decimals), as NumPy prints them."""
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype(np.int8)
    return np.array2string(a, precision=4, max_line_width=96, separator=" ", threshold=FULL_SIZE)


def array_text(name: str, a: np.ndarray, indent: str = "  ") -> str:
    """One array as text: its shape, then all numbers (small) or statistics (large)."""
    a = np.asarray(a)
    head = f"{indent}{name}  {shape_text(a)}"
    if a.size <= FULL_SIZE:
        body = values_text(a).replace("\n", "\n" + indent + "  ")
        return f"{head}\n{indent}  {body}"
    return f"{head}  {stats_text(a)}"


def array_html(name: str, a: np.ndarray) -> str:
    a = np.asarray(a)
    head = f"<b>{html.escape(name)}</b> <code>{html.escape(shape_text(a))}</code>"
    if a.size <= FULL_SIZE:
        return f"<div>{head}{_PRE}{html.escape(values_text(a))}</pre></div>"
    return f"<div>{head} {html.escape(stats_text(a))}</div>"


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _name_arrays(stem: str, value: Any) -> dict[str, np.ndarray]:
    """``{'x': a}`` for one array, ``{'x[0]': a, 'x[1]': b}`` for a list; ``None`` left out."""
    if isinstance(value, (list, tuple)):
        return {f"{stem}[{i}]": np.asarray(v) for i, v in enumerate(value) if v is not None}
    return {} if value is None else {stem: np.asarray(value)}


def _shapes(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [tuple(np.shape(v)) for v in value]
    return tuple(np.shape(value))


# ===================================================================== steps
class Step:
    """One thing that happened in a training step.

    ``kind`` is ``'forward'``, ``'loss'``, ``'backward'`` or ``'update'``; ``name`` the layer
    (or output, or weight path); ``call`` which call of a shared layer it was (0, 1, ...);
    ``formula`` the math with actual shapes or numbers; ``arrays`` the NumPy arrays, by name;
    ``notes`` lines that explain where numbers came from. ``step['y']`` is ``step.arrays['y']``.
    """

    kind = "step"

    def __init__(self, name: str, layer=None, call: int | None = None, formula: str = "",
                 path: str | None = None, depth: int = 0):
        self.name = name
        self.layer = layer
        self.call = call
        self.formula = formula
        self.path = path or name        # "encoder/dense" for a layer inside a nested model
        self.depth = depth
        self.arrays: dict[str, np.ndarray] = {}
        self.notes: list[str] = []
        self.index: int | None = None  # position in the record, set by Record
        self.shared = False             # True when the layer has several calls in the record

    @property
    def label(self) -> str:
        """The name shown in tables: ``dense``, ``shared (call 1)``, ``dense/kernel``."""
        return self.path + (f" (call {self.call})" if self.shared and self.call is not None else "")

    @property
    def tag(self) -> str:
        """A word before the label in tables (``op`` for an op inside a call()), or ''."""
        return ""

    def _step_text(self) -> str:
        """The step column of ``print(record)``: indented by depth, the tag, the label."""
        return "  " * self.depth + (f"{self.tag} " if self.tag else "") + self.label

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.arrays:
            raise KeyError(f"Step {self.label!r} has no array {key!r}."
                           f"{did_you_mean(key, self.arrays)} "
                           f"Its arrays are: {', '.join(self.arrays) or 'none'}.")
        return self.arrays[key]

    def keys(self) -> list[str]:
        return list(self.arrays)

    def headline(self) -> str:
        where = "" if self.index is None else f"[{self.index}] "
        tag = f" {self.tag}" if self.tag else ""
        return f"{where}{self.kind}{tag} · {self.label}"

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.formula:
            lines.append("    " + self.formula)
        lines += ["    " + n for n in self.notes]
        lines += [array_text(k, a) for k, a in self.arrays.items()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}: {self.formula}>"

    def _details_html(self, open_: bool = False) -> str:
        inner = "".join(f"<div><i>{html.escape(n)}</i></div>" for n in self.notes)
        inner += "".join(array_html(k, a) for k, a in self.arrays.items())
        shapes = [f"{k} {format_shape(a.shape)}" for k, a in self.arrays.items()]
        summary = html.escape(", ".join(shapes) or "details")
        return f"<details{' open' if open_ else ''}><summary>{summary}</summary>{inner}</details>"

    def _row_html(self, open_: bool = False) -> str:
        tag = (f"<span class='kteach-tag' style='color:#777;font-size:85%'>{self.tag}</span> "
               if self.tag else "")
        cells = ["" if self.index is None else str(self.index), self.kind,
                 "&nbsp;" * (2 * self.depth) + tag + html.escape(self.label),
                 f"<code>{html.escape(self.formula)}</code>"]
        cells.append(self._details_html(open_))
        row_class = f" class='kteach-{self.tag}'" if self.tag else ""
        return f"<tr{row_class}>" + "".join(f"{_TD}{c}</td>" for c in cells) + "</tr>"

    def _repr_html_(self) -> str:
        return _table_html([self], open_=True)


class ForwardStep(Step):
    """One layer call forwards. ``inputs``/``outputs`` are the arrays (a list for layers with
    several), ``weights`` maps each weight's name to the array used, ``sources`` names the
    layer each input came from (when the graph is known)."""

    kind = "forward"

    def __init__(self, c: ForwardCall, call: int | None = None, sources: list[str] | None = None,
                 path: str | None = None, depth: int = 0):
        super().__init__(c.layer.name, c.layer, call, _formula(c.layer, c.inputs, c.outputs),
                         path, depth)
        self.inputs, self.outputs, self.cache = c.inputs, c.outputs, c.cache
        self.weights = dict(c.weights)
        self.sources = list(sources or [])
        self.arrays.update(_name_arrays("x", c.inputs))
        self.arrays.update({k: np.asarray(v) for k, v in self.weights.items()})
        self.arrays.update(_name_arrays("y", c.outputs))
        if self.sources:
            names = list(_name_arrays("x", c.inputs)) or ["x"]
            self.notes.append("; ".join(f"{n} from {s}" for n, s in zip(names, self.sources)))
        if _is_model(c.layer):
            self.notes.append("a nested model: its layers' steps follow")
        mask = masking.first_mask(c.mask)
        if mask is not None:   # padded steps this layer skipped (or left out of its mean)
            self.arrays["mask"] = np.asarray(mask)
            self.notes.append(masking.describe(mask) + " (masked steps are skipped)")


class LossStep(Step):
    """One output's loss. ``value`` is the reduced loss (unweighted), ``per_sample`` the
    values ``L`` before the reduction, ``loss_weight`` its weight in the total, ``d_output``
    ``dloss/dy_pred`` -- already multiplied by the loss weight, as backpropagation uses it."""

    kind = "loss"

    def __init__(self, output_name: str, loss, loss_weight: float, y_true: np.ndarray,
                 y_pred: np.ndarray, per_sample: np.ndarray, value: float,
                 d_output: np.ndarray, sample_weight: np.ndarray | None = None, layer=None,
                 mask: np.ndarray | None = None):
        self.loss, self.loss_name = loss, getattr(loss, "name", type(loss).__name__)
        self.mask = None if mask is None else np.asarray(mask, dtype=bool)   # padded: False
        self.loss_weight, self.value = float(loss_weight), float(value)
        self.y_true, self.y_pred, self.per_sample = y_true, y_pred, per_sample
        self.d_output, self.sample_weight = d_output, sample_weight
        super().__init__(output_name, layer, None, self._formula())
        self.arrays.update({"y_true": np.asarray(y_true), "y_pred": np.asarray(y_pred),
                            "L": np.asarray(per_sample)})
        if sample_weight is not None:
            self.arrays["sample_weight"] = np.asarray(sample_weight)
        if self.mask is not None:
            self.arrays["mask"] = self.mask
        self.arrays["dloss/dy_pred"] = np.asarray(d_output)
        self.notes.append(self._gradient_note())
        if self.mask is not None:
            self.notes.append(
                f"{masking.describe(self.mask).replace('steps', 'entries')}: m = 0 on padding, "
                f"so the mean is over the {int(self.mask.sum())} real entries (Keras 3)")

    def _reduction_text(self) -> str:
        n = np.asarray(self.per_sample).size
        weighted = self.sample_weight is not None
        reduction = getattr(self.loss, "reduction", "sum_over_batch_size")
        if self.mask is not None:   # a masked output: the padding weighs m = 0
            w = "w·m·L" if weighted else "m·L"
            return f"Σ {w}" if reduction == "sum" else f"Σ {w} / Σ m"
        if reduction == "sum":
            return "Σ w·L" if weighted else "Σ L"
        if reduction == "mean_with_sample_weight" and weighted:
            return "Σ w·L / Σ w"
        return f"Σ w·L / {n}" if weighted else "mean(L)"

    def _formula(self) -> str:
        shapes = f"{format_shape(np.shape(self.y_true))}, {format_shape(np.shape(self.y_pred))}"
        text = (f"L = {self.loss_name}(y_true, y_pred) : {shapes} → "
                f"{format_shape(np.shape(self.per_sample))};  "
                f"loss = {self._reduction_text()} = {_num(self.value)}")
        if self.loss_weight != 1.0:
            text += f";  weighted: {_num(self.loss_weight)}·{_num(self.value)} = " \
                    f"{_num(self.loss_weight * self.value)}"
        return text

    def _gradient_note(self) -> str:
        n = np.asarray(self.per_sample).size
        weighted = self.sample_weight is not None
        reduction = getattr(self.loss, "reduction", "sum_over_batch_size")
        factor = "" if self.loss_weight == 1.0 else f"{_num(self.loss_weight)}·"
        factor += "w_i·" if weighted else ""
        if self.mask is not None:
            factor += "m·"
        if reduction == "sum":
            scale = ""
        elif self.mask is not None:
            scale = " / Σ m"
        elif reduction == "mean_with_sample_weight" and weighted:
            scale = " / Σ w"
        else:
            scale = f" / {n}"
        return (f"dloss/dy_pred = {factor}dL/dy_pred{scale}: the gradient where "
                f"backpropagation starts")


class PenaltyStep(Step):
    """One weight's regularizer penalty (``kernel_regularizer=L2(0.01)``...): a term of the
    loss of its own. ``value`` is the penalty, ``gradient`` ``dpenalty/dW``, which is added to
    the weight's gradient from backpropagation before the update."""

    kind = "loss"
    loss_weight = 1.0

    def __init__(self, variable, layer, value: float, gradient: np.ndarray):
        self.variable, self.regularizer = variable, variable.regularizer
        self.value, self.gradient = float(value), gradient
        math = getattr(self.regularizer, "math", "")
        formula = f"penalty = {self.regularizer!r}(W)" + (f" = {math}" if math else "") + \
            f" : {format_shape(variable.shape)} → {_num(self.value)}"
        super().__init__(variable.path, layer, None, formula)
        self.arrays.update({"W": np.asarray(variable.value), "dpenalty/dW": np.asarray(gradient)})
        self.notes.append("added to the loss; dpenalty/dW is added to dloss/dW before the update")

    @property
    def tag(self) -> str:
        return "penalty"


class TotalLossStep(Step):
    """The total of several outputs' losses: ``loss = Σ_k w_k·loss_k``."""

    kind = "loss"

    def __init__(self, parts: list[LossStep], total: float):
        self.value, self.parts = float(total), parts
        terms = " + ".join(f"{_num(p.loss_weight)}·{_num(p.value)}" for p in parts)
        super().__init__("total", None, None, f"loss = {terms} = {_num(total)}")
        self.notes.append("the sum over the outputs of loss weight × output loss")


class GradientSum:
    """Where the gradient of one tensor is the sum of several parts: ``parts`` is a list of
    ``(where it came from, array)``, ``total`` their sum as the engine computed it."""

    def __init__(self, what: str, parts: list[tuple[str, np.ndarray]], total: np.ndarray):
        self.what, self.parts, self.total = what, parts, total

    def text(self) -> str:
        return (f"{self.what} = sum of {len(self.parts)} gradients: "
                + " + ".join(f"from {src}" for src, _ in self.parts))


class BackwardStep(Step):
    """One layer call backwards: ``d_outputs`` (the gradient arriving, dLoss/dy), ``d_inputs``
    (dLoss/dx, passed on), ``grads`` (dLoss/dw by weight name) and ``sums``, the places where
    gradients from several consumers were added to make ``dy``."""

    kind = "backward"

    def __init__(self, c: BackwardCall, call: int | None = None,
                 sums: list[GradientSum] | None = None, path: str | None = None, depth: int = 0):
        layer = c.layer
        self.d_outputs, self.d_inputs = c.d_outputs, c.d_inputs
        self.grads = {w.name: g for w, g in zip(layer.weights, c.grads) if g is not None} \
            if not _is_model(layer) else {}
        self.sums = list(sums or [])
        arrays: dict[str, np.ndarray] = {}
        arrays.update(_name_arrays("dy", c.d_outputs))
        for s in self.sums:
            for src, part in s.parts:
                arrays[f"{s.what} from {src}"] = np.asarray(part)
        arrays.update(_name_arrays("dx", c.d_inputs))
        arrays.update({f"d{k}": np.asarray(g) for k, g in self.grads.items()})
        arriving = _name_arrays("dy", c.d_outputs)
        leaving = {**_name_arrays("dx", c.d_inputs), **{f"d{k}": g for k, g in self.grads.items()}}
        dy = ", ".join(f"{k} {format_shape(a.shape)}" for k, a in arriving.items())
        produced = [f"{k} {format_shape(np.shape(a))}" for k, a in leaving.items()]
        super().__init__(layer.name, layer, call, f"{dy} → {', '.join(produced) or 'nothing'}",
                         path, depth)
        self.arrays = arrays
        self.notes += [s.text() for s in self.sums]
        if _is_model(layer):
            self.notes.append("a nested model: its layers' steps follow")


class UpdateStep(Step):
    """The optimizer's step for one weight: ``value`` (w before), ``gradient`` (g),
    ``slots_before``/``slots_after`` (its state, e.g. Adam's m and v), ``rule`` (the update
    written with the actual hyper-parameters), ``new_value`` (w after) and ``change``."""

    kind = "update"

    def __init__(self, variable, layer, value: np.ndarray, gradient: np.ndarray,
                 slots_before: dict, slots_after: dict, rule: str, new_value: np.ndarray,
                 parts: list[tuple[str, np.ndarray]] | None = None):
        super().__init__(variable.path, layer, None, rule)
        self.variable = variable
        self.value, self.gradient, self.new_value = value, gradient, new_value
        self.slots_before, self.slots_after, self.rule = slots_before, slots_after, rule
        self.change = new_value - value
        self.parts = list(parts or [])   # (which call, gradient) when the weight is shared
        self.arrays["w"] = value
        self.arrays["g"] = gradient
        for name in slots_before:
            self.arrays[name] = slots_before[name]
            self.arrays[name + "_new"] = slots_after[name]
        self.arrays["w_new"] = new_value
        self.arrays["w_new - w"] = self.change
        if parts and len(parts) > 1:
            self.notes.append(f"g = sum of {len(parts)} gradients: "
                              + " + ".join(f"from {src}" for src, _ in parts))


class OpStep(Step):
    """One op that a learner's ``call`` ran, forwards (inputs ``x1``, ``x2``, ... → ``y``, named
    as in the op's formula ``y = x1 @ x2``) or backwards (``dy`` → ``dx1``, ``dx2``, ...), as
    the tape recorded it. ``entry`` is the tape's :class:`~kteach.engine.tape.Entry`; ``layer``
    is the layer (or model) whose ``call`` ran the op. Tables show it as ``op`` under that
    layer's own step."""

    def __init__(self, entry, forward: bool, owner, path: str, depth: int,
                 d_outputs: list | None = None, d_inputs: list | None = None):
        self.kind = "forward" if forward else "backward"
        self.entry = entry
        super().__init__(entry.name, owner, None, "", path, depth)
        ins = [np.asarray(getattr(x, "value", x)) for x in entry.inputs]
        x_names = _op_names("x", len(ins))
        if forward:
            self.formula = entry.formula or f"y = {entry.name}(...)"
            self.arrays.update(zip(x_names, ins))
            self.arrays.update(zip(_op_names("y", len(entry.outputs)),
                                   (np.asarray(y) for y in entry.outputs)))
        else:
            d_outputs = list(d_outputs or [])
            self.arrays.update(zip(_op_names("dy", len(d_outputs)),
                                   (np.asarray(d) for d in d_outputs)))
            made = []
            for key, d in zip(x_names, d_inputs or []):
                if d is not None:
                    self.arrays["d" + key] = np.asarray(d)
                    made.append(f"d{key} {format_shape(np.shape(d))}")
            dy = ", ".join(f"{k} {format_shape(a.shape)}" for k, a in self.arrays.items()
                           if k.startswith("dy"))
            self.formula = f"{dy} → {', '.join(made) or 'nothing'}"
        self.notes.append(f"an op inside {owner.name}'s call()")
        weights = [f"{key} is the weight {x.path}" for key, x in zip(x_names, entry.inputs)
                   if isinstance(x, Variable)]
        if weights:
            self.notes.append("; ".join(weights))

    @property
    def label(self) -> str:
        return self.path

    @property
    def tag(self) -> str:
        return "op"


def _op_names(stem: str, n: int) -> list[str]:
    """``['x']`` for one array, ``['x1', 'x2']`` for two: the names of the ops' formulas."""
    return [stem] if n == 1 else [f"{stem}{i + 1}" for i in range(n)]


def _is_model(layer) -> bool:
    """A nested model (anything that runs its own graph) rather than a plain layer."""
    return getattr(layer, "_graph", None) is not None


def _formula(layer, inputs: Any, outputs: Any) -> str:
    try:
        return layer.formula(_shapes(inputs), _shapes(outputs))
    except Exception:  # a learner's layer whose formula() has a bug must not stop a record
        return f"y = {type(layer).__name__}(x)"


# ===================================================================== the record
class Record:
    """The steps of a training step (or of some layer calls), in order.

    ``record[i]`` is a step, ``record[i:j]`` and ``record['dense']`` (every step of one layer,
    its loss and the updates of its weights) are records; ``.forward``, ``.loss``,
    ``.backward`` and ``.updates`` keep one kind of step. ``print(record)`` gives a table;
    in Jupyter the record shows as HTML.

    A record of ``model.explain`` also has ``outputs`` (the predictions), ``total_loss``
    (``None`` without targets), ``batch_size`` and ``applied`` (whether the model kept the
    update).
    """

    def __init__(self, steps: list[Step], title: str = "", outputs: Any = None,
                 total_loss: float | None = None, applied: bool | None = None,
                 batch_size: int | None = None, renumber: bool = True):
        self.steps = list(steps)
        if renumber:
            for i, s in enumerate(self.steps):
                s.index = i
            _mark_shared(self.steps)
        self.title = title
        self.outputs, self.total_loss = outputs, total_loss
        self.applied, self.batch_size = applied, batch_size

    def _sub(self, steps: list[Step], what: str) -> "Record":
        return Record(steps, title=f"{self.title} — {what}" if self.title else what,
                      outputs=self.outputs, total_loss=self.total_loss, applied=self.applied,
                      batch_size=self.batch_size, renumber=False)

    # -- a sequence of steps ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            return self.layer(key)
        if isinstance(key, slice):
            return self._sub(self.steps[key], f"steps {key.start or 0} to {key.stop}")
        return self.steps[key]

    # -- filters -----------------------------------------------------------------------------------
    def filter(self, kind: str | None = None, layer: str | None = None) -> "Record":
        """The steps of one ``kind`` and/or of the layer called ``layer``."""
        kinds = ("forward", "loss", "backward", "update")
        if kind is not None and kind not in kinds:
            raise ValueError(f"Unknown step kind {kind!r}.{did_you_mean(kind, kinds)} "
                             f"The kinds are: {', '.join(kinds)}.")
        steps = [s for s in self.steps if kind is None or s.kind == kind]
        if layer is not None:
            names = {s.layer.name for s in self.steps if s.layer is not None}
            if layer not in names:
                raise KeyError(f"No layer {layer!r} in this record.{did_you_mean(layer, names)} "
                               f"Its layers are: {', '.join(sorted(names))}.")
            steps = [s for s in steps if s.layer is not None and s.layer.name == layer]
        what = " ".join(w for w in (kind, layer and f"layer {layer}") if w)
        return self._sub(steps, what)

    def layer(self, name: str) -> "Record":
        """Every step of the layer called ``name``: forward, loss, backward, its weights' updates."""
        return self.filter(layer=name)

    @property
    def forward(self) -> "Record":
        return self.filter("forward")

    @property
    def loss(self) -> "Record":
        return self.filter("loss")

    @property
    def backward(self) -> "Record":
        return self.filter("backward")

    @property
    def updates(self) -> "Record":
        return self.filter("update")

    # -- showing it ---------------------------------------------------------------------------
    def _header(self) -> str:
        plural = {"forward": "forward", "loss": "losses", "backward": "backward",
                  "update": "updates"}
        counts = {k: sum(s.kind == k for s in self.steps) for k in plural}
        parts = ", ".join(f"{n} {k if n == 1 else plural[k]}" for k, n in counts.items() if n)
        return f"{self.title} ({len(self.steps)} steps: {parts or 'none'})"

    def __str__(self) -> str:
        rows = [("#", "kind", "step", "formula")]
        rows += [(str(s.index), s.kind, s._step_text(), s.formula) for s in self.steps]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [self._header()]
        for r in rows:
            lines.append("  ".join(c.rjust(w) if i == 0 else c.ljust(w)
                                   for i, (c, w) in enumerate(zip(r[:3], widths))) + "  " + r[3])
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return f"<Record {self._header()}>"

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(self._header())}</p>{_table_html(self.steps)}</div>"


def _table_html(steps: list[Step], open_: bool = False) -> str:
    head = "".join(f"{_TH}{h}</th>" for h in ("#", "kind", "step", "formula", "arrays"))
    body = "".join(s._row_html(open_) for s in steps)
    return (f"<table class='kteach-record'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _mark_shared(steps: list[Step]) -> None:
    """Flag the steps of layers called more than once, so that labels show which call."""
    calls: dict[int, set] = {}
    layer_steps = [s for s in steps if s.layer is not None and s.kind in ("forward", "backward")
                   and not isinstance(s, OpStep)]   # an op step is not a call of its owner
    for s in layer_steps:
        calls.setdefault(id(s.layer), set()).add(s.call)
    for s in layer_steps:
        s.shared = len(calls[id(s.layer)]) > 1
