"""The exercises of the playground lesson.

* :data:`circle_radius`: read a one-neuron circle off its weights (checked by asking such a
  neuron, built in kteach, what it says at the radius you give).
* :data:`l1_epochs`: how many epochs the L1 penalty alone needs to bring a weight to exactly 0
  (worked out from the penalty step and the number of batches in an epoch).
* :data:`circle_network`: a network on the plain features ``x1``, ``x2`` that learns the circle
  (checked by training it in a Playground).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import Exercise

__all__ = ["circle_radius", "l1_epochs", "circle_network"]


def _number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"{what} must be one number, such as 1.5; got {answer!r}")
    return float(answer)


# ----- 1. the radius of a one-neuron circle -----------------------------------------------------
W_SQUARES, BIAS = 0.5, -2.0     # p = sigmoid(0.5·x1² + 0.5·x2² − 2): the circle of radius 2


def _neuron_output(radius: float) -> float:
    """What the neuron on features x1², x2² says at the point (radius, 0)."""
    from .. import Input, Sequential, layers
    neuron = Sequential([Input(shape=(2,)), layers.Dense(1, activation="sigmoid")])
    neuron.set_weights([np.full((2, 1), W_SQUARES, dtype="float32"),
                        np.array([BIAS], dtype="float32")])
    features = np.array([[radius ** 2, 0.0]], dtype="float32")       # x1², x2² at (r, 0)
    return float(neuron.predict_on_batch(features)[0, 0])


def _check_radius(answer) -> str | None:
    r = abs(_number(answer, "the radius"))
    p = _neuron_output(r)
    if abs(p - 0.5) < 0.005:
        return None
    side = "outside" if p > 0.5 else "inside"
    return (f"at the point ({r:g}, 0) the neuron says p = {p:.3f}, so that point is still "
            f"{side} its boundary")


circle_radius = Exercise(
    "circle_radius", _check_radius, right=lambda: 2.0, wrong=lambda: 4.0,
    hint="the boundary is where p = 0.5, that is where w1·x1² + w2·x2² + b = 0. "
         "Along the x1 axis (x2 = 0) solve 0.5·x1² − 2 = 0",
    praise="√(−b/w) = √(2/0.5) = 2: the neuron is the circle of radius 2, written as three "
           "numbers.")


# ----- 2. how long L1 takes to zero a weight ----------------------------------------------------
L1_RATE, L1_LEARNING_RATE, START_WEIGHT = 0.03, 0.03, 0.09
N_SAMPLES, TRAIN_RATIO, BATCH_SIZE = 500, 0.5, 10      # the Playground's defaults


def _epochs_to_zero() -> int:
    """Epochs of L1 penalty steps alone (no data gradient) until the weight is exactly 0."""
    from ..widgets.regularization import penalty_gradient
    batches_per_epoch = math.ceil(N_SAMPLES * TRAIN_RATIO / BATCH_SIZE)
    w, batches = np.float64(START_WEIGHT), 0
    while w != 0:
        step = L1_LEARNING_RATE * penalty_gradient(w, "l1", L1_RATE)
        # an L1 step that would carry the weight across zero stops it at 0
        w = 0.0 if abs(step) >= abs(w) - 1e-12 else w - step
        batches += 1
    return math.ceil(batches / batches_per_epoch)


def _check_l1(answer) -> str | None:
    n = _number(answer, "the number of epochs")
    epochs = _epochs_to_zero()
    if n == epochs:
        return None
    if n == epochs * math.ceil(N_SAMPLES * TRAIN_RATIO / BATCH_SIZE):
        return f"{n:g} counts the batches (one penalty step each), not the epochs"
    return f"{n:g} epochs is not when the weight reaches 0"


l1_epochs = Exercise(
    "l1_epochs", _check_l1, right=lambda: 4, wrong=lambda: 100,
    hint="each batch moves the weight lr·λ towards zero, whatever its size; and an epoch has "
         "(training points) / (batch size) batches",
    praise="0.03 · 0.03 = 0.0009 per batch, so 100 batches; 250 training points in batches of "
           "10 make 25 batches per epoch: 4 epochs. L2 would never get there: its pull 2λw "
           "shrinks with the weight.")


# ----- 3. a network that learns the circle from x1 and x2 ------------------------------------
TARGET, EPOCHS = 0.99, 50
ALLOWED = ("hidden", "activation", "activations", "optimizer", "learning_rate", "momentum",
           "batch_size")


def _check_network(answer) -> str | None:
    if not isinstance(answer, dict):
        return ("the answer is a dict of Playground settings, such as dict(hidden=[3], "
                f"activation='tanh', optimizer='sgd', learning_rate=0.03); got {answer!r}")
    other = [key for key in answer if key not in ALLOWED]
    if other:
        return (f"only the network may change, not {', '.join(map(repr, other))}: the data "
                f"and the features x1, x2 stay. Use {', '.join(ALLOWED)}")
    from ..widgets import Playground
    pg = Playground(features=["x1", "x2"], **answer)
    try:
        pg.run(EPOCHS)
    finally:
        pg.close()
    if pg.message:
        return f"the run stopped: {pg.message}"
    accuracy = pg.history["test_accuracy"][-1]
    if accuracy >= TARGET:
        return None
    return f"after {EPOCHS} epochs the test accuracy is {accuracy:.3f}, below {TARGET}"


circle_network = Exercise(
    "circle_network", _check_network,
    right=lambda: dict(hidden=[4], activation="relu", optimizer="adam", learning_rate=0.03),
    wrong=lambda: dict(hidden=[2], activation="tanh", optimizer="sgd", learning_rate=0.03),
    hint="on x1 and x2 each neuron of the first hidden layer draws one straight line, and a "
         "closed curve around the inner ring needs at least three of them (a triangle); give "
         "that layer a few more neurons, and let Adam (learning rate about 0.03) move them fast",
    praise="Look at the neurons' pictures in the panel: each one is a line, and the output "
           "combines them into a closed shape around the inner ring.")
