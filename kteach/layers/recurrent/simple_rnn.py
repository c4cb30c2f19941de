"""SimpleRNN: the plain recurrence ``h_t = tanh(x_t·W + h_{t−1}·U + b)``."""
from __future__ import annotations

import numpy as np

from ... import activations
from .base import (RecurrentLayer, _shifted, blocks_outer, blocks_product, blocks_product_back,
                   carry_over, shared_arguments, split_by_mask)


class SimpleRNN(RecurrentLayer):
    """Fully connected recurrence, for t = 1 … T (h_0 = 0):

        z_t = x_t·W + h_{t−1}·U + b
        h_t = tanh(z_t)

    Shapes: x ``(b, T, n)``, W ``(n, u)``, U ``(u, u)``, b ``(u,)``, h_t ``(b, u)``.
    Parameters: ``u·(n + u) + u``.

    Backward through time, for t = T … 1, with ``dh`` the gradient of h_t:

        dh = dL/dh_t (from the output) + dh_next
        dz_t = dh · tanh'(z_t)
        dh_next = dz_t·Uᵀ                        (sent to step t−1)

    then ``dU = Σ_t h_{t−1}ᵀ·dz_t``, ``dW = Σ_t x_tᵀ·dz_t``, ``db = Σ dz_t``,
    ``dx_t = dz_t·Wᵀ``.

    Options (see :mod:`kteach.layers.recurrent.base`): a mask makes a padded step keep
    ``h_t = h_{t−1}`` (backward: ``dh`` goes straight to ``h_{t−1}``); ``dropout`` and
    ``recurrent_dropout`` multiply ``x_t`` and ``h_{t−1}`` by masks drawn once per call,
    ``z_t = (x_t·D_x)·W + (h_{t−1}·D_h)·U + b``; ``initial_state=[h_0]`` replaces the zeros
    and backward also returns ``dL/dh_0``.
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
        super().__init__(units, **shared_arguments(locals()), **kwargs)
        self.seed = seed

    def forward(self, x, training=False, mask=None):
        """``x (b, T, n)`` → ``h_T (b, u)``, or every ``h_t`` ``(b, T, u)`` [+ ``h_T``]."""
        run = self._prepare(x, training, mask)      # steps in reading order, masks, h_0
        U = self.recurrent_kernel.value
        a = self._input_part(run.xs, self.bias.value if self.use_bias else None, run.dx_drop)
        h = run.states[0]
        zs, hs = np.empty_like(a), np.empty_like(a)
        for t in range(a.shape[0]):                                  # a is (T, b, u)
            z = np.add(a[t], blocks_product(h, U, run.dh_drop), out=zs[t])   # x_t·W+b+h_{t−1}·U
            h = hs[t] = carry_over(run.keep_at(t), self.activation(z), h)    # masked: h_{t−1}
        return self._outputs(hs, [h], run.keep), (run, hs, zs)

    def backward(self, cache, dy):
        """dL/d(outputs) → ``dx`` and ``[dW, dU, db]``, step by step from T down to 1."""
        run, hs, zs = cache
        dhs, _ = self._step_gradients(hs, dy, run.keep)    # dL/dh_t from the outputs
        U = self.recurrent_kernel.value
        dzs = np.empty_like(zs)
        dh_next = np.zeros_like(hs[0])                      # what step t+1 sends back to h_t
        for t in reversed(range(zs.shape[0])):
            dh, dh_skip = split_by_mask(run.keep_at(t), dhs[t] + dh_next)
            dz = dzs[t] = activations.backward(self.activation, zs[t], hs[t], dh)
            dh_next = blocks_product_back(dz, U, run.dh_drop) + dh_skip
        dxs, dW, db = self._input_grads(run.xs, dzs, run.dx_drop)
        dU = blocks_outer(_shifted(hs, run.states[0]), run.dh_drop, dzs)
        dx = self._input_gradients(run, dxs, [dh_next])     # dh_next is now dL/dh_0
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]

    def formula(self, input_shape, output_shape):
        b = " + b" if self.use_bias else ""
        shapes = self._shapes_text(input_shape, output_shape)
        return f"h_t = {self._act_name()}(x_t·W + h_{{t−1}}·U{b}), {shapes}"
