"""An op called on symbolic tensors: one node of a functional graph, as in Keras 3.

``x = ops.relu(dense(inputs))`` between layers of a functional model makes a node whose
"layer" is an :class:`Operation`: it has no weights, shows in ``summary()`` as ``relu
(Relu)`` and in ``model.operations`` (not in ``model.layers``, as Keras), and runs the op when
the model runs. Its ``call`` is the op itself, so its backward comes from the tape.
"""
from __future__ import annotations

from typing import Any, Callable

from . import naming
from .layer import Layer
from .tensor import KerasTensor

_CLASSES: dict[str, type] = {}


class Operation(Layer):
    """An op with its non-tensor arguments fixed; the tensors are the node's inputs."""

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, **layer_kwargs: Any):
        super().__init__(name=naming.unique_name(fn.__name__), **layer_kwargs)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.built = True

    def call(self, *tensors: Any) -> Any:
        it = iter(tensors)
        return self.fn(*_fill(self.args, it), **_fill(self.kwargs, it))

    def _probe_output_shape(self, input_shape: Any, dtypes: list[str]) -> Any:
        """An op is a plain function, so it can run twice: on zeros with each unknown size
        (None) taken as 2, then as 3. An output axis whose size changed depends on an
        unknown one and is unknown too (None); the others are known. (ops.sum(x, axis=1)
        of x (None, None, 4) is (None, 4); ops.mean(x) is ().)"""
        two, self._probed_dtypes, several = self._probe(input_shape, dtypes, 2)
        unknown = any(d is None for s in (input_shape if isinstance(input_shape, list)
                                          else [input_shape]) for d in s)
        try:
            three = self._probe(input_shape, dtypes, 3)[0] if unknown else two
        except Exception:   # noqa: BLE001 (an op that needs an even size...: the batch rule)
            three = [(None,) + s[1:] for s in two]
        shapes = [tuple(None if a != b else a for a, b in zip(s2, s3)) if len(s2) == len(s3)
                  else (None,) + s2[1:] for s2, s3 in zip(two, three)]
        return shapes if several else shapes[0]

    def _output_dtype(self, inputs: list) -> list[str]:
        """What the op gave when it ran on zeros: ``bool`` for a comparison, ``int32`` for
        argmax, the inputs' dtype for arithmetic (as Keras' symbolic tensors say)."""
        return self._probed_dtypes

    def formula(self, input_shape: Any, output_shape: Any) -> str:
        return Layer.formula(self, input_shape, output_shape).replace(
            f"{type(self).__name__}(x)", f"{self.fn.__name__}(x)", 1)


def symbolic_call(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``fn`` on symbolic tensors: a new :class:`Operation` node, and its output tensor."""
    tensors = [t for t in _leaves((args, kwargs)) if isinstance(t, KerasTensor)]
    op = operation_class(fn)(fn, _holes(args), _holes(kwargs))
    op._call_positional = len(tensors)
    return op(*tensors) if len(tensors) > 1 else op(tensors[0])


def operation_class(fn: Callable) -> type:
    """One Operation subclass per op, named as Keras names it (``relu`` -> ``Relu``), so that
    ``summary()`` and diagrams show the op's own type."""
    name = "".join(part.capitalize() for part in fn.__name__.split("_"))
    if name not in _CLASSES:
        _CLASSES[name] = type(name, (Operation,), {"__doc__": f"The op {fn.__name__} as a node."})
    return _CLASSES[name]


def has_symbolic(args: tuple, kwargs: dict) -> bool:
    return any(isinstance(t, KerasTensor) for t in _leaves((args, kwargs)))


class _Hole:
    """Where a symbolic tensor stood in an op's arguments."""


def _holes(x: Any) -> Any:
    if isinstance(x, KerasTensor):
        return _Hole()
    if isinstance(x, (list, tuple)):
        return type(x)(_holes(v) for v in x)
    if isinstance(x, dict):
        return {k: _holes(v) for k, v in x.items()}
    return x


def _fill(x: Any, tensors) -> Any:
    if isinstance(x, _Hole):
        return next(tensors)
    if isinstance(x, (list, tuple)):
        return type(x)(_fill(v, tensors) for v in x)
    if isinstance(x, dict):
        return {k: _fill(v, tensors) for k, v in x.items()}
    return x


def _leaves(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _leaves(item)]
    return [x]
