"""Lambda: any function of the inputs, written with kteach.ops, used as a layer.

``Lambda(lambda x: ops.relu(x))`` puts a computation that has no layer of its own into a
``Sequential`` or functional model. Its ``call`` is ``function(inputs, **arguments)``, so it
is a learner's layer like any other: the engine runs it under a tape of its own and finds its
backward by walking that tape back (:mod:`kteach.engine.tape`) -- there is no hand-written
backward here. For that, the function must compute with :mod:`kteach.ops` (or NumPy operators
and functions on its input, which the tape records too).

A Lambda has no weights. A function that uses a weight from outside (another layer's kernel)
does not train it -- write a :class:`~kteach.layers.Layer` subclass with ``add_weight``
instead, as Keras advises.
"""
from __future__ import annotations

import base64
import inspect
import linecache
import marshal
import sys
import types
from typing import Any, Callable

import numpy as np

from ..engine.errors import ShapeError, refuse_unsupported
from ..engine.layer import Layer
from ..engine.tensor import format_shape


class Lambda(Layer):
    """``y = function(x, **arguments)`` as a layer (``keras.layers.Lambda``).

    Shapes: y is whatever ``function`` makes of x (see ``output_shape`` below).

    Backward: not written by hand. The engine runs ``call`` under a tape and walks that tape
    back (:mod:`kteach.engine.tape`), so ``dx`` is the chain rule through the ops that
    ``function`` used.

    Args:
        function: called with the layer's input (a list of inputs for a layer called on a
            list) and ``arguments``; also with ``training=`` and ``mask=None`` when it has
            parameters of those names. It returns an array (or a list of arrays).
        output_shape: the output shape, for building the model. ``None`` (default): found by
            running the function once on zeros. A tuple: the shape of one sample, *without*
            the batch axis, e.g. ``(3,)``; a list of such tuples for several outputs. A
            function: ``output_shape(input_shape)`` gives the whole shape, batch axis
            included. A declared shape is checked against what the function returns.
        mask: Keras' output mask (a function or a tensor); not taken by kteach yet, so only
            ``None`` is accepted (the Lambda then drops a mask it receives, as in Keras).
        arguments: a dict of keyword arguments passed to ``function`` at every call.

    Example: ``Lambda(lambda x: x ** 2)``, ``Lambda(lambda x, k: k * x, arguments={"k": 3})``.
    """

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda needs a function as its first argument, e.g. "
                            f"Lambda(lambda x: ops.relu(x)); got {type(function).__name__} "
                            f"{function!r:.60}.")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Lambda(arguments=...) must be a dict of keyword arguments for "
                            f"the function, e.g. arguments={{'alpha': 0.2}}; got "
                            f"{type(arguments).__name__}.")
        if output_shape is not None and not callable(output_shape):
            _check_shapes(output_shape)
        refuse_unsupported("Lambda", mask=mask)
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        params = _parameters(function)
        self._fn_takes_training = "training" in params
        self._fn_takes_mask = "mask" in params

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """``function(inputs, **arguments)``; every op inside is recorded on the layer's tape."""
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        if self._fn_takes_mask:
            kwargs["mask"] = None
        outputs = self.function(inputs, **kwargs)
        if self._output_shape is not None:
            self._check_declared_shape(inputs, outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """From ``output_shape`` when given (a tuple gains the batch axis in front), else by
        running the function once on zeros of ``input_shape``."""
        declared = self._output_shape
        if declared is None:
            try:
                return self._probe_output_shape(input_shape, [self.dtype] * _count(input_shape))
            except Exception as e:  # say which layer was being worked out, keep the error
                if hasattr(e, "add_note"):  # Python 3.11+
                    e.add_note(f"(This happened while Lambda '{self.name}' ran its function "
                               f"once on zeros of shape {_shapes_text(input_shape)} to find its "
                               f"output shape. Passing output_shape=... skips that run.)")
                raise
        if callable(declared):
            return declared(input_shape)
        batch = (input_shape[0] if isinstance(input_shape, list) else input_shape)[0]
        if _is_shape(declared):
            return (batch,) + tuple(declared)
        return [(batch,) + tuple(s) for s in declared]

    def check_input_shape(self, shape: Any) -> None:
        """Any input shape is accepted: the function decides what it can take."""

    def formula(self, input_shape: Any, output_shape: Any) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.arguments.items())
        source = _lambda_source(self.function)
        if source is not None:
            what = f"f(x{args}), f = {source}"
        else:
            what = f"{getattr(self.function, '__name__', type(self.function).__name__)}(x{args})"
        return f"y = {what} : {_shapes_text(input_shape)} → {_shapes_text(output_shape)}"

    # ----- config: the function travels as bytecode, so reading it back is opt-in --------------
    def get_config(self) -> dict:
        """Keras 3's Lambda config. A lambda is stored as its compiled code (marshal, base64),
        the way Keras stores it; a named function by its (registered) name."""
        from ..saving.serialization import serialize_keras_object
        fn = self.function
        if getattr(fn, "__name__", "") == "<lambda>":
            function = {"class_name": "__lambda__", "config": dump_function(fn)}
        else:
            function = serialize_keras_object(fn)
        config = {**Layer.get_config(self), "function": function, "arguments": self.arguments}
        if self._output_shape is not None and not callable(self._output_shape):
            config["output_shape"] = self._output_shape
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Lambda":
        """Refuses a stored lambda unless safe mode is off (its code would run)."""
        from ..saving import serialization
        config = dict(config)
        function = config.pop("function")
        if isinstance(function, dict) and function.get("class_name") == "__lambda__":
            if serialization.in_safe_mode():
                raise serialization.UnsafeConfigError(serialization.LAMBDA_LAYER_MESSAGE)
            function = load_function(function["config"])
        elif isinstance(function, dict):
            function = serialization.deserialize_keras_object(
                function, safe_mode=serialization.in_safe_mode())
        layer = super().from_config({**config, "function": lambda x: x})
        layer.function = function
        params = _parameters(function)
        layer._fn_takes_training, layer._fn_takes_mask = "training" in params, "mask" in params
        return layer

    def _check_declared_shape(self, inputs: Any, outputs: Any) -> None:
        """Refuse an output that does not have the declared ``output_shape`` (a model was
        built from the declared shape, so a mismatch would surface later, less clearly)."""
        flat_in = inputs if isinstance(inputs, list) else [inputs]
        shapes_in = [(None,) + np.shape(x)[1:] for x in flat_in]
        expected = self.compute_output_shape(shapes_in if isinstance(inputs, list) else shapes_in[0])
        flat_out = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        flat_expected = expected if isinstance(expected, list) else [expected]
        got = [np.shape(o) for o in flat_out]
        fits = len(got) == len(flat_expected) and all(
            len(g) == len(e) and all(d is None or d == s for d, s in zip(e[1:], g[1:]))
            for g, e in zip(got, flat_expected))
        if not fits:
            raise ShapeError(
                f"Lambda '{self.name}' was given output_shape={self._output_shape!r}, so the "
                f"model was built for outputs of shape {_shapes_text(expected)}, but its "
                f"function returned shape {_shapes_text(got if len(got) > 1 else got[0])}. "
                f"Correct output_shape (a tuple leaves out the batch axis), or leave it out: "
                f"kteach then finds the shape by running the function.")


# ----- helpers ----------------------------------------------------------------------------------
def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(
        d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool)) for d in value)


def _check_shapes(output_shape: Any) -> None:
    """A shape, or a list of shapes; anything else is refused."""
    if _is_shape(output_shape):
        return
    if isinstance(output_shape, (tuple, list)) and output_shape and all(
            _is_shape(s) for s in output_shape):
        return
    raise TypeError(f"Lambda(output_shape=...) must be a tuple such as (3,) (one sample's "
                    f"shape, without the batch axis), a list of such tuples, or a function "
                    f"of the input shape; got {output_shape!r}.")


def _count(input_shape: Any) -> int:
    return len(input_shape) if isinstance(input_shape, list) else 1


def _shapes_text(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(format_shape(tuple(s)) for s in shape)
    return format_shape(tuple(shape))


def _parameters(function: Callable) -> list[str]:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # some built-in callables have no signature to read
        return []


def _lambda_source(function: Callable) -> str | None:
    """``'lambda x: ops.relu(x)'`` for a lambda whose body is on one line of a file (or a
    notebook cell) that Python can still read; ``None`` for anything else.

    The body's place in the line comes from the positions Python keeps for each step of
    the lambda's code (byte offsets, so the line is sliced as bytes).
    """
    code = getattr(function, "__code__", None)
    if getattr(function, "__name__", "") != "<lambda>" or not hasattr(code, "co_positions"):
        return None  # (positions are kept from Python 3.11 on)
    spans = [p for p in code.co_positions() if None not in p and p[2:] != (0, 0)]
    if not spans or any(p[0] != spans[0][0] or p[1] != spans[0][0] for p in spans):
        return None
    line = linecache.getline(code.co_filename, spans[0][0]).encode()
    body = line[min(p[2] for p in spans):max(p[3] for p in spans)].decode(errors="replace")
    if not body.strip():
        return None
    params = str(inspect.signature(function))[1:-1]
    return f"lambda {params}: {body}" if params else f"lambda: {body}"


def dump_function(fn: Callable) -> dict:
    """A lambda as Keras 3 stores it: its code object marshalled and base64-encoded, its
    default values and the values its closure holds."""
    closure = None if fn.__closure__ is None else tuple(c.cell_contents for c in fn.__closure__)
    return {"code": base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii"),
            "defaults": fn.__defaults__, "closure": closure}


def load_function(config: dict) -> Callable:
    """The function :func:`dump_function` stored (only ever called with safe_mode=False).
    Bytecode is specific to one Python version; another version's gives a clear error."""
    if "value" in config:   # Keras' generic form: (code, defaults, closure)
        code, defaults, closure = (list(config["value"]) + [None, None])[:3]
    else:
        code, defaults, closure = config["code"], config.get("defaults"), config.get("closure")
    try:
        code_object = marshal.loads(base64.decodebytes(code.encode("ascii")))
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(f"The Lambda's stored code cannot be read by this Python "
                         f"({sys.version.split()[0]}): it was saved by another Python version "
                         f"({e}). Re-create the Lambda in code instead.") from None
    cells = None if closure is None else tuple(types.CellType(v) for v in closure)
    from .. import ops   # what a learner's lambda usually refers to
    namespace = {"ops": ops, "np": np, "__builtins__": __builtins__}
    return types.FunctionType(code_object, namespace, None,
                              None if defaults is None else tuple(defaults), cells)
