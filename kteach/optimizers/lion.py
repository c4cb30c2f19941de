"""Lion: steps of exactly the learning rate, in the direction of a momentum's sign."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, OptimizerError, _fmt


class Lion(Optimizer):
    """EvoLved Sign Momentum: every entry moves by exactly ``lr``, in the sign's direction.

    ``w ← w − lr·sign(β1·m + (1−β1)·g)``;  then ``m ← β2·m + (1−β2)·g``.
    Slot: ``momentum`` (m). Use a smaller learning rate than Adam's (steps are ±lr).
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        if isinstance(beta_1, bool) or not isinstance(beta_1, (int, float)) or \
                not 0 < beta_1 <= 1:
            raise OptimizerError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}. The default is 0.9.")
        self.beta_1, self.beta_2 = beta_1, self._fraction("beta_2", beta_2, 0.99, closed=True)

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("momentum",)]

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, dt = self.slots(var), var.dtype.type
        b1, b2 = dt(self.beta_1), dt(self.beta_2)
        direction = np.sign(s["momentum"] * b1 + g * (1 - b1))
        var.update(var.value - lr * direction)
        s["momentum"] = s["momentum"] * b2 + g * (1 - b2)

    def _describe_rule(self) -> str:
        b1, b2, lr = self.beta_1, self.beta_2, _fmt(self.current_learning_rate)
        return (f"w ← w − {lr}·sign({_fmt(b1)}·m + {_fmt(1 - b1)}·g);  "
                f"m ← {_fmt(b2)}·m + {_fmt(1 - b2)}·g")

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
