"""Adagrad and Adadelta: steps scaled by the history of squared gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, _fmt


class Adagrad(Optimizer):
    """Each weight's step shrinks with the sum of its squared gradients so far.

    ``a ← a + g²`` (``a`` starts at ``initial_accumulator_value`` = 0.1);
    ``w ← w − lr·g / √(a + ε)``. Slot: ``a``. ε is inside the square root.
    """

    def __init__(self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("a",)]

    def initial_slot_value(self, slot_name: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s = self.slots(var)
        s["a"] = s["a"] + g * g
        var.update(var.value - g * lr / np.sqrt(s["a"] + self.epsilon))

    def _describe_rule(self) -> str:
        lr, eps = _fmt(self.current_learning_rate), _fmt(self.epsilon)
        return f"a ← a + g²;  w ← w − {lr}·g/√(a + {eps})"

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Step size from the ratio of two running RMS: of past steps and of gradients.

    ``Eg ← ρ·Eg + (1−ρ)·g²``;  ``Δ = −√(Ed + ε)/√(Eg + ε)·g``;  ``Ed ← ρ·Ed + (1−ρ)·Δ²``;
    ``w ← w + lr·Δ``. Slots: ``Eg``, ``Ed``. (Keras 3's default lr is 0.001; Keras 2.2 used 1.0.)
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = self._fraction("rho", rho, 0.95), self._positive("epsilon", epsilon, 1e-7)

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("Eg", "Ed")]

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, rho = self.slots(var), self.rho
        s["Eg"] = rho * s["Eg"] + (1 - rho) * (g * g)
        delta = -(np.sqrt(s["Ed"] + self.epsilon) * g / np.sqrt(s["Eg"] + self.epsilon))
        s["Ed"] = rho * s["Ed"] + (1 - rho) * (delta * delta)
        var.update(var.value + lr * delta)

    def _describe_rule(self) -> str:
        rho, eps = _fmt(self.rho), _fmt(self.epsilon)
        return (f"Eg ← {rho}·Eg + {_fmt(1 - self.rho)}·g²;  Δ = −√(Ed + {eps})/√(Eg + {eps})·g;  "
                f"Ed ← {rho}·Ed + {_fmt(1 - self.rho)}·Δ²;  "
                f"w ← w + {_fmt(self.current_learning_rate)}·Δ")

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
