"""Metrics, as ``keras.metrics``: numbers that say how well the model does, over an epoch.

A metric sums up the batches seen so far, most often as an average. ``fit`` calls, for
every batch::

    metric.update_state(y_true, y_pred)   # add this batch
    metric.result()                       # the value over all batches so far

and ``metric.reset_state()`` at the start of each epoch. A metric keeps what it has seen in
state Variables made by ``add_variable``; a learner's own metric is a :class:`Metric` subclass
written exactly like the built-in ones (see its docstring). Most built-in metrics are a
per-sample function ``fn(y_true, y_pred) -> one value per sample`` averaged by :class:`Mean`,
so a batch of 32 samples counts 32 times and a last batch of 8 counts 8 times: the epoch's
value is the mean over all samples, whatever the batch size.

Nothing here needs a gradient (metrics are only looked at, never minimised), so a plain
function works as a metric: ``metrics=[my_fn]`` logs it under ``my_fn.__name__``. Return one
value per sample; a function that returns a single number per batch is averaged over batches
with every batch counting once -- as in Keras.

``metrics=['accuracy']`` (or ``'acc'``, any case) picks one of three accuracies from the
shapes of the targets and the outputs -- see :func:`get`. The metric keeps the name as
written, so ``'acc'`` is logged as ``acc``.

Beyond the averages of per-sample values there are metrics that keep counts and compute the
number from them at the end: the confusion counts (:class:`TruePositives` ...,
:class:`Precision`, :class:`Recall`, :class:`AUC`, :class:`F1Score`), :class:`R2Score`'s sums
and :class:`MeanIoU`'s confusion matrix. Their value over an epoch is therefore not the mean of
the batches' values -- exactly as in Keras.

Where each piece is written: ``base.py`` (:class:`Metric`, :class:`Mean`, :class:`Sum`,
:class:`MeanMetricWrapper`, :func:`result_as_float`), ``accuracy.py`` (the accuracies, top-k
too), ``regression.py`` (squared, absolute and percentage errors, R^2), ``probabilistic.py``
(the cross-entropies), ``confusion.py`` (confusion counts, precision, recall), ``auc.py``,
``fscore.py``, ``iou.py`` and ``names.py`` (:func:`get`, the aliases).
"""
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                       SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy,
                       binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                       sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .auc import AUC
from .base import Mean, MeanMetricWrapper, Metric, MetricResultError, Sum, result_as_float
from .confusion import (FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,
                        TruePositives, confusion_counts)
from .fscore import F1Score, FBetaScore
from .iou import MeanIoU
from .names import ALIASES as ALIASES
from .names import AccuracyNeedsShapesError, accuracy_for_shapes, check_identifier, get
from .probabilistic import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .regression import (MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                         R2Score, RootMeanSquaredError)

# The public names (each written in one of the submodules): what kteach.engine.keras_names
# lists when a name is missing. ALIASES is importable too.
__all__ = ['AUC', 'Accuracy', 'AccuracyNeedsShapesError', 'BinaryAccuracy', 'BinaryCrossentropy',
           'CategoricalAccuracy', 'CategoricalCrossentropy', 'F1Score', 'FBetaScore',
           'FalseNegatives', 'FalsePositives', 'Mean', 'MeanAbsoluteError',
           'MeanAbsolutePercentageError', 'MeanIoU', 'MeanMetricWrapper', 'MeanSquaredError',
           'Metric', 'MetricResultError', 'Precision', 'R2Score', 'Recall',
           'RootMeanSquaredError', 'SparseCategoricalAccuracy',
           'SparseCategoricalCrossentropy', 'SparseTopKCategoricalAccuracy', 'Sum',
           'TopKCategoricalAccuracy', 'TrueNegatives', 'TruePositives', 'accuracy',
           'accuracy_for_shapes', 'binary_accuracy', 'categorical_accuracy',
           'check_identifier', 'confusion_counts', 'get', 'result_as_float',
           'sparse_categorical_accuracy', 'sparse_top_k_categorical_accuracy',
           'top_k_categorical_accuracy']


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from ..engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
