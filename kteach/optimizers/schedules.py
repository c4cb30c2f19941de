"""Learning-rate schedules: the learning rate as a function of the step number.

Reachable as ``kteach.optimizers.schedules`` (as in Keras 3). A schedule is passed as an
optimizer's ``learning_rate``; before every update the optimizer calls ``schedule(step)`` with
``step = optimizer.iterations``, the number of updates made so far (0 for the first one), and
uses the result as ``lr`` for that update. ``optimizer.learning_rate`` reads the rate the next
update will use.

Every schedule computes in float32 (the dtype of ``initial_learning_rate`` as a tensor in
Keras), so the numbers equal Keras 3's to the last bit of float32.

Example::

    lr = kteach.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = kteach.optimizers.SGD(learning_rate=lr)
    lr(0), lr(100), lr(200)          # 0.1, 0.05, 0.025
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.errors import KteachError

__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "ScheduleError", "serialize", "deserialize"]

f32 = np.float32


class ScheduleError(KteachError, ValueError):
    """A schedule argument that cannot work (a ValueError, as in Keras)."""


def _step(step: Any) -> np.float32:
    """The step as a float32 number (an int, a NumPy scalar or a 0-d array)."""
    return f32(np.asarray(step))


def _positive_steps(cls_name: str, name: str, value: Any) -> None:
    if not value > 0:
        raise ScheduleError(
            f"Argument `{name}` must be > 0. Received: {name}={value}. It is the number of "
            f"optimizer steps over which {cls_name} changes the rate, so it must be at least 1.")


class LearningRateSchedule:
    """Base class: a subclass writes ``__call__(self, step)`` (the rate at that step) and,
    to be saved with a model, ``get_config()``."""

    def __call__(self, step: Any) -> np.float32:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
            "order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)

    def describe(self) -> str:
        """The formula with its numbers, as ``explain`` shows it."""
        return type(self).__name__

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class ExponentialDecay(LearningRateSchedule):
    """``lr(step) = initial_learning_rate · decay_rate^(step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops once
    every ``decay_steps`` steps.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name
        _positive_steps("ExponentialDecay", "decay_steps", decay_steps)

    def __call__(self, step: Any) -> np.float32:
        p = _step(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f32(self.initial_learning_rate) * f32(self.decay_rate) ** p

    def describe(self) -> str:
        p = f"⌊step/{self.decay_steps}⌋" if self.staircase else f"step/{self.decay_steps}"
        return f"{self.initial_learning_rate:g}·{self.decay_rate:g}^({p})"

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``lr(step) = initial_learning_rate / (1 + decay_rate · step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is rounded down. ``decay_steps=1`` gives
    Keras 2's ``decay=`` argument: ``lr / (1 + decay·iterations)``.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name
        _positive_steps("InverseTimeDecay", "decay_steps", decay_steps)

    def __call__(self, step: Any) -> np.float32:
        p = _step(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f32(self.initial_learning_rate) / (f32(1) + f32(self.decay_rate) * p)

    def describe(self) -> str:
        p = f"⌊step/{self.decay_steps}⌋" if self.staircase else f"step/{self.decay_steps}"
        return f"{self.initial_learning_rate:g}/(1 + {self.decay_rate:g}·{p})"

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate on each interval of steps.

    ``lr(step) = values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` for ``step > boundaries[-1]``.
    ``values`` has one more entry than ``boundaries``.
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ScheduleError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}. There is one value before the first "
                "boundary, one between each two boundaries and one after the last.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step: Any) -> np.float32:
        step = np.asarray(step)
        index = sum(int(step > b) for b in self.boundaries)   # boundaries passed so far
        return f32(self.values[index])

    def describe(self) -> str:
        return f"piecewise {self.values} at steps {self.boundaries}"

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps.

    ``s = min(step, decay_steps)``;
    ``lr(step) = (initial − end)·(1 − s/decay_steps)^power + end``.
    With ``cycle=True`` the decay restarts: ``decay_steps`` is replaced by its first multiple
    that is >= step (``decay_steps·ceil(step/decay_steps)``, and ``decay_steps`` at step 0).
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power = end_learning_rate, power
        self.cycle, self.name = cycle, name
        _positive_steps("PolynomialDecay", "decay_steps", decay_steps)

    def __call__(self, step: Any) -> np.float32:
        s, T = _step(step), f32(self.decay_steps)
        if self.cycle:
            T = T * (f32(1) if s == 0 else np.ceil(s / T))
        else:
            s = np.minimum(s, T)
        lr0, lr_end = f32(self.initial_learning_rate), f32(self.end_learning_rate)
        return (lr0 - lr_end) * (f32(1) - s / T) ** f32(self.power) + lr_end

    def describe(self) -> str:
        a, e = self.initial_learning_rate, self.end_learning_rate
        return (f"({a:g} − {e:g})·(1 − min(step, {self.decay_steps})/{self.decay_steps})"
                f"^{self.power:g} + {e:g}")

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


def _cosine(fraction: np.float32, alpha: float) -> np.float32:
    """``(1 − α)·½(1 + cos(π·fraction)) + α``: 1 at fraction 0, α at fraction 1."""
    half_cosine = f32(0.5) * (f32(1) + np.cos(f32(math.pi) * fraction))
    return (f32(1) - f32(alpha)) * half_cosine + f32(alpha)


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the start rate down to ``alpha`` times it, after an optional warmup.

    Without warmup (``warmup_target=None``):
    ``lr(step) = initial_learning_rate · ((1 − α)·½(1 + cos(π·s/decay_steps)) + α)``,
    ``s = min(step, decay_steps)``.
    With warmup: for ``step < warmup_steps`` the rate rises in a straight line,
    ``initial + (warmup_target − initial)·step/warmup_steps``; then the cosine above runs from
    ``warmup_target`` with ``s = min(step, warmup_steps + decay_steps) − warmup_steps``.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_steps, self.warmup_target = warmup_steps, warmup_target
        _positive_steps("CosineDecay", "decay_steps", decay_steps)

    def __call__(self, step: Any) -> np.float32:
        s, T, lr0 = _step(step), f32(self.decay_steps), f32(self.initial_learning_rate)
        if self.warmup_target is None:
            return lr0 * _cosine(np.minimum(s, T) / T, self.alpha)
        target, W = f32(self.warmup_target), f32(self.warmup_steps)
        s = np.minimum(s, T + W)
        if s < W:
            return (target - lr0) * (s / W) + lr0
        return target * _cosine((s - W) / T, self.alpha)

    def describe(self) -> str:
        start = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        text = f"{start:g}·cosine(min(step, {self.decay_steps})/{self.decay_steps}, α={self.alpha:g})"
        if self.warmup_target is not None:
            text = (f"warmup {self.initial_learning_rate:g} → {self.warmup_target:g} over "
                    f"{self.warmup_steps} steps, then {text}")
        return text

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay that starts again after each period (SGDR, "warm restarts").

    Period i lasts ``first_decay_steps·t_mul^i`` steps and starts at
    ``initial_learning_rate·m_mul^i``. With ``f = step/first_decay_steps``:
    ``i = floor(f)`` and ``f ← f − i`` when ``t_mul = 1``; otherwise
    ``i = floor(log(1 − f·(1 − t_mul))/log(t_mul))`` and
    ``f ← (f − (1 − t_mul^i)/(1 − t_mul))/t_mul^i`` (the fraction of period i done). Then
    ``lr = initial·((1 − α)·m_mul^i·½(1 + cos(π·f)) + α)``.
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay"):
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name
        _positive_steps("CosineDecayRestarts", "first_decay_steps", first_decay_steps)

    def __call__(self, step: Any) -> np.float32:
        f = _step(step) / f32(self.first_decay_steps)
        t_mul, m_mul, alpha = f32(self._t_mul), f32(self._m_mul), f32(self.alpha)
        if t_mul == 1:
            i = np.floor(f)
            f = f - i
        else:
            i = np.floor(np.log(f32(1) - f * (f32(1) - t_mul)) / np.log(t_mul))
            periods_done = (f32(1) - t_mul ** i) / (f32(1) - t_mul)
            f = (f - periods_done) / t_mul ** i
        half_cosine = f32(0.5) * m_mul ** i * (f32(1) + np.cos(f32(math.pi) * f))
        return f32(self.initial_learning_rate) * ((f32(1) - alpha) * half_cosine + alpha)

    def describe(self) -> str:
        return (f"{self.initial_learning_rate:g}·cosine with restarts (first period "
                f"{self.first_decay_steps} steps, t_mul={self._t_mul:g}, m_mul={self._m_mul:g})")

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_BY_NAME = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay,
                                          PiecewiseConstantDecay, PolynomialDecay,
                                          CosineDecay, CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """The schedule as Keras 3 writes it inside an optimizer's config."""
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config: dict) -> LearningRateSchedule:
    """A schedule from :func:`serialize`'s dict (or ``{"class_name": ..., "config": ...}``)."""
    name = config.get("class_name")
    if name not in _BY_NAME:
        raise ScheduleError(
            f"Unknown learning rate schedule: {name!r}. kteach has "
            f"{', '.join(sorted(_BY_NAME))}; a schedule of your own cannot be read back from a "
            "config (pass it again as learning_rate=...).")
    return _BY_NAME[name].from_config(dict(config.get("config", {})))


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from ..engine.keras_names import missing_name
    raise missing_name("kteach.optimizers.schedules", name, globals())
