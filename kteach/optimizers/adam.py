"""The Adam family: Adam (and AMSGrad), AdamW, Adamax and Nadam."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.variable import Variable
from .base import Optimizer, OptimizerError, _fmt, writable_value


class Adam(Optimizer):
    """Momentum (``m``) divided by a running RMS (``√v``), both corrected for starting at 0.

    ``m ← β1·m + (1−β1)·g``;  ``v ← β2·v + (1−β2)·g²``;  (AMSGrad: ``v̂ ← max(v̂, v)``, used
    instead of v);  ``α = lr·√(1−β2^t)/(1−β1^t)``;  ``w ← w − α·m/(√v + ε)``, t = step number
    from 1. Slots: ``m``, ``v`` (and ``v_hat``). ε is outside the square root.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        _set_moments(self, beta_1, beta_2, epsilon)
        self.amsgrad = amsgrad

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("m", "v")] + ([("v_hat",)] if self.amsgrad else [])

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, dt = self.slots(var), var.dtype.type
        t = dt(self.iterations + 1)
        alpha = lr * np.sqrt(1 - dt(self.beta_2) ** t) / (1 - dt(self.beta_1) ** t)
        # In the order of the formulas, each result written into an existing array (slots,
        # weight, scratch arrays a and b): the same numbers, and a step allocates nothing.
        m, v, w = s["m"], s["v"], writable_value(var)
        a, b = self.scratch(var), self.scratch(var, 1)
        np.add(np.multiply(self.beta_1, m, out=m), np.multiply(1 - self.beta_1, g, out=a), out=m)
        np.multiply(1 - self.beta_2, np.multiply(g, g, out=a), out=a)
        np.add(np.multiply(self.beta_2, v, out=v), a, out=v)
        if self.amsgrad:
            v = np.maximum(s["v_hat"], v, out=s["v_hat"])
        denominator = np.add(np.sqrt(v, out=a), self.epsilon, out=a)
        np.subtract(w, np.divide(np.multiply(m, alpha, out=b), denominator, out=b), out=w)

    def _describe_rule(self) -> str:
        b1, b2, t = self.beta_1, self.beta_2, self.iterations + 1
        lr = self.current_learning_rate
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        v = "v̂" if self.amsgrad else "v"
        return (f"m ← {_fmt(b1)}·m + {_fmt(1 - b1)}·g;  v ← {_fmt(b2)}·v + {_fmt(1 - b2)}·g²;  "
                + ("v̂ ← max(v̂, v);  " if self.amsgrad else "")
                + f"w ← w − {_fmt(alpha)}·m/(√{v} + {_fmt(self.epsilon)})"
                + f"  [t={t}: {_fmt(lr)}·√(1−{_fmt(b2)}^{t})/(1−{_fmt(b1)}^{t})"
                + f" = {_fmt(alpha)}]")

    def get_config(self) -> dict:
        return {**super().get_config(), **_moments_config(self), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): Adam's rule after
    ``w ← w − wd·lr·w``. The same as ``Adam(weight_decay=...)``; here ``weight_decay``
    defaults to 0.004 and must be a number."""

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any):
        if weight_decay is None:
            raise OptimizerError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None. AdamW "
                "is Adam with weight decay; for no decay use Adam, else give e.g. 0.004.")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


class Adamax(Optimizer):
    """Adam with the infinity norm: ``u`` follows the largest recent |g|.

    ``m ← β1·m + (1−β1)·g``;  ``u ← max(β2·u, |g|)``;  ``w ← w − lr·m / ((u + ε)(1−β1^t))``.
    Slots: ``m``, ``u``.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        _set_moments(self, beta_1, beta_2, epsilon)

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("m", "u")]

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, dt = self.slots(var), var.dtype.type
        beta_1_power = dt(self.beta_1) ** dt(self.iterations + 1)
        s["m"] = self.beta_1 * s["m"] + (1 - self.beta_1) * g
        s["u"] = np.maximum(self.beta_2 * s["u"], np.abs(g))
        var.update(var.value - s["m"] * lr / ((s["u"] + self.epsilon) * (1 - beta_1_power)))

    def _describe_rule(self) -> str:
        b1, t = self.beta_1, self.iterations + 1
        lr, eps = _fmt(self.current_learning_rate), _fmt(self.epsilon)
        return (f"m ← {_fmt(b1)}·m + {_fmt(1 - b1)}·g;  u ← max({_fmt(self.beta_2)}·u, |g|);  "
                f"w ← w − {lr}·m/((u + {eps})·(1−{_fmt(b1)}^{t}))")

    def get_config(self) -> dict:
        return {**super().get_config(), **_moments_config(self)}


class Nadam(Optimizer):
    """Adam with Nesterov momentum and a momentum that warms up over the first steps.

    ``μ_t = β1·(1 − 0.5·0.96^t)``;  ``P_t = P_{t−1}·μ_t`` (P_0 = 1, one number shared by all
    weights);  ``m``, ``v`` as in Adam;
    ``m̂ = μ_{t+1}·m/(1 − P_t·μ_{t+1}) + (1−μ_t)·g/(1 − P_t)``;  ``v̂ = v/(1 − β2^t)``;
    ``w ← w − lr·m̂/(√v̂ + ε)``. Slots: ``m``, ``v``; shared: ``u_product`` (P).
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        _set_moments(self, beta_1, beta_2, epsilon)

    def slot_groups(self) -> list[tuple[str, ...]]:
        return [("m", "v")]

    def _mu(self, t: float) -> float:
        """μ_t = β1·(1 − 0.5·0.96^t), computed in the type of t (a Python or NumPy float)."""
        dt = type(t)
        return dt(self.beta_1) * (1.0 - 0.5 * dt(0.96) ** t)

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        if var_list:
            self._shared.setdefault("u_product", np.ones((), dtype=var_list[0].dtype))

    def _before_update_steps(self, variables: list[Variable]) -> None:
        """P_t = P_{t−1}·μ_t, once per step for all weights; P lives in ``u_product``
        (created at 1 in the first weight's dtype, as Keras)."""
        P = self._shared.setdefault("u_product", np.ones((), dtype=variables[0].dtype))
        t = P.dtype.type(self.iterations + 1)
        self._shared["u_product"] = np.asarray(P * self._mu(t))

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        s, dt = self.slots(var), var.dtype.type
        t = dt(self.iterations + 1)
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        product_t = dt(self._shared["u_product"])                  # P_t
        product_next = product_t * mu_next                         # P_t·μ_{t+1}
        s["m"] = self.beta_1 * s["m"] + (1 - self.beta_1) * g
        s["v"] = self.beta_2 * s["v"] + (1 - self.beta_2) * (g * g)
        m_hat = s["m"] * mu_next / (1 - product_next) + g * (1 - mu_t) / (1 - product_t)
        v_hat = s["v"] / (1 - dt(self.beta_2) ** t)
        var.update(var.value - m_hat * lr / (np.sqrt(v_hat) + self.epsilon))

    def _describe_rule(self) -> str:
        b1, t = self.beta_1, float(self.iterations + 1)
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        product = float(self._shared.get("u_product", 1.0)) * mu_t
        lr, eps, v_scale = _fmt(self.current_learning_rate), _fmt(self.epsilon), 1 - self.beta_2**t
        return (f"m ← {_fmt(b1)}·m + {_fmt(1 - b1)}·g;  v ← {_fmt(self.beta_2)}·v + "
                f"{_fmt(1 - self.beta_2)}·g²;  m̂ = {_fmt(mu_next)}·m/{_fmt(1 - product * mu_next)}"
                f" + {_fmt(1 - mu_t)}·g/{_fmt(1 - product)};  v̂ = v/{_fmt(v_scale)};  "
                f"w ← w − {lr}·m̂/(√v̂ + {eps})  [t={int(t)}]")

    def get_config(self) -> dict:
        return {**super().get_config(), **_moments_config(self)}


def _set_moments(opt: Optimizer, beta_1: Any, beta_2: Any, epsilon: Any) -> None:
    """The decay rates of the two running moments (fractions below 1) and ε (positive),
    checked: Adam, Adamax and Nadam take them alike."""
    opt.beta_1 = opt._fraction("beta_1", beta_1, 0.9)
    opt.beta_2 = opt._fraction("beta_2", beta_2, 0.999)
    opt.epsilon = opt._positive("epsilon", epsilon, 1e-7)


def _moments_config(opt: Optimizer) -> dict:
    return {"beta_1": opt.beta_1, "beta_2": opt.beta_2, "epsilon": opt.epsilon}
