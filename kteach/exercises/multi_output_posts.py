"""Exercises of the lesson on three outputs, the posts model (multi-output-posts): the shortest
sequence a Conv/Pool stack accepts, the total of weighted losses, weights that balance three
losses, and the order of what ``evaluate`` returns.

Every answer can be worked out on paper from the rules of the lesson.
"""
from __future__ import annotations

from numbers import Number

from . import Exercise


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, Number):
        raise TypeError(f"the answer should be a number ({what}), not {type(answer).__name__}")
    return float(answer)


# ----- 1. the shortest input of a small stack -----------------------------------------------------
# Conv1D(kernel 3) → MaxPooling1D(2) → Conv1D(kernel 3): the last conv needs 3 steps, the
# pooling before it 2 · 3 = 6, the first conv 6 + 2 = 8.
SHORTEST = 8


def _check_shortest(answer):
    n = _number(answer, "a number of steps")
    if n == SHORTEST:
        return None
    if n == 7:
        return "with 7 steps the first Conv1D gives 5, the pooling 2, and the last Conv1D needs 3"
    if n == 6:
        return "6 steps are what the pooling needs; the first Conv1D removes 2 more"
    return f"{n:g} steps is not the shortest input this stack accepts"


shortest_input = Exercise(
    "shortest_input", _check_shortest, right=lambda: SHORTEST, wrong=lambda: 7,
    hint="work backwards from the last layer: a Conv1D with kernel k needs k − 1 more steps "
         "than it gives, a MaxPooling1D(2) needs twice as many",
    praise="3 for the last Conv1D, 2 · 3 = 6 for the pooling, 6 + 2 = 8 for the first Conv1D.")


# ----- 2. the total loss -----------------------------------------------------------------------------
# losses age 4.0, income 2.0, gender 0.5 with loss_weights [0.25, 1, 10]
TOTAL = 0.25 * 4.0 + 1 * 2.0 + 10 * 0.5     # 8.0


def _check_total(answer):
    v = _number(answer, "a loss")
    if abs(v - TOTAL) < 1e-6:
        return None
    if abs(v - (4.0 + 2.0 + 0.5)) < 1e-6:
        return f"{v:g} is the unweighted sum; each loss is multiplied by its weight first"
    if abs(v - TOTAL / 3) < 1e-6:
        return f"{v:g} is the mean; Keras adds the weighted losses up"
    return f"{v:g} is not 0.25 · 4.0 + 1 · 2.0 + 10 · 0.5"


total_loss = Exercise(
    "total_loss", _check_total, right=lambda: TOTAL, wrong=lambda: 6.5,
    hint="the total is the sum over the outputs of weight · loss",
    praise="1 + 2 + 5 = 8: the gender, with the smallest loss, makes the largest part.")


# ----- 3. weights that balance three losses -------------------------------------------------------
LOSSES = {"age": 16.0, "income": 2.0, "gender": 0.25}


def _check_balance(answer):
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        raise TypeError(f"the answer should be a list of three numbers (age, income, gender), "
                        f"not {answer!r}")
    problems = []
    for (name, loss), w in zip(LOSSES.items(), answer):
        w = _number(w, f"the weight of {name}")
        if not 0.5 <= w * loss <= 2:
            problems.append(f"{name}: {w:g} · {loss:g} = {w * loss:g}")
    if problems:
        return ("these weighted losses are not between 0.5 and 2: " + "; ".join(problems))
    return None


balanced_weights = Exercise(
    "balanced_weights", _check_balance, right=lambda: [1 / 16, 0.5, 4],
    wrong=lambda: [0.25, 1., 10.],
    hint="for each output, which weight turns its loss into about 1? (1 / loss)",
    praise="each output now pulls about as hard as the others.")


# ----- 4. what evaluate returns -----------------------------------------------------------------------
EVALUATE_ORDER = ["loss", "age_loss", "income_loss", "gender_loss"]


def _check_order(answer):
    if not isinstance(answer, (list, tuple)) or not all(isinstance(a, str) for a in answer):
        raise TypeError(f"the answer should be a list of names, not {answer!r}")
    answer = list(answer)
    if answer == EVALUATE_ORDER:
        return None
    if sorted(answer) == sorted(EVALUATE_ORDER):
        if answer[0] != "loss":
            return "the total comes first"
        return ("that is not the order of the outputs in Model(posts_input, [age_prediction, "
                "income_prediction, gender_prediction])")
    return f"the names should be {sorted(EVALUATE_ORDER)}, in some order"


evaluate_order = Exercise(
    "evaluate_order", _check_order, right=lambda: list(EVALUATE_ORDER),
    wrong=lambda: ["age_loss", "gender_loss", "income_loss", "loss"],
    hint="first the (weighted) total, then one loss per output in the order the model's "
         "outputs were given, not alphabetically as in the history",
    praise="evaluate(..., return_dict=True) gives the same numbers with their names.")
