"""Optimizers: how each weight moves once its gradient is known.

One training step ends with ``optimizer.apply_gradients(zip(grads, weights))``. For every
weight ``w`` with gradient ``g = dLoss/dw`` the optimizer

1. clips ``g`` if asked (``clipnorm``, ``clipvalue`` or ``global_clipnorm``),
2. shrinks ``w`` if asked (``weight_decay``: ``w ← w − wd·lr·w``),
3. runs its own rule, :meth:`Optimizer.update_step`, which may keep per-weight state
   ("slots", e.g. Adam's running means ``m`` and ``v``),

and then counts the step (``iterations += 1``). Names, defaults and numbers follow Keras 3:
with float32 weights the results agree with Keras 3.15 to float32 precision. The arithmetic is
done in the weight's dtype, in the same order as Keras' PyTorch backend.

Keras 2 spellings that tutorials use are accepted and explained: ``SGD(lr=0.01, decay=1e-6)``.

Example::

    opt = kteach.optimizers.Adam(learning_rate=0.01)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    opt.slots(model.trainable_variables[0])      # {'m': ..., 'v': ...}
    print(opt.describe_update(model.trainable_variables[0]))

The package holds one module per optimizer family: ``base`` (the Optimizer class), ``sgd``,
``rmsprop``, ``adagrad`` (Adagrad, Adadelta), ``adam`` (Adam, AdamW, Adamax, Nadam), ``lion``,
``ftrl``, and ``schedules`` (learning-rate schedules). Import them from here:
``kteach.optimizers.SGD``, ``kteach.optimizers.schedules.ExponentialDecay``.
"""
from __future__ import annotations

from typing import Any

from ..engine.errors import UnknownNameError, unknown_name_error
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .base import Optimizer, OptimizerError
from .ftrl import Ftrl
from .lion import Lion
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "Adamax", "Nadam", "Adadelta",
           "AdamW", "Lion", "Ftrl", "OptimizerError", "get", "schedules"]

# Keras 3 optimizers that kteach does not implement (yet): lower-case name -> class name.
KERAS_ONLY = {"adafactor": "Adafactor",
              "muon": "Muon", "schedulefreeadamw": "ScheduleFreeAdamW"}


# ==================================================================== lookup by name
_BY_NAME = {cls.__name__.lower(): cls
            for cls in (SGD, RMSprop, Adagrad, Adam, Adamax, Nadam, Adadelta, AdamW, Lion,
                        Ftrl)}


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ('adam', any case), a config dict or an optimizer (itself).

    Names get Keras' default hyper-parameters, e.g. ``get('sgd')`` is ``SGD(learning_rate=0.01)``.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _class_by_name(identifier)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return _class_by_name(identifier["class_name"]).from_config(
            dict(identifier.get("config", {})))
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        raise UnknownNameError(
            f"Could not interpret optimizer identifier: {identifier.__name__} (the class). "
            f"Create an optimizer from it: {identifier.__name__}() or "
            f"{identifier.__name__}(learning_rate=...).")
    hint = ""
    if type(identifier).__module__.split(".")[0] in ("keras", "tensorflow", "tf_keras", "torch"):
        hint = (f" This is a {type(identifier).__module__.split('.')[0]} object; kteach needs its "
                f"own, e.g. kteach.optimizers.{type(identifier).__name__}(...).")
    raise UnknownNameError(
        f"Could not interpret optimizer identifier: {identifier!r}.{hint} Give a name such as "
        f"'adam' or an optimizer such as kteach.optimizers.Adam(learning_rate=0.001). "
        f"Known optimizer names: {', '.join(sorted(_BY_NAME))}.")


def _class_by_name(name: str) -> type[Optimizer]:
    key = name.lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    if key in KERAS_ONLY:
        raise UnknownNameError(
            f"Could not interpret optimizer identifier: {name}. Keras has {KERAS_ONLY[key]}, "
            f"but kteach does not implement it (yet). kteach has: {', '.join(sorted(_BY_NAME))}"
            ".")
    raise unknown_name_error("optimizer", name, _BY_NAME)


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from ..engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
