"""What recording costs: fit time with and without the recording machinery.

    python benchmarks/recording_overhead.py

The engine tells every object in ``kteach.engine.graph.TRACERS`` about each layer call. This
times ``fit`` (a 20-64-64-10 MLP, 2048 samples, batch 32, 2 epochs) in five set-ups:

* **absent**: ``call_layer``/``backprop_layer`` replaced by versions without the tracer loop,
  as if the machinery did not exist;
* **empty**: the normal state, no tracer installed (the loop runs over an empty list);
* **no-op tracer**: one tracer whose methods do nothing (the price of a call per layer);
* **TrainingStats**: the per-epoch statistics callback (activation statistics every batch);
* **Recorder**: a Recorder installed for the whole fit (keeps every array of every step).

and then one ``model.explain(x, y)`` against one ``train_on_batch`` on the same batch.
Best of several repeats; differences of a few percent are noise on a busy machine.
"""
from __future__ import annotations

import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
import kteach  # noqa: E402
from kteach import layers  # noqa: E402
from kteach.engine import graph  # noqa: E402
from kteach.engine.recording import Recorder  # noqa: E402


def best_time(fn, repeats: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_times(fns: dict, rounds: int = 7) -> dict[str, float]:
    """Best time of each function, taking turns round by round so that a slow spell of the
    machine hits all of them alike."""
    for fn in fns.values():
        fn()
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def make_model():
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((20,)), layers.Dense(64, activation="relu"),
                               layers.Dense(64, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model


class NoOpTracer:
    def forward(self, layer, inputs, outputs, cache):
        pass

    def backward(self, layer, d_outputs, d_inputs, grads):
        pass


def bare_call_layer(layer, inputs, training, mask=None):
    return layer.forward(inputs, training)   # the models here have no masks


def bare_backprop_layer(layer, cache, d_outputs):
    return layer.backward(cache, d_outputs)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((2048, 20), dtype=np.float32)
    y = kteach.utils.to_categorical(rng.integers(0, 10, 2048), 10)
    model = make_model()

    def fit(callbacks=None):
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False, callbacks=callbacks)

    def fit_absent():
        saved = graph.call_layer, graph.backprop_layer
        graph.call_layer, graph.backprop_layer = bare_call_layer, bare_backprop_layer
        try:
            fit()
        finally:
            graph.call_layer, graph.backprop_layer = saved

    def fit_noop():
        tracer = NoOpTracer()
        graph.TRACERS.append(tracer)
        try:
            fit()
        finally:
            graph.TRACERS.remove(tracer)

    def fit_recorded():
        with Recorder():
            fit()

    times = best_times({"absent (no tracer loop at all)": fit_absent,
                        "empty TRACERS (the normal state)": fit,
                        "one no-op tracer": fit_noop,
                        "TrainingStats callback": lambda: fit([kteach.callbacks.TrainingStats()]),
                        "Recorder installed (keeps everything)": fit_recorded})
    base = times["absent (no tracer loop at all)"]
    print(f"fit: 20-64-64-10 MLP, 2048 samples, batch 32, 2 epochs, numpy {np.__version__}")
    width = max(len(k) for k in times)
    for name, t in times.items():
        print(f"  {name.ljust(width)}  {t * 1e3:8.1f} ms  {t / base:5.2f}x")
    xb, yb = x[:32], y[:32]
    step = best_time(lambda: model.train_on_batch(xb, yb), repeats=20)
    explained = best_time(lambda: model.explain(xb, yb), repeats=20)
    print(f"one batch of 32: train_on_batch {step * 1e3:.2f} ms, explain {explained * 1e3:.2f} ms "
          f"({explained / step:.1f}x)")


if __name__ == "__main__":
    main()
