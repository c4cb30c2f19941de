"""The exercises of the lesson on saving and loading (keep-your-model).

* :data:`weight_path`: where, inside ``model.weights.h5``, the bias of the last layer of a
  Sequential model of three ``Dense`` layers lies (checked against a weights file written
  here, for such a model whose layers have other names: Keras 3 names the groups after the
  layers' classes, ``dense``, ``dense_1``, ``dense_2``, not after the layers).
* :data:`best_by_accuracy`: a ``ModelCheckpoint`` that keeps the epoch with the best
  validation accuracy (checked by its settings: watched value, direction, whole model).
* :data:`copy_through_files`: a function that copies a model through a weights file and its
  JSON config (checked on a fresh model: a new object with the same predictions).

In the lesson the last answer is a stub that returns ``None`` where the learner writes; a stub
still untouched gets "No answer yet", as a plain ``None`` answer does.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np

from . import Exercise

__all__ = ["weight_path", "best_by_accuracy", "copy_through_files"]


def _three_dense(seed: int = 0):
    """Three Dense layers, Input(2) -> 16 -> 16 -> 1, named unlike their groups in a file."""
    from .. import Input, Sequential, layers, utils
    utils.set_random_seed(seed)
    return Sequential([Input(shape=(2,)), layers.Dense(16, activation="relu", name="dense_3"),
                       layers.Dense(16, activation="relu", name="dense_4"),
                       layers.Dense(1, activation="sigmoid", name="dense_5")],
                      name="three_dense")


# ----- 1. where a weight lives in model.weights.h5 ---------------------------------------------
def _dataset_shapes() -> dict[str, tuple]:
    """Every dataset of the weights file of a three-Dense model after one Adam step:
    path -> shape."""
    import h5py
    model = _three_dense()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = _sample()
    model.train_on_batch(x, (x[:, :1] > 0).astype("float32"))   # Adam makes its variables
    folder = tempfile.mkdtemp()
    try:
        path = os.path.join(folder, "check.weights.h5")
        model.save_weights(path)
        shapes: dict[str, tuple] = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, obj: shapes.__setitem__(name, obj.shape)
                         if isinstance(obj, h5py.Dataset) else None)
        return shapes
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_weight_path(answer) -> str | None:
    if not isinstance(answer, str):
        return f"the answer is a path, a string such as 'layers/dense/vars/0'; got {answer!r}"
    path = answer.strip().strip("/")
    shapes = _dataset_shapes()
    if path == "layers/dense_2/vars/1":
        return None
    if path in ("layers/dense_5/vars/1", "layers/dense_5/vars/0"):
        return ("the file has no group layers/dense_5: the groups are named after the "
                "layers' class, not after the layers' own names")
    if path not in shapes:
        return f"the file has no dataset '{path}'"
    if path.startswith("optimizer/"):
        return (f"'{path}' is one of Adam's variables (shape {shapes[path]}), not a weight of "
                f"a layer")
    if path == "layers/dense_2/vars/0":
        return "that is the last layer's kernel, of shape (16, 1); the bias comes after it"
    return (f"'{path}' is a weight of shape {shapes[path]} of another layer, not the last "
            f"layer's bias")


weight_path = Exercise(
    "weight_path", _check_weight_path,
    right=lambda: "layers/dense_2/vars/1", wrong=lambda: "layers/dense_2/vars/0",
    hint="the groups under layers/ are named after the class, dense, dense_1, dense_2 in the "
         "model's order; in each, vars/0 is the kernel and vars/1 the bias",
    praise="The third Dense layer's group is dense_2, whatever the layer is called; its bias "
           "has shape (1,): one number, added to the one output.")


# ----- 2. a checkpoint that keeps the most accurate epoch ---------------------------------------
def _check_checkpoint(answer) -> str | None:
    from ..callbacks import ModelCheckpoint
    if not isinstance(answer, ModelCheckpoint):
        return f"the answer is a ModelCheckpoint(...); got {answer!r}"
    if not answer.save_best_only:
        return "it saves every epoch (save_best_only is False), so the file ends with the last one"
    watched = answer.monitor
    if watched == "accuracy":
        return ("it watches the accuracy on the training data; the epoch that generalises "
                "best is the one with the best accuracy on the validation data")
    if watched != "val_accuracy":
        return f"it watches '{watched}', not the validation accuracy"
    if answer.mode != "max":
        return f"with mode='{answer.mode}' it keeps the epoch of the lowest accuracy"
    if answer.save_weights_only:
        return "it keeps only the weights; this exercise asks for the whole model (.keras)"
    return None


def _checkpoint(monitor: str):
    from ..callbacks import ModelCheckpoint
    return ModelCheckpoint(os.path.join(tempfile.gettempdir(), "most-accurate.keras"),
                           monitor=monitor, save_best_only=True)


best_by_accuracy = Exercise(
    "best_by_accuracy", _check_checkpoint,
    right=lambda: _checkpoint("val_accuracy"), wrong=lambda: _checkpoint("val_loss"),
    hint="ModelCheckpoint(path, monitor='val_accuracy', save_best_only=True); the mode "
         "'auto' already knows that a higher accuracy is better",
    praise="With mode 'auto' it knows that a higher accuracy is better, and keeps that epoch.")


# ----- 3. a copy through the files --------------------------------------------------------------
def _sample() -> np.ndarray:
    return np.random.default_rng(10).uniform(-1, 1, size=(8, 2)).astype("float32")


def _run(answer):
    """The answer applied to a fresh model, in a fresh folder: (model, copy)."""
    model = _three_dense(seed=1)
    folder = tempfile.mkdtemp()
    try:
        return model, answer(model, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_copy(answer) -> str | None:
    from ..models import Model
    if not callable(answer):
        return f"the answer is a function of (model, folder), such as copy_through_files; got {answer!r}"
    model, twin = _run(answer)
    if twin is None:
        return "the function returns None; it should return the copy"
    if not isinstance(twin, Model):
        return f"the function returns {type(twin).__name__}, not a model"
    if twin is model:
        return "it returns the model itself, not a copy made from the files"
    x = _sample()
    mine, theirs = model.predict(x, verbose=0), twin.predict(x, verbose=0)
    if mine.shape != theirs.shape:
        return f"the copy's predictions have shape {theirs.shape}, the model's {mine.shape}"
    if not np.array_equal(mine, theirs):
        return ("the copy's predictions differ from the model's: it has the right layers but "
                "still the fresh random weights that model_from_json gave it")
    return None


def _copy_right(model, folder):
    from ..models import model_from_json
    path = os.path.join(folder, "copy.weights.h5")
    model.save_weights(path)
    twin = model_from_json(model.to_json())
    twin.load_weights(path)
    return twin


def _copy_wrong(model, folder):
    from ..models import model_from_json
    model.save_weights(os.path.join(folder, "copy.weights.h5"))
    return model_from_json(model.to_json())


copy_through_files = Exercise(
    "copy_through_files", _check_copy, right=lambda: _copy_right, wrong=lambda: _copy_wrong,
    unanswered=lambda answer: _run(answer)[1] is None,
    hint="the config gives the layers, the weights file their numbers: "
         "twin.load_weights(path), then return twin",
    praise="The JSON config rebuilt the layers, the weights file filled them in: this is what "
           "model.save puts together in one .keras zip.")
