"""Callbacks for ``fit``, as ``keras.callbacks``. See :mod:`kteach.training.callbacks`."""
from .training.callbacks import (BackupAndRestore, Callback, CSVLogger, EarlyStopping, History,
                                 LambdaCallback, LearningRateScheduler, ModelCheckpoint,
                                 ReduceLROnPlateau, RemoteMonitor, TensorBoard, TerminateOnNaN)
from .training.callbacks import CallbackList as CallbackList  # what fit uses; not in __all__
from .training.inspect_callbacks import TrainingStats
from .training.progress import ProgbarLogger

__all__ = ["Callback", "History", "EarlyStopping", "LambdaCallback", "TerminateOnNaN",
           "ProgbarLogger", "TrainingStats", "ModelCheckpoint", "BackupAndRestore",
           "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TensorBoard",
           "RemoteMonitor"]


def __getattr__(name: str):
    """``LivePlot`` lives in :mod:`kteach.widgets.liveplot` and needs matplotlib, so it is
    imported on first use: ``import kteach`` stays free of matplotlib."""
    if name == "LivePlot":
        from .widgets.liveplot import LivePlot
        return LivePlot
    from .engine.keras_names import missing_name  # a Keras name kteach lacks, or a typo
    raise missing_name(__name__, name, globals())
