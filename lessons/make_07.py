"""Build lessons/07-optimizer-lab.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_07.py                 # writes and executes it (about 10 s)
    python lessons/make_07.py --no-execute    # only writes it

It executes with nbclient and does not store the widgets' state in the notebook: that state
holds every picture the widgets drew (megabytes), and nbval does not look at it.

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision. A cell that shows a widget is marked ``# NBVAL_IGNORE_OUTPUT``: what it shows
changes as the learner clicks, so the cells around it print the numbers that nbval checks,
computed with the widget's own methods (``lab.train(..., wait=True)``, ``lab.runs_table()``).
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("07-optimizer-lab.ipynb")
md, code = lesson.md, lesson.code

md("""
# Lesson 7 · The optimizer lab: SGD, momentum, RMSprop and Adam on one problem

*(优化器实验室)*

Training repeats one step: compute the gradient `g` of the loss with respect to every weight,
then move each weight a little against it. *How* it moves is the optimizer's job, and the
choice decides whether a network learns in ten epochs, in a thousand, or never.

In this lesson you will

1. read the update rule of each optimizer, with the numbers it will use;
2. train **one** small network again and again, each time from the *same* starting weights and
   with the *same* batches, changing only the optimizer;
3. see what a learning rate that is too large does;
4. use the **optimizer lab** widget to run your own experiments.
""")

code("""
import numpy as np
from IPython.display import Image

import kteach as keras
from kteach.widgets import OptimizerLab
from kteach.widgets.datasets import make_dataset

np.set_printoptions(precision=4, suppress=True)
""")

md("""
## 1. Four update rules

For one weight `w` with gradient `g`, with learning rate `lr`:

* **SGD** takes a step straight down the slope: `w ← w − lr·g`.
* **SGD with momentum** keeps a running velocity `v`, so steps that agree add up and steps that
  zigzag cancel out: `v ← μ·v − lr·g`, then `w ← w + v`. With μ = 0.9 a steady slope is
  followed about ten times faster than with plain SGD.
* **RMSprop** divides each step by the recent size of that weight's gradients, so every weight
  moves at about the same pace however steep its slope is.
* **Adam** combines both: a momentum `m` divided by a running size `√v`, corrected at the start
  because `m` and `v` begin at zero.

Each kteach optimizer can write its next update with its own numbers:
""")

code("""
for optimizer in [keras.optimizers.SGD(learning_rate=0.1),
                  keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  keras.optimizers.RMSprop(learning_rate=0.01),
                  keras.optimizers.Adam(learning_rate=0.01)]:
    print(f"{type(optimizer).__name__:8s}", optimizer.describe_update())
""")

md("""
## 2. The problem: exclusive or

Points in a square, labelled 1 where `x1` and `x2` have the same sign and 0 where they do not.
No straight line separates the two classes, so the network needs its hidden layer. We scale the
points to about [−2, 2], a good range for `tanh`.
""")

code("""
x, y = make_dataset("xor", n_samples=300, noise=0.05, seed=0)
x = x / 3
print("x:", x.shape, x.dtype, " y:", y.shape, " class sizes:", np.bincount(y))

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.summary()
""")

md("""
## 3. The lab

`OptimizerLab(model, x, y)` keeps the model's starting weights and gives every run the same
batches in the same order (it has its own random seed), so two runs differ **only** in the
optimizer settings. A quarter of the points is kept apart for validation, as
`fit(..., validation_split=0.25)` does.

Below is the widget: choose an optimizer, a learning rate (the slider is logarithmic: each
step multiplies it), the momentum, the batch size and the number of epochs, then press
**Train**. **Stop** ends a run early; **Reset** forgets all runs. Earlier runs stay on the plot
as faded curves. (The widget needs a running notebook; on a static page you see nothing here.)
""")

code("""
# NBVAL_IGNORE_OUTPUT
lab = OptimizerLab(model, x, y, validation_split=0.25, epochs=30, batch_size=32)
lab
""")

md("""
Everything the buttons do can also be done from code. `lab.train(..., wait=True)` runs one
experiment to the end before the cell finishes (with `wait=False`, as the Train button does,
it trains in the background and the notebook stays free). Let us compare the four optimizers,
each at a learning rate that is typical for it:
""")

code("""
for optimizer, learning_rate in [("sgd", 0.1), ("momentum", 0.1),
                                 ("rmsprop", 0.01), ("adam", 0.01)]:
    run = lab.train(optimizer=optimizer, learning_rate=learning_rate, wait=True)
    losses = run.history["loss"]
    print(f"{run.label():28s} loss after 1, 10, 30 epochs: "
          f"{losses[0]:.3f} {losses[9]:.3f} {losses[29]:.3f}")
""")

code("""
print(lab.runs_table())
""")

md("""
The lab draws every run (solid: training loss, dashed: validation loss; the newest run is
bright, the older ones faded):
""")

code("""
lab.draw()
Image(lab.plot.value)
""")

md("""
What to notice:

* **Plain SGD** at 0.1 crawls: after 30 epochs its loss is still far from zero.
* **Momentum** with the *same* learning rate is many times faster. On this smooth problem its
  velocity builds up to about ten steps' worth.
* **RMSprop** and **Adam** at 0.01 start slowly but steadily: they scale each weight's step by
  its own gradient size, which matters most when some weights have much larger gradients than
  others.

None of this ranking is a law. Change the learning rates and the order changes. That is what
the lab is for.
""")

md("""
## 4. A learning rate that is too large

If plain SGD is slow, why not take bigger steps? Try 3 and 10:
""")

code("""
for learning_rate in [3.0, 10.0]:
    run = lab.train(optimizer="sgd", learning_rate=learning_rate, wait=True)
    print(f"{run.label():16s} first 8 epochs:", np.round(run.history["loss"][:8], 3))
""")

md("""
At 3 the loss jumps around: sometimes down, sometimes back up. The steps overshoot the bottom
of the valley and land on the other side. At 10 the very first epoch throws the weights so far
that the sigmoid output saturates: the loss sits at about 4 and training has stopped making
progress.

With a loss that has no ceiling, a step that is too large does worse: the error grows with
every step until the numbers overflow. Here is a linear model that learns
`y = 2·x1 − x2 + 0.5`, trained with the whole data set as one batch:
""")

code("""
rng = np.random.default_rng(1)
x_lin = rng.normal(size=(64, 2)).astype("float32")
y_lin = (2 * x_lin[:, :1] - x_lin[:, 1:] + 0.5).astype("float32")

keras.utils.set_random_seed(0)
linear = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
line_lab = OptimizerLab(linear, x_lin, y_lin, validation_split=0.0, batch_size=64, epochs=30)
print("loss:", line_lab.loss)
for learning_rate in [0.5, 0.9, 1.1, 3.0]:
    run = line_lab.train(optimizer="sgd", learning_rate=learning_rate, wait=True)
    losses = run.history["loss"]
    print(f"lr={learning_rate:<4}  epochs {run.epochs_done:2d}  {run.status:8s}  "
          f"first 4: {np.round(losses[:4], 3)}  last: {losses[-1]:.3g}")
""")

code("""
print(line_lab.runs[-1].message)
""")

md("""
For this loss, the gradient of each weight is about twice its distance from the best value.
A step of `lr·g` therefore covers `2·lr` times that distance:

* at `lr = 0.5` it lands almost exactly on the best value;
* at `0.9` it overshoots to the other side, but less far each time: the loss zigzags down;
* at `1.1` it overshoots by more than it started with, so the loss grows;
* at `3.0` it grows so fast that after a few epochs the numbers overflow. kteach stops and says
  so; the lab marks the run as *diverged*.

When a loss grows or turns into `nan`, the first thing to try is a learning rate ten times
smaller.
""")

md("""
## 5. The same experiment in plain Keras code

`lab.code()` writes what the lab does for a run, as `compile` and `fit`:
""")

code("""
print(lab.code(lab.runs[1]))
""")

md("""
For live curves during an ordinary `fit`, outside the lab, add the `LivePlot` callback:
""")

code("""
# NBVAL_IGNORE_OUTPUT
keras.utils.set_random_seed(0)
model_2 = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="tanh"),
                            keras.layers.Dense(1, activation="sigmoid")])
model_2.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                loss="binary_crossentropy", metrics=["accuracy"])
history = model_2.fit(x, y, epochs=20, batch_size=32, validation_split=0.25, verbose=0,
                      callbacks=[keras.callbacks.LivePlot()])
""")

code("""
print(f"after 20 epochs: loss {history.history['loss'][-1]:.4f}, "
      f"val_accuracy {history.history['val_accuracy'][-1]:.4f}")
""")

md("""
## Exercise

Plain SGD needed a learning rate between 0.1 (too slow) and 10 (too large). Find one for
`"sgd"` that brings the **validation** loss of the xor network below **0.1** within 30 epochs.
Change `my_learning_rate` and run the two cells.
""")

code("""
my_learning_rate = 0.1      # change me
""")

code("""
run = lab.train(optimizer="sgd", learning_rate=my_learning_rate, wait=True)
val_loss = run.final("val_loss")
if run.status == "done" and val_loss < 0.1:
    print(f"Well done: lr={my_learning_rate} reaches val_loss {val_loss:.4f}.")
else:
    print(f"Not yet: lr={my_learning_rate} ends at val_loss {val_loss:.4f}. "
          f"Try a larger value, but not as large as 10.")
""")

md("""
## What you learned

* An optimizer is the rule that turns gradients into weight changes. Momentum adds up steps
  that agree; RMSprop and Adam scale each weight's step by its own gradient size.
* A fair comparison starts every run from the same weights with the same batches: that is what
  `OptimizerLab` does for you.
* Too small a learning rate wastes epochs. Too large a one zigzags, gets stuck or blows up to
  `nan`. Then divide it by ten.
* `lab.train(..., wait=True)`, `lab.runs_table()` and `lab.code()` do from code what the
  buttons do; `keras.callbacks.LivePlot()` draws curves during any `fit`.
""")


if __name__ == "__main__":
    lesson.main()
