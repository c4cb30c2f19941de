"""The engine: Layer, Variable, symbolic tensors and nodes, the graph walk, errors.

Everything above it (layers, ops, models, training, viz, widgets) builds on these pieces.
"""
from .errors import KteachError, KteachWarning
from .layer import Layer
from .tensor import KerasTensor, Node
from .variable import Variable
