"""Time per training step of a small MNIST CNN, next to the bare convolution arithmetic.

    OPENBLAS_NUM_THREADS=1 python benchmarks/train_cnn.py            # kteach, bare cost, layers
    OPENBLAS_NUM_THREADS=1 python benchmarks/train_cnn.py --keras    # also real Keras (.venv-keras)
    .venv-keras/bin/python benchmarks/train_cnn.py --keras-only      # Keras alone, in its venv

The model is the classic Keras MNIST example: Input (28, 28, 1) → Conv2D(32, 3, relu) →
MaxPooling2D → Conv2D(64, 3, relu) → MaxPooling2D → Flatten → Dense(10, softmax), Adam and
sparse categorical cross-entropy, on a fixed batch of 64 random float32 images (no download).
The step is ``train_on_batch``. Each round times the step and the bare arithmetic one after
the other (best of a few repeats each); the printed times and the ratio are the medians over
the rounds, so a burst of load from another process on a busy 2-core machine moves them
little.

"bare arithmetic" is the matrix products such a step cannot avoid, written as plain NumPy
below: each convolution as im2col (one strided view of the input, reshaped into a matrix)
and one matmul, ``x_col·W`` forward, ``x_colᵀ·dz`` (kernel gradient) and ``dz·Wᵀ`` (input
gradient) backward; the same three for the Dense layer. The first convolution's input
gradient is not computed (nothing needs the gradient of the images). The step time is
printed as a ratio to this bare cost measured in the same run (aim: at most 2x).

The per-layer breakdown runs the model's forward and backward by hand (the two calls a
training step makes) inside ``with kteach.engine.graph.recording(tracer):``; the engine
reports each layer call just after it returns, so the time since the previous report is that
layer's time (as in train_layers.py).

``--keras`` runs this same script with ``--keras-only`` in ``.venv-keras/bin/python`` (real
Keras 3, JAX backend, CPU) through subprocess and prints the ratio kteach/Keras.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from real_keras import run_keras_only  # benchmarks/real_keras.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BATCH = 64


def best_time(fn, repeats: int, number: int = 3) -> float:
    fn()  # warm-up: builds the optimizer's slots, compiles (Keras), touches the memory
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def cnn(keras):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def batch():
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    return x, y


# ----- the bare arithmetic ------------------------------------------------------------------------
def im2col(x: np.ndarray, k: int) -> np.ndarray:
    """(N, H, W, C) → (N·H'·W', k·k·C): one strided view, then one reshape (a copy)."""
    n, h, w, c = x.shape
    s = x.strides
    view = np.lib.stride_tricks.as_strided(
        x, shape=(n, h - k + 1, w - k + 1, k, k, c), strides=(s[0], s[1], s[2], s[1], s[2], s[3]),
        writeable=False)
    return view.reshape(n * (h - k + 1) * (w - k + 1), k * k * c)


def bare_step():
    rng = np.random.default_rng(0)
    f32 = np.float32
    x1 = rng.random((BATCH, 28, 28, 1), dtype=f32)            # conv 1: 28×28×1 → 26×26×32
    W1 = rng.standard_normal((9 * 1, 32)).astype(f32)
    dz1 = rng.standard_normal((BATCH * 26 * 26, 32)).astype(f32)
    x2 = rng.random((BATCH, 13, 13, 32), dtype=f32)           # conv 2: 13×13×32 → 11×11×64
    W2 = rng.standard_normal((9 * 32, 64)).astype(f32)
    dz2 = rng.standard_normal((BATCH * 11 * 11, 64)).astype(f32)
    x3 = rng.random((BATCH, 5 * 5 * 64), dtype=f32)           # dense: 1600 → 10
    W3 = rng.standard_normal((1600, 10)).astype(f32)
    dz3 = rng.standard_normal((BATCH, 10)).astype(f32)

    def step():
        c1, c2 = im2col(x1, 3), im2col(x2, 3)
        c1 @ W1, c2 @ W2, x3 @ W3                 # forward
        c1.T @ dz1, c2.T @ dz2, x3.T @ dz3        # kernel gradients
        dz2 @ W2.T, dz3 @ W3.T                    # input gradients (none for the images)

    return step


# ----- kteach -------------------------------------------------------------------------------------
def layer_times(model, x, repeats: int) -> tuple[dict, float]:
    """Best forward/backward time of each layer and of the optimizer update, by hand."""
    from kteach.engine import graph
    sys.path.insert(0, str(Path(__file__).parent))
    from train_layers import LayerTimer   # the same per-layer timer as the tutorial models
    rng = np.random.default_rng(1)
    best: dict[tuple[str, str], float] = {}
    update = float("inf")
    for round_ in range(repeats + 1):          # round 0 is a warm-up
        timer = LayerTimer()
        with graph.recording(timer):
            timer.mark()
            y, tape = model.forward(x, training=True)
            dy = rng.standard_normal(y.shape).astype(y.dtype) * 0.01
            timer.mark()
            _, grads = model.backward(tape, dy)
        start = time.perf_counter()
        model.optimizer.apply(grads, model.trainable_weights)
        if round_:
            update = min(update, time.perf_counter() - start)
            for key, t in timer.times.items():
                best[key] = min(best.get(key, float("inf")), t)
    return best, update


def run_kteach(repeats: int, breakdown: bool) -> float:
    sys.path.insert(0, str(ROOT))
    import kteach
    kteach.utils.set_random_seed(0)
    model = cnn(kteach)
    x, y = batch()
    bare_fn, steps, bares, ratios = bare_step(), [], [], []
    for _ in range(repeats):
        steps.append(best_time(lambda: model.train_on_batch(x, y), 2))
        bares.append(best_time(bare_fn, 2))
        ratios.append(steps[-1] / bares[-1])
    step, bare = statistics.median(steps), statistics.median(bares)
    print(f"MNIST CNN, batch {BATCH}, train_on_batch (medians of {repeats} rounds)")
    print(f"  {'bare arithmetic (im2col + matmuls)':38s} {bare * 1e3:7.2f} ms")
    print(f"  {'kteach step':38s} {step * 1e3:7.2f} ms   {statistics.median(ratios):5.2f}x of bare "
          f"(aim ≤ 2x)")
    if breakdown:
        times, update = layer_times(model, x, repeats)
        print(f"    {'layer':<34} {'forward':>10} {'backward':>10}")
        fw_total = bw_total = 0.0
        for layer in model.layers:
            fw, bw = times.get((layer.name, "forward")), times.get((layer.name, "backward"))
            if fw is None:
                continue
            fw_total += fw
            bw_total += bw or 0.0
            back = "-" if bw is None else f"{bw * 1e3:7.2f} ms"
            print(f"    {layer.name + ' (' + type(layer).__name__ + ')':<34} {fw * 1e3:7.2f} ms {back:>10}")
        print(f"    {'all layers':<34} {fw_total * 1e3:7.2f} ms {bw_total * 1e3:7.2f} ms")
        print(f"    {'optimizer update (Adam)':<34} {update * 1e3:7.2f} ms")
        rest = step - fw_total - bw_total - update
        print(f"    {'rest (loss, checks)':<34} {rest * 1e3:7.2f} ms   (step − the above; noise can "
              f"make it < 0)")
    return step


# ----- Keras --------------------------------------------------------------------------------------
def keras_only(repeats: int) -> None:
    """Run inside .venv-keras: print the best step time as JSON on the last line."""
    import keras
    keras.utils.set_random_seed(0)
    model = cnn(keras)
    x, y = batch()
    step = best_time(lambda: model.train_on_batch(x, y), repeats)
    print(json.dumps({"step": step, "keras": keras.__version__, "backend": keras.backend.backend()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras", action="store_true", help="also time real Keras in .venv-keras")
    parser.add_argument("--keras-only", action="store_true",
                        help="time Keras only (run with .venv-keras/bin/python); prints JSON")
    parser.add_argument("--no-layers", action="store_true", help="skip the per-layer breakdown")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (best is shown)")
    args = parser.parse_args()
    if args.keras_only:
        keras_only(args.repeats)
        return
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')}")
    mine = run_kteach(args.repeats, breakdown=not args.no_layers)
    if args.keras:
        theirs = run_keras_only(__file__, args.repeats)
        if theirs:
            print(f"  {'Keras ' + theirs['keras'] + ' (' + theirs['backend'] + ', CPU) step':38s} "
                  f"{theirs['step'] * 1e3:7.2f} ms   kteach/Keras {mine / theirs['step']:5.2f}x")


if __name__ == "__main__":
    main()
