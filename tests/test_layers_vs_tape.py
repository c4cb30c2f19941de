"""Every built-in layer's hand-written backward, held against the tape (issue 9).

A built-in layer writes ``forward``/``backward`` by hand; a learner's layer writes ``call``
with :mod:`kteach.ops` and gets its backward from the tape. Here each built-in layer meets a
*reference*: the same layer written again, briefly, with kteach.ops only, reading the
layer's own weights. The reference runs under a ``GradientTape`` and must agree with the
layer, in float64 and to ~1e-9:

* its output with the layer's ``forward``;
* for the scalar ``L = Σ r·y`` (``r`` a fixed random upstream gradient), the tape's
  ``dL/dx`` and ``dL/dw`` (every input, every trainable weight) with ``layer.backward``.

The references are written as the math reads, deliberately *not* as the layers compute:
a convolution adds one shifted slice of the input per kernel offset instead of im2col, a
pooling stacks its window taps, a recurrent layer runs a Python loop over ``ops`` calls, Dot
is one ``einsum``. So an error in either side shows up as a difference.

:func:`test_layer_called_under_a_tape_gives_its_backward` runs the same cases through the
engine's path: the layer called under a tape is one entry whose vjp is its own backward.
:func:`test_every_layer_class_is_covered` fails when ``kteach.layers`` gains a layer class
that has no case here: add a reference and a case for it.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np
import pytest

import kteach
from kteach import activations, layers, ops
from kteach.layers import Layer

RTOL = 1e-9     # float64 reaches ~1e-15; anything above this is a real difference
ATOL = 1e-12    # for entries that cancel to ~0 (sums of a few dozen O(1) terms)


# ============================================================ the comparison
def check_against_tape(layer: Layer, inputs: Any, reference: Callable,
                       training: bool = False, seed: int = 0, twin: Layer | None = None,
                       mask: Any = None) -> None:
    """``layer.forward``/``backward`` against ``reference(layer, x)`` under a tape.

    With ``twin`` (an identical fresh layer), the reference runs on the twin and the twin's
    weights are differentiated: for a reference that calls the layer itself, so that a
    dropout mask is drawn afresh and batch statistics are not updated twice.
    """
    rng = np.random.default_rng(1000 + seed)
    several = isinstance(inputs, list)
    flat = inputs if several else [inputs]

    # the layer's own pass (with the input's mask, for the cases that have one)
    y, cache = layer.forward(inputs, training, **({} if mask is None else {"mask": mask}))
    ys = y if isinstance(y, list) else [y]
    rs = [rng.normal(size=np.shape(v)) for v in ys]
    dx, d_weights = layer.backward(cache, rs if isinstance(y, list) else rs[0])
    dxs = dx if several else [dx]
    assert len(d_weights) == len(layer.weights), "backward must give one entry per weight"

    # the reference under a tape: the same scalar Σ r·y
    floats = [x for x in flat if x.dtype.kind == "f"]
    on_tape = layer if twin is None else twin
    pairs = list(zip(layer.weights, on_tape.weights))
    trainable = [t for _, t in pairs if t.trainable]
    with kteach.GradientTape() as tape:
        tape.watch(floats)
        seen = [ops.convert_to_tensor(x) if x.dtype.kind == "f" else x for x in flat]
        out = reference(on_tape, seen if several else seen[0])
        outs = out if isinstance(out, list) else [out]
        assert len(outs) == len(ys), f"reference gives {len(outs)} outputs, layer {len(ys)}"
        total = ops.sum(ops.multiply(rs[0], outs[0]))
        for r, o in zip(rs[1:], outs[1:]):
            total = ops.add(total, ops.sum(ops.multiply(r, o)))
    grads = tape.gradient(total, floats + trainable)
    tape_dx = dict(zip(map(id, floats), grads[:len(floats)]))
    tape_dw = dict(zip(map(id, trainable), grads[len(floats):]))

    for i, (hand, ref) in enumerate(zip(ys, outs)):
        assert_same(f"output {i}", hand, ref)
    for i, (x, g) in enumerate(zip(flat, dxs)):
        if x.dtype.kind != "f":
            assert g is None, f"input {i} holds integer ids: backward should give None"
            continue
        assert tape_dx[id(x)] is not None, f"the reference never used input {i}"
        assert_same(f"dL/d input {i}", g, tape_dx[id(x)])
    for (w, t), g in zip(pairs, d_weights):
        if not w.trainable:
            assert g is None, f"{w.path} is not trainable: backward should give None"
            continue
        assert tape_dw[id(t)] is not None, f"the reference never used {w.path}"
        assert_same(f"dL/d {w.path}", g, tape_dw[id(t)])


def assert_same(what: str, hand: Any, tape: Any) -> None:
    """Hand-written (left) and tape (right) agree in shape, dtype (float64) and value."""
    hand, tape = np.asarray(hand), np.asarray(tape)
    assert hand.shape == tape.shape, f"{what}: shape {hand.shape} by hand, {tape.shape} by tape"
    assert hand.dtype == np.float64 and tape.dtype == np.float64, \
        f"{what}: dtype {hand.dtype} by hand, {tape.dtype} by tape (float64 expected)"
    worst = np.max(np.abs(hand - tape) / (ATOL + RTOL * np.abs(tape)), initial=0.0)
    np.testing.assert_allclose(hand, tape, rtol=RTOL, atol=ATOL,
                               err_msg=f"{what}: hand-written vs tape (worst {worst:.3g}× tol)")


# ============================================================ activations as ops
def act(f: Callable) -> Callable:
    """The kteach.ops function for a layer's activation (``activation='gelu'`` is exact)."""
    name = activations.serialize(f)
    special = {"linear": lambda z: z, "exponential": ops.exp,
               "gelu": lambda z: ops.gelu(z, approximate=False)}
    return special.get(name) or getattr(ops, name)


def _sigmoid(x):
    return ops.divide(1.0, ops.add(1.0, ops.exp(ops.negative(x))))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848, 1.0507009873554804934

# Each activation once more from elementary ops (exp, log, erf, where, clip...), so that the
# Activation cases check the activations' hand-written derivatives too -- the activation
# ops reuse those derivatives, the elementary ops do not.
ELEMENTARY: dict[str, Callable] = {
    "linear": lambda x: x,
    "relu": lambda x: ops.maximum(x, 0.0),
    "relu6": lambda x: ops.minimum(ops.maximum(x, 0.0), 6.0),
    "leaky_relu": lambda x: ops.where(ops.greater(x, 0), x, ops.multiply(0.2, x)),
    "elu": lambda x: ops.where(ops.greater(x, 0), x, ops.subtract(ops.exp(x), 1.0)),
    "selu": lambda x: ops.multiply(SELU_SCALE, ops.where(
        ops.greater(x, 0), x, ops.multiply(SELU_ALPHA, ops.subtract(ops.exp(x), 1.0)))),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: ops.clip(ops.add(ops.divide(x, 6.0), 0.5), 0.0, 1.0),
    "silu": lambda x: ops.multiply(x, _sigmoid(x)),
    "swish": lambda x: ops.multiply(x, _sigmoid(x)),
    "tanh": lambda x: ops.subtract(ops.multiply(2.0, _sigmoid(ops.multiply(2.0, x))), 1.0),
    "softplus": lambda x: ops.log1p(ops.exp(x)),
    "softsign": lambda x: ops.divide(x, ops.add(1.0, ops.absolute(x))),
    "exponential": ops.exp,
    "gelu": lambda x: ops.multiply(ops.multiply(0.5, x),
                                   ops.add(1.0, ops.erf(ops.divide(x, math.sqrt(2.0))))),
    "softmax": lambda x: ops.divide(ops.exp(x), ops.sum(ops.exp(x), axis=-1, keepdims=True)),
}


def activation_names() -> list[str]:
    """Every built-in activation: the public functions of kteach.activations that carry
    their derivative as ``f.backward`` (how the module documents a built-in)."""
    return sorted(n for n, f in vars(activations).items()
                  if not n.startswith("_") and not isinstance(f, type)
                  and callable(getattr(f, "backward", None)))


# ============================================================ small helpers
def pad_axis(x: Any, axis: int, before: int, after: int, value: float = 0.0) -> Any:
    """``x`` with ``before``/``after`` constant entries added along ``axis``."""
    parts = []
    for n in (before, None, after):
        if n is None:
            parts.append(x)
        elif n:
            shape = list(x.shape)
            shape[axis] = n
            parts.append(np.full(shape, value, dtype=x.dtype))
    return ops.concatenate(parts, axis=axis) if len(parts) > 1 else x


def padded(x: Any, padding: str, span: tuple, strides: tuple, value: float = 0.0):
    """The input padded for 'valid', 'same' or 'causal', and the output size per axis."""
    out = []
    for axis, (n, w, s) in enumerate(zip(x.shape[1:-1], span, strides), start=1):
        if padding == "valid":
            front, back, size = 0, 0, (n - w) // s + 1
        else:
            size = -(-n // s)                                 # ⌈n/s⌉
            total = max((size - 1) * s + w - n, 0)            # what the last window lacks
            front, back = ((w - 1, 0) if padding == "causal"
                           else (total // 2, total - total // 2))
        x = pad_axis(x, axis, front, back, value)
        out.append(size)
    return x, tuple(out)


def tap(xp: Any, offset: tuple, strides: tuple, dilation: tuple, out: tuple) -> Any:
    """What every output position sees at one kernel offset: ``xp[:, t·s + i·d, :]``."""
    where = tuple(slice(i * d, i * d + s * (n - 1) + 1, s)
                  for i, s, d, n in zip(offset, strides, dilation, out))
    return ops.getitem(xp, (slice(None),) + where + (slice(None),))


def reduce(f: Callable, xs: list) -> Any:
    y = xs[0]
    for x in xs[1:]:
        y = f(y, x)
    return y


# ============================================================ references, one per layer
def identity(layer, x):
    return x


def dense(layer, x):
    z = ops.matmul(x, layer.kernel)
    if layer.use_bias:
        z = ops.add(z, layer.bias)
    return act(layer.activation)(z)


def activation_layer(layer, x):
    return ELEMENTARY[activations.serialize(layer.activation)](x)


def dropout(layer, x, training=False):
    """In training: the mask a twin layer with the same seed draws (same seed, same mask)."""
    if not training or layer.rate == 0:
        return x
    twin = layers.Dropout(layer.rate, noise_shape=layer.noise_shape, seed=layer.seed,
                          dtype=layer.dtype)
    mask, _ = twin.forward(np.ones(x.shape, dtype=x.dtype), training=True)
    return ops.multiply(x, mask)


def flatten(layer, x):
    return ops.reshape(x, (x.shape[0], -1))


def reshape(layer, x):
    return ops.reshape(x, (x.shape[0],) + layer.target_shape)


def embedding(layer, ids):
    return ops.take(layer.embeddings, ids, axis=0)


def lambda_layer(layer, x):
    return ops.multiply(ops.sin(x), x)          # the function the Lambda cases use


# ----- recurrent
def steps(layer, x) -> list:
    """``x_t`` in the order the layer reads them."""
    order = range(x.shape[1] - 1, -1, -1) if layer.go_backwards else range(x.shape[1])
    return [ops.getitem(x, (slice(None), t)) for t in order]


def rnn_outputs(layer, hs: list, states: list) -> Any:
    y = ops.stack(hs, axis=1) if layer.return_sequences else hs[-1]
    return [y] + states if layer.return_state else y


def plus(a, b):
    """``a + b``, or ``a`` where there is no ``b`` (a layer without bias)."""
    return a if b is None else ops.add(a, b)


def affine(x, W, h, U, b):
    """``x·W + h·U (+ b)``."""
    return plus(ops.add(ops.matmul(x, W), ops.matmul(h, U)), b)


def rnn_start(layer, x, n_states: int) -> tuple:
    """The sequence and the initial states: zeros, or the ones given as ``[x, h_0, …]``."""
    if isinstance(x, list):
        return x[0], list(x[1:])
    return x, [np.zeros((x.shape[0], layer.units), dtype=x.dtype)] * n_states


def keeps(layer, mask, T: int) -> list:
    """Per step in reading order: ``(b, 1)`` True where the step is real (None: no mask)."""
    if mask is None:
        return [None] * T
    order = range(T - 1, -1, -1) if layer.go_backwards else range(T)
    return [np.asarray(mask, bool)[:, t, np.newaxis] for t in order]


def carried(keep, new, old):
    """The new state on real steps, the old one on masked steps."""
    return new if keep is None else ops.where(keep, new, old)


def dropped(v, D, k: int):
    """``v`` times dropout mask k (the only one when D has one; none when D is None)."""
    return v if D is None else ops.multiply(v, D[:, min(k, D.shape[1] - 1)])


def simple_rnn(layer, x, mask=None, drop=(None, None)):
    f = act(layer.activation)
    b = layer.bias if layer.use_bias else None
    x, (h,) = rnn_start(layer, x, 1)
    hs = []
    for x_t, keep in zip(steps(layer, x), keeps(layer, mask, x.shape[1])):
        z = affine(dropped(x_t, drop[0], 0), layer.kernel, dropped(h, drop[1], 0),
                   layer.recurrent_kernel, b)
        h = carried(keep, f(z), h)
        hs.append(h)
    return rnn_outputs(layer, hs, [h])


def gate_blocks(layer, x_t, h, drop, n: int) -> list:
    """``(x_t·Dx_k)·W_k + (h·Dh_k)·U_k`` for each of the n gate blocks k (no bias)."""
    W = ops.split(layer.kernel, n, axis=-1)
    U = ops.split(layer.recurrent_kernel, n, axis=-1)
    return [ops.add(ops.matmul(dropped(x_t, drop[0], k), W[k]),
                    ops.matmul(dropped(h, drop[1], k), U[k])) for k in range(n)]


def lstm(layer, x, mask=None, drop=(None, None)):
    g, sigma = act(layer.activation), act(layer.recurrent_activation)
    b = ops.split(layer.bias, 4, axis=-1) if layer.use_bias else [None] * 4
    x, (h, c) = rnn_start(layer, x, 2)
    hs = []
    for x_t, keep in zip(steps(layer, x), keeps(layer, mask, x.shape[1])):
        z_i, z_f, z_c, z_o = [plus(z, b_k) for z, b_k in
                              zip(gate_blocks(layer, x_t, h, drop, 4), b)]
        c_new = ops.add(ops.multiply(sigma(z_f), c), ops.multiply(sigma(z_i), g(z_c)))
        h, c = carried(keep, ops.multiply(sigma(z_o), g(c_new)), h), carried(keep, c_new, c)
        hs.append(h)
    return rnn_outputs(layer, hs, [h, c])


def gru(layer, x, mask=None, drop=(None, None)):
    g, sigma = act(layer.activation), act(layer.recurrent_activation)
    W = ops.split(layer.kernel, 3, axis=-1)              # blocks z | r | h
    U = ops.split(layer.recurrent_kernel, 3, axis=-1)
    if not layer.use_bias:
        b_x = b_h = [None] * 3
    elif layer.reset_after:      # one bias row for the input part, one for the state part
        b_x = ops.split(ops.getitem(layer.bias, 0), 3, axis=-1)
        b_h = ops.split(ops.getitem(layer.bias, 1), 3, axis=-1)
    else:
        b_x, b_h = ops.split(layer.bias, 3, axis=-1), [None] * 3
    x, (h,) = rnn_start(layer, x, 1)
    hs = []
    for x_t, keep in zip(steps(layer, x), keeps(layer, mask, x.shape[1])):
        mx = [plus(ops.matmul(dropped(x_t, drop[0], k), W[k]), b_x[k]) for k in range(3)]
        mh = [plus(ops.matmul(dropped(h, drop[1], k), U[k]), b_h[k]) for k in range(3)]
        z, r = sigma(ops.add(mx[0], mh[0])), sigma(ops.add(mx[1], mh[1]))
        if layer.reset_after:    # the reset gate scales the state's product
            h_hat = g(ops.add(mx[2], ops.multiply(r, mh[2])))
        else:                    # the reset gate scales the state before the product
            h_hat = g(ops.add(mx[2], ops.matmul(ops.multiply(r, dropped(h, drop[1], 2)), U[2])))
        h = carried(keep, ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1.0, z), h_hat)),
                    h)
        hs.append(h)
    return rnn_outputs(layer, hs, [h])


# ----- convolution and pooling
def conv(layer, x):
    """``z = Σ_offsets tap(x_pad, offset) · W[offset] + b``: one product per kernel offset."""
    k, s, d = layer.kernel_size, layer.strides, layer.dilation_rate
    span = tuple(d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d))
    xp, out = padded(x, layer.padding, span, s)
    z = reduce(ops.add, [ops.matmul(tap(xp, offset, s, d, out), ops.getitem(layer.kernel, offset))
                         for offset in np.ndindex(*k)])
    if layer.use_bias:
        z = ops.add(z, layer.bias)
    return act(layer.activation)(z)


def dilate(x: Any, axis: int, s: int) -> Any:
    """``s − 1`` zeros between neighbouring entries along ``axis``: length n → (n − 1)·s + 1."""
    if s == 1:
        return x
    zeros = [np.zeros(x.shape, dtype=x.dtype)] * (s - 1)
    y = ops.stack([x] + zeros, axis=axis + 1)
    shape = x.shape[:axis] + (x.shape[axis] * s,) + x.shape[axis + 1:]
    keep = (slice(None),) * axis + (slice(0, (x.shape[axis] - 1) * s + 1),)
    return ops.getitem(ops.reshape(y, shape), keep)


def conv_transpose(layer, x):
    """Spread the input out by the stride, then add one shifted copy of ``x_dil · W[i]ᵀ`` per
    kernel offset ``i`` (shifted by ``i·d``); keep the window that ``padding`` keeps."""
    from kteach.layers.convolutional_transpose import transpose_layout
    k, s, d = layer.kernel_size, layer.strides, layer.dilation_rate
    rank = len(k)
    xd = x
    for axis in range(1, rank + 1):
        xd = dilate(xd, axis, s[axis - 1])
    parts = []
    for offset in np.ndindex(*k):
        W_i = ops.transpose(ops.getitem(layer.kernel, offset))          # (C, filters)
        part = ops.matmul(xd, W_i)
        for axis, (i, d_, k_) in enumerate(zip(offset, d, k), start=1):
            part = pad_axis(part, axis, i * d_, d_ * (k_ - 1) - i * d_)
        parts.append(part)
    y = reduce(ops.add, parts)
    p_out = layer.output_padding or (None,) * rank
    for axis in range(1, rank + 1):
        n, start, full = transpose_layout(x.shape[axis], k[axis - 1], s[axis - 1], d[axis - 1],
                                          layer.padding, p_out[axis - 1])
        y = pad_axis(y, axis, 0, max(start + n - full, 0))
        y = ops.getitem(y, (slice(None),) * axis + (slice(start, start + n),))
    if layer.use_bias:
        y = ops.add(y, layer.bias)
    return act(layer.activation)(y)


def depthwise_taps(layer, x, D):
    """``Σ_offsets tap(x_pad, offset)[..., c] · D[offset][c, j]``, channels c·m + j."""
    k, s, d = layer.kernel_size, layer.strides, layer.dilation_rate
    span = tuple(d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d))
    xp, out = padded(x, layer.padding, span, s)
    z = reduce(ops.add, [ops.multiply(ops.expand_dims(tap(xp, offset, s, d, out), -1),
                                      ops.getitem(D, offset)) for offset in np.ndindex(*k)])
    return ops.reshape(z, z.shape[:3] + (-1,))


def depthwise_conv(layer, x):
    z = depthwise_taps(layer, x, layer.kernel)
    return act(layer.activation)(ops.add(z, layer.bias) if layer.use_bias else z)


def separable_conv(layer, x):
    h = depthwise_taps(layer, x, layer.depthwise_kernel)
    z = ops.matmul(h, ops.getitem(layer.pointwise_kernel, (0, 0)))
    return act(layer.activation)(ops.add(z, layer.bias) if layer.use_bias else z)


def pool(layer, x):
    """Max or mean of the window taps, stacked on a new last axis; a mean counts only the
    real (unpadded) values of its window."""
    p, s = layer.pool_size, layer.strides
    ones = (1,) * len(p)
    if layer.mode == "max":
        xp, out = padded(x, layer.padding, p, s, value=-np.inf)
        return ops.max(ops.stack([tap(xp, o, s, ones, out) for o in np.ndindex(*p)], -1), axis=-1)
    xp, out = padded(x, layer.padding, p, s)
    total = ops.sum(ops.stack([tap(xp, o, s, ones, out) for o in np.ndindex(*p)], -1), axis=-1)
    real, _ = padded(np.ones((1,) + x.shape[1:-1] + (1,)), layer.padding, p, s)
    count = ops.sum(ops.stack([tap(real, o, s, ones, out) for o in np.ndindex(*p)], -1), axis=-1)
    return ops.divide(total, count)


def global_pool(layer, x):
    axes = tuple(range(1, x.ndim - 1))
    reduce_ = ops.max if layer.mode == "max" else ops.mean
    return reduce_(x, axis=axes, keepdims=layer.keepdims)


def up_sampling(layer, x):
    return ops.repeat(x, layer.size, axis=1)


def zero_padding(layer, x):
    return pad_axis(x, 1, *layer.padding)


# ----- activation layers and reshaping (2D, cropping, repeat, permute)
def leaky_relu_layer(layer, x):
    return ops.where(ops.greater(x, 0), x, ops.multiply(layer.negative_slope, x))


def relu_layer(layer, x):
    """Keras' three parts: the pass-through above θ, the ceiling, the slope below θ."""
    above = ops.multiply(x, ops.cast(ops.greater(x, layer.threshold), x.dtype))
    if layer.max_value is not None:
        above = ops.minimum(above, layer.max_value)
    below = ops.maximum(ops.subtract(layer.threshold, x), 0.0)
    return ops.subtract(above, ops.multiply(layer.negative_slope, below))


def prelu(layer, x):
    return ops.add(ops.maximum(x, 0.0), ops.multiply(layer.alpha, ops.minimum(x, 0.0)))


def elu_layer(layer, x):
    return ops.where(ops.greater(x, 0), x,
                     ops.multiply(layer.alpha, ops.subtract(ops.exp(x), 1.0)))


def softmax_layer(layer, x):
    e = ops.exp(x)
    return ops.divide(e, ops.sum(e, axis=layer.axis, keepdims=True))


def up_sampling_2d(layer, x):
    return ops.repeat(ops.repeat(x, layer.size[0], axis=1), layer.size[1], axis=2)


def zero_padding_2d(layer, x):
    (t, b), (l, r) = layer.padding
    return pad_axis(pad_axis(x, 1, t, b), 2, l, r)


def cropping_1d(layer, x):
    s, e = layer.cropping
    return ops.getitem(x, (slice(None), slice(s, x.shape[1] - e)))


def cropping_2d(layer, x):
    (t, b), (l, r) = layer.cropping
    return ops.getitem(x, (slice(None), slice(t, x.shape[1] - b), slice(l, x.shape[2] - r)))


def repeat_vector(layer, x):
    return ops.stack([x] * layer.n, axis=1)


def permute(layer, x):
    return ops.transpose(x, (0,) + layer.dims)


def affine_noise(layer, x, training=False):
    """A noise layer is affine in x for one draw: ``y = m·x + c``. Two twins with the same
    seed draw the same noise; on zeros one shows ``c``, on ones the other ``m + c``."""
    if not training:
        return x
    def twin():
        return type(layer).from_config(layer.get_config())
    c, _ = twin().forward(np.zeros(x.shape, dtype=x.dtype), training=True)
    m_plus_c, _ = twin().forward(np.ones(x.shape, dtype=x.dtype), training=True)
    return ops.add(ops.multiply(x, m_plus_c - c), c)


def unit_normalization(layer, x):
    axes = tuple(layer.axis) if isinstance(layer.axis, list) else layer.axis
    return ops.divide(x, ops.sqrt(ops.sum(ops.multiply(x, x), axis=axes, keepdims=True)))


def rescaling(layer, x):
    return ops.add(ops.multiply(x, layer.scale), layer.offset)


def normalization(layer, x):
    mu, sigma = layer._mu_sigma(x.dtype)    # fixed statistics: the same arrays, not weights
    return ops.add(mu, ops.multiply(x, sigma)) if layer.invert else \
        ops.divide(ops.subtract(x, mu), sigma)


def center_crop(layer, x):
    """The central window; for an image smaller than the target, the central window of the
    target's aspect ratio, then resized bilinearly (Keras' smart_resize)."""
    H, W, h, w = x.shape[1], x.shape[2], layer.height, layer.width
    if H < h or W < w:
        h_win, w_win = min(H, int(W * h / w)), min(W, int(H * w / h))
        t, l = int((H - h_win) / 2), int((W - w_win) / 2)
        window = ops.getitem(x, (slice(None), slice(t, t + h_win), slice(l, l + w_win)))
        return resizing(layers.Resizing(h, w), window)
    t, l = (H - h) // 2, (W - w) // 2
    return ops.getitem(x, (slice(None), slice(t, t + h), slice(l, l + w)))


def resizing(layer, x):
    """Each output pixel as the weighted sum of the input pixels the math names: bilinear
    mixes the two neighbours of ``s = (i + ½)·n_in/n_out − ½``, nearest takes one."""
    def along(x, axis, n_out):
        n_in, parts = x.shape[axis], []
        for i in range(n_out):
            if layer.interpolation == "nearest":
                j = min(int((i + 0.5) * n_in / n_out), n_in - 1)
                parts.append(ops.take(x, [j], axis=axis))
                continue
            s = min(max((i + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1.0)
            lo, w = int(math.floor(s)), s - math.floor(s)
            hi = min(lo + 1, n_in - 1)
            parts.append(ops.add(ops.multiply(1 - w, ops.take(x, [lo], axis=axis)),
                                 ops.multiply(w, ops.take(x, [hi], axis=axis))))
        return ops.concatenate(parts, axis=axis)
    return along(along(x, 1, layer.height), 2, layer.width)


def resized_window(layer, x):
    """crop_to_aspect_ratio: the central window of the target's aspect ratio, then resized."""
    H, W, h, w = x.shape[1], x.shape[2], layer.height, layer.width
    h_win, w_win = min(H, int(W * h / w)), min(W, int(H * w / h))
    t, l = int((H - h_win) / 2), int((W - w_win) / 2)
    window = ops.getitem(x, (slice(None), slice(t, t + h_win), slice(l, l + w_win)))
    return resizing(layers.Resizing(h, w, interpolation=layer.interpolation), window)


def random_flip(layer, x, training=False):
    """A twin with the same seed flips a ramp image; where it moved tells which flips."""
    if not training:
        return x
    twin = type(layer).from_config(layer.get_config())
    H, W = x.shape[1], x.shape[2]
    ramp = np.broadcast_to((np.arange(H)[:, None] * W + np.arange(W))[None, :, :, None],
                           x.shape).astype(x.dtype)
    flipped, _ = twin.forward(ramp, training=True)
    out = []
    for b in range(x.shape[0]):
        x_b = ops.getitem(x, b)
        if flipped[b, 0, 0, 0] >= W:                   # first row came from the bottom
            x_b = ops.getitem(x_b, slice(None, None, -1))
        if flipped[b, 0, 0, 0] % W:                    # first column came from the right
            x_b = ops.getitem(x_b, (slice(None), slice(None, None, -1)))
        out.append(x_b)
    return ops.stack(out, axis=0)


def resampled(layer, x, training=False):
    """An augmentation is affine in x for one draw, image by image: ``y_b = A_b·x_b + c_b``.
    Twins with the same seed draw the same transform; probing them with zeros gives ``c``
    and with one-hot images (the same pixel in every image) each column of ``A_b``."""
    if not training:
        return x
    def probe(image):
        twin = type(layer).from_config(layer.get_config())
        return twin.forward(image, training=True)[0].reshape(x.shape[0], -1)
    B, n = x.shape[0], x[0].size
    c = probe(np.zeros(x.shape, dtype=x.dtype))
    A = np.stack([probe(np.eye(n)[k].reshape((1,) + x.shape[1:]).repeat(B, 0)) - c
                  for k in range(n)], axis=-1)                      # (B, out pixels, in pixels)
    y = ops.einsum("boi,bi->bo", A, ops.reshape(x, (B, n)))
    return ops.reshape(ops.add(y, c), x.shape)


# ----- normalization
def batch_norm(layer, x, training=False):
    axis = layer.axis % x.ndim
    others = tuple(i for i in range(x.ndim) if i != axis)
    shape = [x.shape[i] if i == axis else 1 for i in range(x.ndim)]
    if training and layer.trainable:     # a frozen layer keeps its statistics (Keras 3)
        mu = ops.mean(x, axis=others, keepdims=True)
        var = ops.var(x, axis=others, keepdims=True)
    else:
        mu = ops.reshape(layer.moving_mean, shape)
        var = ops.reshape(layer.moving_variance, shape)
    y = ops.divide(ops.subtract(x, mu), ops.sqrt(ops.add(var, layer.epsilon)))
    if layer.scale:
        y = ops.multiply(y, ops.reshape(layer.gamma, shape))
    if layer.center:
        y = ops.add(y, ops.reshape(layer.beta, shape))
    return y


def layer_norm(layer, x):
    axes = tuple(sorted(a % x.ndim for a in np.atleast_1d(layer.axis)))
    shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]
    mu = ops.mean(x, axis=axes, keepdims=True)
    var = ops.var(x, axis=axes, keepdims=True)
    y = ops.divide(ops.subtract(x, mu), ops.sqrt(ops.add(var, layer.epsilon)))
    if layer.scale:
        y = ops.multiply(y, ops.reshape(layer.gamma, shape))
    if layer.center:
        y = ops.add(y, ops.reshape(layer.beta, shape))
    return y


# ----- merging
def merge_add(layer, xs):
    return reduce(ops.add, xs)


def merge_subtract(layer, xs):
    return ops.subtract(xs[0], xs[1])


def merge_multiply(layer, xs):
    return reduce(ops.multiply, xs)


def merge_average(layer, xs):
    return ops.divide(reduce(ops.add, xs), float(len(xs)))


def merge_maximum(layer, xs):
    return reduce(ops.maximum, xs)


def merge_minimum(layer, xs):
    return reduce(ops.minimum, xs)


def merge_concatenate(layer, xs):
    return ops.concatenate(xs, axis=layer.axis)


def merge_dot(layer, xs):
    """One einsum: the batch letter shared, the dot letter summed, the rest kept in order."""
    x1, x2 = xs
    a1, a2 = (layer.axes, layer.axes) if isinstance(layer.axes, int) else layer.axes
    a1, a2 = a1 % x1.ndim, a2 % x2.ndim
    if layer.normalize:
        def unit(x, axis):
            norm = ops.sqrt(ops.sum(ops.multiply(x, x), axis=axis, keepdims=True))
            return ops.divide(x, ops.maximum(norm, layer.EPSILON))
        x1, x2 = unit(x1, a1), unit(x2, a2)
    free = iter("cdefghijkl")
    s1 = "".join("b" if i == 0 else "z" if i == a1 else next(free) for i in range(x1.ndim))
    s2 = "".join("b" if i == 0 else "z" if i == a2 else next(free) for i in range(x2.ndim))
    y = ops.einsum(f"{s1},{s2}->{s1.replace('z', '')}{s2[1:].replace('z', '')}", x1, x2)
    return ops.reshape(y, (-1, 1)) if y.ndim == 1 else y


# ----- attention
def softmax_keys(S):
    """softmax over the last axis (the keys), from exp and sum."""
    e = ops.exp(S)
    return ops.divide(e, ops.sum(e, axis=-1, keepdims=True))


def attention(layer, xs):
    Q, V = xs[0], xs[1]
    K = xs[2] if len(xs) == 3 else V
    s = layer.scale if layer.use_scale else 1.0
    if layer.score_mode == "dot":
        S = ops.multiply(s, ops.einsum("bti,bui->btu", Q, K))
    else:
        QK = ops.add(ops.expand_dims(Q, 2), ops.expand_dims(K, 1))
        S = ops.multiply(layer.concat_score_weight,
                         ops.sum(ops.tanh(ops.multiply(s, QK)), axis=-1))
    return ops.einsum("btu,bud->btd", softmax_keys(causal(layer, S)), V)


def causal(layer, S):
    """Scores of keys after the query step lowered by 10⁹ (a call with use_causal_mask)."""
    if not getattr(layer, "_use_causal_mask", False):
        return S
    keep = np.tril(np.ones(S.shape[-2:], dtype=bool))
    return ops.where(keep, S, ops.subtract(S, 1e9))


def causal_call(make):
    """A layer whose calls run as with use_causal_mask=True (the flag such a call sets)."""
    layer = make()
    layer._use_causal_mask = True
    return layer


def multi_head_attention(layer, xs):
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) == 3 else value

    def project(x, W, b):
        P = ops.einsum("bti,inj->btnj", x, W)
        return ops.add(P, b) if layer.use_bias else P
    biases = ([layer.query_bias, layer.key_bias, layer.value_bias, layer.output_bias]
              if layer.use_bias else [None] * 4)
    Q = ops.divide(project(query, layer.query_kernel, biases[0]), math.sqrt(layer.key_dim))
    K = project(key, layer.key_kernel, biases[1])
    V = project(value, layer.value_kernel, biases[2])
    A = softmax_keys(causal(layer, ops.einsum("bqnj,bunj->bnqu", Q, K)))
    y = ops.einsum("bnqu,bunj,njo->bqo", A, V, layer.output_kernel)
    return ops.add(y, biases[3]) if layer.use_bias else y


# ----- wrappers
def time_distributed(layer, x, inner):
    """``y[:, t] = inner(x[:, t])`` for every t, stacked on axis 1."""
    return ops.stack([inner(layer.layer, ops.getitem(x, (slice(None), t)))
                      for t in range(x.shape[1])], axis=1)


def bidirectional(layer, x):
    fw, bw = layer.forward_layer, layer.backward_layer
    y_fw, y_bw = RECURRENT[type(fw)](fw, x), RECURRENT[type(bw)](bw, x)
    states = []
    if layer.return_state:
        (y_fw, *fw_states), (y_bw, *bw_states) = y_fw, y_bw
        states = fw_states + bw_states
    if layer.return_sequences:       # the backward copy gives its sequence in reading order
        y_bw = ops.getitem(y_bw, (slice(None), slice(None, None, -1)))
    merged = {"concat": lambda: [ops.concatenate([y_fw, y_bw], axis=-1)],
              "sum": lambda: [ops.add(y_fw, y_bw)],
              "mul": lambda: [ops.multiply(y_fw, y_bw)],
              "ave": lambda: [ops.divide(ops.add(y_fw, y_bw), 2.0)],
              None: lambda: [y_fw, y_bw]}[layer.merge_mode]()
    outputs = merged + states
    return outputs if len(outputs) > 1 else outputs[0]


RECURRENT = {layers.SimpleRNN: simple_rnn, layers.LSTM: lstm, layers.GRU: gru}


def masking_layer(layer, x):
    keep = ops.any(ops.not_equal(x, layer.mask_value), axis=-1, keepdims=True)
    return ops.where(keep, x, ops.zeros_like(x))


def masked_mean(mask):
    """GlobalAveragePooling1D with a mask: the mean over the real steps."""
    def reference(layer, x):
        m = np.asarray(mask, "float64")[:, :, np.newaxis]
        return ops.divide(ops.sum(ops.multiply(x, m), axis=1), m.sum(axis=1))
    return reference


def masked_bidirectional(mask):
    """Bidirectional with a mask: each copy skips masked steps; with return_sequences the
    copies output zeros there (Keras sets zero_output_for_mask on them)."""
    def reference(layer, x):
        fw, bw = layer.forward_layer, layer.backward_layer
        y_fw = RECURRENT[type(fw)](fw, x, mask=mask)
        y_bw = RECURRENT[type(bw)](bw, x, mask=mask)
        if layer.return_sequences:
            keep = np.asarray(mask, "float64")[:, :, np.newaxis]
            y_fw = ops.multiply(y_fw, keep)
            y_bw = ops.multiply(y_bw, keep[:, ::-1])   # the backward copy's reading order
            y_bw = ops.getitem(y_bw, (slice(None), slice(None, None, -1)))
        return ops.concatenate([y_fw, y_bw], axis=-1)
    return reference


# ============================================================ the cases
F64 = {"dtype": "float64"}


def normal(*shape, scale=1.0, seed=0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def ids(*shape, vocabulary, seed=0):
    return np.random.default_rng(seed).integers(0, vocabulary, size=shape)


def prepared(layer: Layer, inputs: Any, seed: int = 0) -> Layer:
    """``layer`` built by a first call, its weights then made random (nothing left at 0 or 1,
    so no term of a gradient hides); variances stay positive."""
    layer(inputs)
    rng = np.random.default_rng(100 + seed)
    for w in layer.weights:
        if "variance" in w.name:
            w.assign(rng.uniform(0.5, 2.0, size=w.shape))
        else:
            w.assign(rng.normal(scale=0.6, size=w.shape))
    return layer


class Case:
    def __init__(self, layer, inputs, reference, training=False):
        self.layer, self.inputs, self.reference, self.training = layer, inputs, reference, training


def case(make: Callable, inputs: Callable, reference: Callable, training: bool = False):
    """A case made when its test runs (after conftest's fresh, seeded start)."""
    def build() -> Case:
        x = inputs()
        return Case(prepared(make(), x), x, reference, training)
    return build


def x3(b=3, T=5, n=4, scale=1.0):
    return lambda: normal(b, T, n, scale=scale)


CASES = []


def add(id_: str, make: Callable, inputs: Callable, reference: Callable, training=False):
    CASES.append(pytest.param(case(make, inputs, reference, training), id=id_))


# ----- core
add("InputLayer", lambda: layers.InputLayer(shape=(4,), **F64), lambda: normal(3, 4), identity)
add("Dense-no-activation", lambda: layers.Dense(5, **F64), lambda: normal(3, 4), dense)
for name in activation_names():
    add(f"Dense-{name}", functools.partial(layers.Dense, 5, activation=name, **F64),
        lambda: normal(3, 4, scale=2.0), dense)
add("Dense-no-bias", lambda: layers.Dense(5, use_bias=False, activation="tanh", **F64),
    lambda: normal(3, 4), dense)
add("Dense-3d-input", lambda: layers.Dense(2, activation="sigmoid", **F64), x3(), dense)
for name in activation_names():
    add(f"Activation-{name}", functools.partial(layers.Activation, name, **F64),
        lambda: normal(3, 5, scale=4.0), activation_layer)
add("Dropout-inference", lambda: layers.Dropout(0.4, **F64), lambda: normal(4, 6), dropout)
add("Dropout-training-seeded", lambda: layers.Dropout(0.4, seed=7, **F64), lambda: normal(4, 6),
    functools.partial(dropout, training=True), training=True)
add("Dropout-training-noise_shape",
    lambda: layers.Dropout(0.5, noise_shape=(None, 1, 3), seed=3, **F64), x3(4, 5, 3),
    functools.partial(dropout, training=True), training=True)
add("Dropout-training-rate0", lambda: layers.Dropout(0.0, **F64), lambda: normal(4, 6),
    functools.partial(dropout, training=True), training=True)
add("Flatten", lambda: layers.Flatten(**F64), lambda: normal(3, 2, 3, 2), flatten)
add("Reshape", lambda: layers.Reshape((4, -1), **F64), lambda: normal(2, 3, 4), reshape)
add("Reshape-3d", lambda: layers.Reshape((2, 3, 2), **F64), lambda: normal(2, 12), reshape)
add("Embedding", lambda: layers.Embedding(7, 3, **F64), lambda: ids(3, 6, vocabulary=7),
    embedding)
add("Embedding-2d-ids", lambda: layers.Embedding(5, 2, **F64), lambda: ids(2, 3, 4, vocabulary=5),
    embedding)
add("Lambda", lambda: layers.Lambda(lambda x: ops.multiply(ops.sin(x), x), **F64),
    lambda: normal(3, 4), lambda_layer)

# ----- recurrent
RNN_OPTIONS = {
    "default": {}, "return_sequences": {"return_sequences": True},
    "go_backwards": {"go_backwards": True},
    "return_state": {"return_state": True},
    "all": {"return_sequences": True, "go_backwards": True, "return_state": True},
    "no-bias": {"use_bias": False, "return_sequences": True},
}
for option, kwargs in RNN_OPTIONS.items():
    add(f"SimpleRNN-{option}", functools.partial(layers.SimpleRNN, 4, **kwargs, **F64), x3(),
        simple_rnn)
    add(f"LSTM-{option}", functools.partial(layers.LSTM, 4, **kwargs, **F64), x3(), lstm)
    for reset_after in (True, False):
        add(f"GRU-reset_after={reset_after}-{option}",
            functools.partial(layers.GRU, 4, reset_after=reset_after, **kwargs, **F64), x3(), gru)
add("SimpleRNN-relu", lambda: layers.SimpleRNN(3, activation="relu", **F64), x3(), simple_rnn)
add("LSTM-hard_sigmoid-softsign",
    lambda: layers.LSTM(3, recurrent_activation="hard_sigmoid", activation="softsign",
                        return_sequences=True, **F64), x3(), lstm)
add("GRU-sigmoid-relu", lambda: layers.GRU(3, activation="relu", return_sequences=True, **F64),
    x3(), gru)
add("LSTM-one-step", lambda: layers.LSTM(3, return_state=True, **F64), x3(T=1), lstm)


def padded_steps():
    """x (3, 5, 4) whose zero steps Masking marks as padding."""
    x = normal(3, 5, 4)
    x[0, 3:] = 0.0
    x[1, :2] = 0.0
    return x


add("Masking", lambda: layers.Masking(**F64), padded_steps, masking_layer)
add("Masking-value", lambda: layers.Masking(mask_value=0.5, **F64),
    lambda: np.where(padded_steps() == 0.0, 0.5, padded_steps()), masking_layer)

# ----- convolution
CONV1D = {
    "valid": {}, "same": {"padding": "same"}, "causal": {"padding": "causal"},
    "strides2-valid": {"strides": 2}, "strides2-same": {"strides": 2, "padding": "same"},
    "strides3-causal": {"strides": 3, "padding": "causal"},
    "dilation2-valid": {"dilation_rate": 2},
    "dilation2-same": {"dilation_rate": 2, "padding": "same"},
    "dilation2-causal": {"dilation_rate": 2, "padding": "causal"},
    "relu-no-bias": {"activation": "relu", "use_bias": False},
}
for option, kwargs in CONV1D.items():
    add(f"Conv1D-{option}", functools.partial(layers.Conv1D, 3, 3, **kwargs, **F64),
        x3(2, 9, 2), conv)
add("Conv1D-kernel1", lambda: layers.Conv1D(2, 1, activation="tanh", **F64), x3(2, 5, 3), conv)
add("Conv1D-kernel4-same", lambda: layers.Conv1D(2, 4, padding="same", **F64), x3(2, 7, 2), conv)
add("Conv1D-kernel2-strides3-same", lambda: layers.Conv1D(2, 2, strides=3, padding="same", **F64),
    x3(2, 8, 2), conv)
CONV2D = {
    "valid": {}, "same": {"padding": "same"},
    "strides2-valid": {"strides": 2}, "strides-2x1-same": {"strides": (2, 1), "padding": "same"},
    "strides2-same": {"strides": 2, "padding": "same"},
    "dilation-2x1-valid": {"dilation_rate": (2, 1)},
    "dilation2-same": {"dilation_rate": 2, "padding": "same"},
    "kernel-2x3-tanh": {"kernel_size": (2, 3), "activation": "tanh"},
    "no-bias-relu": {"use_bias": False, "activation": "relu", "padding": "same"},
    "kernel2-same": {"kernel_size": 2, "padding": "same"},
    "kernel2-strides3-same": {"kernel_size": 2, "strides": 3, "padding": "same"},
}
for option, kwargs in CONV2D.items():
    kwargs = {"kernel_size": 3, **kwargs}
    add(f"Conv2D-{option}", functools.partial(layers.Conv2D, 2, **kwargs, **F64),
        lambda: normal(2, 7, 6, 2), conv)
add("Convolution1D-alias", lambda: layers.Convolution1D(2, 2, **F64), x3(2, 5, 2), conv)

CONV_TRANSPOSE = {
    "valid": {}, "same": {"padding": "same"}, "strides2-valid": {"strides": 2},
    "strides2-same": {"strides": 2, "padding": "same"},
    "kernel2-strides3-valid": {"kernel_size": 2, "strides": 3},
    "kernel4-strides2-same": {"kernel_size": 4, "strides": 2, "padding": "same"},
    "dilation2-same": {"dilation_rate": 2, "padding": "same"},
    "strides3-output_padding2-valid": {"strides": 3, "output_padding": 2},
    "strides2-output_padding1-same-no-bias": {"strides": 2, "output_padding": 1,
                                              "padding": "same", "use_bias": False},
    "tanh": {"activation": "tanh", "strides": 2},
}
for option, kwargs in CONV_TRANSPOSE.items():
    kwargs = {"kernel_size": 3, **kwargs}
    add(f"Conv1DTranspose-{option}", functools.partial(layers.Conv1DTranspose, 3, **kwargs, **F64),
        x3(2, 5, 2), conv_transpose)
    add(f"Conv2DTranspose-{option}", functools.partial(layers.Conv2DTranspose, 2, **kwargs, **F64),
        lambda: normal(2, 4, 3, 2), conv_transpose)
add("Conv2DTranspose-kernel-2x3-strides-1x2",
    lambda: layers.Conv2DTranspose(2, (2, 3), strides=(1, 2), padding="same", **F64),
    lambda: normal(2, 3, 4, 3), conv_transpose)

SEPARABLE = {"valid": {}, "same": {"padding": "same"}, "strides2-same": {"strides": 2, "padding": "same"},
             "dilation2": {"dilation_rate": 2}, "multiplier2-kernel-3x2": {"depth_multiplier": 2,
                                                                           "kernel_size": (3, 2)},
             "no-bias-relu": {"use_bias": False, "activation": "relu", "strides": (2, 1)}}
for option, kwargs in SEPARABLE.items():
    kwargs = {"kernel_size": 3, **kwargs}
    add(f"DepthwiseConv2D-{option}", functools.partial(layers.DepthwiseConv2D, **kwargs, **F64),
        lambda: normal(2, 6, 5, 2), depthwise_conv)
    add(f"SeparableConv2D-{option}", functools.partial(layers.SeparableConv2D, 3, **kwargs, **F64),
        lambda: normal(2, 6, 5, 2), separable_conv)

# ----- pooling
POOL1D = {"pool2": {}, "pool3-strides1": {"pool_size": 3, "strides": 1},
          "pool3-same": {"pool_size": 3, "padding": "same"},
          "pool2-strides1-same": {"pool_size": 2, "strides": 1, "padding": "same"},
          "pool3-strides2-same": {"pool_size": 3, "strides": 2, "padding": "same"},
          "pool2-strides3-same": {"pool_size": 2, "strides": 3, "padding": "same"}}
POOL2D = {"pool2": {"pool_size": (2, 2)},
          "pool3-strides1": {"pool_size": (3, 3), "strides": 1},
          "pool-3x2-same": {"pool_size": (3, 2), "padding": "same"},
          "pool3-strides2-same": {"pool_size": (3, 3), "strides": 2, "padding": "same"},
          "pool-2x3-strides-3x1-same": {"pool_size": (2, 3), "strides": (3, 1),
                                        "padding": "same"}}
for kind in ("Max", "Average"):
    for option, kwargs in POOL1D.items():
        kwargs = {"pool_size": 2, **kwargs}
        add(f"{kind}Pooling1D-{option}", functools.partial(getattr(layers, f"{kind}Pooling1D"),
                                                           **kwargs, **F64), x3(2, 8, 3), pool)
    for option, kwargs in POOL2D.items():
        add(f"{kind}Pooling2D-{option}", functools.partial(getattr(layers, f"{kind}Pooling2D"),
                                                           **kwargs, **F64),
            lambda: normal(2, 7, 6, 2), pool)
    for keepdims in (False, True):
        add(f"Global{kind}Pooling1D-keepdims={keepdims}",
            functools.partial(getattr(layers, f"Global{kind}Pooling1D"), keepdims=keepdims, **F64),
            x3(3, 6, 4), global_pool)
        add(f"Global{kind}Pooling2D-keepdims={keepdims}",
            functools.partial(getattr(layers, f"Global{kind}Pooling2D"), keepdims=keepdims, **F64),
            lambda: normal(2, 4, 5, 3), global_pool)

# ----- normalization
for training in (True, False):
    mode = "training" if training else "inference"
    bn = functools.partial(batch_norm, training=training)
    add(f"BatchNormalization-{mode}", lambda: layers.BatchNormalization(**F64),
        lambda: normal(6, 4, scale=2.0), bn, training)
    add(f"BatchNormalization-{mode}-4d", lambda: layers.BatchNormalization(**F64),
        lambda: normal(3, 4, 3, 2), bn, training)
    add(f"BatchNormalization-{mode}-axis1", lambda: layers.BatchNormalization(axis=1, **F64),
        lambda: normal(4, 3, 5), bn, training)
    add(f"BatchNormalization-{mode}-no-center",
        lambda: layers.BatchNormalization(center=False, **F64), lambda: normal(6, 4), bn, training)
    add(f"BatchNormalization-{mode}-no-scale",
        lambda: layers.BatchNormalization(scale=False, **F64), lambda: normal(6, 4), bn, training)
add("BatchNormalization-frozen-training",
    lambda: layers.BatchNormalization(trainable=False, **F64), lambda: normal(6, 4),
    functools.partial(batch_norm, training=True), True)
add("LayerNormalization", lambda: layers.LayerNormalization(**F64), lambda: normal(4, 6),
    layer_norm)
add("LayerNormalization-3d", lambda: layers.LayerNormalization(**F64), x3(), layer_norm)
add("LayerNormalization-axes-1-2", lambda: layers.LayerNormalization(axis=[1, 2], **F64), x3(),
    layer_norm)
add("LayerNormalization-axis1", lambda: layers.LayerNormalization(axis=1, **F64), x3(), layer_norm)
add("LayerNormalization-no-center-no-scale",
    lambda: layers.LayerNormalization(center=False, scale=False, **F64), lambda: normal(4, 6),
    layer_norm)


# ----- merging
def several(*shapes):
    return lambda: [normal(*s, seed=i) for i, s in enumerate(shapes)]


ELEMENTWISE = {"Add": merge_add, "Subtract": merge_subtract, "Multiply": merge_multiply,
               "Average": merge_average, "Maximum": merge_maximum, "Minimum": merge_minimum}
for name, reference in ELEMENTWISE.items():
    cls = getattr(layers, name)
    add(f"{name}-two", functools.partial(cls, **F64), several((3, 4), (3, 4)), reference)
    add(f"{name}-broadcast", functools.partial(cls, **F64), several((3, 5, 4), (3, 1, 4)),
        reference)
    add(f"{name}-broadcast-both", functools.partial(cls, **F64), several((3, 1, 4), (3, 5, 1)),
        reference)
    if name != "Subtract":
        add(f"{name}-three", functools.partial(cls, **F64), several((3, 4), (3, 4), (3, 4)),
            reference)
add("Concatenate-last", lambda: layers.Concatenate(**F64), several((3, 2), (3, 4)),
    merge_concatenate)
add("Concatenate-axis-minus2", lambda: layers.Concatenate(axis=-2, **F64),
    several((2, 3, 2), (2, 1, 2)), merge_concatenate)
add("Concatenate-axis1-three", lambda: layers.Concatenate(axis=1, **F64),
    several((2, 3, 2), (2, 1, 2), (2, 4, 2)), merge_concatenate)
DOT = {"axes1-2d": (1, False, [(4, 5), (4, 5)]), "axes1-2d-normalize": (1, True, [(4, 5), (4, 5)]),
       "axes-2-2": ((2, 2), False, [(3, 4, 5), (3, 2, 5)]),
       "axes-1-2": ((1, 2), False, [(3, 4, 5), (3, 2, 4)]),
       "axes-2-1-normalize": ((2, 1), True, [(3, 4, 5), (3, 5, 2)]),
       "axes-minus1-4d": (-1, False, [(2, 3, 2, 4), (2, 5, 4)])}
for option, (axes, normalize, shapes) in DOT.items():
    add(f"Dot-{option}", functools.partial(layers.Dot, axes=axes, normalize=normalize, **F64),
        several(*shapes), merge_dot)

# ----- attention
for option, kwargs in {"dot": {}, "dot-scale": {"use_scale": True},
                       "concat": {"score_mode": "concat"},
                       "concat-scale": {"score_mode": "concat", "use_scale": True}}.items():
    add(f"Attention-{option}", functools.partial(layers.Attention, **kwargs, **F64),
        several((2, 3, 4), (2, 5, 4)), attention)
    add(f"Attention-{option}-key", functools.partial(layers.Attention, **kwargs, **F64),
        several((2, 3, 4), (2, 5, 3), (2, 5, 4)), attention)
MHA = {"self": ({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 4, 5)]),
       "cross": ({"num_heads": 3, "key_dim": 2}, [(2, 3, 4), (2, 5, 6)]),
       "key-value_dim": ({"num_heads": 2, "key_dim": 2, "value_dim": 3},
                         [(2, 3, 4), (2, 5, 6), (2, 5, 3)]),
       "output_shape-no-bias": ({"num_heads": 2, "key_dim": 4, "output_shape": 7,
                                 "use_bias": False}, [(2, 3, 4), (2, 3, 4)])}
add("Attention-causal", lambda: causal_call(lambda: layers.Attention(use_scale=True, **F64)),
    several((2, 4, 3), (2, 4, 3)), attention)
add("MultiHeadAttention-causal-cross",
    lambda: causal_call(lambda: layers.MultiHeadAttention(2, 3, **F64)),
    several((2, 3, 4), (2, 5, 4)), multi_head_attention)
for option, (kwargs, shapes) in MHA.items():
    add(f"MultiHeadAttention-{option}",
        functools.partial(layers.MultiHeadAttention, **kwargs, **F64), several(*shapes),
        multi_head_attention)

# ----- reshaping
for size in (2, 3):
    add(f"UpSampling1D-size{size}", functools.partial(layers.UpSampling1D, size, **F64),
        x3(2, 4, 3), up_sampling)
for padding in (1, (2, 0), (0, 3)):
    add(f"ZeroPadding1D-{padding}", functools.partial(layers.ZeroPadding1D, padding, **F64),
        x3(2, 4, 3), zero_padding)

add("UpSampling2D-2x3", lambda: layers.UpSampling2D((2, 3), **F64), lambda: normal(2, 3, 2, 2),
    up_sampling_2d)
add("UpSampling2D-2x3-bilinear",
    lambda: layers.UpSampling2D((2, 3), interpolation="bilinear", **F64),
    lambda: normal(2, 3, 2, 2), lambda layer, x: resizing(layers.Resizing(
        x.shape[1] * layer.size[0], x.shape[2] * layer.size[1]), x))
add("ZeroPadding2D-1", lambda: layers.ZeroPadding2D(**F64), lambda: normal(2, 3, 2, 2),
    zero_padding_2d)
add("ZeroPadding2D-pairs", lambda: layers.ZeroPadding2D(((1, 0), (0, 2)), **F64),
    lambda: normal(2, 3, 2, 2), zero_padding_2d)
add("Cropping1D", lambda: layers.Cropping1D((1, 2), **F64), x3(2, 6, 3), cropping_1d)
add("Cropping2D", lambda: layers.Cropping2D(((1, 0), (2, 1)), **F64), lambda: normal(2, 4, 5, 2),
    cropping_2d)
add("RepeatVector", lambda: layers.RepeatVector(3, **F64), lambda: normal(2, 4), repeat_vector)
add("Permute-2d", lambda: layers.Permute((2, 1), **F64), x3(2, 3, 4), permute)
add("Permute-3d", lambda: layers.Permute((3, 1, 2), **F64), lambda: normal(2, 3, 4, 2), permute)

# ----- activation layers
add("LeakyReLU", lambda: layers.LeakyReLU(**F64), lambda: normal(3, 5), leaky_relu_layer)
add("LeakyReLU-slope0.1", lambda: layers.LeakyReLU(0.1, **F64), x3(), leaky_relu_layer)
add("ReLU", lambda: layers.ReLU(**F64), lambda: normal(3, 5), relu_layer)
add("ReLU-all-options", lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.3,
                                            **F64), lambda: normal(4, 6, scale=2.0), relu_layer)
add("ReLU-threshold-slope", lambda: layers.ReLU(negative_slope=0.2, threshold=0.5, **F64),
    lambda: normal(4, 6), relu_layer)
add("PReLU", lambda: layers.PReLU(**F64), x3(), prelu)
add("PReLU-shared-axes", lambda: layers.PReLU(shared_axes=[1, 2], **F64),
    lambda: normal(2, 3, 4, 2), prelu)
add("ELU", lambda: layers.ELU(**F64), lambda: normal(3, 5, scale=2.0), elu_layer)
add("ELU-alpha0.5", lambda: layers.ELU(0.5, **F64), x3(), elu_layer)
add("Softmax", lambda: layers.Softmax(**F64), x3(), softmax_layer)
add("Softmax-axis1", lambda: layers.Softmax(axis=1, **F64), x3(), softmax_layer)
add("Softmax-axes-1-2", lambda: layers.Softmax(axis=(1, 2), **F64), x3(), softmax_layer)

# ----- noise (seeded, so a twin draws the same)
from kteach.layers import noise  # noqa: E402
NOISE = {"SpatialDropout1D": (lambda: noise.SpatialDropout1D(0.4, seed=2, **F64), x3(3, 5, 4)),
         "SpatialDropout2D": (lambda: noise.SpatialDropout2D(0.4, seed=2, **F64),
                              lambda: normal(2, 3, 3, 4)),
         "GaussianNoise": (lambda: layers.GaussianNoise(0.3, seed=2, **F64), x3()),
         "GaussianDropout": (lambda: layers.GaussianDropout(0.3, seed=2, **F64), x3()),
         "AlphaDropout": (lambda: layers.AlphaDropout(0.3, seed=2, **F64), x3()),
         "AlphaDropout-noise_shape": (lambda: layers.AlphaDropout(
             0.5, noise_shape=(None, 1, 4), seed=2, **F64), x3())}
for name, (make, inputs) in NOISE.items():
    add(f"{name}-inference", make, inputs, affine_noise)
    add(f"{name}-training", make, inputs, functools.partial(affine_noise, training=True),
        training=True)

# ----- utility and preprocessing layers
def adapted_normalization(**kwargs):
    layer = layers.Normalization(**kwargs, **F64)
    layer.adapt(normal(20, 3, 4, seed=5) * 2 + 1)
    return layer


add("Identity", lambda: layers.Identity(**F64), x3(), identity)
add("UnitNormalization", lambda: layers.UnitNormalization(**F64), x3(), unit_normalization)
add("UnitNormalization-axes-1-2", lambda: layers.UnitNormalization(axis=[1, 2], **F64), x3(),
    unit_normalization)
add("Rescaling", lambda: layers.Rescaling(0.5, offset=-1.0, **F64), lambda: normal(2, 3, 3, 1),
    rescaling)
add("Normalization-given", lambda: layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5],
                                                        **F64), lambda: normal(3, 2),
    normalization)
add("Normalization-given-invert",
    lambda: layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], invert=True, **F64),
    lambda: normal(3, 2), normalization)
add("CenterCrop", lambda: layers.CenterCrop(2, 3, **F64), lambda: normal(2, 5, 6, 2), center_crop)
add("CenterCrop-smaller-resized", lambda: layers.CenterCrop(6, 3, **F64),
    lambda: normal(2, 4, 8, 2), center_crop)

for option, (h, w, kind) in {"bilinear-up": (5, 7, "bilinear"),
                             "bilinear-down": (2, 3, "bilinear"),
                             "nearest-mixed": (5, 3, "nearest")}.items():
    add(f"Resizing-{option}", functools.partial(layers.Resizing, h, w, interpolation=kind, **F64),
        lambda: normal(2, 4, 5, 2), resizing)
for kind in ("bilinear", "nearest"):
    add(f"Resizing-crop_to_aspect_ratio-{kind}",
        functools.partial(layers.Resizing, 3, 2, interpolation=kind, crop_to_aspect_ratio=True,
                          **F64), lambda: normal(2, 4, 7, 2), resized_window)
add("RandomFlip-inference", lambda: layers.RandomFlip(seed=3, **F64), lambda: normal(4, 3, 4, 2),
    random_flip)
for mode in layers.RandomFlip.MODES:
    add(f"RandomFlip-training-{mode}", functools.partial(layers.RandomFlip, mode, seed=3, **F64),
        lambda: normal(6, 3, 4, 2), functools.partial(random_flip, training=True), training=True)

AUGMENT = {"RandomRotation": lambda **kw: layers.RandomRotation(0.2, seed=5, **kw, **F64),
           "RandomZoom": lambda **kw: layers.RandomZoom((-0.4, 0.4), seed=5, **kw, **F64),
           "RandomTranslation": lambda **kw: layers.RandomTranslation(0.3, 0.3, seed=5, **kw,
                                                                      **F64)}
for name, make in AUGMENT.items():
    add(f"{name}-inference", make, lambda: normal(2, 4, 5, 2), resampled)
    for fill_mode in ("reflect", "constant", "wrap", "nearest"):
        add(f"{name}-training-{fill_mode}", functools.partial(make, fill_mode=fill_mode),
            lambda: normal(2, 4, 5, 2), functools.partial(resampled, training=True),
            training=True)
    add(f"{name}-training-nearest-interpolation",
        functools.partial(make, interpolation="nearest"), lambda: normal(2, 4, 5, 2),
        functools.partial(resampled, training=True), training=True)

# the penalty's gradient is not part of Σ r·y: without factors the layer is the identity here
# (tests/test_layers_new_regularization.py checks backward against Σ r·y + penalty)
add("ActivityRegularization", lambda: layers.ActivityRegularization(**F64), x3(), identity)

# ----- wrappers
add("TimeDistributed-Dense",
    lambda: layers.TimeDistributed(layers.Dense(3, activation="tanh", **F64), **F64), x3(),
    functools.partial(time_distributed, inner=dense))
add("TimeDistributed-Dense-4d",
    lambda: layers.TimeDistributed(layers.Dense(3, **F64), **F64), lambda: normal(2, 3, 2, 4),
    functools.partial(time_distributed, inner=dense))
add("TimeDistributed-Conv1D",
    lambda: layers.TimeDistributed(layers.Conv1D(2, 3, padding="same", **F64), **F64),
    lambda: normal(2, 3, 6, 2), functools.partial(time_distributed, inner=conv))
add("TimeDistributed-Embedding",
    lambda: layers.TimeDistributed(layers.Embedding(6, 2, **F64), **F64),
    lambda: ids(2, 3, 4, vocabulary=6), functools.partial(time_distributed, inner=embedding))
BIDIRECTIONAL = {
    "SimpleRNN-concat": (layers.SimpleRNN, {}, "concat"),
    "SimpleRNN-sequences-concat": (layers.SimpleRNN, {"return_sequences": True}, "concat"),
    "LSTM-sequences-sum": (layers.LSTM, {"return_sequences": True}, "sum"),
    "LSTM-sequences-mul": (layers.LSTM, {"return_sequences": True}, "mul"),
    "LSTM-state-concat": (layers.LSTM, {"return_state": True}, "concat"),
    "GRU-ave": (layers.GRU, {}, "ave"),
    "GRU-reset_before-None": (layers.GRU, {"reset_after": False}, None),
    "GRU-sequences-state-None": (layers.GRU, {"return_sequences": True, "return_state": True},
                                 None),
}
for option, (cls, kwargs, merge_mode) in BIDIRECTIONAL.items():
    add(f"Bidirectional-{option}",
        functools.partial(lambda cls, kwargs, mode: layers.Bidirectional(
            cls(3, **kwargs, **F64), merge_mode=mode, **F64), cls, kwargs, merge_mode),
        x3(), bidirectional)
add("Bidirectional-LSTM-with-GRU-backward_layer",
    lambda: layers.Bidirectional(
        layers.LSTM(3, return_sequences=True, **F64),
        backward_layer=layers.GRU(2, return_sequences=True, go_backwards=True, **F64), **F64),
    x3(), bidirectional)


# ============================================================ the tests
@pytest.mark.parametrize("make_case", CASES)
def test_layer_backward_matches_the_tape(make_case):
    c = make_case()
    check_against_tape(c.layer, c.inputs, c.reference, c.training)


@pytest.mark.parametrize("make_case", CASES)
def test_layer_called_under_a_tape_gives_its_backward(make_case):
    """The engine's side of the same promise: a built-in layer called while a GradientTape
    records is one entry whose vjp is the layer's hand-written backward, so calling it under
    the tape gives the gradients of calling ``forward``/``backward`` directly (a fresh twin
    makes the call: same weights, same dropout seed)."""
    c, twin = make_case(), make_case()
    check_against_tape(c.layer, c.inputs, lambda layer, x: layer(x, training=c.training),
                       c.training, twin=twin.layer)


# ----- masks, dropout masks and initial states (issue 11): the options a plain case lacks
MASK = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1]], bool)
RNN_KINDS = {"SimpleRNN": (layers.SimpleRNN, {}), "LSTM": (layers.LSTM, {}),
             "GRU": (layers.GRU, {}), "GRU-reset_before": (layers.GRU, {"reset_after": False})}
OPTION_CASES = []
for kind, (cls, extra) in RNN_KINDS.items():
    for option, kwargs in {"mask-last": {}, "mask-seq": {"return_sequences": True},
                           "mask-back-seq-state": {"return_sequences": True, "go_backwards": True,
                                                   "return_state": True}}.items():
        OPTION_CASES.append(pytest.param(cls, {**extra, **kwargs}, "mask", id=f"{kind}-{option}"))
    for option in ("dropout", "recurrent_dropout", "both"):
        OPTION_CASES.append(pytest.param(cls, {**extra, "return_sequences": True}, option,
                                         id=f"{kind}-{option}"))
    OPTION_CASES.append(pytest.param(cls, {**extra, "return_state": True}, "initial_state",
                                     id=f"{kind}-initial_state"))
    OPTION_CASES.append(pytest.param(cls, {**extra, "return_sequences": True}, "all",
                                     id=f"{kind}-mask-dropout-initial_state"))


@pytest.mark.parametrize("cls, kwargs, option", OPTION_CASES)
def test_recurrent_options_backward_matches_the_tape(cls, kwargs, option):
    """Masked steps, dropout masks (fixed here, one per gate when recurrent_dropout is on, as
    Keras) and a given initial state: the hand-written backward against the ops reference,
    including dL/dh_0 (and dL/dc_0)."""
    rates = {"dropout": (0.3, 0.0), "recurrent_dropout": (0.0, 0.4), "both": (0.3, 0.4),
             "all": (0.3, 0.4)}.get(option, (0.0, 0.0))
    layer = prepared(cls(3, dropout=rates[0], recurrent_dropout=rates[1], **kwargs, **F64),
                     normal(3, 5, 4))
    x, rng = normal(3, 5, 4, seed=1), np.random.default_rng(5)
    k = layer._gates if rates[1] else 1
    dx_drop = (rng.random((3, k, 4)) > rates[0]) / (1 - rates[0]) if rates[0] else None
    dh_drop = (rng.random((3, k, 3)) > rates[1]) / (1 - rates[1]) if rates[1] else None
    layer._dropout_masks = lambda xs, training: (dx_drop, dh_drop)
    n_states = 2 if cls is layers.LSTM else 1
    inputs = x
    if option in ("initial_state", "all"):
        inputs = [x] + [normal(3, 3, seed=10 + i) for i in range(n_states)]
    mask = None if option in ("initial_state", "dropout", "recurrent_dropout", "both") else MASK
    if option == "all":   # with an initial state Keras gives no mask to the layer (see base.py)
        mask = None
    reference = functools.partial(RECURRENT[cls], mask=mask, drop=(dx_drop, dh_drop))
    check_against_tape(layer, inputs, reference, training=bool(rates[0] or rates[1]), mask=mask)


@pytest.mark.parametrize("make, reference", [
    (lambda: layers.GlobalAveragePooling1D(**F64), masked_mean(MASK)),
    (lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True, **F64), **F64),
     masked_bidirectional(MASK)),
    (lambda: layers.Bidirectional(layers.GRU(2, **F64), **F64), masked_bidirectional(MASK)),
], ids=["GlobalAveragePooling1D-mask", "Bidirectional-LSTM-sequences-mask", "Bidirectional-GRU-mask"])
def test_masked_layers_backward_matches_the_tape(make, reference):
    layer = prepared(make(), normal(3, 5, 4))
    check_against_tape(layer, normal(3, 5, 4, seed=2), reference, mask=MASK)


# ----- not differentiable: strings or ids in, indices or counts out (no tape reference)
def _adapted(layer, data):
    layer.adapt(data)
    return layer


NOT_DIFFERENTIABLE = {
    "TextVectorization": (lambda: _adapted(layers.TextVectorization(), ["a b", "b c"]),
                          np.array([["a b"], ["c q c"]], dtype=object)),
    "TextVectorization-tf_idf": (
        lambda: _adapted(layers.TextVectorization(output_mode="tf_idf"), ["a b", "b c"]),
        np.array([["a b"], ["c q c"]], dtype=object)),
    "StringLookup-multi_hot": (
        lambda: layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot"),
        np.array([["a", "q"], ["b", "b"]], dtype=object)),
    "IntegerLookup": (lambda: layers.IntegerLookup(vocabulary=[4, 7]), np.array([[4, 9]])),
}


@pytest.mark.parametrize("name", sorted(NOT_DIFFERENTIABLE))
def test_text_layers_are_not_differentiable(name):
    """Strings and ids have no gradient: backward gives ``dx = None`` and no weight
    gradients, and a call under a GradientTape records no entry (nothing it reads is
    watched), so the tape's gradient of anything with respect to the input is None."""
    make, x = NOT_DIFFERENTIABLE[name]
    layer = make()
    y, cache = layer.forward(x)
    assert layer.weights == [] and layer.backward(cache, np.ones(np.shape(y))) == (None, [])
    with kteach.GradientTape() as tape:
        out = layer(x)
    assert tape.entries == []
    assert np.array_equal(np.asarray(out), y)


def test_gradients_flow_past_a_text_layer_to_the_weights_after_it():
    """In a model, the text layer's backward is reached (a Dense after a multi_hot output
    sends dy to it) and gives None, while the Dense's kernel gets its gradient."""
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="count")
    inp = kteach.Input(shape=(3,), dtype="string")
    model = kteach.Model(inp, layers.Dense(1, kernel_initializer="ones")(lookup(inp)))
    x = np.array([["a", "a", "q"], ["c", "b", "c"]], dtype=object)
    with kteach.GradientTape() as tape:
        loss = ops.sum(model(x))
    (dW, db) = tape.gradient(loss, model.trainable_weights)
    # d Σ y / dW = Σ over the rows of the counts: [UNK] 1, a 2, b 1, c 2
    np.testing.assert_array_equal(np.asarray(dW)[:, 0], [1.0, 2.0, 1.0, 2.0])
    assert float(np.asarray(db)[0]) == 2.0


def test_every_layer_class_is_covered():
    """Every layer class that kteach.layers offers has at least one case above."""
    offered = {obj for obj in vars(layers).values()
               if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer}
    covered = {type(p.values[0]().layer) for p in CASES} | {
        type(make()) for make, _ in NOT_DIFFERENTIABLE.values()}
    missing = sorted(cls.__name__ for cls in offered - covered)
    assert not missing, (f"layers without a tape comparison in {__name__}: {missing}. Write a "
                         f"reference for each (kteach.ops only) and add cases.")


def test_every_activation_has_an_elementary_formula():
    assert activation_names(), "no activations found"
    missing = sorted(set(activation_names()) - set(ELEMENTARY))
    assert not missing, f"activations without an elementary-ops formula here: {missing}"


def test_at_a_tie_max_pooling_picks_the_first_while_ops_max_shares():
    """The one place where a layer and its ops reference may rightly differ: a window that
    holds its maximum twice. MaxPooling and GlobalMaxPooling send the whole gradient to the
    first of the tied values (as TensorFlow's and torch's max pooling), ``ops.max`` shares it
    equally (as JAX's max). Both are valid subgradients; the cases above use random inputs,
    which never tie."""
    def both(layer, reference, x):
        y, cache = layer.forward(x)
        dx, _ = layer.backward(cache, np.ones_like(y))
        with kteach.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(reference(layer, ops.convert_to_tensor(x)))
        return dx.ravel(), tape.gradient(total, x).ravel()

    x = np.array([[[1.0], [1.0], [0.0], [2.0]]])          # (1, 4, 1): windows [1, 1], [0, 2]
    hand, tape = both(layers.MaxPooling1D(2, **F64), pool, x)
    np.testing.assert_array_equal(hand, [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(tape, [0.5, 0.5, 0.0, 1.0])
    x = np.array([[[2.0], [1.0], [2.0], [0.0]]])          # the maximum 2 at steps 0 and 2
    hand, tape = both(layers.GlobalMaxPooling1D(**F64), global_pool, x)
    np.testing.assert_array_equal(hand, [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(tape, [0.5, 0.0, 0.5, 0.0])
