"""Exercises of the lesson on reading a diagram: the inputs and a layer's parameters of a model
seen only as a diagram, and the layers an output depends on.

:func:`mystery_model` builds the model of the first two exercises, so that the lesson can
show its diagram without showing the code that builds it.
"""
from __future__ import annotations

from numbers import Number

from . import Exercise


def mystery_model():
    """A small model with two inputs, to be read from its diagram."""
    from .. import Input, Model
    from ..layers import Concatenate, Dense
    left = Input(shape=(2,), name='left')
    right = Input(shape=(3,), name='right')
    mix = Dense(6, activation='relu', name='mix')(Concatenate(name='glue')([left, right]))
    return Model([left, right], Dense(1, name='answer')(mix), name='mystery')


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, Number):
        raise TypeError(f"the answer should be a number ({what}), not {type(answer).__name__}")
    return float(answer)


# ----- 1. how many inputs -------------------------------------------------------------------------
def _check_inputs(answer):
    n = _number(answer, "how many inputs")
    if n == 2:
        return None
    if n == 1:
        return "1 is the number of outputs (the box with no arrow out)"
    return f"the diagram does not have {n:g} boxes without an arrow in"


inputs_count = Exercise(
    "inputs_count", _check_inputs, right=lambda: 2, wrong=lambda: 1,
    hint="an input is a box with no arrow coming in: an InputLayer",
    praise="left and right: predict needs a list (or a dict) of two arrays.")


# ----- 2. the parameters of `mix` -------------------------------------------------------------------
MIX = (2 + 3) * 6 + 6     # 36


def _check_mix(answer):
    n = _number(answer, "how many parameters")
    if n == MIX:
        return None
    if n == (2 + 3) * 6:
        return f"{n:g} counts the kernel only; each of the 6 units has a bias too"
    if n in (2 * 6 + 6, 3 * 6 + 6):
        return f"{n:g} uses only one of the two inputs; glue puts both side by side"
    return f"{n:g} is not the parameter count of mix"


mix_params = Exercise(
    "mix_params", _check_mix, right=lambda: MIX, wrong=lambda: 30,
    hint="read mix's input shape: glue puts 2 + 3 numbers side by side; a Dense layer has "
         "inputs × units + units parameters",
    praise="5 · 6 + 6 = 36. Check it with plot_model(mystery, show_params=True, "
           "show_layer_names=True).")


# ----- 3. what an output depends on --------------------------------------------------------------------
KIND = {"x", "trunk", "extra", "both", "kind"}


def _check_kind(answer):
    if not isinstance(answer, (list, tuple, set)) or not all(isinstance(a, str) for a in answer):
        raise TypeError(f"the answer should be a list of layer names, not {answer!r}")
    got = set(answer)
    if got == KIND:
        return None
    missing, extra = sorted(KIND - got), sorted(got - KIND)
    parts = []
    if missing:
        parts.append(f"{missing} {'is' if len(missing) == 1 else 'are'} missing")
    if extra:
        parts.append(f"changing {extra} cannot change kind")
    return " and ".join(parts)


kind_depends_on = Exercise(
    "kind_depends_on", _check_kind, right=lambda: ["x", "trunk", "extra", "both", "kind"],
    wrong=lambda: ["x", "trunk", "rating", "kind"],
    hint="follow the arrows backwards from kind, through every arrow that leads into a box you "
         "reached, up to the input",
    praise="rating is not among them: it is a sibling of kind, not an ancestor.")
