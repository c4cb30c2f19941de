"""The exercises of the lesson on padded text: TextVectorization, masks, masked layers.

* :data:`padded_ids`: the numbers ``TextVectorization`` with a given vocabulary and
  ``output_sequence_length=6`` makes of a sentence with an unknown word (checked against the
  list of numbers).
* :data:`mask_of`: the mask ``Embedding(mask_zero=True)`` makes of two padded rows of ids
  (checked against ``ids != 0``).
* :data:`masked_mean`: what ``GlobalAveragePooling1D`` gives for a padded sequence of one
  feature, with its mask (checked against the mean of the real steps).
* :data:`last_real_step`: after which step of a padded sentence a masked LSTM's output is
  taken (checked against the number of real words).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import Exercise

__all__ = ["padded_ids", "mask_of", "masked_mean", "last_real_step", "VOCABULARY", "SENTENCE",
           "IDS", "FEATURE", "PHRASE"]

# 1. a vocabulary given to TextVectorization(vocabulary=...), and a sentence to turn into ids
VOCABULARY = ["the", "film", "was", "good"]
SENTENCE = "The film was very good"
# 2. two padded rows of word numbers
IDS = np.array([[5, 2, 9, 0, 0], [7, 0, 0, 0, 0]])
# 3. one feature of a sentence of three words padded to five steps; the padding's value is the
#    embedding table's row 0, which is not 0
FEATURE = np.array([2.0, 4.0, 9.0, 0.5, 0.5])
# 4. a sentence padded to 8 steps and read by a masked LSTM
PHRASE = "a truly great film"


def _ints(answer, length: int) -> tuple[list[int] | None, str | None]:
    try:
        values = np.asarray(answer)
    except Exception:
        return None, f"the answer is a list of {length} whole numbers; got {answer!r}"
    if values.dtype.kind not in "iuf" or values.ndim == 0:
        return None, f"the answer is a list of {length} whole numbers; got {answer!r}"
    values = values.reshape(-1)
    if len(values) != length:
        return None, (f"output_sequence_length=6 makes every sentence exactly {length} numbers "
                      f"long; your list has {len(values)}")
    return [int(v) for v in values], None


# ----- 1. a sentence as numbers ---------------------------------------------------------------
def _check_ids(answer) -> str | None:
    values, problem = _ints(answer, 6)
    if problem:
        return problem
    if values == [2, 3, 4, 1, 5, 0]:
        return None
    if values == [2, 3, 4, 5, 0, 0]:
        return "'very' is not in the vocabulary, but it is not dropped: it becomes 1, '[UNK]'"
    if values == [2, 3, 4, 0, 5, 0]:
        return "0 is the padding; an unknown word gets 1, '[UNK]'"
    if values == [0, 2, 3, 4, 1, 5]:
        return "TextVectorization pads at the end, not at the front"
    if values == [0, 1, 2, 1, 3, 0] or values == [0, 1, 2, 5, 3, 0]:
        return ("the vocabulary you gave starts at index 2: 0 is '' (padding) and 1 is '[UNK]', "
                "so 'the' is 2")
    return f"{values} is not what the layer makes of the sentence"


padded_ids = Exercise(
    "padded_ids", _check_ids, right=lambda: [2, 3, 4, 1, 5, 0], wrong=lambda: [2, 3, 4, 5, 0, 0],
    hint="get_vocabulary() is ['', '[UNK]', 'the', 'film', 'was', 'good']: lower-case the "
         "sentence, look up each word (unknown: 1), then fill up to 6 with 0",
    praise="[2, 3, 4, 1, 5, 0]: 'very' is unknown (1), and one 0 pads the five words to six.")


# ----- 2. the mask of padded ids --------------------------------------------------------------
def _check_mask(answer) -> str | None:
    try:
        mask = np.asarray(answer)
    except Exception:
        return f"the answer is an array of True and False, shaped like IDS; got {answer!r}"
    if mask.shape != IDS.shape:
        return f"the mask has one entry per id: shape {IDS.shape}, not {mask.shape}"
    if mask.dtype.kind not in "biu" or not np.isin(mask, (0, 1)).all():
        return "the mask holds True (a real word) and False (padding), nothing else"
    mask = mask.astype(bool)
    if (mask == (IDS != 0)).all():
        return None
    if (mask == (IDS == 0)).all():
        return "the other way round: True marks the real words, False the padding"
    return "a step is real (True) exactly where its id is not 0"


mask_of = Exercise(
    "mask_of", _check_mask, right=lambda: IDS != 0, wrong=lambda: IDS == 0,
    hint="Embedding(mask_zero=True) computes the mask as ids != 0",
    praise="The first sentence has 3 real words, the second 1: 4 of 10 steps are real.")


# ----- 3. the mean of the real steps ----------------------------------------------------------
def _number(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Real, np.floating, np.integer)):
        return f"the answer is a number; got {answer!r}"
    return None


def _check_mean(answer) -> str | None:
    problem = _number(answer)
    if problem:
        return problem
    value = float(answer)
    if np.isclose(value, FEATURE[:3].mean()):
        return None
    if np.isclose(value, FEATURE.mean()):
        return "that is the mean of all five steps: the two padded steps are left out"
    if np.isclose(value, FEATURE[:3].sum() / 5):
        return ("that adds only the real steps, but divides by all five: the mean divides by "
                "the number of real steps, Σ m")
    return f"{value} is not the mean of the real steps"


masked_mean = Exercise(
    "masked_mean", _check_mean, right=lambda: 5.0, wrong=lambda: 3.2,
    hint="only the steps with m = 1 count, above and below the line: (2 + 4 + 9) / 3",
    praise="(2 + 4 + 9) / 3 = 5: the padding's 0.5 never enters the mean.")


# ----- 4. where a masked LSTM stops -----------------------------------------------------------
def _check_step(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Integral, np.integer)):
        return f"the answer is a whole number, a step from 1 to 8; got {answer!r}"
    step = int(answer)
    if step == 4:
        return None
    if step == 8:
        return ("without a mask it would be step 8; with one, the four padded steps change "
                "nothing, so the output is the state after the last real word")
    if step == 5:
        return "the padding starts at step 5: the last real word is the step before"
    return f"step {step} is not where the last real word is"


last_real_step = Exercise(
    "last_real_step", _check_step, right=lambda: 4, wrong=lambda: 8,
    hint="count the real words: on a masked step h_t = h_{t-1}, so nothing changes after them",
    praise="Step 4, 'film': h_5 = h_6 = h_7 = h_8 = h_4.")
