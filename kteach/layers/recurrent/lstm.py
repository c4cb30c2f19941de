"""LSTM: long short-term memory, a recurrence with a cell ``c`` and three gates."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ... import activations
from .base import (RecurrentLayer, _shifted, blocks_outer, blocks_product, blocks_product_back,
                   carry_over, shared_arguments, split_by_mask)


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

    Options: a mask makes a padded step keep ``h_t, c_t = h_{t−1}, c_{t−1}`` (``dh`` and
    ``dc`` go straight back); dropout multiplies ``x_t`` and ``h_{t−1}`` by masks drawn once
    per call, one per gate block when ``recurrent_dropout`` is on (Keras' implementation 1);
    ``initial_state=[h_0, c_0]``, with ``dL/dh_0``, ``dL/dc_0`` from backward.
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

    def forward(self, x, training=False, mask=None):
        """``x (b, T, n)`` → ``h_T (b, u)``, or every ``h_t`` ``(b, T, u)`` [+ h_T, c_T]."""
        run = self._prepare(x, training, mask)      # steps in reading order, masks, h_0, c_0
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        a = self._input_part(run.xs, self.bias.value if self.use_bias else None, run.dx_drop)
        h, c = run.states
        zs, gates = np.empty_like(a), np.empty_like(a)      # (T, b, 4u); gates i | f | c̃ | o
        cs, tanh_cs, hs = (np.empty(a.shape[:2] + (u,), a.dtype) for _ in range(3))
        for t in range(a.shape[0]):
            z = np.add(a[t], blocks_product(h, U, run.dh_drop), out=zs[t])   # x_t·W + b + h·U
            g = gates[t]
            g[:] = sigma(z)                                  # i, f, o (and c̃, replaced next)
            g[:, 2 * u:3 * u] = act(z[:, 2 * u:3 * u])       # c̃
            i, f, c_hat, o = g[:, :u], g[:, u:2 * u], g[:, 2 * u:3 * u], g[:, 3 * u:]
            c_new = f * c + i * c_hat
            tanh_c = tanh_cs[t] = act(c_new)
            h = hs[t] = carry_over(run.keep_at(t), o * tanh_c, h)    # masked: h_{t−1}, c_{t−1}
            c = cs[t] = carry_over(run.keep_at(t), c_new, c)
        return self._outputs(hs, [h, c], run.keep), (run, hs, zs, gates, cs, tanh_cs)

    def backward(self, cache, dy):
        """dL/d(outputs) → ``dx`` and ``[dW, dU, db]``, step by step from T down to 1."""
        run, hs, zs, gates, cs, tanh_cs = cache
        dhs, d_states = self._step_gradients(hs, dy, run.keep)
        u, U = self.units, self.recurrent_kernel.value
        sigma, act = self.recurrent_activation, self.activation
        dzs, c_prevs = np.empty_like(zs), _shifted(cs, run.states[1])
        dh_next = np.zeros_like(hs[0])
        dc_next = d_states[1] if d_states and d_states[1] is not None else np.zeros_like(dh_next)
        for t in reversed(range(zs.shape[0])):
            g = gates[t]
            i, f, c_hat, o = g[:, :u], g[:, u:2 * u], g[:, 2 * u:3 * u], g[:, 3 * u:]
            dh, dh_skip = split_by_mask(run.keep_at(t), dhs[t] + dh_next)
            dc = dc_next + activations.backward(act, cs[t], tanh_cs[t], dh * o)
            dc, dc_skip = split_by_mask(run.keep_at(t), dc)
            dc_next = dc * f + dc_skip
            d_gates = np.concatenate([dc * c_hat, dc * c_prevs[t], dc * i, dh * tanh_cs[t]], 1)
            dz = activations.backward(sigma, zs[t], g, d_gates)             # σ' for i, f, o
            dz[:, 2 * u:3 * u] = activations.backward(                       # tanh' for c̃
                act, zs[t, :, 2 * u:3 * u], c_hat, d_gates[:, 2 * u:3 * u])
            dzs[t] = dz
            dh_next = blocks_product_back(dz, U, run.dh_drop) + dh_skip
        dxs, dW, db = self._input_grads(run.xs, dzs, run.dx_drop)
        dU = blocks_outer(_shifted(hs, run.states[0]), run.dh_drop, dzs)
        dx = self._input_gradients(run, dxs, [dh_next, dc_next])   # and dL/dh_0, dL/dc_0
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]

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
