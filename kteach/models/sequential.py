"""Sequential: a Model whose graph is a chain, built one layer at a time."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import naming
from ..engine.errors import check_keywords
from ..engine.layer import Layer
from ..engine.tensor import KerasTensor
from ..layers.core import Input, InputLayer
from .functional import Model


class Sequential(Model):
    """A stack of layers, each feeding the next: ``Sequential([Input((20,)), Dense(64), ...])``.

    The input shape comes from an ``Input`` (the Keras 3 way), from the first layer's
    ``input_shape=``/``input_dim=`` (Keras 2, still accepted), or, if neither is given, from
    the first data the model sees. Until then the model is *not built*: it has no weights.
    """

    _class_label = "Sequential"

    def __init__(self, layers=None, trainable=True, name=None):
        if layers is not None and not isinstance(layers, (list, tuple)):
            from ..engine.errors import WrongTypeError
            raise WrongTypeError(
                f"Sequential takes a list of layers, but got {type(layers).__name__}: "
                f"{layers!r:.60}. Put it in a list: Sequential([{type(layers).__name__}(...)]), "
                f"or add layers one by one with model.add(...).")
        super().__init__(name=name, trainable=trainable)
        self._stack: list[Layer] = []
        self._input: KerasTensor | None = None
        self._own_nodes: list = []
        self._built_from_data = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    def _default_name(self) -> str:
        return naming.unique_name("sequential")

    @property
    def layers(self) -> list[Layer]:
        """The layers in order (without the InputLayer, as Keras 3 lists them)."""
        return list(self._stack)

    @property
    def operations(self) -> list[Layer]:
        """A Sequential holds only layers: its operations are its layers."""
        return list(self._stack)

    @check_keywords
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer. If the input shape is known, the layer is built (and checked) now;
        if it does not fit, nothing is added and the error says why. (``rebuild=False``
        postpones the building, as the constructor does while it adds its list.)"""
        if isinstance(layer, KerasTensor) and layer.node is not None and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input is not None:
                raise ValueError("An Input can only be the first thing added to a Sequential model.")
            self._input = layer._inbound_nodes[0].outputs[0]
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Only layers can be added to a Sequential model, but got {type(layer).__name__}: "
                f"{layer!r}. Did you mean to call it, e.g. Dense(10) rather than Dense?")
        if layer in self._stack:
            raise ValueError(f"Layer '{layer.name}' is already in this model; a Sequential "
                             f"model uses each layer once. Create a new layer instead.")
        if any(other.name == layer.name for other in self._stack):
            from ..engine.errors import InvalidArgumentError
            raise InvalidArgumentError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                f"argument to pass a unique name.")
        if not self._stack and self._input is None and layer._batch_input_shape is not None:
            batch_shape = layer._batch_input_shape
            self._input = Input(batch_shape=batch_shape)
        self._stack.append(layer)
        if not rebuild:
            return
        try:
            self._rebuild()
        except Exception:
            self._stack.pop()
            self._rebuild()
            raise

    @check_keywords
    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model to pop.")
        layer = self._stack.pop()
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self) -> None:
        """(Re)make the chain of symbolic calls from the Input through every layer."""
        for node in self._own_nodes:
            if node in node.layer._inbound_nodes:
                node.layer._inbound_nodes.remove(node)
        self._own_nodes = []
        if self._input is None or not self._stack:
            self._graph = None
            self.built = False
            return
        # Keras 3 makes an internal functional model at every rebuild, which uses up one
        # automatic "functional" name; doing the same keeps later names equal to Keras'.
        naming.unique_name("functional")
        x = self._input
        with naming.name_scope(self.name):
            for layer in self._stack:
                x = layer(x)
                self._own_nodes.append(x.node)
        self._set_graph(self._input, x)

    def _forget_build(self) -> None:
        """Back to not built, when the first data turned out not to fit (the input shape
        came from that data)."""
        if self._built_from_data:
            self._input = None
            self._built_from_data = False
            self._rebuild()

    def get_config(self) -> dict:
        """Keras 3's Sequential config: the layers (the InputLayer first once built)."""
        from .config import sequential_config
        return sequential_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Sequential":
        from ..saving.serialization import CustomObjectScope
        from .config import sequential_from_config
        with CustomObjectScope(custom_objects or {}):
            return sequential_from_config(cls, config)

    def get_build_config(self) -> dict | None:
        return None if self._graph is None else {"input_shape": self._input.shape}

    def build_from_config(self, config: dict) -> None:
        pass   # from_config builds it from build_input_shape already

    def _build_from_data(self, x: np.ndarray) -> None:
        """Deferred build: the first data fixes the input shape (batch size included, as Keras
        shows it in summary())."""
        if self._input is None:
            if not self._stack:
                raise ValueError("This Sequential model has no layers yet; add some with "
                                 "model.add(...) before using it.")
            if x.ndim == 1 and _data_dtype(x) != "string":   # one string a sample is fine
                from ..engine.errors import DataError
                raise DataError(
                    f"The data has shape {x.shape}: one number per sample? The model takes "
                    f"its input shape from the first data, and the first axis is the batch, so "
                    f"each sample here would have no features. Give x.reshape(-1, 1) (one "
                    f"feature per sample), or start the model with Input(shape=(...)).")
            self._input = Input(batch_shape=x.shape, dtype=_data_dtype(x))
            self._built_from_data = True
            try:
                self._rebuild()
            except Exception:
                self._input = None
                self._rebuild()
                raise

    def _call_symbolic(self, inputs: Any) -> Any:
        if self._graph is None and isinstance(inputs, KerasTensor):
            self._input = Input(batch_shape=inputs.shape, dtype=inputs.dtype)
            self._rebuild()
        return super()._call_symbolic(inputs)


def _data_dtype(x: np.ndarray) -> str | None:
    if x.dtype.kind in "UO":      # text, for TextVectorization and StringLookup
        return "string"
    return str(x.dtype) if np.issubdtype(x.dtype, np.integer) else None
