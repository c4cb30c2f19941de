"""Build lessons/02-inside-one-training-step.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_02.py                 # writes and executes it (about 10 s)
    python lessons/make_02.py --no-execute    # only writes it

It executes with nbclient and does not store the widgets' state in the notebook (the
StepThrough panel's state holds a diagram per step, and nbval does not look at it).

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision, and never print numbers that are only rounding noise (a gradient check's
relative errors of 1e-10 differ between machines): print whether they are small instead.
A cell that shows a widget is marked ``# NBVAL_IGNORE_OUTPUT``; the cell after it prints what
the widget shows, through the widget's own methods, so nbval checks that.
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("02-inside-one-training-step.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 2 · Inside one training step

`fit` repeats one small procedure thousands of times. In this lesson we take a single
repetition apart and look at every number in it:

1. **forward**: each layer turns its input into its output;
2. **loss**: one number says how wrong the outputs are;
3. **backward**: the chain rule carries the loss's gradient back through every layer, down to
   every weight;
4. **update**: the optimizer moves each weight a little against its gradient.

We do each part by hand with NumPy, then compare with `model.explain(x, y)`, which runs one
real training step and hands back every number it made. At the end we let kteach check
gradients for us, watch the optimizer change one weight, and you write the backward pass of a
layer yourself.
""")

code("""
import numpy as np

import kteach as keras
from kteach.models import Sequential
from kteach.layers import Input, Dense, Layer
from kteach.optimizers import SGD

np.set_printoptions(precision=4, suppress=True)   # arrays print with 4 decimals
""")

# ----- 1. the model -----------------------------------------------------------------------------
md("""
## 1. A model small enough to follow

Three numbers come in, four ReLU units sit in the middle, and a softmax over three classes
comes out. Four samples form our batch, with class labels 0, 1, 2, 1.
""")

code("""
keras.utils.set_random_seed(0)
model = Sequential([
    Input(shape=(3,)),
    Dense(4, activation='relu'),
    Dense(3, activation='softmax'),
])
model.compile(optimizer=SGD(learning_rate=0.1, momentum=0.9),
              loss='categorical_crossentropy')

x = np.array([[ 0.5, -1.0,  2.0],
              [ 1.5,  0.3, -0.5],
              [-1.0,  2.0,  0.8],
              [ 0.2,  0.4,  0.6]], dtype='float32')
labels = np.array([0, 1, 2, 1])
y = keras.utils.to_categorical(labels, 3)
print(y)
""")

code("""
keras.utils.plot_model(model, show_shapes=True, show_layer_activations=True)
""")

# ----- 2. forward -------------------------------------------------------------------------------
md("""
## 2. Forward, by hand

A `Dense` layer computes `z = x·W + b` and then its activation. `get_weights()` gives us
`W` (the kernel) and `b` (the bias) of both layers, so we can do the whole forward pass
with three lines of NumPy:
""")

code("""
W1, b1, W2, b2 = model.get_weights()

z1 = x @ W1 + b1                                      # (4, 3)·(3, 4) + (4,) → (4, 4)
h = np.maximum(z1, 0)                                 # ReLU
z2 = h @ W2 + b2                                      # (4, 4)·(4, 3) + (3,) → (4, 3)
p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)   # softmax: each row sums to 1
print(p)
""")

md("""
Each row of `p` holds the model's probabilities for the three classes of one sample. The
weights are still random, so all of them are close to 1/3.

Now the same step as kteach runs it. `model.explain(x, y)` performs one complete training
step and returns its **record**. Printed, the record is a table of contents: one line per
step, in the order they happened, each with its formula and the actual shapes.
""")

code("""
record = model.explain(x, y)
print(record)
""")

md("""
By default `explain` leaves the model exactly as it was: the weights, the optimizer and the
random numbers are put back afterwards (pass `apply=True` to keep the step). So you can call it
as often as you like.

Every step holds the real arrays. `record[0]` is the first layer's forward step:
its input `x`, the `kernel` and `bias` it used, and its output `y`.
""")

code("""
print(record[0])
""")

code("""
print("hidden layer matches:", np.allclose(record[0]['y'], h))
print("outputs match:       ", np.allclose(record.outputs, p))
""")

md("""
You can also run one layer's math yourself. Every layer has a `forward` method that takes a
NumPy array and returns two things: the output, and a *cache* with whatever its backward pass
will need later (for `Dense`: the input `x`, `z` and the output).
""")

code("""
dense = model.layers[0]
out, cache = dense.forward(x)
print("same as h:", np.allclose(out, h))
print("the cache holds:", [a.shape for a in cache])
""")

# ----- 3. loss ----------------------------------------------------------------------------------
md("""
## 3. The loss

Categorical cross-entropy looks only at the probability given to the right class:
`L_i = −log p[i, label_i]`. The loss of the batch is the mean of these four numbers.
""")

code("""
L = -np.log(p[np.arange(4), labels])
print("per sample:", L)
print(f"loss: {L.mean():.4f}")
""")

code("""
print(record.loss[0])
""")

md("""
The loss step shows the same per-sample values `L`, their mean, and one more array:
`dloss/dy_pred`, the gradient of the loss with respect to the model's output. That array is
where the backward pass starts.

Where does its 0.25 come from? Like Keras, kteach's cross-entropy first divides each row of
`p` by its sum (which makes no difference to the value when the row already sums to 1). That
division adds `+1` to the derivative `−y/p` of every entry, and dividing by the batch size 4
gives 0.25 where `y = 0`.
""")

# ----- 4. backward ------------------------------------------------------------------------------
md("""
## 4. Backward: the chain rule, layer by layer

We want `dloss/dW` for every weight. The chain rule says: multiply the local derivatives along
the path from the weight to the loss. We walk that path backwards, from the loss to the input.

**Softmax and cross-entropy together.** For `p = softmax(z2)` and `L = −log p[label]`, the
derivative with respect to the scores `z2` is beautifully simple: `p − y` (with `y` one-hot).
Averaging over the batch of `n = 4` divides it by `n`:

    dz2 = (p − y) / n

**The last Dense layer**, `z2 = h·W2 + b2`:

    dW2 = hᵀ · dz2        db2 = sum of dz2 over the batch        dh = dz2 · W2ᵀ

**ReLU** lets the gradient through where its input was positive and blocks it elsewhere:

    dz1 = dh * (z1 > 0)

**The first Dense layer**, `z1 = x·W1 + b1`:

    dW1 = xᵀ · dz1        db1 = sum of dz1 over the batch
""")

code("""
n = len(x)
dz2 = (p - y) / n
dW2 = h.T @ dz2
db2 = dz2.sum(axis=0)
dh = dz2 @ W2.T
dz1 = dh * (z1 > 0)
dW1 = x.T @ dz1
db1 = dz1.sum(axis=0)
print(dW2)
""")

md("""
The record has one backward step per layer, in reverse order. Each shows the gradient `dy`
that arrives at the layer, the gradient `dx` it passes on to the layer before, and one
gradient per weight:
""")

code("""
back_2, back_1 = record.backward
print(back_2)
""")

code("""
print("dW2:", np.allclose(back_2['dkernel'], dW2, atol=1e-7))
print("db2:", np.allclose(back_2['dbias'], db2, atol=1e-7))
print("dh: ", np.allclose(back_2['dx'], dh, atol=1e-7))
print("dW1:", np.allclose(back_1['dkernel'], dW1, atol=1e-7))
print("db1:", np.allclose(back_1['dbias'], db1, atol=1e-7))
""")

md("""
### Where does `p − y` come from?

kteach does not use the shortcut. The loss hands back `dloss/dp`, and the softmax inside the
Dense layer turns it into `dloss/dz2` with its own derivative. For one row, softmax's rule is
`dz = p * (dp − Σ dp·p)`. Let's apply it to the loss step's array and see the shortcut
appear:
""")

code("""
dp = record.loss[0]['dloss/dy_pred']
dz_from_softmax = p * (dp - (dp * p).sum(axis=1, keepdims=True))
print(dz_from_softmax)
print("equals (p - y) / n:", np.allclose(dz_from_softmax, dz2, atol=1e-7))
""")

md("""
Like `forward`, each layer's `backward` can be called by hand. Give it the cache from its
forward call and the gradient arriving at its output; it returns the gradient for its input
and the list of gradients for its weights:
""")

code("""
dx, (dW, db) = dense.backward(cache, dh)
print("dW1 again:", np.allclose(dW, dW1, atol=1e-7))
print("dx, the gradient for the input:", dx.shape)
""")

# ----- 5. the record ----------------------------------------------------------------------------
md("""
## 5. The whole record at a glance

In Jupyter a record shows as a table. Click a row's summary to open it and see its arrays:
small ones in full, large ones as shape, mean, standard deviation, minimum and maximum.
""")

code("""
record
""")

md("""
A record can be filtered: `record.forward`, `record.loss`, `record.backward` and
`record.updates` keep one kind of step, and `record['dense_1']` keeps everything that
happened to one layer: its forward step, its loss, its backward step and the updates of its
weights.
""")

code("""
print(record['dense_1'])
""")

md("""
### Step by step, on the diagram

The `StepThrough` panel walks through the same record one step at a time. Press **Next** and
**Previous** (or drag the slider, or jump to a phase): the layer of the current step turns
orange on the model's diagram, and beside it you see the step's formula and its arrays. A
backward step shows the gradient arriving at the layer, the gradient it passes on and the
gradients of its weights; an update step shows the optimizer's rule with its numbers and
each value before and after. Like `explain`, the panel leaves the model unchanged.
""")

code("""
# NBVAL_IGNORE_OUTPUT
from kteach.widgets import StepThrough

steps = StepThrough(model, x, y)
steps
""")

md("""
Everything the buttons do can also be done from code: `steps.next()` is the **Next** button,
`steps.caption()` is the line above the diagram, `steps.highlighted` names the orange box,
and `steps.details_text()` is what the panel shows beside it. Three times Next brings us
from the first forward step to the first backward step:
""")

code("""
for _ in range(3):
    steps.next()
print(steps.caption())
print("orange box:", steps.highlighted)
print(steps.details_text())
print("the same numbers as record[3]:", np.array_equal(steps.step['dkernel'], back_2['dkernel']))
""")

# ----- 6. gradient check ------------------------------------------------------------------------
md("""
## 6. Is backpropagation right? A gradient check

There is a way to get gradients without any calculus: nudge one weight up by a tiny `eps`,
compute the loss, nudge it down, compute again, and take the slope

    dL/dw ≈ (L(w + eps) − L(w − eps)) / (2·eps)

This costs two forward passes per weight, far too slow for training, but perfect for checking.
`keras.utils.check_gradients` does it for every weight (in 64-bit floats, on a copy of the
weights) and compares with backprop. Its *relative error* is
`‖backprop − numeric‖ / (‖backprop‖ + ‖numeric‖)`: about 1e-10 when they agree.
""")

code("""
report = keras.utils.check_gradients(model, x, y)
for check in report:
    size = "below 1e-6" if check.relative_error < 1e-6 else f"{check.relative_error:.4f}"
    print(f"{check.name:28s} relative error {size:12s} {'ok' if check.passed else 'FAIL'}")
""")

md("""
Now a layer with a classic mistake: its backward pass forgets that the ReLU blocks the
gradient where `z < 0`. The model's outputs are exactly the same as before, so training would
run without any error message. It would just learn badly. The gradient check finds it:
""")

code("""
class ForgotTheReluMask(Dense):
    def backward(self, cache, dy):
        x, z, y = cache
        dz = dy                      # wrong! should be dy * (z > 0)
        return dz @ self.kernel.value.T, [x.T @ dz, dz.sum(axis=0)]

buggy = Sequential([Input(shape=(3,)), ForgotTheReluMask(4, activation='relu', name='careless'),
                    Dense(3, activation='softmax', name='fine')], name='buggy')
buggy.set_weights(model.get_weights())
buggy.compile(optimizer='sgd', loss='categorical_crossentropy')

report = keras.utils.check_gradients(buggy, x, y)
for check in report:
    size = "below 1e-6" if check.relative_error < 1e-6 else f"{check.relative_error:.4f}"
    print(f"{check.name:22s} relative error {size:12s} {'ok' if check.passed else 'FAIL'}")
""")

md("""
Only the careless layer's weights fail; the layer after it is fine, because its gradient
does not pass through the mistake. `print(report)` shows the full table, including the entry where
the two disagree most.
""")

# ----- 7. the optimizer -------------------------------------------------------------------------
md("""
## 7. What the optimizer did to one weight

The last steps of the record are the updates, one per weight. Our optimizer is SGD with
momentum 0.9: it keeps a *velocity* `v` for every weight, and each step

    v ← 0.9·v − 0.1·g        w ← w + v

Each update step shows the rule with the actual numbers, the weight `w`, its gradient `g`, the
optimizer's state before (`momentum`) and after (`momentum_new`), and the new weight.
""")

code("""
step = record.updates[0]
print(step.rule)
print("w:\\n", step['w'])
print("g:\\n", step['g'])
print("w_new:\\n", step['w_new'])
""")

code("""
v_new = 0.9 * step['momentum'] - 0.1 * step['g']
print("velocity by hand:", np.allclose(v_new, step['momentum_new']))
print("new weight by hand:", np.allclose(step['w'] + v_new, step['w_new']))
print("the model kept its old weight:", np.array_equal(model.get_weights()[0], step['w']))
""")

md("""
The velocity started at zero, so this first step is plain gradient descent. With
`apply=True` the steps are kept, and from the second step on the velocity remembers the
first:
""")

code("""
for i in range(3):
    r = model.explain(x, y, apply=True)
    v = r.updates[0]['momentum']
    print(f"step {i + 1}: loss {r.total_loss:.4f}, |velocity| before the step {np.abs(v).sum():.4f}")
print("steps taken by the optimizer:", model.optimizer.iterations)
""")

md("""
The loss goes down step by step: this is training, one step at a time. `fit` does nothing
more than this, over and over, on batch after batch.

### Watching many steps: `TrainingStats`

To see how the insides develop over a whole training run, pass the `TrainingStats` callback
to `fit`. It records, for every layer and epoch, the size (norm) of each weight and of its
gradient, the mean and spread of the layer's outputs, and for ReLU layers the fraction of
*dead* units, which output 0 for every sample and so never learn again. The numbers land in
`history.stats`, next to the usual `history.history` (whose keys stay exactly Keras').
""")

code("""
keras.utils.set_random_seed(1)
x_many = np.random.random((200, 3)).astype('float32')
y_many = keras.utils.to_categorical(np.random.randint(3, size=200), 3)
stats = keras.callbacks.TrainingStats()
history = model.fit(x_many, y_many, epochs=5, batch_size=20, verbose=0, callbacks=[stats])

print("history keys:", list(history.history))
for epoch in range(5):
    print(f"epoch {epoch + 1}: loss {history.history['loss'][epoch]:.4f}  "
          f"|dW1| {history.stats['dense/kernel_grad_norm'][epoch]:.4f}  "
          f"dead ReLUs {history.stats['dense/dead_fraction'][epoch]:.2f}")
""")

md("""
No unit died here: every hidden unit fired for some of the 200 samples in every epoch. With a
learning rate that is far too large, one big step can push a unit's bias so far down that it
never fires again. Watch the same network with `learning_rate=5.0`:
""")

code("""
keras.utils.set_random_seed(0)
reckless = Sequential([Input(shape=(3,)), Dense(4, activation='relu', name='hidden'),
                       Dense(3, activation='softmax')])
reckless.compile(optimizer=SGD(learning_rate=5.0), loss='categorical_crossentropy')
stats = keras.callbacks.TrainingStats()
history = reckless.fit(x_many, y_many, epochs=5, batch_size=20, verbose=0, callbacks=[stats])
print("dead ReLUs per epoch:", [f"{v:.2f}" for v in history.stats['hidden/dead_fraction']])
""")

md("""
A dead unit passes no gradient back (ReLU's derivative is 0 wherever it outputs 0), so
nothing can bring it back to life: that part of the network is lost for good.
""")

# ----- 8. exercise ------------------------------------------------------------------------------
md("""
## 8. Exercise: write a backward pass

Here is a layer that squares its input, `y = x²`. Its `forward` is done and keeps `x` as its
cache. Write its `backward`: given `x` and `dy` (the gradient of the loss with respect to
`y`), return `dx`, the gradient with respect to `x`. (Hint: the derivative of x² is 2x, and
the chain rule multiplies it with what arrives.) The layer has no weights, so the list of
weight gradients is empty.
""")

code("""
class Square(Layer):
    def forward(self, x, training=False):
        return x ** 2, x          # the output, and the cache for backward

    def backward(self, x, dy):
        dx = None                 # your answer: dLoss/dx, from x and dy
        return dx, []
""")

code("""
layer = Square()
dx, _ = layer.backward(np.ones((2, 2)), np.ones((2, 2)))
if dx is None:
    print("No answer yet: replace `dx = None` with your formula and run both cells again.")
else:
    report = keras.utils.check_layer_gradients(layer, x)
    if report.passed:
        print("Correct! The gradient check agrees with your backward pass.")
    else:
        print(f"Not quite: the relative error is {report['input'].relative_error:.4f}. "
              "Did you multiply the local derivative 2·x with dy?")
""")

md("""
## What you learned

* One training step is forward, loss, backward, update. `model.explain(x, y)` records all of
  it; `print` gives the table of contents, and every step holds its NumPy arrays.
* Each layer's `forward` returns its output and a cache; its `backward` turns the gradient
  at its output into gradients for its input and its weights. You can call both by hand.
* Softmax with cross-entropy gives the famous `dloss/dz = (p − y)/n`; from there the chain rule
  gives `dW = xᵀ·dz`, `db = Σ dz` and `dx = dz·Wᵀ` for every Dense layer.
* `keras.utils.check_gradients` compares backprop with finite differences and catches a
  wrong backward pass that no error message would reveal.
* `StepThrough(model, x, y)` walks through the record with Next / Previous and shows each
  step's layer on the diagram, with its formula and arrays.
* An optimizer's update uses the gradient *and* its own memory (here: momentum);
  `TrainingStats` shows how weights, gradients and activations change during `fit`.
""")


if __name__ == "__main__":
    lesson.main()
