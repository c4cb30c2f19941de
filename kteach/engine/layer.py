"""Layer: the base class of every layer (and of Model).

A layer is a page of math. Subclasses write

* ``build(input_shape)`` -- create weights with :meth:`Layer.add_weight`;
* ``compute_output_shape(input_shape)`` -- the output shape, with ``None`` for the batch;
* ``forward(x, training)`` -> ``(y, cache)`` -- the output and whatever backward needs;
* ``backward(cache, dy)`` -> ``(dx, grads)`` -- dLoss/dx and a list with dLoss/dw for each
  weight in :attr:`weights` order (``None`` for weights without a gradient).

Everything else -- building a graph on symbolic tensors, checking shapes, names, weight
lists, recording steps -- happens here and in :mod:`kteach.engine.graph`, never in a layer.

A learner's layer is written the Keras 3 way instead: ``build`` with ``add_weight`` and
``call(inputs)`` with :mod:`kteach.ops`. It needs no ``backward``: its ``forward`` runs
``call`` under a tape of its own (:mod:`kteach.engine.tape`), and its ``backward`` walks that
tape in reverse. Layers assigned as attributes (``self.dense = Dense(8)``) are tracked, so
their weights are the layer's weights too.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from . import config, masking, naming
from .errors import (NotBuiltError, ShapeError, constructor_keywords, keyword_names,
                     unknown_keyword_error, warn_once)
from . import tape as tapes
from .arrays import Tensor, plain
from .tensor import KerasTensor, Node, format_shape
from .variable import Variable, standard_shape

# Keywords every layer takes, on top of its own.
BASE_KEYWORDS = ("name", "trainable", "dtype", "input_shape", "input_dim",
                 "batch_size", "batch_input_shape")


class Layer:
    """Base class. See the module docstring for what a subclass writes."""

    # Old keywords a subclass accepts and translates itself (Model: input=, output=).
    _legacy_keywords: tuple[str, ...] = ()
    # How many positional arrays call() takes (a layer called as layer(a, b) has 2).
    _call_positional = 1
    # Layers that multiply their input with float weights set this: integer (and bool) input
    # then arrives as the layer's dtype, as in Keras, where int64 meeting a float32 kernel gives
    # float32 (NumPy alone would compute in float64). Embedding and the lookups keep their ids.
    _float_inputs = False

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
        if name is not None and "/" in name:
            from .errors import InvalidArgumentError
            raise InvalidArgumentError(
                f"Argument `name` must be a string and cannot contain character `/`. Received: "
                f"name={name} (of type {type(name)}). ('/' separates the parts of a weight's "
                f"path, such as dense/kernel; write {name.replace('/', '_')!r} instead.)")
        self.name: str = name or naming.unique_name(naming.snake_case(type(self).__name__))
        self._trainable: bool = bool(kwargs.get("trainable", True))
        self.dtype: str = config.standardize_dtype(kwargs.get("dtype") or config.floatx(),
                                                   f"{type(self).__name__}(dtype=...)")
        self.built = False
        self._weights: list[Variable] = []
        self._tracked: list[Layer] = []       # layers assigned as attributes (and in lists)
        self._losses: list = []               # what add_loss received in the latest call
        self._activity_losses: list = []      # activity penalties of this forward pass
        self._inbound_nodes: list[Node] = []
        self._build_input_shape: Any = None
        self._batch_input_shape = _batch_shape_from_kwargs(type(self).__name__, kwargs)

    # ----- weights -------------------------------------------------------------------------
    def add_weight(self, shape: Any = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, constraint: Any = None,
                   name: str | None = None, *legacy: Any, **kwargs: Any) -> Variable:
        """Create a weight, as Keras 3: ``add_weight(shape=(3, 4), initializer='zeros',
        trainable=True, name='w')``.

        ``initializer`` is a name (``'glorot_uniform'``, the default for floats), an
        initializer object or any ``f(shape, dtype)``; ``shape=None`` is a scalar. kteach's
        older positional form ``add_weight(name, shape, initializer)`` still works.

        ``regularizer`` (``'l2'``, ``kteach.regularizers.L2(0.01)``, or a function of the
        weight written with kteach.ops) adds its penalty to ``layer.losses`` and so to the
        training loss; ``constraint`` (``'non_neg'``, ``MaxNorm(2)``...) is applied to the
        weight after each optimizer update. Both are kept on the weight, as in Keras 3
        (``variable.regularizer``, ``variable.constraint``).
        """
        if isinstance(shape, str):  # add_weight('kernel', (3, 4), init[, trainable])
            shape, initializer, dtype, name = initializer, dtype, None, shape
            if not isinstance(trainable, bool) or legacy:
                raise TypeError("add_weight(name, shape, initializer) takes no more positional "
                                "arguments; write add_weight(shape=..., initializer=..., "
                                "trainable=..., name=...).")
        elif legacy:
            raise TypeError("add_weight takes at most seven positional arguments; use keywords: "
                            "add_weight(shape=..., initializer=..., name=...).")
        for key in kwargs:
            if key not in ("autocast", "aggregation", "overwrite_with_gradient"):
                raise unknown_keyword_error("add_weight", key, keyword_names(Layer.add_weight))
        from .. import constraints, regularizers  # names are looked up in the math layer
        regularizer = regularizers.get(regularizer)   # checked before anything changes
        constraint = constraints.get(constraint)
        shape = standard_shape(shape)
        dtype = str(np.dtype(dtype or self.dtype))
        init = _initializer(initializer, dtype, name)
        if name is None:  # Keras names unnamed weights variable, variable_1, ...
            name = "variable" + (f"_{len(self._weights)}" if self._weights else "")
        value = np.asarray(init(shape, dtype), dtype=dtype)
        if value.shape != shape:
            raise ValueError(f"The initializer of weight '{name}' of layer '{self.name}' made "
                             f"shape {value.shape}, not the requested {shape}.")
        v = Variable(value, name=name, path=naming.weight_path(self.name, name), trainable=trainable)
        v.regularizer, v.constraint = regularizer, constraint   # as Keras 3's variables
        self._weights.append(v)
        return v

    def __setattr__(self, key: str, value: Any) -> None:
        """Track layers and Variables assigned as attributes (or in a list), as Keras does:
        a layer's weights belong to this layer too, and a Variable is one of its weights
        (``self.scale = Variable(1.0)``)."""
        if not key.startswith("_") and "_tracked" in self.__dict__:
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Layer) and item is not self and \
                        all(item is not t for t in self._tracked):
                    self._tracked.append(item)
                elif isinstance(item, Variable) and all(item is not w for w in self.weights):
                    self._weights.append(item)   # (a sublayer's weight given a second name: no)
        object.__setattr__(self, key, value)

    @property
    def weights(self) -> list[Variable]:
        """All weights in Keras' order (the order ``get_weights()`` uses): the layer's own,
        then those of the layers it tracks."""
        if not self._tracked:
            return list(self._weights)
        out = list(self._weights)
        for layer in self._tracked:
            out += [w for w in layer.weights if all(w is not o for o in out)]
        return out

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
        if not self._tracked:   # the usual layer: no sublayers that could be frozen
            return [w for w in self._weights if w.trainable]
        frozen = {id(w) for layer in self._tracked if not layer.trainable for w in layer.weights}
        return [w for w in self.weights if w.trainable and id(w) not in frozen]

    # ----- losses a layer adds (Keras' add_loss) -----------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add ``loss`` (a number computed in ``call``) to the training loss, e.g. an activity
        penalty. It is kept until the layer's next call; ``fit`` adds it to the compiled loss
        and trains through it."""
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """The values given to ``add_loss`` in the latest call, this layer's and its
        sublayers', then the penalty of each trainable weight that has a regularizer (as
        Keras 3: ``kernel_regularizer=L2(0.01)`` adds ``0.01·ΣW²`` here)."""
        return self._call_losses() + weight_penalties(self.trainable_weights)

    def _call_losses(self) -> list:
        out = list(self._losses) + list(getattr(self, "_activity_losses", []))
        for layer in self._tracked:
            out += layer._call_losses()
        return out

    # ----- activity regularizer: a penalty on the layer's output -------------------------------
    activity_regularizer = None

    def _activity_penalty(self, y: np.ndarray) -> None:
        """Keras' activity penalty of this call, ``regularizer(y) / batch_size``; it is one of
        ``layer.losses`` until the next forward pass. (Built-in layers call it in
        ``forward``.)"""
        if self.activity_regularizer is not None:
            self._activity_losses.append(self.activity_regularizer(y) / y.shape[0])

    def _activity_gradient(self, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """``dy + d(regularizer(y) / batch_size)/dy``: the penalty's gradient joins
        backpropagation at the output it was taken from. (Built-in layers call it first
        thing in ``backward``.)"""
        if self.activity_regularizer is None:
            return dy
        return dy + penalty_gradient(self.activity_regularizer, y).astype(dy.dtype) / y.shape[0]

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
        converted = []
        for v, a in zip(own, arrays):   # every array converted before any weight changes
            try:
                converted.append(a.astype(v.dtype))
            except (TypeError, ValueError):
                from .errors import WrongTypeError
                raise WrongTypeError(f"set_weights: the array for weight {v.path} has dtype "
                                f"{a.dtype}, which cannot become {v.dtype}. Pass numbers; "
                                f"nothing was changed.") from None
        for v, a in zip(own, converted):
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

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation with :mod:`kteach.ops` (a learner's layer writes this
        instead of ``forward``/``backward``)."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} has no call() (and no forward()). Write "
            f"`def call(self, inputs): return ...` using kteach.ops.")

    def forward(self, inputs: Any, training: bool = False, mask: Any = None) -> tuple[Any, Any]:
        """Run ``call`` under a tape of this call's own; the tape is the cache.

        Built-in layers replace this with hand-written math. Here the inputs become Tensors
        the tape follows, so every op in ``call`` (and every layer it calls) is recorded.
        """
        if type(self).call is Layer.call:
            raise NotImplementedError(
                f"Layer {type(self).__name__} defines neither call() nor forward(). Write "
                f"`def call(self, inputs): ...` with kteach.ops.")
        tape = tapes.Tape()
        tape.backward_log = [] if _tracing() else None
        flat = inputs if isinstance(inputs, list) else [inputs]
        watched = [np.asarray(x).view(Tensor) for x in flat]
        tape.watch(watched)
        self._losses = []
        with tape:
            args = watched if isinstance(inputs, list) else watched[0]
            outputs = self._run_call(args, training, mask)
        if isinstance(outputs, dict):  # outputs by name: kept in the order call gave them
            outputs = list(outputs.values())
        flat_out = _check_call_outputs(self, outputs)
        cache = CallCache(tape, watched, flat_out, list(self._losses),
                          several=isinstance(outputs, (list, tuple)),
                          list_inputs=isinstance(inputs, list))
        plain_out = [np.asarray(plain(o)) for o in flat_out]
        return (plain_out if cache.several else plain_out[0]), cache

    def backward(self, cache: Any, d_outputs: Any) -> tuple[Any, list]:
        """Walk this call's tape backwards from ``d_outputs`` (and from 1 for every value the
        call gave to ``add_loss``)."""
        if not isinstance(cache, CallCache):
            raise NotImplementedError(f"{type(self).__name__} has no backward().")
        dys = d_outputs if cache.several else [d_outputs]
        seeds = [(o, np.asarray(d)) for o, d in zip(cache.outputs, dys) if d is not None]
        seeds += [(loss, np.ones(np.shape(loss), "float32")) for loss in cache.losses
                  if isinstance(loss, Tensor)]
        with tapes.paused():
            grads = cache.tape.backprop(seeds)
        d_in = [grads.get(id(x)) for x in cache.inputs]
        d_in = [np.zeros(x.shape, x.dtype) if g is None and x.dtype.kind == "f" else g
                for g, x in zip(d_in, cache.inputs)]
        d_weights = [grads.get(id(w)) for w in self.weights]
        return (d_in if cache.list_inputs else d_in[0]), d_weights

    def _run_call(self, inputs: Any, training: bool, mask: Any = None) -> Any:
        """``call(inputs)``, passing ``training`` (and the input's ``mask``) only when
        ``call`` takes it (as Keras)."""
        kwargs = {"training": training} if _takes(type(self).call, "training") else {}
        if mask is not None and "mask" in inspect.signature(type(self).call).parameters:
            kwargs["mask"] = mask
        if self._call_positional > 1:
            return self.call(*inputs, **kwargs)
        return self.call(inputs, **kwargs)

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

    # ----- masks (padding steps to skip; see kteach.engine.masking) ---------------------------
    _supports_masking: bool | None = None   # built-in layers that pass masks on set True

    @property
    def supports_masking(self) -> bool:
        """Whether the layer hands a mask on to the layers after it (``compute_mask``), as
        Keras 3: True for layers that set it, and for every layer with its own
        ``compute_mask``. A layer without it drops the mask (with a warning)."""
        if self._supports_masking is not None:
            return self._supports_masking
        return type(self).compute_mask is not Layer.compute_mask

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        self._supports_masking = bool(value)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the output, from the input and its mask. By default the input's
        mask unchanged (Dense on a sequence, Dropout, Activation, ...)."""
        return mask

    # ----- calling ---------------------------------------------------------------------------
    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True
        else:
            self.check_input_shape(input_shape)

    def __call__(self, inputs: Any, *more: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if more:  # layer(a, b): a call() with several positional inputs
            if type(self).call is Layer.call:
                raise TypeError(f"Layer '{self.name}' takes one input (or a list of inputs), "
                                f"but was called with {1 + len(more)} positional arguments. "
                                f"Pass them as a list: layer([a, b]).")
            inputs = [inputs, *more]
            self._call_positional = len(inputs)
        mask = kwargs.pop("mask", None)
        if kwargs:
            key = next(iter(kwargs))
            raise unknown_keyword_error(f"{self.name}.__call__", key, ["inputs", "training", "mask"])
        flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if any(isinstance(t, KerasTensor) for t in flat):
            if mask is not None:
                from .errors import NotSupportedError
                raise NotSupportedError(
                    f"{self.name}(..., mask=...) on symbolic tensors: kteach carries masks "
                    f"through a model by itself but does not take one given by hand. Make the "
                    f"mask with Embedding(mask_zero=True) or a Masking layer before "
                    f"'{self.name}'; on NumPy arrays, layer(x, mask=m) works.")
            return self._call_symbolic(inputs)
        if mask is not None and not masking.takes_mask(self):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}) takes no mask: its forward/call has "
                f"no `mask` argument. Call it without mask=..., or give a layer that skips "
                f"padded steps (SimpleRNN, LSTM, GRU, GlobalAveragePooling1D) the mask.")
        from .graph import call_layer  # graph imports layer; this import is for one function
        if tapes.current() is None:       # a new forward pass from the top: new penalties
            reset_activity_losses(self)
        arrays = [a if isinstance(a, (np.ndarray, Variable)) else np.asarray(a) for a in flat]
        inputs = arrays if isinstance(inputs, (list, tuple)) else arrays[0]
        self._maybe_build(_shapes_of(plain(inputs)))
        if mask is None:   # inside a call() under a tape, masks travel on the Tensors
            mask = masking.tensor_mask(inputs)
        outputs, _ = call_layer(self, inputs, bool(training), mask=mask)
        masking.attach_masks(self, inputs, mask, outputs)
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
        if _infers_by_running(type(self)):
            out_shape = self._probe_output_shape(shapes, [t.dtype for t in flat])
        else:
            out_shape = self.compute_output_shape(shapes)
        out_shapes = out_shape if isinstance(out_shape, list) else [out_shape]
        dtype = self._output_dtype(flat)
        dtypes = dtype if isinstance(dtype, list) else [dtype] * len(out_shapes)
        outputs = [KerasTensor(s, d) for s, d in zip(out_shapes, dtypes)]
        Node(self, inputs, outputs)
        input_mask = ([masking.get_mask(t) for t in flat] if isinstance(inputs, (list, tuple))
                      else masking.get_mask(flat[0]))
        masking.symbolic_masks(self, inputs, input_mask, outputs)
        return outputs if isinstance(out_shape, list) else outputs[0]

    def _output_dtype(self, inputs: list[KerasTensor]) -> str | list[str]:
        """The dtype of the symbolic outputs (one for all, or a list with one per output)."""
        return self.dtype

    def _probe_output_shape(self, input_shape: Any, dtypes: list[str]) -> Any:
        """The output shape of a layer that has ``call`` but no ``compute_output_shape``:
        run ``call`` once on zeros (unknown sizes taken as 2), in inference mode, recording
        nothing; the first axis of each output is the batch (None). (Layers it calls for the
        first time are built, as in Keras.)"""
        out_shapes, self._probed_dtypes, several = self._probe(input_shape, dtypes, 2)
        out_shapes = [(None,) + s[1:] for s in out_shapes]
        return out_shapes if several else out_shapes[0]

    def _probe(self, input_shape: Any, dtypes: list[str], unknown: int) -> tuple[list, list, bool]:
        """Run ``call`` on zeros of ``input_shape`` (``unknown`` for each None): the output
        shapes, their dtypes, and whether the call returned several outputs."""
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        zeros = [np.zeros(tuple(unknown if d is None else d for d in s), dtype=dt)
                 for s, dt in zip(shapes, dtypes)]
        try:
            with tapes.paused(), np.errstate(all="ignore"):   # zeros may meet a log or a 1/x
                out = self._run_call(zeros if isinstance(input_shape, list) else zeros[0], False)
        finally:
            self._losses = []
        flat_out = _check_call_outputs(self, out)
        return ([tuple(np.shape(o)) for o in flat_out], [np.asarray(o).dtype.name for o in flat_out],
                isinstance(out, (list, tuple)))

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

    # ----- config (what a layer needs to be made again) -------------------------------------
    def get_config(self) -> dict:
        """The arguments that make this layer again: ``type(layer).from_config(config)``.

        The base gives ``name``, ``trainable`` and ``dtype``. A learner's layer whose
        ``__init__`` takes more (``units``...) must add them, as in Keras::

            def get_config(self):
                return {**super().get_config(), "units": self.units}
        """
        if type(self).get_config is Layer.get_config and not self._config_keys:
            own = [p for p in inspect.signature(type(self).__init__).parameters.values()
                   if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                   and p.name not in BASE_KEYWORDS]
            if own:
                from .errors import NotSupportedError
                if type(self).__module__.startswith("kteach."):
                    raise NotSupportedError(
                        f"{type(self).__name__}.get_config() is not written yet in kteach (it "
                        f"comes with saving models).")
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {[p.name for p in own]} in "
                    f"`__init__()` and therefore must override `get_config()`, returning them "
                    f"with the base config: return {{**super().get_config(), "
                    f"{', '.join(repr(p.name) + ': self.' + p.name for p in own)}}}.")
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:   # Keras writes it when it is set
            config["activity_regularizer"] = _config_value(self.activity_regularizer)
        for key in self._config_keys:   # a built-in layer's own arguments, as Keras writes them
            config[key] = _config_value(getattr(self, key))
        return {**config, **self._keras_config}

    # A built-in layer lists the attributes its config holds, and the keys Keras 3 also writes
    # for options kteach does not take (with the value kteach behaves as).
    _config_keys: tuple[str, ...] = ()
    _keras_config: dict = {}

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        """A new layer made from :meth:`get_config`'s dict (new weights, same settings).
        Objects inside (initializers, wrapped layers) may be in their serialized form."""
        from ..saving.serialization import revive_values  # configs are read one level up
        config = revive_values(config)
        if isinstance(config.get("dtype"), dict):   # a DTypePolicy written by hand
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        takes = keyword_names(cls.__init__)
        for key, default in cls._keras_config.items():
            if key in config and key not in takes:
                value = config.pop(key)
                if value != default and key not in _IGNORED_CONFIG:
                    from .errors import NotSupportedError
                    raise NotSupportedError(
                        f"The config of {cls.__name__} '{config.get('name')}' has "
                        f"{key}={value!r}, an option kteach does not implement (it behaves as "
                        f"{key}={default!r}). Real Keras can load this config.")
        return cls(**config)

    def get_build_config(self) -> dict | None:
        """``{"input_shape": ...}``: the shape the layer was built for, as Keras writes it
        (None before it is built, and for layers without ``build``, as Keras)."""
        if not self.built or self._build_input_shape is None or not self._writes_build_config():
            return None
        return {"input_shape": self._build_input_shape}

    # Whether Keras writes a build_config for this class (None: when it has its own build).
    _keras_build_config: bool | None = None

    def _writes_build_config(self) -> bool:
        if self._keras_build_config is not None:
            return self._keras_build_config
        return type(self).build is not Layer.build

    def build_from_config(self, config: dict) -> None:
        """Build for the ``input_shape`` of :meth:`get_build_config` (lists become tuples)."""
        shape = config.get("input_shape")
        if shape is not None and not self.built:
            self._maybe_build(_shape_from_json(shape))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def reset_activity_losses(layer: "Layer") -> None:
    """Forget the activity penalties of ``layer`` and every layer inside it (before a new
    forward pass)."""
    todo, seen = [layer], set()
    while todo:
        each = todo.pop()
        if id(each) in seen:
            continue
        seen.add(id(each))
        each._activity_losses = []
        todo += list(getattr(each, "layers", None) or []) + list(each._tracked)


def weight_penalties(variables: list) -> list[float]:
    """``regularizer(w)`` of each variable that has a regularizer, in order."""
    return [v.regularizer(v.value) for v in variables
            if getattr(v, "regularizer", None) is not None]


def penalty_gradient(regularizer: Any, w: np.ndarray) -> np.ndarray:
    """``d regularizer(w) / d w``: the regularizer's own ``gradient`` (every built-in one has
    it, next to its formula), else a learner's penalty written with kteach.ops, run under a
    tape and walked back."""
    if hasattr(regularizer, "gradient"):
        return np.asarray(regularizer.gradient(w))
    tape = tapes.Tape()
    x = np.array(w).view(Tensor)
    tape.watch([x])
    with tape:
        penalty = regularizer(x)
    if not isinstance(penalty, Tensor):
        raise TypeError(
            f"The regularizer {regularizer!r} returned {type(penalty).__name__}, which kteach "
            f"cannot differentiate. Write it with kteach.ops (e.g. `0.01 * ops.sum(ops.square"
            f"(w))`) or give it a `gradient(w)` method.")
    with tapes.paused():
        grads = tape.backprop([(penalty, np.ones(np.shape(penalty), "float64"))])
    g = grads.get(id(x))
    return np.zeros_like(w) if g is None else np.asarray(g)


def add_penalty_gradients(variables: list, grads: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Add ``d penalty / d w`` of every regularized variable to ``grads`` (``{id(w): dw}``
    from backpropagation), in a new dict: the one place where weight penalties reach the
    gradients."""
    out = dict(grads)
    for v in variables:
        if getattr(v, "regularizer", None) is None:
            continue
        dp = penalty_gradient(v.regularizer, v.value).astype(v.dtype, copy=False)
        out[id(v)] = dp if out.get(id(v)) is None else out[id(v)] + dp
    return out


def apply_constraints(variables: list) -> None:
    """``w ← constraint(w)`` for each variable with a constraint (after an optimizer step,
    as Keras)."""
    for v in variables:
        if getattr(v, "constraint", None) is not None:
            v.update(np.asarray(v.constraint(v.value)))


# Keys a layer's own from_config reads (RecurrentLayer: zero_output_for_mask), not refused here.
_IGNORED_CONFIG = ("zero_output_for_mask",)


def _config_value(value: Any) -> Any:
    """An attribute as a config holds it: activation functions by name, initializers and
    layers in their serialized form, everything else as it is."""
    from .. import activations  # the math layer, above the engine: read at the call
    if hasattr(value, "get_config") and not isinstance(value, type):
        from ..saving.serialization import serialize_keras_object
        return serialize_keras_object(value)
    if callable(value) and getattr(value, "__module__", "") == "kteach.activations":
        return activations.serialize(value)
    return value


def _shape_from_json(shape: Any) -> Any:
    """``[None, 4]`` -> ``(None, 4)``; a list of shapes -> a list of tuples."""
    if shape and all(isinstance(s, (list, tuple)) for s in shape):
        return [tuple(s) for s in shape]
    return tuple(shape)


class CallCache:
    """What ``backward`` needs from one ``call`` run under a tape: the tape, the Tensors that
    stood for the inputs, the outputs, and the values given to ``add_loss``."""

    __slots__ = ("tape", "inputs", "outputs", "losses", "several", "list_inputs")

    def __init__(self, tape, inputs: list, outputs: list, losses: list, several: bool,
                 list_inputs: bool):
        self.tape, self.inputs, self.outputs, self.losses = tape, inputs, outputs, losses
        self.several, self.list_inputs = several, list_inputs


def _tracing() -> bool:
    from .graph import TRACERS  # graph imports layer; read at the call
    return bool(TRACERS)


def _infers_by_running(cls: type) -> bool:
    """A learner's layer with ``call`` but without its own ``compute_output_shape``."""
    return cls.call is not Layer.call and cls.compute_output_shape is Layer.compute_output_shape


@functools.lru_cache(maxsize=None)
def _takes(func: Callable, name: str) -> bool:
    params = inspect.signature(func).parameters
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def _check_call_outputs(layer: "Layer", outputs: Any) -> list:
    """The outputs of ``call`` as a list of arrays; anything else is refused clearly."""
    flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    for o in flat:
        if not isinstance(o, (np.ndarray, np.generic, Variable, float, int)) or isinstance(o, bool):
            raise TypeError(
                f"The call() of layer '{layer.name}' ({type(layer).__name__}) returned "
                f"{type(o).__name__} {o!r:.60}, not an array. call() must return the output "
                f"array (or a list of arrays), e.g. `return kteach.ops.relu(x)`.")
    return flat


def _initializer(initializer: Any, dtype: str, name: str | None) -> Callable:
    """An ``f(shape, dtype)`` from a name, an initializer object or a function; None is
    Keras' default: 'glorot_uniform' for floats, 'zeros' otherwise."""
    from .. import initializers  # a name is looked up in the math layer above the engine
    if initializer is None:
        initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
    if isinstance(initializer, str):
        return initializers.get(initializer)
    if not callable(initializer):
        raise TypeError(f"add_weight(initializer=...) for weight '{name}' must be a name such "
                        f"as 'zeros' or 'glorot_uniform', or an initializer; got "
                        f"{initializer!r}.")
    return initializer


def _shapes_text(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(format_shape(tuple(s)) for s in shape)
    return format_shape(tuple(shape))


def _checked_init(cls: type, init: Callable) -> Callable:
    allowed: list[str] = []  # filled on first call: reading signatures at import time is slow

    def allowed_keywords() -> list[str]:
        """The class's own keywords, its parents' that ``**kwargs`` hands on, and -- when the
        chain reaches Layer -- every layer's keywords (see constructor_keywords)."""
        if not allowed:
            names, reaches_layer = constructor_keywords(cls, base=Layer)
            allowed.extend(names + [k for k in BASE_KEYWORDS + cls._legacy_keywords
                                    if reaches_layer and k not in names])
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
