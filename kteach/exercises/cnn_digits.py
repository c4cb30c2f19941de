"""The exercises of the lesson on a small convolutional network (cnn-digits).

* :data:`output_shape`: the output shape of ``Conv2D(16, 5)`` then ``MaxPooling2D(2)`` on a
  28x28 grey image (checked against the shape kteach's layers give).
* :data:`conv_parameters`: how many parameters a ``Conv2D(16, 3)`` has on an input with 8
  channels (checked against ``count_params`` of such a layer).
* :data:`what_it_detects`: which of four small pictures a given 3x3 kernel answers most
  strongly to (checked by convolving each picture with the kernel).
"""
from __future__ import annotations

import numpy as np

from . import Exercise

__all__ = ["output_shape", "conv_parameters", "what_it_detects"]


# ----- 1. the shape after a convolution and a pooling -------------------------------------------
def _shapes() -> tuple[tuple, tuple]:
    """(after the Conv2D, after the pooling) without the batch axis, from kteach's layers."""
    from .. import Input, Model, layers
    inputs = Input(shape=(28, 28, 1))
    conv = layers.Conv2D(16, 5)(inputs)
    pool = layers.MaxPooling2D(2)(conv)
    return tuple(Model(inputs, conv).output_shape[1:]), tuple(Model(inputs, pool).output_shape[1:])


def _as_shape(answer) -> tuple | None:
    try:
        shape = tuple(int(n) for n in answer)
    except (TypeError, ValueError):
        return None
    return shape[1:] if len(shape) == 4 and answer[0] is None else shape


def _check_shape(answer) -> str | None:
    if isinstance(answer, (list, tuple)) and len(answer) == 4 and answer[0] is None:
        answer = answer[1:]                      # (None, h, w, c) is fine too
    shape = _as_shape(answer)
    if shape is None or len(shape) != 3:
        return f"the answer is a shape (height, width, channels), such as (10, 10, 3); got {answer!r}"
    after_conv, after_pool = _shapes()
    if shape == after_pool:
        return None
    if shape == after_conv:
        return f"{shape} is the shape after the Conv2D; the pooling comes after it"
    if shape[:2] == (14, 14):
        return ("14x14 would be the pooling of the whole 28x28 image, but the 5x5 kernel "
                "first makes the image smaller")
    if shape[2] != after_pool[2]:
        return f"the last axis is the number of filters, {after_pool[2]}, not {shape[2]}"
    return f"{shape} is not the output shape"


output_shape = Exercise(
    "output_shape", _check_shape, right=lambda: (12, 12, 16), wrong=lambda: (24, 24, 16),
    hint="a kernel of size k without padding takes k - 1 rows and columns off (28 - 5 + 1); "
         "MaxPooling2D(2) then halves height and width; the channels are the filters",
    praise="28 - 5 + 1 = 24, halved to 12, with one channel per filter: (12, 12, 16).")


# ----- 2. the parameters of a Conv2D ------------------------------------------------------------
def _parameters() -> int:
    from .. import Input, Model, layers
    inputs = Input(shape=(10, 10, 8))
    return Model(inputs, layers.Conv2D(16, 3)(inputs)).count_params()


def _check_parameters(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return f"the answer is a whole number; got {answer!r}"
    right = _parameters()
    if answer == right:
        return None
    if answer == 3 * 3 * 16 + 16:
        return "that counts one input channel; each filter has a 3x3 kernel for each of the 8 channels"
    if answer == 3 * 3 * 8 * 16:
        return "those are the kernels; each filter has a bias too"
    if answer == 3 * 3 * 8 + 1:
        return "that is one filter; the layer has 16"
    return f"{answer} is not the number of parameters"


conv_parameters = Exercise(
    "conv_parameters", _check_parameters, right=_parameters, wrong=lambda: 3 * 3 * 16 + 16,
    hint="each of the 16 filters has a 3x3 kernel for each of the 8 input channels, plus one "
         "bias: (3 * 3 * 8 + 1) * 16",
    praise="(3·3·8 + 1)·16 = 1168; the size of the image (10x10) does not count at all.")


# ----- 3. what a 3x3 kernel detects -------------------------------------------------------------
KERNEL = np.array([[-1., -1., -1.],
                   [0., 0., 0.],
                   [1., 1., 1.]])

CHOICES = {
    "a": "a vertical edge: dark on the left, bright on the right",
    "b": "a horizontal edge: dark above, bright below",
    "c": "a single bright dot on a dark background",
    "d": "an evenly grey patch",
}


def _pictures() -> dict[str, np.ndarray]:
    """A 5x5 picture for each choice, with values 0 (dark) to 1 (bright)."""
    vertical = np.zeros((5, 5))
    vertical[:, 3:] = 1
    dot = np.zeros((5, 5))
    dot[2, 2] = 1
    return {"a": vertical, "b": vertical.T.copy(), "c": dot, "d": np.full((5, 5), 0.5)}


def _strongest(picture: np.ndarray) -> float:
    """The largest output of KERNEL on the picture (a 'valid' convolution, as Conv2D's)."""
    return max(float(np.sum(picture[i:i + 3, j:j + 3] * KERNEL))
               for i in range(3) for j in range(3))


def _check_detects(answer) -> str | None:
    if not isinstance(answer, str) or answer.strip().lower() not in CHOICES:
        return f"the answer is one of the letters {', '.join(repr(c) for c in CHOICES)}; got {answer!r}"
    choice = answer.strip().lower()
    scores = {c: _strongest(p) for c, p in _pictures().items()}
    best = max(scores, key=scores.get)
    if choice == best:
        return None
    return (f"on picture {choice!r} ({CHOICES[choice]}) the largest output is "
            f"{scores[choice]:.0f}, while on another picture it reaches {scores[best]:.0f}")


what_it_detects = Exercise(
    "what_it_detects", _check_detects, right=lambda: "b", wrong=lambda: "a",
    hint="the kernel subtracts the row above from the row below: its output is large where "
         "the picture gets brighter from top to bottom",
    praise="Bright below minus dark above gives 3 where the edge runs across; on a flat patch "
           "the -1s and +1s cancel out, and the dot and the vertical edge give at most 1 and 0.")
