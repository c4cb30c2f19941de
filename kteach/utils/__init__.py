"""Utilities, as ``keras.utils``: to_categorical, set_random_seed, pad_sequences, normalize,
get_file, plot_model and model_to_dot; and kteach's gradient checks, check_gradients and
check_layer_gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import random as _random
from ..engine.errors import check_keywords, warn_once
from .gradient_check import check_gradients, check_layer_gradients
from .data_adapter import PyDataset  # batches by index, for fit/evaluate/predict
from .timeseries import timeseries_dataset_from_array


@check_keywords
def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels: label ``k`` becomes a row with a 1 in column ``k``.

    A trailing axis of size 1 is dropped first, so labels shaped ``(n, 1)`` give ``(n, C)``
    like labels shaped ``(n,)``. ``num_classes`` defaults to ``max(x) + 1``. Returns float64,
    as Keras 3 does for NumPy input.
    """
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"to_categorical expects integer class labels (0, 1, 2, ...), but got "
                         f"values of dtype {x.dtype} such as {x.flat[0]!r}. Turn names into "
                         f"numbers first, e.g. labels = np.unique(names, return_inverse=True)[1].")
    if x.size and not np.all(np.mod(x, 1) == 0):
        raise ValueError("to_categorical expects whole-number class labels such as 0, 1, 2; "
                         "these have fractions.")
    labels = x.astype("int64")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and labels.min() < 0:
        warn_once(f"to_categorical got the label {int(labels.min())}. Keras counts a negative "
                  f"label from the end (-1 is the last class, {num_classes - 1}), and so does "
                  f"kteach; if -1 marks a missing label, drop those samples instead.",
                  key="to_categorical_negative")
        if labels.min() < -num_classes:
            raise IndexError(f"to_categorical got the label {int(labels.min())}, below "
                             f"-{num_classes}: labels must be 0 to {num_classes - 1}.")
    if labels.size and labels.max() >= num_classes:
        raise IndexError(
            f"to_categorical got the label {int(labels.max())} but num_classes={num_classes}, "
            f"so labels must be 0 to {num_classes - 1}. Increase num_classes or check the labels.")
    return np.eye(num_classes, dtype="float64")[labels]


@check_keywords
def set_random_seed(seed: int) -> None:
    """Make a run repeatable: seeds kteach's generator (weight initialisation, dropout masks,
    shuffling in fit) and also Python's ``random`` and NumPy's global generator."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    _random.set_seed(int(seed))


@check_keywords
def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Make lists of different lengths into one array of shape ``(n, maxlen)``.

    ``padding='pre'`` fills at the start (Keras' default), ``'post'`` at the end; sequences
    longer than ``maxlen`` lose their start (``truncating='pre'``) or end (``'post'``).
    """
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ValueError(f'{name} must be "pre" or "post", not {v!r}.')
    seqs = [list(s) for s in sequences]
    maxlen = max((len(s) for s in seqs), default=0) if maxlen is None else int(maxlen)
    out = np.full((len(seqs), maxlen), value, dtype=dtype)
    for i, s in enumerate(seqs):
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if not s:
            continue
        if padding == "pre":
            out[i, maxlen - len(s):] = s
        else:
            out[i, :len(s)] = s
    return out


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Divide ``x`` by its ``order``-norm along ``axis`` (L2 by default), as
    ``keras.utils.normalize``: each row of a 2-D array gets length 1. A zero vector stays
    zero (its norm is taken as 1). Keras' NumPy path turns ``axis=0`` into -1 when it puts
    the axis back; kteach keeps the axis it was given."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"normalize expects numbers, but got an array of dtype {x.dtype}.")
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"normalize(axis={axis}) but the array has {x.ndim} axes, so axis "
                         f"must be from {-x.ndim} to {x.ndim - 1}.")
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def __getattr__(name: str):
    """``plot_model`` and ``model_to_dot`` live in :mod:`kteach.viz.diagram`; they are imported
    on first use so that ``import kteach`` stays fast."""
    if name in ("plot_model", "model_to_dot"):
        from ..viz import diagram
        return getattr(diagram, name)
    if name in _SAVING_NAMES:   # keras.utils has these too; kteach.saving is imported late
        from .. import saving
        return getattr(saving, name)
    if name == "get_file":      # downloads into Keras' cache; lives with the data sets
        from ..datasets._files import get_file
        return get_file
    raise AttributeError(f"module 'kteach.utils' has no attribute '{name}'")


_SAVING_NAMES = ("register_keras_serializable", "serialize_keras_object",
                 "deserialize_keras_object", "get_registered_name", "get_registered_object",
                 "get_custom_objects", "CustomObjectScope", "custom_object_scope")


__all__ = ["to_categorical", "set_random_seed", "pad_sequences", "plot_model", "model_to_dot",
           "check_gradients", "check_layer_gradients", "get_file", "normalize", "PyDataset",
           "timeseries_dataset_from_array"]
