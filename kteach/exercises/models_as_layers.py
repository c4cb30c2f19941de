"""Exercises of the lesson "a model is a layer" (models-as-layers): the shapes TimeDistributed
gives, and how many weights a shared, nested, frozen or wrapped model has.
"""
from __future__ import annotations

from numbers import Number

from . import Exercise

CLASSIFIER_PARAMS = (64 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)      # 3,466


def _count(answer, what: str) -> int:
    if isinstance(answer, bool) or not isinstance(answer, Number):
        raise TypeError(f"the answer should be a number ({what}), not {type(answer).__name__}")
    return answer


# ----- 1. the shape TimeDistributed gives ------------------------------------------------------------
CLIP_SHAPE = (4, 7, 10)


def _check_clip_shape(answer):
    if not isinstance(answer, (tuple, list)):
        raise TypeError(f"the answer should be a tuple like (1, 2, 3), not {type(answer).__name__}")
    shape = tuple(answer)
    if shape == CLIP_SHAPE:
        return None
    if len(shape) != 3:
        return f"{shape} has {len(shape)} axes; the result keeps the clips and the frames, and " \
               f"adds one for the model's output"
    if shape[-1] == 64:
        return "the last axis is what the model gives for one frame, not what it takes"
    if shape[:2] != (4, 7):
        return f"{shape} does not start with (clips, frames) = (4, 7)"
    return f"{shape} is not the shape of the result"


clip_shape = Exercise(
    "clip_shape", _check_clip_shape, right=lambda: (4, 7, 10), wrong=lambda: (4, 7, 64),
    hint="TimeDistributed keeps the first two axes (4 clips, 7 frames) and replaces each frame's "
         "64 numbers by the model's output for it",
    praise="(4, 7, 10): ten class probabilities for every frame of every clip.")


# ----- 2. the parameters of the wrapped model ----------------------------------------------------------
def _check_clip_params(answer):
    n = _count(answer, "how many parameters")
    if n == CLASSIFIER_PARAMS:
        return None
    if n == 7 * CLASSIFIER_PARAMS:
        return f"{n:,} counts a copy of the weights per frame, but there is only one set"
    if n == 4 * 7 * CLASSIFIER_PARAMS:
        return f"{n:,} counts a copy per frame and clip, but there is only one set"
    return f"{n:,} is not the number of parameters of clip_model"


clip_params = Exercise(
    "clip_params", _check_clip_params, right=lambda: CLASSIFIER_PARAMS,
    wrong=lambda: 7 * CLASSIFIER_PARAMS,
    hint="TimeDistributed makes no copies: every frame goes through the same classifier, with "
         "its 3,466 weights",
    praise="3,466: wrapping adds no weights, and the count does not depend on the number of frames.")


# ----- 3. a model shared by three inputs ------------------------------------------------------------
SHARED = 100 + (3 * 10 + 1)     # 131


def _check_shared_params(answer):
    n = _count(answer, "how many parameters")
    if n == SHARED:
        return None
    if n == 3 * 100 + 31:
        return "331 counts the encoder three times, but its three calls share one set of weights"
    if n == 100 + 11:
        return "the Dense(1) layer takes the concatenation of three outputs of 10, so 30 inputs"
    return f"{n:g} is not the number of parameters of that model"


shared_params = Exercise(
    "shared_params", _check_shared_params, right=lambda: SHARED, wrong=lambda: 331,
    hint="count the encoder once, however often it is called; then Dense(1) on 3 × 10 = 30 "
         "numbers has 30 · 1 + 1 parameters",
    praise="100 + 31 = 131: calling a model again reuses its weights.")


# ----- 4. trainable weights on top of a frozen model ------------------------------------------------------
TRAINABLE = (10 * 4 + 4) + (4 * 1 + 1)     # 49


def _check_frozen_trainable(answer):
    n = _count(answer, "how many trainable parameters")
    if n == TRAINABLE:
        return None
    if n == TRAINABLE + CLASSIFIER_PARAMS:
        return "that is every parameter; the frozen classifier's 3,466 are not trainable"
    if n == 10 * 4 + 4 * 1:
        return f"{n} forgets the biases, one per unit"
    return f"{n:g} is not the number of trainable parameters"


frozen_trainable = Exercise(
    "frozen_trainable", _check_frozen_trainable, right=lambda: TRAINABLE,
    wrong=lambda: TRAINABLE + CLASSIFIER_PARAMS,
    hint="a frozen model's weights count as non-trainable; only the new layers train: Dense(4) "
         "on 10 inputs, then Dense(1) on 4",
    praise="44 + 5 = 49 trainable, and summary() would list the 3,466 as non-trainable.")
