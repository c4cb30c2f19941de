"""Exercises of the lesson on two inputs, the question-answering model: counting an LSTM's
parameters, the parameters of the tutorial's full-size model, the shape of a prediction, and
feeding the two inputs by name.

Every answer can be worked out on paper from the formulas of the lesson.
"""
from __future__ import annotations

from numbers import Number

import numpy as np

from . import Exercise


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, Number):
        raise TypeError(f"the answer should be a number ({what}), not {type(answer).__name__}")
    return float(answer)


def _lstm(u: int, n_in: int) -> int:
    return 4 * (u * (n_in + u) + u)


# ----- 1. an LSTM's parameters ----------------------------------------------------------------------
LSTM_8_4 = _lstm(8, 4)     # LSTM(8) reading vectors of 4 numbers: 4 · (8 · 12 + 8) = 416


def _check_lstm_params(answer):
    n = _number(answer, "how many parameters")
    if n == LSTM_8_4:
        return None
    if n == LSTM_8_4 / 4:
        return f"{int(n)} is one gate; an LSTM has four"
    if n == 4 * (8 * 4 + 8):
        return f"{int(n)} forgets that every gate also reads the previous state (8 more inputs)"
    if n == 4 * 8 * (4 + 8):
        return f"{int(n)} forgets the biases, one per unit and gate"
    return f"{n:g} is not the parameter count of LSTM(8) on vectors of 4"


lstm_params = Exercise(
    "lstm_params", _check_lstm_params, right=lambda: LSTM_8_4, wrong=lambda: 4 * (8 * 4 + 8),
    hint="each of the 4 gates is a Dense layer with u units whose input is the step's vector "
         "and the previous state side by side: n_in + u numbers",
    praise="4 · (8 · (4 + 8) + 8) = 4 · 104 = 416: a kernel of 4 × 32, a recurrent kernel of "
           "8 × 32 and a bias of 32.")


# ----- 2. the tutorial's full-size model ---------------------------------------------------------------
FULL_SIZE = (10000 * 64 + 10000 * 32 + _lstm(32, 64) + _lstm(16, 32)
             + (32 + 16) * 500 + 500)     # 1,000,052


def _check_full_size(answer):
    n = _number(answer, "how many parameters")
    if n == FULL_SIZE:
        return None
    if n == FULL_SIZE - _lstm(32, 64) - _lstm(16, 32):
        return f"{int(n):,} leaves out the two LSTMs (they do not change, but they count)"
    if n == FULL_SIZE - 500:
        return f"{int(n):,} forgets the Dense layer's 500 biases"
    return f"{n:,.0f} is not the parameter count of the tutorial's model"


full_size = Exercise(
    "full_size", _check_full_size, right=lambda: FULL_SIZE, wrong=lambda: FULL_SIZE - 500,
    hint="only the two Embeddings (vocabulary · vector length) and the last Dense (48 inputs, "
         "500 answers, plus biases) depend on the vocabulary sizes; the LSTMs keep their "
         "12,416 and 3,136",
    praise="640,000 + 320,000 + 12,416 + 3,136 + 24,500 = 1,000,052: 96% of it sits in the "
           "two Embedding tables.")


# ----- 3. the shape of a prediction ---------------------------------------------------------------------
PREDICTION_SHAPE = (7, 12)     # 7 samples, 12 possible answers


def _check_prediction_shape(answer):
    if not isinstance(answer, tuple) or not all(isinstance(d, int) for d in answer):
        raise TypeError(f"the answer should be a tuple of whole numbers such as (2, 3), not "
                        f"{answer!r}")
    if answer == PREDICTION_SHAPE:
        return None
    if len(answer) == 3:
        return (f"{answer} has a step axis; the LSTMs return only their last state, so the "
                "output has no steps left")
    if answer[:1] != (7,):
        return f"{answer} does not start with the batch: 7 samples go in, 7 rows come out"
    return f"{answer} does not end with the number of possible answers"


prediction_shape = Exercise(
    "prediction_shape", _check_prediction_shape, right=lambda: PREDICTION_SHAPE,
    wrong=lambda: (7, 50, 12),
    hint="one row per sample, one probability per possible answer; the lengths of the texts "
         "and questions do not matter",
    praise="(7, 12): the texts' 50 steps and the questions' 3 steps are used up by the LSTMs.")


# ----- 4. feeding the inputs by name --------------------------------------------------------------------
def _check_feed(answer):
    if not isinstance(answer, dict):
        raise TypeError(f"the answer should be a dict, not {type(answer).__name__}")
    keys = set(answer)
    if keys != {"text", "question"}:
        return (f"the keys are {sorted(keys)}; they must be the names of the model's inputs, "
                "'text' and 'question'")
    text, question = np.asarray(answer["text"]), np.asarray(answer["question"])
    if text.ndim != 2 or question.ndim != 2:
        return "each value should be a 2-D array of ids (samples, words)"
    if text.shape[1] != 8 or question.shape[1] != 3:
        return (f"'text' has {text.shape[1]} words and 'question' {question.shape[1]}: the "
                "texts have 8 words, the questions 3; are the two swapped?")
    return None


_TEXTS, _QUESTIONS = np.ones((2, 8), dtype="int32"), np.ones((2, 3), dtype="int32")
feed_by_name = Exercise(
    "feed_by_name", _check_feed, right=lambda: {"question": _QUESTIONS, "text": _TEXTS},
    wrong=lambda: {"text": _QUESTIONS, "question": _TEXTS},
    hint="a dict from input name to array: {'text': <the texts>, 'question': <the questions>}",
    praise="the order of the keys does not matter, only the names.")
