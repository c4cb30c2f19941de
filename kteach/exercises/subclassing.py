"""The exercises of the subclassing lesson: subclassing and the tape.

* :data:`product_vjp`: the chain rule by hand for ``z = w·x``, ``L = z²`` (checked against
  what a ``GradientTape`` computes at three points).
* :data:`relu_linear`: a ``Linear`` layer whose ``call`` ends in ``ops.relu`` (checked by the
  ops ``model.explain`` finds inside it, its output, and a gradient check).
* :data:`tape_entries`: the entries a tape holds after one line of nested ``ops`` calls, in
  order (checked against a real tape).

In the lesson the first two answers are stubs that return ``None`` where the learner writes;
a stub still untouched gets "No answer yet", as a plain ``None`` answer does.
"""
from __future__ import annotations

import numpy as np

from . import Exercise

__all__ = ["product_vjp", "relu_linear", "tape_entries"]


# ----- 1. the vjp of a product, by hand ----------------------------------------------------------
POINTS = [(2.0, 3.0), (-1.5, 0.5), (0.7, -4.0)]


def _tape_gradients(w: float, x: float) -> tuple[float, float]:
    from .. import GradientTape, ops
    w_arr, x_arr = np.array(w), np.array(x)
    with GradientTape() as tape:
        tape.watch([w_arr, x_arr])
        loss = ops.square(ops.multiply(w_arr, x_arr))
    g_w, g_x = tape.gradient(loss, [w_arr, x_arr])
    return float(g_w), float(g_x)


def _check_vjp(answer) -> str | None:
    if not callable(answer):
        return f"the answer is a function of w and x, such as my_gradients; got {answer!r}"
    for w, x in POINTS:
        result = answer(w, x)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return f"my_gradients({w}, {x}) should return two numbers, (dL/dw, dL/dx); got {result!r}"
        for name, mine, tape in zip(("dL/dw", "dL/dx"), result, _tape_gradients(w, x)):
            if mine is None:
                return f"{name} is still None"
            if not np.isclose(float(mine), tape):
                return f"{name} at w={w}, x={x} is {float(mine):.4g}; the tape says {tape:.4g}"
    return None


product_vjp = Exercise(
    "product_vjp", _check_vjp,
    right=lambda: (lambda w, x: (2 * w * x * x, 2 * w * w * x)),
    wrong=lambda: (lambda w, x: (2 * w * x, 2 * w * x)),
    unanswered=lambda answer: all(v is None for v in answer(*POINTS[0])),
    hint="dL/dz = 2z and z = w·x; multiply by dz/dw = x (or dz/dx = w), then write z as w·x",
    praise="Both agree with the tape at three points: dL/dw = 2·w·x², dL/dx = 2·w²·x.")


# ----- 2. a Linear with ReLU ----------------------------------------------------------------------
def _lesson_linear():
    """The lesson's ``Linear`` layer, y = tanh(x·W + b), for the right and wrong examples."""
    from .. import layers, ops

    class Linear(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="glorot_uniform", name="kernel")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, inputs):
            return ops.tanh(ops.add(ops.matmul(inputs, self.kernel), self.bias))

    return Linear


def _relu_linear():
    from .. import ops

    class ReluLinear(_lesson_linear()):
        def call(self, inputs):
            return ops.relu(ops.add(ops.matmul(inputs, self.kernel), self.bias))

    return ReluLinear


def _sample() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(9).uniform(-1, 1, size=(4, 2)).astype("float32")
    return x, (x[:, :1] * x[:, 1:]).astype("float32")


def _returns_none(layer_class) -> bool:
    """Does the layer's call still return the stub's None?"""
    layer = layer_class(4)
    layer.build((None, 2))
    return layer.call(_sample()[0]) is None


def _check_relu_linear(answer) -> str | None:
    from .. import Input, Sequential, layers, utils
    if not isinstance(answer, type) or not issubclass(answer, layers.Layer):
        return f"the answer is the class ReluLinear itself, a Layer; got {answer!r}"
    x, y = _sample()
    utils.set_random_seed(3)
    model = Sequential([Input(shape=(2,)), answer(4), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    inner = [step.path.split("/", 1)[1] for step in model.explain(x, y)
             if step.kind == "forward" and "/" in step.path]
    if "tanh" in inner:
        return "call still uses ops.tanh"
    if not inner or inner[-1] != "relu":
        return f"the ops inside the layer are {inner}; the last one should be relu"
    layer = model.layers[0]
    kernel, bias = (np.asarray(w) for w in layer.get_weights())
    expected = np.maximum(x @ kernel + bias, 0)
    if not np.allclose(np.asarray(layer(x)), expected, atol=1e-6):
        return "the layer's output is not relu(x·W + b)"
    if not utils.check_gradients(model, x, y).passed:
        return "the gradient check failed"
    return None


relu_linear = Exercise(
    "relu_linear", _check_relu_linear, right=_relu_linear, wrong=_lesson_linear,
    unanswered=_returns_none,
    hint="call computes z = x·W + b with ops.matmul and ops.add, then returns ops.relu(z)",
    praise="The tape found matmul, add and relu inside your layer, and the gradients it "
           "computes agree with a numerical gradient check: you wrote no backward at all.")


# ----- 3. read a tape without running it --------------------------------------------------------
def _real_entries() -> list[str]:
    from .. import GradientTape, ops
    a, b, c = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([0.5, 0.5])
    with GradientTape() as tape:
        tape.watch(a)
        ops.sum(ops.add(ops.multiply(a, b), c))
    return [entry.name for entry in tape.entries]


def _check_entries(answer) -> str | None:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(n, str) for n in answer):
        return f"the answer is a list of op names, such as ['square']; got {answer!r}"
    names = _real_entries()
    if list(answer) == names:
        return None
    if sorted(answer) == sorted(names):
        return "the right names, in the wrong order"
    return f"the tape holds {len(names)} entries, not these {len(answer)}: {list(answer)}"


tape_entries = Exercise(
    "tape_entries", _check_entries, right=lambda: ["multiply", "add", "sum"],
    wrong=lambda: ["sum", "add", "multiply"],
    hint="one entry per ops call, in the order they run; Python runs the innermost call first",
    praise="The innermost call runs first, so it is the first entry; tape.gradient reads them "
           "from the last to the first.")
