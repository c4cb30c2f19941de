"""A model's config in Keras 3's form, and the model made again from it.

Functional: ``{"name", "trainable", "layers", "input_layers", "output_layers"}``. Each entry
of ``layers`` is the layer serialized, plus its ``name`` and ``inbound_nodes``: one
``{"args": [...], "kwargs": {...}}`` per call of the layer inside this model, where every
input tensor is written ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
"keras_history": [layer_name, node_index, tensor_index]}}`` -- which call of which layer made
it. ``input_layers``/``output_layers`` are such ``[layer_name, node_index, tensor_index]``
triples (one triple, not a list of them, for a model with a single input or output).

Sequential: ``{"name", "trainable", "dtype", "layers", "build_input_shape"}``, ``layers``
starting with the InputLayer once the model is built.

Rebuilding replays the calls: every layer is made from its config, then called on the
tensors its nodes name, in an order where each call's inputs exist already.
"""
from __future__ import annotations

import inspect
from typing import Any

from ..engine.errors import NotSupportedError
from ..engine.operation import Operation

# Keyword arguments Keras 3 records for a call of these built-in layers (the call of a layer
# whose call() takes a mask records mask=None; Dropout records training=False).
_CALL_KWARGS = {"Dropout": {"training": False}}
_TAKES_MASK = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed",
               "GlobalAveragePooling1D", "BatchNormalization", "Lambda", "Model", "Sequential")


def _serialize(obj: Any) -> Any:
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _deserialize(config: Any) -> Any:
    from ..saving.serialization import deserialize_keras_object, in_safe_mode
    return deserialize_keras_object(config, safe_mode=in_safe_mode())


def _call_kwargs(layer: Any) -> dict:
    from .functional import Model
    if isinstance(layer, Model):
        return {"mask": None}
    for cls in type(layer).__mro__:
        if cls.__name__ in _CALL_KWARGS and cls.__module__.startswith("kteach."):
            return dict(_CALL_KWARGS[cls.__name__])
        if cls.__name__ in _TAKES_MASK and cls.__module__.startswith("kteach."):
            return {"mask": None}
    if not type(layer).__module__.startswith("kteach.") and \
            "mask" in inspect.signature(type(layer).call).parameters:
        return {"mask": None}
    return {}


# ----- functional ---------------------------------------------------------------------------------
def functional_config(model: Any) -> dict:
    """Keras 3's config of a functional model (see the module docstring)."""
    graph = model._graph
    ops = [op for op in graph.layers if isinstance(op, Operation)]
    if ops:
        raise NotSupportedError(
            f"Model '{model.name}' applies ops directly to symbolic tensors "
            f"({', '.join(op.name for op in ops)}); kteach cannot write those into a config yet. "
            f"Wrap them in a layer (a Layer subclass registered with "
            f"@kteach.saving.register_keras_serializable()).")
    in_model = {id(node) for node in graph.nodes}
    node_index = {}   # id(node) -> its index among the layer's calls inside this model
    for layer in graph.layers:
        own = [n for n in layer._inbound_nodes if id(n) in in_model]
        for i, node in enumerate(own):
            node_index[id(node)] = i

    def history(tensor: Any) -> list:
        return [tensor.node.layer.name, node_index[id(tensor.node)], tensor.index]

    def tensor_config(tensor: Any) -> dict:
        return {"class_name": "__keras_tensor__",
                "config": {"shape": tensor.shape, "dtype": tensor.dtype,
                           "keras_history": history(tensor)}}

    layers = []
    for layer in graph.layers:
        entry = _serialize(layer)
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in in_model or not node.flat_inputs:
                continue
            if isinstance(node.inputs, (list, tuple)) and layer._call_positional > 1:
                # layer(q, v): one argument per tensor, as Keras writes a call with several
                nodes.append({"args": [tensor_config(t) for t in node.inputs],
                              "kwargs": _call_kwargs(layer)})
                continue
            if _has_initial_state(layer, node):   # Keras' form: layer(x, initial_state=[h, c])
                nodes.append({"args": [tensor_config(node.inputs[0])], "kwargs": {
                    "initial_state": [tensor_config(t) for t in node.inputs[1:]]}})
                continue
            args = [tensor_config(t) for t in node.inputs] if isinstance(node.inputs, (list, tuple)) \
                else tensor_config(node.inputs)
            nodes.append({"args": [args], "kwargs": _call_kwargs(layer)})
        layers.append({**entry, "name": layer.name, "inbound_nodes": nodes})
    ins = [history(t) for t in graph.inputs]
    outs = [history(t) for t in graph.outputs]
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": ins[0] if model._single_input else ins,
            "output_layers": outs[0] if model._single_output else outs}


def functional_from_config(cls: type, config: dict, make_layer: Any = None,
                           input_tensors: list | None = None) -> Any:
    """The functional model a config describes: each layer made, then called as recorded.
    (``clone_model`` passes ``make_layer(name, entry)`` and its own input tensors.)"""
    made: dict[str, Any] = {}
    given = list(input_tensors or [])
    todo: dict[str, list] = {}
    produced: dict[tuple, list] = {}   # (layer_name, node_index) -> output tensors
    mask_ops = _mask_only_ops(config["layers"])
    for entry in config["layers"]:
        if entry.get("name") in mask_ops:
            continue   # an op Keras wrote to compute a mask: kteach works masks out itself
        entry = dict(entry)
        name, nodes = entry.pop("name", None), entry.pop("inbound_nodes", [])
        entry.pop("build_config", None)   # calling the layer builds it
        if entry.get("class_name") == "InputLayer" and given:
            tensor = given.pop(0)
            made[name], produced[(name, 0)], todo[name] = tensor.node.layer, [tensor], []
            continue
        layer = make_layer(name, entry) if make_layer else _deserialize(entry)
        name = name or layer.name
        made[name] = layer
        if type(layer).__name__ == "InputLayer":
            produced[(name, 0)] = list(layer._inbound_nodes[0].outputs)
        todo[name] = list(nodes)
    done = {name: (1 if (name, 0) in produced and not todo[name] else 0) for name in made}
    progress = True
    while progress and any(todo.values()):
        progress = False
        for name, nodes in todo.items():
            while nodes:
                args = nodes[0]["args"]
                if len(args) > 1:   # a call with several positional tensors: layer(q, v)
                    inputs = [_resolve(a, produced) for a in args]
                    if any(i is None for i in inputs):
                        break
                    out = made[name](*inputs)
                else:
                    inputs = _resolve(args[0] if args else [], produced)
                    states = nodes[0].get("kwargs", {}).get("initial_state")
                    states = None if states is None else _resolve(states, produced)
                    if inputs is None or (states is None) != ("initial_state" not in
                                                              nodes[0].get("kwargs", {})):
                        break
                    out = made[name](inputs) if states is None else \
                        made[name](inputs, initial_state=states)
                produced[(name, done[name])] = list(out) if isinstance(out, (list, tuple)) else [out]
                done[name] += 1
                nodes.pop(0)
                progress = True
    stuck = [name for name, nodes in todo.items() if nodes]
    if stuck:
        raise ValueError(f"The config of model '{config.get('name')}' cannot be rebuilt: the "
                         f"calls of {stuck} need tensors that no layer in the config makes "
                         f"(check their inbound_nodes).")

    def pick(refs: Any) -> Any:
        if refs and not isinstance(refs[0], (list, tuple)):
            return _tensor(refs, produced)
        return [_tensor(r, produced) for r in refs]

    return cls(inputs=pick(config["input_layers"]), outputs=pick(config["output_layers"]),
               name=config.get("name"), trainable=config.get("trainable", True))


def _has_initial_state(layer: Any, node: Any) -> bool:
    from ..layers.recurrent import RecurrentLayer
    return isinstance(layer, RecurrentLayer) and isinstance(node.inputs, (list, tuple))


def _mask_only_ops(entries: list) -> set:
    """Names of the ops in a Keras config that only compute masks (``NotEqual`` after an
    ``Embedding(mask_zero=True)``, ...): Keras 3 writes them because the layers that take a
    mask record it as a call argument. An op that feeds a layer's input is kept."""
    ops = {e.get("name") for e in entries if str(e.get("module", "")).startswith("keras.src.ops")}

    def fed_by(entry: dict) -> set:
        names: set = set()
        for node in entry.get("inbound_nodes", []):
            _collect_history(node.get("args", []), names)
            _collect_history(node.get("kwargs", {}).get("initial_state", []), names)
        return names
    needed = set().union(*[fed_by(e) for e in entries if e.get("name") not in ops]) & ops
    while True:   # an op kept for a layer's input keeps the ops that feed it
        more = set().union(set(), *[fed_by(e) for e in entries if e.get("name") in needed]) & ops
        if more <= needed:
            return ops - needed
        needed |= more


def _collect_history(arg: Any, names: set) -> None:
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        names.add(arg["config"]["keras_history"][0])
    elif isinstance(arg, (list, tuple)):
        for a in arg:
            _collect_history(a, names)


def _tensor(ref: list, produced: dict) -> Any:
    name, node, index = ref[0], ref[1], ref[2]
    if (name, node) not in produced:
        raise ValueError(f"The config refers to call {node} of layer '{name}', which it does "
                         f"not contain.")
    return produced[(name, node)][index]


def _resolve(arg: Any, produced: dict) -> Any:
    """The KerasTensor(s) an inbound node's argument names, or None if not made yet."""
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        name, node, index = arg["config"]["keras_history"]
        outs = produced.get((name, node))
        return None if outs is None else outs[index]
    if isinstance(arg, (list, tuple)):
        items = [_resolve(a, produced) for a in arg]
        return None if any(i is None for i in items) else items
    raise ValueError(f"Cannot read this inbound node argument: {arg!r}")


# ----- Sequential ---------------------------------------------------------------------------------
def sequential_config(model: Any) -> dict:
    from ..saving.serialization import dtype_policy
    layers = []
    if model._input is not None:
        layers.append(_serialize(model._input.node.layer))
    layers += [_serialize(layer) for layer in model.layers]
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": dtype_policy(model.dtype), "layers": layers}
    if model._graph is not None:
        config["build_input_shape"] = model._input.shape
    return config


def sequential_from_config(cls: type, config: dict) -> Any:
    layers = [_deserialize(entry) for entry in config.get("layers", [])]
    model = cls(layers=layers, name=config.get("name"), trainable=config.get("trainable", True))
    shape = config.get("build_input_shape")
    if model._graph is None and shape is not None:
        from ..layers.core import Input
        model._input = Input(batch_shape=tuple(shape))
        model._rebuild()
    return model


# ----- compile ------------------------------------------------------------------------------------
def compile_config(model: Any) -> dict:
    """What ``compile`` was given, as Keras 3 writes it ({} before compile)."""
    if not model.compiled:
        return {}
    args = model._compile_args or {}
    return {"optimizer": _serialize(model.optimizer), "loss": _serialize(args.get("loss")),
            "loss_weights": _serialize(args.get("loss_weights")),
            "metrics": _serialize(args.get("metrics")), "weighted_metrics": None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": True}


def compile_from_config(model: Any, config: dict) -> None:
    if not config:
        return
    model.compile(optimizer=_deserialize(config.get("optimizer", "rmsprop")),
                  loss=_deserialize(config.get("loss")),
                  loss_weights=_deserialize(config.get("loss_weights")),
                  metrics=_deserialize(config.get("metrics")))


# ----- JSON and cloning ---------------------------------------------------------------------------
def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """The model ``model.to_json()`` described (new weights), as ``keras.models.model_from_json``."""
    import json
    from ..saving.serialization import deserialize_keras_object
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as e:
        raise ValueError(f"model_from_json() needs the text that model.to_json() returns; this "
                         f"is not JSON ({e}).") from None
    return deserialize_keras_object(config, custom_objects=custom_objects)


def clone_model(model: Any, input_tensors: Any = None, clone_function: Any = None) -> Any:
    """A new model with the same architecture and new weights, as ``keras.models.clone_model``.

    Every layer is made again by ``clone_function(layer)`` (default: from its config), and
    the new layers are called the way the old ones were. ``input_tensors`` replace the
    model's Input tensors (a functional model) or give the Sequential its input.
    """
    from .functional import Model
    from .sequential import Sequential
    from ..saving.serialization import serialize_keras_object

    def fresh(layer: Any) -> Any:
        return type(layer).from_config(layer.get_config())
    clone = clone_function or fresh
    tensors = None if input_tensors is None else (
        list(input_tensors) if isinstance(input_tensors, (list, tuple)) else [input_tensors])
    if isinstance(model, Sequential):
        layers = [clone(layer) for layer in model.layers]
        if tensors:
            layers = [tensors[0]] + layers
        elif model._input is not None:
            from ..layers.core import Input
            layers = [Input(batch_shape=model._input.shape, dtype=model._input.dtype,
                            name=model._input.node.layer.name)] + layers
        return Sequential(layers, name=model.name, trainable=model.trainable)
    if not isinstance(model, Model) or model._graph is None or model._subclassed():
        raise ValueError(f"clone_model() takes a Sequential or functional model; "
                         f"{type(model).__name__} '{getattr(model, 'name', model)}' is "
                         f"subclassed: make a new instance of its class instead.")
    by_name = {layer.name: layer for layer in model.layers}
    config = serialize_keras_object(model)["config"]
    return functional_from_config(type(model), config,
                                  make_layer=lambda name, entry: clone(by_name[name]),
                                  input_tensors=tensors)
