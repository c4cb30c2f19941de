"""Central-difference gradient checks used by the tests (float64 throughout)."""
from __future__ import annotations

import numpy as np


def numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f(x) / dx by central differences; ``f`` returns a scalar and may read ``x`` in place."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def check_layer(layer, inputs, training: bool = False, seed: int = 0, tol: float = 1e-6):
    """Compare ``layer.backward`` with central differences of ``sum(r * forward(x))`` for a
    fixed random ``r``, for every input and every weight. ``inputs``: array or list (float64)."""
    rng = np.random.default_rng(seed)
    flat = inputs if isinstance(inputs, list) else [inputs]
    y, cache = layer.forward(inputs, training)
    ys = y if isinstance(y, list) else [y]
    rs = [rng.normal(size=np.shape(v)) for v in ys]

    def loss():
        out, _ = layer.forward(inputs, training)
        outs = out if isinstance(out, list) else [out]
        return float(sum(np.sum(r * o) for r, o in zip(rs, outs)))

    d_out = rs if isinstance(y, list) else rs[0]
    d_in, grads = layer.backward(cache, d_out)
    d_ins = d_in if isinstance(inputs, list) else [d_in]
    for x, dx in zip(flat, d_ins):
        num = numeric_gradient(loss, x)
        assert dx.shape == x.shape
        assert relative_error(dx, num) < tol, ("input", relative_error(dx, num))
    for w, g in zip(layer.weights, grads):
        if g is None:
            continue
        num = numeric_gradient(loss, w.value)
        assert g.shape == w.shape
        assert relative_error(g, num) < tol, (w.path, relative_error(g, num))
    return d_in, grads


def assert_gradients(layer, x, seed: int = 0, rtol: float = 1e-6, atol: float = 1e-9):
    """Backward against central differences of ``Σ r·y`` (every output, input and weight).

    Like :func:`check_layer`, but with an absolute floor: through several time steps some
    gradient entries are ~1e-5, where the finite differences' own noise (~1e-10) would
    already make a relative error of 1e-5. A ``None`` input gradient (token ids) is skipped.
    """
    rng = np.random.default_rng(seed)
    y, cache = layer.forward(x)
    ys = y if isinstance(y, list) else [y]
    rs = [rng.normal(size=v.shape) for v in ys]

    def loss():
        out, _ = layer.forward(x)
        outs = out if isinstance(out, list) else [out]
        return float(sum(np.sum(r * o) for r, o in zip(rs, outs)))

    dx, grads = layer.backward(cache, rs if isinstance(y, list) else rs[0])
    assert len(grads) == len(layer.weights)
    if dx is not None:
        np.testing.assert_allclose(dx, numeric_gradient(loss, x), rtol=rtol, atol=atol)
    for w, g in zip(layer.weights, grads):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, numeric_gradient(loss, w.value), rtol=rtol, atol=atol,
                                   err_msg=w.path)


def built(layer, shape):
    """``layer`` built for inputs of ``(None,) + shape``."""
    layer._maybe_build((None,) + tuple(shape))
    return layer


def check_op(op, *inputs, wrt=None, seed: int = 0, tol: float = 1e-6, **kwargs):
    """Compare the tape's gradient of a kteach op with central differences, in float64.

    ``op(*inputs, **kwargs)`` is run under a GradientTape that watches the float inputs (or
    only those whose positions are in ``wrt``); the scalar checked is ``sum(r * op(...))`` for a
    fixed random ``r`` (and ``sum`` over each output for an op that returns a list).
    Returns the op's output, so a test can also check its value.
    """
    import kteach

    rng = np.random.default_rng(seed)
    arrays = [np.array(x, dtype=np.float64) if _is_float(x) else x for x in inputs]
    positions = [i for i, x in enumerate(arrays) if _is_float(x)] if wrt is None else list(wrt)
    out = op(*arrays, **kwargs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    rs = [rng.normal(size=np.shape(o)) for o in outs]

    def value():
        res = op(*arrays, **kwargs)
        res = res if isinstance(res, (list, tuple)) else [res]
        return float(sum(np.sum(r * np.asarray(o, dtype=np.float64)) for r, o in zip(rs, res)))

    with kteach.GradientTape() as tape:
        for i in positions:
            tape.watch(arrays[i])
        res = op(*arrays, **kwargs)
        res = res if isinstance(res, (list, tuple)) else [res]
        total = kteach.ops.sum(kteach.ops.multiply(rs[0], res[0]))
        for r, o in zip(rs[1:], res[1:]):
            total = kteach.ops.add(total, kteach.ops.sum(kteach.ops.multiply(r, o)))
    grads = tape.gradient(total, [arrays[i] for i in positions])
    for i, g in zip(positions, grads):
        assert g is not None, f"no gradient for input {i} of {op.__name__}"
        assert np.shape(g) == np.shape(arrays[i]), (i, np.shape(g), np.shape(arrays[i]))
        expected = numeric_gradient(value, arrays[i])
        err = float(np.max(np.abs(np.asarray(g) - expected) / np.maximum(1.0, np.abs(expected))))
        assert err < tol, f"{op.__name__} input {i}: tape vs central differences differ by {err:.2e}"
    return out


def _is_float(x) -> bool:
    return (isinstance(x, float) and not isinstance(x, bool)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "f") or (
        isinstance(x, list) and np.asarray(x).dtype.kind == "f")
