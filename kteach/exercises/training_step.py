"""Exercises of the lesson "inside one training step": the gradient of softmax with
cross-entropy, a Dense kernel's gradient and one momentum step, by hand; and the backward pass
of a layer that squares its input.
"""
from __future__ import annotations

import numpy as np

from . import Exercise


def _array(answer, shape: tuple[int, ...], what: str) -> np.ndarray:
    a = np.asarray(answer, dtype="float64")
    if a.shape != shape:
        raise ValueError(f"{what} should have shape {shape}, but the answer has shape {a.shape}")
    return a


# ----- 1. dL/dz of softmax + cross-entropy ----------------------------------------------------------
P = np.array([0.2, 0.7, 0.1])
LABEL = 1
DZ = P - np.eye(3)[LABEL]                       # [0.2, -0.3, 0.1]


def _check_softmax_gradient(answer):
    a = _array(answer, (3,), "dL/dz (one number per class)")
    if np.allclose(a, DZ, atol=1e-3):
        return None
    if np.allclose(a, -DZ, atol=1e-3):
        return "the signs are flipped: it is p − y, not y − p"
    if np.allclose(a, P, atol=1e-3):
        return "that is p itself: the one-hot y has not been subtracted"
    return f"{np.round(a, 4).tolist()} is not p − y"


softmax_gradient = Exercise(
    "softmax_gradient", _check_softmax_gradient, right=lambda: [0.2, -0.3, 0.1],
    wrong=lambda: [-0.2, 0.3, -0.1],
    hint="for softmax followed by cross-entropy, dL/dz = p − y, where y is the one-hot row of "
         "the label: here y = [0, 1, 0]",
    praise="p − y = [0.2, −0.3, 0.1]: the right class's score is pushed up, the others down, "
           "each in proportion to how wrong it was.")


# ----- 2. dW = xᵀ · dz ----------------------------------------------------------------------------
X = np.array([[1.0, 2.0], [0.0, 1.0]])
DZ_BATCH = np.array([[1.0, -1.0], [2.0, 0.0]])
DW = X.T @ DZ_BATCH                              # [[1, -1], [4, -2]]


def _check_kernel_gradient(answer):
    a = _array(answer, (2, 2), "dW (one row per input, one column per unit)")
    if np.allclose(a, DW):
        return None
    if np.allclose(a, X @ DZ_BATCH):
        return "that is x · dz; the kernel's gradient needs xᵀ · dz (transpose x first)"
    if np.allclose(a, DW.T):
        return "the rows and columns are swapped: row i belongs to input i, column j to unit j"
    return f"{a.tolist()} is not xᵀ · dz"


kernel_gradient = Exercise(
    "kernel_gradient", _check_kernel_gradient, right=lambda: [[1, -1], [4, -2]],
    wrong=lambda: [[5, -1], [2, 0]],
    hint="dW = xᵀ · dz: entry (i, j) is the sum over the samples of x[sample, i] · dz[sample, j]",
    praise="Each entry adds up, over the batch, input i times the gradient arriving at unit j.")


# ----- 3. one SGD step with momentum ------------------------------------------------------------------
W, V, G, LR, MOMENTUM = 1.0, 0.2, 0.5, 0.1, 0.9
W_NEW = W + (MOMENTUM * V - LR * G)              # 1.13


def _check_momentum_step(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating)):
        raise TypeError(f"the answer should be a number (the new w), not {type(answer).__name__}")
    if abs(answer - W_NEW) < 1e-6:
        return None
    if abs(answer - (W - LR * G)) < 1e-6:
        return "0.95 is plain SGD: the velocity from the last step is missing"
    if abs(answer - (MOMENTUM * V - LR * G)) < 1e-6:
        return "0.13 is the new velocity; the new weight is w plus it"
    return f"{answer:g} is not w + (0.9·v − 0.1·g)"


momentum_step = Exercise(
    "momentum_step", _check_momentum_step, right=lambda: 1.13, wrong=lambda: 0.95,
    hint="first the velocity, v ← 0.9·v − 0.1·g, then the weight, w ← w + v",
    praise="v = 0.9·0.2 − 0.1·0.5 = 0.13, so w = 1.13: the weight moved *up*, against its "
           "gradient, because the velocity of the steps before still carries it.")


# ----- 4. the backward pass of y = x² -------------------------------------------------------------------
def _square_class(dx_of):
    from ..layers import Layer

    class Square(Layer):
        def forward(self, x, training=False):
            return x ** 2, x

        def backward(self, x, dy):
            return dx_of(x, dy), []

    return Square


_X4 = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.5]])
_DY4 = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 1.0]])


def _backward_of(cls):
    layer = cls()
    return layer.backward(_X4.copy(), _DY4.copy())


def _check_square_backward(cls):
    dx, grads = _backward_of(cls)
    if dx is None:
        return "backward still returns dx = None"
    dx = np.asarray(dx, dtype="float64")
    if dx.shape != _X4.shape:
        return f"dx should have the shape of x, {_X4.shape}, but has shape {dx.shape}"
    if np.allclose(dx, 2 * _X4):
        return "2·x is the local derivative only; the chain rule multiplies it with dy"
    if np.allclose(dx, _X4 * _DY4):
        return "x · dy is half of it: the derivative of x² is 2·x"
    if not np.allclose(dx, 2 * _X4 * _DY4):
        return "dx does not match a gradient check on y = x²"
    if list(grads):
        return "the layer has no weights, so the list of weight gradients must stay empty"
    return None


square_backward = Exercise(
    "square_backward", _check_square_backward,
    right=lambda: _square_class(lambda x, dy: 2 * x * dy),
    wrong=lambda: _square_class(lambda x, dy: 2 * x),
    unanswered=lambda cls: _backward_of(cls)[0] is None,
    hint="the derivative of x² is 2·x, and the chain rule multiplies it with what arrives: "
         "dx = 2 · x · dy",
    praise="check_layer_gradients(Square(), x) would agree: backward is the local derivative "
           "times the incoming gradient.")
