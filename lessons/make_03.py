"""Build lessons/03-models-as-layers.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_03.py                 # writes and executes it (see lessonkit.py)
    python lessons/make_03.py --no-execute    # only writes it

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision, pass verbose=0 to predict/evaluate (their progress lines add nothing here),
and compare float32 results with a tolerance, never by printing tiny differences (they depend
on the BLAS library and its number of threads).
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("03-models-as-layers.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 3 · A model is a layer

The English tutorial makes a short remark with big consequences: *all models are callable,
just like layers*. Once a model is built, you can use it wherever you would use a layer.

In this lesson you will

1. train a small classifier, then call it on a new `Input`, exactly like a layer;
2. **share** it: call the same model on two inputs, with one set of weights;
3. **nest** it inside a bigger model, and freeze it there;
4. wrap it in `TimeDistributed`, the tutorial's one line that turns a classifier of single
   vectors into a classifier of whole sequences, and check what that line computes.
""")

code("""
import numpy as np

import kteach as keras
from kteach import layers
from kteach.layers import Input, Dense, TimeDistributed
from kteach.models import Model, Sequential

np.set_printoptions(precision=4, suppress=True)
""")

# ----- 1. a trained classifier ------------------------------------------------------------------
md("""
## 1. A small classifier to play with

We need a model that has learned something. Here is a made-up task: each sample is a vector of
64 numbers, and its class (0 to 9) is the position of the largest of its **first ten** numbers.
The other 54 numbers are noise. The network is not told this rule; it has to find it from
examples.
""")

code("""
keras.utils.set_random_seed(0)

def make_data(n):
    x = np.random.normal(size=(n, 64))
    classes = x[:, :10].argmax(axis=1)        # the rule the network must discover
    return x, classes

x_train, classes_train = make_data(2000)
x_test, classes_test = make_data(500)
y_train = keras.utils.to_categorical(classes_train, 10)
y_test = keras.utils.to_categorical(classes_test, 10)
print("x_train:", x_train.shape, " first classes:", classes_train[:8])
""")

md("""
The model is the tutorial's functional network: 64 numbers in, two hidden layers of 32 ReLU
units, 10 class probabilities out.
""")

code("""
keras.backend.clear_session()     # layer names start at "dense" again
keras.utils.set_random_seed(1)
input_tensor = Input(shape=(64,))
x = Dense(32, activation='relu')(input_tensor)
x = Dense(32, activation='relu')(x)
output_tensor = Dense(10, activation='softmax')(x)
model = Model(input_tensor, output_tensor)

model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
history = model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
for epoch in [1, 5, 10, 15]:
    print(f"epoch {epoch:2d}: accuracy {history.history['accuracy'][epoch - 1]:.4f}")
""")

code("""
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}   (guessing would give about 0.1)")
print("name:", model.name, "  parameters:", model.count_params())
""")

md("""
Far from perfect, but it has clearly learned a good part of the rule. It has
64·32 + 32 = 2,080 plus 32·32 + 32 = 1,056 plus 32·10 + 10 = 330, together 3,466 parameters.
Its name is `functional`: we will see that name again in every summary below.
""")

# ----- 2. call a model on a new input -----------------------------------------------------------
md("""
## 2. Calling a model on a new input

A layer turns a tensor into a new tensor: `y = Dense(10)(x)`. A model does the same. Let's call
our trained model on a fresh `Input` and make a new model around that call:
""")

code("""
new_input = Input(shape=(64,))
y = model(new_input)            # the whole classifier, used like one layer
print("y:", y.shape)

reused = Model(new_input, y)
reused.summary()
""")

md("""
The summary has one row for the whole classifier: `functional (Functional)`, with all its
3,466 parameters. Inside the new model, the old one is simply a layer.

Calling a model does **not copy** it. The layer in the new model *is* the old model, with the
very same weight arrays, so the two give the same answers, and training one would change the
other:
""")

code("""
print("the same object:     ", reused.layers[1] is model)
print("the same predictions:", np.array_equal(reused.predict(x_test, verbose=0),
                                              model.predict(x_test, verbose=0)))
""")

# ----- 3. sharing -------------------------------------------------------------------------------
md("""
## 3. Sharing: one model, two inputs

Because calling a model is like calling a layer, you may call it **twice**, on two different
inputs. Both calls use the same weights. That is how you compare two things in the same way
(two photos of faces, two sentences...).

Our question: *do two vectors belong to the same class?* The classifier gives class
probabilities `p` for the first vector and `q` for the second. If the two are independent, the
chance that they land in the same class is `p₀·q₀ + p₁·q₁ + … + p₉·q₉`, a dot product, which is
the `Dot` layer.
""")

code("""
first = Input(shape=(64,))
second = Input(shape=(64,))
p = model(first)                # call 1
q = model(second)               # call 2: the same weights again
same_class = layers.Dot(axes=1)([p, q])

pair_model = Model([first, second], same_class)
pair_model.summary()
""")

md("""
In the diagram the shared model is **one** box with two arrows leaving it, one per call:
""")

code("""
keras.utils.plot_model(pair_model, show_shapes=True, show_layer_names=True)
""")

md("""
Read the *Connected to* column: `functional` is connected to both inputs, and `dot` takes
`functional[1][0]` and `functional[2][0]`: output 0 of the model's call number 1 and of its
call number 2. (Calls are counted from 0 for each layer; call 0 of our model was the one that
made `reused`.) And the parameters are **not** doubled: still 3,466, because there is only one
set of weights.

Let's check the dot product by hand on three pairs of test vectors:
""")

code("""
a, b = x_test[:3], x_test[3:6]
by_model = pair_model.predict([a, b], verbose=0)[:, 0]
p_a, p_b = model.predict(a, verbose=0), model.predict(b, verbose=0)
by_hand = (p_a * p_b).sum(axis=1)
print("pair_model:", by_model)
print("by hand:   ", by_hand)
print("true classes:", classes_test[:3], "and", classes_test[3:6])
""")

md("""
### Exploring

Try `same = layers.Dot(axes=1)([model(first), model(first)])`: the same vector twice. What does
that number measure? (Hint: when is `p₀² + … + p₉²` largest?)
""")

# ----- 4. nesting -------------------------------------------------------------------------------
md("""
## 4. Nesting: a trained model inside a bigger one

A model can be one part of a bigger model. The usual reason: you have a model that is trained
already, and you want to use what it learned for a new question, training only a small new
part on top.

New question: *is the class one of 0 to 4?* (a yes/no question). We put one new `Dense` unit on
top of the 10 probabilities, and **freeze** the classifier first, so that training leaves its
weights alone: `model.trainable = False`.
""")

code("""
model.trainable = False          # freeze the classifier: its weights will not change

keras.utils.set_random_seed(2)
inputs = Input(shape=(64,))
probabilities = model(inputs)
low_class = Dense(1, activation='sigmoid', name='low_class')(probabilities)
bigger = Model(inputs, low_class)
bigger.summary()
""")

md("""
`expand_nested=True` opens the nested model and draws its layers inside a frame:
""")

code("""
keras.utils.plot_model(bigger, show_shapes=True, expand_nested=True)
""")

md("""
The summary counts the classifier's 3,466 parameters as *non-trainable*; only the 10 + 1
weights of `low_class` are trainable. Let's train and check that the classifier really stayed
the same:
""")

code("""
is_low_train = (classes_train < 5).astype(int)
is_low_test = (classes_test < 5).astype(int)

before = model.get_weights()
bigger.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
               loss='binary_crossentropy', metrics=['accuracy'])
bigger.fit(x_train, is_low_train, epochs=5, batch_size=32, verbose=0)
after = model.get_weights()

print("classifier unchanged:", all(np.array_equal(w0, w1) for w0, w1 in zip(before, after)))
print(f"test accuracy on the new question: "
      f"{bigger.evaluate(x_test, is_low_test, verbose=0)[1]:.4f}")
""")

md("""
(A learning rate of 0.01 instead of RMSprop's default 0.001, so that 5 epochs are enough for
the few new weights.)

Only 11 weights were trained, and the frozen model does the hard part. Look at what the new
unit learned, one weight per class probability:
""")

code("""
kernel, bias = bigger.get_layer('low_class').get_weights()
print("weights for classes 0-4:", kernel[:5, 0])
print("weights for classes 5-9:", kernel[5:, 0])
""")

md("""
Positive for classes 0 to 4, negative for 5 to 9: "add up the chances of a low class, subtract
the chances of a high one". That is the right rule, found from examples alone.

A model can go into a `Sequential` in the same way, as one of its layers:
`Sequential([Input(shape=(64,)), model, Dense(1, activation='sigmoid')])`.

We unfreeze the classifier again for the rest of the lesson:
""")

code("""
model.trainable = True
print("trainable weights:", len(model.trainable_weights))
""")

# ----- 5. TimeDistributed -----------------------------------------------------------------------
md("""
## 5. `TimeDistributed(model)`: from one vector to a whole sequence

The tutorial's last trick: *you can quickly turn a model that classifies images into a model
that classifies videos with a single line of code*. A video is a sequence of frames; if you can
classify one frame, you can classify every frame, one after the other. `TimeDistributed` does
exactly this: it applies the layer (or model) it wraps to **every time step** of a sequence,
with the same weights each time.

Here is the tutorial's code, with `keras` replaced by `kteach`:
""")

code("""
# Input tensor for sequences of 20 timesteps,
# each containing a 784-dimensional vector
input_sequences = Input(shape=(20, 784))
try:
    processed_sequences = TimeDistributed(model)(input_sequences)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
A bug in the tutorial: it copied the 784 from another example (a 28 × 28 image has 784
pixels), but *its* model takes vectors of 64 numbers. `TimeDistributed` hands each time step,
a vector of 784 numbers, to the model, and the model refuses it. (Keras says the same.)
Each step must have the shape the wrapped model expects:
""")

code("""
input_sequences = Input(shape=(20, 64))       # 20 time steps, each a vector of 64
processed_sequences = TimeDistributed(model)(input_sequences)
print("in: ", input_sequences.shape)
print("out:", processed_sequences.shape)
""")

md("""
The output has a class-probability vector of 10 numbers **for each of the 20 steps**.
Wrapped in a model, the summary shows the wrapper with the classifier's 3,466 parameters:
the same weights again, not 20 copies. (The wrapper is called `time_distributed_1` because
the failed attempt above had already taken the name `time_distributed`; Keras counts names
the same way.)
""")

code("""
video_model = Model(input_sequences, processed_sequences)
video_model.summary()
""")

code("""
keras.utils.plot_model(video_model, show_shapes=True, expand_nested=True)
""")

md("""
### What exactly does it compute?

For every step `t`: `y[:, t] = model(x[:, t])`. Let's test this promise. We make 3 "videos" of
20 frames each and compare the wrapper's answer with a plain loop that gives the model one step
at a time:
""")

code("""
keras.utils.set_random_seed(3)
videos = np.random.normal(size=(3, 20, 64))
true_classes = videos[:, :, :10].argmax(axis=-1)       # (3, 20): one class per frame

y_wrapped = video_model.predict(videos, verbose=0)
y_loop = np.stack([model.predict(videos[:, t], verbose=0) for t in range(20)], axis=1)

print("wrapper:", y_wrapped.shape, "  loop:", y_loop.shape)
print("the same numbers:", np.allclose(y_wrapped, y_loop, atol=1e-6))
""")

md("""
(`allclose` and not `==`: the numbers are 32-bit floats, and adding the same numbers in a
slightly different order can change the last of their ~7 digits.)

Inside, `TimeDistributed` does not loop at all. It folds the time axis into the batch axis,
runs the model **once** on 3 · 20 = 60 vectors, and unfolds the result:
`(3, 20, 64) → (60, 64) → model → (60, 10) → (3, 20, 10)`. We can do the same by hand:
""")

code("""
flat = videos.reshape(3 * 20, 64)                       # 60 frames in one batch
y_fold = model.predict(flat, verbose=0).reshape(3, 20, 10)
print("folded by hand:", np.allclose(y_wrapped, y_fold, atol=1e-6))
""")

md("""
And the predictions themselves: the class of every frame of the first video, next to the
truth.
""")

code("""
predicted = y_wrapped.argmax(axis=-1)
print("predicted:", predicted[0])
print("true:     ", true_classes[0])
print(f"frames right, all 3 videos: {(predicted == true_classes).mean():.4f}")
""")

md("""
About as often right as on single vectors, of course: it is the same classifier, frame by
frame. One line of code has turned a vector classifier into a sequence classifier.
`TimeDistributed` works with any layer too: `TimeDistributed(Dense(8))` applies one `Dense`
to every step.
""")

# ----- 6. exercise ------------------------------------------------------------------------------
md("""
## 6. Exercise: predict the shapes

Someone films 4 clips of 7 frames each (every frame a vector of 64 numbers) and runs

```python
clips_in = Input(shape=(7, 64))
clip_model = Model(clips_in, TimeDistributed(model)(clips_in))
result = clip_model.predict(clips)      # clips has shape (4, 7, 64)
```

Without running it: what is `result.shape`, and how many parameters does `clip_model` have?
Fill in your answers and run the checking cell.
""")

code("""
my_shape = None    # a tuple, e.g. my_shape = (1, 2, 3)
my_params = None   # a number
""")

code("""
keras.utils.set_random_seed(4)
clips = np.random.normal(size=(4, 7, 64))
clips_in = Input(shape=(7, 64))
clip_model = Model(clips_in, TimeDistributed(model)(clips_in))
result = clip_model.predict(clips, verbose=0)

if my_shape is None or my_params is None:
    print("No answer yet. Hint: one probability vector per frame and per clip; and "
          "TimeDistributed reuses the model's weights for every frame.")
else:
    shape_ok = tuple(my_shape) == result.shape
    params_ok = my_params == clip_model.count_params()
    print("shape:", "right!" if shape_ok else "not quite: which axes stay, which one changes?")
    print("parameters:", "right!" if params_ok else
          "not quite: does wrapping make copies of the weights?")
""")

md("""
## What you learned

* A built model can be called on a tensor, like a layer: `y = model(x)`. It is not copied;
  the new model contains the old one, weights and all.
* Call one model on two inputs to **share** it: one set of weights, used twice.
* A model can be **nested** in a bigger model (or a `Sequential`); `model.trainable = False`
  freezes it, and `summary()` counts its weights as non-trainable.
* `TimeDistributed(model)` applies the model to every time step:
  `(batch, steps, …) → (batch, steps, …')`, with one set of weights, computed by folding the
  steps into the batch. Each step must have the shape the model expects.
""")


if __name__ == "__main__":
    lesson.main()
