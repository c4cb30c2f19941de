"""SGD: the plain step against the gradient, with optional (Nesterov) momentum."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, OptimizerError, _fmt, writable_value


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Without momentum:  ``w ← w − lr·g``.
    With momentum μ:   ``v ← μ·v − lr·g``;  ``w ← w + v``
    Nesterov:          ``v ← μ·v − lr·g``;  ``w ← w + μ·v − lr·g`` (the new v).
    Slot: ``momentum`` (v), only when μ ≠ 0. ``momentum`` must be a float in [0, 1].
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:
            raise OptimizerError(
                "`momentum` must be a float between [0, 1]. Received: "
                f"momentum={momentum!r} ({type(momentum).__name__}). Keras 3 accepts only a "
                f"float here: write momentum={_momentum_fix(momentum)}.")
        self.momentum = momentum
        self.nesterov = nesterov

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("momentum",)] if self.momentum != 0 else []

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        # Every result is written into an existing array (out=), in the order of the
        # formulas above, so the numbers are those of `w - lr * g` and a step allocates
        # nothing: lr·g goes to a scratch array, v and w are changed where they are.
        w = writable_value(var)
        lr_g = np.multiply(lr, g, out=self.scratch(var))
        if self.momentum == 0:
            np.subtract(w, lr_g, out=w)                        # w ← w − lr·g
            return
        mu, v = self.momentum, self.slots(var)["momentum"]
        np.subtract(np.multiply(mu, v, out=v), lr_g, out=v)   # v ← μ·v − lr·g
        if self.nesterov:                                     # w ← w − lr·g + μ·v
            np.subtract(w, lr_g, out=w)
            np.add(w, np.multiply(mu, v, out=lr_g), out=w)
        else:                                                 # w ← w + v
            np.add(w, v, out=w)

    def _describe_rule(self) -> str:
        lr, mu = _fmt(self.current_learning_rate), _fmt(self.momentum)
        if self.momentum == 0:
            return f"w ← w − {lr}·g"
        v = f"v ← {mu}·v − {lr}·g;  "
        return v + (f"w ← w + {mu}·v − {lr}·g" if self.nesterov else "w ← w + v")

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _momentum_fix(momentum: Any) -> str:
    """How to write a momentum Keras 3 accepts: 0 -> 0.0, 0.9 stays, 5 -> a value in [0, 1]."""
    try:
        value = float(momentum)
    except (TypeError, ValueError):
        return "0.9 (a float in [0, 1])"
    if 0 <= value <= 1:
        return f"{value!r}"
    return "a float in [0, 1] such as 0.9"
