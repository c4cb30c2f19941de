"""The walk over a graph of layer calls: forward, backward, and the hooks that record it.

This is the one place that runs layers, so it is the one place that can record a training
step: anything in :data:`TRACERS` is told about every forward and backward call. Layers know
nothing about it.
"""
from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any, Iterator

import numpy as np

from . import masking
from .arrays import Tensor, plain
from .layer import Layer
from .tape import Entry, Tape, current, paused
from .tensor import KerasTensor, Node

# Objects with .forward(layer, inputs, outputs, cache) and .backward(layer, d_outputs,
# d_inputs, grads), listening while they are inside ``with recording(tracer):``.
TRACERS: list = []


@contextlib.contextmanager
def recording(tracer: Any) -> Iterator[Any]:
    """The one way to listen to the engine: inside ``with recording(tracer):`` the tracer
    hears every layer call forwards and backwards (``model.explain``, ``TrainingStats`` and
    the activation plots all listen this way). It stops listening on the way out, even after
    an error."""
    TRACERS.append(tracer)
    try:
        yield tracer
    finally:
        TRACERS[:] = [t for t in TRACERS if t is not tracer]


def call_layer(layer: Layer, inputs: Any, training: bool, mask: Any = None) -> tuple[Any, Any]:
    """Run one layer forward, telling any tracer; while a tape records, the call is one entry
    on it. ``mask`` (the input's mask, see :mod:`kteach.engine.masking`) goes to a layer
    whose forward takes one."""
    tape = current()
    if tape is not None:
        return _call_recorded(tape, layer, inputs, training, mask)
    outputs, cache = _forward(layer, inputs, training, mask)
    for tracer in TRACERS:
        tracer.forward(layer, inputs, outputs, cache)
    if mask is not None:
        _tell_mask(layer, mask)
    return outputs, cache


def _forward(layer: Layer, inputs: Any, training: bool, mask: Any) -> tuple[Any, Any]:
    if layer._float_inputs:
        inputs = _as_float(inputs, layer.dtype)
    if mask is not None and masking.any_mask(mask) and masking.takes_mask(layer):
        return layer.forward(inputs, training, mask=mask)
    return layer.forward(inputs, training)


def _as_float(inputs: Any, dtype: str) -> Any:
    """Integer and bool arrays among ``inputs`` as ``dtype`` (see ``Layer._float_inputs``)."""
    if isinstance(inputs, list):
        return [_as_float(a, dtype) for a in inputs]
    if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "biu":
        return inputs.astype(dtype)
    return inputs


def _tell_mask(layer: Layer, mask: Any) -> None:
    """Tracers that want to know (``explain``'s recorder) hear which mask a layer used."""
    if masking.any_mask(mask) and masking.takes_mask(layer):
        for tracer in TRACERS:
            if hasattr(tracer, "mask"):
                tracer.mask(layer, mask)


def _call_recorded(tape: Tape, layer: Layer, inputs: Any, training: bool,
                   mask: Any = None) -> tuple[Any, Any]:
    """One layer call as one tape entry whose vjp is the layer's ``backward``.

    The layer computes with plain arrays and nothing inside it records on ``tape`` (a
    learner's layer records on a tape of its own). The entry's inputs are the call's inputs
    followed by the layer's weights, so its vjp returns ``dx`` then ``dw`` for each weight.
    """
    args = plain(inputs)
    with paused():
        outputs, cache = _forward(layer, args, training, plain(mask))
    for tracer in TRACERS:
        tracer.forward(layer, args, outputs, cache)
    _tell_mask(layer, mask)
    flat_in = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    weights = layer.weights
    if not any(tape.follows(x) for x in flat_in + weights):
        return outputs, cache
    several = isinstance(outputs, list)
    outs = [np.asarray(o).view(Tensor) for o in (outputs if several else [outputs])]

    def vjp(d_outputs: list) -> list:
        d_in, grads = backprop_layer(layer, cache, d_outputs if several else d_outputs[0])
        flat_d = list(d_in) if isinstance(inputs, (list, tuple)) else [d_in]
        return flat_d + list(grads)

    tape.record(Entry("layer", layer.name, flat_in + weights, outs, vjp, layer=layer, cache=cache))
    return (outs if several else outs[0]), cache


def backprop_layer(layer: Layer, cache: Any, d_outputs: Any) -> tuple[Any, list]:
    """Run one layer backward, telling any tracer."""
    d_inputs, grads = layer.backward(cache, d_outputs)
    for tracer in TRACERS:
        tracer.backward(layer, d_outputs, d_inputs, grads)
    return d_inputs, grads


class Graph:
    """The layer calls that lead from ``inputs`` to ``outputs``, in an order that can run.

    ``nodes`` is ordered from the inputs to the outputs (deepest first, where depth counts
    calls to the nearest output), and ``layers`` lists each layer once in the order Keras
    uses for ``model.layers`` and ``get_weights()``.
    """

    def __init__(self, inputs: list[KerasTensor], outputs: list[KerasTensor]):
        self.inputs = inputs
        self.outputs = outputs
        visited, first_seen = self._collect()
        self.nodes, self.layers = self._order(visited, first_seen)
        # Whether any call makes a mask (Embedding(mask_zero=True), Masking): only then does
        # forward work out the masks, so models without them pay nothing.
        self.makes_masks = any(
            masking.get_mask(t) is not None or getattr(getattr(node.layer, "_graph", None),
                                                       "makes_masks", False)
            for node in self.nodes for t in node.outputs)

    # -- which nodes, and in which order ---------------------------------------------------------
    def _collect(self) -> tuple[list[Node], dict[int, int]]:
        """Nodes reachable backwards from the outputs, children after parents, and the order in
        which each layer was first met walking back from the outputs."""
        input_ids = {id(t) for t in self.inputs}
        finished: list[Node] = []
        done: set[int] = set()
        in_progress: set[int] = set()
        first_seen: dict[int, int] = {}

        def visit(tensor: KerasTensor) -> None:
            node = tensor.node
            if node is None or id(node) in done:
                return
            if id(node) in in_progress:
                raise ValueError(f"The graph has a cycle through layer '{node.layer.name}'.")
            first_seen.setdefault(id(node.layer), len(first_seen))
            in_progress.add(id(node))
            if id(tensor) not in input_ids:
                if not node.flat_inputs:
                    raise ValueError(self._missing_input_message(tensor))
                for parent in node.flat_inputs:
                    visit(parent)
            in_progress.discard(id(node))
            done.add(id(node))
            finished.append(node)

        for t in self.outputs:
            visit(t)
        return finished, first_seen

    def _missing_input_message(self, tensor: KerasTensor) -> str:
        names = [t.node.layer.name for t in self.inputs if t.node is not None]
        return (f"The outputs depend on the input '{tensor.node.layer.name}', which is not among "
                f"the model's inputs {names}. Pass every Input the outputs are computed from: "
                f"Model(inputs=[...], outputs=...).")

    @staticmethod
    def _order(finished: list[Node], first_seen: dict[int, int]) -> tuple[list[Node], list[Layer]]:
        depth: dict[int, int] = {}
        layer_depth: dict[int, int] = {}
        for node in reversed(finished):  # from the outputs towards the inputs
            d = max(depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
            depth[id(node)] = d
            layer_depth[id(node.layer)] = d
            for parent in node.parents:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
        nodes = sorted(finished, key=lambda n: -depth[id(n)])
        by_depth: dict[int, list[Layer]] = defaultdict(list)
        for node in finished:
            layer = node.layer
            bucket = by_depth[layer_depth[id(layer)]]
            if layer not in bucket:
                bucket.append(layer)
        layers = []
        for d in sorted(by_depth, reverse=True):
            layers.extend(sorted(by_depth[d], key=lambda l: first_seen[id(l)]))
        return nodes, layers

    # -- shapes -----------------------------------------------------------------------------------
    def infer_shapes(self, input_shapes: list[tuple]) -> list:
        """Output shapes for inputs of these (concrete) shapes, asking each layer's
        ``compute_output_shape`` in graph order. A layer that cannot take its input (e.g. a
        convolution given fewer steps than its kernel) raises here, before any computing."""
        shapes: dict[int, Any] = {id(t): tuple(s) for t, s in zip(self.inputs, input_shapes)}
        for node in self.nodes:
            if not node.flat_inputs or all(id(t) in shapes for t in node.outputs):
                continue
            args = [shapes[id(t)] for t in node.flat_inputs]
            out = node.layer.compute_output_shape(args if isinstance(node.inputs, (list, tuple)) else args[0])
            for t, s in zip(node.outputs, out if len(node.outputs) > 1 else [out]):
                shapes[id(t)] = tuple(s)
        return [shapes[id(t)] for t in self.outputs]

    # -- running it -------------------------------------------------------------------------------
    def forward(self, arrays: list[np.ndarray], training: bool,
                masks: list | None = None) -> tuple[list[np.ndarray], "GraphTape"]:
        """Compute the outputs from input arrays (and the inputs' masks, for a nested
        model). Returns the outputs and the tape, a list of ``(node, cache, inputs,
        outputs)`` that :meth:`backward` needs; ``tape.output_masks`` holds the mask that
        reached each output (None where there is none)."""
        values: dict[int, Any] = {id(t): a for t, a in zip(self.inputs, arrays)}
        mask_of: dict[int, Any] = {id(t): m for t, m in zip(self.inputs, masks or []) if m is not None}
        tape = GraphTape()
        for node in self.nodes:
            if not node.flat_inputs or all(id(t) in values for t in node.outputs):
                continue  # an Input, or a node whose outputs were given as model inputs
            args = [values[id(t)] for t in node.flat_inputs]
            several = isinstance(node.inputs, (list, tuple))
            inputs = args if several else args[0]
            with_masks = self.makes_masks or bool(mask_of)   # else no mask work at all
            mask = None
            if with_masks:
                in_masks = [mask_of.get(id(t)) for t in node.flat_inputs]
                mask = in_masks if several else in_masks[0]
            outputs, cache = call_layer(node.layer, inputs, training, mask)
            flat_out = outputs if len(node.outputs) > 1 else [outputs]
            for t, value in zip(node.outputs, flat_out):
                values[id(t)] = value
            if with_masks:
                self._note_masks(node, cache, plain(inputs), mask, len(flat_out), mask_of)
            tape.append((node, cache, inputs, outputs))
        tape.output_masks = [mask_of.get(id(t)) for t in self.outputs]
        return [values[id(t)] for t in self.outputs], tape

    @staticmethod
    def _note_masks(node: Node, cache: Any, inputs: Any, mask: Any, n: int, mask_of: dict) -> None:
        """The masks of a call's outputs, from the layer's ``compute_mask``. A nested model
        hands on the masks its own layers made, as Keras does when it runs."""
        out_masks = masking.output_masks(node.layer, inputs, mask, n)
        if isinstance(cache, GraphTape):
            out_masks = list(cache.output_masks)
        for t, m in zip(node.outputs, out_masks):
            if m is not None:
                mask_of[id(t)] = masking.as_bool(m)

    def backward(self, tape: list, d_outputs: list[np.ndarray | None]) -> tuple[list, dict[int, np.ndarray]]:
        """Chain rule from dLoss/doutputs back to dLoss/dinputs and every weight.

        Where a tensor feeds several layers, the gradients arriving from each are added.
        Returns the input gradients (in ``inputs`` order) and ``{id(variable): gradient}``.
        """
        grads_t: dict[int, np.ndarray] = {}
        for t, g in zip(self.outputs, d_outputs):
            if g is not None:
                _accumulate(grads_t, id(t), g)
        grads_w: dict[int, np.ndarray] = {}
        for node, cache, inputs, outputs in reversed(tape):
            if len(node.outputs) == 1:   # the usual call, one output: no lists to build
                d_out = grads_t.get(id(node.outputs[0]))
                if d_out is None:
                    continue  # nothing downstream of this call reaches the loss
            else:
                arriving = [grads_t.get(id(t)) for t in node.outputs]
                if all(g is None for g in arriving):
                    continue
                d_out = [np.zeros_like(o) if g is None else g for g, o in zip(arriving, outputs)]
            d_in, grads = backprop_layer(node.layer, cache, d_out)
            flat_d_in = d_in if isinstance(node.inputs, (list, tuple)) else [d_in]
            for t, g in zip(node.flat_inputs, flat_d_in):
                if g is not None:
                    _accumulate(grads_t, id(t), g)
            for v, g in zip(node.layer.weights, grads):
                if g is not None:
                    _accumulate(grads_w, id(v), g)
        return [grads_t.get(id(t)) for t in self.inputs], grads_w


class GraphTape(list):
    """The ``(node, cache, inputs, outputs)`` of every call of one forward pass, in order,
    and ``output_masks``: the mask that reached each model output (for the loss)."""

    output_masks: list = []


def _accumulate(store: dict[int, np.ndarray], key: int, g: np.ndarray) -> None:
    """Add ``g`` into ``store[key]`` without changing arrays owned by a layer's cache."""
    if key in store:
        store[key] = store[key] + g
    else:
        store[key] = g

