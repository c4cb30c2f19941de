"""LSTM: long short-term memory, a recurrence with a cell ``c`` and three gates."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ... import activations
from .base import RecurrentLayer, shared_arguments, _outer_sum, _shifted, _zeros_like_state


class LSTM(RecurrentLayer):
    """Long short-term memory. Per step, with σ the recurrent activation (sigmoid) and tanh
    the activation (h_0 = c_0 = 0):

        z_t = x_t·W + h_{t−1}·U + b            (b, 4u), blocks i | f | c | o
        i = σ(z_i), f = σ(z_f), c̃ = tanh(z_c), o = σ(z_o)
        c_t = f·c_{t−1} + i·c̃
        h_t = o·tanh(c_t)

    Shapes: W ``(n, 4u)``, U ``(u, 4u)``, b ``(4u,)``. Parameters ``4·(u·(n + u) + u)``.
    ``unit_forget_bias=True`` starts the f block of the bias at 1 (the cell remembers at first).

    Backward through time, for t = T … 1, with ``dh`` and ``dc`` the gradients of h_t, c_t:

        dh = dL/dh_t + dh_next
        do = dh·tanh(c_t),  dc = dc_next + dh·o·tanh'(c_t)
        di = dc·c̃,  df = dc·c_{t−1},  dc̃ = dc·i,  dc_next = dc·f
        dz_t = [di·σ'(z_i), df·σ'(z_f), dc̃·tanh'(z_c), do·σ'(z_o)]
        dh_next = dz_t·Uᵀ

    then ``dU = Σ_t h_{t−1}ᵀ·dz_t``, ``dW = Σ_t x_tᵀ·dz_t``, ``db = Σ dz_t``.
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
        super().__init__(units, **shared_arguments(locals()), **kwargs)
        self._recurrent_activation_arg = recurrent_activation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.seed, self.use_cudnn = seed, use_cudnn

    def forward(self, x, training=False):
        """``x (b, T, n)`` → ``h_T (b, u)``, or every ``h_t`` ``(b, T, u)`` [+ h_T, c_T]."""
        xs = self._reading_order(x)
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        a = self._input_part(xs, self.bias.value if self.use_bias else None)   # x_t·W + b
        h = c = _zeros_like_state(xs, u, a.dtype)
        zs, gates = np.empty_like(a), np.empty_like(a)
        cs, tanh_cs, hs = (np.empty(a.shape[:2] + (u,), a.dtype) for _ in range(3))
        for t in range(xs.shape[1]):
            z = a[:, t] + h @ U
            i, f = sigma(z[:, :u]), sigma(z[:, u:2 * u])
            c_hat, o = act(z[:, 2 * u:3 * u]), sigma(z[:, 3 * u:])
            c = f * c + i * c_hat
            tanh_c = act(c)
            h = o * tanh_c
            zs[:, t], gates[:, t] = z, np.concatenate([i, f, c_hat, o], axis=1)
            cs[:, t], tanh_cs[:, t], hs[:, t] = c, tanh_c, h
        return self._outputs(hs, [h, c]), (xs, hs, zs, gates, cs, tanh_cs)

    def backward(self, cache, dy):
        """dL/d(outputs) → ``dx`` and ``[dW, dU, db]``, step by step from T down to 1."""
        xs, hs, zs, gates, cs, tanh_cs = cache
        dhs, d_states = self._step_gradients(hs, dy)
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        dzs = np.empty_like(zs)
        dh_next = np.zeros_like(hs[:, 0])
        dc_next = d_states[1] if d_states else np.zeros_like(cs[:, 0])   # dL/dc_T if returned
        c_prevs = _shifted(cs)
        for t in reversed(range(xs.shape[1])):
            z, gate = zs[:, t], gates[:, t]
            i, f, c_hat, o = gate[:, :u], gate[:, u:2 * u], gate[:, 2 * u:3 * u], gate[:, 3 * u:]
            dh = dhs[:, t] + dh_next
            do = dh * tanh_cs[:, t]
            dc = dc_next + activations.backward(act, cs[:, t], tanh_cs[:, t], dh * o)
            di, df, dc_hat = dc * c_hat, dc * c_prevs[:, t], dc * i
            dc_next = dc * f
            dz = np.concatenate([
                activations.backward(sigma, z[:, :u], i, di),
                activations.backward(sigma, z[:, u:2 * u], f, df),
                activations.backward(act, z[:, 2 * u:3 * u], c_hat, dc_hat),
                activations.backward(sigma, z[:, 3 * u:], o, do)], axis=1)
            dzs[:, t] = dz
            dh_next = dz @ U.T
        dxs, dW, db = self._input_grads(xs, dzs)
        dU = _outer_sum(_shifted(hs), dzs)
        return self._time_order(dxs), [dW, dU, db] if self.use_bias else [dW, dU]

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
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
