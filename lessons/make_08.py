"""Build lessons/08-playground.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_08.py                 # writes and executes it (about 10 s)
    python lessons/make_08.py --no-execute    # only writes it

It executes with nbclient and does not store the widgets' state in the notebook: that state
holds every picture the widgets drew (megabytes), and nbval does not look at it.

Rules for the cells (see DESIGN.md, "Notebooks"): seed every run, print floats with fixed
precision. A cell that shows a widget is marked ``# NBVAL_IGNORE_OUTPUT``; the cells around it
print the numbers that nbval checks, computed with the widget's own methods
(``pg.run(...)``, ``pg.loss_text()``, ``pg.weights_table()``, ``pg.state``).
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("08-playground.ipynb")
md, code = lesson.md, lesson.code

md("""
# Lesson 8 · The playground: watch a network learn to separate points

*(神经网络游乐场)*

[TensorFlow Playground](https://playground.tensorflow.org) lets you train a tiny network in the
browser and watch it learn. The kteach **Playground** does the same in this notebook, on a real
kteach model that you can also reach from code. It can do a few things the original cannot: more
than two classes, your own points, an activation per layer, a choice of optimizer, every weight
and bias with its value, the Keras code of what it trains, and a saved state that repeats a
run exactly.

In this lesson you will

1. train the default network on the *circle* data set, then solve it with a single neuron by
   choosing better input features, and read the answer off its weights;
2. separate three interleaved spirals;
3. see what L1 regularisation does to the weights;
4. bring your own points;
5. save a run as a dict and repeat it number for number.
""")

code("""
import json

import numpy as np
from IPython.display import Image

import kteach as keras
from kteach.widgets import Playground

np.set_printoptions(precision=4, suppress=True)
""")

md("""
## 1. The playground

Press **Play** and watch. The big square is the model's answer over the whole plane (orange:
class 0, blue: class 1, pale where it is unsure) with the training points on top. Tick
*show test data* to see the test points too (black rim).

On the left is the network. Each small square is one neuron, painted with what that neuron
outputs over the plane. Each line is a weight: blue is positive, orange is negative, and
thicker means larger. The little bar beside a neuron is its bias. Open *weights and biases*
for their values.

Change anything: the data set, the noise, the features, the hidden layers (**+ layer**, and
**+**/**−** for the neurons), an activation, the learning rate, the optimizer,
regularisation. **Step** trains one epoch; **Reset** starts again from the same weights;
**Regenerate** draws new points. (The widget needs a running notebook.)
""")

code("""
# NBVAL_IGNORE_OUTPUT
pg = Playground(seed=0)
pg
""")

md("""
These are the defaults of TensorFlow Playground: inputs `x1` and `x2`, two hidden layers of 4
and 2 `tanh` neurons, plain SGD with learning rate 0.03, batches of 10, and half of the 500
points for training. Everything the panel does can be done from code too. `pg.run(30)`
trains 30 epochs (the panel above shows the result when the cell is done):
""")

code("""
print(pg.settings["hidden"], pg.settings["activations"], pg.settings["optimizer"],
      pg.settings["learning_rate"])
pg.run(30)
print(pg.loss_text())
""")

md("""
After 30 epochs it is still unsure: the classes are two rings, and lines in `x1`, `x2` need
several neurons to bend around a circle. But a circle *is* simple in other features:
`x1² + x2² = r²`. Give the network `x1²` and `x2²` instead, and no hidden layer at all:
""")

code("""
pg.set(features=["x1^2", "x2^2"], hidden=[])      # a new model: back to epoch 0
pg.run(30)
print(pg.loss_text())
print(pg.weights_table())
""")

code("""
pg.draw()
Image(pg.plot.value)
""")

md("""
One neuron, three numbers. It computes `p = sigmoid(w1·x1² + w2·x2² + b)` and says "class 1"
where `p > 0.5`, which is where `w1·x1² + w2·x2² + b > 0`. With `w1 ≈ w2 = w` that is outside
the circle of radius `√(−b/w)`. Read the weights and compute it:
""")

code("""
(w1, w2), b = pg.model.layers[0].get_weights()[0][:, 0], pg.model.layers[0].get_weights()[1][0]
print(f"w1 = {w1:.4f}, w2 = {w2:.4f}, b = {b:.4f}")
print(f"boundary radius along x1: {np.sqrt(-b / w1):.3f}, along x2: {np.sqrt(-b / w2):.3f}")
""")

md("""
The inner ring of points ends at radius 2.125 and the outer one starts at 2.875. The boundary
the neuron learned lies in the gap between them.
""")

md("""
## 2. Three spirals

TensorFlow Playground has two classes only. Here `n_classes` can be up to 8, and the output
layer becomes a softmax with one neuron per class. Three interleaved spirals are hard. We give
the network `sin x1` and `sin x2` as extra features, two hidden layers of 8, and Adam:
""")

code("""
spirals = Playground(dataset="spiral", n_classes=3, features=["x1", "x2", "sin(x1)", "sin(x2)"],
                     hidden=[8, 8], optimizer="adam", learning_rate=0.01)
print(spirals.model.layers[-1].units, "output neurons,", spirals.loss_and_metrics()[0])
spirals.run(60)
print(spirals.loss_text())
""")

code("""
spirals.draw()
Image(spirals.plot.value)
""")

md("""
## 3. L1 regularisation keeps what matters

*Exclusive or* labels a point 1 where `x1` and `x2` have the same sign. That is simply the sign
of `x1·x2`. Give one neuron all seven features and see which ones it uses, first without
regularisation:
""")

code("""
all_features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
plain = Playground(dataset="xor", features=all_features, hidden=[])
plain.run(30)
print(plain.loss_text())
print("weights:", plain.model.layers[0].get_weights()[0][:, 0])
""")

md("""
The neuron leans on `x1·x2` (weight about 1.8), but it also keeps some of `sin x1`, `sin x2` and
`x1`, which do not help on new points. **L1** regularisation adds `λ·Σ|w|` to the loss, so
each step also pulls every weight towards zero by the same small amount. A weight the data
does not need ends up near 0. One the data needs stays large:
""")

code("""
sparse = Playground(dataset="xor", features=all_features, hidden=[],
                    regularization="l1", regularization_rate=0.03)
sparse.run(30)
print(sparse.loss_text())
print("weights:", sparse.model.layers[0].get_weights()[0][:, 0])
for name, pg_ in [("without L1", plain), ("with L1   ", sparse)]:
    W = pg_.model.layers[0].get_weights()[0]
    print(name, "weights smaller than 0.02:", int((np.abs(W) < 0.02).sum()), "of", W.size)
""")

md("""
kteach has no `kernel_regularizer` yet, so the Playground applies the penalty itself after
each batch: `w ← w − lr·λ·sign(w)` for L1 and `w ← w − lr·λ·2w` for L2 (with plain SGD this is
exactly training on `loss + λ·R(w)`). `help(kteach.widgets.regularization)` explains it.
""")

md("""
## 4. Your own points

`Playground(x, y)` takes any points in the plane. Here are two interleaved half moons, made
with NumPy:
""")

code("""
rng = np.random.default_rng(0)
t = rng.uniform(0, np.pi, 100)
upper = np.stack([np.cos(t), np.sin(t)], axis=1)
lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
x_moons = np.concatenate([upper, lower]) + rng.normal(0, 0.1, size=(200, 2))
y_moons = np.repeat([0, 1], 100)

moons = Playground(x_moons, y_moons, hidden=[8, 4], activation="relu",
                   optimizer="adam", learning_rate=0.03, train_ratio=0.7)
print(moons.settings["dataset"], moons.settings["n_classes"], "classes,",
      len(moons.data["x_train"]), "training points")
moons.run(30)
print(moons.loss_text())
""")

code("""
# NBVAL_IGNORE_OUTPUT
moons
""")

md("""
## 5. Save a run, repeat it exactly

`pg.state` is a plain dict (it can be saved as JSON) with the settings, the seed, the number
of epochs and any setting changed along the way. `Playground.from_state` repeats the run: same
points, same starting weights, same batches, same numbers.
""")

code("""
moons.set(learning_rate=0.01)        # changed in the middle of the run: recorded
moons.run(10)
state = moons.state
print(json.dumps({k: v for k, v in state.items() if k != "data"}))
""")

code("""
again = Playground.from_state(json.loads(json.dumps(state)))
same = all(np.array_equal(a, b) for a, b in zip(again.model.get_weights(),
                                                moons.model.get_weights()))
print("same weights:", same)
print(again.loss_text())
""")

md("""
## 6. The code behind it

Each epoch of the playground is one `model.fit(..., epochs=1)` on a Sequential model.
`pg.code()` writes that model out as Keras code. It runs unchanged on Keras, and with kteach it
gives exactly the same numbers:
""")

code("""
print(spirals.code())
""")

md("""
Run the code of the one-neuron circle model from section 1 and compare its weights with the
playground's:
""")

code("""
scope = dict(pg.data)                         # x_train, y_train, x_test, y_test
exec(pg.code().replace("print(", "test_results = ("), scope)
print("same weights as the playground:",
      all(np.array_equal(a, b) for a, b in zip(scope["model"].get_weights(),
                                              pg.model.get_weights())))
print("test loss and accuracy:", np.round(scope["test_results"], 4))
""")

md("""
## Exercise

Go back to the circle with the plain features `x1` and `x2`. Find a network (hidden layers,
activations, optimizer, learning rate) that reaches a **test accuracy of at least 0.99** within
50 epochs. Try it in the panel first, then write your settings here:
""")

code("""
my_settings = dict(hidden=[2], activation="tanh", optimizer="sgd", learning_rate=0.03)  # change me
""")

code("""
mine = Playground(features=["x1", "x2"], **my_settings)
mine.run(50)
accuracy = mine.history["test_accuracy"][-1]
if accuracy >= 0.99:
    print(f"Well done: test accuracy {accuracy:.3f} with {my_settings}.")
else:
    print(f"Not yet: test accuracy {accuracy:.3f}. More neurons, a larger learning rate or "
          f"Adam may help.")
""")

md("""
## What you learned

* A network draws its boundary from the features it gets. The right feature (`x1²`, `x2²` for
  a circle, `x1·x2` for xor) can replace whole hidden layers.
* Every weight has a meaning you can read: a single neuron on `x1²`, `x2²` *is* a circle.
* More classes need a softmax output with one neuron per class.
* L1 regularisation pulls weights the data does not need towards zero.
* `pg.state` and `Playground.from_state` repeat an experiment exactly; `pg.code()` gives the
  Keras code.
""")


if __name__ == "__main__":
    lesson.main()
