"""SimpleRNN: the plain recurrence ``h_t = tanh(x_t·W + h_{t−1}·U + b)``."""
from __future__ import annotations

import numpy as np

from ... import activations
from .base import RecurrentLayer, shared_arguments, _outer_sum, _shifted, _zeros_like_state


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

    def forward(self, x, training=False):
        """``x (b, T, n)`` → ``h_T (b, u)``, or every ``h_t`` ``(b, T, u)`` [+ ``h_T``]."""
        xs = self._reading_order(x)
        U = self.recurrent_kernel.value
        a = self._input_part(xs, self.bias.value if self.use_bias else None)   # x_t·W + b
        h = _zeros_like_state(xs, self.units, a.dtype)
        zs, hs = np.empty_like(a), np.empty_like(a)
        for t in range(xs.shape[1]):
            z = a[:, t] + h @ U
            h = self.activation(z)
            zs[:, t], hs[:, t] = z, h
        return self._outputs(hs, [h]), (xs, hs, zs)

    def backward(self, cache, dy):
        """dL/d(outputs) → ``dx`` and ``[dW, dU, db]``, step by step from T down to 1."""
        xs, hs, zs = cache
        dhs, _ = self._step_gradients(hs, dy)    # dL/dh_t from the outputs
        U = self.recurrent_kernel.value
        dzs = np.empty_like(zs)
        dh_next = np.zeros_like(hs[:, 0])        # what step t+1 sends back to h_t
        for t in reversed(range(xs.shape[1])):
            dh = dhs[:, t] + dh_next
            dz = activations.backward(self.activation, zs[:, t], hs[:, t], dh)
            dzs[:, t] = dz
            dh_next = dz @ U.T
        dxs, dW, db = self._input_grads(xs, dzs)
        dU = _outer_sum(_shifted(hs), dzs)
        return self._time_order(dxs), [dW, dU, db] if self.use_bias else [dW, dU]

    def formula(self, input_shape, output_shape):
        b = " + b" if self.use_bias else ""
        shapes = self._shapes_text(input_shape, output_shape)
        return f"h_t = {self._act_name()}(x_t·W + h_{{t−1}}·U{b}), {shapes}"
