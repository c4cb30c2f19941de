"""The Optimizer base class: what every optimizer does around its own update rule.

For each weight: clip the gradient (if asked), shrink the weight (``weight_decay``), then call
the subclass's :meth:`Optimizer.update_step`; keep per-weight state ("slots"); count the
steps; read the learning rate from a float, a schedule or a callable; write the config.
The rules themselves live one family per module beside this one (sgd.py, adam.py, ...).
"""
from __future__ import annotations

import inspect
import math
from typing import Any, Iterable

import numpy as np

from ..engine.errors import KteachError, ShapeError, keyword_names, unknown_keyword_error, warn_once
from ..engine.naming import snake_case, unique_name
from ..engine.variable import Variable
from . import schedules


class OptimizerError(KteachError, ValueError):
    """An optimizer argument or call that cannot work (a ValueError, as in Keras)."""


# Base keywords of every Keras 3 optimizer that kteach accepts only at their default values.
_UNSUPPORTED_DEFAULTS = {"loss_scale_factor": None, "gradient_accumulation_steps": None}
_EMA_KEYS = ("use_ema", "ema_momentum", "ema_overwrite_frequency")


def _fmt(x: float) -> str:
    """A hyper-parameter as a learner would write it: 0.001, 0.9, 1e-07."""
    return f"{float(x):g}"


class Optimizer:
    """Base class: clipping, weight decay, slots, state and the loop over the weights.

    A subclass sets its hyper-parameters in ``__init__``, lists its slot names in
    :meth:`slot_groups` and writes :meth:`update_step` (the rule for one weight) and
    :meth:`describe_update` (the same rule as text).

    Keyword arguments (as Keras 3): ``learning_rate`` (a float), ``weight_decay=None``,
    ``clipnorm=None``, ``clipvalue=None``, ``global_clipnorm=None``, ``name=None``;
    ``use_ema=False``, ``ema_momentum=0.99``, ``ema_overwrite_frequency=None`` (a moving
    average ``w̄`` of each weight, see :meth:`finalize_variable_values`); ``loss_scale_factor``
    and ``gradient_accumulation_steps`` exist but kteach supports only their defaults.
    Keras 2's ``lr=`` and ``decay=`` are accepted with a warning.
    """

    def __init__(self, learning_rate: float, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **legacy: Any):
        cls_name = type(self).__name__
        learning_rate, self.decay = self._read_legacy_keywords(learning_rate, legacy)
        self._check_not_set(loss_scale_factor=loss_scale_factor,
                            gradient_accumulation_steps=gradient_accumulation_steps)
        if use_ema:
            if isinstance(ema_momentum, bool) or not isinstance(
                    ema_momentum, (int, float)) or not 0 <= ema_momentum <= 1:
                raise OptimizerError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum="
                    f"{ema_momentum}. It is the share of the old average kept at each step "
                    "(the default 0.99 averages over about the last 100 steps).")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise OptimizerError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}.")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise OptimizerError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}. Keep the one you want and remove the others.")
        if not isinstance(learning_rate, float) and not callable(learning_rate):
            raise OptimizerError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                "value and returns the corresponding learning rate value). Received instead: "
                f"learning_rate={learning_rate!r} ({type(learning_rate).__name__}). "
                f"Keras 3 refuses anything else; write it as a float, e.g. "
                f"{cls_name}(learning_rate={_float_spelling(learning_rate)}).")
        self.name = name if name is not None else unique_name(snake_case(cls_name))
        self.learning_rate = learning_rate     # the setter checks the value
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.iterations = 0
        # id(variable) -> (variable, {slot name: array}); the variable is kept so its id stays
        # unique. Insertion order is the order in which the optimizer first saw the weights.
        self._slots: dict[int, tuple[Variable, dict[str, np.ndarray]]] = {}
        # State shared by all weights (Nadam's running product); name -> 0-d array.
        self._shared: dict[str, np.ndarray] = {}
        self._no_decay_ids: set[int] = set()
        self._no_decay_names: list[str] = []
        # id(variable) -> (variable, scratch array): room for a rule's intermediate result
        # (``lr·g``), so that rules that write in place (``out=``) allocate nothing per step.
        self._scratch: dict[tuple[int, int], tuple[Variable, np.ndarray]] = {}

    # ---------------------------------------------------------------- construction helpers
    def _read_legacy_keywords(self, learning_rate: Any, legacy: dict) -> tuple[Any, float]:
        """Handle Keras 2's ``lr=`` and ``decay=``; refuse any other unknown keyword."""
        cls_name = type(self).__name__
        legacy = dict(legacy)
        decay = legacy.pop("decay", None)
        has_lr = "lr" in legacy
        lr = legacy.pop("lr", None)
        if legacy:
            allowed = keyword_names(type(self).__init__)
            allowed += [k for k in keyword_names(Optimizer.__init__) if k not in allowed]
            raise unknown_keyword_error(cls_name, next(iter(legacy)), allowed)
        if has_lr:
            default = inspect.signature(type(self).__init__).parameters["learning_rate"].default
            if learning_rate != default:
                raise OptimizerError(
                    f"{cls_name}() got both lr={lr!r} and learning_rate={learning_rate!r}. "
                    "`lr` is the Keras 2 name of `learning_rate`; they mean the same thing. "
                    f"Give it once: {cls_name}(learning_rate={lr!r}).")
            warn_once(
                f"`lr` is the Keras 2 name of `learning_rate`. kteach accepts it, but Keras 3 "
                f"raises \"ValueError: Argument(s) not recognized: {{'lr': {lr!r}}}\". "
                f"Write {cls_name}(learning_rate={lr!r}).", key="optimizer-lr")
            learning_rate = float(lr) if isinstance(lr, int) and not isinstance(lr, bool) else lr
        if decay is None:
            return learning_rate, 0.0
        if not isinstance(decay, (int, float)) or isinstance(decay, bool) or not decay >= 0:
            raise OptimizerError(f"`decay` must be a number >= 0; got decay={decay!r}.")
        warn_once(
            "`decay=` is Keras 2's learning-rate decay. kteach applies it as Keras 2 did: "
            "lr_t = learning_rate / (1 + decay·iterations). Keras 3 ignores it (\"Argument "
            "`decay` is no longer supported and will be ignored.\"), so there the learning rate "
            "stays constant. In Keras 3 write a schedule instead: learning_rate=keras.optimizers."
            f"schedules.InverseTimeDecay(initial_learning_rate={learning_rate!r}, decay_steps=1, "
            f"decay_rate={decay!r}).", key="optimizer-decay")
        return learning_rate, float(decay)

    def _fraction(self, name: str, value: Any, default: float, closed: bool = False) -> float:
        """A decay rate such as beta_1 or rho: a number from 0 up to 1 (1 itself only when
        ``closed``); anything else would make the running averages grow or flip sign."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or \
                not (0 <= value <= 1 if closed else 0 <= value < 1):
            upper = "1" if closed else "below 1"
            raise OptimizerError(
                f"{type(self).__name__}({name}={value!r}): {name} is the fraction of the old "
                f"average kept at each step, so it must be from 0 to {upper} (the default is "
                f"{default}).")
        return value

    def _positive(self, name: str, value: Any, default: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or \
                not value > 0:
            raise OptimizerError(f"{type(self).__name__}({name}={value!r}): {name} must be a "
                                 f"small positive number (the default is {default}).")
        return value

    def _check_not_set(self, **given: Any) -> None:
        for key, value in given.items():
            if value != _UNSUPPORTED_DEFAULTS[key]:
                raise NotImplementedError(
                    f"{type(self).__name__}({key}={value!r}): Keras has `{key}`, but kteach "
                    f"does not implement it (yet). Remove the argument (default "
                    f"{_UNSUPPORTED_DEFAULTS[key]!r}).")

    # ---------------------------------------------------------------- learning rate
    @property
    def learning_rate(self) -> float:
        """The rate the next update uses, as a Python float: the float given, or
        ``schedule(iterations)`` for a schedule, or ``f()`` for a callable without arguments
        (as Keras 3). Keras 2's ``decay`` is not in it; see ``current_learning_rate``."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):
            return float(lr())
        return lr

    @property
    def learning_rate_schedule(self) -> Any:
        """The schedule or callable given as ``learning_rate``, or None for a float."""
        return None if isinstance(self._learning_rate, float) else self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
            return
        if callable(value) and not isinstance(value, (int, float, np.number)):
            _check_no_argument_callable(value)
            self._learning_rate = value
            return
        if getattr(self, "_learning_rate", None) is not None and \
                isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise OptimizerError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                f"optimizer with a float `learning_rate` argument. (Tried to set {value!r}; "
                "the schedule decides the rate at every step.)")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise OptimizerError(
                f"The learning rate must be a number, a LearningRateSchedule or a callable; "
                f"got {value!r} ({type(value).__name__}). Use a float such as 0.001.")
        value = float(value)
        if not (math.isfinite(value) and value >= 0):
            raise OptimizerError(
                f"The learning rate must be a finite number >= 0; got {value}. It is the size "
                "of each step against the gradient: a negative one climbs the loss and NaN or "
                "infinity destroys the weights. Typical values lie between 1e-4 and 0.1.")
        self._learning_rate = value

    @property
    def current_learning_rate(self) -> float:
        """The rate the next step uses: ``learning_rate / (1 + decay·iterations)`` (Keras 2's
        ``decay``; equal to ``learning_rate`` when ``decay`` is 0, always in Keras 3)."""
        return self.learning_rate / (1.0 + self.decay * self.iterations)

    # ---------------------------------------------------------------- slots and state
    def slot_groups(self) -> list[tuple[str, ...]]:
        """Names of the per-weight state arrays, grouped as Keras creates them.

        Keras makes one group for all weights before the next group, so ``variables`` lists
        e.g. Adam's ``[k.m, k.v, b.m, b.v]`` and then AMSGrad's ``[k.v_hat, b.v_hat]``.
        """
        return []

    def initial_slot_value(self, slot_name: str) -> float:
        """The value a new slot array starts at (0; Adagrad's accumulator differs)."""
        return 0.0

    def _groups(self) -> list[tuple[str, ...]]:
        """Every slot group: with ``use_ema`` the moving average of the weight comes first
        (Keras creates it before the optimizer's own slots)."""
        return ([("average",)] if self.use_ema else []) + self.slot_groups()

    def slots(self, var: Variable) -> dict[str, np.ndarray]:
        """This weight's state arrays, each of ``var.shape``; created on first use."""
        key = id(var)
        if key not in self._slots:
            self._slots[key] = (var, {
                name: np.full(var.shape, 0.0 if name == "average"
                              else self.initial_slot_value(name), dtype=var.dtype)
                for group in self._groups() for name in group})
        return self._slots[key][1]

    def scratch(self, var: Variable, which: int = 0) -> np.ndarray:
        """A work array of ``var``'s shape and dtype, kept from step to step (not state: its
        contents mean nothing between steps); ``which`` = 1, 2, ... gives further ones. SGD
        puts ``lr·g`` there, Adam and RMSprop their temporaries, so a step allocates nothing."""
        key = (id(var), which)
        if key not in self._scratch or self._scratch[key][1].shape != var.shape:
            self._scratch[key] = (var, np.empty(var.shape, dtype=var.dtype))
        return self._scratch[key][1]

    def build(self, var_list: list[Variable]) -> None:
        """Create the slots of every weight now (as Keras' ``build``; optional here)."""
        for var in var_list:
            self.slots(var)

    @property
    def variables(self) -> list[np.ndarray]:
        """Keras 3's optimizer variables: ``iterations`` (int32), ``learning_rate`` (float32),
        then every slot array, then shared state (Nadam's product). The sum of their sizes is
        what ``summary()`` prints as "Optimizer params" (Adam: 2 + 2·weights). The slot
        arrays are the optimizer's current ones (a step may replace them or write into them): changing one in
        place changes the optimizer."""
        out = [np.array(self.iterations, dtype=np.int32)]
        if isinstance(self._learning_rate, float):   # a schedule is not a variable (Keras)
            out.append(np.array(self.learning_rate, dtype=np.float32))
        for group in self._groups():
            for _, slots in self._slots.values():
                out.extend(slots[name] for name in group)
        out.extend(self._shared.values())
        return out

    def get_state(self) -> dict:
        """A deep copy of everything a step changes (iterations, slots, shared state)."""
        return {"iterations": self.iterations,
                "slots": {key: (var, {n: a.copy() for n, a in slots.items()})
                          for key, (var, slots) in self._slots.items()},
                "shared": {n: a.copy() for n, a in self._shared.items()}}

    def set_state(self, state: dict) -> None:
        """Put the optimizer back to a state from :meth:`get_state` (which stays reusable)."""
        self.iterations = int(state["iterations"])
        self._slots = {key: (var, {n: a.copy() for n, a in slots.items()})
                       for key, (var, slots) in state["slots"].items()}
        self._shared = {n: a.copy() for n, a in state["shared"].items()}

    # ---------------------------------------------------------------- applying a step
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> int:
        """Apply one step from ``(gradient, weight)`` pairs, e.g. ``zip(grads, weights)``.

        Returns ``iterations`` after the step, as Keras returns its iterations variable.
        """
        pairs = list(grads_and_vars)
        if not pairs:
            raise OptimizerError(
                "apply_gradients() got no (gradient, variable) pairs. Pass e.g. "
                "zip(grads, model.trainable_variables) with one gradient per weight.")
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads: list, variables: list[Variable]) -> None:
        """Apply one step: clip, weight decay, then :meth:`update_step` for each weight.

        ``grads[i]`` is dLoss/d``variables[i]``, same shape. A ``None`` gradient skips its
        weight (with a warning, as Keras). Every gradient is checked before any weight
        changes, so a bad call leaves the model and the optimizer as they were.
        """
        grads, variables = self._checked(list(grads), list(variables))
        grads = self._clip(grads)
        lr = self.current_learning_rate
        self._apply_weight_decay(variables, lr)
        self._before_update_steps(variables)
        for g, var in zip(grads, variables):
            self.update_step(g, var, var.dtype.type(lr))
        if self.use_ema:
            self._update_moving_averages(variables)
        self.iterations += 1

    def _update_moving_averages(self, variables: list[Variable]) -> None:
        """``w̄ ← μ·w̄ + (1−μ)·w`` after the update (μ = 0 at the very first step, so w̄ starts
        at w); every ``ema_overwrite_frequency`` steps the weights are set to w̄ (Keras 3)."""
        for var in variables:
            s, dt = self.slots(var), var.dtype.type
            mu = dt(self.iterations != 0) * dt(self.ema_momentum)
            s["average"] = mu * s["average"] + (1 - mu) * var.value
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self.finalize_variable_values(variables)

    def finalize_variable_values(self, var_list: list[Variable]) -> None:
        """With ``use_ema``, set every weight to its moving average (fit does this at the
        end of training, as Keras); otherwise nothing."""
        if not self.use_ema:
            return
        for var in var_list:
            if id(var) in self._slots:
                var.update(self._slots[id(var)][1]["average"].copy())

    def update_step(self, g: np.ndarray, var: Variable, lr: np.floating) -> None:
        """One weight's rule: read ``g`` (clipped, in ``var``'s dtype) and ``lr`` (a scalar of
        that dtype), update ``self.slots(var)`` and ``var``. ``self.iterations`` is the number
        of steps before this one, so ``t = iterations + 1``."""
        raise NotImplementedError(
            f"{type(self).__name__} has no update rule. Subclass Optimizer and write "
            "update_step(g, var, lr), or use one of SGD, RMSprop, Adagrad, Adam, Adamax, "
            "Nadam, Adadelta.")

    def describe_update(self, var: Variable | None = None) -> str:
        """The next update of ``var`` as a formula with the actual numbers (for a record).
        With a schedule, the rate in the formula is this step's and a note says where from."""
        text = self._describe_prefix() + self._describe_rule()
        if self.use_ema:
            mu = 0.0 if self.iterations == 0 else self.ema_momentum
            text += f";  w̄ ← {_fmt(mu)}·w̄ + {_fmt(1 - mu)}·w"
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            text += (f"  [lr = {type(lr).__name__}(step={self.iterations}) = "
                     f"{_fmt(self.learning_rate)}: {lr.describe()}]")
        elif callable(lr):
            text += f"  [lr = {getattr(lr, '__name__', type(lr).__name__)}() = {_fmt(self.learning_rate)}]"
        return text

    def _describe_rule(self) -> str:
        return "w ← update_step(w, g)"

    def _describe_prefix(self) -> str:
        """Clipping and weight decay, written before the rule when they are switched on."""
        parts = []
        if self.clipnorm and self.clipnorm > 0:
            parts.append(f"g ← g·{_fmt(self.clipnorm)}/max(‖g‖, {_fmt(self.clipnorm)})")
        elif self.global_clipnorm and self.global_clipnorm > 0:
            c = _fmt(self.global_clipnorm)
            parts.append(f"g ← g·{c}/max(‖all g‖, {c})")
        elif self.clipvalue and self.clipvalue > 0:
            c = _fmt(self.clipvalue)
            parts.append(f"g ← clip(g, −{c}, {c})")
        if self.weight_decay is not None:
            parts.append(f"w ← w − {_fmt(self.weight_decay)}·{_fmt(self.current_learning_rate)}·w")
        return "".join(p + ";  " for p in parts)

    def _before_update_steps(self, variables: list[Variable]) -> None:
        """Advance state shared by all weights, once per step before the weights (Nadam)."""

    def _checked(self, grads: list, variables: list) -> tuple[list[np.ndarray], list[Variable]]:
        """Pair up, drop None gradients, check shapes, cast each gradient to its weight's dtype."""
        if len(grads) != len(variables):
            raise OptimizerError(
                f"Got {len(grads)} gradients for {len(variables)} variables. Give one gradient "
                "per weight, in the order of model.trainable_variables.")
        kept_g, kept_v, missing = [], [], []
        for g, var in zip(grads, variables):
            if not (hasattr(var, "value") and hasattr(var, "assign")):
                raise OptimizerError(
                    f"The optimizer updates Variables (layer weights), but got a "
                    f"{type(var).__name__}. Pass model.trainable_variables (or layer.weights).")
            if g is None:
                missing.append(var.path)
                continue
            g = np.asarray(g)
            if g.shape != var.shape:
                raise ShapeError(
                    f"The gradient for {var.path} has shape {g.shape} but the weight has shape "
                    f"{var.shape}. Each gradient must have its weight's shape; check that the "
                    "gradients are in the same order as the variables.")
            kept_g.append(g.astype(var.dtype, copy=False))
            kept_v.append(var)
        if not kept_g:
            raise OptimizerError(
                "No gradients provided for any variable. The loss does not depend on the "
                "weights you passed; check the loss and the list of variables.")
        if missing:
            warn_once(f"Gradients do not exist for variables {missing} when minimizing the "
                      "loss; those weights are left unchanged.")
        return kept_g, kept_v

    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """clipnorm: each g scaled to norm <= c; global_clipnorm: all g scaled together so that
        sqrt(Σ‖g‖²) <= c; clipvalue: each entry into [−c, c]. (Zero or None means off.)"""
        if self.clipnorm and self.clipnorm > 0:
            return [g * self.clipnorm / np.maximum(np.sqrt(np.sum(g * g)), self.clipnorm)
                    for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = np.sqrt(np.sum(np.stack([np.sum(g * g) for g in grads])))
            # min(1/norm, 1/c)·c is 1 when the norm is small enough; NaN stays NaN.
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = self.global_clipnorm * np.minimum(1.0 / norm, 1.0 / self.global_clipnorm)
                scale = scale + (norm - norm)   # an infinite norm gives NaN, not a silent 0
            return [g * scale.astype(g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list: list[Variable] | None = None,
                                  var_names: list[str] | None = None) -> None:
        """Leave these weights (or weights whose name contains one of ``var_names``) undecayed."""
        self._no_decay_ids = {id(v) for v in var_list or []}
        self._no_decay_names = list(var_names or [])

    def _apply_weight_decay(self, variables: list[Variable], lr: float) -> None:
        """``w ← w·(1 − wd·lr)``, i.e. ``w − wd·lr·w``, before the update rule."""
        if self.weight_decay is None:
            return
        for var in variables:
            if id(var) in self._no_decay_ids or any(n in var.name for n in self._no_decay_names):
                continue
            dt = var.dtype.type
            var.update(var.value * (1 - dt(self.weight_decay) * dt(lr)))

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The constructor arguments, with Keras 3's keys (plus ``decay`` if used)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        config = {"name": self.name, "learning_rate": lr,
                  "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                  "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                  "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency,
                  "loss_scale_factor": self.loss_scale_factor,
                  "gradient_accumulation_steps": self.gradient_accumulation_steps}
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        """A new optimizer (without state) from :meth:`get_config`'s dict."""
        if isinstance(config.get("learning_rate"), dict):
            config = {**config, "learning_rate": schedules.deserialize(config["learning_rate"])}
        return cls(**config)

    def __repr__(self) -> str:
        own = {k: v for k, v in self.get_config().items() if k not in _UNSUPPORTED_DEFAULTS
               and (v is not None or k == "learning_rate") and k != "name"
               and (self.use_ema or k not in _EMA_KEYS)}
        args = ", ".join(f"{k}={v!r}" for k, v in own.items())
        return f"<{type(self).__name__} name={self.name!r} {args}>"


def writable_value(var: Variable) -> np.ndarray:
    """``var.value``, ready to be updated in place: a read-only array (a broadcast, a loaded
    buffer) is first replaced by a copy of its own."""
    if not var.value.flags.writeable:
        var.value = var.value.copy()
    return var.value


def _check_no_argument_callable(f: Any) -> None:
    """Keras 3 calls a plain callable learning rate with no arguments; one that needs the step
    would fail at the first update, so say it now."""
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return
    needed = [p.name for p in params if p.default is p.empty
              and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if needed:
        raise OptimizerError(
            f"learning_rate={getattr(f, '__name__', f)!r} needs the argument(s) {needed}, but an "
            "optimizer calls a plain callable learning rate with no arguments (as Keras 3 "
            "does). For a rate that depends on the step, subclass "
            "kteach.optimizers.schedules.LearningRateSchedule and write __call__(self, step), "
            "or use a built-in schedule such as ExponentialDecay.")


def _float_spelling(value: Any) -> str:
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return "0.001"
