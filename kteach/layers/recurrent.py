"""Recurrent layers: SimpleRNN, LSTM, GRU.

A recurrent layer reads a sequence ``x`` of shape ``(batch, T, features)`` one step at a time
and carries a state ``h`` (LSTM: ``h`` and ``c``) from step to step, starting from zeros:

    h_t = step(x_t, h_{t-1}),   t = 1 … T

Output: the last state ``h_T`` ``(batch, units)``, or every ``h_t`` ``(batch, T, units)`` with
``return_sequences=True``; with ``return_state=True`` a list ``[output, h_T]`` (LSTM
``[output, h_T, c_T]``). ``go_backwards=True`` reads the sequence from the last step to the
first; the returned sequence is then in reading order too (its first entry belongs to the
last input step), as in Keras.

Weights, as Keras: ``kernel`` ``(features, g·units)`` for the input, ``recurrent_kernel``
``(units, g·units)`` for the state, ``bias``; ``g`` blocks side by side, one per gate
(SimpleRNN 1; LSTM 4 in the order i, f, c, o; GRU 3 in the order z, r, h).

Speed: the input part ``x_t·W + b`` of every step is one matrix product over the whole
sequence, before the loop; only the part that needs the previous state runs step by step.
Backpropagation through time is the same loop run backwards: at each step the gradient of
``h_t`` is what the output contributes plus what step ``t+1`` sends back.

Regularizers and constraints work as in Keras: ``kernel_``, ``recurrent_`` and
``bias_regularizer`` add penalties to ``layer.losses``, ``activity_regularizer`` penalises the
output ``y`` (not the returned states), constraints act after each update.

Not supported (refused with a message): ``stateful=True``, ``dropout``/``recurrent_dropout``
other than 0, masking. ``unroll`` and ``use_cudnn`` are accepted
and ignored: they only change how Keras schedules the same computation.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..engine import naming
from ..engine.errors import (KteachError, NotSupportedError, ShapeError,  # noqa: F401
                             refuse_unsupported, warn_once)
from ..engine.layer import Layer
from ..engine.tensor import format_shape


def _positive_int(value: Any, what: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Received an invalid value for argument `{what}` of {layer}, expected a positive "
            f"integer. Received: {what}={value!r}. For example {layer}(32) keeps a state of "
            f"32 numbers per sample.")
    return int(value)


def _zeros_like_state(x: np.ndarray, units: int, dtype: Any) -> np.ndarray:
    return np.zeros((x.shape[0], units), dtype=dtype)


def _shifted(hs: np.ndarray) -> np.ndarray:
    """The previous state of every step: ``[h_0 = 0, h_1, …, h_{T−1}]`` as ``(b, T, u)``."""
    prev = np.zeros_like(hs)
    prev[:, 1:] = hs[:, :-1]
    return prev


def _outer_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Σ_t a_tᵀ·b_t`` over batch and time: ``(b, T, m)``, ``(b, T, n)`` → ``(m, n)``."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


class RecurrentLayer(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, shapes, the time reversal and
    the assembly of outputs. A subclass writes ``_forward_steps`` and ``_backward_steps``.

    (kteach's base class; Keras builds these layers from an ``RNN`` and a cell instead.)
    """

    _gates = 1                      # blocks of ``units`` columns in kernel / recurrent_kernel
    _cell_name = "simple_rnn_cell"  # Keras keeps the weights in a cell: lstm/lstm_cell/kernel
    _legacy_keywords = ("input_length",)

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, activity_regularizer=None,
                 **kwargs):
        kind = type(self).__name__
        input_length = kwargs.pop("input_length", None)
        input_dim = kwargs.pop("input_dim", None)
        super().__init__(**kwargs)
        self.units = _positive_int(units, "units", kind)
        self._activation_arg = activation
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._initializer_args = {"kernel_initializer": kernel_initializer,
                                  "recurrent_initializer": recurrent_initializer,
                                  "bias_initializer": bias_initializer}
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        # A penalty added to the loss (model.losses) and a projection after each update.
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # penalises y
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)
        self.stateful = bool(stateful)
        if self.stateful:
            raise NotSupportedError(
                f"{kind}(stateful=True) is not supported by kteach. A stateful layer keeps its "
                f"last state between batches, so batch i+1 must continue the sequences of "
                f"batch i. Use stateful=False (the default) and give each sample its whole "
                f"sequence; the state then starts from zeros for every sample.")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        if self.dropout or self.recurrent_dropout:
            raise NotSupportedError(
                f"{kind}(dropout={dropout}, recurrent_dropout={recurrent_dropout}): dropout "
                f"inside a recurrent layer is not supported by kteach yet. Use 0.0 for both, "
                f"and if you need regularisation put a Dropout layer before or after the "
                f"{kind} (on its inputs or outputs).")
        if input_dim is not None or input_length is not None:
            self._batch_input_shape = _legacy_input_shape(kind, input_dim, input_length)

    # ----- configuration (used by Bidirectional to make its copies) ---------------------------
    _config_keys = ("units", "activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "dropout", "recurrent_dropout",
                    "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint",
                    "activity_regularizer")
    _keras_config = {"zero_output_for_mask": False}

    def get_config(self) -> dict:
        """The arguments that rebuild this layer, with the keys Keras 3 writes."""
        config = super().get_config()
        # Keras' Bidirectional asks its copies for zeros at masked steps; masks do not exist
        # in kteach, so this only keeps the config as Keras writes it.
        config["zero_output_for_mask"] = getattr(self, "_zero_output_for_mask", False)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "RecurrentLayer":
        """A new, unbuilt layer with the arguments of :meth:`get_config`."""
        zero_output = bool(config.get("zero_output_for_mask", False))
        layer = super().from_config(config)
        layer._zero_output_for_mask = zero_output
        return layer

    # ----- weights ----------------------------------------------------------------------------
    def _add_cell_weight(self, name: str, shape: tuple, initializer: Callable):
        """A weight with Keras' path ``<layer>/<cell>/<name>`` (e.g. ``lstm/lstm_cell/kernel``)."""
        option = "recurrent" if name == "recurrent_kernel" else name   # recurrent_regularizer
        v = self.add_weight(name, shape, initializer,
                            regularizer=getattr(self, f"{option}_regularizer"),
                            constraint=getattr(self, f"{option}_constraint"))
        v.path = naming.weight_path(self.name, f"{self._cell_name}/{name}")
        return v

    def build(self, input_shape):
        self._check_rank(input_shape)
        n_in, g = input_shape[-1], self._gates * self.units
        self.kernel = self._add_cell_weight("kernel", (n_in, g), self.kernel_initializer)
        self.recurrent_kernel = self._add_cell_weight("recurrent_kernel", (self.units, g),
                                                      self.recurrent_initializer)
        if self.use_bias:
            self.bias = self._add_cell_weight("bias", self._bias_shape(), self._bias_init())

    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_init(self) -> Callable:
        return self.bias_initializer

    # ----- shapes -----------------------------------------------------------------------------
    def _check_rank(self, shape: Any) -> None:
        if isinstance(shape, list) or len(shape) != 3 or shape[-1] is None:
            kind = type(self).__name__
            got = f"{len(shape)}" if not isinstance(shape, list) else f"a list of {len(shape)}"
            hint = (" If these are token ids (one integer per word), put an Embedding layer "
                    "before it; if each sample is one series of numbers, add a features axis: "
                    "x.reshape(batch, T, 1)." if not isinstance(shape, list) and len(shape) == 2
                    else "")
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim=3, found ndim={got}. Full shape received: "
                f"{format_shape(shape) if not isinstance(shape, list) else shape}. A {kind} "
                f"reads sequences shaped (batch, timesteps, features), with the features known."
                f"{hint}")

    def check_input_shape(self, shape):
        """Any sequence length is fine; the number of features must be the one built for."""
        self._check_rank(shape)
        n_in = self.kernel.shape[0]
        if shape[-1] != n_in:
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected axis "
                f"-1 of input shape to have value {n_in}, but received input with shape "
                f"{format_shape(shape)}. This {type(self).__name__} was built for {n_in} "
                f"features per time step.")

    def compute_output_shape(self, input_shape):
        b, T = input_shape[0], input_shape[1]
        out = (b, T, self.units) if self.return_sequences else (b, self.units)
        if self.return_state:
            return [out] + [(b, self.units)] * self._n_states()
        return out

    def _n_states(self) -> int:
        return 1

    # ----- forward and backward: time reversal and outputs around the subclass's loop ---------
    def forward(self, x, training=False):
        """``x (b, T, n)`` → ``h_T (b, u)`` or ``h (b, T, u)`` [+ final states]."""
        if x.ndim != 3 or x.shape[1] == 0:
            raise ShapeError(f"Layer '{self.name}' needs sequences shaped (batch, timesteps, "
                             f"features) with at least one step; got shape {x.shape}.")
        xs = x[:, ::-1] if self.go_backwards else x   # the order in which steps are read
        hs, states, steps = self._forward_steps(xs)
        y = hs if self.return_sequences else hs[:, -1]
        self._activity_penalty(y)
        outputs = [y] + states if self.return_state else y
        return outputs, (xs, hs, steps)

    def backward(self, cache, dy):
        """Gradients arriving at the outputs → ``dL/dh_t`` for every step, then BPTT."""
        xs, hs, steps = cache
        d_out, d_states = (dy[0], dy[1:]) if self.return_state else (dy, [])
        d_out = self._activity_gradient(hs if self.return_sequences else hs[:, -1], d_out)
        dhs = np.zeros_like(hs)             # dL/dh_t from outside the recurrence
        if self.return_sequences:
            dhs += d_out
        else:
            dhs[:, -1] += d_out
        if d_states:
            dhs[:, -1] += d_states[0]       # the returned h_T
        dxs, grads = self._backward_steps(xs, hs, steps, dhs, list(d_states[1:]))
        dx = dxs[:, ::-1] if self.go_backwards else dxs
        return dx, grads

    def _forward_steps(self, x):
        raise NotImplementedError

    def _backward_steps(self, x, hs, steps, dhs, d_more):
        raise NotImplementedError

    def _input_part(self, x: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        """``x_t·W + b`` for every step at once: ``(b, T, n)·(n, g·u) → (b, T, g·u)``."""
        a = x @ self.kernel.value
        if bias is not None:
            a += bias
        return a

    def _input_grads(self, x: np.ndarray, da: np.ndarray) -> tuple[np.ndarray, ...]:
        """Mirror of :meth:`_input_part`: ``dx = da·Wᵀ``, ``dW = Σ xᵀ·da``, ``db = Σ da``."""
        return da @ self.kernel.value.T, _outer_sum(x, da), da.sum(axis=(0, 1))

    # ----- text -------------------------------------------------------------------------------
    def _shapes_text(self, input_shape, output_shape) -> str:
        parts = [f"x {format_shape(input_shape)}", f"W {format_shape(self.kernel.shape)}",
                 f"U {format_shape(self.recurrent_kernel.shape)}"]
        if self.use_bias:
            parts.append(f"b {format_shape(self.bias.shape)}")
        order = "t = T … 1 (go_backwards)" if self.go_backwards else "t = 1 … T"
        outs = output_shape if isinstance(output_shape, list) else [output_shape]
        out = ", ".join(format_shape(tuple(s)) for s in outs)
        return f"{order}, h_0 = 0 : {', '.join(parts)} → {out}"

    def _act_name(self) -> str:
        return activations.serialize(self.activation)


def _legacy_input_shape(kind: str, input_dim: Any, input_length: Any) -> tuple:
    """``LSTM(32, input_dim=8, input_length=10)`` (Keras 1/2) → input shape ``(None, 10, 8)``."""
    if input_dim is None:
        raise ShapeError(
            f"{kind}(input_length={input_length}) without input_dim does not say how many "
            f"features each step has. Start the model with Input(shape=({input_length}, "
            f"n_features)) instead.")
    steps = None if input_length is None else int(input_length)
    warn_once(
        f"`input_dim`/`input_length` on a {kind} are Keras 1/2 spellings that Keras 3 refuses. "
        f"kteach accepts them; in Keras 3 start the model with "
        f"Input(shape=({steps}, {int(input_dim)})) (timesteps, features) instead.",
        key="rnn_input_dim")
    return (None, steps, int(input_dim))


# ===== SimpleRNN =================================================================================
class SimpleRNN(RecurrentLayer):
    """Fully connected recurrence: ``h_t = tanh(x_t·W + h_{t−1}·U + b)``.

    Shapes: x ``(b, T, n)``, W ``(n, u)``, U ``(u, u)``, b ``(u,)``, h_t ``(b, u)``.
    Parameters: ``u·(n + u) + u``.

    Backward through time, for t = T … 1, with ``dh`` the gradient of h_t:
    ``dh = dL/dh_t (from the output) + dh_next``, ``dz_t = dh · tanh'(z_t)``,
    ``dh_next = dz_t·Uᵀ`` (sent to step t−1); then ``dU = Σ_t h_{t−1}ᵀ·dz_t``,
    ``dW = Σ_t x_tᵀ·dz_t``, ``db = Σ dz_t``, ``dx_t = dz_t·Wᵀ``.
    """

    _gates = 1
    _cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        kwargs.update(activity_regularizer=activity_regularizer,
                      kernel_regularizer=kernel_regularizer,
                      recurrent_regularizer=recurrent_regularizer,
                      bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                      recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)
        self.seed = seed

    def formula(self, input_shape, output_shape):
        b = " + b" if self.use_bias else ""
        shapes = self._shapes_text(input_shape, output_shape)
        return f"h_t = {self._act_name()}(x_t·W + h_{{t−1}}·U{b}), {shapes}"

    def _forward_steps(self, x):
        U = self.recurrent_kernel.value
        a = self._input_part(x, self.bias.value if self.use_bias else None)   # x_t·W + b
        h = _zeros_like_state(x, self.units, a.dtype)
        zs, hs = np.empty_like(a), np.empty_like(a)
        for t in range(x.shape[1]):
            z = a[:, t] + h @ U
            h = self.activation(z)
            zs[:, t], hs[:, t] = z, h
        return hs, [h], zs

    def _backward_steps(self, x, hs, zs, dhs, d_more):
        U = self.recurrent_kernel.value
        dzs = np.empty_like(zs)
        dh_next = np.zeros_like(hs[:, 0])           # what step t+1 sends back to h_t
        for t in reversed(range(x.shape[1])):
            dh = dhs[:, t] + dh_next
            dz = activations.backward(self.activation, zs[:, t], hs[:, t], dh)
            dzs[:, t] = dz
            dh_next = dz @ U.T
        dx, dW, db = self._input_grads(x, dzs)
        dU = _outer_sum(_shifted(hs), dzs)
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]


# ===== LSTM ======================================================================================
class LSTM(RecurrentLayer):
    """Long short-term memory. Per step, with σ the recurrent activation (sigmoid) and tanh
    the activation:

        z_t = x_t·W + h_{t−1}·U + b            (b, 4u), blocks i | f | c | o
        i = σ(z_i), f = σ(z_f), c̃ = tanh(z_c), o = σ(z_o)
        c_t = f·c_{t−1} + i·c̃
        h_t = o·tanh(c_t)

    Shapes: W ``(n, 4u)``, U ``(u, 4u)``, b ``(4u,)``. Parameters ``4·(u·(n + u) + u)``.
    ``unit_forget_bias=True`` starts the f block of the bias at 1 (the cell remembers at first).

    Backward through time, for t = T … 1, with ``dh`` and ``dc`` the gradients of h_t, c_t:
    ``dh = dL/dh_t + dh_next``, ``do = dh·tanh(c_t)``,
    ``dc = dc_next + dh·o·tanh'(c_t)``, ``di = dc·c̃``, ``df = dc·c_{t−1}``, ``dc̃ = dc·i``,
    ``dc_next = dc·f``; each gate's ``dz`` through its activation; ``dh_next = dz_t·Uᵀ``.
    """

    _gates = 4
    _cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        kwargs.update(activity_regularizer=activity_regularizer,
                      kernel_regularizer=kernel_regularizer,
                      recurrent_regularizer=recurrent_regularizer,
                      bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                      recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)
        self._recurrent_activation_arg = recurrent_activation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.seed, self.use_cudnn = seed, use_cudnn

    def get_config(self) -> dict:
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, "seed": self.seed}

    def _n_states(self) -> int:
        return 2

    def _bias_init(self) -> Callable:
        if not self.unit_forget_bias:
            return self.bias_initializer
        u, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # blocks i | f | c | o: the usual initializer everywhere except ones for f
            return np.concatenate([init((u,), dtype), np.ones((u,), dtype=dtype),
                                   init((2 * u,), dtype)])
        return forget_bias_one

    def formula(self, input_shape, output_shape):
        s, g = activations.serialize(self.recurrent_activation), self._act_name()
        b = " + b" if self.use_bias else ""
        return (f"i,f,o = {s}(z), c̃ = {g}(z), z = x_t·W + h_{{t−1}}·U{b}; "
                f"c_t = f·c_{{t−1}} + i·c̃; h_t = o·{g}(c_t), "
                f"{self._shapes_text(input_shape, output_shape)}")

    def _forward_steps(self, x):
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        a = self._input_part(x, self.bias.value if self.use_bias else None)   # x_t·W + b
        h = c = _zeros_like_state(x, u, a.dtype)
        zs, gates = np.empty_like(a), np.empty_like(a)
        cs, tanh_cs, hs = (np.empty(a.shape[:2] + (u,), a.dtype) for _ in range(3))
        for t in range(x.shape[1]):
            z = a[:, t] + h @ U
            i, f = sigma(z[:, :u]), sigma(z[:, u:2 * u])
            c_hat, o = act(z[:, 2 * u:3 * u]), sigma(z[:, 3 * u:])
            c = f * c + i * c_hat
            tanh_c = act(c)
            h = o * tanh_c
            zs[:, t], gates[:, t] = z, np.concatenate([i, f, c_hat, o], axis=1)
            cs[:, t], tanh_cs[:, t], hs[:, t] = c, tanh_c, h
        return hs, [h, c], (zs, gates, cs, tanh_cs)

    def _backward_steps(self, x, hs, steps, dhs, d_more):
        zs, gates, cs, tanh_cs = steps
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        dzs = np.empty_like(zs)
        dh_next = np.zeros_like(hs[:, 0])
        dc_next = d_more[0] if d_more else np.zeros_like(cs[:, 0])   # dL/dc_T if returned
        for t in reversed(range(x.shape[1])):
            z, gate = zs[:, t], gates[:, t]
            i, f, c_hat, o = gate[:, :u], gate[:, u:2 * u], gate[:, 2 * u:3 * u], gate[:, 3 * u:]
            c_prev = cs[:, t - 1] if t > 0 else np.zeros_like(cs[:, 0])
            dh = dhs[:, t] + dh_next
            do = dh * tanh_cs[:, t]
            dc = dc_next + activations.backward(act, cs[:, t], tanh_cs[:, t], dh * o)
            di, df, dc_hat = dc * c_hat, dc * c_prev, dc * i
            dc_next = dc * f
            dz = np.concatenate([
                activations.backward(sigma, z[:, :u], i, di),
                activations.backward(sigma, z[:, u:2 * u], f, df),
                activations.backward(act, z[:, 2 * u:3 * u], c_hat, dc_hat),
                activations.backward(sigma, z[:, 3 * u:], o, do)], axis=1)
            dzs[:, t] = dz
            dh_next = dz @ U.T
        dx, dW, db = self._input_grads(x, dzs)
        dU = _outer_sum(_shifted(hs), dzs)
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]


# ===== GRU =======================================================================================
class GRU(RecurrentLayer):
    """Gated recurrent unit. Blocks z | r | h; σ the recurrent activation, tanh the activation.

    ``reset_after=True`` (Keras 3 default; bias ``(2, 3u)``: row 0 for the input, row 1 for
    the state):

        mx = x_t·W + b[0],  mh = h_{t−1}·U + b[1]
        z = σ(mx_z + mh_z),  r = σ(mx_r + mh_r)
        ĥ = tanh(mx_h + r·mh_h)
        h_t = z·h_{t−1} + (1 − z)·ĥ

    ``reset_after=False`` (Keras 2.2 default; bias ``(3u,)``): the reset gate acts before the
    product, ``ĥ = tanh(mx_h + (r·h_{t−1})·U_h)``, and z, r use ``x_t·W + b + h_{t−1}·U`` on
    their blocks.

    Parameters ``3·(u·(n + u) + 2u)`` (reset_after) or ``3·(u·(n + u) + u)``.

    Backward, per step t = T … 1: ``dh = dL/dh_t + dh_next``, ``dz = dh·(h_{t−1} − ĥ)``,
    ``dĥ = dh·(1 − z)``, the direct path ``dh_next = dh·z``, then through tanh and the gates
    (see the two ``_backward_*`` methods, each the mirror of its forward).
    """

    _gates = 3
    _cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        kwargs.update(activity_regularizer=activity_regularizer,
                      kernel_regularizer=kernel_regularizer,
                      recurrent_regularizer=recurrent_regularizer,
                      bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                      recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)
        self._recurrent_activation_arg = recurrent_activation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.seed, self.use_cudnn = seed, use_cudnn

    def get_config(self) -> dict:
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after, "seed": self.seed}

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def formula(self, input_shape, output_shape):
        s, g = activations.serialize(self.recurrent_activation), self._act_name()
        if self.reset_after:
            cand = f"ĥ = {g}(mx_h + r·mh_h), mx = x_t·W + b[0], mh = h_{{t−1}}·U + b[1]"
        else:
            cand = f"ĥ = {g}(mx_h + (r·h_{{t−1}})·U_h), mx = x_t·W + b"
        return (f"z,r = {s}(mx + h_{{t−1}}·U), {cand}; h_t = z·h_{{t−1}} + (1−z)·ĥ, "
                f"{self._shapes_text(input_shape, output_shape)}")

    def _forward_steps(self, x):
        if self.reset_after:
            return self._forward_reset_after(x)
        return self._forward_reset_before(x)

    def _backward_steps(self, x, hs, steps, dhs, d_more):
        if self.reset_after:
            return self._backward_reset_after(x, hs, steps, dhs)
        return self._backward_reset_before(x, hs, steps, dhs)

    # -- reset_after=True ------------------------------------------------------------------------
    def _forward_reset_after(self, x):
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        b_in, b_rec = (self.bias.value[0], self.bias.value[1]) if self.use_bias else (None, 0)
        mx = self._input_part(x, b_in)                         # (b, T, 3u)
        h = _zeros_like_state(x, u, mx.dtype)
        mhs = np.empty_like(mx)
        pre_zrs, zrs = np.empty_like(mx[..., :2 * u]), np.empty_like(mx[..., :2 * u])
        pre_hs, h_hats, hs = (np.empty_like(mx[..., :u]) for _ in range(3))
        for t in range(x.shape[1]):
            mh = h @ U + b_rec
            pre_zr = mx[:, t, :2 * u] + mh[:, :2 * u]
            z, r = sigma(pre_zr[:, :u]), sigma(pre_zr[:, u:])
            pre_h = mx[:, t, 2 * u:] + r * mh[:, 2 * u:]
            h_hat = act(pre_h)
            h = z * h + (1 - z) * h_hat
            mhs[:, t], pre_zrs[:, t], zrs[:, t] = mh, pre_zr, np.concatenate([z, r], axis=1)
            pre_hs[:, t], h_hats[:, t], hs[:, t] = pre_h, h_hat, h
        return hs, [h], (mhs, pre_zrs, zrs, pre_hs, h_hats)

    def _backward_reset_after(self, x, hs, steps, dhs):
        mhs, pre_zrs, zrs, pre_hs, h_hats = steps
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        h_prevs = _shifted(hs)
        dmx, dmh_all = np.empty_like(mhs), np.empty_like(mhs)
        dh_next = np.zeros_like(hs[:, 0])
        for t in reversed(range(x.shape[1])):
            zr, h_prev, h_hat = zrs[:, t], h_prevs[:, t], h_hats[:, t]
            z, r = zr[:, :u], zr[:, u:]
            dh = dhs[:, t] + dh_next
            dz, dh_hat = dh * (h_prev - h_hat), dh * (1 - z)
            d_pre_h = activations.backward(act, pre_hs[:, t], h_hat, dh_hat)
            dr = d_pre_h * mhs[:, t, 2 * u:]
            d_pre_zr = np.concatenate([
                activations.backward(sigma, pre_zrs[:, t, :u], z, dz),
                activations.backward(sigma, pre_zrs[:, t, u:], r, dr)], axis=1)
            dmh = np.concatenate([d_pre_zr, d_pre_h * r], axis=1)
            dmx[:, t] = np.concatenate([d_pre_zr, d_pre_h], axis=1)
            dmh_all[:, t] = dmh
            dh_next = dh * z + dmh @ U.T
        dx, dW, db_in = self._input_grads(x, dmx)
        dU = _outer_sum(h_prevs, dmh_all)
        if not self.use_bias:
            return dx, [dW, dU]
        return dx, [dW, dU, np.stack([db_in, dmh_all.sum(axis=(0, 1))])]

    # -- reset_after=False -----------------------------------------------------------------------
    def _forward_reset_before(self, x):
        u, U = self.units, self.recurrent_kernel.value
        U_zr, U_h = U[:, :2 * u], U[:, 2 * u:]
        sigma, act = self.recurrent_activation, self.activation
        mx = self._input_part(x, self.bias.value if self.use_bias else None)   # (b, T, 3u)
        h = _zeros_like_state(x, u, mx.dtype)
        pre_zrs, zrs = np.empty_like(mx[..., :2 * u]), np.empty_like(mx[..., :2 * u])
        pre_hs, h_hats, hs = (np.empty_like(mx[..., :u]) for _ in range(3))
        for t in range(x.shape[1]):
            pre_zr = mx[:, t, :2 * u] + h @ U_zr
            z, r = sigma(pre_zr[:, :u]), sigma(pre_zr[:, u:])
            pre_h = mx[:, t, 2 * u:] + (r * h) @ U_h
            h_hat = act(pre_h)
            h = z * h + (1 - z) * h_hat
            pre_zrs[:, t], zrs[:, t] = pre_zr, np.concatenate([z, r], axis=1)
            pre_hs[:, t], h_hats[:, t], hs[:, t] = pre_h, h_hat, h
        return hs, [h], (pre_zrs, zrs, pre_hs, h_hats)

    def _backward_reset_before(self, x, hs, steps, dhs):
        pre_zrs, zrs, pre_hs, h_hats = steps
        u, U = self.units, self.recurrent_kernel.value
        U_zr, U_h = U[:, :2 * u], U[:, 2 * u:]
        sigma, act = self.recurrent_activation, self.activation
        h_prevs = _shifted(hs)
        d_pre_zrs, d_pre_hs = np.empty_like(pre_zrs), np.empty_like(pre_hs)
        dh_next = np.zeros_like(hs[:, 0])
        for t in reversed(range(x.shape[1])):
            zr, h_prev, h_hat = zrs[:, t], h_prevs[:, t], h_hats[:, t]
            z, r = zr[:, :u], zr[:, u:]
            dh = dhs[:, t] + dh_next
            dz, dh_hat = dh * (h_prev - h_hat), dh * (1 - z)
            d_pre_h = activations.backward(act, pre_hs[:, t], h_hat, dh_hat)
            d_rh = d_pre_h @ U_h.T                  # gradient of r·h_{t−1}
            dr = d_rh * h_prev
            d_pre_zr = np.concatenate([
                activations.backward(sigma, pre_zrs[:, t, :u], z, dz),
                activations.backward(sigma, pre_zrs[:, t, u:], r, dr)], axis=1)
            d_pre_zrs[:, t], d_pre_hs[:, t] = d_pre_zr, d_pre_h
            dh_next = dh * z + d_rh * r + d_pre_zr @ U_zr.T
        dmx = np.concatenate([d_pre_zrs, d_pre_hs], axis=-1)
        dx, dW, db = self._input_grads(x, dmx)
        r_prevs = zrs[..., u:] * h_prevs            # r·h_{t−1} of every step
        dU = np.concatenate([_outer_sum(h_prevs, d_pre_zrs), _outer_sum(r_prevs, d_pre_hs)], axis=1)
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]
