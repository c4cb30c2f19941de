"""The exercises of the lesson on overfitting and its cures.

* :data:`l2_penalty`: the L2 penalty ``L2(1e-3)`` adds to the loss for a small kernel
  (checked against the number, to a tolerance).
* :data:`dropout_scale`: what ``Dropout(0.25)`` makes of an input 2.0 that it keeps, in
  training (checked against ``2 / (1 - 0.25)``).
* :data:`patient_stop`: an ``EarlyStopping`` that watches the validation loss, waits 5 epochs
  and gives back the best epoch's weights (checked by its settings).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import Exercise

__all__ = ["l2_penalty", "dropout_scale", "patient_stop"]

KERNEL = np.array([[1.0, -2.0], [3.0, 0.0]])


def _number(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Real, np.floating, np.integer)):
        return f"the answer is a number; got {answer!r}"
    return None


# ----- 1. the L2 penalty of a kernel ----------------------------------------------------------
def _check_l2(answer) -> str | None:
    problem = _number(answer)
    if problem:
        return problem
    value = float(answer)
    if np.isclose(value, 1e-3 * np.sum(KERNEL ** 2)):
        return None
    if np.isclose(value, 1e-3 * np.sum(np.abs(KERNEL))):
        return "that is the L1 penalty (the sum of |w|); L2 adds up the squares"
    if np.isclose(value, np.sum(KERNEL ** 2)):
        return "that is the sum of the squares, not yet multiplied by the factor 1e-3"
    if np.isclose(value, 0.5e-3 * np.sum(KERNEL ** 2)):
        return "Keras' L2 has no factor 1/2: the penalty is 1e-3 times the sum of the squares"
    return f"{value} is not the penalty"


l2_penalty = Exercise(
    "l2_penalty", _check_l2, right=lambda: 0.014, wrong=lambda: 0.006,
    hint="square every weight, add the squares up (1 + 4 + 9 + 0), multiply by 1e-3",
    praise="0.001 · (1 + 4 + 9 + 0) = 0.014, added to the loss of every batch.")


# ----- 2. dropout's scaling -------------------------------------------------------------------
def _check_dropout(answer) -> str | None:
    problem = _number(answer)
    if problem:
        return problem
    value = float(answer)
    if np.isclose(value, 2.0 / 0.75):
        return None
    if np.isclose(value, 2.0 * 0.75):
        return ("multiplying by the keep probability is the old way, at test time; Keras "
                "divides by it in training, so that nothing changes at test time")
    if np.isclose(value, 2.0):
        return "a kept input is not left as it is in training: it is scaled up"
    if np.isclose(value, 0.0):
        return "the input is kept, not dropped"
    return f"{value} is not what a kept 2.0 becomes"


dropout_scale = Exercise(
    "dropout_scale", _check_dropout, right=lambda: 2.0 / 0.75, wrong=lambda: 1.5,
    hint="a kept input is divided by 1 - rate, the probability of keeping it",
    praise="2 / 0.75 ≈ 2.667: on average over the dropped and kept copies the input stays 2.0, "
           "so at test time, with nothing dropped, the next layer sees the sizes it learned.")


# ----- 3. an early stop that keeps the best epoch ---------------------------------------------
def _check_stop(answer) -> str | None:
    from ..callbacks import EarlyStopping
    if not isinstance(answer, EarlyStopping):
        return f"the answer is an EarlyStopping(...); got {answer!r}"
    if answer.monitor != "val_loss":
        return f"it watches '{answer.monitor}', not the validation loss 'val_loss'"
    if answer.patience != 5:
        return f"it waits {answer.patience} epochs without improvement, not 5"
    if not answer.restore_best_weights:
        return ("it stops, but the model keeps the weights of the last epoch, 5 epochs worse "
                "than the best one")
    return None


def _stop(restore: bool):
    from ..callbacks import EarlyStopping
    return EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=restore)


patient_stop = Exercise(
    "patient_stop", _check_stop, right=lambda: _stop(True), wrong=lambda: _stop(False),
    hint="EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)",
    praise="It stops 5 epochs after the best one and puts that epoch's weights back.")
