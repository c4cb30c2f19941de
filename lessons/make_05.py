"""Build lessons/05-multi-output-posts.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_05.py                 # writes and executes it (see lessonkit.py)
    python lessons/make_05.py --no-execute    # only writes it

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision, pass verbose=0 to fit/predict/evaluate and print what matters instead, and
catch errors to print their message. The posts model is cut down (vocabulary, vector length,
filters, Dense units) but keeps the tutorial's kernel sizes and pooling, so the shortest
sequence it accepts is the tutorial's too (269 steps).
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("05-multi-output-posts.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 5 · Three outputs: guessing age, income and gender from posts

The English tutorial's last model reads the posts someone wrote on social media and predicts
three things at once: their **age** (a number), their **income group** (one of 10) and their
**gender** (one of 2). One input, three outputs, three different losses.

In this lesson you will

1. build the tutorial's model, and meet its bug: two arguments of `Embedding` the wrong way round;
2. see why the model refuses posts of 100 words, and compute the shortest post it accepts;
3. compile it with a **list** of losses and with a **dict** of losses;
4. see why the three losses need **weights**, and what `loss_weights=[0.25, 1., 10.]` does;
5. read the list that `evaluate` returns.
""")

code("""
import numpy as np

import kteach as keras
from kteach import layers
from kteach.layers import Input
from kteach.models import Model

np.set_printoptions(precision=4, suppress=True)
""")

# ----- 1. the model -----------------------------------------------------------------------------
md("""
## 1. The model

Each post is a sequence of word ids. An `Embedding` turns every id into a vector; then five
`Conv1D` layers and two `MaxPooling1D` layers look for patterns of neighbouring words, and a
`GlobalMaxPooling1D` keeps, for each pattern, its strongest match anywhere in the post. A
`Dense` layer of 128 units follows (32 in our smaller version, see below), and three small
output layers sit side by side on top of it:

| output | layer | what it predicts | loss |
|---|---|---|---|
| `age` | `Dense(1)` | a number of years | mean squared error (`'mse'`) |
| `income` | `Dense(10, activation='softmax')` | probabilities of 10 income groups | `'categorical_crossentropy'` |
| `gender` | `Dense(1, activation='sigmoid')` | the probability of one of two genders | `'binary_crossentropy'` |

**Smaller sizes.** The tutorial's model is big: a vocabulary of 50,000 words with vectors of
256 numbers (12.8 million parameters in the table alone), and convolutions with 128 and 256
filters. We shrink the *widths*: a vocabulary of 1,000, vectors of 16, convolutions with 16 and
32 filters, and a `Dense` of 32. The *lengths* stay the tutorial's: every kernel spans 5 steps
and every pooling window is 5 steps, so the model reads a sequence exactly as the tutorial's does.
""")

code("""
vocabulary_size = 1000     # tutorial: 50000
embedding_dim = 16         # tutorial: 256
num_income_groups = 10     # as in the tutorial
""")

md("""
We write the tutorial's layers in a function that gets the `Embedding` layer as an argument,
because we will try two versions of that one line.
""")

code("""
def build_posts_model(embedding):
    posts_input = Input(shape=(None,), dtype='int32', name='posts')
    embedded_posts = embedding(posts_input)
    x = layers.Conv1D(16, 5, activation='relu')(embedded_posts)     # tutorial: 128 filters
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(32, 5, activation='relu')(x)                  # tutorial: 256
    x = layers.Conv1D(32, 5, activation='relu')(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(32, 5, activation='relu')(x)
    x = layers.Conv1D(32, 5, activation='relu')(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(32, activation='relu')(x)                      # tutorial: 128

    # the output layers have names: we will use them
    age_prediction = layers.Dense(1, name='age')(x)
    income_prediction = layers.Dense(num_income_groups, activation='softmax', name='income')(x)
    gender_prediction = layers.Dense(1, activation='sigmoid', name='gender')(x)
    return Model(posts_input, [age_prediction, income_prediction, gender_prediction])
""")

md("""
The data is made up, like the tutorial's: 256 posts of 300 random word ids. The people are
students aged 18 to 24, their income group is a random number from 0 to 9 (one-hot encoded),
and their gender a random 0 or 1. (Random targets mean there is nothing real to learn, which is
fine: we want to watch the losses, not to build a mind reader.)
""")

code("""
num_samples, post_length = 256, 300

keras.utils.set_random_seed(0)
posts = np.random.randint(1, vocabulary_size, size=(num_samples, post_length))
age_targets = np.random.randint(18, 25, size=(num_samples, 1)).astype('float32')
income_targets = keras.utils.to_categorical(
    np.random.randint(num_income_groups, size=num_samples), num_income_groups)
gender_targets = np.random.randint(2, size=(num_samples, 1))

print("posts:", posts.shape, "  largest id:", posts.max())
print("age:", age_targets.shape, " income:", income_targets.shape,
      " gender:", gender_targets.shape)
""")

# ----- 2. the bug -------------------------------------------------------------------------------
md("""
## 2. The tutorial's bug: `Embedding(256, vocabulary_size)`

The tutorial writes `layers.Embedding(256, vocabulary_size)`. In our sizes that is
`Embedding(embedding_dim, vocabulary_size)`. Let's build it that way:
""")

code("""
keras.backend.clear_session()
keras.utils.set_random_seed(1)
buggy = build_posts_model(layers.Embedding(embedding_dim, vocabulary_size))   # as in the tutorial

table = buggy.get_layer('embedding').get_weights()[0]
print("table:", table.shape, "  parameters:", table.size)
print("output of the embedding:", buggy.get_layer('conv1d').input.shape)
""")

md("""
It builds without a word, and the table even has the right number of parameters,
16 · 1000 = 1000 · 16. But look at its shape: 16 rows (words) of 1,000 numbers each, where we
wanted 1,000 words of 16 numbers. Training shows the problem:
""")

code("""
buggy.compile(optimizer='rmsprop',
              loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'])
try:
    buggy.fit(posts, [age_targets, income_targets, gender_targets],
              epochs=1, batch_size=64, verbose=0)
except IndexError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
The first argument of `Embedding` is the vocabulary size, `input_dim`: the number of rows, so
the ids must be smaller than it. The second is the vector length, `output_dim`. The tutorial
has them the wrong way round, and the first id above 15 has no row to look up. Keras (with
the PyTorch backend) stops with a bare `index out of range in self`; kteach also names the
layer, the id, and the likely swap.

The fix is the order of the two numbers:
""")

code("""
keras.backend.clear_session()
keras.utils.set_random_seed(1)
model = build_posts_model(layers.Embedding(vocabulary_size, embedding_dim))   # fixed
model.summary()
""")

md("""
The diagram makes the three heads easy to see: one trunk, three output boxes at the bottom.
""")

code("""
keras.utils.plot_model(model, show_shapes=True, show_layer_names=True)
""")

md("""
The counts, by hand: the Embedding has 1000 · 16 = 16,000; a `Conv1D` with kernel size k,
C input channels and F filters has k · C · F + F (one k × C window of weights per filter, and
a bias): 5 · 16 · 16 + 16 = 1,296, then 5 · 16 · 32 + 32 = 2,592, then 5 · 32 · 32 + 32 = 5,152
three times. Pooling layers have no weights. The Dense layers: 32 · 32 + 32 = 1,056, and the
three heads 33, 330 and 33.
""")

code("""
by_hand = 1000 * 16 + (5 * 16 * 16 + 16) + (5 * 16 * 32 + 32) + 3 * (5 * 32 * 32 + 32) \\
          + (32 * 32 + 32) + (32 + 1) + (32 * 10 + 10) + (32 + 1)
print("by hand:", by_hand, "  model:", model.count_params())
""")

# ----- 3. too short -----------------------------------------------------------------------------
md("""
## 3. Posts of 100 words are too short

The tutorial never says how long the posts are. Suppose they are 100 words long:
""")

code("""
short_posts = posts[:4, :100]
try:
    model.predict(short_posts, verbose=0)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

md("""
Why? With the default `padding='valid'`, a convolution puts its window of 5 steps only where
it fits completely, so it gives 4 steps fewer than it gets. A `MaxPooling1D(5)` takes the
maximum of each block of 5 steps, so it divides the length by 5 (rounding down). Let's follow
a post through the model, layer by layer:
""")

code("""
def lengths(steps):
    \"\"\"The sequence length after each Conv1D and MaxPooling1D layer of `model`.\"\"\"
    rows = [("posts", steps)]
    for layer in model.layers:
        if isinstance(layer, layers.Conv1D):
            steps = steps - (layer.kernel_size[0] - 1)                  # 5 steps → 1
        elif isinstance(layer, layers.MaxPooling1D):
            steps = (steps - layer.pool_size[0]) // layer.strides[0] + 1   # blocks of 5
        else:
            continue
        rows.append((layer.name, steps))
    return rows

print(f"{'layer':16s} {'100 steps':>10s} {'269 steps':>10s}")
for (name, a), (_, b) in zip(lengths(100), lengths(269)):
    print(f"{name:16s} {a:10d} {b:10d}")
""")

md("""
With 100 words, the second pooling leaves 2 steps, and `conv1d_3` needs 5: nothing is left
(the −2 and −6 are what the formula gives; a real layer just stops there, as the error said).

Working backwards gives the shortest post: the last two convolutions need 1 + 4 + 4 = **9**
steps; the pooling before them needs 5 · 9 = **45**; the two convolutions before that need
45 + 8 = **53**; the first pooling needs 5 · 53 = **265**; and the first convolution needs
265 + 4 = **269**. The kernel sizes and pool sizes are the tutorial's, so this holds for the
tutorial's model too. A quick check of every length:
""")

code("""
shortest = next(n for n in range(1, 1000) if lengths(n)[-1][1] >= 1)
print("shortest post:", shortest, "steps")

for n in [268, 269]:
    try:
        model.predict(posts[:4, :n], verbose=0)
        print(n, "steps: fine")
    except ValueError as e:
        print(n, "steps:", type(e).__name__)
""")

md("""
Real posts are *padded* to a common length of at least 269 (with the id 0), or the model is
built with `padding='same'`, which keeps the length in every convolution.
""")

# ----- 4. compile with lists and dicts ----------------------------------------------------------
md("""
## 4. One loss per output: a list or a dict

Each output needs its own loss. The tutorial's first way is a **list**, in the order of the
outputs in `Model(posts_input, [age_prediction, income_prediction, gender_prediction])`;
the targets are a list in the same order:
""")

code("""
keras.utils.set_random_seed(22)
model_list = build_posts_model(layers.Embedding(vocabulary_size, embedding_dim))
model_list.compile(optimizer='rmsprop',
                   loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'])
history = model_list.fit(posts, [age_targets, income_targets, gender_targets],
                         epochs=10, batch_size=64, verbose=0)
print(list(history.history))
""")

md("""
The history has one loss per output, named after the output layer, plus `loss`, the total
that training makes small. (The keys come in alphabetical order.)

From here on we print losses with 2 decimals. The digits after that can differ a little from
one computer to another: each loss is a sum of thousands of 32-bit numbers, and the maths
library may add them up in a different order (for example when it splits the work between
processor cores).

The second way is a **dict** keyed by the names of the output layers: that is why the tutorial
names them `'age'`, `'income'` and `'gender'`. The targets can be a dict too. With the same
seed, it is the same training, number for number. (We run 2 epochs here; they match the first
2 epochs above.)
""")

code("""
keras.utils.set_random_seed(22)
model_dict = build_posts_model(layers.Embedding(vocabulary_size, embedding_dim))
model_dict.compile(optimizer='rmsprop',
                   loss={'age': 'mse',
                         'income': 'categorical_crossentropy',
                         'gender': 'binary_crossentropy'})
history_dict = model_dict.fit(posts,
                              {'age': age_targets, 'income': income_targets,
                               'gender': gender_targets},
                              epochs=2, batch_size=64, verbose=0)
for key in history_dict.history:
    print(f"{key:12s} list: {np.round(history.history[key][:2], 2)}"
          f"   dict: {np.round(history_dict.history[key], 2)}")
""")

# ----- 5. loss weights --------------------------------------------------------------------------
md("""
## 5. Why the losses need weights

Here are the three losses of the list-compiled model, epoch by epoch:
""")

code("""
h = history.history
print("epoch   age (mse)   income (ce)   gender (ce)       total")
for epoch in range(10):
    print(f"{epoch + 1:5d}  {h['age_loss'][epoch]:10.2f}  {h['income_loss'][epoch]:12.2f}"
          f"  {h['gender_loss'][epoch]:12.2f}  {h['loss'][epoch]:10.2f}")
""")

md("""
The total is simply the sum of the three. Look at the sizes:

* **age**: the model starts by predicting about 0 years for people of about 21, so the squared
  error is about 21² ≈ 450. From epoch 5 on it has roughly learned the average age, and the
  loss moves between about 3.5 and 8. It cannot go far below 4, the spread of ages from 18 to
  24 (an error of 2 years costs 2² = 4).
* **income**: a cross-entropy over 10 groups; ln 10 ≈ 2.30 for an even guess.
* **gender**: a binary cross-entropy; ln 2 ≈ 0.69 for a 50 : 50 guess (these are coin flips,
  so no model can do better here).

The total is what the optimizer makes smaller, and all three heads sit on **shared** layers.
In the first three epochs the age error is more than 97% of the total, so the gradient that
reaches the shared layers is almost only about age. The shared layers are bent to fit the age,
and meanwhile the other two losses get much *worse* than guessing: income goes up to 10.4
instead of 2.30, gender to 4.6 instead of 0.69. A loss that is numerically large wins, whether
or not it matters more.

Is the age really to blame? Here is the same model with the same seed, trained once more, but
with the age loss multiplied by a weight w = 0.01, so that an MSE of 450 counts as 4.5. That
is what the `loss_weights` argument of `compile` does:
""")

code("""
keras.utils.set_random_seed(22)
model_quiet_age = build_posts_model(layers.Embedding(vocabulary_size, embedding_dim))
model_quiet_age.compile(optimizer='rmsprop',
                        loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'],
                        loss_weights=[0.01, 1., 1.])
h_quiet = model_quiet_age.fit(posts, [age_targets, income_targets, gender_targets],
                              epochs=10, batch_size=64, verbose=0).history

print(f"{'':5s}  {'income loss':^17s}  {'gender loss':^17s}")
print(f"{'epoch':5s}  {'w = 1':>8s} {'w = 0.01':>8s}  {'w = 1':>8s} {'w = 0.01':>8s}")
for epoch in range(10):
    print(f"{epoch + 1:5d}  {h['income_loss'][epoch]:8.2f} {h_quiet['income_loss'][epoch]:8.2f}"
          f"  {h['gender_loss'][epoch]:8.2f} {h_quiet['gender_loss'][epoch]:8.2f}")
""")

md("""
With the age turned down, the income loss rises only to 3.0 and comes back to 2.4, instead of
shooting up to 10.4, and the gender loss stays near 0.69. (Neither can go far below an even
guess: the income groups and genders are random.) The weights decide how hard each output may
pull on the shared layers.

The tutorial weights the losses like this: the total becomes
`0.25 · age_loss + 1 · income_loss + 10 · gender_loss`. Its reasoning: an MSE of about 4
(it says 3 to 5) times 0.25 is about 1, and a gender cross-entropy of about 0.1 (a gender that
is predicted well) times 10 is about 1 as well, so neither outweighs the other. The income
loss keeps the weight 1.
""")

code("""
loss_weights = [0.25, 1., 10.]
print(f"age:    0.25 · 4.0 = {0.25 * 4.0:.2f}     (the tutorial's MSE of about 4)")
print(f"gender: 10 · 0.1   = {10 * 0.1:.2f}     (the tutorial's cross-entropy of about 0.1)")
""")

md("""
And the same weights on **our** losses, after the 10 epochs above:
""")

code("""
our_losses = [h['age_loss'][-1], h['income_loss'][-1], h['gender_loss'][-1]]
for name, w, loss in zip(['age', 'income', 'gender'], loss_weights, our_losses):
    print(f"{name:6s}  {w:5.2f} · {loss:.2f} = {w * loss:.2f}")
print(f"weighted total: {sum(w * l for w, l in zip(loss_weights, our_losses)):.2f}")
""")

md("""
The age's share shrinks as planned. But our gender loss is nowhere near 0.1: our genders are
coin flips, so even the best model stays at about 0.69, and after the age's rough start ours is
still at 2.15. The weight 10 makes it by far the *largest* term. The tutorial's weights fit the
tutorial's losses; for other data you choose them from the losses you see, so that every
output counts about the same. (That is the exercise at the end.) Another remedy, often used
as well: change the unit of a target so that its loss starts small, for example predict the
age in decades, or its difference from the average age.

The tutorial gives its weights in the two forms we know, a list in output order or a dict
keyed by output name:
""")

code("""
model_list.compile(optimizer='rmsprop',
                   loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'],
                   loss_weights=[0.25, 1., 10.])
# the same, with dicts
model_dict.compile(optimizer='rmsprop',
                   loss={'age': 'mse', 'income': 'categorical_crossentropy',
                         'gender': 'binary_crossentropy'},
                   loss_weights={'age': 0.25, 'income': 1., 'gender': 10.})
""")

md("""
The weights change only the total. The per-output losses that Keras reports stay unweighted,
so you can still read each of them in its own unit.
""")

# ----- 6. evaluate ------------------------------------------------------------------------------
md("""
## 6. What `evaluate` returns

With several outputs, `evaluate` returns a list: the **total** (weighted) loss first, then the
loss of each output **in the order of the model's outputs**: age, income, gender. That is
not the alphabetical order of the history! `return_dict=True` gives the names along with the
numbers.
""")

code("""
results = model_list.evaluate(posts, [age_targets, income_targets, gender_targets], verbose=0)
print(f"as a list: [{', '.join(f'{r:.2f}' for r in results)}]")

names = ['loss'] + [name + '_loss' for name in model_list.output_names]
for name, value in zip(names, results):
    print(f"  {name:12s} {value:10.2f}")
""")

code("""
total, age_loss, income_loss, gender_loss = results
print(f"0.25 · {age_loss:.2f} + 1 · {income_loss:.2f} + 10 · {gender_loss:.2f} "
      f"= {0.25 * age_loss + income_loss + 10 * gender_loss:.2f}")
print("as a dict:", {k: round(v, 2) for k, v in
                     model_list.evaluate(posts, [age_targets, income_targets, gender_targets],
                                         verbose=0, return_dict=True).items()})
""")

md("""
The first number is the weighted sum of the other three, as promised.
""")

# ----- 7. exercise ------------------------------------------------------------------------------
md("""
## 7. Exercise: weights for our data

Choose `my_weights` (a list of three numbers, for age, income and gender) so that, with the
losses of the last training epoch in section 5 (`our_losses`), every weighted loss
`weight · loss` lies between 0.5 and 2. Run the checking cell.
""")

code("""
my_weights = None   # e.g. my_weights = [1., 1., 1.]
""")

code("""
if my_weights is None:
    print("No answer yet. Hint: which weight turns a loss of 4 into 1?")
else:
    print(f"{'output':8s} {'loss':>8s} {'weight':>8s} {'weighted':>9s}")
    balanced = True
    for name, w, loss in zip(['age', 'income', 'gender'], my_weights, our_losses):
        verdict = "ok" if 0.5 <= w * loss <= 2 else ("too heavy" if w * loss > 2 else "too light")
        balanced = balanced and verdict == "ok"
        print(f"{name:8s} {loss:8.2f} {w:8.2f} {w * loss:9.2f}  {verdict}")
    print("Balanced! Each output now pulls about as hard as the others." if balanced
          else "Not yet: adjust the weights marked above.")
""")

md("""
## What you learned

* `Embedding(input_dim, output_dim)`: the vocabulary size comes **first**. Swapped, the model
  still builds (with the same parameter count!), but fails on the first id that has no row.
* With `padding='valid'`, each `Conv1D` with kernel 5 removes 4 steps and each
  `MaxPooling1D(5)` divides by 5: the tutorial's stack needs posts of at least 269 steps.
* Several outputs: give `loss` (and the targets) as a list in output order, or as a dict keyed
  by the output layers' names.
* The total loss is `Σ weight · loss` over the outputs. Losses of different kinds have very
  different sizes (an MSE in years² against cross-entropies below 1), and the biggest one steers
  the shared layers. `loss_weights` evens them out; choose them from the losses you observe.
* `evaluate` returns `[total, loss of output 1, output 2, …]`, in the model's output order;
  `return_dict=True` names them.
""")


if __name__ == "__main__":
    lesson.main()
