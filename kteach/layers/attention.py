"""Attention layers: Attention (Luong-style, no projections) and MultiHeadAttention.

Attention lets every query step look at all the steps of another sequence and take a
weighted average of them, the weights saying how well each key matches the query::

    S = score(Q, K)                 (batch, T_q, T_k)   how well query t matches key u
    A = softmax(S) over u           each row sums to 1
    y = A · V                       (batch, T_q, d_v)   a weighted average of the values

Backward runs the three lines upwards: ``dA = dy · Vᵀ``, ``dV = Aᵀ · dy``, the softmax's
``dS = A ⊙ (dA − Σ_u dA ⊙ A)``, then ``dQ``, ``dK`` from the score.

``use_causal_mask=True`` (a call argument, as in Keras) lets query step ``t`` see only keys
``u ≤ t``: the other scores get ``−10⁹`` added before the softmax, so their weights are 0
(and so are their gradients). kteach takes it on calls with arrays (eager code and
subclassed models); a functional graph cannot record it yet, so there it is refused.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import activations, initializers
from ..engine import random
from ..engine.errors import NotSupportedError, ShapeError, refuse_unsupported
from ..engine.layer import Layer
from ..engine.tensor import KerasTensor, format_shape
from .core import _positive_int


def _check_rate(rate: Any, layer: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
        raise ValueError(f"The `dropout` argument of {layer} must be a number in [0, 1) (the "
                         f"fraction of attention weights dropped in training). Received: "
                         f"dropout={rate!r}.")
    return float(rate)


def _refuse_call_options(layer: Layer, kwargs: dict) -> None:
    """Keras' call options that kteach does not take yet, refused with a message."""
    for key in ("return_attention_scores",):
        if kwargs.pop(key, False):
            raise NotSupportedError(
                f"{type(layer).__name__}(...)({key}=True) is not supported by kteach yet: "
                f"its layer calls take only the inputs and `training`. Leave it out.")
    for key in ("attention_mask", "mask", "query_mask", "value_mask", "key_mask"):
        if kwargs.pop(key, None) is not None:
            raise NotSupportedError(
                f"{type(layer).__name__}: masks ({key}=...) are not supported by kteach yet.")


def _causal_call(layer: Layer, call: Any, inputs: Any, use_causal_mask: bool) -> Any:
    """Run ``call()`` with the causal mask on for this one call (read by ``forward``, which
    runs inside it and keeps the mask in its cache for backward)."""
    if not use_causal_mask:
        return call()
    flat = [t for x in inputs for t in (x if isinstance(x, (list, tuple)) else [x])]
    if any(isinstance(t, KerasTensor) for t in flat):
        raise NotSupportedError(
            f"{type(layer).__name__}(...)(..., use_causal_mask=True) on Input tensors: kteach's "
            f"functional graphs do not record call options yet. Call the layer with "
            f"use_causal_mask=True inside a subclassed Model's call() (or on arrays).")
    layer._use_causal_mask = True
    try:
        return call()
    finally:
        layer._use_causal_mask = False


def _add_causal_mask(layer: Layer, S: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``S`` with −10⁹ added where key ``u`` comes after query ``t`` (when the call asked)."""
    if not getattr(layer, "_use_causal_mask", False):
        return S, None
    keep = np.tril(np.ones(S.shape[-2:], dtype=bool))       # (T_q, T_k): u ≤ t
    return np.where(keep, S, S - 1e9), keep


def _dropout_mask(layer: Layer, shape: tuple, training: bool) -> np.ndarray | None:
    """Inverted dropout on the attention weights (only in training): keep with 1 − rate,
    scaled by 1/(1 − rate); None when nothing is dropped."""
    if not training or layer.dropout == 0:
        return None
    rng = layer._rng or random.rng()
    return (rng.random(shape) >= layer.dropout) / (1.0 - layer.dropout)


def _softmax_backward(A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """``dS = A ⊙ (dA − Σ_u dA ⊙ A)`` along the keys (the last axis)."""
    return A * (dA - (dA * A).sum(axis=-1, keepdims=True))


def _fans_over(init: Any, input_axes: list[int], output_axes: list[int]) -> Any:
    """A fan-based initializer (Glorot, He, ...) told which kernel axes are inputs and which
    are outputs, as Keras does for its projection kernels: for ``(d, heads, k)`` the fans are
    ``d`` and ``heads·k``, not the conv-style ``d·heads`` and ``d·k``."""
    if not isinstance(init, initializers.VarianceScaling) or init.input_axes is not None:
        return init
    config = {**init.get_config(), "input_axes": input_axes, "output_axes": output_axes}
    return type(init)(**config)


# ----- Attention ---------------------------------------------------------------------------
class Attention(Layer):
    """Dot-product attention (no projections): each query step takes the average of the
    values weighted by how well its query matches each key::

        'dot':    S[b, t, u] = s · Σ_i Q[b, t, i] K[b, u, i]                 (s = scale or 1)
        'concat': S[b, t, u] = c · Σ_i tanh(s · (Q[b, t, i] + K[b, u, i]))
        A = softmax_u(S),  y[b, t] = Σ_u A[b, t, u] V[b, u]

    Shapes: query Q ``(batch, T_q, d)``, value V ``(batch, T_k, d_v)``, key K
    ``(batch, T_k, d)`` (default: value), y ``(batch, T_q, d_v)``. No weights, except a scalar
    ``scale`` s with ``use_scale=True`` and a scalar ``concat_score_weight`` c with
    ``score_mode='concat'``.

    Called as ``Attention()([query, value])``; ``use_causal_mask=True`` keeps ``u ≤ t``.

    Backward: ``dA = dy · Vᵀ``, ``dV = Aᵀ · dy``, ``dS = A ⊙ (dA − Σ_u dA ⊙ A)``; 'dot':
    ``dQ = s·dS·K``, ``dK = s·dSᵀ·Q``, ``ds = Σ dS ⊙ QKᵀ``; 'concat' with ``τ = tanh(s(Q+K))``:
    ``dZ = c·dS·(1 − τ²)`` per ``(t, u, i)``, ``dQ = s·Σ_u dZ``, ``dK = s·Σ_t dZ``,
    ``dc = Σ dS ⊙ Στ``, ``ds = Σ dZ ⊙ (Q + K)``.
    """

    _config_keys = ("use_scale", "score_mode", "dropout", "seed")

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = _check_rate(dropout, "Attention")
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, inputs, training=False):
        Q, V = inputs[0], inputs[1]
        K = inputs[2] if len(inputs) == 3 else V
        s = self.scale.value if self.use_scale else 1.0
        if self.score_mode == "dot":
            QK = Q @ K.transpose(0, 2, 1)
            S, tau = s * QK, None
        else:
            QK = Q[:, :, None, :] + K[:, None, :, :]          # (batch, T_q, T_k, d)
            tau = np.tanh(s * QK)
            S = self.concat_score_weight.value * tau.sum(axis=-1)
        S, _ = _add_causal_mask(self, S)
        A = activations.softmax(S, axis=-1)
        mask = _dropout_mask(self, A.shape, training)
        A_d = A if mask is None else A * mask
        y = A_d @ V
        return y, (Q, K, V, QK, tau, A, mask, A_d, len(inputs))

    def backward(self, cache, dy):
        Q, K, V, QK, tau, A, mask, A_d, n_inputs = cache
        s = self.scale.value if self.use_scale else 1.0
        dV = A_d.transpose(0, 2, 1) @ dy
        dA = dy @ V.transpose(0, 2, 1)
        if mask is not None:
            dA = dA * mask
        dS = _softmax_backward(A, dA)
        grads = []
        if self.score_mode == "dot":
            dQ, dK = s * (dS @ K), s * (dS.transpose(0, 2, 1) @ Q)
            if self.use_scale:
                grads.append(np.sum(dS * QK))
        else:
            c = self.concat_score_weight.value
            dZ = (c * dS)[..., None] * (1.0 - tau ** 2)        # d/d(s·(Q + K))
            dQ, dK = s * dZ.sum(axis=2), s * dZ.sum(axis=1)
            if self.use_scale:
                grads.append(np.sum(dZ * QK))
            grads.append(np.sum(dS * tau.sum(axis=-1)))
        if n_inputs == 3:
            return [dQ, dV, dK], grads
        return [dQ, dV + dK], grads                             # key is value

    def _check_inputs(self, shapes: Any) -> None:
        if not isinstance(shapes, list) or len(shapes) not in (2, 3):
            raise ShapeError(
                f"Attention layer '{self.name}' must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: "
                f"{shapes if isinstance(shapes, list) else format_shape(shapes)}. Write "
                f"Attention()([query, value]).")
        q, v, k = shapes[0], shapes[1], shapes[-1]
        if any(len(s) != 3 for s in shapes):
            raise ShapeError(f"Attention layer '{self.name}' works on 3-D inputs (batch, steps, "
                             f"features); received shapes {[format_shape(s) for s in shapes]}.")
        if q[-1] != k[-1] or v[1] != k[1]:
            raise ShapeError(
                f"Attention layer '{self.name}': query and key need the same last axis, value "
                f"and key the same number of steps. Received query {format_shape(q)}, value "
                f"{format_shape(v)}" + (f", key {format_shape(k)}." if len(shapes) == 3 else "."))

    def build(self, input_shape):
        self._check_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones",
                                                       name="concat_score_weight")

    def check_input_shape(self, shape):
        self._check_inputs(shape)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def __call__(self, inputs, *more, training=None, use_causal_mask=False, **kwargs):
        _refuse_call_options(self, kwargs)
        return _causal_call(self, lambda: super(Attention, self).__call__(
            inputs, *more, training=training, **kwargs), inputs, use_causal_mask)

    def formula(self, input_shape, output_shape):
        score = "Q·Kᵀ" if self.score_mode == "dot" else "Σ tanh(Q + K)"
        return (f"y = softmax({score})·V : {format_shape(input_shape[0])}, "
                f"{format_shape(input_shape[1])} → {format_shape(output_shape)}")


class _Projection(Layer):
    """A kernel and a bias of MultiHeadAttention (never called: the parent does the math)."""


# ----- MultiHeadAttention ---------------------------------------------------------------------
class MultiHeadAttention(Layer):
    """Multi-head attention: ``h`` heads attend from ``query`` to ``key``/``value`` side by
    side, each through its own projections, and their outputs are mixed. Per head ``n``::

        Q_n = (query·W_Q[:, n] + b_Q[n]) / √k,   K_n = key·W_K[:, n] + b_K[n],
        V_n = value·W_V[:, n] + b_V[n]
        A_n = softmax(Q_n·K_nᵀ) (over the keys),  O_n = A_n·V_n
        y = Σ_n O_n·W_O[n] + b_O

    Shapes: query ``(batch, T_q, d_q)``, value ``(batch, T_k, d_v)``, key ``(batch, T_k, d_k)``
    (default: value), y ``(batch, T_q, d_out)``; ``h`` = ``num_heads``, ``k`` = ``key_dim``,
    ``v`` = ``value_dim`` (default ``k``), ``d_out`` = ``output_shape`` (default ``d_q``).
    Weights in Keras' order: ``query/kernel`` W_Q ``(d_q, h, k)``, ``query/bias`` b_Q
    ``(h, k)``, ``key/kernel`` W_K ``(d_k, h, k)``, ``key/bias``, ``value/kernel`` W_V
    ``(d_v, h, v)``, ``value/bias``, ``attention_output/kernel`` W_O ``(h, v, d_out)``,
    ``attention_output/bias`` ``(d_out,)``.

    Called as ``mha(query, value)`` (self-attention: ``mha(x, x)``); ``use_causal_mask=True``
    lets query step ``t`` attend only to keys ``u ≤ t`` (a decoder).

    Backward (dropout on ``A`` in training scales ``dA`` by the same mask):
    ``dO_n = dy·W_O[n]ᵀ``, ``dW_O[n] = Σ O_nᵀ·dy``, ``dA_n = dO_n·V_nᵀ``, ``dV_n = A_nᵀ·dO_n``,
    ``dS_n = A_n ⊙ (dA_n − Σ dA_n ⊙ A_n)``, ``dQ_n = dS_n·K_n/√k``, ``dK_n = dS_nᵀ·Q_n``; each
    projection ``P = x·W + b`` then gives ``dW = Σ xᵀ·dP``, ``db = Σ dP``, ``dx = dP·Wᵀ``.
    """

    _config_keys = ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "use_gate",
                    "output_shape", "attention_axes", "sliding_window", "kernel_initializer",
                    "bias_initializer", "seed")
    _keras_config = {"kernel_regularizer": None, "bias_regularizer": None,
                     "activity_regularizer": None, "kernel_constraint": None,
                     "bias_constraint": None}

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        _refuse_mha_options(kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                            sliding_window=sliding_window, use_gate=use_gate,
                            flash_attention=flash_attention)
        self.num_heads = _positive_int(num_heads, "num_heads", "MultiHeadAttention")
        self.key_dim = _positive_int(key_dim, "key_dim", "MultiHeadAttention")
        self.value_dim = (self.key_dim if value_dim is None
                          else _positive_int(value_dim, "value_dim", "MultiHeadAttention"))
        self.attention_axes = _steps_axis_only(attention_axes)
        self.output_shape = _one_output_axis(output_shape)     # a tuple, as Keras keeps it
        self.dropout = _check_rate(dropout, "MultiHeadAttention")
        self._dropout_layer, self._softmax = self._weightless_keras_parts()
        self.use_bias = bool(use_bias)
        self.use_gate = False
        self.sliding_window = None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, inputs, training=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        Q = self._project(query, self.query_kernel, getattr(self, "query_bias", None))
        Q = Q / math.sqrt(self.key_dim)
        K = self._project(key, self.key_kernel, getattr(self, "key_bias", None))
        V = self._project(value, self.value_kernel, getattr(self, "value_bias", None))
        S = np.einsum("bqnj,bunj->bnqu", Q, K)                   # (batch, heads, T_q, T_k)
        S, _ = _add_causal_mask(self, S)
        A = activations.softmax(S, axis=-1)
        mask = _dropout_mask(self, A.shape, training)
        A_d = A if mask is None else A * mask
        O = np.einsum("bnqu,bunj->bqnj", A_d, V)                 # (batch, T_q, heads, v)
        y = np.einsum("bqnj,njo->bqo", O, self.output_kernel.value)
        if self.use_bias:
            y = y + self.output_bias.value
        return y, (query, key, value, Q, K, V, A, mask, A_d, O, len(inputs))

    def backward(self, cache, dy):
        query, key, value, Q, K, V, A, mask, A_d, O, n_inputs = cache
        dW_O = np.einsum("bqnj,bqo->njo", O, dy)
        dO = np.einsum("bqo,njo->bqnj", dy, self.output_kernel.value)
        dA = np.einsum("bqnj,bunj->bnqu", dO, V)
        dV = np.einsum("bnqu,bqnj->bunj", A_d, dO)
        if mask is not None:
            dA = dA * mask
        dS = _softmax_backward(A, dA)
        dQ = np.einsum("bnqu,bunj->bqnj", dS, K) / math.sqrt(self.key_dim)
        dK = np.einsum("bnqu,bqnj->bunj", dS, Q)
        grads, (d_query, d_key, d_value) = self._project_backward(
            ((query, dQ, self.query_kernel), (key, dK, self.key_kernel),
             (value, dV, self.value_kernel)))
        grads.append(dW_O)
        if self.use_bias:
            grads.append(dy.sum(axis=(0, 1)))
        if n_inputs == 3:
            return [d_query, d_value, d_key], grads
        return [d_query, d_value + d_key], grads                 # key is value

    def _project(self, x, W, b):
        """``P[b, t, n, j] = Σ_i x[b, t, i] W[i, n, j] + b[n, j]``."""
        P = np.einsum("bti,inj->btnj", x, W.value)
        return P + b.value if self.use_bias else P

    def _project_backward(self, projections):
        """For each ``(x, dP, W)`` of ``P = x·W + b``: ``dW = Σ xᵀ·dP`` and ``db = Σ dP`` (in
        Keras' weight order), and ``dx = dP·Wᵀ``."""
        grads, d_in = [], []
        for x, dP, W in projections:
            grads.append(np.einsum("bti,btnj->inj", x, dP))
            if self.use_bias:
                grads.append(dP.sum(axis=(0, 1)))
            d_in.append(np.einsum("btnj,inj->bti", dP, W.value))
        return grads, d_in

    def _weightless_keras_parts(self) -> tuple[Layer, Layer]:
        """Keras keeps a Dropout and a Softmax layer inside (no weights); their empty groups
        are in its .weights.h5 files, so kteach's files have them too. The math is forward's."""
        from .activation_layers import Softmax
        from .core import Dropout
        return Dropout(self.dropout, name="dropout"), Softmax(name="softmax")

    # ----- shapes
    def _shapes(self, shapes: Any) -> list:
        """The input shapes as [query, value, key] (key = value when not given)."""
        if not isinstance(shapes, list) or len(shapes) not in (2, 3):
            raise ShapeError(
                f"MultiHeadAttention layer '{self.name}' is called with a query and a value "
                f"(and optionally a key): mha(query, value) — for self-attention mha(x, x). "
                f"Received: {shapes if isinstance(shapes, list) else format_shape(shapes)}.")
        if any(len(s) != 3 for s in shapes):
            raise ShapeError(
                f"MultiHeadAttention layer '{self.name}' works on 3-D inputs (batch, steps, "
                f"features); received shapes {[format_shape(s) for s in shapes]}.")
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if k[1] is not None and v[1] is not None and k[1] != v[1]:
            raise ShapeError(f"MultiHeadAttention layer '{self.name}': key and value need the "
                             f"same number of steps; received key {format_shape(k)}, value "
                             f"{format_shape(v)}.")
        return [q, v, k]

    def _d_out(self, d_q: int) -> int:
        if self.output_shape is None:
            return d_q
        return self.output_shape[0]

    def build(self, input_shape):
        q, v, k = self._shapes(input_shape)
        if None in (q[-1], v[-1], k[-1]):
            raise ShapeError(f"MultiHeadAttention layer '{self.name}' needs to know the feature "
                             f"size (last axis) of every input.")
        self.attention_axes = (1,)
        h, kd, vd = self.num_heads, self.key_dim, self.value_dim
        d_out = self._d_out(q[-1])
        # Four projections, each a kernel and a bias held by a small sub-layer, as in Keras
        # (query_dense, key_dense, value_dense, output_dense): so the .weights.h5 groups match
        w_in = _fans_over(self.kernel_initializer, [0], [1, 2])       # (d, heads, k)
        w_out = _fans_over(self.kernel_initializer, [0, 1], [2])      # (heads, v, d_out)
        self.query_dense = self._projection("query", (q[-1], h, kd), (h, kd), w_in)
        self.key_dense = self._projection("key", (k[-1], h, kd), (h, kd), w_in)
        self.value_dense = self._projection("value", (v[-1], h, vd), (h, vd), w_in)
        self.output_dense = self._projection("attention_output", (h, vd, d_out), (d_out,), w_out)
        # the names the math uses
        self.query_kernel, self.key_kernel = self.query_dense.kernel, self.key_dense.kernel
        self.value_kernel, self.output_kernel = self.value_dense.kernel, self.output_dense.kernel
        if self.use_bias:
            self.query_bias, self.key_bias = self.query_dense.bias, self.key_dense.bias
            self.value_bias, self.output_bias = self.value_dense.bias, self.output_dense.bias

    def _projection(self, name: str, kernel_shape: tuple, bias_shape: tuple, init_w) -> Layer:
        part = _Projection(name=name, dtype=self.dtype)
        part.kernel = part.add_weight(kernel_shape, init_w, name="kernel")
        if self.use_bias:
            part.bias = part.add_weight(bias_shape, self.bias_initializer, name="bias")
        for w in part._weights:                     # Keras' paths: mha/query/kernel
            w.path = f"{self.name}/{name}/{w.name}"
        part.built = True
        return part

    def check_input_shape(self, shape):
        q, v, k = self._shapes(shape)
        expected = self._shapes(self._build_input_shape)
        if any(a[-1] != b[-1] for a, b in zip((q, v, k), expected)):
            raise ShapeError(
                f"MultiHeadAttention layer '{self.name}' was built for query, value, key "
                f"features {[s[-1] for s in expected]}, but received shapes "
                f"{[format_shape(s) for s in shape]}.")

    def compute_output_shape(self, input_shape):
        q, _, _ = self._shapes(input_shape)
        return tuple(q[:-1]) + (self._d_out(q[-1]),)

    def get_build_config(self):
        if not self.built:
            return None
        shapes = self._build_input_shape
        names = ["query_shape", "value_shape", "key_shape"][:len(shapes)]
        return {"shapes_dict": {n: list(s) for n, s in zip(names, shapes)}}

    def build_from_config(self, config):
        shapes = config.get("shapes_dict")
        if shapes and not self.built:
            order = [shapes[n] for n in ("query_shape", "value_shape", "key_shape") if n in shapes]
            self._maybe_build([tuple(s) for s in order])

    def call(self, query, value, key=None):
        """Positional calls ``mha(query, value[, key])``; the math is in forward/backward."""
        raise NotImplementedError("MultiHeadAttention computes in forward().")

    def __call__(self, query, value=None, key=None, training=None, use_causal_mask=False,
                 **kwargs):
        _refuse_call_options(self, kwargs)
        more = () if value is None else (value,) if key is None else (value, key)
        # mha(query, value[, key]), or mha([query, value]) as a list
        return _causal_call(self, lambda: super(MultiHeadAttention, self).__call__(
            query, *more, training=training, **kwargs), [query, *more], use_causal_mask)

    def formula(self, input_shape, output_shape):
        return (f"y = Σ_heads softmax(Q·Kᵀ/√{self.key_dim})·V·W_O + b ({self.num_heads} heads) : "
                f"{format_shape(input_shape[0])}, {format_shape(input_shape[1])} → "
                f"{format_shape(output_shape)}")


# ----- MultiHeadAttention's argument checks ----------------------------------------------------
def _refuse_mha_options(use_gate: Any, flash_attention: Any, **unsupported: Any) -> None:
    """Keras options that kteach's MultiHeadAttention does not implement, refused."""
    refuse_unsupported("MultiHeadAttention", **unsupported)
    if use_gate:
        raise NotSupportedError("MultiHeadAttention(use_gate=True) is not supported by "
                                "kteach yet. Remove the argument.")
    if flash_attention:
        raise NotSupportedError("MultiHeadAttention(flash_attention=True) is a GPU kernel; "
                                "kteach computes attention in plain NumPy. Remove it.")


def _steps_axis_only(attention_axes: Any) -> tuple | None:
    """``attention_axes`` may only name the steps axis (kteach attends over it alone)."""
    if attention_axes not in (None, 1, (1,), [1], -2, (-2,), [-2]):
        raise NotSupportedError(
            f"MultiHeadAttention(attention_axes={attention_axes!r}) is not supported by "
            f"kteach: attention runs over the steps axis of 3-D inputs (batch, steps, "
            f"features). Remove the argument.")
    return None if attention_axes is None else (1,)


def _one_output_axis(output_shape: Any) -> tuple | None:
    """``output_shape`` as Keras keeps it, a tuple ``(d_out,)``, or None for ``d_q``."""
    if output_shape is None:
        return None
    dims = list(output_shape) if isinstance(output_shape, (tuple, list)) else [output_shape]
    if len(dims) != 1:
        raise NotSupportedError(f"MultiHeadAttention(output_shape={output_shape!r}): "
                                f"kteach supports one output axis (an int).")
    return (_positive_int(dims[0], "output_shape", "MultiHeadAttention"),)
