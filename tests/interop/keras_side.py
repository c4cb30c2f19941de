"""The real-Keras half of tests/test_keras_interop.py; runs in .venv-keras (Keras 3, JAX, CPU).

    .venv-keras/bin/python tests/interop/keras_side.py WORKDIR

For every case of cases.py, in one process (importing Keras and JAX once):

* kteach -> Keras: load the files kteach wrote (``kt_<case>.keras`` with
  ``keras.saving.load_model``; ``kt_<case>.weights.h5`` into the same model built here), predict,
  take one more training step and keep the weights;
* Keras -> kteach: build, compile, train three steps, write ``k_<case>.keras`` and
  ``k_<case>.weights.h5``, predict, take one more step and keep the weights.

Results go to ``WORKDIR/keras_<case>.npz``; a case that fails writes its traceback to
``WORKDIR/keras_<case>.error`` so that only that case's tests fail.
"""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import keras  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from cases import CASES  # noqa: E402

STEPS = 3


def as_list(a):
    return [np.asarray(v) for v in a] if isinstance(a, (list, tuple)) else [np.asarray(a)]


def put(out: dict, key: str, arrays) -> None:
    for i, a in enumerate(as_list(arrays)):
        out[f"{key}_{i}"] = a


def step(model, x, y) -> None:
    model.train_on_batch(x, y)


def run_case(name: str, case, work: Path) -> dict:
    out: dict = {}
    kt_keras, kt_weights = work / f"kt_{name}.keras", work / f"kt_{name}.weights.h5"
    if kt_keras.exists():
        model = keras.saving.load_model(kt_keras)
        _, x, y, _ = case(keras)
        put(out, "A_keras_pred", model.predict(x, verbose=0))
        step(model, x, y)
        put(out, "A_keras_after", model.get_weights())
    if kt_weights.exists():
        model, x, y, compile_kwargs = case(keras)
        model.compile(**compile_kwargs)
        # Keras loads an optimizer's state only into a built optimizer (else it warns and skips)
        model.optimizer.build(model.trainable_variables)
        model.load_weights(kt_weights)
        put(out, "A_weights_pred", model.predict(x, verbose=0))
        step(model, x, y)
        put(out, "A_weights_after", model.get_weights())
    keras.utils.set_random_seed(0)
    model, x, y, compile_kwargs = case(keras)
    model.compile(**compile_kwargs)
    for _ in range(STEPS):
        step(model, x, y)
    model.save(work / f"k_{name}.keras")
    model.save_weights(work / f"k_{name}.weights.h5")
    put(out, "B_pred", model.predict(x, verbose=0))
    step(model, x, y)
    put(out, "B_after", model.get_weights())
    return out


def main() -> None:
    work = Path(sys.argv[1])
    only = sys.argv[2:] or list(CASES)
    (work / "keras_version.txt").write_text(keras.__version__)
    for name in only:
        try:
            np.savez(work / f"keras_{name}.npz", **run_case(name, CASES[name], work))
        except Exception:
            (work / f"keras_{name}.error").write_text(traceback.format_exc())


if __name__ == "__main__":
    main()
