"""Build lessons/01-sequential-and-functional.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_01.py                 # writes and executes it (see lessonkit.py)
    python lessons/make_01.py --no-execute    # only writes it

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision, and never print to stdout in a cell that also warns (the order of the two
streams in the stored output is not guaranteed).
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("01-sequential-and-functional.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 1 · Two ways to build a model: Sequential and functional

*(序列模型 Sequential 与 通用模型 Model)*

In this lesson you will

1. build one small network with `Sequential`, in two ways, and see where its input shape comes from;
2. read `model.summary()` and count every parameter by hand;
3. build a network with the **functional API** (`Input` → layers → `Model`);
4. train a model with `compile`, `fit` and `evaluate`;
5. run into the bugs of a real tutorial, and read what the error messages tell you.

The code comes from two tutorials about Keras' two kinds of model, one in Chinese and one in
English.
""")

# ----- 1. what kteach is ------------------------------------------------------------------------
md("""
## 1. What is kteach?

kteach is a small Keras written in plain NumPy, made for learning. Write `import kteach as keras`
and the Keras code from a tutorial runs: the same class names, the same arguments, the same
`summary()` table, the same numbers out of `fit`. The difference is that nothing is hidden:
every weight and every output is an ordinary NumPy array that you can print, plot and change.
Everything you learn here works the same in Keras itself.

One thing the alias cannot do: a line like `from keras.layers import Dense` looks for a package
that is really called `keras`. In those lines, write `kteach` instead:
`from kteach.layers import Dense`.
""")

code("""
import numpy as np

import kteach as keras
from kteach.models import Sequential, Model
from kteach.layers import Input, Dense, Activation, Dropout
from kteach.optimizers import SGD

np.set_printoptions(precision=4, suppress=True)   # arrays print with 4 decimals
keras.utils.set_random_seed(0)                    # the same "random" numbers on every run
""")

md("""
A new layer starts with random weights. `keras.utils.set_random_seed` makes them the *same*
random numbers every time you run the notebook, so your output will match the one you see here.
We call it again before every new model.
""")

# ----- 2. Sequential ----------------------------------------------------------------------------
md("""
## 2. Sequential: layers in a line

A **Sequential** model (序列模型) is the simplest kind: the layers stand in a line and the data
flows through them one after the other; the output of each layer is the input of the next.

The Chinese tutorial builds this network: 784 numbers come in (a 28×28 image, flattened),
go through 32 units with ReLU, and come out as 10 numbers through a softmax.

### Way 1: give the layers as a list
""")

code("""
keras.utils.set_random_seed(1)
model = Sequential([
    Input(shape=(784,)),    # each sample is a vector of 784 numbers
    Dense(32),
    Activation('relu'),
    Dense(10),
    Activation('softmax'),
])
print("input shape: ", model.input_shape)
print("output shape:", model.output_shape)
""")

md("""
The `None` in the shapes is the batch size: the model does not care how many samples you feed it
at once.

### Way 2: start empty and `.add()` one layer at a time (逐层添加)
""")

code("""
keras.utils.set_random_seed(1)
model_2 = Sequential()
model_2.add(Input(shape=(784,)))
model_2.add(Dense(32))
model_2.add(Activation('relu'))
model_2.add(Dense(10))
model_2.add(Activation('softmax'))
print([layer.name for layer in model_2.layers])
""")

md("""
Every layer gets a name that is unique in the session. The first model already took `dense` and
`dense_1`, so these are numbered on. (`Input` is not in the list: it is not a layer that computes
anything, it only announces the shape.)

Both models are the same network. Because we used the same seed, they even start with the same
weights:
""")

code("""
print("same shapes: ", model.output_shape == model_2.output_shape)
print("same weights:", all(np.array_equal(a, b)
                           for a, b in zip(model.get_weights(), model_2.get_weights())))
""")

md("""
### Where does the input shape come from?

A `Dense` layer can only make its weights once it knows how many numbers come in (its weight
matrix has one row per input). There are three ways to tell it:

1. **`Input(shape=(784,))` as the first entry**, as above. This is the Keras 3 way.
2. **`input_shape=(784,)` or `input_dim=784` on the first layer.** This is the Keras 2 way, and
   both tutorials use it. It still works, but Keras 3 (and kteach) warn about it:
""")

code("""
keras.utils.set_random_seed(1)
model_old = Sequential()
model_old.add(Dense(32, input_shape=(784,)))    # the tutorial's line
model_old.add(Activation('relu'))
""")

code("""
print("input shape:", model_old.input_shape)
""")

md("""
3. **No shape at all.** Then the model is not *built*: its layers have no weights yet, and
   `summary()` can only show question marks:
""")

code("""
keras.utils.set_random_seed(1)
model_lazy = Sequential([Dense(32, activation='relu'), Dense(10, activation='softmax')])
model_lazy.summary()
""")

md("""
This model builds itself the first time it sees data (for example in `fit`), and the last line
of the summary tells you how to give the shape now. Prefer to give it: then `summary()` works at
once and a wrong data shape is caught with a clear message.
""")

# ----- 3. summary and parameters ----------------------------------------------------------------
md("""
## 3. Reading `summary()`: where every parameter comes from

Here is the summary of our first model:
""")

code("""
model.summary()
""")

md("""
The same model as a picture: `plot_model` draws one box per layer with its input and output
shapes, and an arrow for each connection (`keras.utils.plot_model` in Keras too). A Sequential
diagram starts at the first layer, without a box for the `Input`:
""")

code("""
keras.utils.plot_model(model, show_shapes=True)
""")

md("""
A `Dense` layer computes `y = x · W + b`. The matrix `W` (Keras calls it the *kernel*) has one
row per input and one column per unit; the bias `b` has one number per unit. So

**parameters of a Dense layer = inputs × units + units**

| layer | computation | Param # |
|---|---|---|
| `dense` | 784 · 32 + 32 | 25,120 |
| `activation` | only applies relu, no weights | 0 |
| `dense_1` | 32 · 10 + 10 | 330 |
| **total** | | **25,450** |

The size in brackets counts bytes: each parameter is a 32-bit float, 4 bytes, and 1 KB is 1024
bytes.
Let's check the arithmetic against the model:
""")

code("""
by_hand = (784 * 32 + 32) + (32 * 10 + 10)
print("by hand:       ", by_hand)
print("count_params():", model.count_params())
print(f"size: {by_hand} * 4 bytes = {by_hand * 4} bytes = {by_hand * 4 / 1024:.2f} KB")
""")

md("""
`get_weights()` hands you the actual numbers, in Keras' order: first the kernel, then the bias.
""")

code("""
kernel, bias = model.layers[0].get_weights()
print("kernel:", kernel.shape, kernel.dtype)
print("bias:  ", bias.shape, bias.dtype)
print(kernel[:3, :5])     # the top-left corner of the kernel
print(bias[:5])
""")

md("""
The bias starts at zero. The kernel starts with small random numbers drawn uniformly between
±√(6 / (inputs + units)), Keras' default initializer, called *Glorot uniform*:
""")

code("""
limit = np.sqrt(6 / (784 + 32))
print(f"limit:             {limit:.4f}")
print(f"largest |weight|:  {np.abs(kernel).max():.4f}")
""")

# ----- 4. functional ----------------------------------------------------------------------------
md("""
## 4. The functional API (通用模型 Model)

A Sequential model can only stack layers in a line. With the **functional API** you wire the
layers yourself: you *call* a layer on a tensor and get a new tensor back, and at the end you tell
`Model` where the graph starts and where it ends. This is how you build networks with branches,
several inputs or outputs, or shared layers (later lessons).

The English tutorial shows one network both ways. First as a Sequential model:
""")

code("""
keras.backend.clear_session()     # start the layer names at "dense" again
keras.utils.set_random_seed(2)
seq_model = Sequential([
    Input(shape=(64,)),
    Dense(32, activation='relu'),
    Dense(32, activation='relu'),
    Dense(10, activation='softmax'),
])
""")

md("""
And now the same network in the functional style:
""")

code("""
input_tensor = Input(shape=(64,))
x = Dense(32, activation='relu')(input_tensor)
x = Dense(32, activation='relu')(x)
output_tensor = Dense(10, activation='softmax')(x)
func_model = Model(input_tensor, output_tensor)

print("x is a symbolic tensor of shape", x.shape)
""")

md("""
`x` holds no numbers yet. It is a placeholder that records its shape and which layer made it;
`Model` follows these records from `output_tensor` back to `input_tensor` to find the layers.
(In the summary below the names go on from `seq_model`, which took `input_layer`, `dense`,
`dense_1` and `dense_2` -- and even the model's own name goes on: Keras' Sequential quietly
builds a functional model inside itself, which took the name `functional`, so ours is
`functional_1`. kteach counts names exactly as Keras does, so they match when you compare.)
""")

code("""
func_model.summary()
""")

code("""
keras.utils.plot_model(func_model, show_shapes=True)
""")

md("""
Two differences from a Sequential summary: the model is a `functional` one, and the `Input`
appears as a row of its own (an `InputLayer`, 0 parameters). The counts are the same for both:
64 · 32 + 32 = 2,080, then 32 · 32 + 32 = 1,056, then 32 · 10 + 10 = 330.
""")

code("""
print("Sequential:", seq_model.count_params())
print("functional:", func_model.count_params())
""")

md("""
### The Chinese tutorial's version, and its two old spellings

The Chinese tutorial writes its functional model like this:

```python
input = input(shape = (784, ))
...
model = Model(input=input, output=y)
```

**First**, lower-case `input` is not Keras' `Input`: it is Python's own built-in function that
waits for the user to type a line. Python refuses the `shape` argument:
""")

code("""
try:
    input(shape=(784,))
except TypeError as e:
    print(type(e).__name__, "from Python's own input(): it has no `shape` argument")
""")

md("""
(The exact wording depends on where the code runs: plain Python says `input() takes no
keyword arguments`; Jupyter's own `input` complains about an unexpected keyword argument.)

Write `Input` with a capital I. And don't name your variable `input` either: that hides
Python's `input()` for the rest of the notebook. `inputs` is the usual name.

**Second**, `Model(input=..., output=...)` is how Keras 1 spelled it. Keras 3 refuses it;
kteach accepts it and tells you the new spelling:
""")

code("""
keras.utils.set_random_seed(3)
inputs = Input(shape=(784,))
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
y = Dense(10, activation='softmax')(x)
model_zh = Model(input=inputs, output=y)    # Keras 1 spelling
""")

md("""
The Keras 3 spelling has an *s*: `Model(inputs=inputs, outputs=y)`, or simply `Model(inputs, y)`.
""")

code("""
model_zh = Model(inputs=inputs, outputs=y)
print(f"{model_zh.count_params():,} parameters")   # 784·64+64 + 64·64+64 + 64·10+10
""")

# ----- 5. compile / fit / evaluate --------------------------------------------------------------
md("""
## 5. Training: `compile`, `fit`, `evaluate`

Now we train the Chinese tutorial's multi-class network (多分类, "MLP for softmax multi-class
classification"). Its data is made up: 1000 samples of 20 random numbers, each with a random
class label from 0 to 9. `to_categorical` turns each label into a *one-hot* row of 10 numbers.
""")

code("""
keras.utils.set_random_seed(7)
x_train = np.random.random((1000, 20))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)
x_test = np.random.random((100, 20))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)

print("x_train:", x_train.shape, "  y_train:", y_train.shape)
print("the first label, one-hot:", y_train[0])
""")

md("""
The network: two hidden layers of 64 ReLU units, each followed by `Dropout(0.5)`, and a softmax
over the 10 classes. During training, dropout sets a random half of the values to zero at each
step, so the network cannot lean on any single unit. (The tutorial writes `input_dim=20` on the
first `Dense`; we use `Input`.)
""")

code("""
keras.backend.clear_session()
keras.utils.set_random_seed(5)
mlp = Sequential([
    Input(shape=(20,)),
    Dense(64, activation='relu'),
    Dropout(0.5),
    Dense(64, activation='relu'),
    Dropout(0.5),
    Dense(10, activation='softmax'),
])
""")

md("""
The optimizer is stochastic gradient descent with momentum 0.9 and Nesterov momentum.
The tutorial writes `SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)`. `lr` and `decay`
are Keras 2 spellings; kteach accepts them and explains what they mean today:
""")

code("""
tutorial_sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
""")

md("""
We write it the Keras 3 way. `compile` then fixes the three things training needs:

* `loss`: the number that training makes small (here: categorical cross-entropy);
* `optimizer`: how the weights are changed to make it smaller;
* `metrics`: extra numbers to report (here: the fraction of samples classified right).
""")

code("""
sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
mlp.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
""")

md("""
`fit` goes over the training data 20 times (20 *epochs*), in batches of 128 samples:
1000 / 128 rounds up to 8 steps per epoch, one weight update per step. `verbose=0` switches off
the progress line of each epoch; we print a few epochs from the returned `History` instead.
""")

code("""
history = mlp.fit(x_train, y_train, epochs=20, batch_size=128, verbose=0)

print("history keys:", list(history.history.keys()))
print("weight updates:", sgd.iterations)
for epoch in [1, 5, 10, 15, 20]:
    loss = history.history['loss'][epoch - 1]
    accuracy = history.history['accuracy'][epoch - 1]
    print(f"epoch {epoch:2d}:  loss {loss:.4f}   accuracy {accuracy:.4f}")
""")

md("""
`evaluate` runs the model on the test data (without dropout) and returns `[loss, accuracy]`:
the loss first, then the metrics in the order you gave them.
""")

code("""
score = mlp.evaluate(x_test, y_test, batch_size=128)
print(f"test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")
""")

md("""
### Why is the accuracy stuck near 10%?

Because the labels are random! There is nothing in `x` that tells the class, so the best any model
can do on new data is to guess: right 1 time in 10. (With only 100 test samples, luck moves that
by a few percent: try another seed and you may see anything from 2% to about 16%.)

The loss tells the same story. A model that gives every class probability 1/10 has a
cross-entropy of −ln(1/10) = ln 10:
""")

code("""
print(f"ln(10) = {np.log(10):.4f}")
""")

md("""
That is where our loss sits. With random data, a working training loop looks exactly like this;
with real data, the loss would fall well below ln 10.
""")

# ----- 6. bugs ----------------------------------------------------------------------------------
md("""
## 6. Bugs in the tutorial, and what kteach tells you

The tutorial's next example is a binary classifier (二分类): the same network, but ending in
**one** sigmoid unit, trained with binary cross-entropy. It copies the data lines from the
multi-class example, so `y_train` is still the 10-column one-hot array. Let's build it:
""")

code("""
keras.backend.clear_session()
keras.utils.set_random_seed(6)
binary = Sequential([
    Input(shape=(20,)),
    Dense(64, activation='relu'),
    Dropout(0.5),
    Dense(64, activation='relu'),
    Dropout(0.5),
    Dense(1, activation='sigmoid'),
])
binary.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
""")

md("""
The tutorial then calls `fit(x_train, y_train, epoches=20, batch_size=128)`. We catch the error
and print its message, the last line you would see under the traceback.

**Bug 1: a misspelt keyword.**
""")

code("""
try:
    binary.fit(x_train, y_train, epoches=20, batch_size=128)
except TypeError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
Keras itself gives only Python's message, `fit() got an unexpected keyword argument 'epoches'`;
kteach also finds the closest correct name and lists all the names `fit` accepts. Fix the
spelling, and the second bug shows up.

**Bug 2: the labels do not fit the output.**
""")

code("""
try:
    binary.fit(x_train, y_train, epochs=20, batch_size=128)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
The model gives one number per sample (the probability of "yes"), but each target is a row of 10.
The first sentence is what Keras 3 says too; the rest is kteach's explanation with the two possible
fixes. A failed call changes nothing: the model has not been trained a single step.
""")

code("""
print("training steps so far:", binary.optimizer.iterations)
""")

md("""
For a yes/no problem, the fix is one 0/1 label per sample, shape `(n, 1)`, as the English
tutorial does with `np.random.randint(2, size=(1000, 1))`:
""")

code("""
keras.utils.set_random_seed(9)
y_train_binary = np.random.randint(2, size=(1000, 1))
y_test_binary = np.random.randint(2, size=(100, 1))
print("y_train_binary:", y_train_binary.shape, " first labels:", y_train_binary[:8, 0])
""")

md("""
Now it trains. Three epochs are enough to see it; this time with the progress line of each epoch,
as you would see it in Keras (your times will differ):
""")

code("""
history_binary = binary.fit(x_train, y_train_binary, epochs=3, batch_size=128)
""")

code("""
score = binary.evaluate(x_test, y_test_binary, batch_size=128)
print(f"test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")
""")

md("""
Random labels again, so about 50% right is all there is to get, and the loss stays near
ln 2 ≈ 0.6931, the loss of answering "50 : 50" every time.

**Bug 3: a misspelt name.** The tutorial's section on `compile` writes `optimizer='rmspropy'`:
""")

code("""
try:
    binary.compile(optimizer='rmspropy', loss='binary_crossentropy', metrics=['accuracy'])
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
When a message says "Did you mean", read it first: most of the time it is the whole fix.
""")

# ----- 7. exercise ------------------------------------------------------------------------------
md("""
## 7. Exercise: count before you build

The English tutorial's categorical model is

```python
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(10, activation='softmax'))
```

How many parameters does it have? Work it out on paper with the rule from section 3, put your
number in `my_answer` (instead of `None`), and run the checking cell.
""")

code("""
my_answer = None   # your number, e.g. my_answer = 1234
""")

code("""
keras.utils.set_random_seed(8)
exercise_model = Sequential([
    Input(shape=(100,)),
    Dense(32, activation='relu'),
    Dense(10, activation='softmax'),
])

if my_answer is None:
    print("No answer yet. Hint: a Dense layer has inputs × units + units parameters.\\n"
          "The first layer has 100 inputs and 32 units; the second has 32 inputs and 10 units.")
elif my_answer == exercise_model.count_params():
    print("Correct! Now run exercise_model.summary() and read the Param # column.")
else:
    print(f"Not quite: {my_answer} is not right. Did you count the biases "
          "(one per unit) as well as the kernels?")
""")

md("""
## What you learned

* `Sequential` stacks layers in a line; give it a list, or `.add()` them one by one.
* Give the input shape with `Input(shape=...)`; `input_shape=`/`input_dim=` are Keras 2 style.
  Without a shape, the model is not built until it sees data.
* A Dense layer has inputs × units + units parameters; `summary()`, `count_params()` and
  `get_weights()` let you check.
* The functional API: call layers on tensors, then `Model(inputs, outputs)`.
* `compile(loss, optimizer, metrics)`; then `fit` returns a `History`, and `evaluate` returns
  `[loss, accuracy]`.
* Read error messages to the end: they say what went wrong and how to fix it.
""")


if __name__ == "__main__":
    lesson.main()
