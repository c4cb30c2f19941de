"""A plain function ``f(y_true, y_pred)`` used as a loss: :class:`LossFunctionWrapper`."""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .base import Loss


class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred, **kwargs)`` used as a loss (Keras'
    ``LossFunctionWrapper``): ``call`` is the function, the gradient comes from the tape.

    ``compile(loss=my_loss)`` and ``get(my_loss)`` wrap a function this way, named after it.
    Write the function with :mod:`kteach.ops` (or NumPy operators on ``y_pred``, which the
    tape also records). It may return

    * one value per sample, e.g. ``ops.mean(ops.square(y_true - y_pred), axis=-1)``: sample
      weights and the reduction work as for the built-in losses;
    * one number, e.g. ``ops.mean(ops.square(y_true - y_pred))``: without sample weights that
      number is the loss. With weights ``w`` it is multiplied by each weight and then
      reduced, as Keras 3 does: ``'sum_over_batch_size'`` gives ``number · mean(w)``,
      ``'sum'`` gives ``number · sum(w)``, ``'mean_with_sample_weight'`` the number itself.
      So weights cannot single out samples then -- return per-sample values if they must.

    Args:
        fn: the function; it is called with the aligned ``y_true, y_pred`` (see
            :meth:`Loss.align`) and ``kwargs``.
        reduction: as for :class:`Loss`.
        name: default ``fn.__name__``.
        **kwargs: passed on to ``fn`` at every call.
    """

    def __init__(self, fn: Any, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, **kwargs: Any) -> None:
        _check_loss_function(fn, kwargs)
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _what(self) -> str:
        return f"the function {getattr(self.fn, '__name__', type(self.fn).__name__)!r}"

    def __repr__(self) -> str:
        return (f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}) "
                f"name={self.name!r} reduction={self.reduction!r}>")


def _check_loss_function(fn: Any, kwargs: dict) -> None:
    """Refuse, with the fix, a function that cannot be called as ``fn(y_true, y_pred)``."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not callable(fn):
        raise TypeError(f"LossFunctionWrapper needs a function fn(y_true, y_pred), not "
                        f"{type(fn).__name__} {fn!r:.60}.")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some built-in callables have no signature to read
        return
    try:
        signature.bind(None, None, **kwargs)
    except TypeError as e:
        header = f"def {name}(y_true, y_pred):" if name.isidentifier() else "lambda y_true, y_pred:"
        raise TypeError(
            f"The loss function {name!r} cannot be called as {name}(y_true, y_pred"
            f"{''.join(', ' + k + '=...' for k in kwargs)}): {e}. Its signature is "
            f"{name}{signature}. Keras calls a loss with the targets first and the model's "
            f"output second; write it as `{header} ...` (other arguments need defaults, or "
            f"LossFunctionWrapper(fn, name=value) to pass them).") from None
