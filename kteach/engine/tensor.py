"""Symbolic tensors and nodes: how calling layers on ``Input`` builds a graph.

A :class:`KerasTensor` holds no numbers, only a shape (``None`` for sizes not known yet, such
as the batch) and a dtype. Calling a layer on KerasTensors records a :class:`Node` -- "this
layer was called on these tensors and made those" -- and returns the new KerasTensors. A
Model later walks the nodes from its inputs to its outputs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import naming
from .operators import ArrayOperators

if TYPE_CHECKING:  # pragma: no cover
    from .layer import Layer  # for annotations only: layer imports tensor

Shape = tuple  # a tuple of int or None, batch axis first


def format_shape(shape: Shape | None) -> str:
    """``(None, 4)`` as Keras prints it; ``?`` when unknown."""
    if shape is None:
        return "?"
    return ("(" + ", ".join("None" if d is None else str(d) for d in shape)
            + ("," if len(shape) == 1 else "") + ")")


class KerasTensor(ArrayOperators):
    """A placeholder for an array that will flow through the graph.

    ``node`` is the call that produced it and ``index`` which of that call's outputs it is.
    """

    def __init__(self, shape: Shape, dtype: str = "float32", name: str | None = None,
                 node: "Node | None" = None, index: int = 0):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name or naming.unique_name("keras_tensor")
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={format_shape(self.shape)}, dtype={self.dtype}, "
                f"sparse=False, ragged=False, name={self.name}>")

    # Arithmetic on a symbolic tensor adds an op node to the graph (``x * 2.0 + 1.0``).
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .arrays import UFUNCS  # filled by kteach.ops
        from .operation import symbolic_call  # operation imports layer, which imports tensor
        op = UFUNCS.get(ufunc)
        if op is None or method != "__call__" or kwargs:
            raise TypeError(f"np.{ufunc.__name__} cannot take a symbolic tensor from Input. Use "
                            f"the kteach.ops function, or a layers.Lambda.")
        return symbolic_call(op, inputs, {})

    def __getitem__(self, key):
        from .arrays import METHODS
        from .operation import symbolic_call  # as above: resolved at the call
        return symbolic_call(METHODS["__getitem__"], (self, key), {})

    def __array__(self, *args: Any, **kwargs: Any):
        raise TypeError(
            "A KerasTensor from Input() is a placeholder with no numbers in it, so it cannot "
            "be turned into a NumPy array. Build a Model(inputs, outputs) and call "
            "model.predict(data), or call the layer on a NumPy array instead."
        )


class Node:
    """One call of ``layer`` on ``inputs`` (KerasTensors) that produced ``outputs``.

    ``inputs`` keeps the structure the layer was called with: one tensor, or a list for
    merge layers. ``flat_inputs`` is always a list.
    """

    def __init__(self, layer: "Layer", inputs: Any, outputs: list[KerasTensor]):
        self.layer = layer
        self.inputs = inputs
        self.flat_inputs: list[KerasTensor] = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self.outputs = outputs
        for i, t in enumerate(outputs):
            t.node, t.index = self, i
        layer._inbound_nodes.append(self)

    @property
    def index_in_layer(self) -> int:
        """Which call of its layer this is (0 for the first), as in Keras' ``name[0][0]``."""
        return self.layer._inbound_nodes.index(self)

    @property
    def parents(self) -> list["Node"]:
        return [t.node for t in self.flat_inputs if t.node is not None]

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}[{self.index_in_layer}]>"
