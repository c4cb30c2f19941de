"""Ftrl: Follow The Regularized Leader, with L1 and L2 penalties built in."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, OptimizerError, _fmt


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al.), with L1/L2 penalties built in.

    With p = ``learning_rate_power`` (−0.5), λ1, λ2, λ2s the regularization strengths and
    ``λ2 ← λ2 + beta/(2·lr)``:
    ``n' = n + g²``;  ``z ← z + (g + 2·λ2s·w) − (n'^(−p) − n^(−p))/lr · w``;
    ``w ← (clip(z, −λ1, λ1) − z) / (n'^(−p)/lr + 2·λ2)``;  ``n ← n'``.
    Slots: ``accumulator`` (n, starts at ``initial_accumulator_value``) and ``linear`` (z).
    """

    def __init__(self, learning_rate: float = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        for name, value, sign in [
                ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                ("learning_rate_power", -learning_rate_power, "negative or zero"),
                ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 "positive or zero")]:
            if value < 0.0:
                raise OptimizerError(
                    f"`{name}` needs to be {sign}. Received: {name}="
                    f"{-value if name == 'learning_rate_power' else value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("accumulator", "linear")]

    def initial_slot_value(self, slot_name: str) -> float:
        return self.initial_accumulator_value if slot_name == "accumulator" else 0.0

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, w, p = self.slots(var), var.value, self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        g_shrunk = g + 2 * self.l2_shrinkage_regularization_strength * w
        n, n_new = s["accumulator"], s["accumulator"] + g * g
        s["linear"] = s["linear"] + (g_shrunk - (n_new ** -p - n ** -p) / lr * w)
        quadratic = n_new ** -p / lr + 2 * l2
        z = s["linear"]
        var.update(((np.clip(z, -l1, l1) - z) / quadratic).astype(var.dtype, copy=False))
        s["accumulator"] = n_new

    def _describe_rule(self) -> str:
        lr, p = _fmt(self.current_learning_rate), _fmt(-self.learning_rate_power)
        l1 = _fmt(self.l1_regularization_strength)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * self.current_learning_rate
                                                            if self.current_learning_rate else 1)
        return (f"n' = n + g²;  z ← z + g − (n'^{p} − n^{p})/{lr}·w;  "
                f"w ← (clip(z, −{l1}, {l1}) − z)/(n'^{p}/{lr} + {_fmt(2 * l2)});  n ← n'")

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
