"""Core layers: Input, Dense, Activation, Dropout, Flatten, Reshape.

Each layer's ``forward`` returns ``(output, cache)`` and its ``backward`` turns dL/doutput into
dL/dinput and dL/dweights, using only what the cache kept from that call.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..engine import random
from ..engine.errors import ShapeError, check_keywords
from ..engine.layer import Layer
from ..engine.tensor import KerasTensor, Node, format_shape


def _positive_int(value: Any, what: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{what}` of {layer}, expected a positive integer. "
            f"Received: {what}={value!r}. For example {layer}({what}=32)."
        )
    return int(value)


# ----- Input ---------------------------------------------------------------------------------
class InputLayer(Layer):
    """The layer behind ``Input``: it holds the shape and dtype of the model's data."""

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, **kwargs):
        tensor_name = name  # an unnamed Input's tensor is called keras_tensor_N, as in Keras
        super().__init__(name=name or _input_name(), dtype=dtype, **kwargs)
        if batch_shape is None:
            batch_shape = (batch_size,) + _as_shape(shape)
        self.batch_shape = tuple(batch_shape)
        self.built = True
        self._build_input_shape = self.batch_shape
        Node(self, [], [KerasTensor(self.batch_shape, self.dtype, name=tensor_name)])

    def forward(self, x, training=False):
        return x, None

    def backward(self, cache, dy):
        return dy, []

    def get_config(self) -> dict:
        """Keras 3's InputLayer config: the batch shape and a plain dtype name."""
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config: dict) -> "InputLayer":
        config = dict(config)
        for key, default in (("sparse", False), ("ragged", False), ("optional", False)):
            if config.pop(key, default):
                raise NotImplementedError(f"The config of Input '{config.get('name')}' has "
                                          f"{key}=True, which kteach does not implement.")
        return cls(**config)

    def get_build_config(self):
        return None


def _as_shape(shape: Any) -> tuple:
    """``(784,)`` stays; ``Input(shape=784)`` is refused as in Keras, with the fix."""
    if shape is None:
        raise ValueError("Input() needs a shape, e.g. Input(shape=(784,)) for 784 features "
                         "per sample (the batch size is not part of it).")
    if isinstance(shape, (int, np.integer)):
        raise ValueError(
            f"Cannot convert '{shape}' to a shape. `shape` must be a tuple even for one axis: "
            f"write Input(shape=({shape},)) -- note the comma.")
    try:
        dims = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert '{shape}' to a shape. Give a tuple of positive "
                         f"integers (or None for a size that varies), e.g. (28, 28).") from None
    if any(d is not None and d <= 0 for d in dims):
        raise ValueError(f"Input shape {shape} has a size that is not positive; every size "
                         f"must be a positive integer or None.")
    return dims


@check_keywords
def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
          name=None, tensor=None) -> KerasTensor:
    """A symbolic tensor standing for the model's input data.

    ``shape`` excludes the batch axis: ``Input(shape=(784,))`` gives a tensor of shape
    ``(None, 784)``. Call layers on it to build a graph, then ``Model(inputs, outputs)``.
    """
    if sparse:
        raise ValueError("kteach has no sparse tensors; pass sparse=None and dense arrays.")
    if tensor is not None:
        raise ValueError("Input(tensor=...) is not supported by kteach; give shape= instead.")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       batch_shape=batch_shape, name=name)
    return layer._inbound_nodes[0].outputs[0]


def _input_name() -> str:
    from ..engine import naming
    return naming.unique_name("input_layer")


# ----- Dense ---------------------------------------------------------------------------------
class Dense(Layer):
    """Fully connected layer: ``y = activation(x·W + b)`` on the last axis.

    Shapes: x ``(..., n_in)``, W (``kernel``) ``(n_in, units)``, b (``bias``) ``(units,)``,
    y ``(..., units)``. Parameters: ``n_in·units + units``.

    Backward, with ``dz = dy · activation'(z)``:
    ``dW = xᵀ·dz`` (summed over the batch), ``db = Σ_batch dz``, ``dx = dz·Wᵀ``.
    """

    _config_keys = ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                    "kernel_regularizer", "bias_regularizer", "kernel_constraint",
                    "bias_constraint")
    _keras_config = {"quantization_config": None}

    _float_inputs = True        # integer input computes in the layer's dtype

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.units = _positive_int(units, "units", "Dense")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        # A penalty added to the loss (model.losses) and a projection after each update.
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # penalises y

    def forward(self, x, training=False):
        z = x @ self.kernel.value
        if self.use_bias:
            z += self.bias.value  # z is a new array from the product, so adding in place is safe
        y = self.activation(z)
        self._activity_penalty(y)
        return y, (x, z, y)

    def backward(self, cache, dy):
        x, z, y = cache
        dy = self._activity_gradient(y, dy)
        dz = activations.backward(self.activation, z, y, dy)
        x2 = x.reshape(-1, x.shape[-1])        # flatten any leading axes into one "batch"
        dz2 = dz.reshape(-1, self.units)
        dW = x2.T @ dz2
        dx = dz @ self.kernel.value.T
        if self.use_bias:
            return dx, [dW, np.add.reduce(dz2, axis=0)]   # db: the sum over the batch
        return dx, [dW]

    def build(self, input_shape):
        n_in = input_shape[-1]
        if n_in is None:
            raise ShapeError(f"Dense layer '{self.name}' needs to know the size of the last axis "
                             f"of its input, but got shape {format_shape(input_shape)}.")
        self.kernel = self.add_weight("kernel", (n_in, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def check_input_shape(self, shape):
        n_in = self.kernel.shape[0]
        if len(shape) < 2 or shape[-1] not in (None, n_in):
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected axis -1 "
                f"of input shape to have value {n_in}, but received input with shape "
                f"{format_shape(shape)}. This Dense layer was built for {n_in} features per "
                f"sample; give it data whose last axis has {n_in} values.")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def formula(self, input_shape, output_shape):
        x, y, W = format_shape(input_shape), format_shape(output_shape), format_shape(self.kernel.shape)
        act = activations.serialize(self.activation)
        z = f"x·W + b : {x}·{W} + {format_shape(self.bias.shape)}" if self.use_bias else f"x·W : {x}·{W}"
        if act == "linear":
            return f"y = {z} → {y}"
        return f"y = {act}(z), z = {z} → {y}"


# ----- Activation ------------------------------------------------------------------------------
class Activation(Layer):
    """Applies an activation function elementwise (softmax: along the last axis).

    Shapes: y has the shape of x. Forward ``y = f(x)``; backward ``dx = dy · f'(x)`` (for
    softmax the Jacobian-vector product ``dx = y · (dy − Σ dy·y)`` along the last axis).
    """

    _config_keys = ("activation",)

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x, training=False):
        y = self.activation(x)
        return y, (x, y)

    def backward(self, cache, dy):
        x, y = cache
        return activations.backward(self.activation, x, y, dy), []

    def formula(self, input_shape, output_shape):
        return (f"y = {activations.serialize(self.activation)}(x) : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- Dropout ---------------------------------------------------------------------------------
class Dropout(Layer):
    """Inverted dropout: in training each value is kept with probability ``1 − rate`` and
    scaled by ``1/(1 − rate)``, so the expected output equals the input; at inference
    (predict, evaluate) the layer does nothing.

    ``y = x · mask / (1 − rate)``, ``mask ~ Bernoulli(1 − rate)``; backward ``dx = dy · mask / (1 − rate)``.
    """

    _config_keys = ("rate", "noise_shape", "seed")

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(
                f"Invalid value received for argument `rate`: expected a number in [0, 1) "
                f"(the fraction of values to drop), received {rate!r}. "
                f"Dropout(0.5) drops half of the values during training.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            return x, None
        rng = self._rng or random.rng()
        shape = x.shape if self.noise_shape is None else tuple(
            s if n is None else n for n, s in zip(self.noise_shape, x.shape))
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        mask = (rng.random(shape) >= self.rate) * scale
        return x * mask, mask

    def backward(self, mask, dy):
        if mask is None:
            return dy, []
        return dy * mask, []

    def formula(self, input_shape, output_shape):
        keep = 1 - self.rate
        return (f"y = x·mask/{keep:g}, mask ~ Bernoulli({keep:g}) in training, y = x otherwise "
                f": {format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- Flatten and Reshape ---------------------------------------------------------------------
class Flatten(Layer):
    """``(batch, d1, d2, ...)`` → ``(batch, d1·d2·...)``; backward reshapes back."""

    _config_keys = ("data_format",)
    _keras_build_config = True

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("kteach supports only data_format='channels_last' (the default).")
        self.data_format = "channels_last"

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, shape, dy):
        return dy.reshape(shape), []

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def formula(self, input_shape, output_shape):
        return f"y = reshape(x) : {format_shape(input_shape)} → {format_shape(output_shape)}"


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (batch axis excluded; one ``-1`` allowed).

    ``(batch, *s)`` → ``(batch, *target_shape)`` with the same values in the same order;
    backward reshapes ``dy`` back to the input's shape.
    """

    _config_keys = ("target_shape",)

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"Reshape target_shape {self.target_shape} has more than one -1; "
                             f"at most one size can be inferred.")

    def forward(self, x, training=False):
        return x.reshape((x.shape[0],) + self.target_shape), x.shape

    def backward(self, shape, dy):
        return dy.reshape(shape), []

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        n = int(np.prod(rest, dtype=np.int64))
        known = int(np.prod([d for d in self.target_shape if d != -1], dtype=np.int64))
        if -1 in self.target_shape:
            if n % known:
                raise ShapeError(self._mismatch(input_shape))
            return (input_shape[0],) + tuple(n // known if d == -1 else d for d in self.target_shape)
        if n != known:
            raise ShapeError(self._mismatch(input_shape))
        return (input_shape[0],) + self.target_shape

    def _mismatch(self, input_shape):
        return (f"Layer '{self.name}' cannot reshape inputs of shape {format_shape(input_shape)} "
                f"({int(np.prod(input_shape[1:]))} values per sample) into target_shape "
                f"{self.target_shape}: the number of values must stay the same.")

    def formula(self, input_shape, output_shape):
        return f"y = reshape(x) : {format_shape(input_shape)} → {format_shape(output_shape)}"
