"""Normalization layers: BatchNormalization and LayerNormalization.

Both compute ``x̂ = (x − μ)/√(σ² + ε)`` and ``y = γ·x̂ + β``; they differ in *which* values
share a mean ``μ`` and a (biased) variance ``σ²``:

* BatchNormalization: all values of one channel across the batch (and the steps or pixels),
  so every sample's output depends on the rest of its batch -- in training. At inference
  it uses moving averages of those statistics instead, collected during training.
* LayerNormalization: all values of one sample along ``axis`` (its features), so it works
  the same in training and inference and does not depend on the batch.

When μ and σ² come from the same values being normalized, the gradient flows through them
too. With ``m`` values sharing the statistics and ``mean`` taken over those values::

    dx = (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)) / √(σ² + ε),   dx̂ = γ · dy

(:func:`normalize_backward`). With fixed statistics (BatchNormalization at inference) it is
the plain affine map's ``dx = γ · dy / √(σ² + ε)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from ..engine.errors import ShapeError
from ..engine.layer import Layer
from ..engine.tensor import format_shape


def normalize_backward(dxhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray,
                       axes: tuple[int, ...]) -> np.ndarray:
    """dLoss/dx through ``x̂ = (x − mean(x))·inv_std``, with ``inv_std = 1/√(var(x) + ε)``,
    the mean and the (biased) variance taken over ``axes``."""
    mean_dxhat = dxhat.mean(axis=axes, keepdims=True)
    mean_dxhat_xhat = (dxhat * xhat).mean(axis=axes, keepdims=True)
    return inv_std * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat)


def _check_epsilon(value: Any, layer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or value < 0:
        raise ValueError(f"{layer}: `epsilon` must be a small non-negative number (it keeps the "
                         f"division finite when a variance is 0). Received: epsilon={value!r}.")
    return float(value)


class _GammaBeta(Layer):
    """What BatchNormalization and LayerNormalization share: the scale γ and offset β with
    their regularizers (a penalty in model.losses) and constraints (after each update)."""

    _float_inputs = True        # integer input computes in the layer's dtype

    def _set_penalties(self, beta_regularizer, gamma_regularizer, beta_constraint,
                       gamma_constraint) -> None:
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _add_gamma_beta(self, shape: tuple) -> None:
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)


class BatchNormalization(_GammaBeta):
    """Normalise each channel (``axis``, default the last), then scale and shift:
    ``y = γ · (x − μ)/√(σ² + ε) + β``.

    Shapes: x and y ``(batch, ..., C)`` with C on ``axis``; ``gamma`` γ (if ``scale``),
    ``beta`` β (if ``center``), ``moving_mean``, ``moving_variance`` (non-trainable), each
    ``(C,)``, in Keras' order. Parameters ``4C``, ``2C`` of them trainable.

    Training (``fit``, or a call with ``training=True``), over every axis but ``axis``::

        μ = mean(x),  σ² = mean((x − μ)²)          (biased variance)
        moving_mean     ← momentum · moving_mean     + (1 − momentum) · μ
        moving_variance ← momentum · moving_variance + (1 − momentum) · σ²

    The moving statistics are updated in the forward pass (they get no gradient); inference
    (``predict``, ``evaluate``) uses them as μ and σ². A layer with ``trainable=False``
    always runs in inference mode, as in Keras 3 (a frozen, pre-trained network keeps its
    statistics when fine-tuned).

    Backward, with ``dx̂ = γ·dy`` and Σ over every axis but ``axis``: ``dγ = Σ dy·x̂``,
    ``dβ = Σ dy``; ``dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))/√(σ² + ε)`` in training (μ, σ²
    depend on x), ``dx = dx̂/√(σ² + ε)`` at inference.
    """

    _config_keys = ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                    "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
                    "beta_regularizer", "gamma_regularizer", "beta_constraint",
                    "gamma_constraint")
    _keras_config = {"synchronized": False,
                     "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99}

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        self._set_penalties(beta_regularizer, gamma_regularizer, beta_constraint,
                            gamma_constraint)
        if renorm or synchronized:
            raise ValueError("BatchNormalization(renorm=True / synchronized=True) is not "
                             "supported by kteach. Remove the argument.")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"BatchNormalization's `axis` must be an integer (the channels axis, "
                            f"-1 for channels_last). Received: axis={axis!r}.")
        self.axis = int(axis)
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: `momentum` must be between 0 and 1 (the share "
                             f"of the old moving average kept at each step). Received: "
                             f"momentum={momentum!r}.")
        self.momentum = float(momentum)
        self.epsilon = _check_epsilon(epsilon, "BatchNormalization")
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def forward(self, x, training=False):
        axis = self._channel_axis(x.ndim)
        axes = tuple(i for i in range(x.ndim) if i != axis)   # what μ and σ² average over
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]                             # (C,) → broadcastable
        batch_stats = bool(training) and self.trainable
        if batch_stats:
            mu, var = x.mean(axis=axes), x.var(axis=axes)
            m = self.momentum
            self.moving_mean.update(m * self.moving_mean.value + (1 - m) * mu)
            self.moving_variance.update(m * self.moving_variance.value + (1 - m) * var)
        else:
            mu, var = self.moving_mean.value, self.moving_variance.value
        inv_std = (1.0 / np.sqrt(var + self.epsilon)).reshape(shape)
        xhat = (x - mu.reshape(shape)) * inv_std
        y = xhat * self.gamma.value.reshape(shape) if self.scale else xhat
        if self.center:
            y = y + self.beta.value.reshape(shape)
        return y, (xhat, inv_std, axes, shape, batch_stats)

    def backward(self, cache, dy):
        xhat, inv_std, axes, shape, batch_stats = cache
        grads = []
        if self.scale:
            grads.append((dy * xhat).sum(axis=axes))            # dγ
        if self.center:
            grads.append(dy.sum(axis=axes))                     # dβ
        grads += [None, None]                                   # moving statistics
        dxhat = dy * self.gamma.value.reshape(shape) if self.scale else dy
        if batch_stats:
            dx = normalize_backward(dxhat, xhat, inv_std, axes)
        else:
            dx = dxhat * inv_std
        return dx, grads

    def _channel_axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim:
            raise ShapeError(f"BatchNormalization layer '{self.name}' has axis={self.axis}, but "
                             f"its input has only {ndim} axes.")
        return self.axis % ndim

    def build(self, input_shape):
        C = input_shape[self._channel_axis(len(input_shape))]
        if C is None:
            raise ShapeError(f"BatchNormalization layer '{self.name}' needs to know the size of "
                             f"axis {self.axis} of its input, but got shape {format_shape(input_shape)}.")
        self._add_gamma_beta((C,))
        self.moving_mean = self.add_weight("moving_mean", (C,), self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (C,), self.moving_variance_initializer,
                                               trainable=False)

    def check_input_shape(self, shape):
        expected = self._build_input_shape
        axis = self.axis % len(expected)
        if len(shape) != len(expected) or shape[axis] not in (None, expected[axis]):
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim={len(expected)} and axis {self.axis} of size {expected[axis]}, but received "
                f"input with shape {format_shape(shape)}.")

    def formula(self, input_shape, output_shape):
        return (f"y = γ·(x − μ)/√(σ² + {self.epsilon:g}) + β, μ, σ² per channel: of the batch "
                f"in training, moving averages otherwise : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


class LayerNormalization(_GammaBeta):
    """Normalise each sample over ``axis`` (default the last: its features), then scale and
    shift, the same in training and inference: ``y = γ · (x − μ)/√(σ² + ε) + β`` with
    ``μ = mean(x)``, ``σ² = mean((x − μ)²)`` over ``axis`` for each sample (and step).

    Shapes: x and y ``(batch, ..., C)``; ``gamma`` γ (if ``scale``) and ``beta`` β (if
    ``center``), in Keras' order, each of the shape of the normalised axes, e.g. ``(C,)``.

    Backward, with ``dx̂ = γ·dy``: ``dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))/√(σ² + ε)`` with
    the means over ``axis`` (:func:`normalize_backward`); ``dγ = Σ dy·x̂``, ``dβ = Σ dy``
    over the other axes.
    """

    _config_keys = ("axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                    "beta_regularizer", "gamma_regularizer", "beta_constraint",
                    "gamma_constraint")
    _keras_config = {"rms_scaling": False}

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_penalties(beta_regularizer, gamma_regularizer, beta_constraint,
                            gamma_constraint)
        items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not items or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in items):
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        self.axis = [int(a) for a in items] if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = _check_epsilon(epsilon, "LayerNormalization")
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def forward(self, x, training=False):
        axes = self._axes(x.ndim)
        shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]  # γ, β broadcastable
        mu = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = (x - mu) * inv_std
        y = xhat * self.gamma.value.reshape(shape) if self.scale else xhat
        if self.center:
            y = y + self.beta.value.reshape(shape)
        return y, (xhat, inv_std, axes, shape)

    def backward(self, cache, dy):
        xhat, inv_std, axes, shape = cache
        others = tuple(i for i in range(dy.ndim) if i not in axes)  # batch (and steps)
        grads = []
        if self.scale:
            grads.append((dy * xhat).sum(axis=others).reshape(self.gamma.shape))
        if self.center:
            grads.append(dy.sum(axis=others).reshape(self.beta.shape))
        dxhat = dy * self.gamma.value.reshape(shape) if self.scale else dy
        return normalize_backward(dxhat, xhat, inv_std, axes), grads

    def get_config(self) -> dict:
        config = super().get_config()
        if self.built and not isinstance(self.axis, list):  # Keras lists the axis once built
            config["axis"] = [self.axis]
        return config

    def _axes(self, ndim: int) -> tuple[int, ...]:
        """The normalised axes as sorted non-negative numbers (never the batch axis)."""
        items = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -ndim <= a < ndim for a in items) or 0 in [a % ndim for a in items]:
            raise ShapeError(f"LayerNormalization layer '{self.name}' has axis={self.axis}, which "
                             f"is not a non-batch axis of its {ndim}-dimensional input.")
        return tuple(sorted(a % ndim for a in items))

    def build(self, input_shape):
        axes = self._axes(len(input_shape))
        param_shape = tuple(input_shape[a] for a in axes)
        if None in param_shape:
            raise ShapeError(f"LayerNormalization layer '{self.name}' needs to know the size of "
                             f"axis {self.axis} of its input, but got shape {format_shape(input_shape)}.")
        self._add_gamma_beta(param_shape)

    def check_input_shape(self, shape):
        expected = self._build_input_shape
        axes = self._axes(len(expected))
        if len(shape) != len(expected) or any(shape[a] not in (None, expected[a]) for a in axes):
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: it was built "
                f"for inputs of shape {format_shape(expected)} normalised over axis {self.axis}, "
                f"but received input with shape {format_shape(shape)}.")

    def formula(self, input_shape, output_shape):
        return (f"y = γ·(x − μ)/√(σ² + {self.epsilon:g}) + β, μ, σ² of each sample over axis "
                f"{self.axis} : {format_shape(input_shape)} → {format_shape(output_shape)}")
