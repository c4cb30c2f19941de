"""Callbacks: code that ``fit`` calls at the start and end of epochs and batches.

``History`` is added to every ``fit`` and is what ``fit`` returns. The others are passed in
``fit(..., callbacks=[...])``. A callback sees the model as ``self.model`` and the running
numbers as ``logs``, a dict such as ``{'accuracy': 0.91, 'loss': 0.25}``.

Where each is written: ``base.py`` (:class:`Callback`, :class:`CallbackList`, :class:`History`,
:class:`LambdaCallback`), ``stopping.py`` (:class:`EarlyStopping`, :class:`TerminateOnNaN`),
``checkpoint.py`` (:class:`ModelCheckpoint`, :class:`BackupAndRestore`), ``learning_rate.py``
(:class:`ReduceLROnPlateau`, :class:`LearningRateScheduler`) and ``loggers.py``
(:class:`CSVLogger`, :class:`TensorBoard`, :class:`RemoteMonitor`). ``kteach.callbacks`` is
the public face, with the progress bar and :class:`TrainingStats` besides.
"""
from .base import Callback, CallbackList, History, LambdaCallback
from .checkpoint import BackupAndRestore, ModelCheckpoint
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .loggers import CSVLogger, RemoteMonitor, TensorBoard
from .stopping import EarlyStopping, TerminateOnNaN

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau",
           "RemoteMonitor", "TensorBoard", "TerminateOnNaN"]
