"""What a training step through the tape costs, against the hand-written backward.

    python benchmarks/tape_step.py

Two models with the same layers, sizes, weights and batch: one made of built-in ``Dense``
layers (hand-written forward/backward), one made of a learner's ``Linear`` layer that writes
only ``call`` with kteach.ops (its backward comes from the tape). Each is timed with
train_on_batch (batch 128, best of several repeats), as is a subclassed Model whose call
composes built-in Dense layers (the tape then has one entry per layer call). Every time is
printed as a ratio to the built-in model measured in the same run; the aim is under 2x.
The built-in model's ratio to its bare matrix products shows that it does not pay for the
tape it does not use.
"""
from __future__ import annotations

import sys
import numpy as np

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
import kteach  # noqa: E402
from kteach import layers, ops  # noqa: E402
from train_mlp import best_time  # noqa: E402  (the same timing rule: best of repeats)

BATCH = 128


class Linear(layers.Layer):
    """y = relu?(x·W + b), written with ops only."""

    def __init__(self, units: int, relu: bool, **kwargs):
        super().__init__(**kwargs)
        self.units, self.relu = units, relu

    def build(self, input_shape):
        self.W = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        z = ops.matmul(x, self.W) + self.b
        return ops.relu(z) if self.relu else z


class Composed(kteach.Model):
    def __init__(self, sizes):
        super().__init__()
        self.stack = [layers.Dense(n, activation="relu") for n in sizes[1:-1]] + [layers.Dense(sizes[-1])]

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return x


def models(sizes: list[int]):
    kteach.utils.set_random_seed(0)
    built_in = kteach.Sequential([kteach.Input((sizes[0],))]
                                 + [layers.Dense(n, activation="relu") for n in sizes[1:-1]]
                                 + [layers.Dense(sizes[-1])])
    custom = kteach.Sequential([kteach.Input((sizes[0],))]
                               + [Linear(n, relu=True) for n in sizes[1:-1]]
                               + [Linear(sizes[-1], relu=False)])
    custom.set_weights(built_in.get_weights())
    composed = Composed(sizes)
    composed(np.zeros((2, sizes[0]), "float32"))
    composed.set_weights(built_in.get_weights())
    return built_in, custom, composed


def bare(sizes: list[int], x: np.ndarray) -> float:
    Ws = [np.ones((a, b), np.float32) * 0.01 for a, b in zip(sizes, sizes[1:])]
    dzs = [np.ones((BATCH, b), np.float32) for b in sizes[1:]]
    acts = [x] + [np.ones((BATCH, b), np.float32) for b in sizes[1:]]

    def step():
        h = x
        for W in Ws:
            h = h @ W
        for i, W in enumerate(Ws):
            acts[i].T @ dzs[i]
            dzs[i] @ W.T

    return best_time(step)


def main() -> None:
    for sizes in ([20, 64, 64, 10], [784, 512, 512, 10]):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((BATCH, sizes[0])).astype("float32")
        y = rng.integers(0, sizes[-1], BATCH)
        times = {}
        for name, model in zip(("built-in Dense", "custom Linear (tape)", "subclassed Model (tape)"),
                               models(sizes)):
            model.compile(optimizer="sgd", loss=kteach.losses.SparseCategoricalCrossentropy(from_logits=True))
            times[name] = best_time(lambda m=model: m.train_on_batch(x, y))
        base = times["built-in Dense"]
        print(f"MLP {'-'.join(map(str, sizes))}, batch {BATCH}, train_on_batch")
        print(f"  {'bare matrix products':26s} {bare(sizes, x) / base:5.2f}x of built-in")
        for name, t in times.items():
            print(f"  {name:26s} {t / base:5.2f}x   ({t * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
