"""Time per training step of the English tutorial's question-answering and posts models.

    python benchmarks/train_layers.py                 # totals and a per-layer breakdown
    python benchmarks/train_layers.py --no-layers     # totals only
    OPENBLAS_NUM_THREADS=2 python benchmarks/train_layers.py --keras   # also real Keras 3

The models are the tutorial's, at its sizes:

* **QA**: two inputs of token ids (vocabularies 10000 and 10000), Embedding(10000, 64) +
  LSTM(32) and Embedding(10000, 32) + LSTM(16), concatenated, Dense(500, softmax);
  RMSprop and categorical cross-entropy. Batch 128 and sequences of 100 steps, as the
  tutorial fits it (``max_length = 100``, ``batch_size=128``).
* **posts**: Embedding(50000, 256) (the fixed order of the tutorial's swapped arguments),
  Conv1D(128, 5) / MaxPooling1D(5) / 2 × Conv1D(256, 5) / MaxPooling1D(5) / 2 × Conv1D(256, 5),
  GlobalMaxPooling1D, Dense(128) and the three heads age / income / gender; RMSprop with
  the loss list mse / categorical cross-entropy / binary cross-entropy and loss_weights
  [0.25, 1, 10]. The tutorial does not say how long its posts are; this uses 500 steps (the
  stack needs at least 269). Batch 128 (the tutorial fits with 64, also timed).

The step time is ``train_on_batch`` on a fixed batch, best of a few repeats (the minimum is
the most repeatable number on a busy 2-core machine). It is printed as a ratio to the bare
arithmetic of the same step, timed in the same rounds: the matrix products that no
implementation can skip, as plain NumPy (:func:`bare_step`). For each Conv1D that is im2col
(one strided view copied into a matrix) and three products (``X_col·W`` forward,
``X_colᵀ·dz`` and ``dz·Wᵀ`` backward); for each Dense the same three; for each LSTM the input
products of all steps at once (``X·W``, ``Xᵀ·dZ``, ``dZ·Wᵀ``) and per step the recurrent
ones (``h·U`` forward, ``dz·Uᵀ`` backward), with ``Hᵀ·dZ`` once. Embedding lookups, pooling,
activations, the loss and the update are not in it (aim: the step at most 2× this).

For a model with LSTMs a second baseline is printed: the bare arithmetic plus each LSTM's
per-step elementwise work (gates, cell, their derivatives) written as lean NumPy
(:func:`lean_lstm`). It is the least a NumPy step loop costs, so it shows how much of the
distance to the bare products is NumPy's (one call per operation per step, exp and tanh)
and how much kteach's.

The per-layer breakdown runs the model's forward and backward pass by hand
(``model.forward(x, training=True)`` and ``model.backward(tape, dy)``, the two calls a
training step makes) with a tracer in ``kteach.engine.graph.TRACERS``. The engine tells a
tracer about each layer call just after it returns, so the time since the previous report is
that layer's time. "optimizer update" is ``model.optimizer.apply(grads, weights)``; the rest
of a step (loss, data checks, metrics) is the step time minus these.

On a machine shared with other busy processes, OpenBLAS' threads wait for each other and the
many small matrix products of an LSTM can become several times slower; for repeatable
numbers there, run with ``OPENBLAS_NUM_THREADS=1``.

``--keras`` runs this same script with ``--keras-only`` in ``.venv-keras/bin/python`` (real
Keras 3 with its JAX backend on the CPU, which ``bash scripts/test.sh`` installs) and prints
kteach/Keras for each model. JAX uses both cores; for a fair comparison give kteach's BLAS two
threads as well (``OPENBLAS_NUM_THREADS=2``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
import kteach  # noqa: E402
from kteach.engine import graph  # noqa: E402
from real_keras import run_keras_only  # noqa: E402  (benchmarks/real_keras.py)

BATCH = 128
RUNS = (("QA", BATCH), ("posts", BATCH), ("posts", 64))
QA_LENGTH = 100      # the tutorial's max_length
POSTS_LENGTH = 500   # not in the tutorial; at least 269 steps get through the stack


# ----- the tutorial's models (built with kteach or with keras: the code is the same) -------------
def qa_model(keras):
    layers, Input = keras.layers, keras.Input
    text_input = Input(shape=(None,), dtype='int32', name='text')
    encoded_text = layers.LSTM(32)(layers.Embedding(10000, 64)(text_input))
    question_input = Input(shape=(None,), dtype='int32', name='question')
    encoded_question = layers.LSTM(16)(layers.Embedding(10000, 32)(question_input))
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(500, activation='softmax')(concatenated)
    model = keras.Model([text_input, question_input], answer)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['acc'])
    return model


def qa_batch(keras, batch: int):
    rng = np.random.default_rng(0)
    text = rng.integers(1, 10000, size=(batch, QA_LENGTH)).astype("int32")
    question = rng.integers(1, 10000, size=(batch, QA_LENGTH)).astype("int32")
    answers = keras.utils.to_categorical(rng.integers(0, 500, batch), 500)
    return [text, question], answers


def posts_model(keras):
    layers, Input = keras.layers, keras.Input
    posts_input = Input(shape=(None,), dtype='int32', name='posts')
    x = layers.Embedding(50000, 256)(posts_input)
    x = layers.Conv1D(128, 5, activation='relu')(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation='relu')(x)
    age = layers.Dense(1, name='age')(x)
    income = layers.Dense(10, activation='softmax', name='income')(x)
    gender = layers.Dense(1, activation='sigmoid', name='gender')(x)
    model = keras.Model(posts_input, [age, income, gender])
    model.compile(optimizer='rmsprop',
                  loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'],
                  loss_weights=[0.25, 1., 10.])
    return model


def posts_batch(keras, batch: int):
    rng = np.random.default_rng(0)
    posts = rng.integers(1, 50000, size=(batch, POSTS_LENGTH)).astype("int32")
    age = rng.integers(20, 60, size=(batch, 1)).astype("float32")
    income = keras.utils.to_categorical(rng.integers(0, 10, batch), 10)
    gender = rng.integers(0, 2, size=(batch, 1)).astype("float32")
    return posts, [age, income, gender]


# ----- the bare arithmetic -------------------------------------------------------------------------
class _Inputs:
    """A tracer that keeps the input of every layer call of one forward pass."""

    def __init__(self) -> None:
        self.calls: list = []

    def forward(self, layer, inputs, outputs, cache) -> None:
        self.calls.append((layer, inputs, outputs))

    def backward(self, layer, d_outputs, d_inputs, grads) -> None:
        pass


def _im2col(x: np.ndarray, k: int) -> np.ndarray:
    """(N, L, C) → (N·L', k·C): one strided view (windows of k steps), then one copy."""
    view = np.lib.stride_tricks.sliding_window_view(x, k, axis=1)   # (N, L', C, k)
    return np.swapaxes(view, -1, -2).reshape(-1, k * x.shape[-1])


def bare_step(model, x, lean: bool = False) -> callable:
    """A function doing only the matrix products of one training step of ``model`` (see the
    module docstring), on random arrays of the shapes one forward pass of ``x`` has. With
    ``lean``, each LSTM also does its steps' elementwise work (:func:`lean_lstm`)."""
    from kteach.layers import LSTM, Conv1D, Dense
    tracer = _Inputs()
    with graph.recording(tracer):
        model.forward(x, training=False)
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    work = []
    for layer, inputs, outputs in tracer.calls:
        if isinstance(layer, Conv1D):
            k = layer.kernel_size[0]
            xin, W = f32(*inputs.shape), f32(k * inputs.shape[-1], layer.filters)
            dz = f32(outputs.shape[0] * outputs.shape[1], layer.filters)
            work.append(lambda xin=xin, W=W, dz=dz, k=k: (
                (c := _im2col(xin, k)) @ W, c.T @ dz, dz @ W.T))
        elif isinstance(layer, Dense):
            xin, W, dz = f32(*inputs.shape), f32(inputs.shape[-1], layer.units), f32(*outputs.shape)
            work.append(lambda xin=xin, W=W, dz=dz: (xin @ W, xin.T @ dz, dz @ W.T))
        elif isinstance(layer, LSTM):
            n, steps, d = inputs.shape
            u = layer.units
            X, W, U = f32(n * steps, d), f32(d, 4 * u), f32(u, 4 * u)
            dZ, H, h = f32(n * steps, 4 * u), f32(n * steps, u), f32(n, u)
            dz = f32(n, 4 * u)

            def lstm(X=X, W=W, U=U, dZ=dZ, H=H, h=h, dz=dz, steps=steps):
                X @ W, X.T @ dZ, dZ @ W.T, H.T @ dZ
                for _ in range(steps):
                    h @ U, dz @ U.T
            work.append(lean_lstm(X, W, U, dZ, H, n, steps) if lean else lstm)
    return lambda: [f() for f in work]


def lean_lstm(X, W, U, dZ, H, n: int, steps: int) -> callable:
    """The bare products of one LSTM and, between them, each step's elementwise work written
    as directly as NumPy allows: no checks, no options, every result into a buffer of its own
    (``out=``), sigmoid as ``1 / (1 + exp(−z))``. This is the least a step loop in NumPy
    costs; kteach's LSTM (masks, dropout, any activation, states kept for ``explain``) is
    measured against it."""
    u = U.shape[0]
    b, f32 = n, np.float32
    zs0 = (X @ W).reshape(steps, b, 4 * u) * f32(0.1)      # small values: no exp overflow
    zs, gates = np.empty_like(zs0), np.empty_like(zs0)
    cs, tanh_cs, hs = (np.empty((steps, b, u), f32) for _ in range(3))
    dhs, dzs = np.full((steps, b, u), 0.01, f32), np.empty_like(zs0)

    def forward():
        np.copyto(zs, zs0)
        h, c = np.zeros((b, u), f32), np.zeros((b, u), f32)
        for t in range(steps):
            z, g = zs[t], gates[t]
            z += h @ U
            np.negative(z, out=g)
            np.exp(g, out=g)
            g += 1
            np.reciprocal(g, out=g)                          # σ(z) for i, f, o
            np.tanh(z[:, 2 * u:3 * u], out=g[:, 2 * u:3 * u])   # c̃
            c = cs[t] = g[:, u:2 * u] * c + g[:, :u] * g[:, 2 * u:3 * u]
            np.tanh(c, out=tanh_cs[t])
            h = hs[t] = g[:, 3 * u:] * tanh_cs[t]

    def backward():
        dh_next, dc_next = np.zeros((b, u), f32), np.zeros((b, u), f32)
        for t in reversed(range(steps)):
            g, tc, dz = gates[t], tanh_cs[t], dzs[t]
            dh = dhs[t] + dh_next
            dc = dh * g[:, 3 * u:]
            dc *= 1 - tc * tc
            dc += dc_next
            dc_next = dc * g[:, u:2 * u]
            slope = g * (1 - g)                              # σ', then tanh' for c̃
            slope[:, 2 * u:3 * u] = 1 - g[:, 2 * u:3 * u] ** 2
            np.multiply(dc, g[:, 2 * u:3 * u], out=dz[:, :u])
            np.multiply(dc, cs[t - 1] if t else 0, out=dz[:, u:2 * u])
            np.multiply(dc, g[:, :u], out=dz[:, 2 * u:3 * u])
            np.multiply(dh, tc, out=dz[:, 3 * u:])
            dz *= slope
            dh_next = dz @ U.T

    def step():
        X @ W
        forward()
        backward()
        X.T @ dZ, dZ @ W.T, H.T @ dZ
    return step


# ----- timing -------------------------------------------------------------------------------------
def best_time(fn, repeats: int) -> float:
    fn()  # warm-up: builds the optimizer's slots, touches the memory
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


class LayerTimer:
    """A tracer: the time since the previous report goes to the layer just reported."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.times: dict[tuple[str, str], float] = {}

    def mark(self) -> None:
        self.last = time.perf_counter()

    def _note(self, layer, direction: str) -> None:
        now = time.perf_counter()
        self.times[(layer.name, direction)] = now - self.last
        self.last = now

    def forward(self, layer, inputs, outputs, cache) -> None:
        self._note(layer, "forward")

    def backward(self, layer, d_outputs, d_inputs, grads) -> None:
        self._note(layer, "backward")


def by_hand_step(model, x, timer: LayerTimer, rng: np.random.Generator) -> float:
    """Forward and backward (reported to ``timer`` layer by layer) and the optimizer update,
    as a training step makes them; the loss gradient is replaced by small random numbers
    (its values do not change the time). Returns the time of the update."""
    timer.mark()
    outputs, tape = model.forward(x, training=True)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    dys = [rng.standard_normal(y.shape).astype(y.dtype) * 0.01 for y in outputs]
    timer.mark()
    _, grads = model.backward(tape, dys if len(dys) > 1 else dys[0])
    start = time.perf_counter()
    model.optimizer.apply(grads, model.trainable_weights)
    return time.perf_counter() - start


def measure(model, x, y, repeats: int, breakdown: bool) -> tuple:
    """Best ``train_on_batch`` time, best time of the bare arithmetic and, for a model with
    LSTMs, of the bare arithmetic with lean step loops (None without); with ``breakdown``
    also the best time of each layer's forward and backward call and of the optimizer
    update, all measured in the same rounds (so that a busy machine disturbs them alike)."""
    step = bare = lean = update = float("inf")
    layers: dict[tuple[str, str], float] = defaultdict(lambda: float("inf"))
    timer, rng = LayerTimer(), np.random.default_rng(1)
    bare_fn = bare_step(model, x)
    lean_fn = bare_step(model, x, lean=True) if _has_lstm(model) else None
    for round_ in range(repeats + 1):            # round 0 is a warm-up: slots, memory
        start = time.perf_counter()
        model.train_on_batch(x, y)
        middle = time.perf_counter()
        bare_fn()
        end = time.perf_counter()
        if lean_fn is not None:
            with np.errstate(over="ignore"):
                lean_fn()
        if round_:
            step = min(step, middle - start)
            bare = min(bare, end - middle)
            lean = min(lean, time.perf_counter() - end)
        if not breakdown:
            continue
        graph.TRACERS.append(timer)
        try:
            t_update = by_hand_step(model, x, timer, rng)
        finally:
            graph.TRACERS.remove(timer)
        if round_:
            update = min(update, t_update)
            for key, t in timer.times.items():
                layers[key] = min(layers[key], t)
    return step, bare, lean if lean_fn is not None else None, dict(layers), update


def _has_lstm(model) -> bool:
    from kteach.layers import LSTM
    return any(isinstance(layer, LSTM) for layer in model.layers)


def print_breakdown(model, step: float, times: dict, update: float) -> None:
    print(f"    {'layer':<42} {'forward':>10} {'backward':>10}")
    fw_total = bw_total = 0.0
    for layer in model.layers:
        fw, bw = times.get((layer.name, "forward")), times.get((layer.name, "backward"))
        if fw is None:
            continue   # an InputLayer: nothing runs
        fw_total += fw
        bw_total += bw or 0.0
        label = f"{layer.name} ({type(layer).__name__})"
        back = "-" if bw is None else f"{bw * 1e3:7.1f} ms"
        print(f"    {label:<42} {fw * 1e3:7.1f} ms {back:>10}")
    print(f"    {'all layers':<42} {fw_total * 1e3:7.1f} ms {bw_total * 1e3:7.1f} ms")
    print(f"    {'optimizer update (RMSprop)':<42} {update * 1e3:7.1f} ms")
    rest = step - fw_total - bw_total - update
    print(f"    {'rest (loss, checks, metrics)':<42} {rest * 1e3:7.1f} ms   (step − the above; "
          f"noise can make it < 0)")


def kteach_step(name: str, batch: int, repeats: int, breakdown: bool) -> float:
    kteach.utils.set_random_seed(0)
    build, data = (qa_model, qa_batch) if name == "QA" else (posts_model, posts_batch)
    model = build(kteach)
    x, y = data(kteach, batch)
    step, bare, lean, times, update = measure(model, x, y, repeats, breakdown)
    print(f"{name:>6} batch {batch:>3}: kteach {step * 1e3:8.1f} ms per step, bare arithmetic "
          f"{bare * 1e3:6.1f} ms, {step / bare:5.2f}x of bare (aim ≤ 2x)")
    if lean is not None:
        print(f"{'':>16}  bare + lean LSTM step loops {lean * 1e3:6.1f} ms ({lean / bare:4.2f}x "
              f"of bare): kteach {step / lean:4.2f}x of that")
    if breakdown:
        print_breakdown(model, step, times, update)
    return step


def keras_steps(repeats: int) -> None:
    """Run inside .venv-keras: print the best step time of each model as JSON (last line)."""
    import keras
    steps = {}
    for name, batch in RUNS:
        keras.utils.set_random_seed(0)
        build, data = (qa_model, qa_batch) if name == "QA" else (posts_model, posts_batch)
        model = build(keras)
        x, y = data(keras, batch)
        steps[f"{name} {batch}"] = best_time(lambda: model.train_on_batch(x, y), repeats)
    print(json.dumps({"steps": steps, "keras": keras.__version__,
                      "backend": keras.backend.backend()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras", action="store_true", help="also time real Keras in .venv-keras")
    parser.add_argument("--keras-only", action="store_true",
                        help="time Keras only (run with .venv-keras/bin/python); prints JSON")
    parser.add_argument("--no-layers", action="store_true", help="skip the per-layer breakdown")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (best is shown)")
    args = parser.parse_args()
    if args.keras_only:
        keras_steps(args.repeats)
        return
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '-')}; QA: sequences of {QA_LENGTH} steps; "
          f"posts: {POSTS_LENGTH} steps")
    mine = {f"{name} {batch}": kteach_step(name, batch, args.repeats,
                                           breakdown=not args.no_layers and batch == BATCH)
            for name, batch in RUNS}
    theirs = run_keras_only(__file__, args.repeats) if args.keras else None
    if theirs:
        print(f"Keras {theirs['keras']} ({theirs['backend']}, CPU):")
        for key, step in theirs["steps"].items():
            print(f"{key:>16}: keras  {step * 1e3:8.1f} ms per step, kteach/Keras "
                  f"{mine[key] / step:5.2f}x")


if __name__ == "__main__":
    main()
