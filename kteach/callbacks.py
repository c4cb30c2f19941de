"""Callbacks for ``fit``, as ``keras.callbacks``. See :mod:`kteach.training.callbacks`."""
from .training.callbacks import (Callback, CallbackList, EarlyStopping, History, LambdaCallback,
                                 TerminateOnNaN)
from .training.progress import ProgbarLogger

__all__ = ["Callback", "History", "EarlyStopping", "LambdaCallback", "TerminateOnNaN",
           "ProgbarLogger"]
