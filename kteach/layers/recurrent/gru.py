"""GRU: the gated recurrent unit, a recurrence with an update gate and a reset gate."""
from __future__ import annotations

import numpy as np

from ... import activations
from .base import (RecurrentLayer, _outer_sum, _shifted, blocks_outer, blocks_product,
                   blocks_product_back, carry_over, shared_arguments, split_by_mask)


class GRU(RecurrentLayer):
    """Gated recurrent unit. Blocks z | r | h; σ the recurrent activation, tanh the
    activation; h_0 = 0. ``reset_after=True`` (Keras 3 default; bias ``(2, 3u)``: row 0 for
    the input, row 1 for the state):

        mx = x_t·W + b[0],  mh = h_{t−1}·U + b[1]
        z = σ(mx_z + mh_z),  r = σ(mx_r + mh_r)
        ĥ = tanh(mx_h + r·mh_h)
        h_t = z·h_{t−1} + (1 − z)·ĥ

    ``reset_after=False`` (Keras 2.2 default; bias ``(3u,)``): ``mx = x_t·W + b``,
    ``mh = h_{t−1}·U_zr`` (z and r blocks only) and the reset gate acts before the product,
    ``ĥ = tanh(mx_h + (r·h_{t−1})·U_h)``.

    Parameters ``3·(u·(n + u) + 2u)`` (reset_after) or ``3·(u·(n + u) + u)``.

    Backward, per step t = T … 1:

        dh = dL/dh_t + dh_next
        dz = dh·(h_{t−1} − ĥ),  dĥ = dh·(1 − z),  dpre_h = dĥ·tanh'
        reset_after:  dr = dpre_h·mh_h,  dmh = [dpre_z, dpre_r, dpre_h·r]
        reset_before: d(r·h) = dpre_h·U_hᵀ,  dr = d(r·h)·h_{t−1},  dmh = [dpre_z, dpre_r]
        dpre_z = dz·σ',  dpre_r = dr·σ'
        dh_next = dh·z + dmh·U_recᵀ  (+ d(r·h)·r before the reset)

    then ``dW = Σ xᵀ·dmx`` with ``dmx = [dpre_z, dpre_r, dpre_h]``, ``dU = Σ h_{t−1}ᵀ·dmh``
    (reset_before: the h block is ``Σ (r·h_{t−1})ᵀ·dpre_h``).

    Options: a mask keeps ``h_t = h_{t−1}`` at padded steps; dropout masks (drawn once per
    call, one per gate block with ``recurrent_dropout``) multiply ``x_t`` in ``mx`` and
    ``h_{t−1}`` where it meets U (not in ``z·h_{t−1}``), as Keras; ``initial_state=[h_0]``.
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
        super().__init__(units, **shared_arguments(locals()), **kwargs)
        self._recurrent_activation_arg = recurrent_activation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.seed, self.use_cudnn = seed, use_cudnn

    def forward(self, x, training=False, mask=None):
        """``x (b, T, n)`` → ``h_T (b, u)``, or every ``h_t`` ``(b, T, u)`` [+ ``h_T``]."""
        run = self._prepare(x, training, mask)      # steps in reading order, masks, h_0
        u, U, after = self.units, self.recurrent_kernel.value, self.reset_after
        U_rec, drop_rec = self._recurrent_blocks(U, run.dh_drop)   # what multiplies h_{t−1}
        sigma, act = self.recurrent_activation, self.activation
        b_in, b_rec = self._split_bias()
        mx = self._input_part(run.xs, b_in, run.dx_drop)            # (T, b, 3u)
        h = run.states[0]
        mhs = np.empty(mx.shape[:2] + U_rec.shape[1:], mx.dtype)
        pre_zrs, zrs, pre_hs, h_hats, hs = (np.empty_like(mx[..., :n])
                                            for n in (2 * u, 2 * u, u, u, u))
        for t in range(mx.shape[0]):
            mh = mhs[t] = blocks_product(h, U_rec, drop_rec) + b_rec
            pre_zr = np.add(mx[t, :, :2 * u], mh[:, :2 * u], out=pre_zrs[t])
            zr = zrs[t] = sigma(pre_zr)                      # z | r
            z, r = zr[:, :u], zr[:, u:]
            reset = r * mh[:, 2 * u:] if after else (r * self._h_for_h_block(h, run)) @ U[:, 2 * u:]
            pre_h = np.add(mx[t, :, 2 * u:], reset, out=pre_hs[t])
            h_hat = h_hats[t] = act(pre_h)
            h = hs[t] = carry_over(run.keep_at(t), z * h + (1 - z) * h_hat, h)
        return self._outputs(hs, [h], run.keep), (run, hs, mhs, pre_zrs, zrs, pre_hs, h_hats)

    def backward(self, cache, dy):
        """dL/d(outputs) → ``dx`` and ``[dW, dU, db]``, step by step from T down to 1."""
        run, hs, mhs, pre_zrs, zrs, pre_hs, h_hats = cache
        dhs, _ = self._step_gradients(hs, dy, run.keep)
        u, U, after = self.units, self.recurrent_kernel.value, self.reset_after
        (U_rec, drop_rec), U_h = self._recurrent_blocks(U, run.dh_drop), U[:, 2 * u:]
        sigma, act = self.recurrent_activation, self.activation
        h_prevs = _shifted(hs, run.states[0])
        dmxs, dmhs = np.empty(hs.shape[:2] + (3 * u,), hs.dtype), np.empty_like(mhs)
        dh_next = np.zeros_like(hs[0])
        for t in reversed(range(hs.shape[0])):
            z, r, h_prev, h_hat = zrs[t, :, :u], zrs[t, :, u:], h_prevs[t], h_hats[t]
            dh, dh_skip = split_by_mask(run.keep_at(t), dhs[t] + dh_next)
            dz, dh_hat = dh * (h_prev - h_hat), dh * (1 - z)
            d_pre_h = activations.backward(act, pre_hs[t], h_hat, dh_hat)
            if after:
                dr, d_rh = d_pre_h * mhs[t, :, 2 * u:], 0.0
            else:
                d_rh = d_pre_h @ U_h.T                  # gradient of r·h_{t−1} (its h block)
                dr = d_rh * self._h_for_h_block(h_prev, run)
                d_rh = self._h_for_h_block(d_rh * r, run)
            d_pre_zr = activations.backward(sigma, pre_zrs[t], zrs[t], np.concatenate([dz, dr], 1))
            dmh = np.concatenate([d_pre_zr, d_pre_h * r], axis=1) if after else d_pre_zr
            dmxs[t, :, :2 * u], dmxs[t, :, 2 * u:], dmhs[t] = d_pre_zr, d_pre_h, dmh
            dh_next = dh * z + d_rh + blocks_product_back(dmh, U_rec, drop_rec) + dh_skip
        dxs, dW, db_in = self._input_grads(run.xs, dmxs, run.dx_drop)
        dU = blocks_outer(h_prevs, drop_rec, dmhs)
        if not after:   # the h block: Σ (r·h_{t−1})ᵀ·dpre_h
            dU = np.concatenate([dU, _outer_sum(zrs[..., u:] * self._h_for_h_block(h_prevs, run),
                                                dmxs[..., 2 * u:])], axis=1)
        db = np.stack([db_in, dmhs.sum(axis=(0, 1))]) if after else db_in
        dx = self._input_gradients(run, dxs, [dh_next])     # dh_next is now dL/dh_0
        return dx, [dW, dU, db] if self.use_bias else [dW, dU]

    def _recurrent_blocks(self, U: np.ndarray, dh_drop: np.ndarray | None) -> tuple:
        """The part of U that multiplies ``h_{t−1}`` directly, with its dropout masks: all
        of U (reset_after), or only the z and r blocks (reset before the product)."""
        if self.reset_after:
            return U, dh_drop
        return U[:, :2 * self.units], None if dh_drop is None else dh_drop[:, :2]

    def _h_for_h_block(self, v: np.ndarray, run) -> np.ndarray:
        """``v`` times the recurrent dropout mask of the h block (reset before the product)."""
        if run.dh_drop is None:
            return v
        D = run.dh_drop[:, 2]
        return v * (D[np.newaxis] if v.ndim == 3 else D)      # (T, b, u) or (b, u)

    def _split_bias(self) -> tuple:
        """The bias added to ``x_t·W`` and the one added to ``h_{t−1}·U`` (reset_after)."""
        if not self.use_bias:
            return None, 0.0
        if self.reset_after:
            return self.bias.value[0], self.bias.value[1]
        return self.bias.value, 0.0

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
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
