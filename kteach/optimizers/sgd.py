"""SGD: the plain step against the gradient, with optional (Nesterov) momentum."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, OptimizerError, _fmt


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
        if self.momentum == 0:
            var.update(var.value - lr * g)
            return
        s = self.slots(var)
        mu = self.momentum
        s["momentum"] = mu * s["momentum"] - lr * g
        if self.nesterov:
            var.update(var.value - lr * g + mu * s["momentum"])
        else:
            var.update(var.value + s["momentum"])

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
