"""Conv1D and Conv2D run im2col a few samples at a time (``sample_chunks``). The other conv
tests use batches small enough to be one chunk; here CHUNK_BYTES is made tiny so that every
sample is its own chunk, or two or three (leaving a shorter last chunk), and the results
must equal those of one chunk for the whole batch, in every padding, stride and dilation.
"""
from __future__ import annotations

import numpy as np
import pytest

from kteach.layers import convolutional
from kteach.layers.convolutional import Conv1D, Conv2D, sample_chunks
from gradcheck import check_layer

CASES = [
    (Conv1D, dict(kernel_size=3), (5, 9, 2)),
    (Conv1D, dict(kernel_size=4, strides=2, padding="same"), (5, 9, 2)),
    (Conv1D, dict(kernel_size=3, dilation_rate=2, padding="causal", use_bias=False), (5, 10, 3)),
    (Conv2D, dict(kernel_size=(3, 2), padding="same", dilation_rate=(2, 1)), (4, 7, 6, 2)),
    (Conv2D, dict(kernel_size=(4, 3), strides=(2, 1)), (4, 7, 6, 2)),
]


def run(layer, x):
    y, cache = layer.forward(x, training=True)
    dx, grads = layer.backward(cache, np.random.default_rng(1).normal(size=y.shape))
    return y, dx, grads


@pytest.mark.parametrize("cls,config,shape", CASES, ids=lambda v: getattr(v, "__name__", None))
@pytest.mark.parametrize("samples", [1, 2, 3])
def test_chunks_give_the_numbers_of_one_chunk(monkeypatch, cls, config, shape, samples):
    x = np.random.default_rng(0).normal(size=shape)
    layer = cls(3, activation="tanh", dtype="float64", bias_initializer="random_normal", **config)
    layer._maybe_build((None,) + shape[1:])
    monkeypatch.setattr(convolutional, "CHUNK_BYTES", 2 ** 40)
    y1, dx1, g1 = run(layer, x)
    # one sample's im2col rows: output positions × kernel offsets × channels, float64
    sample_bytes = y1[0].size // 3 * np.prod(layer.kernel_size) * shape[-1] * 8
    monkeypatch.setattr(convolutional, "CHUNK_BYTES", samples * sample_bytes)
    y, dx, grads = run(layer, x)
    np.testing.assert_allclose(y, y1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, dx1, rtol=1e-12, atol=1e-14)
    for g, ref in zip(grads, g1):
        np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-14)
    check_layer(layer, x, tol=1e-5)


def test_sample_chunks_cover_the_batch_in_order(monkeypatch):
    win = np.zeros((7, 4, 3, 2), np.float32)            # one sample: 24 values, 96 bytes
    monkeypatch.setattr(convolutional, "CHUNK_BYTES", 200)
    assert sample_chunks(win) == [slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 7)]
    monkeypatch.setattr(convolutional, "CHUNK_BYTES", 1)
    assert len(sample_chunks(win)) == 7
    assert sample_chunks(win[:0]) == []
