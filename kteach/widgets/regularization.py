"""L1 and L2 weight penalties for the Playground, written with kteach's public API.

kteach has no ``kernel_regularizer`` yet. In Keras, ``Dense(..., kernel_regularizer=L2(λ))``
adds ``λ·ΣW²`` to the loss (``L1(λ)``: ``λ·Σ|W|``), so every training step also moves each
kernel weight against the penalty's gradient:

* L2: ``R(W) = Σ W²``,  ``dR/dW = 2·W``    ("weight decay": big weights shrink fastest)
* L1: ``R(W) = Σ |W|``, ``dR/dW = sign(W)`` (every weight is pulled towards 0 at the same pace)

:class:`PenaltyStep` does that step itself, as a callback of ``fit``: before each batch it
notes ``g_R = λ·dR/dW`` for every kernel, and after the optimizer's step it applies
``W ← W − lr·g_R``. With plain SGD (no momentum) this gives exactly the weights of training on
``loss + λ·R(W)``. With other optimizers the penalty step is a plain gradient step taken
beside the optimizer (like AdamW's "decoupled" weight decay) rather than through its momentum
or its scaling. TensorFlow Playground regularises the same way, and like it an L1 step that
would carry a weight across zero stops it at exactly 0 (which is how L1 makes weights sparse).

Only kernels are penalised, not biases, as with Keras' ``kernel_regularizer``.
"""
from __future__ import annotations

import numpy as np

from ..training.callbacks import Callback

KINDS = (None, "l1", "l2")


def check_kind(kind: str | None) -> str | None:
    """``None``/``'none'``, ``'l1'`` or ``'l2'`` (any case) -> None, 'l1' or 'l2'."""
    key = None if kind is None or str(kind).lower() == "none" else str(kind).lower()
    if key not in KINDS:
        raise ValueError(f"Unknown regularization {kind!r}: use None, 'L1' or 'L2'.")
    return key


def penalty(model, kind: str | None, rate: float) -> float:
    """``λ·R`` summed over the kernels of ``model``: the number Keras adds to the loss."""
    kind = check_kind(kind)
    if kind is None or rate == 0:
        return 0.0
    total = 0.0
    for W in kernels(model):
        w = W.numpy().astype("float64")
        total += float(np.abs(w).sum() if kind == "l1" else (w * w).sum())
    return rate * total


def kernels(model) -> list:
    """The kernel weights (``layer.kernel``) of every layer that has one, in layer order."""
    return [layer.kernel for layer in model.layers if getattr(layer, "kernel", None) is not None]


def penalty_gradient(w: np.ndarray, kind: str, rate: float) -> np.ndarray:
    """``λ·dR/dW``: ``2λW`` for L2, ``λ·sign(W)`` for L1."""
    return rate * (2.0 * w if kind == "l2" else np.sign(w))


class PenaltyStep(Callback):
    """``fit(..., callbacks=[PenaltyStep('l2', 0.001)])``: after every batch, move each kernel
    by ``−lr·λ·dR/dW`` evaluated at the weights from before the batch (see the module text)."""

    def __init__(self, kind: str | None, rate: float):
        super().__init__()
        self.kind = check_kind(kind)
        self.rate = float(rate)
        self._steps: list[np.ndarray] = []

    def on_train_batch_begin(self, batch, logs=None):
        if self.kind is None or self.rate == 0:
            return
        self._steps = [penalty_gradient(W.numpy(), self.kind, self.rate)
                       for W in kernels(self.model)]

    def on_train_batch_end(self, batch, logs=None):
        if not self._steps:
            return
        lr = self.model.optimizer.learning_rate
        for W, g in zip(kernels(self.model), self._steps):
            w = W.numpy()
            new = w - (lr * g).astype(w.dtype)
            if self.kind == "l1":   # a weight pushed across zero stops at zero
                new = np.where(w * new < 0, 0.0, new).astype(w.dtype)
            W.assign(new)
        self._steps = []
