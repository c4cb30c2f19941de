"""Losses by name: :func:`get`, :func:`deserialize`, :func:`serialize` and Keras 3's aliases."""
from __future__ import annotations

from typing import Any

from ..engine.errors import UnknownNameError, unknown_name_error
from ..engine.naming import snake_case
from .base import Loss
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .functions import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                        categorical_focal_crossentropy, categorical_hinge, cosine_similarity,
                        hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                        squared_hinge)
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError)
from .wrapper import LossFunctionWrapper

_CLASSES = [MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, Huber, LogCosh,
            MeanSquaredLogarithmicError, MeanAbsolutePercentageError, Poisson, KLDivergence,
            CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryFocalCrossentropy,
            CategoricalFocalCrossentropy]
_FUNCTIONS = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
              binary_crossentropy: BinaryCrossentropy,
              categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
              huber: Huber, log_cosh: LogCosh,
              mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
              mean_absolute_percentage_error: MeanAbsolutePercentageError,
              poisson: Poisson, kl_divergence: KLDivergence,
              cosine_similarity: CosineSimilarity, hinge: Hinge, squared_hinge: SquaredHinge,
              categorical_hinge: CategoricalHinge,
              binary_focal_crossentropy: BinaryFocalCrossentropy,
              categorical_focal_crossentropy: CategoricalFocalCrossentropy}
# Keras 3's aliases, case-sensitive ('Mse', 'logcosh', 'huber_loss' are refused, as there).
ALIASES = {"mse": MeanSquaredError, "MSE": MeanSquaredError,
           "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
           "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
           "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
           "kld": KLDivergence, "KLD": KLDivergence}
_BY_NAME: dict[str, type[Loss]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: cls for fn, cls in _FUNCTIONS.items()},
    **ALIASES,
}
# Names Keras 3 knows that kteach does not implement (for a clearer message).
_KERAS_ONLY = {"ctc", "CTC", "dice", "Dice", "tversky", "Tversky", "circle", "Circle",
               "categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy"}


def get(identifier: Any) -> Loss | None:
    """The :class:`Loss` for ``identifier``, as ``keras.losses.get``.

    * ``None`` -> ``None`` (no loss);
    * a name (case-sensitive): function names (``'mean_squared_error'``), class names
      (``'MeanSquaredError'``) and the aliases ``mse MSE mae MAE bce BCE msle MSLE mape
      MAPE kld KLD`` -> a new instance;
    * a :class:`Loss` instance -> itself; a :class:`Loss` subclass -> an instance of it;
    * one of this module's functions (``kteach.losses.mean_squared_error``) -> an instance
      of the matching class;
    * any other function ``f(y_true, y_pred)`` -> ``LossFunctionWrapper(f)``, whose gradient
      comes from the tape (a function of the wrong arguments is refused with a TypeError).

    An unknown name raises UnknownNameError.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return deserialize(identifier)
    if isinstance(identifier, type):
        if issubclass(identifier, Loss):
            return identifier()
        raise TypeError(
            f"Cannot use the class {identifier.__name__} as a loss: it is not a subclass of "
            f"kteach.losses.Loss. Subclass Loss and write call(self, y_true, y_pred), or pass "
            f"a function f(y_true, y_pred).")
    if _matching_class(identifier) is not None:
        return _matching_class(identifier)()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise unknown_name_error("loss", str(identifier), _known_names())


def _matching_class(fn: Any) -> type[Loss] | None:
    """The class behind one of this module's function forms, else None."""
    for f, cls in _FUNCTIONS.items():
        if fn is f:
            return cls
    return None


def deserialize(name: str) -> Loss:
    """A new instance of the loss called ``name`` (see :func:`get` for the names)."""
    if name in _BY_NAME:
        return _BY_NAME[name]()
    if name in _KERAS_ONLY:
        raise UnknownNameError(
            f"Could not interpret loss identifier: {name}. Keras 3 has this loss but kteach "
            f"does not implement it. Write it as a function f(y_true, y_pred) with "
            f"kteach.ops, or as a subclass of kteach.losses.Loss (see help(kteach.losses)), "
            f"or use one of: {', '.join(sorted(_known_names()))}.")
    raise unknown_name_error("loss", name, _known_names())


def _known_names() -> list[str]:
    """The names listed in messages: function names and aliases (class names work too)."""
    return [n for n in _BY_NAME if n in ALIASES or not n[0].isupper()]


def serialize(loss: Any) -> str:
    """The name used in messages: ``'mse'`` -> ``'mean_squared_error'``, an instance ->
    its ``name``, anything else -> its ``__name__`` (never raises)."""
    if isinstance(loss, Loss):
        return loss.name
    if isinstance(loss, str) and loss in _BY_NAME:
        return _BY_NAME[loss]().name
    if _matching_class(loss) is not None:
        return loss.__name__
    if isinstance(loss, type):
        return snake_case(loss.__name__)
    return str(getattr(loss, "__name__", loss))
