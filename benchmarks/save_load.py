"""Save and load time and file size of the 784-512-512-10 MLP, kteach next to real Keras.

Run:  .venv/bin/python benchmarks/save_load.py

kteach: ``model.save('m.keras')``, ``load_model``, ``save_weights``, ``load_weights`` (the model
compiled with Adam and trained one step, so the file holds the optimizer's state too), best of
5 each. When ``.venv-keras`` exists (scripts/test.sh makes it) the same is timed in real Keras
3 (JAX backend, CPU) in a subprocess, and the ratios kteach/Keras are printed. A benchmark,
not a test: it reports and exits 0.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERAS_PYTHON = ROOT / ".venv-keras" / "bin" / "python"
TRIES = 5

# The same code for both libraries: `keras` is kteach or Keras.
MEASURE = r'''
import json, os, sys, tempfile, time
import numpy as np

def measure(keras, folder):
    L = keras.layers
    model = keras.Sequential([keras.Input((784,)), L.Dense(512, activation="relu"),
                              L.Dense(512, activation="relu"), L.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.random.default_rng(0).random((128, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(128) % 10]
    model.train_on_batch(x, y)
    path, wpath = os.path.join(folder, "m.keras"), os.path.join(folder, "m.weights.h5")

    def best(fn):
        times = []
        for _ in range(TRIES):
            t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
        return min(times)
    out = {"save": best(lambda: model.save(path)),
           "load_model": best(lambda: keras.saving.load_model(path)),
           "save_weights": best(lambda: model.save_weights(wpath)),
           "load_weights": best(lambda: model.load_weights(wpath)),
           "keras_MB": os.path.getsize(path) / 1e6, "weights_MB": os.path.getsize(wpath) / 1e6}
    return out
'''


def run_kteach() -> dict:
    import kteach
    namespace = {"TRIES": TRIES}
    exec(MEASURE, namespace)
    with tempfile.TemporaryDirectory() as folder:
        return namespace["measure"](kteach, folder)


def run_keras() -> dict | None:
    if not KERAS_PYTHON.exists():
        return None
    child = (f"TRIES = {TRIES}\n" + MEASURE +
             "\nimport keras\nwith tempfile.TemporaryDirectory() as f:\n"
             "    print(json.dumps(measure(keras, f)))\n")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([str(KERAS_PYTHON), "-c", child], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        print(f"(Keras run failed: {run.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    mine = run_kteach()
    theirs = run_keras()
    print("784-512-512-10 MLP, Adam state included (669,706 weights), best of", TRIES)
    header = f"{'':14s}{'kteach':>12s}" + (f"{'Keras 3':>12s}{'ratio':>9s}" if theirs else "")
    print(header)
    for key in ("save", "load_model", "save_weights", "load_weights", "keras_MB", "weights_MB"):
        unit = " MB" if key.endswith("MB") else " ms"
        scale = 1 if key.endswith("MB") else 1000
        line = f"{key:14s}{mine[key] * scale:9.1f}{unit}"
        if theirs:
            line += f"{theirs[key] * scale:9.1f}{unit}{mine[key] / theirs[key]:8.2f}x"
        print(line)
    if not theirs:
        print("(real Keras not found in .venv-keras: bash scripts/test.sh installs it)")


if __name__ == "__main__":
    main()
