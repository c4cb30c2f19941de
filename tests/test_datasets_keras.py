"""kteach.datasets against real Keras 3 on the same files: every call in
make_dataset_files.CALLS returns equal arrays (dtype, shape, values) in both.

Real Keras lives in ``.venv-keras`` (made by scripts/test.sh); the test is skipped without it,
and fails instead when KTEACH_REQUIRE_KERAS=1.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kteach import datasets

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
KERAS_PYTHON = ROOT / ".venv-keras" / "bin" / "python"
sys.path.insert(0, str(FIXTURES))
import make_dataset_files as fixture_files  # noqa: E402


@pytest.fixture
def keras_home(tmp_path, monkeypatch) -> Path:
    if not KERAS_PYTHON.exists():
        message = f"real Keras is not installed in {KERAS_PYTHON.parent.parent}: " \
                  f"bash scripts/test.sh makes it"
        if os.environ.get("KTEACH_REQUIRE_KERAS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path / "keras_home"
    hashes = fixture_files.write_all(str(home))
    monkeypatch.setenv("KERAS_HOME", str(home))
    for module, name in ((datasets.mnist, "mnist.npz"), (datasets.imdb, "imdb.npz"),
                         (datasets.reuters, "reuters.npz"),
                         (datasets.boston_housing, "boston_housing.npz"),
                         (datasets.california_housing, "california_housing.npz"),
                         (datasets.cifar100, "cifar-100-python-target_archive")):
        monkeypatch.setattr(module, "SHA256", hashes[name])
    return home


def _one_dimensional(value):
    """Keras builds its object arrays with np.array(lists, dtype=object), which turns lists of
    equal length into a 2-D array (shape (1, 3) for one review); kteach always returns a 1-D
    array of lists, as Keras does for the real files, whose reviews differ in length."""
    if isinstance(value, dict):
        if value.get("dtype") == "object" and len(value["shape"]) == 2:
            return {**value, "shape": value["shape"][:1]}
        return {k: _one_dimensional(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_dimensional(v) for v in value]
    return value


def test_load_data_equals_real_keras_on_the_same_files(keras_home, tmp_path):
    out = tmp_path / "keras.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(KERAS_HOME=str(keras_home), KERAS_BACKEND="numpy")
    done = subprocess.run([str(KERAS_PYTHON), str(FIXTURES / "make_dataset_files.py"),
                           "--keras-side", str(out)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    want = _one_dimensional(json.loads(out.read_text()))
    got = json.loads(json.dumps(fixture_files.run_calls(datasets)))
    for name, calls in fixture_files.CALLS.items():
        for kwargs, g, w in zip(calls, got[name], want[name]):
            assert g == w, f"{name}.load_data(**{kwargs}) differs from Keras"
