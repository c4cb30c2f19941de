"""Build lessons/06-reading-a-diagram.ipynb from the cells below.

The lesson text lives here, as Python, so that it can be reviewed in a diff. This script
writes the notebook and executes it to store the outputs (nbval compares against them):

    python lessons/make_06.py                 # writes and executes it (see lessonkit.py)
    python lessons/make_06.py --no-execute    # only writes it

The diagrams are SVG drawn by Graphviz; their text depends on the Graphviz version and the
fonts, so tests/nbval_sanitize.cfg replaces every whole SVG before comparing. What is compared
is the rest: the printed numbers and the one-line ``<Diagram ...>`` text of each picture.
"""
from __future__ import annotations


from lessonkit import Lesson

lesson = Lesson("06-reading-a-diagram.ipynb")
md, code = lesson.md, lesson.code

# ----- title ------------------------------------------------------------------------------------
md("""
# Lesson 6 · Reading a model diagram

A `summary()` table lists the layers, but it cannot show *how they are wired*. A diagram can.
In this lesson you will

1. draw a model with `plot_model` and learn to read its boxes and arrows;
2. compare four shapes of network side by side: a Sequential model, a functional chain, a
   model with two inputs and a model with two outputs;
3. let the diagram count the parameters of every layer (`show_params=True`) and mark layers
   (`highlight=`);
4. read a diagram you have not built yourself (the exercise).

In Keras the function is `keras.utils.plot_model`. kteach's `plot_model` takes the same
arguments; it lives in `kteach.viz`, the part of kteach that draws pictures.
""")

code("""
import kteach as keras
from kteach import Input, Model, Sequential
from kteach.layers import Add, Concatenate, Dense
from kteach.viz import model_to_dot, plot_model

keras.backend.clear_session()     # layer names start again at "dense"
keras.utils.set_random_seed(0)
""")

# ----- 1. one diagram ---------------------------------------------------------------------------
md("""
## 1. Boxes and arrows

Here is the network of lesson 1: 784 numbers in, 32 ReLU units, 10 softmax outputs.
""")

code("""
sequential = Sequential([
    Input(shape=(784,)),
    Dense(32, activation='relu'),
    Dense(10, activation='softmax'),
], name='sequential')
plot_model(sequential, show_shapes=True, show_layer_names=True)
""")

md("""
How to read it:

* **A box is a layer.** The black title row gives its name and, in brackets, its class:
  `dense (Dense)`. (`plot_model` shows only the class unless you pass
  `show_layer_names=True`, as Keras does.)
* **An arrow is a tensor**: the output of one layer going in as the input of the next.
  Data flows along the arrows, from top to bottom (`rankdir='LR'` draws it left to right).
* **`show_shapes=True` adds the shapes.** `(None, 784)` means "a batch of any size, 784
  numbers per sample". The output shape of a box is always the input shape of the box the
  arrow leads to: follow the arrow and the numbers must match.

`plot_model` returns a *diagram* object, and Jupyter shows it as a picture. The picture is
drawn by **Graphviz** from a short text in its *DOT* language; `model_to_dot` gives you the
same diagram without drawing it, with its boxes, arrows and DOT text:
""")

code("""
dot = model_to_dot(sequential)
print("boxes: ", dot.nodes)
print("arrows:", dot.edges)
print(dot.source.splitlines()[0])
""")

md("""
To save a picture, give a file name, as in Keras: `plot_model(model, to_file='model.png')`
writes a PNG (`.svg`, `.pdf` and `.dot` work too). Without `to_file`, nothing is written.
""")

# ----- 2. four models ---------------------------------------------------------------------------
md("""
## 2. Four networks side by side

Now we build four small networks. The helper below puts several diagrams next to each other
in one picture row; you do not need to understand it, only what it shows.
""")

code("""
from IPython.display import HTML


def side_by_side(**diagrams):
    \"\"\"Show diagrams next to each other, each with a heading.\"\"\"
    cells = "".join(
        f'<td style="vertical-align:top; text-align:center"><b>{title}</b><br>{d.svg()}</td>'
        for title, d in diagrams.items())
    return HTML(f"<table><tr>{cells}</tr></table>")
""")

md("""
**A Sequential model and the same network written with the functional API.** Both have
4 inputs, a hidden layer of 8 units and 1 output.
""")

code("""
keras.utils.set_random_seed(1)
seq = Sequential([
    Input(shape=(4,), name='features'),
    Dense(8, activation='relu', name='hidden'),
    Dense(1, activation='sigmoid', name='score'),
], name='seq')

features = Input(shape=(4,), name='features_in')
hidden = Dense(8, activation='relu', name='hidden_f')(features)
score = Dense(1, activation='sigmoid', name='score_f')(hidden)
chain = Model(features, score, name='chain')

side_by_side(Sequential=plot_model(seq, show_shapes=True, show_layer_names=True),
             Functional=plot_model(chain, show_shapes=True, show_layer_names=True))
""")

md("""
The two diagrams differ in one box only: the functional model draws its `Input` as an
**InputLayer** box, the Sequential model does not (Keras 3 draws them the same way). The
InputLayer has only an output shape: nothing goes into it, it is where the data enters.
""")

md("""
**Two inputs.** A model that reads two kinds of information about a flat, 3 numbers about
the flat itself and 5 about its neighbourhood, and estimates one price. Each input gets its
own Dense layer; `Concatenate` joins the two results side by side.
""")

code("""
keras.utils.set_random_seed(2)
flat = Input(shape=(3,), name='flat')
area = Input(shape=(5,), name='area')
flat_code = Dense(4, activation='relu', name='flat_code')(flat)
area_code = Dense(4, activation='relu', name='area_code')(area)
joined = Concatenate(name='joined')([flat_code, area_code])
price = Dense(1, name='price')(joined)
two_inputs = Model([flat, area], price, name='two_inputs')
""")

md("""
**Two outputs.** One input of 6 numbers, a shared trunk, and two heads: a number (`rating`)
and a choice among 3 classes (`kind`). The second head also gets a shortcut: `Add` sums the
trunk's output and a second Dense layer's output, element by element.
""")

code("""
keras.utils.set_random_seed(3)
x = Input(shape=(6,), name='x')
trunk = Dense(8, activation='relu', name='trunk')(x)
rating = Dense(1, name='rating')(trunk)
extra = Dense(8, activation='relu', name='extra')(trunk)
both = Add(name='both')([trunk, extra])
kind = Dense(3, activation='softmax', name='kind')(both)
two_outputs = Model(x, [rating, kind], name='two_outputs')

side_by_side(**{"Two inputs": plot_model(two_inputs, show_shapes=True, show_layer_names=True),
                "Two outputs": plot_model(two_outputs, show_shapes=True, show_layer_names=True)})
""")

md("""
What the arrows tell you:

* **Two arrows into one box** = a merge. The input shape of `joined` is a *list*,
  `[(None, 4), (None, 4)]`: Concatenate gets two tensors and puts them side by side, so its
  output has 4 + 4 = 8 numbers per sample. `both` (Add) also gets two tensors, but adds them,
  so both must have the same shape and so does the result, `(None, 8)`.
* **Two arrows out of one box** = one tensor used twice. `trunk`'s output feeds `rating`,
  `extra` and `both`; that is three arrows, and in backpropagation three gradients that add up.
* **A box with no arrow out** is an output of the model. `two_outputs` has two such boxes,
  so `predict` returns a list of two arrays, in the order given to `Model(..., [rating, kind])`.
* **A box with no arrow in** is an input: `two_inputs` needs a list of two arrays.

The same facts, as numbers:
""")

code("""
for model in [seq, chain, two_inputs, two_outputs]:
    d = model_to_dot(model)
    print(f"{model.name:12s} boxes {len(d.nodes)}  arrows {len(d.edges)}  "
          f"inputs {len(model.inputs)}  outputs {len(model.outputs)}")
""")

# ----- 3. extras ----------------------------------------------------------------------------------
md("""
## 3. Parameters in the picture: `show_params=True`

kteach can write each layer's parameter count into its box, *with the arithmetic*: each weight's
shape multiplied out, then added. A Dense layer with 4 inputs and 8 units has a kernel of shape
(4, 8) and a bias of shape (8,): `4×8 + 8 = 40`. (This option is kteach's; Keras does not
have it.)
""")

code("""
plot_model(two_inputs, show_params=True, show_layer_names=True, show_layer_activations=True)
""")

md("""
`Concatenate` has no weights (`0`): it only moves numbers. `price` gets 8 inputs, because the
concatenation made 8 out of 4 + 4. Adding up the boxes gives the model's total:
""")

code("""
by_boxes = (3*4 + 4) + (5*4 + 4) + (8*1 + 1)
print("sum of the boxes:", by_boxes)
print("count_params(): ", two_inputs.count_params())
""")

md("""
## 4. Marking layers: `highlight=`

`highlight` draws the named boxes in orange. Here: every layer that the `rating` output
depends on. Follow the arrows *backwards* from `rating` to see why `extra`, `both` and `kind`
are not among them: changing their weights cannot change `rating`.
""")

code("""
plot_model(two_outputs, show_layer_names=True, highlight=['x', 'trunk', 'rating'])
""")

md("""
kteach's step-through tools use the same option to show which layer is running. A name that
is not in the diagram is an error that lists the names that are:
""")

code("""
try:
    plot_model(two_outputs, highlight=['ratings'])
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
""")

# ----- 5. exercise --------------------------------------------------------------------------------
md("""
## 5. Exercise: read a diagram

Here is a model you have not seen built. Read its diagram, and answer without looking at the
code above it or calling `summary()`:

1. How many inputs does the model have?
2. How many parameters does the layer `mix` have?
""")

code("""
keras.utils.set_random_seed(4)
left = Input(shape=(2,), name='left')
right = Input(shape=(3,), name='right')
mix = Dense(6, activation='relu', name='mix')(Concatenate(name='glue')([left, right]))
mystery = Model([left, right], Dense(1, name='answer')(mix), name='mystery')
plot_model(mystery, show_shapes=True, show_layer_names=True)
""")

code("""
my_inputs = None   # your answer to 1
my_params = None   # your answer to 2
""")

code("""
if my_inputs is None or my_params is None:
    print("No answer yet. Hints: count the InputLayer boxes. For `mix`, read its input shape:\\n"
          "a Dense layer has inputs × units + units parameters.")
elif my_inputs == len(mystery.inputs) and my_params == mystery.get_layer('mix').count_params():
    print("Correct! Check it with plot_model(mystery, show_params=True, show_layer_names=True).")
else:
    print("Not quite. Inputs are the boxes with no arrow in. For `mix`: glue puts 2 + 3 "
          "numbers side by side, and mix has 6 units.")
""")

md("""
## What you learned

* A diagram shows a model's wiring: a box per layer, an arrow per tensor passed on.
* `show_shapes=True` adds the shapes; the output shape of a box is the input shape of the box
  its arrow leads to.
* A functional model draws its inputs as InputLayer boxes; a Sequential model does not.
* Two arrows in = a merge (Concatenate joins, Add sums); two arrows out = one tensor used twice.
  Boxes without arrows in are inputs, without arrows out are outputs.
* kteach's extras: `show_params=True` writes each layer's parameter arithmetic into its box;
  `highlight=[...]` marks layers.
""")


if __name__ == "__main__":
    lesson.main()
