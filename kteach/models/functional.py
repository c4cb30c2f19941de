"""Model: a graph of layer calls from ``Input`` tensors to output tensors -- or a ``call``.

``Model(inputs, outputs)`` takes the tensors made by calling layers on ``Input(...)``. A model
is itself a layer: it can be called on new tensors (a nested model), and its ``forward`` and
``backward`` run the whole graph, so the chain rule flows through it like through any layer.

The third way is subclassing, as in Keras 3: ``__init__`` creates layers (tracked as
attributes), ``call(inputs, training=None)`` composes them with any Python and
:mod:`kteach.ops`. Such a model has no graph; it runs ``call`` under a tape, and backward walks
that tape (each layer call on it is one step whose backward is the layer's own). It learns its
outputs' shapes from the first data it sees.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config
from ..engine.errors import NotBuiltError, ShapeError, check_keywords, warn_once
from ..engine.graph import Graph
from ..engine import naming
from ..engine.layer import CallCache, Layer
from ..engine.operation import Operation
from ..engine.tensor import KerasTensor, format_shape
from ..engine.variable import Variable
from ..training.trainer import Trainer


def _flatten_tensors(structure: Any, what: str) -> list[KerasTensor]:
    if isinstance(structure, dict):
        structure = list(structure.values())
    items = list(structure) if isinstance(structure, (list, tuple)) else [structure]
    for t in items:
        if not isinstance(t, KerasTensor):
            raise TypeError(
                f"Model {what} must be tensors made by Input(...) and by calling layers on "
                f"them, but got {type(t).__name__}: {t!r}. Example: inputs = Input(shape=(4,)); "
                f"outputs = Dense(1)(inputs); Model(inputs, outputs).")
    return items


class Model(Trainer, Layer):
    """A functional model. ``Model(inputs, outputs, name=None)``.

    ``inputs``/``outputs`` may be one tensor, a list, or a dict. The Keras 1 spelling
    ``Model(input=..., output=...)`` is accepted with a warning that names the modern one.
    """

    _class_label = "Functional"
    _legacy_keywords = ("input", "output")

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        legacy = {k: kwargs.pop(k) for k in ("input", "output") if k in kwargs}
        if legacy:
            warn_once(
                "Model(input=..., output=...) is the Keras 1 spelling: Keras 3 refuses it with "
                "\"Unrecognized keyword arguments passed to Model\". Write "
                "Model(inputs=..., outputs=...) (with an s), or Model(input_tensor, output_tensor).",
                key="model_input_output")
            inputs = legacy.get("input", inputs)
            outputs = legacy.get("output", outputs)
        Layer.__init__(self, name=name or self._default_name(), trainable=trainable, **kwargs)
        Trainer.__init__(self)
        self._graph: Graph | None = None
        self._output_spec: list[KerasTensor] | None = None   # a subclassed model's outputs
        self._output_keys: list[str] | None = None           # ... when call returns a dict
        self._input_specs: list[tuple] | None = None         # ... and its inputs (shape, dtype)
        self._trace: Graph | bool | None = None              # ... traced graph (False: cannot)
        if inputs is None and outputs is None and type(self) is Model:
            raise TypeError("Model() needs inputs and outputs: Model(inputs, outputs). Or "
                            "subclass it: class MyModel(keras.Model) with layers made in "
                            "__init__ and a call(self, inputs) that uses them.")
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise TypeError("Model() needs both inputs and outputs: Model(inputs, outputs).")
            self._set_graph(inputs, outputs)

    def _default_name(self) -> str:
        if self._subclassed():
            return naming.unique_name(naming.snake_case(type(self).__name__))
        return naming.unique_name("functional")

    @classmethod
    def _subclassed(cls) -> bool:
        """A model written with call() rather than a graph of Input tensors."""
        return cls.call is not Layer.call

    def _set_graph(self, inputs: Any, outputs: Any) -> None:
        ins = _flatten_tensors(inputs, "inputs")
        outs = _flatten_tensors(outputs, "outputs")
        for t in ins:
            if t.node is None or t.node.flat_inputs:
                raise ValueError(
                    f"Model inputs must come directly from Input(...); {t!r} is the output of "
                    f"layer '{t.node.layer.name if t.node else '?'}'.")
        graph = Graph(ins, outs)
        names = [layer.name for layer in graph.layers]
        for name in names:
            if names.count(name) > 1:
                from ..engine.errors import InvalidArgumentError
                raise InvalidArgumentError(f'The name "{name}" is used {names.count(name)} times in the '
                                 f'model. All operation names should be unique. Give one of '
                                 f'the layers another name=.')
        self._graph = graph
        self._single_input = not isinstance(inputs, (list, tuple, dict))
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        self.built = True
        self._build_input_shape = self._shapes(ins)

    # ----- structure -----------------------------------------------------------------------------
    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._graph.inputs) if self._graph else []

    @property
    def outputs(self) -> list[KerasTensor]:
        if self._graph is None:
            return list(self._output_spec or [])
        return list(self._graph.outputs)

    @property
    def input(self) -> Any:
        ins = self.inputs
        return ins[0] if self._graph and self._single_input else ins

    @property
    def output(self) -> Any:
        outs = self.outputs
        return outs[0] if self._graph and self._single_output else outs

    @property
    def input_names(self) -> list[str]:
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        if self._graph is None:
            return _spec_names(self._output_spec, self._output_keys)
        return [t.node.layer.name for t in self.outputs]

    @property
    def layers(self) -> list[Layer]:
        """The layers, in Keras' order (ops called on symbolic tensors are not layers: they
        are in :attr:`operations`)."""
        if self._graph is None:
            return list(self._tracked)
        return [layer for layer in self._graph.layers if not isinstance(layer, Operation)]

    @property
    def operations(self) -> list[Layer]:
        """The layers and the op nodes of the graph, in order (Keras 3's ``operations``)."""
        if self._graph is None:
            return list(self._tracked)
        return list(self._graph.layers)

    def _shapes(self, tensors: list[KerasTensor]) -> Any:
        shapes = [t.shape for t in tensors]
        return shapes if len(shapes) > 1 else shapes[0]

    @property
    def input_shape(self) -> Any:
        self._require_built("input_shape")
        return self._shapes(self.inputs)

    @property
    def output_shape(self) -> Any:
        self._require_built("output_shape")
        return self._shapes(self.outputs)

    def _require_built(self, what: str) -> None:
        if self._graph is None:
            raise NotBuiltError(
                f"Model '{self.name}' has no {what} yet: it has not been built. Give its first "
                f"layer an input shape (Sequential([Input(shape=(20,)), ...])) or call it on "
                f"data (model.predict(x), model.fit(x, y)) first.")

    @check_keywords
    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by its name or by its position in ``model.layers``."""
        if (name is None) == (index is None):
            raise ValueError("Give exactly one of name= or index= to get_layer().")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers (indices 0 to {len(layers) - 1}).")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        from ..engine.errors import did_you_mean
        names = [l.name for l in layers]
        raise ValueError(f"No such layer: {name}. Existing layers are: {names}."
                         f"{did_you_mean(name, names)}")

    # ----- weights -------------------------------------------------------------------------------
    @property
    def weights(self) -> list[Variable]:
        if self._graph is None:
            return Layer.weights.fget(self)
        seen: set[int] = set()
        out = []
        for layer in self.layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        if self._graph is None:
            return Layer.trainable_weights.fget(self)
        seen: set[int] = set()
        out = []
        for layer in self.layers:
            for w in layer.trainable_weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    def count_params(self) -> int:
        if self._graph is None and self._output_spec is not None:
            return int(sum(w.value.size for w in self.weights))
        if self._graph is None:
            raise NotBuiltError(
                f"You tried to call `count_params` on model '{self.name}', but the model isn't "
                f"built yet, so the number of weights is unknown. Give it an input shape "
                f"(Input(shape=(...)) as first layer) or call it on data first.")
        return int(sum(w.value.size for w in self.weights))

    # ----- running the graph -----------------------------------------------------------------------
    @property
    def losses(self) -> list:
        """What the layers gave to ``add_loss`` in the latest forward pass."""
        if self._graph is None:
            return Layer.losses.fget(self)
        return [loss for layer in self.layers for loss in layer.losses]

    def forward(self, inputs: Any, training: bool = False, mask: Any = None) -> tuple[Any, Any]:
        """Run every layer from the inputs to the outputs. The cache is the graph's tape
        (a subclassed model: ``call`` run under a tape). ``mask``: the inputs' masks, which
        reach the layers inside (as in Keras, the model's own output carries no mask)."""
        if self._graph is None:
            outputs, cache = Layer.forward(self, _from_dict(inputs, self), training, mask)
            return outputs, cache
        arrays = inputs if isinstance(inputs, list) else [inputs]
        masks = mask if isinstance(mask, list) else [mask]
        outputs, tape = self._graph.forward(arrays, training, masks)
        return (outputs if len(outputs) > 1 else outputs[0]), tape

    def backward(self, tape: Any, d_outputs: Any) -> tuple[Any, list]:
        """Chain rule through the whole graph; weight gradients in :attr:`weights` order."""
        if isinstance(tape, CallCache):
            return Layer.backward(self, tape, d_outputs)
        d_out = d_outputs if isinstance(d_outputs, list) else [d_outputs]
        d_inputs, grads = self._graph.backward(tape, d_out)
        d_in = d_inputs if len(d_inputs) > 1 else d_inputs[0]
        return d_in, [grads.get(id(w)) for w in self.weights]

    def formula(self, input_shape: Any, output_shape: Any) -> str:
        return Layer.formula(self, input_shape, output_shape).replace(
            f"{type(self).__name__}(x)", f"{self._class_label}(x)", 1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._graph is None:
            return self._probe_output_shape(input_shape, [self.dtype] * (
                len(input_shape) if isinstance(input_shape, list) else 1))
        shapes = [t.shape for t in self.outputs]
        return shapes if len(shapes) > 1 else shapes[0]

    def check_input_shape(self, shape: Any) -> None:
        if self._graph is None:
            return  # a subclassed model's call() decides what it accepts
        shapes = shape if isinstance(shape, list) else [shape]
        if len(shapes) != len(self.inputs):
            raise ShapeError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"({self.input_names}) but received {len(shapes)}.")
        for t, s in zip(self.inputs, shapes):
            ok = len(s) == len(t.shape) and all(
                e is None or g is None or e == g for e, g in zip(t.shape[1:], s[1:]))
            if not ok:
                raise ShapeError(
                    f"Input '{t.node.layer.name}' of model '{self.name}' is incompatible: "
                    f"expected shape {format_shape(t.shape)}, found shape {format_shape(s)}.")

    def _output_dtype(self, inputs):
        return self.outputs[0].dtype if self.outputs else self.dtype

    def _call_symbolic(self, inputs: Any) -> Any:
        if self._graph is None and self._subclassed():
            return Layer._call_symbolic(self, inputs)
        self._require_built("graph to call")
        return Layer._call_symbolic(self, inputs)

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if isinstance(inputs, dict) and self._graph is not None:
            inputs = [inputs[n] for n in self.input_names]
        if isinstance(inputs, np.ndarray) or not isinstance(inputs, (list, tuple, KerasTensor)):
            if self._graph is None:
                self._build_from_data(np.asarray(inputs))
        return Layer.__call__(self, inputs, training=training, **kwargs)

    def _build_from_data(self, x: Any) -> None:
        if not self._subclassed():
            self._require_built("graph")
        if self._output_spec is None:
            self._learn_outputs(x)

    def _forget_build(self) -> None:
        """Back to not built (after a failed first call on data): a subclassed model forgets
        what it learned about its inputs and outputs."""
        if self._graph is None and self._subclassed():
            self._output_spec = self._input_specs = self._output_keys = None
            self._trace = None
            self.built = False

    def build(self, input_shape: Any = None) -> None:
        """A subclassed model: run ``call`` once on zeros of ``input_shape`` (batch size 2
        where it is None) so every layer makes its weights, as Keras' ``model.build``."""
        if self._graph is not None or input_shape is None or self._output_spec is not None:
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        zeros = [np.zeros(tuple(2 if d is None else d for d in s), dtype=self.dtype) for s in shapes]
        self._learn_outputs(zeros if isinstance(input_shape, list) else zeros[0])

    def _learn_outputs(self, x: Any) -> None:
        """Run ``call`` on the first two samples (inference mode, nothing recorded) to build
        the layers and learn the outputs' structure and shapes."""
        from ..engine import tape as tapes
        first = _first_samples(x, 2)
        flat_in = list(first.values()) if isinstance(first, dict) else (
            first if isinstance(first, list) else [first])
        self._input_specs = [((None,) + np.shape(a)[1:], str(np.asarray(a).dtype)) for a in flat_in]
        self._several_inputs = isinstance(first, list)
        with tapes.paused():
            out = self._run_call(first, False)
        self._losses = []
        for layer in self._tracked:
            layer._losses = []
        keys = list(out) if isinstance(out, dict) else None
        flat = [out[k] for k in keys] if keys else (list(out) if isinstance(out, (list, tuple)) else [out])
        for o in flat:
            if not isinstance(o, np.ndarray):
                raise TypeError(f"The call() of model '{self.name}' returned {type(o).__name__}, "
                                f"not an array: it must return the output array (or a list or "
                                f"dict of arrays).")
        self._output_keys = keys
        self._several_outputs = isinstance(out, (list, tuple, dict))
        self._output_spec = [KerasTensor((None,) + np.shape(o)[1:], str(o.dtype)) for o in flat]
        self.built = True

    # ----- saving: Keras 3's files (kteach.saving, imported on first use) --------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs) -> None:
        """Save the whole model as a ``.keras`` file that Keras 3 and kteach load."""
        from ..saving.keras_file import save_model
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True) -> None:
        """Save the weights (and the optimizer's state) as a ``.weights.h5`` file."""
        from ..saving.weights_file import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False) -> None:
        """Load weights from a ``.weights.h5`` or ``.keras`` file; nothing changes unless
        every weight fits."""
        from ..saving.weights_file import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    # ----- summary ---------------------------------------------------------------------------------
    @check_keywords
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Print a table of the layers, their output shapes and parameter counts (Keras 3)."""
        from .summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def traced_graph(self) -> Graph | None:
        """The graph of layer calls that ``call`` makes, traced on symbolic inputs: what
        ``plot_model`` draws for a subclassed model. ``None`` when ``call`` does more than call
        layers (an op on a symbolic tensor, Python that needs numbers) or the model has not
        seen data yet. Training never uses it; tracing uses up no automatic names."""
        if self._graph is not None:
            return self._graph
        if self._trace is None and self._input_specs is not None:
            self._trace = self._make_trace() or False
        return self._trace or None

    def _make_trace(self) -> Graph | None:
        from ..layers.core import Input
        counts = dict(naming._counts)
        try:
            names = [f"input_{i + 1}" if len(self._input_specs) > 1 else "input"
                     for i in range(len(self._input_specs))]
            ins = [Input(batch_shape=shape, dtype=dtype, name=name)
                   for (shape, dtype), name in zip(self._input_specs, names)]
            out = self._run_call(ins if self._several_inputs else ins[0], False)
            outs = list(out.values()) if isinstance(out, dict) else (
                list(out) if isinstance(out, (list, tuple)) else [out])
            if not all(isinstance(t, KerasTensor) for t in outs):
                return None
            return Graph(ins, outs)
        except Exception:  # call() needs numbers: no diagram, but training is unaffected
            return None
        finally:
            naming._counts.clear()
            naming._counts.update(counts)

    # ----- config (Keras 3's form; the work is in models/config.py) --------------------------------
    def get_config(self) -> dict:
        """A functional model's layers and their calls; a subclassed model's own config."""
        if self._graph is not None and not self._subclassed():
            from .config import functional_config
            return functional_config(self)
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Model":
        """The model a :meth:`get_config` dict describes, with new weights."""
        from ..saving.serialization import CustomObjectScope
        with CustomObjectScope(custom_objects or {}):
            if "layers" in config and "input_layers" in config:
                from .config import functional_from_config
                return functional_from_config(cls, config)
            return Layer.from_config.__func__(cls, config)

    def get_build_config(self) -> dict | None:
        if self._graph is not None and not self._subclassed():
            return {"input_shape": None}   # as Keras: the config holds the inputs already
        return Layer.get_build_config(self)

    def get_compile_config(self) -> dict:
        from .config import compile_config
        return compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        from .config import compile_from_config
        compile_from_config(self, config)

    def to_json(self, **kwargs: Any) -> str:
        """The serialized model as JSON text (``kteach.models.model_from_json`` reads it)."""
        import json
        from ..saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)

    def __repr__(self) -> str:
        label = type(self).__name__ if self._graph is None and self._subclassed() else self._class_label
        return f"<{label} name={self.name}, built={self.built}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict | None:
        """In Jupyter: Keras' one-line repr, or the model's diagram after
        ``kteach.config.set_model_display('diagram')``."""
        if config.model_display() != "diagram" or self._graph is None:
            return None
        from ..viz.diagram import plot_model
        return plot_model(self, show_shapes=True)._repr_mimebundle_(include, exclude)


def _spec_names(spec: list | None, keys: list[str] | None) -> list[str]:
    """Output names of a subclassed model: the dict keys its call returns, else ``output_1``,
    ``output_2``, ... (one output is named after nothing: its logs have no prefix)."""
    if spec is None:
        return []
    if keys is not None:
        return list(keys)
    return [f"output_{i + 1}" for i in range(len(spec))] if len(spec) > 1 else ["output"]


def _first_samples(x: Any, n: int) -> Any:
    if isinstance(x, dict):
        return {k: np.asarray(v)[:n] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [np.asarray(v)[:n] for v in x]
    return np.asarray(x)[:n]


def _from_dict(inputs: Any, model: Model) -> Any:
    return inputs
