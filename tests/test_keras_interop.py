"""Round trips between kteach and real Keras 3 (JAX backend, CPU), through files.

For every model of tests/interop/cases.py (every layer family, nested models, shared layers,
the tutorials' multi-input and multi-output models, every optimizer):

* kteach trains a few steps and saves ``.keras`` and ``.weights.h5``; real Keras loads them and
  predicts the same (relative error < 2e-4); after one more training step on both sides the
  weights are the same (so the optimizer's state travelled too);
* real Keras trains a few steps and saves; kteach loads and predicts the same, and after one
  more step on both sides the weights are the same;
* the two weights files have the same groups, datasets, shapes and dtypes, and the two zips the
  same entries, stored the same way.

Real Keras lives in ``.venv-keras`` (made by scripts/test.sh), and runs once for all cases in
one subprocess (tests/interop/keras_side.py). Outside scripts/test.sh the tests skip when
``.venv-keras`` is missing; scripts/test.sh sets KTEACH_REQUIRE_KERAS=1, so there they fail
instead.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import kteach

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent / "interop"))
from cases import CASES  # noqa: E402

KERAS_PYTHON = ROOT / ".venv-keras" / "bin" / "python"
STEPS = 3
RTOL = 2e-4


def _as_list(a):
    return [np.asarray(v) for v in a] if isinstance(a, (list, tuple)) else [np.asarray(a)]


def _rel_err(got, want) -> float:
    return float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-6))


def _arrays(npz, key: str) -> list[np.ndarray]:
    out, i = [], 0
    while f"{key}_{i}" in npz:
        out.append(npz[f"{key}_{i}"])
        i += 1
    return out


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    """kteach writes its files, real Keras reads them and writes its own; returns the folder
    and what kteach computed."""
    if not KERAS_PYTHON.exists():
        message = (f"real Keras is not installed in {KERAS_PYTHON.parent.parent}: "
                   f"bash scripts/test.sh makes it")
        if os.environ.get("KTEACH_REQUIRE_KERAS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    work = tmp_path_factory.mktemp("interop")
    mine = {}
    for name, case in CASES.items():
        kteach.utils.set_random_seed(0)
        model, x, y, compile_kwargs = case(kteach)
        model.compile(**compile_kwargs)
        for _ in range(STEPS):
            model.train_on_batch(x, y)
        model.save(work / f"kt_{name}.keras")
        model.save_weights(work / f"kt_{name}.weights.h5")
        pred = _as_list(model.predict(x, verbose=0))
        model.train_on_batch(x, y)
        mine[name] = {"pred": pred, "after": model.get_weights()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([str(KERAS_PYTHON), str(Path(__file__).parent / "interop" / "keras_side.py"),
                          str(work)], capture_output=True, text=True, env=env, timeout=1200)
    assert run.returncode == 0, f"the Keras side failed:\n{run.stderr[-4000:]}"
    return work, mine


def _keras_results(work: Path, name: str):
    error = work / f"keras_{name}.error"
    if error.exists():
        pytest.fail(f"real Keras failed on case {name}:\n{error.read_text()}")
    return np.load(work / f"keras_{name}.npz")


def _check_same(got: list, want: list, what: str) -> None:
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"{what} #{i}: {g.shape} vs {w.shape}"
        assert _rel_err(g, w) < RTOL, f"{what} #{i}: relative error {_rel_err(g, w):.2e}"


def _check_weights(got: list, want: list, what: str) -> None:
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=1e-6, err_msg=f"{what} #{i}")


@pytest.mark.parametrize("name", list(CASES))
def test_keras_loads_the_kteach_file(exchange, name):
    work, mine = exchange
    theirs = _keras_results(work, name)
    _check_same(_arrays(theirs, "A_keras_pred"), mine[name]["pred"], "predictions")
    _check_weights(_arrays(theirs, "A_keras_after"), mine[name]["after"], "weights after a step")


@pytest.mark.parametrize("name", list(CASES))
def test_keras_loads_the_kteach_weights(exchange, name):
    work, mine = exchange
    theirs = _keras_results(work, name)
    _check_same(_arrays(theirs, "A_weights_pred"), mine[name]["pred"], "predictions")
    _check_weights(_arrays(theirs, "A_weights_after"), mine[name]["after"], "weights after a step")


def _step_and_compare(model, case, theirs) -> None:
    _, x, y, _ = case(kteach)
    _check_same(_as_list(model.predict(x, verbose=0)), _arrays(theirs, "B_pred"), "predictions")
    model.train_on_batch(x, y)
    _check_weights(model.get_weights(), _arrays(theirs, "B_after"), "weights after a step")


@pytest.mark.parametrize("name", list(CASES))
def test_kteach_loads_the_keras_file(exchange, name):
    work, _ = exchange
    theirs = _keras_results(work, name)
    model = kteach.saving.load_model(work / f"k_{name}.keras")
    assert model.optimizer.iterations == STEPS
    _step_and_compare(model, CASES[name], theirs)


@pytest.mark.parametrize("name", list(CASES))
def test_kteach_loads_the_keras_weights(exchange, name):
    work, _ = exchange
    theirs = _keras_results(work, name)
    model, _, _, compile_kwargs = CASES[name](kteach)
    model.compile(**compile_kwargs)
    model.load_weights(work / f"k_{name}.weights.h5")
    assert model.optimizer.iterations == STEPS
    _step_and_compare(model, CASES[name], theirs)


def _h5_tree(path: Path) -> dict:
    import h5py
    tree = {}
    with h5py.File(path, "r") as h5:
        def visit(name, obj):
            tree[name] = (obj.shape, str(obj.dtype)) if isinstance(obj, h5py.Dataset) else \
                sorted(obj.attrs)
        h5.visititems(visit)
    return tree


@pytest.mark.parametrize("name", list(CASES))
def test_same_files_as_keras(exchange, name):
    """Group by group, dataset by dataset (shape and dtype), attribute names: kteach's weights
    file is Keras'. The zips hold the same entries in the same order, uncompressed."""
    work, _ = exchange
    _keras_results(work, name)
    assert _h5_tree(work / f"kt_{name}.weights.h5") == _h5_tree(work / f"k_{name}.weights.h5")
    with zipfile.ZipFile(work / f"kt_{name}.keras") as a, zipfile.ZipFile(work / f"k_{name}.keras") as b:
        assert [(i.filename, i.compress_type) for i in a.infolist()] == \
            [(i.filename, i.compress_type) for i in b.infolist()]


def test_keras_version(exchange):
    work, _ = exchange
    assert (work / "keras_version.txt").read_text().startswith("3.")
