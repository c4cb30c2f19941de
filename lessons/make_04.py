"""Build lessons/04-multi-input-question-answering.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_04.py                 # writes and executes it (see lessonkit.py)
    python lessons/make_04.py --no-execute    # only writes it

Rules for the cells (see DESIGN.md, "Notebooks"): seed before every model, print floats with
fixed precision, pass verbose=0 to fit/predict/evaluate and print what matters instead, and
catch errors to print their message. The tutorial's sizes are cut down (see the text) so that
the lesson runs in seconds; the architecture is the tutorial's.
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("04-multi-input-question-answering.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 4 · Two inputs: a question-answering model

Some models need more than one thing to look at. To answer a question about a text, a model
must read **the text** and **the question**. The English tutorial builds such a model with the
functional API: two inputs, one output.

In this lesson you will

1. see what an `Embedding` layer does, on a table small enough to print;
2. build the tutorial's question-answering model, with two named inputs;
3. count its parameters by hand, including the two `LSTM` layers;
4. train it twice, once with the inputs in a **list** and once in a **dict** keyed by the
   input names, and see that both give the same numbers;
5. ask it a question.
""")

code("""
import numpy as np

import kteach as keras
from kteach import layers
from kteach.layers import Input
from kteach.models import Model

np.set_printoptions(precision=4, suppress=True)
""")

# ----- 1. Embedding -----------------------------------------------------------------------------
md("""
## 1. Words as numbers: the `Embedding` layer

A network computes with numbers, not words. So every word first gets an **id**, its number in
a vocabulary: say "the" is 1, "cat" is 2, and so on. A sentence becomes a row of ids.

An id is only a name, though: word 4 is not "twice" word 2. The `Embedding` layer turns each id
into a vector of numbers that *can* be computed with. It holds a table with one row per word of
the vocabulary, and it simply **looks up** the row of every id.

`Embedding(input_dim, output_dim)`: `input_dim` is the size of the vocabulary (the number of
rows; ids go from 0 to `input_dim − 1`), `output_dim` the length of each vector (the number of
columns). A tiny one, 5 words with vectors of 3 numbers:
""")

code("""
keras.utils.set_random_seed(0)
embedding = layers.Embedding(5, 3)            # 5 words, 3 numbers per word
sentence = np.array([[0, 3, 3, 1]])           # one sentence of 4 ids (batch of 1)
vectors = embedding(sentence)                 # called on data, a layer computes at once

table = embedding.get_weights()[0]
print("the table, one row per id:")
print(table)
print("the sentence", sentence[0], "becomes", vectors.shape, ":")
print(vectors[0])
""")

md("""
Row 0, then row 3 twice, then row 1: nothing but looking up rows. The two 3s got the very same
vector. In NumPy the whole layer is one line, `table[ids]`:
""")

code("""
print("the same as table[ids]:", np.array_equal(vectors, table[sentence]))
""")

md("""
The table starts random (small numbers between −0.05 and 0.05) and is learned in training like
any weight: words that play a similar role end up with similar rows. The parameters of an
Embedding are the entries of its table, `input_dim · output_dim`, here 5 · 3 = 15.

Another way to see it: a lookup is the same as multiplying a **one-hot** row (all zeros, a 1 at
the id) by the table. That is a `Dense` layer without bias, fed one-hot vectors. The lookup
gives the same answer without building the big one-hot matrix:
""")

code("""
one_hot = keras.utils.to_categorical(sentence[0], 5)     # (4, 5): one row per id
print(one_hot)
print("one-hot @ table == lookup:", np.allclose(one_hot @ table, vectors[0]))
""")

md("""
The ids must fit the table: an id of 5 or more has no row in a table of 5 rows. (Lesson 5
shows what happens when they don't, through a bug in the same tutorial.)
""")

# ----- 2. the model -----------------------------------------------------------------------------
md("""
## 2. The question-answering model

The tutorial's model reads a text and a question, both as sequences of word ids, and picks the
answer from a fixed list of possible answers (one word each):

* **text** → `Embedding` (a vector of 64 per word) → `LSTM(32)`: a summary of the text in 32 numbers;
* **question** → `Embedding` (32 per word) → `LSTM(16)`: a summary of the question in 16 numbers;
* the two summaries are **concatenated** into 48 numbers → `Dense` with a softmax: one
  probability per possible answer.

An `LSTM` reads the vectors one step at a time, keeps a memory of `units` numbers, and updates
it at every step; what it returns is its memory after the last step. That is how a sequence of
any length becomes a vector of a fixed size.

**Smaller sizes.** The tutorial's vocabularies have 10,000 words each, there are 500 possible
answers, and it trains on 1,000 samples of 100 words. That takes a while in plain NumPy, so we
use vocabularies of 500 words, 20 answers, and 200 samples of 20 words. **The architecture is
exactly the tutorial's**: the same layers, with the same 64, 32, 32 and 16. Only the
vocabularies and the data are smaller.
""")

code("""
text_vocabulary_size = 500          # tutorial: 10000
question_vocabulary_size = 500      # tutorial: 10000
answer_vocabulary_size = 20         # tutorial: 500
""")

md("""
We put the tutorial's lines into a function, because later we build the model twice.
`Input(shape=(None,))` says "a sequence of any length": `None` stands for the number of words.
`dtype='int32'` because the values are ids, and `name=` gives each input a name that we will
use to feed it.
""")

code("""
def build_qa_model():
    text_input = Input(shape=(None,), dtype='int32', name='text')
    embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
    encoded_text = layers.LSTM(32)(embedded_text)

    question_input = Input(shape=(None,), dtype='int32', name='question')
    embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
    encoded_question = layers.LSTM(16)(embedded_question)

    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(answer_vocabulary_size, activation='softmax')(concatenated)

    model = Model([text_input, question_input], answer)     # two inputs, one output
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['acc'])
    return model
""")

code("""
keras.backend.clear_session()       # layer names start from "embedding" again
keras.utils.set_random_seed(1)
model = build_qa_model()
print("inputs: ", [(t.name, t.shape) for t in model.inputs])
print("output: ", model.output_shape)
""")

# ----- 3. parameters ----------------------------------------------------------------------------
md("""
## 3. Reading the summary, and counting by hand
""")

code("""
model.summary()
""")

md("""
The diagram shows the two branches side by side, meeting at `concatenate`:
""")

code("""
keras.utils.plot_model(model, show_shapes=True, show_layer_names=True)
""")

md("""
With two inputs the summary gets a *Connected to* column: `lstm` reads from `embedding`,
`concatenate` from both LSTMs. Now the parameters, one layer type at a time.

**Embedding**: one table entry per word and number: `input_dim · output_dim`.

* `embedding`: 500 · 64 = 32,000
* `embedding_1`: 500 · 32 = 16,000

**LSTM** with `u` units reading vectors of `in` numbers. At every step it computes four
*gates* (input, forget, cell candidate, output), and each gate is like a small `Dense` layer
with `u` units that looks at the step's input **and** at the memory of the step before: that is
`in + u` numbers in, so `u·(in + u)` weights plus `u` biases. Four of them:

**LSTM parameters = 4 · (u · (in + u) + u)**

* `lstm`: u = 32, in = 64 (the text's vectors): 4 · (32 · 96 + 32) = 12,416
* `lstm_1`: u = 16, in = 32: 4 · (16 · 48 + 16) = 3,136

**Concatenate** has no weights. **Dense**: 48 · 20 + 20 = 980.
""")

code("""
def lstm_params(u, n_in):
    return 4 * (u * (n_in + u) + u)

by_hand = {
    "embedding":   text_vocabulary_size * 64,
    "embedding_1": question_vocabulary_size * 32,
    "lstm":        lstm_params(32, 64),
    "lstm_1":      lstm_params(16, 32),
    "dense":       (32 + 16) * answer_vocabulary_size + answer_vocabulary_size,
}
for name, count in by_hand.items():
    print(f"{name:12s} by hand {count:6,d}   model {model.get_layer(name).count_params():6,d}")
print(f"{'total':12s} by hand {sum(by_hand.values()):6,d}   model {model.count_params():6,d}")
""")

md("""
Keras stores the four gates side by side, so an LSTM has just three arrays: `kernel` for the
input (`in × 4u`), `recurrent_kernel` for the memory (`u × 4u`), and `bias` (`4u`):
""")

code("""
for w in model.get_layer("lstm").weights:
    print(f"{w.name:17s} {w.shape}")
""")

md("""
64 × 128 + 32 × 128 + 128 = 12,416, the same count again, with 128 = 4 · 32.
""")

# ----- 4. data and training ---------------------------------------------------------------------
md("""
## 4. Training with a list, and with a dict

The tutorial's data is random: texts and questions of random word ids (from 1 on; 0 is usually
kept for padding), and a random answer for each, one-hot encoded.
""")

code("""
num_samples = 200       # tutorial: 1000
max_length = 20         # tutorial: 100

keras.utils.set_random_seed(2)
text = np.random.randint(1, text_vocabulary_size, size=(num_samples, max_length))
question = np.random.randint(1, question_vocabulary_size, size=(num_samples, max_length))
answers = np.random.randint(answer_vocabulary_size, size=(num_samples))
answers = keras.utils.to_categorical(answers, answer_vocabulary_size)

print("text:", text.shape, " question:", question.shape, " answers:", answers.shape)
print("first question:", question[0])
""")

md("""
A model with two inputs takes its data as two arrays. The first way: a **list**, in the same
order as the inputs were given to `Model([text_input, question_input], ...)`.

We build a fresh model with seed 10 and train it in batches of 128, as the tutorial does
(200 samples make 2 batches per epoch: 128 and 72), for 5 epochs (the tutorial trains 10; we
are going to train twice).
""")

code("""
keras.utils.set_random_seed(10)
model_list = build_qa_model()
history_list = model_list.fit([text, question], answers,
                              epochs=5, batch_size=128, verbose=0)
""")

md("""
The second way: a **dict** from input name to array. This works because we named the inputs
`'text'` and `'question'`; the order of the keys does not matter, so we write them the other
way round on purpose. Same seed, so the same starting weights and the same shuffling:
""")

code("""
keras.utils.set_random_seed(10)
model_dict = build_qa_model()
history_dict = model_dict.fit({'question': question, 'text': text}, answers,
                              epochs=5, batch_size=128, verbose=0)
""")

code("""
print("epoch   loss (list)  loss (dict)   acc (list)  acc (dict)")
for epoch in range(5):
    print(f"{epoch + 1:5d}   {history_list.history['loss'][epoch]:11.4f}"
          f"  {history_dict.history['loss'][epoch]:11.4f}"
          f"   {history_list.history['acc'][epoch]:10.4f}"
          f"  {history_dict.history['acc'][epoch]:10.4f}")
""")

code("""
same = all(np.array_equal(a, b) for a, b in zip(model_list.get_weights(),
                                                  model_dict.get_weights()))
print("identical weights after training:", same)
""")

md("""
The same numbers, to the last digit: a list and a dict are just two ways to say which array
goes to which input.

The loss starts near ln 20 ≈ 2.996 (a uniform guess among 20 answers) and goes down slowly;
the answers are random, so all the model can do is memorise them, and 5 epochs of 2 steps
are not much for that.

**Which way is better?** With a list, the order is everything. Our two inputs have the same
shape and the same vocabulary size, so `[question, text]` would train without a single
complaint, on swapped data! A dict cannot be mixed up like that, and a wrong name is caught:
""")

code("""
try:
    model_dict.fit({'txt': text, 'question': question}, answers, epochs=1, verbose=0)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

# ----- 5. predict -------------------------------------------------------------------------------
md("""
## 5. Asking a question

`predict` takes the inputs in the same two ways. For one sample we get 20 probabilities, one
per possible answer, adding up to 1; the answer is the most likely one.
""")

code("""
probabilities = model_dict.predict({'text': text[:1], 'question': question[:1]}, verbose=0)
print("shape:", probabilities.shape, "  sum:", f"{probabilities.sum():.4f}")
print("most likely answer:", probabilities[0].argmax(),
      f"with probability {probabilities[0].max():.4f}")
""")

md("""
The answers for the first ten training samples, next to the true ones:
""")

code("""
predicted = model_dict.predict([text[:10], question[:10]], verbose=0).argmax(axis=1)
print("predicted:", predicted)
print("true:     ", answers[:10].argmax(axis=1))
""")

md("""
Only 0s and 6s: the two most common answers among the 200 (0 occurs 17 times, 6 occurs 16
times). After 5 short epochs the model has learned little more than to bet on frequent
answers. With random answers there is no rule to find; more epochs would only let it memorise
the training samples, and on new questions it could still only guess.

Because the inputs have the shape `(None,)`, texts and questions may have **any length**, and
the two need not be equally long. The LSTMs simply read more or fewer steps:
""")

code("""
keras.utils.set_random_seed(3)
long_text = np.random.randint(1, text_vocabulary_size, size=(2, 35))      # 2 texts of 35 words
short_question = np.random.randint(1, question_vocabulary_size, size=(2, 6))
print(model_dict.predict([long_text, short_question], verbose=0).shape)
""")

md("""
(Within one batch, all texts must have the same length, because they form one array. Real
texts are made equally long by *padding* them with the id 0.)
""")

# ----- 6. exercise ------------------------------------------------------------------------------
md("""
## 6. Exercise: the tutorial's real size

The tutorial uses `text_vocabulary_size = 10000`, `question_vocabulary_size = 10000` and
`answer_vocabulary_size = 500`, with the same layers: `Embedding(…, 64)`, `LSTM(32)`,
`Embedding(…, 32)`, `LSTM(16)`, `Dense(500, activation='softmax')`.

How many parameters does that model have? Work it out with the formulas from section 3 (which
layers change, and which stay the same?), put your number in `my_answer`, and run the checking
cell.
""")

code("""
my_answer = None   # your number, e.g. my_answer = 123456
""")

code("""
lesson_sizes = (text_vocabulary_size, question_vocabulary_size, answer_vocabulary_size)
text_vocabulary_size, question_vocabulary_size, answer_vocabulary_size = 10000, 10000, 500
keras.utils.set_random_seed(4)
full_size = build_qa_model()        # only built, not trained: that is quick
text_vocabulary_size, question_vocabulary_size, answer_vocabulary_size = lesson_sizes

if my_answer is None:
    print("No answer yet. Hint: the LSTMs do not depend on the vocabulary sizes; the "
          "Embeddings and the last Dense do.")
elif my_answer == full_size.count_params():
    print("Correct! Run full_size.summary() to see where the parameters sit.")
else:
    print(f"Not quite: {my_answer:,} is not right. Check each Embedding "
          "(vocabulary · vector length) and the Dense (48 inputs, 500 answers, plus biases).")
""")

md("""
## What you learned

* `Embedding(input_dim, output_dim)` looks up one row of a learned table per id:
  `(batch, steps)` ids → `(batch, steps, output_dim)`; it has `input_dim · output_dim` parameters.
* An `LSTM(u)` reads a sequence step by step and returns its last state, `(batch, u)`; it has
  `4 · (u · (in + u) + u)` parameters: four gates that each see the input and the previous state.
* A model with several inputs: `Model([input_a, input_b], output)`. Feed it a list in that
  order, or (with named inputs) a dict keyed by the names, which cannot be mixed up.
* `Input(shape=(None,))` accepts sequences of any length.
""")


if __name__ == "__main__":
    lesson.main()
