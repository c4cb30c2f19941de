"""The exercises of the optimizer-lab lesson.

Each one can be solved with the update rules of the lesson and a little algebra; each checker
confirms the reasoning by running kteach's own optimizers (no answer passes by luck, and a
right answer never fails because of a lucky or unlucky batch).

* :data:`momentum_speedup`: how many times plain SGD's step momentum reaches on a steady slope.
* :data:`adam_first_step`: how far Adam's very first step moves a weight, for a tiny and a huge
  gradient.
* :data:`largest_learning_rate`: the largest learning rate with which plain SGD still brings
  the loss of the lesson's linear model down.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import Exercise

__all__ = ["momentum_speedup", "adam_first_step", "largest_learning_rate", "linear_data"]


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"{what} must be one number, such as 2.5; got {answer!r}")
    return float(answer)


def _variable(value):
    from ..engine.variable import Variable
    return Variable(np.asarray(value, dtype="float32"), name="w", path="w")


# ----- 1. momentum on a steady slope ------------------------------------------------------------
MOMENTUM = 0.8


def _measured_speedup(momentum: float = MOMENTUM, steps: int = 200) -> float:
    """Run SGD with momentum on a constant gradient; the last step over plain SGD's step."""
    from .. import optimizers
    learning_rate = 0.1
    optimizer = optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    w = _variable([0.0])
    for _ in range(steps):
        before = float(w.value[0])
        optimizer.apply_gradients([(np.ones(1, dtype="float32"), w)])
    return (before - float(w.value[0])) / learning_rate


def _check_speedup(answer) -> str | None:
    guess = _number(answer, "the answer")
    measured = _measured_speedup()
    if abs(guess - measured) <= 0.02 * measured:
        return None
    if guess < measured:
        return (f"{guess:g} is too small: on a steady slope SGD with momentum={MOMENTUM} keeps "
                f"speeding up past {guess:g} times plain SGD's step")
    return f"{guess:g} is too large: the steps stop growing before they are {guess:g} times plain SGD's"


momentum_speedup = Exercise(
    "momentum_speedup", _check_speedup, right=lambda: 5, wrong=lambda: 1.8,
    hint="with the same g every step, v becomes −η·g·(1 + μ + μ² + μ³ + …); "
         "what does that geometric series add up to for μ = 0.8?",
    praise="The velocity settles where v = μ·v − η·g, so v = −η·g/(1 − μ): five times the "
           "plain step for μ = 0.8, ten times for 0.9, a hundred for 0.99.")


# ----- 2. Adam's first step ------------------------------------------------------------------
ADAM_LEARNING_RATE = 0.01
ADAM_GRADIENTS = (0.001, 1000.0)


def _adam_first_steps() -> np.ndarray:
    from .. import optimizers
    w = _variable(np.zeros(2))
    optimizers.Adam(learning_rate=ADAM_LEARNING_RATE).apply_gradients(
        [(np.asarray(ADAM_GRADIENTS, dtype="float32"), w)])
    return -np.asarray(w.value, dtype="float64")


def _check_adam(answer) -> str | None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return ("the answer is two numbers in parentheses, (step of the first weight, step of "
                f"the second); got {answer!r}")
    guesses = [abs(_number(a, "each step")) for a in answer]
    actual = _adam_first_steps()
    wrong = [f"the weight with gradient {g:g} moves {a:.4g}, not {guess:g}"
             for g, a, guess in zip(ADAM_GRADIENTS, actual, guesses)
             if abs(guess - a) > 0.05 * a]
    return "; ".join(wrong) or None


adam_first_step = Exercise(
    "adam_first_step", _check_adam, right=lambda: (0.01, 0.01), wrong=lambda: (1e-05, 10.0),
    hint="after one step, the corrected averages are m̂ = g and v̂ = g², so the step is "
         "η·g/(√(g²) + ε). What is that when ε is tiny next to |g|?",
    praise="Adam's first step is about η for every weight, whatever the size of its gradient: "
           "it divides the gradient by its own size. That is why Adam's learning rate reads as "
           "'how far a weight may move per step'.")


# ----- 3. the largest learning rate that still converges -------------------------------------
LOWEST_ACCEPTED = 0.9   # the reasoning gives lr < 1; "the largest" means close to 1
EPOCHS = 30


def linear_data() -> tuple[np.ndarray, np.ndarray]:
    """The lesson's linear problem: 64 points with mean 0 and covariance exactly I, and
    ``y = 2·x1 − x2 + 0.5``. So the MSE gradient of each weight is exactly 2·distance."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2))
    x = x - x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(x.T @ x / len(x))).T
    y = 2 * x[:, :1] - x[:, 1:] + 0.5
    return x.astype("float32"), y.astype("float32")


def _train_linear(learning_rate: float) -> tuple[list[float], bool]:
    """Plain SGD on the linear problem, whole data set as one batch: (losses, diverged)."""
    from .. import Input, Sequential, layers, optimizers, utils
    from ..engine.errors import NumericalError
    x, y = linear_data()
    utils.set_random_seed(0)
    model = Sequential([Input(shape=(2,)), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse")
    losses: list[float] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(EPOCHS):
            try:
                history = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
            except NumericalError:
                return losses, True
            losses.append(float(history.history["loss"][-1]))
    return losses, False


def _check_largest(answer) -> str | None:
    lr = _number(answer, "the learning rate")
    if lr <= 0:
        return f"a learning rate must be positive; with {lr:g} SGD would walk uphill"
    losses, diverged = _train_linear(lr)
    if diverged:
        return f"with lr={lr:g} the loss grew until the numbers overflowed"
    if lr >= 1.0 or not losses[-1] < losses[0]:
        return (f"with lr={lr:g} the loss went from {losses[0]:.4g} (epoch 1) to "
                f"{losses[-1]:.4g} (epoch {EPOCHS}): it does not come down")
    if lr < LOWEST_ACCEPTED:
        return (f"lr={lr:g} converges (the loss falls to {losses[-1]:.3g}), but it is not the "
                f"largest: a larger learning rate converges too")
    return None


largest_learning_rate = Exercise(
    "largest_learning_rate", _check_largest, right=lambda: 0.95, wrong=lambda: 1.1,
    hint="one step of SGD turns a distance d from the best weight into d − lr·2d = (1 − 2·lr)·d. "
         "The loss comes down when that is smaller than d in size: solve |1 − 2·lr| < 1.",
    praise="Any lr below 1 converges, because |1 − 2·lr| < 1; at exactly 1 the weight jumps "
           "from one side to the other forever, and above 1 every jump is longer than the last. "
           "For a loss whose gradient is k times the distance, the limit is 2/k.")
