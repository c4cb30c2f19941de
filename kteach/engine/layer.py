"""Layer: the base class of every layer (and of Model).

A layer is a page of math. Subclasses write

* ``build(input_shape)`` -- create weights with :meth:`Layer.add_weight`;
* ``compute_output_shape(input_shape)`` -- the output shape, with ``None`` for the batch;
* ``forward(x, training)`` -> ``(y, cache)`` -- the output and whatever backward needs;
* ``backward(cache, dy)`` -> ``(dx, grads)`` -- dLoss/dx and a list with dLoss/dw for each
  weight in :attr:`weights` order (``None`` for weights without a gradient).

Everything else -- building a graph on symbolic tensors, checking shapes, names, weight
lists, recording steps -- happens here and in :mod:`kteach.engine.graph`, never in a layer.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from . import config, naming
from .errors import NotBuiltError, ShapeError, keyword_names, unknown_keyword_error, warn_once
from .tensor import KerasTensor, Node, Shape, format_shape
from .variable import Variable

# Keywords every layer takes, on top of its own.
BASE_KEYWORDS = ("name", "trainable", "dtype", "input_shape", "input_dim",
                 "batch_size", "batch_input_shape")


class Layer:
    """Base class. See the module docstring for what a subclass writes."""

    # Old keywords a subclass accepts and translates itself (Model: input=, output=).
    _legacy_keywords: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any):
        """Give every layer's constructor the misspelt-keyword check (``Dense(unit=3)`` says
        "did you mean 'units'"), before Python complains about a missing argument."""
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _checked_init(cls, cls.__dict__["__init__"])

    def __init__(self, **kwargs: Any):
        allowed = [k for k in keyword_names(type(self).__init__)] + list(BASE_KEYWORDS)
        for key in kwargs:
            if key not in BASE_KEYWORDS:
                raise unknown_keyword_error(type(self).__name__, key, allowed)
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"A layer's name must be a string, not {name!r}.")
        self.name: str = name or naming.unique_name(naming.snake_case(type(self).__name__))
        self._trainable: bool = bool(kwargs.get("trainable", True))
        self.dtype: str = str(np.dtype(kwargs.get("dtype") or config.floatx()))
        self.built = False
        self._weights: list[Variable] = []
        self._inbound_nodes: list[Node] = []
        self._build_input_shape: Any = None
        self._batch_input_shape = _batch_shape_from_kwargs(type(self).__name__, kwargs)

    # ----- weights -------------------------------------------------------------------------
    def add_weight(self, name: str, shape: tuple, initializer: Callable, trainable: bool = True) -> Variable:
        """Create a weight of ``shape`` filled by ``initializer(shape, dtype)``."""
        value = np.asarray(initializer(tuple(shape), self.dtype), dtype=self.dtype)
        v = Variable(value, name=name, path=naming.weight_path(self.name, name), trainable=trainable)
        self._weights.append(v)
        return v

    @property
    def weights(self) -> list[Variable]:
        """All weights in Keras' order (the order ``get_weights()`` uses)."""
        return list(self._weights)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    # Keras 3 also calls them variables.
    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight arrays, in Keras' order and shapes."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: list) -> None:
        """Load arrays in :meth:`get_weights` order. Nothing changes unless all of them fit."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ShapeError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(own)} weights "
                f"({', '.join(w.path for w in own) or 'none: it is not built yet'})."
            )
        arrays = [np.asarray(a) for a in weights]
        for v, a in zip(own, arrays):
            if v.shape != a.shape:
                raise ShapeError(
                    f"Layer {self.name} weight shape {v.shape} is not compatible with provided "
                    f"weight shape {a.shape} (weight {v.path}). get_weights() shows the shapes "
                    f"expected, in order."
                )
        for v, a in zip(own, arrays):
            v.assign(a)

    def count_params(self) -> int:
        if not self.built:
            raise NotBuiltError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                f"built. It builds when it first sees its input shape: give the model an "
                f"Input(shape=...) or call it on data first."
            )
        return int(sum(w.value.size for w in self.weights))

    # ----- what subclasses write -------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create weights for inputs of ``input_shape``. Layers without weights skip it."""

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def forward(self, inputs: Any, training: bool = False) -> tuple[Any, Any]:
        raise NotImplementedError(f"{type(self).__name__} has no forward().")

    def backward(self, cache: Any, d_outputs: Any) -> tuple[Any, list]:
        raise NotImplementedError(f"{type(self).__name__} has no backward().")

    def formula(self, input_shape: Any, output_shape: Any) -> str:
        """The layer's math written with actual shapes, for step records and diagrams, e.g.
        ``z = x·W + b : (4, 20)·(20, 64) + (64,) → (4, 64)``. Layers override this."""
        return f"y = {type(self).__name__}(x) : {_shapes_text(input_shape)} → {_shapes_text(output_shape)}"

    def check_input_shape(self, shape: Any) -> None:
        """Refuse inputs that do not fit the shape the layer was built for.

        By default every known axis after the batch must match; layers that accept more
        (Dense works on the last axis of any rank) override this.
        """
        expected = self._build_input_shape
        if expected is None or isinstance(shape, list):
            return
        ok = len(shape) == len(expected) and all(
            e is None or s is None or e == s for e, s in zip(expected[1:], shape[1:]))
        if not ok:
            raise ShapeError(
                f"Layer '{self.name}' ({type(self).__name__}) was built for inputs of shape "
                f"{format_shape(expected)} but received shape {format_shape(shape)}. Give it "
                f"data of shape {format_shape(expected)} (the first axis is the batch and may "
                f"be any size)."
            )

    # ----- calling ---------------------------------------------------------------------------
    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True
        else:
            self.check_input_shape(input_shape)

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if kwargs:
            key = next(iter(kwargs))
            raise unknown_keyword_error(f"{self.name}.__call__", key, ["inputs", "training"])
        flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._call_symbolic(inputs)
        from .graph import call_layer  # graph imports layer; this import is for one function
        arrays = [np.asarray(a) for a in flat]
        inputs = arrays if isinstance(inputs, (list, tuple)) else arrays[0]
        self._maybe_build(_shapes_of(inputs))
        outputs, _ = call_layer(self, inputs, bool(training))
        return outputs

    def _call_symbolic(self, inputs: Any) -> Any:
        flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        for t in flat:
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    f"Layer '{self.name}' was called on a mix of symbolic tensors (from Input) "
                    f"and {type(t).__name__} values. Pass only tensors made from Input(...) "
                    f"or only NumPy arrays."
                )
        shapes = [t.shape for t in flat] if isinstance(inputs, (list, tuple)) else flat[0].shape
        self._maybe_build(shapes)
        out_shape = self.compute_output_shape(shapes)
        dtype = self._output_dtype(flat)
        if isinstance(out_shape, list):
            outputs = [KerasTensor(s, dtype) for s in out_shape]
            Node(self, inputs, outputs)
            return outputs
        output = KerasTensor(out_shape, dtype)
        Node(self, inputs, [output])
        return output

    def _output_dtype(self, inputs: list[KerasTensor]) -> str:
        return self.dtype

    # ----- the first call's tensors, as Keras' layer.input / layer.output -------------------
    def _first_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic tensor, so it has no "
                f"{what} yet. Call it on a tensor from Input(...) first."
            )
        return self._inbound_nodes[0]

    @property
    def input(self) -> Any:
        return self._first_node("input").inputs

    @property
    def output(self) -> Any:
        node = self._first_node("output")
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _shapes_text(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(format_shape(tuple(s)) for s in shape)
    return format_shape(tuple(shape))


def _checked_init(cls: type, init: Callable) -> Callable:
    allowed: list[str] = []  # filled on first call: reading signatures at import time is slow

    def allowed_keywords() -> list[str]:
        if not allowed:
            own = keyword_names(init)
            takes_more = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(init).parameters.values())
            allowed.extend(own + [k for k in BASE_KEYWORDS + cls._legacy_keywords
                                  if takes_more and k not in own])
        return allowed

    @functools.wraps(init)
    def checked(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            names = allowed_keywords()
            for key in kwargs:
                if key not in names:
                    raise unknown_keyword_error(type(self).__name__, key,
                                                [k for k in names if k not in type(self)._legacy_keywords])
        init(self, *args, **kwargs)

    return checked


def _shapes_of(inputs: Any) -> Any:
    """Shapes of arrays with the batch axis as None, the way a symbolic call would see them."""
    if isinstance(inputs, list):
        return [(None,) + a.shape[1:] for a in inputs]
    return (None,) + inputs.shape[1:]


def _batch_shape_from_kwargs(layer_type: str, kwargs: dict) -> tuple | None:
    """The input shape a first layer declares with Keras 2 keywords, or None.

    Keras 3 still accepts ``input_shape``/``input_dim`` (with a warning) and refuses
    ``batch_size``/``batch_input_shape``; kteach accepts all four so old tutorials run, and
    says each time what the Keras 3 way is.
    """
    shape = kwargs.get("input_shape")
    if kwargs.get("input_dim") is not None:
        shape = (int(kwargs["input_dim"]),)
    batch = kwargs.get("batch_size")
    if kwargs.get("batch_input_shape") is not None:
        batch_shape = tuple(kwargs["batch_input_shape"])
        batch, shape = batch_shape[0], batch_shape[1:]
    if shape is None:
        if batch is not None:
            raise ShapeError(
                f"{layer_type}(batch_size={batch}) fixes the batch size but gives no input "
                f"shape. Use Input(shape=(...), batch_size={batch}) as the first layer."
            )
        return None
    if isinstance(shape, int):
        shape = (shape,)
    if kwargs.get("batch_size") is not None or kwargs.get("batch_input_shape") is not None:
        warn_once(
            f"`batch_size`/`batch_input_shape` on a layer is a Keras 2 spelling that Keras 3 "
            f"refuses. kteach accepts it; in Keras 3 write Input(shape={tuple(shape)}, "
            f"batch_size={batch}) as the first layer instead.", key="batch_size_kw")
    else:
        which = "input_dim" if kwargs.get("input_dim") is not None else "input_shape"
        warn_once(
            f"Do not pass an `{which}` argument to a layer. When using Sequential models, "
            f"prefer using an `Input(shape)` object as the first layer in the model instead: "
            f"Sequential([Input(shape={tuple(shape)}), ...]). (It still works, as in Keras.)",
            key=which)
    return (batch,) + tuple(shape)
