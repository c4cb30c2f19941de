"""RMSprop: the step divided by a running root-mean-square of the gradient."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, _fmt, writable_value


class RMSprop(Optimizer):
    """Divide the step by a running root-mean-square of the gradient.

    ``s ← ρ·s + (1−ρ)·g²``;  ``inc = lr·g / √(s + ε)``;  ``w ← w − inc``.
    centered: also ``mg ← ρ·mg + (1−ρ)·g`` and ``inc = lr·g / √(s + ε − mg²)`` (a variance).
    momentum μ > 0: ``m ← μ·m + inc``;  ``w ← w − m``.
    Slots: ``s``, then ``m`` (μ > 0), then ``mg`` (centered). ε is inside the square root.
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum = self._fraction("rho", rho, 0.9), self._fraction("momentum", momentum, 0.0)
        self.epsilon, self.centered = self._positive("epsilon", epsilon, 1e-7), centered

    def slot_groups(self) -> list[tuple[str, ...]]:
        return ([("s",)] + ([("m",)] if self.momentum > 0 else [])
                + ([("mg",)] if self.centered else []))

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        # In the order of the formulas above, every result written into an existing array
        # (the slots, the weight, two scratch arrays a and b): the numbers of the plain
        # expressions, without allocating a large table's worth of memory five times a step.
        s, rho, w = self.slots(var), self.rho, writable_value(var)
        a, b = self.scratch(var), self.scratch(var, 1)
        np.multiply(1 - rho, np.multiply(g, g, out=a), out=a)
        np.add(np.multiply(rho, s["s"], out=s["s"]), a, out=s["s"])     # s ← ρ·s + (1−ρ)·g²
        denominator = np.add(s["s"], self.epsilon, out=a)
        if self.centered:                                               # mg ← ρ·mg + (1−ρ)·g
            mg = np.add(np.multiply(rho, s["mg"], out=s["mg"]), np.multiply(1 - rho, g, out=b),
                        out=s["mg"])
            np.subtract(denominator, np.multiply(mg, mg, out=b), out=denominator)
        increment = np.divide(np.multiply(g, lr, out=b), np.sqrt(denominator, out=a), out=b)
        if self.momentum > 0:                                           # m ← μ·m + inc
            m = np.add(np.multiply(self.momentum, s["m"], out=s["m"]), increment, out=s["m"])
            np.subtract(w, m, out=w)
        else:
            np.subtract(w, increment, out=w)                            # w ← w − inc

    def _describe_rule(self) -> str:
        rho, lr, eps = _fmt(self.rho), _fmt(self.current_learning_rate), _fmt(self.epsilon)
        text = f"s ← {rho}·s + {_fmt(1 - self.rho)}·g²;  "
        under_root = f"s + {eps}"
        if self.centered:
            text += f"mg ← {rho}·mg + {_fmt(1 - self.rho)}·g;  "
            under_root = f"s + {eps} − mg²"
        step = f"{lr}·g/√({under_root})"
        if self.momentum > 0:
            return text + f"m ← {_fmt(self.momentum)}·m + {step};  w ← w − m"
        return text + f"w ← w − {step}"

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
