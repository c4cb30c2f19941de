"""Exercises of the lesson on Sequential and functional models: counting parameters, updates and
the loss of a model that only guesses, and choosing the loss that fits the targets.

Every answer can be worked out on paper; none needs a model to be built.
"""
from __future__ import annotations

import math
from numbers import Number

from . import Exercise


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, Number):
        raise TypeError(f"the answer should be a number ({what}), not {type(answer).__name__}")
    return float(answer)


# ----- 1. parameters of the English tutorial's categorical model ---------------------------------
PARAMS = (100 * 32 + 32) + (32 * 10 + 10)     # 3,562


def _check_param_count(answer):
    n = _number(answer, "how many parameters")
    if n == PARAMS:
        return None
    if n == 100 * 32 + 32 * 10:
        return f"{int(n)} counts the kernels only, not the biases"
    if n == 100 * 32 + 32:
        return f"{int(n)} is the first layer alone"
    return f"{n:g} is not the number of parameters of this model"


param_count = Exercise(
    "param_count", _check_param_count, right=lambda: PARAMS, wrong=lambda: 100 * 32 + 32 * 10,
    hint="a Dense layer has inputs × units + units parameters: here 100 inputs → 32 units, "
         "then 32 inputs → 10 units",
    praise="3,200 + 32 + 320 + 10 = 3,562. Build it and read the Param # column of summary() "
           "to see the two rows.")


# ----- 2. weight updates in one fit -----------------------------------------------------------------
UPDATES = math.ceil(1500 / 128) * 10     # 12 batches per epoch × 10 epochs = 120


def _check_updates(answer):
    n = _number(answer, "how many weight updates")
    if n == UPDATES:
        return None
    if n == 1500 / 128 * 10 or n == (1500 // 128) * 10:
        return (f"{n:g} forgets the last, smaller batch: 1500 samples make 11 full batches of "
                "128 and one of 92")
    if n == 10:
        return "10 is the number of epochs; each epoch makes several updates"
    return f"{n:g} is not the number of updates"


updates = Exercise(
    "updates", _check_updates, right=lambda: UPDATES, wrong=lambda: 110,
    hint="one update per batch; an epoch has ⌈samples / batch_size⌉ batches, and the last "
         "batch may be smaller",
    praise="⌈1500 / 128⌉ = 12 batches per epoch, 12 × 10 = 120 updates: optimizer.iterations "
           "would say 120.")


# ----- 3. the loss of a model that only guesses -------------------------------------------------------
CHANCE_LOSS = math.log(4)     # 1.3863


def _check_chance_loss(answer):
    v = _number(answer, "a loss")
    if abs(v - CHANCE_LOSS) < 0.01:
        return None
    if abs(v - 0.25) < 0.01:
        return "0.25 is the accuracy of guessing, not its cross-entropy"
    if abs(v - math.log(10)) < 0.01:
        return "ln 10 is the loss of guessing among 10 classes; here there are 4"
    return f"{v:.4f} is not −ln of the probability a guessing model gives the right class"


chance_loss = Exercise(
    "chance_loss", _check_chance_loss, right=lambda: math.log(4), wrong=lambda: 0.25,
    hint="a model that learned nothing gives each of the 4 classes probability 1/4; the "
         "cross-entropy of one sample is −ln(probability of its right class)",
    praise="−ln(1/4) = ln 4 ≈ 1.3863. A loss stuck there means: nothing learned yet.")


# ----- 4. which loss for which targets --------------------------------------------------------------
LOSSES = {"one-hot rows": "categorical_crossentropy",
          "class numbers": "sparse_categorical_crossentropy",
          "yes or no": "binary_crossentropy",
          "prices": "mse"}
_SAME = {"mean_squared_error": "mse", "MeanSquaredError": "mse",
         "CategoricalCrossentropy": "categorical_crossentropy",
         "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
         "BinaryCrossentropy": "binary_crossentropy"}


def _check_losses(answer):
    if not isinstance(answer, dict):
        raise TypeError("the answer should be a dict like the one in the cell, "
                        "{'one-hot rows': '...', ...}")
    missing = [k for k in LOSSES if k not in answer]
    if missing:
        return f"the dict has no entry for {', '.join(repr(k) for k in missing)}"
    wrong = [k for k, v in LOSSES.items() if _SAME.get(answer[k], answer[k]) != v]
    if not wrong:
        return None
    return f"the loss for {', '.join(repr(k) for k in wrong)} does not fit those targets"


which_loss = Exercise(
    "which_loss", _check_losses, right=lambda: dict(LOSSES),
    wrong=lambda: {**LOSSES, "class numbers": "categorical_crossentropy"},
    hint="categorical_crossentropy wants one-hot rows; sparse_categorical_crossentropy wants "
         "one class number per sample; binary_crossentropy wants one 0/1 per sample (a sigmoid "
         "output); a number to predict wants mse",
    praise="The target's shape and meaning choose the loss (and the last layer's activation).")
