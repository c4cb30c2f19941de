"""Time per training step of two MLPs (batch 128, SGD with momentum 0.9), next to their
bare matrix products.

    python benchmarks/train_mlp.py            # kteach only
    python benchmarks/train_mlp.py --rounds 9 # more rounds, a steadier median
    KERAS_BACKEND=torch python benchmarks/train_mlp.py --keras   # also Keras, if installed

"Bare" is the same matrix products a training step needs, and nothing else: x·W for each
layer, xᵀ·dz for each weight gradient and dz·Wᵀ for each input gradient. The step time is
measured with train_on_batch on a fixed batch. Each round times the bare products and the
step one after the other (best of a few repeats each) and takes their ratio; the printed
numbers are the medians over the rounds, so a burst of load from another process on a
shared machine moves them little. "overhead" is step − bare: the per-step cost of
everything that is not a matrix product (Python, activations, loss, the update).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
import kteach  # noqa: E402
from kteach import layers  # noqa: E402

BATCH = 128


def best_time(fn, repeats: int = 3, number: int = 20) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def bare_matmuls(sizes: list[int]):
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes, sizes[1:])]
    x = rng.standard_normal((BATCH, sizes[0]), dtype=np.float32)
    acts = [x]
    for W in Ws:
        acts.append(acts[-1] @ W)
    dzs = [np.ones_like(a) for a in acts[1:]]

    def step():
        h = x
        for W in Ws:
            h = h @ W
        for i, W in enumerate(Ws):
            acts[i].T @ dzs[i]
            dzs[i] @ W.T

    return step


def kteach_step(sizes: list[int]) -> float:
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((sizes[0],))]
                              + [layers.Dense(n, activation="relu") for n in sizes[1:-1]]
                              + [layers.Dense(sizes[-1], activation="softmax")])
    model.compile(optimizer=kteach.optimizers.SGD(momentum=0.9),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, sizes[0]), dtype=np.float32)
    y = kteach.utils.to_categorical(rng.integers(0, sizes[-1], BATCH), sizes[-1])
    return lambda: model.train_on_batch(x, y)


def keras_step(sizes: list[int]) -> float:
    import keras  # only with --keras
    model = keras.Sequential([keras.Input((sizes[0],))]
                             + [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1], activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(momentum=0.9),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, sizes[0]), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, sizes[-1], BATCH), sizes[-1])
    return best_time(lambda: model.train_on_batch(x, y), repeats=5, number=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras", action="store_true", help="also time Keras (must be installed)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; medians are printed")
    args = parser.parse_args()
    print(f"batch {BATCH}, numpy {np.__version__}, median of {args.rounds} rounds")
    print(f"{'model':>16} {'bare matmuls':>14} {'kteach step':>13} {'overhead':>11} {'ratio':>7}"
          + (f" {'keras step':>12}" if args.keras else ""))
    for sizes in ([20, 64, 64, 10], [784, 512, 512, 10]):
        bare_fn, step_fn = bare_matmuls(sizes), kteach_step(sizes)
        bares, steps, ratios = [], [], []
        for _ in range(args.rounds):
            bare, step = best_time(bare_fn), best_time(step_fn)
            bares.append(bare)
            steps.append(step)
            ratios.append(step / bare)
        bare, step = statistics.median(bares), statistics.median(steps)
        line = (f"{'-'.join(map(str, sizes)):>16} {bare * 1e3:11.3f} ms {step * 1e3:10.3f} ms "
                f"{(step - bare) * 1e3:8.3f} ms {statistics.median(ratios):6.2f}x")
        if args.keras:
            line += f" {keras_step(sizes) * 1e3:9.3f} ms"
        print(line)


if __name__ == "__main__":
    main()
